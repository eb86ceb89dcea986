package discord

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/notifier/tmpl"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// hostile is an event whose vendor strings try to become a masked link, a
// mass mention and a script link.
func hostile(kind outage.Kind) outage.Event {
	ev := sample(kind, outage.Incident)
	ev.URL = "javascript:alert(document.cookie)"
	ev.Title = "[Reset your password](https://evil.example/phish) @here"
	ev.Target = "Vendor @Everyone"
	ev.Body = "Log in at [status page](https://evil.example/phish) @everyone"
	ev.Components = []outage.ComponentState{{Name: "API [x](https://evil.example)", Status: sources.MajorOutage}}
	ev.Notes = []string{"Likely cause: [Upstream](https://evil.example) @here"}
	return ev
}

func TestVendorStringsAreInert(t *testing.T) {
	templated, err := tmpl.New("en", "{{.Title}}", "{{.Body}} {{.URL}}")
	if err != nil {
		t.Fatal(err)
	}
	r := renderer{t: templated, p: en}
	msgs := map[string]*discordgo.MessageSend{
		"post":            RenderPost(en, hostile(outage.Opened)),
		"reply":           RenderReply(en, hostile(outage.Updated)),
		"resolved reply":  RenderReply(en, hostile(outage.Resolved)),
		"group":           RenderGroup(en, []outage.Event{hostile(outage.Opened), sample(outage.Opened, outage.Incident)}),
		"named reply":     namedReply(hostile(outage.Updated), RenderReply(en, hostile(outage.Updated))),
		"templated post":  r.post(hostile(outage.Opened)),
		"templated reply": r.reply(hostile(outage.Updated)),
	}
	for name, m := range msgs {
		t.Run(name, func(t *testing.T) {
			if m.AllowedMentions == nil || len(m.AllowedMentions.Parse) != 0 || len(m.AllowedMentions.Users) != 0 || len(m.AllowedMentions.Roles) != 0 {
				t.Errorf("allowed_mentions = %+v, want none", m.AllowedMentions)
			}
			for _, e := range m.Embeds {
				if e.URL != "" {
					t.Errorf("embed URL = %q, want none", e.URL)
				}
			}
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			s := string(b)
			if strings.Contains(s, "](") {
				t.Errorf("a masked link survives: %s", s)
			}
			if l := strings.ToLower(s); strings.Contains(l, "@everyone") || strings.Contains(l, "@here") {
				t.Errorf("a mass mention survives: %s", s)
			}
			if strings.Contains(s, "javascript:") && name != "templated post" && name != "templated reply" {
				t.Errorf("the script link survives: %s", s)
			}
		})
	}
	if got, want := RenderPost(en, hostile(outage.Opened)).Embeds[0].Description,
		"Log in at [status page]\u200b(https://evil.example/phish) @\u200beveryone"; got != want {
		t.Errorf("description = %q, want %q", got, want)
	}
}

func TestInert(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"[a](https://x.example)", "[a]\u200b(https://x.example)"},
		{"`[a](b)` and [c](<d>)", "`[a]\u200b(b)` and [c]\u200b(<d>)"},
		{"@everyone @HERE @hereby mail@here.example", "@\u200beveryone @\u200bHERE @hereby mail@\u200bhere.example"},
		{"[a] (b) **bold**", "[a] (b) **bold**"},
	}
	for _, tt := range tests {
		if got := Inert(tt.in); got != tt.want {
			t.Errorf("Inert(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
