package fleet

import (
	"fmt"
	"slices"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// DefaultHealthMin is the fewest probes a location must run for "every
// one fails" to mean the location's own network: with one, its target's
// trouble and the location's look the same.
const DefaultHealthMin = 2

// NoticeKey is the state key of a location's notice, beside the targets'
// states.
func NoticeKey(location string) string { return "outagebot:location:" + location }

// Health is the "it's us, not them" rule for each location, a pure step
// like bot.NetworkWatch: a location whose every probe's latest result
// fails, while another location reaches at least one of them, is
// unhealthy. Its results are left out of every quorum, and one notice says
// so, instead of an outage of each probe.
type Health struct {
	// Min is the fewest probes for which the rule applies (default
	// DefaultHealthMin); negative turns it off.
	Min int
	// NewID makes a notice's outage id.
	NewID func() string
	// Notices are the open notices, by location.
	Notices map[string]*outage.Outage
}

// NoticeChange is a notice that opened or ended, to be committed.
type NoticeChange struct {
	Location string
	// Notice is the open notice after the change (nil once it ended), the
	// state to store under NoticeKey(Location).
	Notice  *outage.Outage
	Outages []outage.Outage
	Events  []outage.Event
}

// Unhealthy returns the locations among live whose network looks down:
// each runs at least Min probes with a recent result (within stale of
// now), the latest result of every one of them failed, and another live
// location's latest result of at least one of them is fine.
func (h *Health) Unhealthy(probes []Probe, rows map[string]map[string]store.PollResult, live []string, stale time.Duration, now time.Time) map[string]bool {
	min := h.Min
	if min == 0 {
		min = DefaultHealthMin
	}
	out := map[string]bool{}
	if min < 0 {
		return out
	}
	fresh := func(p Probe, loc string) (store.PollResult, bool) {
		r, ok := rows[p.Name][loc]
		return r, ok && now.Sub(r.At) <= stale && (len(p.Locations) == 0 || slices.Contains(p.Locations, loc))
	}
	for _, loc := range live {
		n, failing, elsewhere := 0, 0, false
		for _, p := range probes {
			r, ok := fresh(p, loc)
			if !ok {
				continue
			}
			n++
			if r.OK {
				break
			}
			failing++
			for _, other := range live {
				if o, ok := fresh(p, other); ok && other != loc && o.OK {
					elsewhere = true
				}
			}
		}
		if n >= min && failing == n && elsewhere {
			out[loc] = true
		}
	}
	return out
}

// Step opens a notice for each location newly unhealthy and ends the
// notice of each one no longer so (or no longer live: a location that
// left says nothing more).
func (h *Health) Step(unhealthy map[string]bool, now time.Time) []NoticeChange {
	if h.Notices == nil {
		h.Notices = map[string]*outage.Outage{}
	}
	var out []NoticeChange
	for _, loc := range sortedKeys(unhealthy) {
		if h.Notices[loc] == nil {
			out = append(out, h.begin(loc, now))
		}
	}
	for _, loc := range sortedKeys(h.Notices) {
		if !unhealthy[loc] {
			out = append(out, h.end(loc, now))
		}
	}
	return out
}

func (h *Health) begin(loc string, now time.Time) NoticeChange {
	id := fmt.Sprintf("location-%s-%d", loc, now.UnixMilli())
	if h.NewID != nil {
		id = h.NewID()
	}
	o := &outage.Outage{ID: id, Target: outage.SelfTarget, Key: "location:" + loc, Class: outage.Unreachable,
		Title: "Probes from " + loc + " reach nothing", Severity: sources.Unknown, OpenedAt: now}
	h.Notices[loc] = o
	body := fmt.Sprintf("Every probe run from %s failed while other locations reach them: %s's own network looks down. "+
		"Its results are left out of every quorum until it reaches something again.", loc, loc)
	return NoticeChange{Location: loc, Notice: o, Outages: []outage.Outage{*o}, Events: []outage.Event{o.Event(outage.Opened, now, body)}}
}

func (h *Health) end(loc string, now time.Time) NoticeChange {
	o := *h.Notices[loc]
	delete(h.Notices, loc)
	if now.Before(o.OpenedAt) {
		now = o.OpenedAt
	}
	o.ResolvedAt = now
	body := fmt.Sprintf("%s reaches its probes again; its results count again.", loc)
	return NoticeChange{Location: loc, Outages: []outage.Outage{o}, Events: []outage.Event{o.Event(outage.Resolved, now, body)}}
}

// Undo puts back a location's notice as it was before a step whose commit
// failed, so that the next step takes it again.
func (h *Health) Undo(loc string, before *outage.Outage) {
	if before == nil {
		delete(h.Notices, loc)
	} else {
		h.Notices[loc] = before
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
