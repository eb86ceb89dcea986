package notifier

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// TestWords writes every shared chat phrase in every language and compares
// with testdata/words.<lang>.golden (go test -update rewrites them).
func TestWords(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 14, 2, 0, 0, time.UTC)
	base := outage.Event{Target: "GitHub", Title: "Actions delayed", Class: outage.Incident, Severity: sources.PartialOutage,
		Phase: sources.IncidentIdentified, Kind: outage.Opened, OpenedAt: t0, At: t0.Add(72 * time.Minute)}
	with := func(f func(*outage.Event)) outage.Event { ev := base; f(&ev); return ev }
	resolved := func(ev *outage.Event) { ev.Kind = outage.Resolved; ev.ResolvedAt = ev.At }
	cases := []struct {
		name string
		ev   outage.Event
	}{
		{"incident open", base},
		{"incident resolved", with(resolved)},
		{"untitled", with(func(ev *outage.Event) { ev.Title, ev.Phase = "", "" })},
		{"major", with(func(ev *outage.Event) { ev.Severity = sources.MajorOutage; ev.Phase = sources.IncidentMonitoring })},
		{"maintenance scheduled", with(func(ev *outage.Event) {
			ev.Class, ev.Severity, ev.Phase = outage.MaintenanceWork, sources.Maintenance, sources.MaintenanceScheduled
		})},
		{"maintenance in progress", with(func(ev *outage.Event) {
			ev.Class, ev.Severity, ev.Phase = outage.MaintenanceWork, sources.Maintenance, sources.MaintenanceInProgress
		})},
		{"maintenance over", with(func(ev *outage.Event) { ev.Class = outage.MaintenanceWork; resolved(ev) })},
		{"unreadable", with(func(ev *outage.Event) { ev.Class, ev.Severity, ev.Phase = outage.Unreachable, sources.Unknown, "" })},
		{"readable again", with(func(ev *outage.Event) { ev.Class, ev.Phase = outage.Unreachable, ""; resolved(ev) })},
		{"offline", with(func(ev *outage.Event) {
			ev.Target, ev.Title, ev.Class, ev.Severity, ev.Phase = outage.SelfTarget, "Cannot reach the internet", outage.Incident, sources.Unknown, ""
		})},
		{"back online", with(func(ev *outage.Event) { ev.Target, ev.Phase = outage.SelfTarget, ""; resolved(ev) })},
	}
	for _, lang := range i18n.Languages {
		p := i18n.For(lang)
		var b strings.Builder
		for _, c := range cases {
			label, detail := StateIn(p, c.ev)
			fmt.Fprintf(&b, "## %s\nheadline: %s\nstate: %s%s\n", c.name, Headline(p, c.ev), label, detail)
			if c.ev.Kind == outage.Resolved {
				fmt.Fprintf(&b, "restored: %s\n", Restored(p, c.ev))
			} else {
				fmt.Fprintf(&b, "since: %s\n", Since(p, p.Clock(c.ev.OpenedAt), c.ev))
			}
		}
		fmt.Fprintf(&b, "## labels\n%s | %s | %s\n", StatusPageLabel(p), OutagePageLabel(p), ComponentsLabel(p))
		fmt.Fprintf(&b, "more:%s /%s\n", More(p, 1), More(p, 3))
		fmt.Fprintf(&b, "storm: %s / %s\n%s\n%s\n", StormTitle(p, 1), StormTitle(p, 7), StormNote(p, true), StormNote(p, false))
		fmt.Fprintf(&b, "ack: %s\n", AckLine(p, outage.Ack{UserID: "U1", At: t0}, "slack"))
		golden := filepath.Join("testdata", "words."+lang+".golden")
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (go test -update writes it)", err)
		}
		if b.String() != string(want) {
			t.Errorf("%s differs from %s:\n%s", lang, golden, b.String())
		}
	}
}

// State keeps the English words every existing message was written with.
func TestStateIsEnglish(t *testing.T) {
	ev := outage.Event{Target: "GitHub", Class: outage.Incident, Severity: sources.PartialOutage, Phase: sources.MaintenanceInProgress, Kind: outage.Updated}
	if l, d := StateIn(i18n.For("en"), ev); l != "Partial outage" || d != " · In progress" {
		t.Errorf("got %q %q", l, d)
	}
}
