package bot

import (
	"context"
	"errors"
	"time"

	"github.com/outagebot/outagebot/store"
)

// Coverage: the store keeps, per target, the spans of time during which
// the bot was observing it, so that time it was not (stopped, crashed,
// upgraded, no replica leading, our own network down) is unknown rather
// than up. Every poll the engine applies (a combined verdict, for a
// target other locations poll) extends the target's span in memory; the
// leader writes the spans every CoverEvery in one transaction, so a steady
// poll still writes nothing itself. A crash loses at most CoverEvery of
// coverage, which shows as unknown, never as up.

const (
	// DefaultCoverEvery is how often the spans are written.
	DefaultCoverEvery = time.Minute
	// coverTimeout bounds one write of the spans, the last one at
	// shutdown included.
	coverTimeout = 10 * time.Second
)

// Coverer records spans of observation (store.Store).
type Coverer interface {
	Cover(ctx context.Context, spans []store.Coverage, now time.Time) error
}

// coverage is one target's spans not yet written, the last one still
// growing, and how far that one was written.
type coverage struct {
	spans   []store.Coverage
	written time.Time
}

func (r *Runner) coverEvery() time.Duration {
	if r.CoverEvery > 0 {
		return r.CoverEvery
	}
	return DefaultCoverEvery
}

// coverGrace is the longest break in a target's observation that is not a
// gap: three polls (the scheduler's jitter and a slow poll stay well
// inside, and no threshold of the engine reacts to fewer), and at least
// three writes, so that the write lost to a crash and a quick restart
// (an upgrade) are not a gap either.
func (r *Runner) coverGrace(t *Target) time.Duration {
	return max(3*t.Interval, 3*r.coverEvery())
}

// observed extends t's span to now; ts.mu is held.
func (r *Runner) observed(ts *targetState, t *Target, now time.Time) {
	c := &ts.cover
	if n := len(c.spans); n > 0 {
		last := &c.spans[n-1]
		if !now.After(last.To) {
			return
		}
		if now.Sub(last.To) <= last.Grace {
			last.To = now
			return
		}
	}
	c.spans = append(c.spans, store.Coverage{Target: t.Name, From: now, To: now, Grace: r.coverGrace(t)})
}

// FlushCoverage writes the spans that grew since the last write, every
// target's in one transaction. The spans stay in memory until written; a
// replica that lost the lead drops them (the new leader keeps its own).
func (r *Runner) FlushCoverage(ctx context.Context) error {
	cv, ok := r.Store.(Coverer)
	if !ok {
		return nil
	}
	tab := r.tab.Load()
	// took is what each target gave: how many spans, and the end of its
	// last.
	type taken struct {
		ts *targetState
		n  int
		to time.Time
	}
	var (
		spans []store.Coverage
		took  []taken
	)
	for _, name := range tab.order {
		ts := tab.states[name]
		ts.mu.Lock()
		c := ts.cover
		if n := len(c.spans); n > 1 || (n == 1 && !c.spans[0].To.Equal(c.written)) {
			spans = append(spans, c.spans...)
			took = append(took, taken{ts, n, c.spans[n-1].To})
		}
		ts.mu.Unlock()
	}
	if len(spans) == 0 {
		return nil
	}
	err := cv.Cover(ctx, spans, r.now())
	if err != nil && !errors.Is(err, store.ErrNotLeader) {
		return err
	}
	for _, tk := range took {
		tk.ts.mu.Lock()
		if err != nil {
			tk.ts.cover = coverage{}
		} else {
			// Polls since may have grown the last span written (it is
			// written again next time) or begun new ones after it.
			tk.ts.cover.written = tk.to
			tk.ts.cover.spans = tk.ts.cover.spans[tk.n-1:]
		}
		tk.ts.mu.Unlock()
	}
	return err
}

// Cover writes the spans every CoverEvery until ctx ends, and once more
// then, so that a clean stop leaves no unwritten coverage. The leader runs
// it next to the scheduler.
func (r *Runner) Cover(ctx context.Context) {
	flush := func(ctx context.Context) {
		fctx, cancel := context.WithTimeout(ctx, coverTimeout)
		defer cancel()
		r.logCover(r.FlushCoverage(fctx))
	}
	tick := time.NewTicker(r.coverEvery())
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			flush(context.WithoutCancel(ctx))
			return
		case <-tick.C:
		}
		flush(ctx)
	}
}

func (r *Runner) logCover(err error) {
	if err == nil || errors.Is(err, store.ErrNotLeader) || errors.Is(err, context.Canceled) {
		return
	}
	r.Log.Warn("cannot record which targets the bot observed; retrying with the next write", "err", err)
}
