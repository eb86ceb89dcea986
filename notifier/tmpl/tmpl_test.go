package tmpl

import (
	"flag"
	"strings"
	"testing"
	"time"

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
	for _, loc := range Locales {
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

func TestDurations(t *testing.T) {
	for d, want := range map[time.Duration]string{45 * time.Second: "45 Sek.", 72 * time.Minute: "1 Std. 12 Min.", 26 * time.Hour: "1 T. 2 Std.", 0: "0 Sek."} {
		if got := locales["de"].duration(d); got != want {
			t.Errorf("duration(%s) = %q, want %q", d, got, want)
		}
	}
	if got := locales["de"].date(time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), time.UTC); got != "29. März 01:30 UTC" {
		t.Errorf("date = %q", got)
	}
}
