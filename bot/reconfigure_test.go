package bot

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/sources"
)

// target makes a probe target like the fixture's, with its own source.
func (f *runnerFixture) target(name string, interval time.Duration) *Target {
	if f.src[name] == nil {
		f.src[name] = &scriptedSource{obs: probeObs(sources.Operational, "")}
	}
	return &Target{Job: Job{Name: name, Interval: interval}, Type: "http", Timeout: time.Second,
		Source: f.src[name], Policy: Policy{Probe: true, FailureThreshold: 1, SuccessThreshold: 1}, Dests: []string{"ops/slack"}}
}

func (f *runnerFixture) names() []string {
	var out []string
	for _, s := range f.r.Snapshots() {
		out = append(out, s.Name)
	}
	return out
}

// A kept target keeps its open outage under new settings; a removed one
// is not polled and keeps its outage in the store; configured again, it
// resumes from there, so its ongoing outage is not announced twice and
// its end is.
func TestReconfigureKeepsStateAndResumesRemovedTargets(t *testing.T) {
	ctx := context.Background()
	f := newRunnerFixture(t, "A", "B")
	f.poll(t, "A", sources.MajorOutage)
	f.poll(t, "B", sources.MajorOutage)
	if got := f.queued(t); len(got) != 2 {
		t.Fatalf("queued before: %v", got)
	}
	oldJobs := f.r.Jobs()

	if err := f.r.Reconfigure(ctx, f.st, []*Target{f.target("A", 5*time.Minute), f.target("C", time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if got := f.names(); !slices.Equal(got, []string{"A", "C"}) {
		t.Errorf("targets after: %v", got)
	}
	if j := f.r.Jobs(); j[0].Interval != 5*time.Minute {
		t.Errorf("A's interval: %s", j[0].Interval)
	}
	if n := len(f.r.OpenOutages()); n != 1 {
		t.Errorf("%d open outages, want A's", n)
	}
	// The old scheduler's jobs, still in its hands, poll nothing now.
	for _, j := range oldJobs {
		f.r.Poll(ctx, j)
	}
	f.poll(t, "A", sources.MajorOutage)
	if got := f.queued(t); len(got) != 0 {
		t.Errorf("queued after the reconfiguration: %v, want nothing (A goes on, B is gone)", got)
	}

	// B returns, still down: nothing new; then it recovers: its restoration.
	if err := f.r.Reconfigure(ctx, f.st, []*Target{f.target("A", time.Minute), f.target("B", time.Minute)}); err != nil {
		t.Fatal(err)
	}
	f.poll(t, "B", sources.MajorOutage)
	if got := f.queued(t); len(got) != 0 {
		t.Errorf("B announced again on its return: %v", got)
	}
	f.poll(t, "B", sources.Operational)
	if got := f.queued(t); !slices.Equal(got, []string{"B:resolved"}) {
		t.Errorf("B's recovery: %v, want resolved", got)
	}
}

// Polls, queries and reconfigurations at once (run with -race).
func TestReconfigureWhilePolling(t *testing.T) {
	f := newRunnerFixture(t, "A", "B", "C")
	now := f.now
	f.r.Now = func() time.Time { return now }
	sets := [][]*Target{
		{f.target("A", time.Minute), f.target("B", time.Minute), f.target("C", time.Minute)},
		{f.target("A", 2*time.Minute), f.target("D", time.Minute)},
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				for _, j := range f.r.Jobs() {
					if j.busy.CompareAndSwap(false, true) {
						f.r.Poll(ctx, j)
						j.busy.Store(false)
					}
				}
				_ = f.r.Snapshots()
				_ = f.r.OpenOutages()
			}
		})
	}
	for i := range 50 {
		// With polls running, a removed target's step may join its queue
		// just as it is removed: Reconfigure refuses then ("try again"),
		// which the app avoids by stopping the scheduler first.
		if err := f.r.Reconfigure(context.Background(), f.st, sets[i%2]); err != nil && !strings.Contains(err.Error(), "try again") {
			t.Error(err)
		}
	}
	cancel()
	wg.Wait()
	if err := f.r.Reconfigure(context.Background(), f.st, sets[1]); err != nil {
		t.Fatal(err)
	}
	if got := f.names(); !slices.Equal(got, []string{"A", "D"}) {
		t.Errorf("targets at the end: %v", got)
	}
}
