package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/store"
)

// Store outages. Every engine step (the new state with the outages and
// events it produced) joins its target's queue before it is committed, and
// leaves it only once the store holds it. While commits fail, polls go on:
// the engine's state keeps moving in memory, each step waits in the queue,
// and Retry writes the queues through, each in order, once the store
// answers again. An outage that opens and ends while the store is down is
// therefore still announced, once, when it is back.
//
// Exactly once: a step whose commit failed may have landed anyway (a
// connection lost at COMMIT); before it is tried again the store is asked
// whether it holds the step's state, and if so it is not written twice.
//
// What the queue does not survive: a restart (it lives in memory; the next
// start carries on from the stored state, as after a crash), and losing the
// lead (DropPending: the new leader derives the same events from the store
// and its own polls, so writing them would double them).

const (
	// DefaultMaxPending bounds the steps held in memory, over all targets,
	// while the store fails: about 2 KB each, so 20 MB at most.
	DefaultMaxPending = 10000
	// DefaultRetryEvery is how often Retry tries the store while steps wait.
	DefaultRetryEvery = time.Second
	// commitTimeout bounds one commit. It is not cut short by shutdown
	// (the step is only real once stored), and it can be short: a commit
	// that times out stays queued and is checked before it is tried again.
	commitTimeout = 10 * time.Second
)

// step is one engine step waiting to be stored.
type step struct {
	c store.Commit
	// unsure is set once an attempt failed: it may have landed anyway, so
	// the store is asked before the step is written again.
	unsure bool
	// busy is set while a commit of the step is in flight: later states are
	// not folded into it then.
	busy bool
}

// storeTrouble is what Health reports while commits fail.
type storeTrouble struct {
	mu    sync.Mutex
	err   error
	since time.Time
	// full is set once the queue bound was hit during this trouble, so it
	// is logged once.
	full bool
}

func (r *Runner) maxPending() int64 {
	if r.MaxPending > 0 {
		return int64(r.MaxPending)
	}
	return DefaultMaxPending
}

// enqueue queues a step; ts.mu is held. A step without events only moves the
// state on, so it is folded into a tip without events (writing a state again
// is harmless, unlike an event). When the bound is reached the step is not
// queued and the engine goes back to the last queued state: its events are
// derived again by a later poll.
func (r *Runner) enqueue(ts *targetState, c store.Commit, mat materialMark, log *slog.Logger) {
	if n := len(ts.pending); n > 0 && len(c.Events) == 0 {
		if tip := ts.pending[n-1]; len(tip.c.Events) == 0 && !tip.busy {
			tip.c.State, tip.c.At = c.State, c.At
			tip.c.Outages = append(tip.c.Outages, c.Outages...)
			ts.material = mat
			return
		}
	}
	if n := r.pending.Load(); n > 0 && n >= r.maxPending() {
		r.trouble.mu.Lock()
		if !r.trouble.full {
			r.trouble.full = true
			log.Error("too many poll results waiting for the store; newer ones are not kept, and their events are derived again once the store answers", "max_pending", r.maxPending())
		}
		r.trouble.mu.Unlock()
		r.Metrics.PendingDropped.WithLabelValues("full").Inc()
		r.restore(ts, ts.tipState())
		return
	}
	ts.pending = append(ts.pending, &step{c: c})
	r.Metrics.Pending.Set(float64(r.pending.Add(1)))
	ts.material = mat
}

// tipState is the state the store will hold once ts's queue is written.
func (ts *targetState) tipState() []byte {
	if n := len(ts.pending); n > 0 {
		return ts.pending[n-1].c.State
	}
	return ts.committed
}

