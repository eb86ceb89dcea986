package console

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

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

	var b bytes.Buffer
	n := New(&b)
	for i, ev := range evs {
		if _, err := n.Deliver(context.Background(), notifier.Delivery{OutboxID: int64(i + 1), Event: ev}); err != nil {
			t.Fatal(err)
		}
	}
	if *update {
		if err := os.WriteFile("testdata/lines.golden", b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/lines.golden")
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("console output differs from testdata/lines.golden (-update to accept):\n%s", b.String())
	}
	if strings.Count(b.String(), "\n") != len(evs) {
		t.Error("not one line per event")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestWriteErrorIsReturned(t *testing.T) {
	_, err := New(failingWriter{}).Deliver(context.Background(), notifier.Delivery{Event: outage.Event{Kind: outage.Opened}})
	if err == nil || !strings.Contains(err.Error(), "broken pipe") {
		t.Fatalf("err = %v", err)
	}
}
