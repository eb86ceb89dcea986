package bot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// scrape gathers reg and encodes it as /metrics does (text format).
func scrape(b *testing.B, reg *prometheus.Registry) {
	mfs, err := reg.Gather()
	if err != nil {
		b.Fatal(err)
	}
	enc := expfmt.NewEncoder(io.Discard, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScrapeTargets is one scrape of the per-target metrics of
// 10,000 polled targets (with the engine's labelled vectors, as /metrics
// has them), against the same series kept in client_golang vectors that
// every poll would update.
func BenchmarkScrapeTargets(b *testing.B) {
	const n = 10_000
	statuses := []sources.Status{sources.Operational, sources.Degraded, sources.MajorOutage, sources.Unknown}
	b.Run("collector", func(b *testing.B) {
		st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "state.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		now := t0
		var targets []*Target
		for i := range n {
			obs := probeObs(sources.Operational, "")
			obs.Components[0].Expires = t0.Add(90 * 24 * time.Hour)
			targets = append(targets, &Target{Job: Job{Name: fmt.Sprintf("target-%05d", i), Interval: time.Minute},
				Type: "http", Group: fmt.Sprintf("group-%d", i%10), Timeout: time.Second,
				Source: &timedSource{clock: &now, took: time.Duration(i%500) * time.Millisecond, obs: obs}, Policy: probe()})
		}
		reg := prometheus.NewRegistry()
		r := NewRunner(&Engine{}, st, slog.New(slog.DiscardHandler), NewMetrics(reg), targets)
		r.Now = func() time.Time { return now }
		reg.MustRegister(r.Collector())
		for _, j := range r.Jobs() {
			r.Poll(context.Background(), j)
		}
		tab := r.tab.Load()
		for i, name := range tab.order {
			tab.states[name].st.Snapshot.Status = statuses[i%len(statuses)]
		}
		b.Run("scrape", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				scrape(b, reg)
			}
		})
		// The collector's own share of a scrape.
		b.Run("collect", func(b *testing.B) {
			c := r.Collector()
			b.ReportAllocs()
			for b.Loop() {
				ch := make(chan prometheus.Metric, 1024)
				done := make(chan int)
				go func() {
					n := 0
					for range ch {
						n++
					}
					done <- n
				}()
				c.Collect(ch)
				close(ch)
				<-done
			}
		})
	})
	b.Run("vectors", func(b *testing.B) {
		reg := prometheus.NewRegistry()
		m := NewMetrics(reg)
		status := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "outagebot_target_status", Help: "."}, []string{"target", "group", "status"})
		up := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "outagebot_target_up", Help: "."}, []string{"target", "group"})
		last := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "outagebot_target_last_success_timestamp_seconds", Help: "."}, []string{"target", "group"})
		expiry := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "outagebot_tls_certificate_expiry_timestamp_seconds", Help: "."}, []string{"target"})
		dur := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "outagebot_probe_duration_seconds", Help: ".", Buckets: probeBuckets[:]},
			[]string{"target", "group", "type"})
		reg.MustRegister(status, up, last, expiry, dur)
		var targets []*Target
		for i := range n {
			name, group := fmt.Sprintf("target-%05d", i), fmt.Sprintf("group-%d", i%10)
			targets = append(targets, &Target{Job: Job{Name: name}})
			cur := statuses[i%len(statuses)]
			for _, s := range exportedStatuses {
				v := 0.0
				if s == cur {
					v = 1
				}
				status.WithLabelValues(name, group, string(s)).Set(v)
			}
			up.WithLabelValues(name, group).Set(1)
			last.WithLabelValues(name, group).Set(1.8e9)
			expiry.WithLabelValues(name).Set(1.8e9)
			dur.WithLabelValues(name, group, "http").Observe(float64(i%500) / 1000)
		}
		m.known(targets)
		b.ReportAllocs()
		for b.Loop() {
			scrape(b, reg)
		}
	})
}

// BenchmarkObservePoll is the metrics' share of one poll: the result
// counter, the per-type histogram and the per-target view.
func BenchmarkObservePoll(b *testing.B) {
	m := NewMetrics(prometheus.NewRegistry())
	t := &Target{Job: Job{Name: "Web"}, Type: "http", Group: "core", Policy: probe()}
	obs := probeObs(sources.Operational, "")
	obs.Components[0].Expires = t0.Add(90 * 24 * time.Hour)
	var s pollSeries
	b.ReportAllocs()
	for b.Loop() {
		m.observePoll(&s, t, 42*time.Millisecond, obs, nil, t0)
	}
}
