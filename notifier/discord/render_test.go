package discord

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

var t0 = time.Date(2026, 3, 2, 14, 3, 0, 0, time.UTC)

// sample returns an event of each kind and class with fixed times: opened at
// t0+0, updated 40 minutes in, resolved after 1h 12m.
func sample(kind outage.Kind, class outage.Class) outage.Event {
	ev := outage.Event{
		OutageID: "o-1", Kind: kind, Class: class, OpenedAt: t0,
	}
	switch class {
	case outage.Incident:
		ev.Target = "OpenAI"
		ev.Title = "Elevated error rates on the API"
		ev.URL = "https://status.openai.com/incidents/01JABCDEF"
		ev.Severity = sources.MajorOutage
		ev.Phase = sources.IncidentInvestigating
		ev.Components = []outage.ComponentState{{Name: "API", Status: sources.MajorOutage}, {Name: "ChatGPT", Status: sources.Degraded}}
		ev.Body = "We are investigating elevated error rates on the API. @everyone"
	case outage.MaintenanceWork:
		ev.Target = "GitHub"
		ev.Title = "Scheduled database maintenance"
		ev.URL = "https://www.githubstatus.com/incidents/xyz"
		ev.Severity = sources.Maintenance
		ev.Phase = sources.MaintenanceInProgress
		ev.Components = []outage.ComponentState{{Name: "Actions", Status: sources.Maintenance}}
		ev.Body = "Scheduled maintenance is in progress."
	case outage.Unreachable:
		ev.Target = "Acme"
		ev.Title = "Acme: no status data"
		ev.Severity = sources.Unknown
		ev.Body = "GET https://status.acme.test/api/v2/summary.json: context deadline exceeded"
	}
	switch kind {
	case outage.Opened:
		ev.Seq, ev.At = 1, t0.Add(12*time.Minute)
	case outage.Updated:
		ev.Seq, ev.At = 2, t0.Add(40*time.Minute)
		switch class {
		case outage.Incident:
			ev.Severity, ev.Phase = sources.PartialOutage, sources.IncidentIdentified
			ev.Components[0].Status = sources.PartialOutage
			ev.Body = "We have identified the cause and are rolling out a fix."
		case outage.MaintenanceWork:
			ev.Phase = sources.MaintenanceVerifying
			ev.Body = "Maintenance is being verified."
		case outage.Unreachable:
			ev.Body = ""
		}
	case outage.Resolved:
		ev.Seq, ev.At = 3, t0.Add(72*time.Minute)
		ev.ResolvedAt = ev.At
		ev.Severity = sources.Operational
		for i := range ev.Components {
			ev.Components[i].Status = sources.Operational
		}
		switch class {
		case outage.Incident:
			ev.Phase = sources.IncidentResolved
			ev.Body = "This incident has been resolved."
		case outage.MaintenanceWork:
			ev.Phase = sources.MaintenanceCompleted
			ev.Body = "The scheduled maintenance has been completed."
		case outage.Unreachable:
			ev.Body = ""
		}
	}
	return ev
}

// langs are the languages every golden is written in: English in
// testdata/<case>.golden, the others in testdata/<case>.<lang>.golden.
var langs = i18n.Languages

// goldenName is a case's golden file name in lang.
func goldenName(name, lang string) string {
	if lang == i18n.Default {
		return name
	}
	return name + "." + lang
}

var en = i18n.For(i18n.Default)

// TestRenderGolden pins what each event looks like on Discord, in every
// language. Each golden file holds the standalone message (the root, which
// RenderRoot's edits replace) and, for updates and restorations, the reply.
func TestRenderGolden(t *testing.T) {
	for _, lang := range langs {
		p := i18n.For(lang)
		for _, kind := range []outage.Kind{outage.Opened, outage.Updated, outage.Resolved} {
			for _, class := range []outage.Class{outage.Incident, outage.MaintenanceWork, outage.Unreachable} {
				name := string(kind) + "-" + string(class)
				t.Run(goldenName(name, lang), func(t *testing.T) {
					ev := sample(kind, class)
					out := map[string]any{"post": RenderPost(p, ev)}
					if kind != outage.Opened {
						out["reply"] = RenderReply(p, ev)
					}
					if got, want := RenderRoot(p, ev), RenderPost(p, ev).Embeds[0]; !jsonEqual(t, got, want) {
						t.Errorf("RenderRoot differs from the posted root embed")
					}
					checkRenderGolden(t, goldenName(name, lang), out)
				})
			}
		}
	}
}

