package bot

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/uptime"
)

func (f *runnerFixture) gaps(t *testing.T, name string) []uptime.Gap {
	t.Helper()
	g, err := f.st.Gaps(context.Background(), name, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return g[name]
}

// Polls extend a target's span in memory; writing it is one span per
// target however often it is written; a break in the polls longer than
// the grace is a gap, written as such.
func TestCoverageFollowsPolls(t *testing.T) {
	f := newRunnerFixture(t, "A", "B")
	ctx := context.Background()
	if err := f.r.FlushCoverage(ctx); err != nil {
		t.Fatalf("nothing to write: %v", err)
	}
	for range 5 {
		f.poll(t, "A", sources.Operational)
		if err := f.r.FlushCoverage(ctx); err != nil {
			t.Fatal(err)
		}
	}
	stalled := f.now
	// The grace is three polls or three writes, whichever is longer.
	if g := f.r.coverGrace(f.r.tab.Load().targets["A"]); g != 3*time.Minute {
		t.Errorf("grace %v, want 3m", g)
	}
	f.now = f.now.Add(10 * time.Minute) // no poll for 11 minutes
	f.poll(t, "A", sources.Operational)
	resumed := f.now
	f.poll(t, "A", sources.Operational)
	if err := f.r.FlushCoverage(ctx); err != nil {
		t.Fatal(err)
	}
	want := []uptime.Gap{{From: stalled, To: resumed}}
	if g := f.gaps(t, "A"); !reflect.DeepEqual(g, want) {
		t.Errorf("gaps %v, want %v", g, want)
	}
	if g := f.gaps(t, "B"); len(g) != 0 {
		t.Errorf("B, never polled: gaps %v", g)
	}
	ts := f.r.tab.Load().states["A"]
	if n := len(ts.cover.spans); n != 1 || !ts.cover.written.Equal(f.now) {
		t.Errorf("after writing: %d spans in memory, written to %v; want the growing one, to %v", n, ts.cover.written, f.now)
	}
}

// Cover writes once more when its context ends: a clean stop leaves no
// observed time unwritten.
func TestCoverWritesOnStop(t *testing.T) {
	f := newRunnerFixture(t, "A")
	f.r.CoverEvery = time.Hour // no tick within the test
	f.poll(t, "A", sources.Operational)
	f.poll(t, "A", sources.Operational)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.r.Cover(ctx); close(done) }()
	cancel()
	<-done
	if w := f.r.tab.Load().states["A"].cover.written; !w.Equal(f.now) {
		t.Errorf("written up to %v at the stop, want the last poll %v", w, f.now)
	}
	// The next run's first span, two hours on, continues it (the grace is
	// three writes: 3h here); nothing in between is a gap.
	f.now = f.now.Add(2 * time.Hour)
	f.poll(t, "A", sources.Operational)
	if err := f.r.FlushCoverage(context.Background()); err != nil {
		t.Fatal(err)
	}
	if g := f.gaps(t, "A"); len(g) != 0 {
		t.Errorf("gaps %v after a clean stop", g)
	}
}

// A replica that lost the lead drops what it observed: the new leader
// writes its own.
func TestCoverageDroppedWithTheLead(t *testing.T) {
	f := newRunnerFixture(t, "A")
	f.poll(t, "A", sources.Operational)
	f.st.SetFence("gone", 0)
	if err := f.r.FlushCoverage(context.Background()); !errors.Is(err, store.ErrNotLeader) {
		t.Fatalf("fenced write: %v, want ErrNotLeader", err)
	}
	if n := len(f.r.tab.Load().states["A"].cover.spans); n != 0 {
		t.Errorf("%d spans kept after losing the lead", n)
	}
}
