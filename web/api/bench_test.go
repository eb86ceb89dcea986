package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/internal/webtest"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/statusview"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/web/api"
)

// benchWorld is 1,000 targets with 90 days of history: each target has
// an outage every three days (30 in all, 20 minutes to 5 hours long), one
// target in twenty has one open now. It is stored in a real SQLite file
// through store.Commit, as the bot writes it.
func benchWorld(b *testing.B, targets int) (*store.Store, *webtest.Live, []statusview.Shown, time.Time) {
	b.Helper()
	now := time.Date(2026, 11, 24, 6, 0, 0, 0, time.UTC)
	s, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	live := &webtest.Live{}
	var shown []statusview.Shown
	start := now.Add(-90 * 24 * time.Hour)
	for i := range targets {
		name := fmt.Sprintf("target-%04d", i)
		shown = append(shown, statusview.Shown{Name: name, Group: fmt.Sprintf("group-%02d", i%20), Type: "http"})
		if _, err := s.Commit(context.Background(), store.Commit{Target: name, State: []byte(`{}`), At: start}); err != nil {
			b.Fatal(err)
		}
		var outs []outage.Outage
		for k := range 30 {
			o := outage.Outage{ID: fmt.Sprintf("%s-%02d", name, k), Target: name, Key: fmt.Sprint(k), Class: outage.Incident, Title: "HTTP 503",
				Severity: sources.MajorOutage, OpenedAt: start.Add(time.Duration(k)*72*time.Hour + time.Duration(i%24)*time.Hour)}
			o.ResolvedAt = o.OpenedAt.Add(time.Duration(20+(i*7+k*13)%280) * time.Minute)
			outs = append(outs, o)
		}
		status := sources.Operational
		if i%20 == 0 {
			o := outage.Outage{ID: name + "-open", Target: name, Key: "open", Class: outage.Incident, Title: "down", Severity: sources.MajorOutage, OpenedAt: now.Add(-time.Duration(i%90) * time.Minute)}
			outs = append(outs, o)
			live.Open = append(live.Open, o)
			status = sources.MajorOutage
		}
		if _, err := s.Commit(context.Background(), store.Commit{Target: name, State: []byte(`{}`), Outages: outs, At: now}); err != nil {
			b.Fatal(err)
		}
		live.Snaps = append(live.Snaps, bot.Snapshot{Name: name, Status: status, Reachable: true, CheckedAt: now, Latency: 40 * time.Millisecond})
	}
	return s, live, shown, now
}

func benchTargets(b *testing.B, mode string) {
	s, live, shown, now := benchWorld(b, 1000)
	view := &statusview.Builder{Title: "bench", Shown: shown, Live: live, History: s, Now: func() time.Time { return now }}
	a := &api.API{View: view, Store: s, Now: func() time.Time { return now }}
	srv := httptest.NewServer(a.Handler(nil))
	defer srv.Close()
	client := srv.Client()
	get := func() int {
		resp, err := client.Get(srv.URL + "/api/v1/targets")
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
		return int(n)
	}
	size := get()
	changes := 0
	durations := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		switch mode {
		case "first":
			// A new view (a start, a new UTC day) reads the whole rollup.
			b.StopTimer()
			view = &statusview.Builder{Title: "bench", Shown: shown, Live: live, History: s, Now: func() time.Time { return now }}
			a.View = view
			b.StartTimer()
		case "changed":
			// An outage of one target changed since the last view: the
			// view reads that target's rollup again.
			b.StopTimer()
			changes++
			o := outage.Outage{ID: fmt.Sprintf("change-%d", changes), Target: shown[changes%len(shown)].Name, Key: "c", Class: outage.Incident,
				Title: "blip", Severity: sources.Degraded, OpenedAt: now.Add(-time.Hour), ResolvedAt: now.Add(-50 * time.Minute)}
			if _, err := s.Commit(context.Background(), store.Commit{Target: o.Target, State: []byte(`{}`), Outages: []outage.Outage{o}, At: now}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		t0 := time.Now()
		get()
		durations = append(durations, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(durations)
	p99 := durations[min(len(durations)-1, len(durations)*99/100)]
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(size), "body-bytes")
}

// BenchmarkTargets is GET /api/v1/targets over loopback with 1,000
// targets and 90 days of history, between history changes (the status
// view reads only the history generation from the store).
func BenchmarkTargets(b *testing.B) { benchTargets(b, "steady") }

// BenchmarkTargetsAfterChange is the same when one target's outage
// changed before each request: the view reads that target again.
func BenchmarkTargetsAfterChange(b *testing.B) { benchTargets(b, "changed") }

// BenchmarkTargetsFirstView is the first view after a start or at a new
// UTC day: the view reads the rollup of all 1,000 targets.
func BenchmarkTargetsFirstView(b *testing.B) { benchTargets(b, "first") }
