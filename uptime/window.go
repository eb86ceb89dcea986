package uptime

import (
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Window is a span of time ending now that an uptime figure is measured
// over. The status page, the API, the badges, the chat's uptime command
// and the digests all measure through Of, so one target over one window
// reads the same everywhere.
type Window struct {
	// Days, when more than zero, makes a day window: today so far (UTC)
	// and the Days-1 UTC days before, as the page's 7d, 30d and 90d.
	Days int
	// Last is the length of any other window: the last Last exactly, as
	// the page's 24h.
	Last time.Duration
}

// Last24h, Last7d, Last30d and Last90d are the status page's windows.
var (
	Last24h = Window{Last: DayLength}
	Last7d  = Window{Days: 7}
	Last30d = Window{Days: 30}
	Last90d = Window{Days: 90}
)

// WindowOf is the window people mean by a duration typed in chat: whole
// days of two or more are a day window (7d reads as on the page, and so
// do 3d or 2w); anything else, 24h (the page's 24h) or 1d included, is
// the last that long exactly (12h, 36h, 1.5d).
func WindowOf(d time.Duration) Window {
	if d >= 2*DayLength && d%DayLength == 0 {
		return Window{Days: int(d / DayLength)}
	}
	return Window{Last: d}
}

// Start is when w begins at now, before first-seen is taken into account.
func (w Window) Start(now time.Time) time.Time {
	if w.Days > 0 {
		return Midnight(now).Add(-time.Duration(w.Days-1) * DayLength)
	}
	return now.Add(-w.Last)
}

// From is when w begins at now for a target first seen at firstSeen: no
// time before the bot first saw it is measured.
func (w Window) From(firstSeen, now time.Time) time.Time {
	return later(w.Start(now), firstSeen)
}

// Observed is what one target's uptime is measured from.
type Observed struct {
	// Seen says whether the bot ever saw the target; FirstSeen is when it
	// first did. An unseen target has no measured time.
	Seen      bool
	FirstSeen time.Time
	// Outages are the target's outages (every class) that were open at
	// some time in the window, with the spell it cannot be read now
	// (Unread) when there is one. Others are ignored.
	Outages []outage.Outage
	// Gaps are the times the bot was not observing the target.
	Gaps []Gap
}

// Measure is one target's uptime over a window.
type Measure struct {
	// From and To are the span measured: the window from first-seen on.
	From, To time.Time
	// Spent is how that span was spent: Down is the downtime to show
	// beside the share.
	Spent
	// Up is the share of the measured time that was up, from 0 to 1.
	Up float64
	// OK is false when no time was measured (the target was not seen in
	// the window, or all of it was maintenance or unknown): then there is
	// no share to show, not 100%.
	OK bool
}

// Percent is Up in percent.
func (m Measure) Percent() float64 { return 100 * m.Up }

// Of measures a target's uptime over w at now: maintenance and unknown
// time (unreachable, unread or not observed) on neither side, and only
// from when the bot first saw it.
func Of(w Window, o Observed, now time.Time) Measure {
	m := Measure{From: w.From(o.FirstSeen, now), To: now}
	if !o.Seen || !now.After(m.From) {
		return m
	}
	m.Spent = Within(o.Outages, o.Gaps, m.From, now, now)
	m.Up, m.OK = Share(m.From, now, m.Spent)
	return m
}

// Share is the share of [from, to) that was up, given how it was spent
// (Fraction of its length); ok is false when no time is left to measure.
// The status page calls it with the rolled-up days of a day window, which
// add up to what Within finds over the same span.
func Share(from, to time.Time, s Spent) (float64, bool) {
	if !to.After(from) {
		return 0, false
	}
	return Fraction(to.Sub(from), s)
}

// Reads is what the live engine says of a target's latest polls.
type Reads struct {
	Status    sources.Status
	Reachable bool
	// CheckedAt is the last poll; ReadAt the last one that read the
	// target; UnreachableSince the first failing poll in a row.
	CheckedAt, ReadAt, UnreachableSince time.Time
}

// Unread is the target's current spell of polls that could not read it,
// as an unreachable outage open since the spell began, when the live view
// says it cannot be read now; ok is false otherwise. firstSeen and
// lastResolved are the store's (the target must have been seen). No
// outage is stored for that time until unreachable_threshold polls have
// failed, and none at all while our own network is down (those polls are
// held back), yet it is not up: it is unknown, measured on neither side
// of the uptime. Counted with the stored outages as a union, it adds only
// the part that no recorded outage already covers.
//
// Only time after a poll that read the target is measured. The spell
// begins at the last such poll (ReadAt), or at UnreachableSince, the
// first failing poll in a row, if that is earlier (a state stored before
// ReadAt was kept). After a restart the held-back polls of a network
// outage begin a new UnreachableSince while the last read was before the
// restart: the time between, when the bot was not running, is unknown
// too. A state stored before either was kept has neither: then the later
// of first-seen and the end of the target's last outage (outages end on
// a poll that read the target). A target never read at all is unknown
// from first-seen on, and has no uptime: not from its first failing
// poll, which the store's first-seen (in milliseconds) may precede by a
// sliver that would count as measured and up.
func Unread(name string, r Reads, firstSeen, lastResolved, now time.Time) (outage.Outage, bool) {
	never := r.ReadAt.IsZero() && (r.Status == "" || r.Status == sources.Unknown)
	if r.Reachable || (r.CheckedAt.IsZero() && !never) {
		return outage.Outage{}, false
	}
	from := r.UnreachableSince
	if !r.ReadAt.IsZero() && (from.IsZero() || r.ReadAt.Before(from)) {
		from = r.ReadAt
	}
	switch {
	case never:
		from = firstSeen
	case from.IsZero():
		from = later(firstSeen, lastResolved)
	}
	from = later(from, firstSeen)
	if !now.After(from) {
		return outage.Outage{}, false
	}
	return outage.Outage{Target: name, Class: outage.Unreachable, Severity: sources.Unknown, OpenedAt: from}, true
}
