package bot

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outagebot/outagebot/store"
)

// ReadAt is set by polls that read a target only: not by failing polls,
// nor by polls held back while our network is down, and it survives a
// restart.
func TestRunnerReadAt(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var down atomic.Bool
	names := []string{"a", "b"}
	var targets []*Target
	for _, n := range names {
		targets = append(targets, &Target{Job: Job{Name: n, Interval: time.Minute}, Type: "statuspage", Timeout: time.Second,
			Source: switchSource{&down}, Policy: Policy{FailureThreshold: 1, SuccessThreshold: 1, UnreachableThreshold: 3}})
	}
	newRunner := func() *Runner {
		r := NewRunner(&Engine{}, st, slog.New(slog.DiscardHandler), NewMetrics(prometheus.NewRegistry()), targets)
		r.Network = &NetworkWatch{}
		return r
	}
	r := newRunner()
	now := t0
	r.Now = func() time.Time { return now }
	var readAt time.Time
	for _, step := range []struct {
		name string
		down bool
		// read is set when the round's polls read the targets.
		read bool
	}{
		{name: "down from the first poll (held back)", down: true},
		{name: "read", read: true},
		{name: "down again (held back)", down: true},
	} {
		down.Store(step.down)
		for _, j := range r.Jobs() {
			r.Poll(ctx, j)
		}
		if step.read {
			readAt = now
		}
		for _, n := range names {
			if s := r.Snapshot(n); !s.ReadAt.Equal(readAt) {
				t.Errorf("%s: %s: read at %v, want %v", step.name, n, s.ReadAt, readAt)
			}
		}
		now = now.Add(time.Minute)
	}
	restarted := newRunner()
	if err := restarted.Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if s := restarted.Snapshot(n); !s.ReadAt.Equal(readAt) {
			t.Errorf("after a restart: %s: read at %v, want %v", n, s.ReadAt, readAt)
		}
	}
}

// A state stored before ReadAt was kept gets the latest time it is known
// to have been read; one never read keeps none.
func TestLoadLegacyReadAt(t *testing.T) {
	ctx := context.Background()
	checked, since := t0.Add(time.Hour), t0.Add(30*time.Minute)
	for _, tc := range []struct {
		name string
		st   TargetState
		want time.Time
	}{
		{name: "never read", st: TargetState{Target: "x", Snapshot: Snapshot{Name: "x", CheckedAt: checked, UnreachableSince: since}}},
		{name: "reads", st: TargetState{Target: "x", Initialized: true, Snapshot: Snapshot{Name: "x", Reachable: true, CheckedAt: checked}}, want: checked},
		{name: "unreadable since", st: TargetState{Target: "x", Initialized: true, Snapshot: Snapshot{Name: "x", CheckedAt: checked, UnreachableSince: since}}, want: since},
		{name: "kept", st: TargetState{Target: "x", Initialized: true, Snapshot: Snapshot{Name: "x", CheckedAt: checked, ReadAt: t0}}, want: t0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := store.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			data, err := json.Marshal(tc.st)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.Commit(ctx, store.Commit{Target: "x", State: data, At: t0}); err != nil {
				t.Fatal(err)
			}
			r := NewRunner(&Engine{}, st, slog.New(slog.DiscardHandler), NewMetrics(prometheus.NewRegistry()),
				[]*Target{{Job: Job{Name: "x", Interval: time.Minute}, Timeout: time.Second}})
			if err := r.Load(ctx, st); err != nil {
				t.Fatal(err)
			}
			if got := r.Snapshot("x").ReadAt; !got.Equal(tc.want) {
				t.Errorf("read at %v, want %v", got, tc.want)
			}
		})
	}
}
