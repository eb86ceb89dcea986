package app

import (
	"context"
	"sync"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/sources/auto"
	"github.com/outagebot/outagebot/sources/fetch"
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

// AutoDetection is what type = "auto" found for one target.
type AutoDetection struct {
	Target config.Target
	Type   string
	URL    string
	Err    error
}

// DetectAuto detects the format of every type = "auto" target, concurrently,
// each within timeout.
func DetectAuto(ctx context.Context, cfg *config.Config, timeout time.Duration) []AutoDetection {
	client := httpClient(cfg, Options{})
	var out []AutoDetection
	for _, t := range cfg.Targets {
		if t.Type == "auto" {
			out = append(out, AutoDetection{Target: t})
		}
	}
	var wg sync.WaitGroup
	for i := range out {
		wg.Go(func() {
			dctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			c := client.WithRedirects(fetch.Redirects(out[i].Target.FollowRedirects))
			d, err := auto.Detect(dctx, c, out[i].Target.URL)
			out[i].Type, out[i].URL, out[i].Err = d.Type, d.URL, err
		})
	}
	wg.Wait()
	return out
}
