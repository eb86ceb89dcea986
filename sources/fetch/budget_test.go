package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// endless serves a body that never ends, as fast as the client reads it.
func endless() *httptest.Server {
	chunk := make([]byte, 32<<10)
	for i := range chunk {
		chunk[i] = 'x'
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
}

// Hostile feeds that all send endless bodies at once hold no more than the
// budget between them, and every one of them fails at once, as too large or
// as short of memory: none is read past the limit and none waits on another.
func TestBodyBudgetBoundsHostileFeeds(t *testing.T) {
	srv := endless()
	defer srv.Close()
	const (
		limit   = 1 << 20
		budget  = 4 << 20
		workers = 24 // 24 MiB if each could fill its own buffer
	)
	c := New(Options{MaxBody: limit, BodyBudget: budget})
	var tooLarge, short atomic.Int32
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, _, err := c.Get(ctx, srv.URL, nil, "application/json")
			switch {
			case errors.Is(err, ErrTooLarge):
				tooLarge.Add(1)
			case errors.Is(err, ErrBudget):
				short.Add(1)
			default:
				t.Errorf("Get = %v, want a too-large error", err)
			}
		}()
	}
	wg.Wait()
	if got := c.Peak(); got > budget || got == 0 {
		t.Errorf("bodies in flight peaked at %s, budget %s", FormatSize(got), FormatSize(budget))
	}
	t.Logf("%d too large, %d short of memory; peak %s of bodies in flight (unbounded: %s)",
		tooLarge.Load(), short.Load(), FormatSize(c.Peak()), FormatSize(workers*limit))
}

// A body's buffer draws on the budget as it grows, not only when it starts:
// a body larger than what is left fails as short of memory.
func TestBodyBudgetCountsGrowth(t *testing.T) {
	b := newBudget(64 << 10)
	body := strings.Repeat("x", 200<<10)
	_, held, err := readBudgeted(context.Background(), b, strings.NewReader(body), -1, 1<<20)
	if !errors.Is(err, ErrBudget) {
		t.Fatalf("200 KiB body through a 64 KiB budget: err = %v, want ErrBudget", err)
	}
	b.give(held)
	if b.free != b.size {
		t.Errorf("%d bytes not given back", b.size-b.free)
	}
}

// A reader that cannot get memory before its deadline says so.
func TestBodyBudgetWaitEndsWithTheContext(t *testing.T) {
	b := newBudget(10)
	if err := b.take(context.Background(), 8, true); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.take(ctx, 4, true); !errors.Is(err, context.Canceled) {
		t.Errorf("take with a cancelled context = %v", err)
	}
	if err := b.take(context.Background(), 4, false); !errors.Is(err, ErrBudget) {
		t.Errorf("take without waiting from a short pool = %v", err)
	}
	if err := b.take(context.Background(), 11, true); err == nil {
		t.Error("took more than the whole budget")
	}
	done := make(chan error)
	go func() { done <- b.take(context.Background(), 4, true) }()
	b.give(8)
	if err := <-done; err != nil {
		t.Errorf("take after give = %v", err)
	}
}

// BenchmarkHostileFeedsPeak measures what 60 workers reading endless bodies
// with the default 5 MiB limit hold at the peak: the budget's own count and
// the heap's, sampled. "unbounded" gives every worker room for a whole
// body, as before the budget.
func BenchmarkHostileFeedsPeak(b *testing.B) {
	for _, bc := range []struct {
		name   string
		budget int64
	}{{"default", 0}, {"unbounded", 60 * (DefaultMaxBody + 1)}} {
		b.Run(bc.name, func(b *testing.B) { hostilePeak(b, bc.budget) })
	}
}

func hostilePeak(b *testing.B, size int64) {
	srv := endless()
	defer srv.Close()
	const workers = 60
	var peakHeap atomic.Uint64
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peakHeap.Load() {
				peakHeap.Store(v)
			}
		}
	}()
	var peak int64
	for b.Loop() {
		c := New(Options{BodyBudget: size})
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				_, _, _ = c.Get(ctx, srv.URL, nil, "application/json")
			}()
		}
		wg.Wait()
		peak = max(peak, c.Peak())
	}
	b.ReportMetric(float64(peak)/(1<<20), "MiB-bodies-peak")
	b.ReportMetric(float64(peakHeap.Load())/(1<<20), "MiB-heap-peak")
}
