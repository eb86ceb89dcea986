package discord

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/internal/fakediscord"
)

// germanChannel is the channel configured with locale = "de"; the
// interactions' own channel (1100000000000000001) is English.
const germanChannel = "1100000000000000002"

func channelLangs(channel string) string {
	if channel == germanChannel {
		return "de"
	}
	return "en"
}

// ask sends ix through the real HTTP handler (signed, checked) and returns
// the response.
func ask(t *testing.T, k keys, admins Admins, ix *discordgo.Interaction) discordgo.InteractionResponse {
	t.Helper()
	h := NewHandler(HandlerOptions{PublicKey: k.pub, Commands: commands(), Admins: admins, Now: func() time.Time { return now }, Lang: channelLangs})
	body := marshal(t, ix)
	ts := stamp(now)
	w := post(h, body, sign(k.priv, ts, body), ts)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var r discordgo.InteractionResponse
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func inLocale(ix *discordgo.Interaction, locale discordgo.Locale, channel string) *discordgo.Interaction {
	ix.Locale = locale
	if channel != "" {
		ix.ChannelID = channel
	}
	return ix
}

// An answer only the asker sees is in their Discord language when the
// catalog has it (de), else in the channel's (pt-BR in an English channel
// is English, in a German one German); what the channel sees is in the
// channel's language, whoever asked.
func TestAnswersFollowTheUsersLocale(t *testing.T) {
	k := newKeys(t)
	incidents := func() *discordgo.Interaction {
		return interaction(discordgo.InteractionApplicationCommand, "incidents")
	}
	cases := []struct {
		name      string
		ix        *discordgo.Interaction
		admins    Admins
		ephemeral bool
		title     string
		content   string
	}{
		{"de user, English channel", inLocale(incidents(), discordgo.German, ""), Admins{}, true, "1 Ausfall (letzte 24 Stunden)", ""},
		{"pt-BR user, English channel", inLocale(incidents(), discordgo.PortugueseBR, ""), Admins{}, true, "1 outage in the last 24h", ""},
		{"pt-BR user, German channel", inLocale(incidents(), discordgo.PortugueseBR, germanChannel), Admins{}, true, "1 Ausfall (letzte 24 Stunden)", ""},
		{"en-US user, German channel", inLocale(incidents(), discordgo.EnglishUS, germanChannel), Admins{}, true, "1 outage in the last 24h", ""},
		{"no locale, German channel", inLocale(incidents(), "", germanChannel), Admins{}, true, "1 Ausfall (letzte 24 Stunden)", ""},
		{"de user mutes in an English channel: the channel reads English",
			inLocale(interaction(discordgo.InteractionApplicationCommand, "mute", option{name: "target", value: "GitHub"}, option{name: "duration", value: "2h"}), discordgo.German, ""),
			Admins{}, false, "🔕 GitHub is muted until Mar 2 11:00 UTC", "🔕 <@" + testUser + "> muted GitHub for 2h (until Mar 2 11:00 UTC)."},
		{"en user mutes in a German channel",
			inLocale(interaction(discordgo.InteractionApplicationCommand, "mute", option{name: "target", value: "GitHub"}, option{name: "duration", value: "2h"}), discordgo.EnglishGB, germanChannel),
			Admins{}, false, "🔕 GitHub ist bis 2. März 11:00 UTC stummgeschaltet", "🔕 <@" + testUser + "> hat GitHub für 2 Stunden stummgeschaltet (bis 2. März 11:00 UTC)."},
		{"de user without the role", inLocale(interaction(discordgo.InteractionApplicationCommand, "mute", option{name: "target", value: "GitHub"}, option{name: "duration", value: "2h"}), discordgo.German, ""),
			Admins{Roles: []string{"1700000000000000001"}}, true, "Leider hier keine Berechtigung zum Stummschalten", ""},
		{"de user, unknown command", inLocale(interaction(discordgo.InteractionApplicationCommand, "frobnicate"), discordgo.German, ""), Admins{}, true, "Den Befehl /frobnicate kenne ich nicht", ""},
		{"de user clicks where there are no buttons", inLocale(click("outagebot:ack:o2", nil, 0), discordgo.German, ""), Admins{}, true, "Buttons sind hier nicht verfügbar", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ask(t, k, tc.admins, tc.ix)
			e := onlyEmbed(t, r)
			if ephemeral := r.Data.Flags&discordgo.MessageFlagsEphemeral != 0; ephemeral != tc.ephemeral {
				t.Errorf("ephemeral %v, want %v", ephemeral, tc.ephemeral)
			}
			if e.Title != tc.title || r.Data.Content != tc.content {
				t.Errorf("title %q content %q\nwant  %q content %q", e.Title, r.Data.Content, tc.title, tc.content)
			}
		})
	}
	// The refusal names who may in the asker's language.
	r := ask(t, k, Admins{Roles: []string{"1700000000000000001"}}, inLocale(interaction(discordgo.InteractionApplicationCommand, "unmute", option{name: "target", value: "GitHub"}), discordgo.German, ""))
	if e := onlyEmbed(t, r); !strings.Contains(e.Description, "Aufheben einer Stummschaltung ist nur für Mitglieder von <@&1700000000000000001> (oder Server-Admins) erlaubt.") {
		t.Errorf("refusal: %s", marshal(t, e))
	}
}

// The registered commands carry a German description for every command
// and option, within Discord's 100 characters, and English ones as before.
func TestRegisteredCommandsAreLocalized(t *testing.T) {
	fake := fakediscord.New()
	defer fake.Close()
	fake.RequireToken(testToken)
	if err := Register(context.Background(), RegisterOptions{Token: testToken, ApplicationID: testApp, APIURL: fake.URL()}); err != nil {
		t.Fatal(err)
	}
	calls := fake.Calls(fakediscord.RouteGlobalCommands)
	if len(calls) != 1 {
		t.Fatalf("%d registrations", len(calls))
	}
	var sent []*discordgo.ApplicationCommand
	if err := json.Unmarshal(calls[0].Body, &sent); err != nil {
		t.Fatal(err)
	}
	if len(sent) != len(ApplicationCommands()) {
		t.Fatalf("%d commands sent", len(sent))
	}
	check := func(what, en string, loc map[discordgo.Locale]string) {
		de := loc[discordgo.German]
		switch {
		case de == "" || de == en:
			t.Errorf("%s: German %q beside English %q", what, de, en)
		case utf8.RuneCountInString(de) > 100 || utf8.RuneCountInString(en) > 100:
			t.Errorf("%s: longer than Discord takes: %q / %q", what, en, de)
		case strings.HasPrefix(de, "interact."):
			t.Errorf("%s: the catalog lacks %s", what, de)
		}
	}
	for _, c := range sent {
		if c.DescriptionLocalizations == nil {
			t.Errorf("/%s has no localizations", c.Name)
			continue
		}
		check("/"+c.Name, c.Description, *c.DescriptionLocalizations)
		for _, o := range c.Options {
			check("/"+c.Name+" "+o.Name, o.Description, o.DescriptionLocalizations)
		}
	}
	if got := sent[0].Description; got != i18n.For("en").T("interact.discord.cmd.status", nil) || got != "Current status of every target, or of one in detail" {
		t.Errorf("/status description %q", got)
	}
}
