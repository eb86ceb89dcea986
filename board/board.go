// Package board keeps live status boards: one message per Discord channel
// with status_board = true, pinned and edited in place, and the Slack App
// Home tab of the users who opened it. A board shows every target routed
// to its channel(s), open outages first.
//
// Boards are the leader's work, each on its own goroutine, outside the
// dispatcher: an edit that waits for a rate limit or fails never holds up
// an outage notification.
package board

import (
	"slices"
	"strings"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Line is one target on a board.
type Line struct {
	Target string
	Status sources.Status
	// Since is when its oldest open outage opened (zero when none is open).
	Since time.Time
	// Title is that outage's title ("" when none is open).
	Title string
}

// Open reports whether the line needs attention.
func (l Line) Open() bool { return l.Status != sources.Operational || !l.Since.IsZero() }

// View is what a board reads: the runner's current state.
type View interface {
	Snapshots() []bot.Snapshot
	OpenOutages() []outage.Outage
}

// Lines returns the board of the targets for which keep is true (every
// target when keep is nil): those that need attention first, worst first,
// then the rest, each group in configuration order.
func Lines(v View, keep func(target string) bool) []Line {
	first := map[string]outage.Outage{}
	for _, o := range v.OpenOutages() { // oldest first
		if _, ok := first[o.Target]; !ok {
			first[o.Target] = o
		}
	}
	var out []Line
	for _, s := range v.Snapshots() {
		if keep != nil && !keep(s.Name) {
			continue
		}
		l := Line{Target: s.Name, Status: s.Status}
		if o, ok := first[s.Name]; ok {
			l.Since, l.Title = o.OpenedAt, o.Title
		}
		out = append(out, l)
	}
	slices.SortStableFunc(out, func(a, b Line) int {
		switch {
		case a.Open() != b.Open():
			if a.Open() {
				return -1
			}
			return 1
		case a.Open():
			return b.Status.Rank() - a.Status.Rank()
		}
		return 0
	})
	return out
}

// Routed returns a keep func for Lines: the targets whose names are in
// names (compared case-insensitively).
func Routed(names []string) func(string) bool {
	set := map[string]bool{}
	for _, n := range names {
		set[strings.ToLower(n)] = true
	}
	return func(t string) bool { return set[strings.ToLower(t)] }
}
