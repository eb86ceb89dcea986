package app

import (
	"context"
	"time"

	"github.com/outagebot/outagebot/statusview"
	"github.com/outagebot/outagebot/uptime"
)

const (
	// pruneCoverageEvery is how often the leader deletes old coverage.
	pruneCoverageEvery = time.Hour
	// coverageKept is how far back coverage is kept: the history the
	// status page and the API show, and a week more, so that a day is
	// never rolled up again without the gaps it had.
	coverageKept = (statusview.HistoryDays + 7) * uptime.DayLength
)

// pruneCoverage deletes the coverage older than the history shown (a
// steady target has one span; a new one begins only after a gap, so this
// bounds the rows of a target that the bot stops and starts often). The
// leader does it, once at the start and then hourly.
func (a *App) pruneCoverage(ctx context.Context) {
	every(ctx, pruneCoverageEvery, true, func() {
		if n, err := a.store.PruneCoverage(ctx, a.now().Add(-coverageKept)); err != nil && ctx.Err() == nil {
			a.log.Warn("cannot prune old coverage; retrying in an hour", "err", err)
		} else if n > 0 {
			a.log.Debug("pruned old coverage", "spans", n)
		}
	})
}

// every runs fn every d until ctx ends, first at once when atStart.
func every(ctx context.Context, d time.Duration, atStart bool, fn func()) {
	tick := time.NewTicker(d)
	defer tick.Stop()
	if atStart {
		fn()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		fn()
	}
}
