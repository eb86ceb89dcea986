package bot

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// switchSource fails with a refused connection while down is set.
type switchSource struct{ down *atomic.Bool }

func (s switchSource) Poll(context.Context) (sources.Observation, error) {
	if s.down.Load() {
		return sources.Observation{}, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	return sources.Observation{Components: []sources.Component{{ID: "api", Name: "API", Status: sources.Operational}}}, nil
}

// Targets polled at the same time, all failing for network reasons: one
// notice and no outage of any target, whatever order the polls land in;
// then one return.
func TestRunnerNetworkDownConcurrent(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var down atomic.Bool
	down.Store(true)
	var targets []*Target
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		targets = append(targets, &Target{Job: Job{Name: n, Interval: time.Minute}, Type: "statuspage", Timeout: time.Second,
			Source: switchSource{&down}, Policy: Policy{FailureThreshold: 1, SuccessThreshold: 1, UnreachableThreshold: 2}, Dests: []string{"ops/slack"}})
	}
	r := NewRunner(&Engine{}, st, slog.New(slog.DiscardHandler), NewMetrics(prometheus.NewRegistry()), targets)
	var mu sync.Mutex
	now := t0
	r.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	r.Network = &NetworkWatch{}
	round := func() {
		var wg sync.WaitGroup
		for _, j := range r.Jobs() {
			wg.Go(func() { r.Poll(context.Background(), j) })
		}
		wg.Wait()
		mu.Lock()
		now = now.Add(time.Minute)
		mu.Unlock()
	}
	for range 4 {
		round()
	}
	down.Store(false)
	for range 2 {
		round()
	}
	f := &runnerFixture{st: st}
	f.now = now
	got := f.queued(t)
	if len(got) != 2 || got[0] != "outagebot:opened" || got[1] != "outagebot:resolved" {
		t.Errorf("queued %q, want the notice opened and resolved, nothing else", got)
	}
}

// A target whose very first poll is held back (the poll that showed the
// network down) is known to the store from that poll, like the targets
// polled before it: first-seen is when the bot first polled each target,
// and the live view says since when it could not be read.
func TestRunnerNetworkDownFirstSeen(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var down atomic.Bool
	down.Store(true)
	names := []string{"a", "b", "c"}
	var targets []*Target
	for _, n := range names {
		targets = append(targets, &Target{Job: Job{Name: n, Interval: time.Minute}, Type: "statuspage", Timeout: time.Second,
			Source: switchSource{&down}, Policy: Policy{FailureThreshold: 1, SuccessThreshold: 1, UnreachableThreshold: 3}, Dests: []string{"ops/slack"}})
	}
	r := NewRunner(&Engine{}, st, slog.New(slog.DiscardHandler), NewMetrics(prometheus.NewRegistry()), targets)
	now := t0
	r.Now = func() time.Time { return now }
	r.Network = &NetworkWatch{}
	for round := range 2 {
		for _, j := range r.Jobs() {
			r.Poll(ctx, j)
			now = now.Add(time.Second)
		}
		if round == 0 {
			now = now.Add(time.Minute)
		}
	}
	hist, err := st.TargetHistories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		first := t0.Add(time.Duration(i) * time.Second)
		if h, ok := hist[n]; !ok || !h.FirstSeen.Equal(first) {
			t.Errorf("%s: history %+v (stored %v), want first seen at its first poll %v", n, h, ok, first)
		}
		if s := r.Snapshot(n); s.Reachable || !s.UnreachableSince.Equal(first) {
			t.Errorf("%s: reachable %v since %v, want unreachable since %v", n, s.Reachable, s.UnreachableSince, first)
		}
	}
}
