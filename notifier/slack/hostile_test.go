package slack

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/notifier/tmpl"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// hostile is an event whose vendor strings try to become mentions, links
// of their own, or to change the status page link.
func hostile(kind outage.Kind, url string) outage.Event {
	ev := event(kind, outage.Incident, 10*time.Minute)
	ev.URL = url
	ev.Target = "Vendor <!here>"
	ev.Title = "<!channel> <https://evil.example/a|Reset your password> & more"
	ev.Body = "Log in at <https://evil.example/phish|status page> <!everyone> <@U024BE7LH>"
	ev.Components = []outage.ComponentState{{Name: "API|x> <https://evil.example>", Status: sources.MajorOutage}}
	ev.Notes = []string{"Likely cause: <https://evil.example|Upstream>"}
	return ev
}

// mrkdwnOf joins every text of a message that Slack reads as markup: the
// fallback texts and mrkdwn objects. Plain-text objects (headers) show
// markup as typed, so they are left out.
func mrkdwnOf(t *testing.T, m Message) string {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["type"] == "plain_text" {
				return
			}
			for k, e := range x {
				if s, ok := e.(string); ok && (k == "text" || k == "fallback") {
					out = append(out, s)
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(doc)
	return strings.Join(out, "\n")
}

func TestVendorStringsAreEscaped(t *testing.T) {
	templated, err := tmpl.New("en", "{{.Title}}", "{{.Body}} {{.URL}}")
	if err != nil {
		t.Fatal(err)
	}
	r := renderer{p: en, t: templated}
	const page = "https://status.example.com/incidents/1?a=1&b=2"
	msgs := map[string]Message{
		"root":            RenderRoot(en, hostile(outage.Opened, page)),
		"reply":           RenderReply(en, hostile(outage.Updated, page)),
		"joined reply":    RenderReply(en, hostile(outage.Opened, page)),
		"group":           RenderGroup(en, []outage.Event{hostile(outage.Opened, page), event(outage.Opened, outage.Incident, 0)}),
		"named reply":     namedReply(hostile(outage.Updated, page), RenderReply(en, hostile(outage.Updated, page))),
		"templated root":  r.root(hostile(outage.Opened, page)),
		"templated reply": r.reply(hostile(outage.Updated, page)),
	}
	for name, m := range msgs {
		t.Run(name, func(t *testing.T) {
			s := mrkdwnOf(t, m)
			for _, bad := range []string{"<!channel>", "<!here>", "<!everyone>", "<@U024BE7LH>", "<https://evil", "x> "} {
				if strings.Contains(s, bad) {
					t.Errorf("%q survives: %s", bad, s)
				}
			}
			// The only markup left is the status page link, with its &
			// escaped as Slack asks.
			if n := strings.Count(s, "<"); n > 0 && (n != 1 || !strings.Contains(s, "<https://status.example.com/incidents/1?a=1&amp;b=2|Status page>")) {
				t.Errorf("unexpected markup: %s", s)
			}
		})
	}
}

func TestStatusPageLink(t *testing.T) {
	tests := []struct{ url, want string }{
		{"https://status.example.com/incidents/1", "<https://status.example.com/incidents/1|Status page>"},
		{"https://status.example.com/i?a=1&b=2", "<https://status.example.com/i?a=1&amp;b=2|Status page>"},
		{"javascript:alert(document.cookie)", ""},
		{"data:text/html,hi", ""},
		{"https://status.example.com/x|Click here", ""},
		{"https://status.example.com/x>", ""},
		{"", ""},
	}
	for _, tt := range tests {
		ev := event(outage.Opened, outage.Incident, 0)
		ev.URL = tt.url
		got := rootContext(en, ev)
		if link, _, _ := strings.Cut(got, " · "); strings.HasPrefix(got, "<") != (tt.want != "") || (tt.want != "" && link != tt.want) {
			t.Errorf("rootContext with URL %q = %q, want the link %q", tt.url, got, tt.want)
		}
	}
	if got := link("https://x.example/a", "a|b <c> & d"); got != "<https://x.example/a|a\u2223b &lt;c&gt; &amp; d>" {
		t.Errorf("link text = %q", got)
	}
}