// checkRenderGolden compares out, as JSON with Discord's timestamp markup
// readable, with testdata/name.golden (go test -update rewrites it).
func checkRenderGolden(t *testing.T, name string, out any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep <t:...:t> readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update after checking the change):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// The bot's notices about itself (offline, back online), an event whose
// vendor says nothing new, and a root whose components do not all fit, in
// every language.
func TestRenderMoreGolden(t *testing.T) {
	offline := outage.Event{OutageID: "o-self", Kind: outage.Opened, Class: outage.Incident, Target: outage.SelfTarget,
		Title: "Cannot reach the internet", Severity: sources.Unknown, OpenedAt: t0, At: t0.Add(5 * time.Minute), Seq: 1}
	online := offline
	online.Kind, online.Seq, online.At, online.ResolvedAt = outage.Resolved, 2, t0.Add(20*time.Minute), t0.Add(20*time.Minute)
	quiet := sample(outage.Updated, outage.Incident)
	quiet.Body = ""
	planned := sample(outage.Updated, outage.MaintenanceWork)
	planned.Body, planned.Phase = "", sources.MaintenanceScheduled
	degraded := sample(outage.Updated, outage.Incident)
	degraded.Body, degraded.Severity, degraded.Phase = "", sources.Degraded, ""
	many := sample(outage.Opened, outage.Incident)
	many.Components = nil
	for i := range 120 {
		many.Components = append(many.Components, outage.ComponentState{Name: fmt.Sprintf("Region %03d API", i+1), Status: sources.PartialOutage})
	}
	for _, lang := range langs {
		p := i18n.For(lang)
		for _, c := range []struct {
			name string
			out  map[string]any
		}{
			{"self-offline", map[string]any{"post": RenderPost(p, offline)}},
			{"self-back-online", map[string]any{"post": RenderPost(p, online), "reply": RenderReply(p, online)}},
			{"updated-quiet", map[string]any{"reply": RenderReply(p, quiet)}},
			// The state's label inside "Now …" takes the catalog's
			// inline form for every kind of state.
			{"updated-quiet-inline", map[string]any{"self": RenderReply(p, offline), "planned": RenderReply(p, planned), "degraded": RenderReply(p, degraded)}},
			{"components-cut", map[string]any{"root": RenderRoot(p, many)}},
		} {
			t.Run(goldenName(c.name, lang), func(t *testing.T) { checkRenderGolden(t, goldenName(c.name, lang), c.out) })
		}
	}
}

// Linked outages: the root shows the related lines; an outage joining
// another's thread replies with what it is and how it is related.
func TestRenderLinkedGolden(t *testing.T) {
	ev := sample(outage.Opened, outage.Incident)
	ev.Target, ev.Title, ev.Thread = "Support chatbot", "Support chatbot is down", "o-vendor"
	ev.Notes = []string{"Unconfirmed: OpenAI reports no incident", "Fallback: Anthropic is operational"}
	for _, lang := range langs {
		p := i18n.For(lang)
		golden.JSON(t, goldenName("linked", lang), map[string]any{"post": RenderPost(p, ev), "reply": RenderReply(p, ev)}, false, *update)
	}
}

func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	x, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(x, y)
}

func TestRenderFacts(t *testing.T) {
	opened := RenderRoot(en, sample(outage.Opened, outage.Incident))
	if opened.Color != colourRed || opened.URL == "" || opened.Title != "Elevated error rates on the API" {
		t.Errorf("opened root: colour %#x, url %q, title %q", opened.Color, opened.URL, opened.Title)
	}
	if got := field(opened, "Duration"); got != "since <t:1772460180:t> (12m)" {
		t.Errorf("opened duration = %q", got)
	}
	if opened.Footer == nil || opened.Footer.Text != "OpenAI" || opened.Timestamp != "2026-03-02T14:15:00Z" {
		t.Errorf("opened footer/timestamp = %+v %q", opened.Footer, opened.Timestamp)
	}
	resolved := RenderRoot(en, sample(outage.Resolved, outage.Incident))
	if resolved.Color != colourGreen || field(resolved, "Status") != "Resolved, lasted 1h 12m" {
		t.Errorf("resolved root: colour %#x, status %q", resolved.Color, field(resolved, "Status"))
	}
	reply := RenderReply(en, sample(outage.Resolved, outage.Incident))
	if reply.Content != "Restored after 1h 12m" {
		t.Errorf("restoration = %q", reply.Content)
	}
	if reply.AllowedMentions == nil || reply.AllowedMentions.Parse == nil || len(reply.AllowedMentions.Parse) != 0 {
		t.Errorf("vendor text must not ping anyone: %+v", reply.AllowedMentions)
	}
	colours := map[sources.Status]int{
		sources.MajorOutage: colourRed, sources.PartialOutage: colourOrange, sources.Degraded: colourYellow,
		sources.Maintenance: colourBlue, sources.Operational: colourGreen, sources.Unknown: colourGrey,
	}
	for sev, want := range colours {
		ev := sample(outage.Updated, outage.Incident)
		ev.Severity = sev
		if got := RenderRoot(en, ev).Color; got != want {
			t.Errorf("colour for %s = %#x, want %#x", sev, got, want)
		}
	}
	long := sample(outage.Opened, outage.Incident)
	long.At = t0.Add(26 * time.Hour)
	if got := field(RenderRoot(en, long), "Duration"); got != "since <t:1772460180:f> (1d 2h)" {
		t.Errorf("long duration = %q", got)
	}
}

