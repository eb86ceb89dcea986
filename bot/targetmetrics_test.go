package bot

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// timedSource answers with its observation (or error) and moves the test's
// clock on by took, which is how long the poll is seen to take.
type timedSource struct {
	clock *time.Time
	took  time.Duration
	obs   sources.Observation
	err   error
}

func (s *timedSource) Poll(context.Context) (sources.Observation, error) {
	*s.clock = s.clock.Add(s.took)
	return s.obs, s.err
}

// metricsFixture is a runner whose metrics are gathered from a registry of
// their own.
type metricsFixture struct {
	r   *Runner
	st  *store.Store
	reg *prometheus.Registry
	now time.Time
}

func newMetricsFixture(t *testing.T) *metricsFixture {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &metricsFixture{st: st, reg: prometheus.NewRegistry(), now: t0}
}

// start makes the runner of targets (made with f.target).
func (f *metricsFixture) start(targets []*Target) {
	f.r = NewRunner(&Engine{}, f.st, slog.New(slog.DiscardHandler), NewMetrics(f.reg), targets)
	f.r.Now = func() time.Time { return f.now }
	f.reg.MustRegister(f.r.Collector())
}

func (f *metricsFixture) target(name, typ, group string, pol Policy, src *timedSource) *Target {
	src.clock = &f.now
	return &Target{Job: Job{Name: name, Interval: time.Minute}, Type: typ, Group: group, Timeout: time.Minute,
		Source: src, Policy: pol, Dests: []string{"ops/slack"}}
}

func (f *metricsFixture) pollAll(t *testing.T) {
	t.Helper()
	for _, j := range f.r.Jobs() {
		f.now = f.now.Add(time.Second)
		f.r.Poll(context.Background(), j)
	}
}

// targetMetricNames are the metrics these tests compare.
var targetMetricNames = []string{
	"outagebot_target_status", "outagebot_target_up", "outagebot_probe_duration_seconds",
	"outagebot_target_last_success_timestamp_seconds", "outagebot_tls_certificate_expiry_timestamp_seconds",
	"outagebot_polls_total", "outagebot_polls_skipped_total",
}