// flush writes ts's queue through, in order, until it is empty or a commit
// fails (the error). It returns nil at once when another flush of the target
// is running: that one writes what was queued.
func (r *Runner) flush(ctx context.Context, t *Target, ts *targetState) error {
	if !ts.commitMu.TryLock() {
		return nil
	}
	defer ts.commitMu.Unlock()
	log := r.Log.With("target", t.Name)
	for {
		ts.mu.Lock()
		if len(ts.pending) == 0 {
			ts.mu.Unlock()
			return nil
		}
		s := ts.pending[0]
		s.busy = true
		c, unsure := s.c, s.unsure
		ts.mu.Unlock()

		events, err := r.write(ctx, c, unsure)

		ts.mu.Lock()
		s.busy = false
		switch {
		case errors.Is(err, store.ErrNotLeader):
			// Another replica took over: this one is stepping down, and the
			// new leader derives these events from the store itself.
			r.dropLocked(ts)
			ts.mu.Unlock()
			return err
		case err != nil:
			s.unsure = true
			r.failing(ts, err, log)
			ts.mu.Unlock()
			return err
		}
		ts.pending[0] = nil
		ts.pending = ts.pending[1:]
		r.Metrics.Pending.Set(float64(r.pending.Add(-1)))
		ts.committed, ts.storedAt = c.State, r.now()
		r.recovered(ts, log)
		r.stored(ts, c, events, log)
		ts.mu.Unlock()
		r.resolved(ctx, c, events)
	}
}

// resolved tells OnResolved of the step's restorations, with no lock held:
// it reads and writes the store.
func (r *Runner) resolved(ctx context.Context, c store.Commit, events []outage.Event) {
	if r.OnResolved == nil {
		return
	}
	for _, ev := range events {
		// Quiet restorations too: the last outage of a story may end
		// muted while the thread it joined was posted.
		if ev.Kind == outage.Resolved && ev.Class == outage.Incident {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
			r.OnResolved(cctx, ev)
			cancel()
		}
	}
}

// write commits one step, unless an earlier attempt already landed.
func (r *Runner) write(ctx context.Context, c store.Commit, unsure bool) ([]outage.Event, error) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	defer cancel()
	if unsure && len(c.Events) > 0 {
		stored, err := r.Store.LoadState(cctx, c.Target)
		if err != nil {
			return nil, err
		}
		if stored != nil && string(stored) == string(c.State) {
			return c.Events, nil
		}
	}
	events, err := r.Store.Commit(cctx, c)
	if err != nil && !errors.Is(err, store.ErrNotLeader) && r.landed(cctx, c.Target, c.State) {
		// The commit took effect but its acknowledgement was lost (a
		// connection dropped at COMMIT): writing it again would announce
		// its events twice.
		return c.Events, nil
	}
	return events, err
}

// stored logs and counts a stored step's events and wakes the dispatcher;
// ts.mu is held.
func (r *Runner) stored(ts *targetState, c store.Commit, events []outage.Event, log *slog.Logger) {
	for _, ev := range events {
		msg := "outage " + string(ev.Kind)
		if ev.Class == outage.Unreachable {
			msg = map[outage.Kind]string{outage.Opened: "status data unavailable", outage.Resolved: "status data available again"}[ev.Kind]
		}
		log.Info(msg, "outage", ev.OutageID, "seq", ev.Seq, "severity", ev.Severity, "title", ev.Title)
		r.Metrics.Events.WithLabelValues(string(ev.Kind)).Inc()
	}
	r.Metrics.OpenOutages.WithLabelValues(c.Target).Set(float64(openIncidents(ts.st)))
	quiet := 0
	for _, ev := range events {
		for _, id := range c.Quiet {
			if ev.OutageID == id {
				quiet++
				break
			}
		}
	}
	if len(events) > quiet && r.Notify != nil {
		r.Notify()
	}
}

// failing records a failed commit of ts; ts.mu is held. The trouble is
// logged when it starts, not on every retry.
func (r *Runner) failing(ts *targetState, err error, log *slog.Logger) {
	r.Metrics.CommitErrors.Inc()
	r.trouble.mu.Lock()
	defer r.trouble.mu.Unlock()
	r.trouble.err = err
	if ts.failed {
		return
	}
	ts.failed = true
	if r.storeFailing.Add(1) == 1 {
		r.trouble.since, r.trouble.full = r.now(), false
		r.Metrics.StoreFailing.Set(1)
		log.Error("cannot store poll results; polling goes on, and the results are kept in memory and written once the store answers", "err", err, "max_pending", r.maxPending())
	}
}

