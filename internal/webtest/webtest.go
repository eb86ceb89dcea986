// Package webtest builds a small, fixed world for tests of the status
// page, the API and the badges: a real SQLite store holding a few days of
// outages, a live view like the runner's, and the status view builder over
// both, at a fixed clock.
package webtest

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/statusview"
	"github.com/outagebot/outagebot/store"
)

// Now is the fixture's clock: day 4 of its story, 06:00 UTC.
var Now = Day0.Add(4*24*time.Hour + 6*time.Hour)

// Day0 is midnight UTC of the story's first day.
var Day0 = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// At is day d of the story at h:m UTC.
func At(d, h, m int) time.Time {
	return Day0.Add(time.Duration(d)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

// Live is a settable stand-in for the runner's view.
type Live struct {
	Snaps []bot.Snapshot
	Open  []outage.Outage
}

// Snapshots returns the snapshots as set.
func (l *Live) Snapshots() []bot.Snapshot { return l.Snaps }

// OpenOutages returns the open outages as set, oldest first.
func (l *Live) OpenOutages() []outage.Outage { return l.Open }

// World is the fixture.
type World struct {
	Store   *store.Store
	Live    *Live
	Builder *statusview.Builder
	seqs    map[string]int
}

// Commit stores outages as the engine would, each with an event carrying
// body.
func (w *World) Commit(t testing.TB, target string, at time.Time, body string, outs ...outage.Outage) {
	t.Helper()
	var evs []outage.Event
	for i := range outs {
		outs[i].Seq = w.seqs[outs[i].ID]
		kind := outage.Updated
		switch {
		case outs[i].Seq == 0:
			kind = outage.Opened
		case !outs[i].ResolvedAt.IsZero():
			kind = outage.Resolved
		}
		evs = append(evs, outs[i].Event(kind, at, body))
		w.seqs[outs[i].ID] = outs[i].Seq
	}
	if _, err := w.Store.Commit(context.Background(), store.Commit{Target: target, State: []byte(`{}`), Outages: outs, Events: evs, At: at}); err != nil {
		t.Fatal(err)
	}
}

// New builds the world: targets "api" (group core, an HTTP probe, down
// now), "vendor" (group vendors, a status page, in maintenance now) and
// "internal" (group core, operational, with a name a page must escape:
// `<script>`), plus extra resolved outages of vendor for paging.
func New(t testing.TB) *World {
	t.Helper()
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	w := &World{Store: s, Live: &Live{}, seqs: map[string]int{}}

	w.Commit(t, "api", At(0, 0, 0), "")
	w.Commit(t, "vendor", At(0, 0, 0), "")
	w.Commit(t, "<script>", At(0, 0, 0), "")
	a1 := outage.Outage{ID: "a1", Target: "api", Key: "probe", Class: outage.Incident, Title: "api is failing", Severity: sources.MajorOutage, OpenedAt: At(0, 23, 0)}
	w.Commit(t, "api", a1.OpenedAt, "connection refused", a1)
	a1.ResolvedAt = At(1, 1, 0)
	w.Commit(t, "api", a1.ResolvedAt, "answering again", a1)
	for i := range 6 {
		v := outage.Outage{ID: fmt.Sprintf("v%d", i), Target: "vendor", Key: fmt.Sprint("inc", i), Class: outage.Incident, Title: fmt.Sprintf("Elevated errors #%d", i),
			Severity: sources.Degraded, Phase: sources.IncidentInvestigating, URL: "https://status.vendor.example/incidents/" + fmt.Sprint(i), OpenedAt: At(1, 2*i, 0),
			Components: []outage.ComponentState{{Name: "API", Status: sources.Degraded}}}
		w.Commit(t, "vendor", v.OpenedAt, "We are investigating elevated errors.", v)
		v.ResolvedAt, v.Phase = v.OpenedAt.Add(30*time.Minute), sources.IncidentResolved
		w.Commit(t, "vendor", v.ResolvedAt, "This incident has been resolved.", v)
	}
	a2 := outage.Outage{ID: "a2", Target: "api", Key: "probe", Class: outage.Incident, Title: "api is failing", Severity: sources.MajorOutage, OpenedAt: At(3, 22, 0)}
	w.Commit(t, "api", a2.OpenedAt, "HTTP 503 from https://api.example.com/healthz", a2)
	m1 := outage.Outage{ID: "m1", Target: "vendor", Key: "maint", Class: outage.MaintenanceWork, Title: "Database upgrade", Severity: sources.Maintenance, OpenedAt: At(4, 2, 0)}
	w.Commit(t, "vendor", m1.OpenedAt, "Scheduled maintenance is in progress.", m1)

	w.Live.Snaps = []bot.Snapshot{
		{Name: "api", Status: sources.MajorOutage, Reachable: true, CheckedAt: Now, Latency: 120 * time.Millisecond, Error: "HTTP 503",
			Components: []bot.ComponentSnapshot{{Name: "api", Status: sources.MajorOutage}}},
		{Name: "vendor", Status: sources.Maintenance, Reachable: true, CheckedAt: Now,
			Components:   []bot.ComponentSnapshot{{Name: "API", Status: sources.Operational}, {Name: "Database", Status: sources.Maintenance}},
			Maintenances: []bot.MaintenanceSnapshot{{Title: "Database upgrade", Status: sources.MaintenanceInProgress, Start: At(4, 2, 0), End: At(4, 8, 0)}}},
		{Name: "<script>", Status: sources.Operational, Reachable: true, CheckedAt: Now},
	}
	w.Live.Open = []outage.Outage{a2, m1}
	w.Builder = &statusview.Builder{Title: "ACME status", Live: w.Live, History: s, Now: func() time.Time { return Now },
		Shown: []statusview.Shown{{Name: "api", Group: "core", Type: "http"}, {Name: "vendor", Group: "vendors", Type: "statuspage"}, {Name: "<script>", Group: "core", Type: "tcp"}}}
	return w
}
