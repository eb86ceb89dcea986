package bot

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// A hung target must not delay the others, nor be polled twice at once.
func TestSchedulerSlowTargetDoesNotDelayOthers(t *testing.T) {
	jobs := []*Job{{Name: "hung", Interval: 20 * time.Millisecond}}
	for _, n := range []string{"a", "b", "c"} {
		jobs = append(jobs, &Job{Name: n, Interval: 20 * time.Millisecond})
	}
	var mu sync.Mutex
	polls := map[string]int{}
	var hungRunning, hungOverlap atomic.Int32
	var skipped atomic.Int32
	s := &Scheduler{Workers: 4, Skipped: func(name string) {
		if name == "hung" {
			skipped.Add(1)
		}
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	s.Run(ctx, jobs, func(ctx context.Context, j *Job) {
		mu.Lock()
		polls[j.Name]++
		mu.Unlock()
		if j.Name == "hung" {
			if hungRunning.Add(1) > 1 {
				hungOverlap.Add(1)
			}
			<-ctx.Done() // never answers
			hungRunning.Add(-1)
		}
	})
	if s.Running() {
		t.Error("still running after Run returned")
	}
	// 500ms at a 20ms interval is 25 turns; allow a loaded machine a lot.
	for _, n := range []string{"a", "b", "c"} {
		if polls[n] < 10 {
			t.Errorf("%s polled %d times beside a hung target, want about 25", n, polls[n])
		}
	}
	if polls["hung"] != 1 || hungOverlap.Load() != 0 {
		t.Errorf("hung target polled %d times (overlaps %d), want once", polls["hung"], hungOverlap.Load())
	}
	if skipped.Load() < 10 {
		t.Errorf("skipped turns of the hung target = %d", skipped.Load())
	}
}

// Start-up is spread: many targets are not all polled at the same instant,
// but a few small ones start at once.
func TestSchedulerSpreadsStart(t *testing.T) {
	var jobs []*Job
	for range 100 {
		jobs = append(jobs, &Job{Name: "j", Interval: time.Hour})
	}
	var first, last atomic.Int64
	start := time.Now()
	var n atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(2 * time.Second)
		cancel()
	}()
	(&Scheduler{Workers: 8}).Run(ctx, jobs, func(_ context.Context, j *Job) {
		d := int64(time.Since(start))
		first.CompareAndSwap(0, d)
		last.Store(d)
		if n.Add(1) == 100 {
			cancel()
		}
	})
	if n.Load() != 100 {
		t.Fatalf("polled %d of 100 targets", n.Load())
	}
	// 100 targets spread over 100 × 10ms = 1s.
	if spread := time.Duration(last.Load() - first.Load()); spread < 500*time.Millisecond {
		t.Errorf("first polls spread over %s, want about 1s", spread)
	}
}

// Polls due close together share a wake-up, no poll starts more than the
// slack early, and every target keeps its cadence. Time is virtual.
func TestSchedulerCoalescesWakeUps(t *testing.T) {
	tests := []struct {
		name     string
		coalesce time.Duration
		interval time.Duration
		slack    time.Duration // how early a turn may be
		maxWakes int64         // over one minute
	}{
		// 1,000 targets every 10s are 10ms apart: 6,000 polls a minute in
		// at most 600 wake-ups.
		{"default", 0, 10 * time.Second, DefaultCoalesce, 601},
		{"off", -1, 10 * time.Second, 0, 6000},
		// A short interval bounds the slack to a tenth of it.
		{"short interval", 0, time.Second, DefaultCoalesce, 601},
		{"shorter interval", time.Second, 200 * time.Millisecond, 20 * time.Millisecond, 3001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const n = 1000
				const span = time.Minute
				jobs := make([]*Job, n)
				index := map[*Job]int{}
				for i := range jobs {
					jobs[i] = &Job{Name: "j", Interval: tt.interval}
					index[jobs[i]] = i
				}
				var mu sync.Mutex
				polls := make([][]time.Duration, n)
				start := time.Now()
				ctx, cancel := context.WithTimeout(t.Context(), span-time.Millisecond)
				defer cancel()
				s := &Scheduler{Workers: 8, Coalesce: tt.coalesce}
				s.Run(ctx, jobs, func(_ context.Context, j *Job) {
					mu.Lock()
					i := index[j]
					polls[i] = append(polls[i], time.Since(start))
					mu.Unlock()
				})
				if got := s.ticks.Load(); got > tt.maxWakes {
					t.Errorf("%d wake-ups in %s, want at most %d", got, span, tt.maxWakes)
				}
				// The turn due at the end may come early enough to count.
				want := int(span / tt.interval)
				for i, p := range polls {
					if len(p) != want && len(p) != want+1 {
						t.Fatalf("job %d polled %d times in %s, want %d", i, len(p), span, want)
					}
					for k := 1; k < len(p); k++ {
						if gap := p[k] - p[k-1]; gap < tt.interval-tt.slack || gap > tt.interval+tt.slack {
							t.Fatalf("job %d: polls %d and %d are %s apart, want %s ± %s", i, k-1, k, gap, tt.interval, tt.slack)
						}
					}
				}
			})
		})
	}
}

// A leader arms its scheduler before the goroutine that runs it starts, so
// that its health reads "running" from the first moment; Run's end clears
// the mark whatever armed it.
func TestSchedulerArmHoldsUntilRunEnds(t *testing.T) {
	var s Scheduler
	if s.Running() {
		t.Fatal("a new scheduler reads running")
	}
	s.Arm()
	if !s.Running() {
		t.Fatal("an armed scheduler reads stopped")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.Run(ctx, nil, func(context.Context, *Job) {})
	if s.Running() {
		t.Fatal("the scheduler reads running after Run returned")
	}
}