// recovered records that ts's commits work again; ts.mu is held.
func (r *Runner) recovered(ts *targetState, log *slog.Logger) {
	if !ts.failed {
		return
	}
	ts.failed = false
	r.trouble.mu.Lock()
	defer r.trouble.mu.Unlock()
	if r.storeFailing.Add(-1) == 0 {
		r.trouble.err = nil
		r.Metrics.StoreFailing.Set(0)
		log.Info("storing poll results works again", "down_for", r.now().Sub(r.trouble.since).Round(time.Millisecond))
	}
}

// dropLocked discards ts's queue and goes back to the stored state; ts.mu is
// held.
func (r *Runner) dropLocked(ts *targetState) int {
	// The observation goes with the lead: the new leader records its own.
	ts.cover = coverage{}
	n := len(ts.pending)
	if n > 0 {
		ts.pending = nil
		r.Metrics.Pending.Set(float64(r.pending.Add(-int64(n))))
		r.Metrics.PendingDropped.WithLabelValues("not_leader").Add(float64(n))
	}
	if ts.failed {
		// Not a store failure any more: the writes are refused.
		ts.failed = false
		r.trouble.mu.Lock()
		if r.storeFailing.Add(-1) == 0 {
			r.trouble.err = nil
			r.Metrics.StoreFailing.Set(0)
		}
		r.trouble.mu.Unlock()
	}
	r.restore(ts, ts.committed)
	return n
}

// DropPending discards every queued step and takes the engine back to the
// states last stored. The app calls it when another replica has taken over:
// that one derives the same events from the store and its own polls, so
// writing them would announce them twice. It returns how many steps it
// dropped.
func (r *Runner) DropPending() int {
	n := 0
	tab := r.tab.Load()
	for _, name := range tab.order {
		ts := tab.states[name]
		ts.commitMu.Lock()
		ts.mu.Lock()
		n += r.dropLocked(ts)
		ts.mu.Unlock()
		ts.commitMu.Unlock()
	}
	return n
}

// Pending is how many steps wait to be stored.
func (r *Runner) Pending() int { return int(r.pending.Load()) }

// Flush writes the queued steps through, each target's in order. It stops at
// the first failure (the store is still down) and the next Flush starts with
// the target after, so that one target whose commits fail for a reason of
// its own cannot hold up the others.
func (r *Runner) Flush(ctx context.Context) error {
	if r.pending.Load() == 0 {
		return nil
	}
	tab := r.tab.Load()
	n := len(tab.order)
	for i := range n {
		k := (r.flushFrom + i) % n
		ts := tab.states[tab.order[k]]
		ts.mu.Lock()
		waiting := len(ts.pending) > 0
		ts.mu.Unlock()
		if !waiting {
			continue
		}
		if err := r.flush(ctx, tab.targets[tab.order[k]], ts); err != nil {
			r.flushFrom = (k + 1) % n
			return err
		}
	}
	return nil
}

// Retry writes queued steps through every RetryEvery until ctx ends. The
// leader runs it next to the scheduler.
func (r *Runner) Retry(ctx context.Context) {
	every := r.RetryEvery
	if every <= 0 {
		every = DefaultRetryEvery
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		_ = r.Flush(ctx)
	}
}

// Health is nil unless commits fail: then it says since when, how many poll
// results wait in memory, and why. (A step being committed right now is
// queued too, but that is no trouble.)
func (r *Runner) Health() error {
	if r.storeFailing.Load() == 0 {
		return nil
	}
	r.trouble.mu.Lock()
	defer r.trouble.mu.Unlock()
	return fmt.Errorf("cannot store poll results since %s; %d held in memory (at most %d): %w",
		r.trouble.since.UTC().Format(time.RFC3339), r.pending.Load(), r.maxPending(), r.trouble.err)
}
