package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// Observe applies an observation that another replica made of a remote
// target (package fleet), with the per-location views it was combined
// from, if any. Only the leader's collector calls it, one call at a time
// per target, so the engine keeps one writer. took is what the poll took.
func (r *Runner) Observe(ctx context.Context, name string, obs sources.Observation, pollErr error, took time.Duration, locs []LocationSnapshot) {
	tab := r.tab.Load()
	t, ok := tab.targets[name]
	if !ok || !t.Remote {
		return
	}
	ts := tab.states[name]
	ts.mu.Lock()
	ts.st.Snapshot.Locations = locs
	ts.mu.Unlock()
	at := obs.At
	if at.IsZero() {
		at = r.now()
	}
	r.Metrics.observePoll(&ts.series, t, took, obs, pollErr, at)
	r.apply(ctx, tab, t, obs, pollErr)
}

// CommitNotice stores a notice about the bot itself (an outage of
// outage.SelfTarget, like "probes from eu-west reach nothing") under state
// key, with its events, sent to every destination that targets' events of
// its kind go to.
func (r *Runner) CommitNotice(ctx context.Context, key string, state []byte, outages []outage.Outage, events []outage.Event) error {
	tab := r.tab.Load()
	_, err := r.Store.Commit(ctx, store.Commit{Target: key, State: state, Outages: outages, Events: events,
		DestsFor: func(ev outage.Event) []string { return everyDest(tab, ev) }, At: r.now()})
	if err != nil {
		return fmt.Errorf("store notice %s: %w", key, err)
	}
	if r.Notify != nil {
		r.Notify()
	}
	return nil
}
