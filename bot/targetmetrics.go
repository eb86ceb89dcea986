package bot

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/outagebot/outagebot/sources"
)

// The per-target metrics are read from the runner's table when /metrics is
// scraped, not kept up to date by every poll: a poll only records its
// duration, success and certificate expiry in the target's pollSeries,
// which costs no allocation, and a target that a reload removed is gone
// from the next scrape with nothing to delete.

// probeBuckets are the bounds, in seconds, of
// outagebot_probe_duration_seconds: an HTTP probe on a LAN answers in a few
// milliseconds, one across the internet in tens to hundreds, a feed in up
// to seconds, and the default timeout is 10s (30s for the slowest
// configured).
var probeBuckets = [...]float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// exportedStatuses are the values of outagebot_target_status's status
// label, every one exported for every target.
var exportedStatuses = [...]sources.Status{
	sources.Operational, sources.Maintenance, sources.Degraded,
	sources.PartialOutage, sources.MajorOutage, sources.Unknown,
}

var (
	descTargetStatus = prometheus.NewDesc("outagebot_target_status",
		"The target's current status: 1 for the status it has, 0 for each of the others (operational, maintenance, degraded, partial_outage, major_outage, unknown). unknown means no fresh data: the feed or probe host could not be read.",
		[]string{"target", "group", "status"}, nil)
	descTargetUp = prometheus.NewDesc("outagebot_target_up",
		"1 while the target is up (operational or maintenance), 0 while it is down (degraded, partial_outage or major_outage). Absent while its status is unknown (no fresh data); outagebot_target_status{status=\"unknown\"} is 1 then.",
		[]string{"target", "group"}, nil)
	descProbeDuration = prometheus.NewDesc("outagebot_probe_duration_seconds",
		"How long each poll of the target took (a probe's check with its retries, or a feed's request), failed ones included.",
		[]string{"target", "group", "type"}, nil)
	descLastSuccess = prometheus.NewDesc("outagebot_target_last_success_timestamp_seconds",
		"When the target was last polled successfully, in seconds since the epoch: a feed read, or a probe whose check passed within its thresholds (the polls counted as ok or not_modified in outagebot_polls_total). Absent until this replica has seen one since it started.",
		[]string{"target", "group"}, nil)
	descTLSExpiry = prometheus.NewDesc("outagebot_tls_certificate_expiry_timestamp_seconds",
		"When the TLS certificate chain the target last served expires (the earliest of the leaf and its intermediates), in seconds since the epoch: tlscert probes, and HTTP probes of https URLs. Absent until a handshake has shown a certificate.",
		[]string{"target"}, nil)
)

// targetView is what a target's polls tell the collector, guarded by its
// pollSeries' mutex.
type targetView struct {
	// typ and group are what labels (and the counts) were made for: a
	// reload that changes either starts the target's histogram afresh
	// under its new labels (a series whose counts jumped from another's
	// would read as a burst of polls).
	typ, group string
	labels     *targetLabels
	// counts are the durations per bucket (not cumulative); the last one
	// counts those above every bound.
	counts  [len(probeBuckets) + 1]uint64
	sum     float64
	lastOK  time.Time
	expires time.Time
}

// targetLabels are one target's label pairs, made once and shared by
// every scrape (the registry only reads them), sorted by name as the
// exposition format wants them.
type targetLabels struct {
	status [len(exportedStatuses)][]*dto.LabelPair // group, status, target
	up     []*dto.LabelPair                        // group, target
	typed  []*dto.LabelPair                        // group, target, type
	target []*dto.LabelPair                        // target
}

func pair(name, value string) *dto.LabelPair {
	return &dto.LabelPair{Name: &name, Value: &value}
}

func newTargetLabels(t *Target) *targetLabels {
	target, group := pair("target", t.Name), pair("group", t.Group)
	l := &targetLabels{
		up:     []*dto.LabelPair{group, target},
		typed:  []*dto.LabelPair{group, target, pair("type", t.Type)},
		target: []*dto.LabelPair{target},
	}
	for i, s := range exportedStatuses {
		l.status[i] = []*dto.LabelPair{group, pair("status", string(s)), target}
	}
	return l
}

// fit makes the view one of t as configured now; call it with the
// series' mutex held.
func (v *targetView) fit(t *Target) {
	if v.labels != nil && v.typ == t.Type && v.group == t.Group {
		return
	}
	nv := targetView{typ: t.Type, group: t.Group, labels: newTargetLabels(t), lastOK: v.lastOK}
	if v.typ == t.Type {
		// Another type (tlscert to tcp, say) may never show a certificate.
		nv.expires = v.expires
	}
	*v = nv
}

