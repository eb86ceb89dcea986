package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// Registry is where replicas meet: heartbeats and the live set.
type Registry interface {
	Heartbeat(ctx context.Context, id, location string, lease time.Duration, now time.Time) error
	LiveReplicas(ctx context.Context, now time.Time) ([]Replica, error)
	Deregister(ctx context.Context, id string) error
}

// ResultWriter stores what a worker polled.
type ResultWriter interface {
	PutResult(ctx context.Context, r store.PollResult, failN, okN int) error
}

// Job is one target a worker may poll.
type Job struct {
	bot.Job
	Source  sources.Source
	Timeout time.Duration
	// Located is set for a probe run from locations: the worker polls it
	// from its own location when Locations is empty or lists it, and
	// writes a small result; otherwise the target is polled for all by one
	// replica, which writes the whole observation.
	Located   bool
	Locations []string
	// FailN and OKN are the target's thresholds, which judge each
	// location's streaks.
	FailN, OKN int

	// busy is set while a poll of the job runs (scheduled or catch-up).
	busy atomic.Bool
}

// Worker is what every replica of a fleet runs: it keeps the replica
// registered, learns the live replicas every Lease/3, and polls the jobs
// that fall to it.
type Worker struct {
	Registry Registry
	Results  ResultWriter
	ID       string
	Location string
	// Lease is how long a heartbeat keeps the replica live (the leader
	// lease's ttl); it is renewed every Lease/3.
	Lease time.Duration
	// Shard divides the jobs among the live replicas (of the job's
	// location, for a located probe); without it every replica of a
	// location runs that location's probes.
	Shard bool
	Jobs  []*Job
	Sched *bot.Scheduler
	Log   *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Polled, if set, is told of every poll made (for measurements).
	Polled func(target string, at time.Time)

	view atomic.Pointer[view]
	// catchUp receives the jobs to poll at once: those whose owner died.
	catchUp chan []*Job
	mine    []*Job
}

// view is the live set as last read.
type view struct {
	all, here []string // replica ids: all live, and those in this location
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// Run registers, then polls until ctx ends, and deregisters on the way out
// so that the others take over this replica's share at once.
func (w *Worker) Run(ctx context.Context) {
	every := w.Lease / 3
	for w.beat(ctx) != nil {
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
	byName := map[string]*Job{}
	jobs := make([]*bot.Job, 0, len(w.Jobs))
	for _, j := range w.Jobs {
		if j.Located && len(j.Locations) > 0 && !slices.Contains(j.Locations, w.Location) {
			continue // not run from here
		}
		byName[j.Name] = j
		jobs = append(jobs, &j.Job)
		w.mine = append(w.mine, j)
	}
	w.catchUp = make(chan []*Job, 1)
	go w.catchUps(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Sched.Run(ctx, jobs, func(ctx context.Context, bj *bot.Job) { w.poll(ctx, byName[bj.Name]) })
	}()
	tick := time.NewTicker(every)
	defer tick.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			<-done
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := w.Registry.Deregister(dctx, w.ID); err != nil {
				w.Log.Warn("could not leave the fleet; the others take over this replica's share when its heartbeat runs out", "err", err)
			}
			return
		case <-tick.C:
		}
		err := w.beat(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			failing = true
			w.Log.Error("cannot renew this replica's heartbeat; polling on with the last known replicas", "err", err)
		case err == nil && failing:
			failing = false
			w.Log.Info("heartbeat works again")
		}
	}
}

// beat renews the heartbeat and reads the live replicas.
func (w *Worker) beat(ctx context.Context) error {
	now := w.now()
	bctx, cancel := context.WithTimeout(ctx, w.Lease/3)
	defer cancel()
	if err := w.Registry.Heartbeat(bctx, w.ID, w.Location, w.Lease, now); err != nil {
		return err
	}
	live, err := w.Registry.LiveReplicas(bctx, now)
	if err != nil {
		return err
	}
	v := &view{}
	for _, r := range live {
		v.all = append(v.all, r.ID)
		if r.Location == w.Location {
			v.here = append(v.here, r.ID)
		}
	}
	// This replica is live by its own heartbeat even if the read raced it.
	if !slices.Contains(v.all, w.ID) {
		v.all, v.here = append(v.all, w.ID), append(v.here, w.ID)
		slices.Sort(v.all)
		slices.Sort(v.here)
	}
	if old := w.view.Swap(v); old == nil || !slices.Equal(old.all, v.all) {
		w.Log.Info("replicas in the fleet", "live", len(v.all), "here", len(v.here), "location", w.Location)
		if old != nil && w.catchUp != nil {
			if orphans := w.orphans(old, v); len(orphans) > 0 {
				select {
				case w.catchUp <- orphans:
				case <-ctx.Done():
				}
			}
		}
	}
	return nil
}

