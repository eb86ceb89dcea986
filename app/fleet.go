package app

import (
	"context"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/fleet"
)

// Several locations and shared polling (package fleet). Every replica runs
// a worker beside its role; the leader also runs the collector, which
// turns what the workers wrote into the engine's observations.

// fleetParts are a replica's worker and the collector it runs while it
// leads; nil without [bot] location or shard.
type fleetParts struct {
	worker    *fleet.Worker
	collector *fleet.Collector
}

// markRemote marks a target that the fleet polls: a probe run from
// locations (whose observations are then verdicts, each location having
// applied the thresholds), or any target when polling is shared.
func markRemote(cfg *config.Config, ct config.Target, t *bot.Target) {
	switch {
	case cfg.Bot.Location != "" && ct.IsProbe():
		t.Remote = true
		t.Policy.FailureThreshold, t.Policy.SuccessThreshold, t.Policy.Verdict = 1, 1, true
	case cfg.Bot.Shard:
		t.Remote = true
	}
}

// newFleet assembles the worker and collector over the targets that
// markRemote marked.
func (a *App) newFleet(cfg *config.Config, targets []*bot.Target) *fleetParts {
	if !cfg.Bot.Distributed() {
		return nil
	}
	f := &fleetParts{
		worker: &fleet.Worker{Registry: a.store, Results: a.store, ID: a.instance, Location: cfg.Bot.Location,
			Lease: a.leaseTTL, Shard: cfg.Bot.Shard, Sched: &bot.Scheduler{Workers: cfg.Bot.Workers},
			Log: a.log.With("component", "fleet", "instance", a.instance), Now: a.opts.Now},
		collector: &fleet.Collector{Store: a.store, Engine: a.runner, Lease: a.leaseTTL, Every: a.opts.CollectEvery,
			Health: &fleet.Health{Min: cfg.Bot.NetworkDownMinTargets}, Log: a.log.With("component", "collector"), Now: a.opts.Now},
	}
	if f.collector.Health.Min == 0 {
		f.collector.Health.Min = -1 // off, like the single-location rule
	}
	for _, t := range targets {
		if !t.Remote {
			continue
		}
		ct, _ := cfg.FindTarget(t.Name)
		located := cfg.Bot.Location != "" && ct.IsProbe()
		f.worker.Jobs = append(f.worker.Jobs, &fleet.Job{Job: bot.Job{Name: t.Name, Interval: t.Interval}, Source: t.Source,
			Timeout: t.Timeout, Located: located, Locations: ct.Locations, FailN: ct.FailureThreshold, OKN: ct.SuccessThreshold})
		if located {
			f.collector.Probes = append(f.collector.Probes, fleet.Probe{Name: t.Name, Locations: ct.Locations, Quorum: ct.Quorum, Interval: t.Interval})
		} else {
			f.collector.Shared = append(f.collector.Shared, t.Name)
		}
	}
	return f
}

// The fleet's two parts, each run in a loop that a re-plan restarts.
const (
	fleetWorker = iota
	fleetCollector
)

type fleetStops [2]context.CancelFunc

// runFleet runs the fleet's worker or collector until ctx ends, taking up
// the one a reload planned each time the running one is stopped.
func (a *App) runFleet(ctx context.Context, part int) {
	for ctx.Err() == nil {
		a.fleetMu.Lock()
		f := a.fleet
		pctx, stop := context.WithCancel(ctx)
		a.fleetStop[part] = stop
		a.fleetMu.Unlock()
		if part == fleetWorker {
			f.worker.Run(pctx)
		} else {
			f.collector.Run(pctx)
		}
		stop()
	}
}

// replanFleet gives the fleet the probes and shared targets of a reloaded
// configuration: the running worker leaves the fleet (the others cover
// its share for the moment), and the new one registers and polls each of
// its jobs at once, as at start; the leader's collector reads the stored
// state afresh for the new probes. The state of every kept target stays
// in the engine, so nothing is announced again.
func (a *App) replanFleet(cfg *config.Config, targets []*bot.Target) {
	if a.fleet == nil {
		return
	}
	next := a.newFleet(cfg, targets)
	a.fleetMu.Lock()
	next.worker.Polled = a.fleet.worker.Polled
	a.fleet = next
	stops := a.fleetStop
	a.fleetMu.Unlock()
	for _, stop := range stops {
		if stop != nil {
			stop()
		}
	}
}