// observe records one poll; call it with the series' mutex held.
func (v *targetView) observe(t *Target, took time.Duration, ok bool, expires, now time.Time) {
	v.fit(t)
	sec := took.Seconds()
	i := 0
	for i < len(probeBuckets) && sec > probeBuckets[i] {
		i++
	}
	v.counts[i]++
	v.sum += sec
	if ok {
		v.lastOK = now
	}
	if !expires.IsZero() {
		// A failed handshake shows no certificate: the last one seen stays.
		v.expires = expires
	}
}

// Collector returns the collector of the per-target metrics; register it
// once per runner.
func (r *Runner) Collector() prometheus.Collector { return targetCollector{r} }

type targetCollector struct{ r *Runner }

func (c targetCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descTargetStatus, descTargetUp, descProbeDuration, descLastSuccess, descTLSExpiry} {
		ch <- d
	}
}

// scraped is one target's samples in one scrape: one allocation for them
// all.
type scraped struct {
	status  [len(exportedStatuses)]gaugeSample
	up      gaugeSample
	lastOK  gaugeSample
	expires gaugeSample
	hist    histSample
}

func (c targetCollector) Collect(ch chan<- prometheus.Metric) {
	tab := c.r.tab.Load()
	for _, name := range tab.order {
		t, ts := tab.targets[name], tab.states[name]
		ts.mu.Lock()
		status := ts.st.Snapshot.Status
		ts.mu.Unlock()
		s := &ts.series
		out := new(scraped)
		s.mu.Lock()
		s.view.fit(t)
		v := &s.view
		labels := v.labels
		var cum uint64
		for i := range probeBuckets {
			cum += v.counts[i]
			out.hist.cumulative[i] = cum
		}
		out.hist.count, out.hist.sum = cum+v.counts[len(probeBuckets)], v.sum
		lastOK, expires := v.lastOK, v.expires
		s.mu.Unlock()

		for i, st := range exportedStatuses {
			val := 0.0
			if st == status {
				val = 1
			}
			ch <- out.status[i].set(descTargetStatus, labels.status[i], val)
		}
		switch {
		case status == sources.Operational || status == sources.Maintenance:
			ch <- out.up.set(descTargetUp, labels.up, 1)
		case status.IsProblem():
			ch <- out.up.set(descTargetUp, labels.up, 0)
		}
		ch <- out.hist.set(labels.typed)
		if !lastOK.IsZero() {
			ch <- out.lastOK.set(descLastSuccess, labels.up, unixSeconds(lastOK))
		}
		if !expires.IsZero() {
			ch <- out.expires.set(descTLSExpiry, labels.target, unixSeconds(expires))
		}
	}
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// gaugeSample is a prometheus.Metric written straight from its fields.
type gaugeSample struct {
	desc   *prometheus.Desc
	labels []*dto.LabelPair
	value  float64
	g      dto.Gauge
}

func (g *gaugeSample) set(d *prometheus.Desc, labels []*dto.LabelPair, v float64) *gaugeSample {
	g.desc, g.labels, g.value = d, labels, v
	return g
}

func (g *gaugeSample) Desc() *prometheus.Desc { return g.desc }

func (g *gaugeSample) Write(m *dto.Metric) error {
	g.g.Value = &g.value
	m.Label, m.Gauge = g.labels, &g.g
	return nil
}

// histSample is outagebot_probe_duration_seconds of one target.
type histSample struct {
	labels     []*dto.LabelPair
	cumulative [len(probeBuckets)]uint64
	count      uint64
	sum        float64
	buckets    [len(probeBuckets)]dto.Bucket
	bucketPtrs [len(probeBuckets)]*dto.Bucket
	h          dto.Histogram
}

func (h *histSample) set(labels []*dto.LabelPair) *histSample {
	h.labels = labels
	return h
}

func (h *histSample) Desc() *prometheus.Desc { return descProbeDuration }

func (h *histSample) Write(m *dto.Metric) error {
	for i := range h.buckets {
		// The bounds are shared: the registry only reads them.
		h.buckets[i].UpperBound = &probeBuckets[i]
		h.buckets[i].CumulativeCount = &h.cumulative[i]
		h.bucketPtrs[i] = &h.buckets[i]
	}
	h.h.SampleCount, h.h.SampleSum, h.h.Bucket = &h.count, &h.sum, h.bucketPtrs[:]
	m.Label, m.Histogram = h.labels, &h.h
	return nil
}