// orphans are the jobs that fall to this replica because their owner
// left: polled at once, since the dead owner's last poll may be most of
// an interval old already. (A job moved by a replica joining keeps its
// old owner until the new one's turn: no poll is doubled.)
func (w *Worker) orphans(old, now *view) []*Job {
	var out []*Job
	for _, j := range w.mine {
		if !w.Shard && j.Located {
			continue // every replica of the location runs it anyway
		}
		key, was, is := j.Name, old.all, now.all
		if j.Located {
			key, was, is = j.Name+"@"+w.Location, old.here, now.here
		}
		if prev := Owner(key, was); prev != w.ID && !slices.Contains(is, prev) && Owner(key, is) == w.ID {
			out = append(out, j)
		}
	}
	return out
}

// catchUps polls orphaned jobs, as many at once as the scheduler's
// workers.
func (w *Worker) catchUps(ctx context.Context) {
	n := w.Sched.Workers
	if n <= 0 {
		n = 64
	}
	sem := make(chan struct{}, n)
	for {
		select {
		case <-ctx.Done():
			return
		case jobs := <-w.catchUp:
			w.Log.Info("taking over the polls of replicas that left", "targets", len(jobs))
			for _, j := range jobs {
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					return
				}
				go func() {
					defer func() { <-sem }()
					w.poll(ctx, j)
				}()
			}
		}
	}
}

// Mine reports whether this replica polls the job now.
func (w *Worker) Mine(j *Job) bool {
	v := w.view.Load()
	switch {
	case v == nil:
		return false
	case j.Located && !w.Shard:
		return true
	case j.Located:
		return Owner(j.Name+"@"+w.Location, v.here) == w.ID
	}
	return Owner(j.Name, v.all) == w.ID
}

// poll polls one job if it is this replica's, and writes the result.
func (w *Worker) poll(ctx context.Context, j *Job) {
	if j == nil || !w.Mine(j) || !j.busy.CompareAndSwap(false, true) {
		return
	}
	defer j.busy.Store(false)
	pctx, cancel := context.WithTimeout(ctx, j.Timeout)
	start := time.Now()
	obs, err := j.Source.Poll(pctx)
	took := time.Since(start)
	cancel()
	if ctx.Err() != nil {
		return
	}
	if err == context.DeadlineExceeded {
		err = fmt.Errorf("no answer within %s: %w", j.Timeout, err)
	}
	at := w.now()
	if w.Polled != nil {
		w.Polled(j.Name, at)
	}
	r := resultOf(j, obs, err, took)
	r.Replica, r.At = w.ID, at
	if !j.Located {
		r.Location = ""
	} else {
		r.Location = w.Location
	}
	if err := w.Results.PutResult(ctx, r, j.FailN, j.OKN); err != nil && ctx.Err() == nil {
		w.Log.Warn("cannot store a poll result; the next poll tries again", "target", j.Name, "err", err)
	}
}

// wireObservation is how a whole observation travels to the leader: the
// observation and the poll's error as text.
type wireObservation struct {
	Obs    sources.Observation `json:"obs"`
	Error  string              `json:"error,omitempty"`
	TookNS int64               `json:"took_ns,omitempty"`
}

// resultOf is the row a poll writes.
func resultOf(j *Job, obs sources.Observation, err error, took time.Duration) store.PollResult {
	r := store.PollResult{Target: j.Name, OK: err == nil, Status: string(sources.Unknown), Latency: took}
	if err != nil {
		r.Error = err.Error()
	}
	if err == nil && len(obs.Components) > 0 {
		c := obs.Components[0]
		r.Status = string(c.Status)
		if j.Located {
			r.Latency = c.Latency
			r.OK = !c.Status.IsProblem() && c.Status != sources.Unknown
			if !r.OK {
				r.Error = c.Detail
			}
		}
	}
	if !j.Located {
		w := wireObservation{Obs: obs, TookNS: took.Nanoseconds()}
		if err != nil {
			w.Error = err.Error()
		}
		r.Observation, _ = json.Marshal(w)
	}
	return r
}
