package console

import (
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestLinesGolden(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 14, 2, 11, 0, time.UTC)
	o := outage.Outage{ID: "o1", Target: "OpenAI", Class: outage.Incident, Title: "Elevated error rates on Chat Completions",
		Severity: sources.Degraded, Phase: sources.IncidentInvestigating, URL: "https://stspg.io/abc123", OpenedAt: t0,
		Components: []outage.ComponentState{{Name: "Chat Completions", Status: sources.Degraded}}}
	var evs []outage.Event
	evs = append(evs, o.Event(outage.Opened, t0.Add(time.Minute), "We are investigating elevated error rates.\n\nMore soon."))
	o.Severity, o.Phase = sources.PartialOutage, sources.IncidentIdentified
	o.Components[0].Status = sources.PartialOutage
	evs = append(evs, o.Event(outage.Updated, t0.Add(19*time.Minute), "We have identified the cause."))
	o.ResolvedAt, o.Phase = t0.Add(71*time.Minute+54*time.Second), sources.IncidentResolved
	evs = append(evs, o.Event(outage.Resolved, o.ResolvedAt, "This incident has been resolved."))

	m := outage.Outage{ID: "m1", Target: "GitHub", Class: outage.MaintenanceWork, Title: "Database maintenance", Severity: sources.Maintenance, OpenedAt: t0}
	evs = append(evs, m.Event(outage.Opened, t0, "Maintenance has begun."))
	m.ResolvedAt = t0.Add(30 * time.Minute)
	evs = append(evs, m.Event(outage.Resolved, m.ResolvedAt, "Maintenance is complete."))

	u := outage.Outage{ID: "u1", Target: "Slack", Class: outage.Unreachable, Title: "Slack: no status data", Severity: sources.Unknown, OpenedAt: t0}
	evs = append(evs, u.Event(outage.Opened, t0, "Could not read the status feed 3 times in a row: HTTP 503."))
	u.ResolvedAt = t0.Add(5 * time.Minute)
	evs = append(evs, u.Event(outage.Resolved, u.ResolvedAt, "Status data is available again."))

	p := outage.Outage{ID: "p1", Target: "Checkout API", Class: outage.Incident, Title: "Checkout API is down", Severity: sources.MajorOutage, OpenedAt: t0}
	evs = append(evs, p.Event(outage.Opened, t0.Add(time.Minute), "HTTP 503, expected 2xx/3xx (3 failed checks in a row)"))

	inEveryLanguage(t, func(t *testing.T, lang string) {
		got := render(t, evs, WithLang(lang))
		golden(t, goldenName(lang, "lines"), got)
		if strings.Count(got, "\n") != len(evs) {
			t.Error("not one line per event")
		}
	})
}

// goldenName is a golden file's name in lang: the English one as it always
// was, another language's with its code (lines.de.golden).
func goldenName(lang, base string) string {
	if lang == i18n.Default {
		return base + ".golden"
	}
	return base + "." + lang + ".golden"
}

// inEveryLanguage runs f once per catalog language.
func inEveryLanguage(t *testing.T, f func(t *testing.T, lang string)) {
	for _, lang := range i18n.Languages {
		t.Run(lang, func(t *testing.T) { f(t, lang) })
	}
}

// Every kind of line, in every language: acknowledgements, maintenance
// announced, begun, going on and over, an update, and words the bot wrote
// into the event (its title, body and notes), which follow the language
// while a vendor's stay as written.
func TestEveryKindGolden(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 14, 2, 11, 0, time.UTC)
	m := outage.Outage{ID: "m1", Target: "GitHub", Class: outage.MaintenanceWork, Title: "Database maintenance", Severity: sources.Maintenance,
		Phase: sources.MaintenanceScheduled, OpenedAt: t0}
	scheduled := m.Event(outage.Opened, t0, "Maintenance is scheduled for tonight.")
	m.Phase = sources.MaintenanceInProgress
	going := m.Event(outage.Updated, t0.Add(45*time.Minute), "Work is under way.")
	o := outage.Outage{ID: "o1", Target: "OpenAI", Class: outage.Incident, Title: "Elevated errors", Severity: sources.MajorOutage, OpenedAt: t0,
		Components: []outage.ComponentState{{Name: "Chat", Status: sources.MajorOutage}, {Name: "Files", Status: sources.Degraded}}}
	updated := o.Event(outage.Updated, t0.Add(23*time.Hour+59*time.Minute), "Still working on it.")
	acked := o.Event(outage.Acknowledged, t0.Add(5*time.Minute), "")
	acked.Ack = &outage.Ack{UserID: "U1", Name: "alice", Platform: "slack", At: acked.At}
	nobody := o.Event(outage.Acknowledged, t0.Add(6*time.Minute), "")
	p := outage.Outage{ID: "p1", Target: "Checkout API", Class: outage.Incident, Severity: sources.MajorOutage, OpenedAt: t0}
	probe := p.Event(outage.Opened, t0, "Restored after 5m")
	title, body := outage.Say("chat.headline.data_unavailable"), outage.Say("chat.restored", outage.Dur("Duration", 5*time.Minute))
	probe.TitleSaid, probe.Said = &title, &body
	probe.Notes = []string{"Back online after 45s"}
	probe.NotesSaid = []outage.Text{outage.Say("chat.restored.self", outage.Dur("Duration", 45*time.Second))}
	evs := []outage.Event{scheduled, going, updated, acked, nobody, probe}
	inEveryLanguage(t, func(t *testing.T, lang string) {
		golden(t, goldenName(lang, "kinds"), render(t, evs, WithLang(lang), WithTargets(terminalTargets)))
	})
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestWriteErrorIsReturned(t *testing.T) {
	_, err := New(failingWriter{}).Deliver(context.Background(), notifier.Delivery{Event: outage.Event{Kind: outage.Opened}})
	if err == nil || !strings.Contains(err.Error(), "broken pipe") {
		t.Fatalf("err = %v", err)
	}
}
