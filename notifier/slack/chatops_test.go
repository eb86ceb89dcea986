package slack

import (
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/internal/fakeslack"
	goldenfile "github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// An outage's root carries the buttons; an acknowledgement replies once
// and edits the root to say who, and the root keeps saying it through the
// restoration, which leaves only Report. All of it in the channel's
// language.
func TestButtonsAndAcknowledgement(t *testing.T) {
	inEveryLanguage(t, func(t *testing.T, p *i18n.Printer) {
		e := newEnv(t, Options{Lang: p.Lang()})
		evs := lifecycle()
		root, err := e.deliver(t, delivery(1, "C1", evs[0], ""))
		if err != nil {
			t.Fatal(err)
		}
		msgs := e.fs.Messages("C1")
		goldenfile.JSON(t, goldenName(p, "chatops-root-open"), rootOf(msgs[0]), true, *update)

		ack := &outage.Ack{UserID: "U0ALICE", Name: "alice", Platform: "slack", At: t0.Add(5 * time.Minute)}
		acked := evs[0]
		acked.Kind, acked.At, acked.Body, acked.Ack = outage.Acknowledged, ack.At, "", ack
		if _, err := e.deliver(t, delivery(2, "C1", acked, root)); err != nil || e.editErr != nil {
			t.Fatalf("ack: %v, edit: %v", err, e.editErr)
		}
		msgs = e.fs.Messages("C1")
		line := notifier.AckLine(p, *ack, platform)
		if len(msgs) != 1 || len(msgs[0].Replies) != 1 || !strings.Contains(msgs[0].Replies[0].Text, line) {
			t.Fatalf("the ack reply: %+v, want %q", msgs[0].Replies, line)
		}
		goldenfile.JSON(t, goldenName(p, "chatops-ack-reply"), rootOf(msgs[0].Replies[0]), true, *update)
		goldenfile.JSON(t, goldenName(p, "chatops-root-acknowledged"), rootOf(msgs[0]), true, *update)

		resolved := evs[3]
		resolved.Ack = ack
		if _, err := e.deliver(t, delivery(3, "C1", resolved, root)); err != nil || e.editErr != nil {
			t.Fatalf("resolved: %v, edit: %v", err, e.editErr)
		}
		msgs = e.fs.Messages("C1")
		goldenfile.JSON(t, goldenName(p, "chatops-root-resolved"), rootOf(msgs[0]), true, *update)
		att := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">").Replace(string(msgs[0].Attachments))
		if strings.Contains(att, "outagebot:ack:") || !strings.Contains(att, "outagebot:report:o-1") || !strings.Contains(att, line) {
			t.Errorf("resolved root: only Report stays, and the ack: %s", att)
		}
	})
}

// An acknowledgement whose who and when are lost still says what it is.
func TestAckWithoutWho(t *testing.T) {
	for lang, want := range map[string]string{"en": "Acknowledged", "de": "Bestätigt"} {
		ev := event(outage.Acknowledged, outage.Incident, time.Minute)
		m := RenderAck(i18n.For(lang), ev)
		if m.Text != ":white_check_mark: OpenAI: "+want || strings.TrimSpace(mrkdwnOf(t, Message{Blocks: m.Blocks})) != ":white_check_mark: "+want {
			t.Errorf("%s: %q %q, want %q", lang, m.Text, strings.TrimSpace(mrkdwnOf(t, Message{Blocks: m.Blocks})), want)
		}
	}
}

// A new outage's root that mentions someone, as the channel receives it.
func TestMentionGolden(t *testing.T) {
	inEveryLanguage(t, func(t *testing.T, p *i18n.Printer) {
		e := newEnv(t, Options{Lang: p.Lang(), Mention: Mention{Who: "S0ONCALL"}})
		if _, err := e.deliver(t, delivery(1, "C1", event(outage.Opened, outage.Incident, 0), "")); err != nil {
			t.Fatal(err)
		}
		goldenfile.JSON(t, goldenName(p, "chatops-root-mention"), rootOf(e.fs.Messages("C1")[0]), true, *update)
	})
}

// rootOf is what a golden shows of a root: its text, blocks and
// attachments as Slack stored them.
func rootOf(m fakeslack.Message) any {
	return map[string]any{"text": m.Text, "blocks": m.Blocks, "attachments": m.Attachments}
}

// A new outage mentions at or above the channel's threshold, never on a
// later event or below it.
func TestMentions(t *testing.T) {
	for _, tc := range []struct {
		name     string
		who      string
		min      sources.Status
		kind     outage.Kind
		class    outage.Class
		severity sources.Status
		want     string
	}{
		{"a user group, partial outage at the default threshold", "S0ONCALL", "", outage.Opened, outage.Incident, sources.PartialOutage, "<!subteam^S0ONCALL>"},
		{"below the threshold", "S0ONCALL", "", outage.Opened, outage.Incident, sources.Degraded, ""},
		{"major at a major threshold", "@here", sources.MajorOutage, outage.Opened, outage.Incident, sources.MajorOutage, "<!here>"},
		{"partial below a major threshold", "@channel", sources.MajorOutage, outage.Opened, outage.Incident, sources.PartialOutage, ""},
		{"an update never mentions", "S0ONCALL", "", outage.Updated, outage.Incident, sources.MajorOutage, ""},
		{"maintenance never mentions", "S0ONCALL", sources.Degraded, outage.Opened, outage.MaintenanceWork, sources.Maintenance, ""},
		{"nobody configured", "", "", outage.Opened, outage.Incident, sources.MajorOutage, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Options{Mention: Mention{Who: tc.who, Min: tc.min}})
			ev := event(tc.kind, tc.class, 0)
			ev.Severity = tc.severity
			if _, err := e.deliver(t, delivery(1, "C1", ev, "")); err != nil {
				t.Fatal(err)
			}
			m := e.fs.Messages("C1")[0]
			m.Blocks = []byte(strings.NewReplacer(`\u003c`, "<", `\u003e`, ">").Replace(string(m.Blocks)))
			for _, s := range []string{"<!subteam^", "<!here>", "<!channel>"} {
				if tc.want == "" && (strings.Contains(m.Text, s) || strings.Contains(string(m.Blocks), s)) {
					t.Errorf("mentions %s: %s", s, m.Text)
				}
			}
			if tc.want != "" && (!strings.HasPrefix(m.Text, tc.want+" ") || !strings.Contains(string(m.Blocks), tc.want)) {
				t.Errorf("text %q blocks %s, want the mention %s", m.Text, m.Blocks, tc.want)
			}
		})
	}
}
