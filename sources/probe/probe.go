// Package probe checks internal endpoints directly: one file per probe kind
// (http.go; tcp.go, dns.go and tlscert.go follow the same shape).
//
// A probe's Poll returns one component, "endpoint", whose Status says how the
// check went and whose Detail says why in a few words. A failing endpoint is
// not a Poll error, since it is what the probe measures; Poll fails only when
// its context is canceled (shutdown). Probes log nothing: the engine reports
// state changes.
package probe

import (
	"context"
	"errors"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

// ComponentID is the ID of the single component a probe reports.
const ComponentID = "endpoint"

// DefaultTimeout bounds a probe whose context has no deadline.
const DefaultTimeout = 10 * time.Second

// result builds the observation a probe returns.
func result(name string, status sources.Status, latency time.Duration, detail string) sources.Observation {
	return sources.Observation{
		At: time.Now(),
		Components: []sources.Component{{
			ID:      ComponentID,
			Name:    name,
			Status:  status,
			Latency: latency,
			Detail:  detail,
		}},
	}
}

// canceled reports whether ctx was canceled (shutdown), as opposed to having
// run out of time (a timeout is a probe result).
func canceled(ctx context.Context) bool { return errors.Is(ctx.Err(), context.Canceled) }

// budget is how long a probe started now may take.
func budget(ctx context.Context, start time.Time) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		return d.Sub(start)
	}
	return 0
}

// slowDetail is the Detail of a check that passed too slowly.
func slowDetail(latency, threshold time.Duration) string {
	return "slow: " + fetch.FormatDuration(latency) + ", threshold " + fetch.FormatDuration(threshold)
}
