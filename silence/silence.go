// Package silence turns the configured [[silence]] windows into mutes: a
// target inside a window is treated exactly like a target muted from the
// chat (bot.Mutes asks this package), so new outages are tracked but not
// announced, and threads already posted still get their updates and
// restoration.
package silence

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/digest"
)

// Window is one configured silence.
type Window struct {
	Reason string
	// targets are the lower-cased names of the targets it covers; nil
	// covers every target.
	targets map[string]bool
	// A scheduled window starts at each time of sched and lasts dur; a
	// one-off window runs from start to end.
	sched      cron.Schedule
	dur        time.Duration
	start, end time.Time
}

// Set is every configured window.
type Set []Window

var _ bot.Windows = Set(nil)

// FromConfig builds the windows of a validated configuration, with each
// window's targets resolved from names and groups to target names.
func FromConfig(cfg *config.Config) (Set, error) {
	var out Set
	for i, s := range cfg.Silences {
		w := Window{Reason: s.Reason}
		if len(s.Targets) > 0 {
			w.targets = map[string]bool{}
			for _, t := range cfg.Targets {
				if s.Matches(t) {
					w.targets[strings.ToLower(t.Name)] = true
				}
			}
		}
		if s.Schedule != "" {
			sched, err := config.ParseSchedule(s.Spec())
			if err != nil {
				return nil, fmt.Errorf("silence[%d].schedule: %w", i+1, err)
			}
			// Wall-clock semantics, as for digests: a window due in the hour
			// skipped by a daylight-saving change starts as the clock jumps
			// instead of not at all, and one in a repeated hour starts once.
			w.sched, w.dur = digest.WallClock(sched), s.Duration.Duration
		} else {
			w.start, w.end = s.Times()
		}
		out = append(out, w)
	}
	return out, nil
}

// Silenced returns a mute standing for the windows that cover target at at,
// ending when the last of them ends.
func (s Set) Silenced(target string, at time.Time) (bot.Mute, bool) {
	var m bot.Mute
	found := false
	for _, w := range s {
		until, ok := w.covers(target, at)
		if ok && (!found || until.After(m.Until)) {
			m = bot.Mute{Target: target, Until: until, By: "configuration", Reason: w.Reason, Scheduled: true}
			found = true
		}
	}
	return m, found
}

// covers reports whether w holds target back at at, and until when.
func (w Window) covers(target string, at time.Time) (time.Time, bool) {
	if w.targets != nil && !w.targets[strings.ToLower(target)] {
		return time.Time{}, false
	}
	if w.sched == nil {
		return w.end, !at.Before(w.start) && at.Before(w.end)
	}
	// The latest start in (at-dur, at]: when windows overlap (a schedule
	// more frequent than the duration) it ends last.
	start := digest.Last(w.sched, at, w.dur)
	if start.IsZero() {
		return time.Time{}, false
	}
	return start.Add(w.dur), true
}