func field(e *discordgo.MessageEmbed, name string) string {
	for _, f := range e.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// TestRenderLimits feeds oversized multi-byte text and checks every part is
// cut by rune to Discord's limits and the total fits.
func TestRenderLimits(t *testing.T) {
	ev := sample(outage.Updated, outage.Incident)
	ev.Title = strings.Repeat("é", 300)
	ev.Body = strings.Repeat("ü🙂", 3000)
	ev.Target = strings.Repeat("t", 3000)
	ev.Components = nil
	for i := range 200 {
		ev.Components = append(ev.Components, outage.ComponentState{Name: strings.Repeat("c", 20) + string(rune('a'+i%26)), Status: sources.MajorOutage})
	}
	for _, m := range []*discordgo.MessageSend{RenderPost(en, ev), RenderReply(en, ev)} {
		for _, e := range m.Embeds {
			checkLen(t, "title", e.Title, maxEmbedTitle)
			checkLen(t, "description", e.Description, maxEmbedDescription)
			checkLen(t, "footer", e.Footer.Text, maxFooterText)
			if len(e.Fields) > maxEmbedFields {
				t.Errorf("%d fields", len(e.Fields))
			}
			for _, f := range e.Fields {
				checkLen(t, "field "+f.Name, f.Value, maxFieldValue)
				if f.Value == "" {
					t.Errorf("field %s is empty", f.Name)
				}
			}
		}
		if n := embedsSize(m.Embeds); n > maxEmbedTotal {
			t.Errorf("embeds total %d > %d", n, maxEmbedTotal)
		}
	}
	root := RenderRoot(en, ev)
	if c := field(root, "Components"); !strings.Contains(c, "more") {
		t.Errorf("components should end with how many more: %q", c[max(0, len(c)-40):])
	}
	if got := truncate("héllo wörld", 5); got != "héll…" || utf8.RuneCountInString(got) != 5 {
		t.Errorf("truncate = %q", got)
	}
	if got := truncate("short", 10); got != "short" {
		t.Errorf("truncate = %q", got)
	}
	if got := ThreadName(en, ev); utf8.RuneCountInString(got) > maxThreadName {
		t.Errorf("thread name has %d runes", utf8.RuneCountInString(got))
	}
}

func checkLen(t *testing.T, what, s string, max int) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%s is not valid UTF-8 after cutting", what)
	}
	if n := utf8.RuneCountInString(s); n > max {
		t.Errorf("%s has %d runes, limit %d", what, n, max)
	}
}

func TestSelfNoticeWording(t *testing.T) {
	ev := outage.Event{Kind: outage.Opened, Class: outage.Unreachable, Target: outage.SelfTarget, Title: "Cannot reach the internet"}
	if s := statusText(en, ev); !strings.HasPrefix(s, "Offline") {
		t.Errorf("status %q", s)
	}
	ev.Kind = outage.Resolved
	if s := notifier.Restored(en, ev); !strings.HasPrefix(s, "Back online after ") {
		t.Errorf("restored %q", s)
	}
}

// With [web] base_url the root embed links to the outage's page in a field
// (the embed's own link stays the vendor's).
func TestRootLinksToOutagePage(t *testing.T) {
	o := outage.Outage{ID: "abc", Target: "OpenAI", Class: outage.Incident, Title: "Errors", Severity: sources.Degraded, URL: "https://stspg.io/x", OpenedAt: time.Date(2026, 11, 22, 14, 2, 0, 0, time.UTC)}
	ev := o.Event(outage.Opened, o.OpenedAt, "Investigating.")
	ev.Page = "https://status.example.com/outages/abc"
	e := RenderRoot(en, ev)
	last := e.Fields[len(e.Fields)-1]
	if e.URL != "https://stspg.io/x" || last.Name != "Outage page" || last.Value != "[https://status.example.com/outages/abc](https://status.example.com/outages/abc)" {
		t.Errorf("embed url %q, last field %+v", e.URL, last)
	}
}
