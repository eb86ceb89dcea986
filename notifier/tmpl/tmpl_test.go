package tmpl

import (
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var t0 = time.Date(2026, 3, 2, 9, 5, 0, 0, time.UTC)

// lifecycle is one outage opened, updated and resolved 1h 12m later.
func lifecycle() []outage.Event {
	o := outage.Outage{ID: "o-1", Target: "GitHub", Class: outage.Incident, Title: "Actions delayed", Severity: sources.PartialOutage, OpenedAt: t0}
	opened := o.Event(outage.Opened, t0, "We are investigating.")
	opened.Phase, opened.URL = sources.IncidentInvestigating, "https://www.githubstatus.com/incidents/x"
	o.Severity = sources.MajorOutage
	updated := o.Event(outage.Updated, t0.Add(20*time.Minute), "A fix is being rolled out.")
	updated.Phase = sources.IncidentIdentified
	o.ResolvedAt, o.Severity = t0.Add(72*time.Minute), sources.Operational
	resolved := o.Event(outage.Resolved, o.ResolvedAt, "")
	bare := outage.Outage{ID: "o-2", Target: "Checkout API", Class: outage.Incident, Severity: sources.MajorOutage, OpenedAt: t0.Add(-26 * time.Hour)}
	return []outage.Event{opened, updated, resolved, bare.Event(outage.Updated, t0, "HTTP 503")}
}

func TestDefaultsPerLocale(t *testing.T) {
	for _, loc := range i18n.Languages {
		t.Run(loc, func(t *testing.T) {
			r, err := New(loc, "", "")
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, ev := range lifecycle() {
				title, body := r.Render(ev)
				b.WriteString("# " + string(ev.Kind) + "\n" + title + "\n" + body + "\n\n")
			}
			golden.Text(t, "defaults-"+loc, b.String(), *update)
		})
	}
}

func TestCustomTemplates(t *testing.T) {
	r, err := New("de", `{{.Target}} ({{.Severity}})`, `{{.Status}}{{range .Components}}; {{.Name}}: {{.Status}}{{end}} — {{.Duration}}`)
	if err != nil {
		t.Fatal(err)
	}
	ev := lifecycle()[1]
	ev.Components = []outage.ComponentState{{Name: "Actions", Status: sources.MajorOutage}, {Name: "Pages", Status: sources.Degraded}}
	title, body := r.Render(ev)
	if title != "GitHub (major_outage)" || body != "Schwerer Ausfall; Actions: Schwerer Ausfall; Pages: Eingeschränkte Leistung — 20 Min." {
		t.Errorf("got %q / %q", title, body)
	}
}

func TestBadTemplates(t *testing.T) {
	for _, tt := range []struct{ loc, title, body, want string }{
		{"fr", "", "", `unknown locale "fr" (known: en, de)`},
		{"en", "{{.Target", "", "title: template: title:1: unclosed action"},
		{"en", "", "{{.Nope}}", "body: template: body:1:2: executing \"body\" at <.Nope>: can't evaluate field Nope in type tmpl.Fields (fields: Kind, Resolved"},
	} {
		_, err := New(tt.loc, tt.title, tt.body)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("New(%q, %q, %q) = %v, want %s…", tt.loc, tt.title, tt.body, err, tt.want)
		}
	}
}

// Fields are in the channel's language: dates, durations, statuses,
// phases, what an untitled outage is about, and the words the bot wrote
// into the event; the vendor's words stay as written.
func TestFieldsInGerman(t *testing.T) {
	r, err := New("de", "", "")
	if err != nil {
		t.Fatal(err)
	}
	o := outage.Outage{ID: "o", Target: "Checkout API", Class: outage.Unreachable, Severity: sources.Unknown,
		OpenedAt: time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)}
	ev := o.Event(outage.Updated, o.OpenedAt.Add(26*time.Hour), "Status data back after 5m")
	said := outage.Say("chat.restored.data", outage.Dur("Duration", 5*time.Minute))
	ev.Said, ev.Phase = &said, sources.MaintenanceInProgress
	ev.Notes = []string{"Back online after 45s"}
	ev.NotesSaid = []outage.Text{outage.Say("chat.restored.self", outage.Dur("Duration", 45*time.Second))}
	f := r.Fields(ev)
	got := []string{f.Title, f.Body, f.Status, f.Phase, f.OpenedAt, f.Duration, strings.Join(f.Notes, "|"), f.Locale}
	want := []string{"keine Statusdaten", "Statusdaten nach 5 Min. wieder da", "Status unbekannt", "Läuft", "29. März 01:30 UTC", "1 T. 2 Std.", "Wieder online nach 45 Sek.", "de"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("fields:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	ev.Said, ev.Body = nil, "Vendor words."
	if f := r.Fields(ev); f.Body != "Vendor words." {
		t.Errorf("vendor body %q", f.Body)
	}
}

// A channel's own template may write catalog messages too.
func TestTemplatesMayUseTheCatalog(t *testing.T) {
	for lang, want := range map[string]string{"en": "since Mar 2 09:05 UTC", "de": "seit 2. März 09:05 UTC"} {
		r, err := New(lang, "", `{{t "tmpl.since" .}}`)
		if err != nil {
			t.Fatal(err)
		}
		if _, body := r.Render(lifecycle()[1]); body != want {
			t.Errorf("%s: %q, want %q", lang, body, want)
		}
	}
}
