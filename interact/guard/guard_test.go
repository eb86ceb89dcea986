package guard

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)

func TestMemory(t *testing.T) {
	m := NewMemory()
	ttl := 10 * time.Minute
	steps := []struct {
		key  string
		at   time.Duration
		want bool
	}{
		{"a", 0, true},
		{"a", time.Minute, false},
		{"b", 2 * time.Minute, true},
		{"a", ttl - time.Second, false},
		{"a", ttl, true}, // expired: a fresh timestamp could not carry it
		{"b", ttl + time.Minute, false},
	}
	for i, s := range steps {
		got, err := m.Remember(context.Background(), s.key, t0.Add(s.at), ttl)
		if err != nil || got != s.want {
			t.Errorf("step %d: Remember(%q) at +%v = %v, %v; want %v", i, s.key, s.at, got, err, s.want)
		}
	}
	// Expired keys are forgotten as time moves on, not kept forever.
	if _, err := m.Remember(context.Background(), "c", t0.Add(3*ttl), ttl); err != nil {
		t.Fatal(err)
	}
	if n := m.Len(); n != 1 {
		t.Errorf("%d keys kept, want 1", n)
	}
}

func TestMemoryConcurrent(t *testing.T) {
	m := NewMemory()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		accepted int
	)
	for range 8 {
		wg.Go(func() {
			ok, _ := m.Remember(context.Background(), "same", t0, time.Minute)
			if ok {
				mu.Lock()
				accepted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if accepted != 1 {
		t.Errorf("accepted %d times, want once", accepted)
	}
}

// A flood of refused requests logs one line a minute, which counts the
// refusals it stands for.
func TestRefusalsAreRateLimited(t *testing.T) {
	var buf bytes.Buffer
	clock := t0
	r := NewRefusals(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})), "refused a request", func() time.Time { return clock })
	steps := []struct {
		at     time.Duration
		reason string
	}{
		{0, "invalid signature"},
		{time.Second, "invalid signature"},
		{2 * time.Second, "replayed request"},
		{59 * time.Second, "invalid signature"},
		{61 * time.Second, "malformed timestamp"},
		{62 * time.Second, "invalid signature"},
		{5 * time.Minute, "invalid signature"},
	}
	for _, s := range steps {
		clock = t0.Add(s.at)
		r.Refuse(s.reason, "192.0.2.1:1234")
	}
	want := strings.Join([]string{
		`level=WARN msg="refused a request" reason="invalid signature" remote=192.0.2.1:1234 suppressed_since_last=0`,
		`level=WARN msg="refused a request" reason="malformed timestamp" remote=192.0.2.1:1234 suppressed_since_last=3`,
		`level=WARN msg="refused a request" reason="invalid signature" remote=192.0.2.1:1234 suppressed_since_last=1`,
	}, "\n") + "\n"
	if got := buf.String(); got != want {
		t.Errorf("logged:\n%s\nwant:\n%s", got, want)
	}
}
