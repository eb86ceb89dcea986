package bot

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Metrics are the engine's Prometheus metrics.
type Metrics struct {
	Polls        *prometheus.CounterVec
	PollSeconds  *prometheus.HistogramVec
	Events       *prometheus.CounterVec
	OpenOutages  *prometheus.GaugeVec
	CommitErrors prometheus.Counter
	Skipped      *prometheus.CounterVec
	// Store outages (pending.go).
	StoreFailing   prometheus.Gauge
	Pending        prometheus.Gauge
	PendingDropped *prometheus.CounterVec
}

// NewMetrics registers the engine's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outagebot_polls_total",
			Help: "Polls by target and result (ok, not_modified, problem, error).",
		}, []string{"target", "result"}),
		PollSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "outagebot_poll_duration_seconds",
			Help:    "Time one poll took, by source type.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"type"}),
		Events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outagebot_events_total",
			Help: "Outage events committed, by kind.",
		}, []string{"kind"}),
		OpenOutages: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "outagebot_open_outages",
			Help: "Open outages (not counting unreachable feeds) by target.",
		}, []string{"target"}),
		CommitErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "outagebot_store_commit_errors_total",
			Help: "Failed attempts to store poll results (they are kept in memory and retried).",
		}),
		StoreFailing: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "outagebot_store_failing",
			Help: "1 while poll results cannot be stored (the bot is unhealthy), else 0.",
		}),
		Pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "outagebot_store_pending_steps",
			Help: "Poll results held in memory until the store takes them.",
		}),
		PendingDropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outagebot_store_pending_dropped_total",
			Help: "Poll results not kept for the store, by reason: full (the in-memory bound was reached; their events are derived again later), not_leader (another replica took over and derives them itself).",
		}, []string{"reason"}),
		Skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outagebot_polls_skipped_total",
			Help: "Turns skipped because the previous poll of the target was still running.",
		}, []string{"target"}),
	}
	reg.MustRegister(m.Polls, m.PollSeconds, m.Events, m.OpenOutages, m.CommitErrors, m.Skipped, m.StoreFailing, m.Pending, m.PendingDropped)
	for _, k := range []outage.Kind{outage.Opened, outage.Updated, outage.Resolved} {
		m.Events.WithLabelValues(string(k))
	}
	for _, reason := range []string{"full", "not_leader"} {
		m.PendingDropped.WithLabelValues(reason)
	}
	return m
}

// pollResults are the result label's values.
var pollResults = [...]string{"ok", "not_modified", "problem", "error"}

const (
	resultOK = iota
	resultNotModified
	resultProblem
	resultError
)

// known makes the labelled series of targets (every poll result, skipped
// turns) and of the fixed label values at 0, so that rate() over them works
// from the first scrape instead of missing each series' first increase.
func (m *Metrics) known(targets []*Target) {
	for _, t := range targets {
		for _, res := range pollResults {
			m.Polls.WithLabelValues(t.Name, res)
		}
		m.Skipped.WithLabelValues(t.Name)
	}
}

// pollSeries holds one target's poll series once looked up: looking a
// series up by its labels on every poll hashes them and allocates.
type pollSeries struct {
	mu      sync.Mutex
	of      *Metrics // the Metrics these series belong to
	results [len(pollResults)]prometheus.Counter
	seconds prometheus.Observer
	// view is what the per-target collector reads (targetmetrics.go).
	view targetView
}

func (m *Metrics) observePoll(s *pollSeries, t *Target, took time.Duration, obs sources.Observation, err error, now time.Time) {
	result := resultOK
	switch {
	case err != nil:
		result = resultError
	case obs.NotModified:
		result = resultNotModified
	case t.Policy.Probe && len(obs.Components) > 0 && obs.Components[0].Status.IsProblem():
		result = resultProblem
	}
	s.mu.Lock()
	if s.of != m {
		s.of, s.results, s.seconds = m, [len(pollResults)]prometheus.Counter{}, m.PollSeconds.WithLabelValues(t.Type)
	}
	c := s.results[result]
	if c == nil {
		c = m.Polls.WithLabelValues(t.Name, pollResults[result])
		s.results[result] = c
	}
	// Read under the lock: a reconfigured target's series are made anew
	// while a poll of it under its old settings may still be finishing.
	seconds := s.seconds
	var expires time.Time
	if len(obs.Components) > 0 {
		expires = obs.Components[0].Expires
	}
	s.view.observe(t, took, result == resultOK || result == resultNotModified, expires, now)
	s.mu.Unlock()
	c.Inc()
	seconds.Observe(took.Seconds())
}
