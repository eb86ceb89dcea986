package discord

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	goldenfile "github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// The root carries the buttons as components, kept on every edit; the ack
// replies once and edits the root to say who; resolution leaves Report. In
// every language: the buttons, the ack field and the ack reply are the
// channel's.
func TestComponentsAndAcknowledgement(t *testing.T) {
	ackLine := map[string]string{"en": "Acknowledged by <@1500000000000000001> at 14:23 UTC", "de": "Bestätigt von <@1500000000000000001> um 14:23 UTC"}
	for _, lang := range langs {
		t.Run(lang, func(t *testing.T) {
			e := newEnvLang(t, false, lang)
			evs := lifecycle()
			root := deliver(t, e.n, delivery(1, evs[0], ""))
			m, _ := e.fake.Message(string(root))
			goldenfile.JSON(t, goldenName("chatops-components-open", lang), json.RawMessage(m.Components), true, *update)

			ack := &outage.Ack{UserID: "1500000000000000001", Name: "alice", Platform: "discord", At: t0.Add(20 * time.Minute)}
			acked := evs[0]
			acked.Kind, acked.At, acked.Body, acked.Ack = outage.Acknowledged, ack.At, "", ack
			reply := deliver(t, e.n, delivery(2, acked, root))
			r, _ := e.fake.Message(string(reply))
			if r.Content != "✅ "+ackLine[lang] || r.AllowedMentions == nil || len(r.AllowedMentions.Parse) != 0 {
				t.Errorf("the ack reply: %q, allowed_mentions %+v", r.Content, r.AllowedMentions)
			}
			m, _ = e.fake.Message(string(root))
			goldenfile.JSON(t, goldenName("chatops-root-acknowledged", lang), map[string]any{"embeds": m.Embeds, "components": json.RawMessage(m.Components)}, true, *update)

			res := evs[3]
			res.Ack = ack
			deliver(t, e.n, delivery(3, res, root))
			m, _ = e.fake.Message(string(root))
			if c := string(m.Components); strings.Contains(c, "outagebot:ack:") || !strings.Contains(c, "outagebot:report:o-1") {
				t.Errorf("resolved root components: %s", c)
			}
			if f := m.Embeds[0].Fields; !strings.Contains(f[len(f)-1].Value, "<@1500000000000000001>") {
				t.Errorf("resolved root lost the ack: %+v", f[len(f)-1])
			}
		})
	}
}

// The root that mentions a role, in every language: the mention leads the
// content, the embed is the channel's language.
func TestMentionGolden(t *testing.T) {
	for _, lang := range langs {
		e := newEnvLang(t, false, lang)
		e.n.mention = Mention{Who: "1400000000000000001"}
		ref := deliver(t, e.n, delivery(1, sample(outage.Opened, outage.Incident), ""))
		m, _ := e.fake.Message(string(ref))
		goldenfile.JSON(t, goldenName("chatops-mention", lang), map[string]any{"content": m.Content, "embeds": m.Embeds,
			"allowed_mentions": m.AllowedMentions, "components": json.RawMessage(m.Components)}, true, *update)
	}
}

// A new outage at or above the threshold mentions the role (or @here) and
// allows exactly that mention; every other message allows none.
func TestMentionAllowedExactly(t *testing.T) {
	role := &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}, Roles: []string{"1400000000000000001"}}
	here := &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeEveryone}}
	none := &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
	for _, tc := range []struct {
		name        string
		who         string
		min         sources.Status
		kind        outage.Kind
		severity    sources.Status
		wantContent string
		want        *discordgo.MessageAllowedMentions
	}{
		{"role on a major outage", "1400000000000000001", "", outage.Opened, sources.MajorOutage, "<@&1400000000000000001>", role},
		{"@here on a partial outage", "@here", sources.PartialOutage, outage.Opened, sources.PartialOutage, "@here", here},
		{"below the threshold", "1400000000000000001", sources.MajorOutage, outage.Opened, sources.PartialOutage, "", none},
		{"degraded under the default", "1400000000000000001", "", outage.Opened, sources.Degraded, "", none},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, false)
			e.n.mention = Mention{Who: tc.who, Min: tc.min}
			ev := sample(tc.kind, outage.Incident)
			ev.Severity = tc.severity
			ref := deliver(t, e.n, delivery(1, ev, ""))
			m, _ := e.fake.Message(string(ref))
			if tc.wantContent != "" && !strings.HasPrefix(m.Content, tc.wantContent) {
				t.Errorf("content %q, want the mention %s first", m.Content, tc.wantContent)
			}
			if tc.wantContent == "" && (strings.Contains(m.Content, "<@&") || strings.Contains(m.Content, "@here")) {
				t.Errorf("content %q mentions", m.Content)
			}
			if !reflect.DeepEqual(m.AllowedMentions, tc.want) {
				t.Errorf("allowed_mentions %+v, want %+v", m.AllowedMentions, tc.want)
			}
			// The update after it never mentions.
			up := sample(outage.Updated, outage.Incident)
			r, _ := e.fake.Message(string(deliver(t, e.n, delivery(2, up, ref))))
			if !reflect.DeepEqual(r.AllowedMentions, none) {
				t.Errorf("the update allows %+v", r.AllowedMentions)
			}
		})
	}
}
