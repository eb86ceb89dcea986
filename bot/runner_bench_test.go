package bot

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// BenchmarkRunnerSteadyPoll is the runner's share of a poll that changes
// nothing (the source answers at once): engine, metrics, the check that
// nothing material changed. Such a poll writes nothing to the store. A
// healthy probe's state is plain and compared as is; a probe whose outage
// is open is compared by its encoding.
func BenchmarkRunnerSteadyPoll(b *testing.B) {
	for _, bc := range []struct {
		name   string
		status sources.Status
	}{{"healthy", sources.Operational}, {"outage open", sources.MajorOutage}} {
		b.Run(bc.name, func(b *testing.B) {
			st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "state.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			src := &scriptedSource{obs: probeObs(bc.status, "")}
			tgt := &Target{Job: Job{Name: "Web", Interval: time.Minute}, Type: "http", Timeout: time.Second,
				Source: src, Policy: probe(), Dests: []string{"ops/slack"}}
			r := NewRunner(&Engine{}, st, slog.New(slog.DiscardHandler), NewMetrics(prometheus.NewRegistry()), []*Target{tgt})
			now := t0
			r.Now = func() time.Time { return now }
			ctx := context.Background()
			// Past every threshold: from here on nothing material changes.
			for range 10 {
				now = now.Add(time.Minute)
				r.Poll(ctx, &tgt.Job)
			}
			b.ReportAllocs()
			for b.Loop() {
				now = now.Add(time.Minute)
				r.Poll(ctx, &tgt.Job)
			}
		})
	}
}
