package digest

import (
	"time"

	"github.com/robfig/cron/v3"
)

// allHours has a bit for each hour of the day in a cron.SpecSchedule.
const allHours = 1<<24 - 1

// WallClock wraps a parsed schedule so that a daylight-saving change neither
// drops nor doubles a run of a schedule at fixed hours ("30 2 * * *",
// "@daily"), as cron(8) does:
//
//   - a run whose wall-clock time falls in a skipped hour (02:30 on the
//     spring-forward day in Europe/Berlin) happens at the first instant after
//     the gap, 03:00 local time, instead of not at all that day
//     (robfig/cron drops it: https://github.com/robfig/cron/issues/541);
//   - a run in a repeated hour (02:30 on the fall-back day) happens only the
//     first time the clock shows it, not twice.
//
// Schedules that run every hour or more often follow real time: they have
// no run in a skipped hour and run again in a repeated one. Other schedules
// (@every) are returned unchanged.
func WallClock(s cron.Schedule) cron.Schedule {
	spec, ok := s.(*cron.SpecSchedule)
	if !ok || spec.Hour&allHours == allHours {
		return s
	}
	utc := *spec
	utc.Location = time.UTC
	return wallClock{spec: spec, utc: &utc}
}

type wallClock struct {
	spec *cron.SpecSchedule
	// utc is spec evaluated on naive wall-clock times (UTC has no
	// daylight-saving changes), to ask whether a wall time that a zone
	// skips would have matched.
	utc *cron.SpecSchedule
}

func (w wallClock) Next(t time.Time) time.Time {
	for {
		n := w.spec.Next(t)
		if g := w.gap(t, n); !g.IsZero() {
			return g.In(t.Location())
		}
		if n.IsZero() || !w.repeated(n) {
			return n
		}
		t = n
	}
}

func (w wallClock) location(t time.Time) *time.Location {
	if w.spec.Location == time.Local {
		// Like robfig/cron: a schedule without CRON_TZ runs in the zone of
		// the times it is given.
		return t.Location()
	}
	return w.spec.Location
}

// gap returns the first zone transition after t and before n that skips a
// wall-clock time the schedule matches, or the zero time.
func (w wallClock) gap(t, n time.Time) time.Time {
	if n.IsZero() {
		return time.Time{}
	}
	loc := w.location(t)
	cur := t.In(loc)
	for {
		_, end := cur.ZoneBounds()
		if end.IsZero() || !end.Before(n) {
			return time.Time{}
		}
		_, before := end.Add(-time.Second).In(loc).Zone()
		_, after := end.In(loc).Zone()
		if after > before {
			// The clock jumps from wall time `from` to `to`: the times in
			// between never happen on this day.
			from := time.Unix(end.Unix()+int64(before), 0).UTC()
			to := time.Unix(end.Unix()+int64(after), 0).UTC()
			if m := w.utc.Next(from.Add(-time.Second)); !m.IsZero() && m.Before(to) {
				return end
			}
		}
		cur = end.In(loc)
	}
}

// repeated reports whether n is the second time the clock shows its wall
// time (in the hour repeated when the clocks go back).
func (w wallClock) repeated(n time.Time) bool {
	local := n.In(w.location(n))
	start, _ := local.ZoneBounds()
	if start.IsZero() {
		return false
	}
	_, before := start.Add(-time.Second).In(local.Location()).Zone()
	_, now := local.Zone()
	back := time.Duration(before-now) * time.Second
	return back > 0 && n.Sub(start) < back
}

// Last returns the latest time s was due within (now-within, now], or the
// zero time when there is none. It looks back in growing steps, so a
// schedule of every minute with a week's window costs no more than a daily
// one. Schedules relative to their start (@every) have no fixed times to
// look back at: Last returns the zero time for them.
func Last(s cron.Schedule, now time.Time, within time.Duration) time.Time {
	if _, every := s.(cron.ConstantDelaySchedule); every || within <= 0 {
		return time.Time{}
	}
	for span := min(within, time.Hour); ; span = min(within, span*4) {
		var last time.Time
		for t := s.Next(now.Add(-span)); !t.IsZero() && !t.After(now); t = s.Next(t) {
			last = t
		}
		if !last.IsZero() || span == within {
			return last
		}
	}
}
