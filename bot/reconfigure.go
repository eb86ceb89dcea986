package bot

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outagebot/outagebot/sources"
)

// Reconfigure replaces the runner's targets with targets, as a changed
// configuration describes them, without losing what the runner knows:
//
//   - A target whose name is kept keeps its state under its new settings:
//     open outages, streaks, the last snapshot and any steps waiting for the
//     store. Nothing is announced because of the change itself.
//   - A new target starts from the state the store holds for its name, if
//     any: a target removed and configured again resumes where it stopped,
//     so an outage that was open then is not announced a second time.
//   - A removed target is no longer polled. Its state stays in the store as
//     it was, open outages included: nothing is resolved because a target
//     left the configuration (that would claim a recovery nobody saw).
//     Its steps waiting for the store are written first; if the store does
//     not take them, Reconfigure changes nothing and returns an error.
//
// Polls already running finish on the target as it was, and a job handed
// out before polls nothing after. The caller stops the scheduler (and
// Retry) before and starts it again with Jobs after, so that no removed
// target is polled once Reconfigure has returned; were polls to run on, a
// removed target's step queued just then would make it refuse (try again).
func (r *Runner) Reconfigure(ctx context.Context, l StateLoader, targets []*Target) error {
	old := r.tab.Load()
	keep := make(map[string]*targetState, len(targets))
	var added []string
	for _, t := range targets {
		if ts, ok := old.states[t.Name]; ok {
			keep[t.Name] = ts
		} else {
			added = append(added, t.Name)
		}
	}
	var removed []string
	for _, name := range old.order {
		if _, ok := keep[name]; !ok {
			removed = append(removed, name)
		}
	}
	if r.Network != nil {
		r.netMu.Lock()
		r.Network.Forget(removed...)
		r.netMu.Unlock()
	}
	for _, name := range removed {
		// A commit of it in flight (a poll's, or Retry's) ends first.
		old.states[name].commitMu.Lock()
		//lint:ignore SA2001 taking and releasing the lock is the wait for that commit
		old.states[name].commitMu.Unlock()
		if err := r.flush(ctx, old.targets[name], old.states[name]); err != nil {
			return fmt.Errorf("store the last poll results of removed target %s: %w", name, err)
		}
		ts := old.states[name]
		ts.mu.Lock()
		waiting := len(ts.pending)
		ts.mu.Unlock()
		if waiting > 0 {
			// A flush started meanwhile holds them: not written yet.
			return fmt.Errorf("removed target %s has %d poll results waiting for the store; try again", name, waiting)
		}
	}
	for _, ts := range keep {
		// The type, and so the poll duration series, may have changed.
		ts.series.mu.Lock()
		ts.series.of = nil
		ts.series.mu.Unlock()
		ts.mu.Lock()
		// A changed component filter or dependency is checked afresh.
		ts.missing, ts.missingDeps = "", ""
		ts.mu.Unlock()
	}
	if len(added) > 0 {
		stored, err := l.LoadStates(ctx)
		if err != nil {
			return fmt.Errorf("read the stored state of new targets: %w", err)
		}
		for _, name := range added {
			ts := &targetState{st: TargetState{Target: name, Snapshot: Snapshot{Name: name, Status: sources.Unknown}}}
			if data, ok := stored[name]; ok {
				var st TargetState
				if err := json.Unmarshal(data, &st); err != nil {
					return fmt.Errorf("decode stored state of %s: %w", name, err)
				}
				ts.st, ts.committed, ts.material = st, data, markOf(&st)
			}
			keep[name] = ts
		}
	}
	r.tab.Store(newTable(targets, keep))
	for _, name := range removed {
		r.Metrics.forget(name)
	}
	// Removed targets leave the per-target collector's output by
	// themselves (it reads the table); the vectors need their series of
	// new targets made.
	r.Metrics.known(targets)
	return nil
}

// forget deletes a removed target's series, so /metrics stops showing a
// target that is no longer watched.
func (m *Metrics) forget(target string) {
	l := prometheus.Labels{"target": target}
	m.Polls.DeletePartialMatch(l)
	m.OpenOutages.DeletePartialMatch(l)
	m.Skipped.DeletePartialMatch(l)
}
