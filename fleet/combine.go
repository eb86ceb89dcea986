package fleet

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// Replica is a live replica, as the registry reports it.
type Replica = store.Replica

// Probe is a probe that several locations run, as the collector combines
// it.
type Probe struct {
	Name string
	// Locations it runs from; empty: every live location.
	Locations []string
	// Quorum is how many locations must fail; 0: a majority of them.
	Quorum   int
	Interval time.Duration
}

// Judgement is a probe's combined state: the observation handed to the
// engine (one component, failing when a quorum fails) and what each
// location saw.
type Judgement struct {
	Obs       sources.Observation
	Err       error
	Failing   bool
	Locations []bot.LocationSnapshot
}

// Why a location is left out of a quorum.
const (
	excludedNoReplica = bot.ExcludedNoReplica
	excludedStale     = bot.ExcludedStale
	excludedUnhealthy = bot.ExcludedUnhealthy
)

// errNoLocation is the poll error of a probe that no location reports on.
var errNoLocation = errors.New("no location has a recent result for this probe")

// Combine judges probe p from its locations' latest results rows (by
// location) at now: a location counts when a replica there is live (live
// locations), its network looks fine (not in unhealthy) and its result is
// recent (within stale); its verdict (store.PollResult.Verdict) is its
// own thresholds' judgement. The probe fails when at least a quorum of
// the counted locations fail, and is fine when fewer do.
func Combine(p Probe, rows map[string]store.PollResult, live []string, unhealthy map[string]bool, stale time.Duration, now time.Time) Judgement {
	locs := p.Locations
	if len(locs) == 0 {
		locs = live
	}
	quorum := p.Quorum
	if quorum <= 0 {
		quorum = len(locs)/2 + 1
	}
	var j Judgement
	var failing, fine, out []string
	var lat []time.Duration
	worst := sources.Operational
	for _, name := range locs {
		ls := bot.LocationSnapshot{Name: name, Status: sources.Unknown}
		r, seen := rows[name]
		if seen {
			ls.Status, ls.Latency, ls.CheckedAt, ls.Error = sources.Status(r.Status), r.Latency, r.At, r.Error
			if !r.OK && !ls.Status.IsProblem() {
				ls.Status = sources.MajorOutage
			}
		}
		switch {
		case !slices.Contains(live, name):
			ls.Excluded = excludedNoReplica
		case unhealthy[name]:
			ls.Excluded = excludedUnhealthy
		case !seen || now.Sub(r.At) > stale:
			ls.Excluded = excludedStale
		case r.Verdict == store.VerdictFailing:
			ls.Failing = true
		}
		switch {
		case ls.Excluded != "":
			out = append(out, name)
		case ls.Failing:
			failing = append(failing, name)
			worst = sources.Worst(worst, ls.Status)
		default:
			fine = append(fine, name)
			if r.OK {
				lat = append(lat, r.Latency)
			}
		}
		j.Locations = append(j.Locations, ls)
	}
	if len(failing)+len(fine) == 0 {
		j.Err = errNoLocation
		return j
	}
	j.Failing = len(failing) >= quorum
	c := sources.Component{Name: p.Name, Status: sources.Operational, Detail: where(failing, fine, out),
		Spread: &sources.Spread{Failing: failing, Fine: fine, Out: out}}
	if j.Failing {
		c.Status = worst
		if !c.Status.IsProblem() {
			c.Status = sources.MajorOutage
		}
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		c.Latency = lat[len(lat)/2]
	}
	j.Obs = sources.Observation{At: now, Components: []sources.Component{c}}
	return j
}

// where says where a probe fails: "failing from eu-west and us-east; fine
// from ap-south".
func where(failing, fine, out []string) string {
	var parts []string
	if len(failing) > 0 {
		parts = append(parts, "failing from "+list(failing))
	}
	if len(fine) > 0 {
		parts = append(parts, "fine from "+list(fine))
	}
	if len(out) > 0 {
		parts = append(parts, "left out: "+list(out))
	}
	return strings.Join(parts, "; ")
}

// list joins names as prose: "a", "a and b", "a, b and c".
func list(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return fmt.Sprintf("%s and %s", strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
}
