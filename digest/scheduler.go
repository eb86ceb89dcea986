package digest

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/outagebot/outagebot/store"
)

// Job is one configured digest.
type Job struct {
	// Key identifies the digest in the store across restarts; with the
	// scheduled time it identifies each run.
	Key      string
	Schedule cron.Schedule
	Window   time.Duration
	// Targets limits the digest to these targets; empty means all.
	Targets []string
	// Dests are the outbox destinations ("ops/slack") it is posted to.
	Dests []string
	// SkipIfQuiet records a quiet run (nothing happened, nothing down)
	// without posting it.
	SkipIfQuiet bool
	// Location is the zone the digest's times are written in (nil: UTC).
	Location *time.Location
	// Chart attaches the data of the digest's picture to its event.
	Chart bool
}

// Store is what the scheduler needs of the store.
type Store interface {
	// CommitDigest records a run and queues its event, atomically; sent is
	// false when the run had been recorded before.
	CommitDigest(ctx context.Context, d store.DigestSend) (sent bool, err error)
	// DigestArmed returns when key was first scheduled, recording now if it
	// never was.
	DigestArmed(ctx context.Context, key string, now time.Time) (time.Time, error)
}

// Scheduler posts digests on their schedules. It computes due times with
// Schedule.Next over its own clock and sleeps until the earliest one, so
// tests can drive it with a fake clock or testing/synctest.
//
// On start, each digest's latest scheduled time within the last window is
// sent if it was missed (the bot was down) and the digest was already
// configured then: the store's record of sent runs makes that a no-op when
// it was sent, so restarting any number of times sends it once. A run that
// fails (the store is unavailable) is retried every RetryEvery while it is
// less than a window old and no later run has come due. A run that panics is
// logged and given up; it never stops the bot.
type Scheduler struct {
	Jobs   []Job
	Inputs Inputs
	Store  Store
	Log    *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Notify, if set, is called after a digest was queued (to wake the
	// dispatcher).
	Notify func()
	// RetryEvery is the wait before retrying a failed run (default 30s).
	RetryEvery time.Duration
}

// slot is a job's place in the schedule.
type slot struct {
	job  Job
	next time.Time
	// retry is the scheduled time of a run that failed, zero if none;
	// retryAt is when to try it again.
	retry, retryAt time.Time
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Run sends digests until ctx is cancelled.
func (s *Scheduler) Run(ctx context.Context) {
	if len(s.Jobs) == 0 {
		return
	}
	retryEvery := s.RetryEvery
	if retryEvery <= 0 {
		retryEvery = 30 * time.Second
	}
	now := s.now()
	slots := make([]*slot, len(s.Jobs))
	for i, j := range s.Jobs {
		sl := &slot{job: j, next: j.Schedule.Next(now)}
		slots[i] = sl
		armed, err := s.Store.DigestArmed(ctx, j.Key, now)
		if err != nil {
			// Without the record a missed run cannot be told from one
			// before the digest existed: try it anyway, the sent record
			// still prevents a second post.
			s.log().Warn("cannot read when the digest was first scheduled", "digest", j.Key, "err", err)
		}
		if last := Last(j.Schedule, now, j.Window); !last.IsZero() && last.After(armed) {
			s.attempt(ctx, sl, last, now, retryEvery)
		}
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		wake := time.Time{}
		for _, sl := range slots {
			for _, t := range []time.Time{sl.next, sl.retryAt} {
				if !t.IsZero() && (wake.IsZero() || t.Before(wake)) {
					wake = t
				}
			}
		}
		if wake.IsZero() {
			// No schedule has a next time (one that can never match).
			<-ctx.Done()
			return
		}
		timer.Reset(max(wake.Sub(s.now()), 0))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		now := s.now()
		for _, sl := range slots {
			switch {
			case !sl.next.IsZero() && !sl.next.After(now):
				// Late by more than one period (a suspended machine): the
				// latest due run stands for the ones missed.
				due := sl.next
				for t := sl.job.Schedule.Next(due); !t.IsZero() && !t.After(now); t = sl.job.Schedule.Next(t) {
					due = t
				}
				sl.next = sl.job.Schedule.Next(now)
				s.attempt(ctx, sl, due, now, retryEvery)
			case !sl.retry.IsZero() && !sl.retryAt.After(now):
				s.attempt(ctx, sl, sl.retry, now, retryEvery)
			}
		}
	}
}

// attempt makes one run, arranging a retry when it fails.
func (s *Scheduler) attempt(ctx context.Context, sl *slot, scheduled, now time.Time, retryEvery time.Duration) {
	sl.retry, sl.retryAt = time.Time{}, time.Time{}
	log := s.log().With("digest", sl.job.Key, "scheduled", scheduled.UTC().Format(time.RFC3339))
	if now.Sub(scheduled) >= sl.job.Window {
		log.Error("giving up a digest that could not be sent within its window")
		return
	}
	sent, err := s.fire(ctx, sl.job, scheduled, now)
	switch {
	case err == nil:
		if sent {
			log.Info("digest queued")
			if s.Notify != nil {
				s.Notify()
			}
		} else {
			log.Debug("digest already sent")
		}
	case isPanic(err):
		log.Error("the digest panicked; skipping this run", "err", err)
	case ctx.Err() != nil:
	default:
		sl.retry, sl.retryAt = scheduled, now.Add(retryEvery)
		log.Warn("cannot send the digest; will retry", "retry_at", sl.retryAt.UTC().Format(time.RFC3339), "err", err)
	}
}

type panicError struct{ msg string }

func (e *panicError) Error() string { return e.msg }

func isPanic(err error) bool {
	_, ok := err.(*panicError)
	return ok
}

// fire builds the run of j scheduled at scheduled, at now, and commits it.
// It reports whether this call queued a message (false: the run had been
// recorded before, or it was quiet and skipped).
func (s *Scheduler) fire(ctx context.Context, j Job, scheduled, now time.Time) (sent bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			sent, err = false, &panicError{fmt.Sprintf("panic: %v\n%s", r, debug.Stack())}
		}
	}()
	d, err := Build(ctx, s.Inputs, j.Window, now, j.Targets)
	if err != nil {
		return false, err
	}
	d.Location = j.Location
	send := store.DigestSend{Key: j.Key, ScheduledAt: scheduled, At: now}
	if !(j.SkipIfQuiet && d.Quiet()) {
		ev := d.Event(j.Key, scheduled)
		if j.Chart {
			ev.Chart = d.Chart()
		}
		send.Event, send.Dests = &ev, j.Dests
	}
	ok, err := s.Store.CommitDigest(ctx, send)
	if err != nil {
		return false, err
	}
	return ok && send.Event != nil, nil
}
