package app

import (
	"context"
	"sync"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/config"
)

// Once polls every target once, concurrently, and returns what each showed.
// It writes nothing: no store, no notifications.
func Once(ctx context.Context, cfg *config.Config, opts Options) ([]bot.Snapshot, error) {
	targets, err := buildTargets(cfg, opts, nil)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	e := &bot.Engine{}
	out := make([]bot.Snapshot, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() {
			pctx, cancel := context.WithTimeout(ctx, t.Timeout)
			obs, err := t.Source.Poll(pctx)
			cancel()
			st := bot.TargetState{Target: t.Name}
			pol := t.Policy
			// One look is all there is: an unreadable source is unknown now.
			pol.UnreachableThreshold = 1
			e.Apply(&st, pol, obs, err, now())
			out[i] = st.Snapshot
		})
	}
	wg.Wait()
	return out, nil
}
