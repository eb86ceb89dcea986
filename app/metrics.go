package app

import (
	"runtime"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outagebot/outagebot/notifier"
)

// deliveryResults are the result label's values of the delivery and root
// edit counters, indexed by store.Outcome.
var deliveryResults = [...]string{"delivered", "retry", "gave_up"}

// registerAppMetrics registers what the app itself knows: the binary's
// build and the engine's per-target collector.
func (a *App) registerAppMetrics(reg prometheus.Registerer) {
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "outagebot_build_info",
		Help:        "Always 1; its labels are the running binary's version and the Go version it was built with.",
		ConstLabels: prometheus.Labels{"version": CurrentBuild().Version, "goversion": runtime.Version()},
	})
	build.Set(1)
	reg.MustRegister(build, a.runner.Collector())
}

// knownDests makes the delivery and root edit series of every configured
// destination at 0, so that rate() over them works from the first scrape,
// and deletes those of destinations no longer configured.
func (a *App) knownDests(routes []notifier.Route) {
	keep := map[string]bool{}
	for _, r := range routes {
		dest := r.Destination.String()
		keep[dest] = true
		for _, res := range deliveryResults {
			a.deliveries.WithLabelValues(dest, res)
			a.rootEdits.WithLabelValues(dest, res)
		}
	}
	for _, vec := range []*prometheus.CounterVec{a.deliveries, a.rootEdits} {
		for _, dest := range a.dests {
			if !keep[dest] {
				vec.DeletePartialMatch(prometheus.Labels{"dest": dest})
			}
		}
	}
	a.dests = a.dests[:0]
	for dest := range keep {
		a.dests = append(a.dests, dest)
	}
}