// compareMetrics checks the registry's exposition of targetMetricNames
// against testdata/name.golden with testutil; -update rewrites the file
// from the registry first.
func compareMetrics(t *testing.T, reg *prometheus.Registry, name string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
		for _, mf := range mfs {
			for _, n := range targetMetricNames {
				if mf.GetName() == n {
					if err := enc.Encode(mf); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	defer want.Close()
	if err := testutil.GatherAndCompare(reg, want, targetMetricNames...); err != nil {
		t.Errorf("%s: %v", path, err)
	}
}

func TestTargetMetrics(t *testing.T) {
	certExpiry := time.Date(2027, 2, 1, 12, 0, 0, 0, time.UTC)
	vendorObs := func(s sources.Status) sources.Observation {
		return sources.Observation{Components: []sources.Component{{ID: "api", Name: "API", Status: s}}}
	}
	for _, tc := range []struct {
		name string
		// polls is how many rounds every target is polled; 0 leaves them
		// all unpolled.
		polls   int
		targets func(f *metricsFixture) []*Target
	}{
		{name: "unpolled", polls: 0, targets: func(f *metricsFixture) []*Target {
			return []*Target{
				f.target("Web", "http", "core", probe(), &timedSource{obs: probeObs(sources.Operational, "")}),
				f.target("Vendor", "statuspage", "", vendor(), &timedSource{obs: vendorObs(sources.Operational)}),
			}
		}},
		{name: "statuses", polls: 3, targets: func(f *metricsFixture) []*Target {
			cert := probeObs(sources.Operational, "expires in 84 days")
			cert.Components[0].Expires = certExpiry
			return []*Target{
				f.target("Web", "http", "core", probe(), &timedSource{took: 42 * time.Millisecond, obs: probeObs(sources.Operational, "")}),
				f.target("Slow", "http", "core", probe(), &timedSource{took: 700 * time.Millisecond, obs: probeObs(sources.Degraded, "slow: 700ms, threshold 500ms")}),
				f.target("Down", "tcp", "core", probe(), &timedSource{took: 3 * time.Second, obs: probeObs(sources.MajorOutage, "connection refused")}),
				f.target("Cert", "tlscert", "edge", probe(), &timedSource{took: 20 * time.Millisecond, obs: cert}),
				f.target("Vendor", "statuspage", "", vendor(), &timedSource{took: 120 * time.Millisecond, obs: vendorObs(sources.PartialOutage)}),
				f.target("Planned", "statuspage", "", vendor(), &timedSource{took: 80 * time.Millisecond, obs: vendorObs(sources.Maintenance)}),
				f.target("Gone", "statuspage", "", vendor(), &timedSource{took: 45 * time.Second, err: errors.New("no answer within 30s")}),
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newMetricsFixture(t)
			f.start(tc.targets(f))
			for range tc.polls {
				f.pollAll(t)
			}
			compareMetrics(t, f.reg, "metrics-"+tc.name)
		})
	}
}

// TestTargetMetricsReload checks the series across a reload: a removed
// target's are gone (the collector's and the vectors'), a target moved to
// another group starts its histogram afresh under its new labels and keeps
// its status, and a new target's counters start at 0.
func TestTargetMetricsReload(t *testing.T) {
	f := newMetricsFixture(t)
	cert := probeObs(sources.Operational, "expires in 84 days")
	cert.Components[0].Expires = time.Date(2027, 2, 1, 12, 0, 0, 0, time.UTC)
	web := f.target("Web", "http", "core", probe(), &timedSource{took: 42 * time.Millisecond, obs: probeObs(sources.Operational, "")})
	certT := f.target("Cert", "tlscert", "edge", probe(), &timedSource{took: 20 * time.Millisecond, obs: cert})
	gone := f.target("Gone", "tlscert", "edge", probe(), &timedSource{took: 20 * time.Millisecond, obs: cert})
	f.start([]*Target{web, certT, gone})
	f.pollAll(t)
	f.pollAll(t)

	moved := f.target("Web", "http", "storefront", probe(), &timedSource{took: 42 * time.Millisecond, obs: probeObs(sources.Operational, "")})
	added := f.target("New", "tcp", "", probe(), &timedSource{obs: probeObs(sources.Operational, "")})
	if err := f.r.Reconfigure(context.Background(), f.st, []*Target{moved, certT, added}); err != nil {
		t.Fatal(err)
	}
	compareMetrics(t, f.reg, "metrics-reloaded")
}

// TestTargetMetricsScrapeWhilePolling scrapes while targets are polled
// (each by one goroutine, as the scheduler does), for the race detector:
// run it with -race -count=20.
func TestTargetMetricsScrapeWhilePolling(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var targets []*Target
	for i, s := range []sources.Status{sources.Operational, sources.MajorOutage, sources.Degraded} {
		obs := probeObs(s, "")
		obs.Components[0].Expires = t0
		targets = append(targets, &Target{Job: Job{Name: fmt.Sprintf("t%d", i), Interval: time.Minute}, Type: "http", Group: "g",
			Timeout: time.Second, Source: &scriptedSource{obs: obs}, Policy: probe()})
	}
	reg := prometheus.NewRegistry()
	r := NewRunner(&Engine{}, st, slog.New(slog.DiscardHandler), NewMetrics(reg), targets)
	reg.MustRegister(r.Collector())
	var wg sync.WaitGroup
	for _, j := range r.Jobs() {
		wg.Go(func() {
			for range 20 {
				r.Poll(context.Background(), j)
			}
		})
	}
	for range 20 {
		if _, err := reg.Gather(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if n, err := testutil.GatherAndCount(reg, "outagebot_target_up"); err != nil || n != 3 {
		t.Errorf("outagebot_target_up has %d series (%v), want 3", n, err)
	}
}
