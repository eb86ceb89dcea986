// Package uptime measures outages against time: how long a target was
// down, in maintenance or unknown within a span or a UTC day, with
// overlapping outages of one target counted once (their union, never their
// sum). It is pure arithmetic over outage records and the bot's gaps (time
// it was not observing the target), shared by the store (which keeps a
// daily rollup) and the status view (which finishes the days that open
// outages still extend).
package uptime

import (
	"slices"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// DayLength is one UTC day.
const DayLength = 24 * time.Hour

// Day is one target's UTC day, as the daily rollup keeps it.
type Day struct {
	Target string
	// Date is midnight UTC.
	Date time.Time
	// Worst is the worst severity of the day's incident outages; else
	// maintenance when there was maintenance; else unknown when the feed
	// was unreachable.
	Worst sources.Status
	// Down, Maintenance and Unknown never overlap: time that is down is
	// not also maintenance, and unknown is what is left of unreachable
	// time and of the bot's gaps.
	Down, Maintenance, Unknown time.Duration
	// Outages are the day's outages, in the order they opened.
	Outages []DayOutage
}

// DayOutage is one outage's share of a day.
type DayOutage struct {
	ID       string         `json:"id"`
	Title    string         `json:"title"`
	Severity sources.Status `json:"severity"`
	Class    outage.Class   `json:"class"`
	// Duration is the part of the outage within the day.
	Duration time.Duration `json:"duration_ns"`
}

// Gap is time the bot was not observing a target (not running, not
// leading, its polls stalled): measured on neither side of the uptime,
// like unreachable time. An outage open across a gap still counts
// through it, as its recorded duration does everywhere else: down and
// maintenance come before unknown.
type Gap struct {
	From, To time.Time
}

// Spent is how a span of time was spent, the parts never overlapping.
type Spent struct {
	Down, Maintenance, Unknown time.Duration
}

// Midnight is the start of t's UTC day.
func Midnight(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

type span struct{ from, to time.Time }

// clip is the part of o within [from, to), an open outage running until
// now; ok is false when nothing is left.
func clip(o outage.Outage, from, to, now time.Time) (span, bool) {
	end := o.ResolvedAt
	if end.IsZero() || end.After(now) {
		end = now
	}
	s := span{o.OpenedAt, end}
	if s.from.Before(from) {
		s.from = from
	}
	if s.to.After(to) {
		s.to = to
	}
	return s, s.to.After(s.from)
}

// measure is the length of the union of spans (which it sorts).
func measure(spans []span) time.Duration {
	slices.SortFunc(spans, func(a, b span) int { return a.from.Compare(b.from) })
	var total time.Duration
	var cur span
	for i, s := range spans {
		switch {
		case i == 0:
			cur = s
		case !s.from.After(cur.to):
			if s.to.After(cur.to) {
				cur.to = s.to
			}
		default:
			total += cur.to.Sub(cur.from)
			cur = s
		}
	}
	if len(spans) > 0 {
		total += cur.to.Sub(cur.from)
	}
	return total
}

// gapSpan is the part of g within [from, to) and before now.
func gapSpan(g Gap, from, to, now time.Time) (span, bool) {
	s := span{later(g.From, from), earlier(earlier(g.To, to), now)}
	return s, s.to.After(s.from)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// Within is how the outages and gaps spent [from, to): each class's union,
// down first, then maintenance outside down, then unknown (unreachable
// outages and gaps) outside both. Open outages count until now. The
// outages and gaps may be of one target only.
func Within(outs []outage.Outage, gaps []Gap, from, to, now time.Time) Spent {
	var down, maint, unknown []span
	for _, o := range outs {
		s, ok := clip(o, from, to, now)
		if !ok {
			continue
		}
		switch o.Class {
		case outage.Incident:
			down = append(down, s)
		case outage.MaintenanceWork:
			maint = append(maint, s)
		case outage.Unreachable:
			unknown = append(unknown, s)
		}
	}
	for _, g := range gaps {
		if s, ok := gapSpan(g, from, to, now); ok {
			unknown = append(unknown, s)
		}
	}
	d := measure(down)
	dm := measure(append(slices.Clone(down), maint...))
	all := measure(append(append(slices.Clone(down), maint...), unknown...))
	return Spent{Down: d, Maintenance: dm - d, Unknown: all - dm}
}

// Since is outs as the bot counts them for a target first seen at
// firstSeen: none of their time before then. A vendor may date an
// incident hours before the bot first polled its page; that time was not
// observed, and counting it as down would weigh it against a measured
// span that starts at firstSeen. Outages that ended before firstSeen are
// dropped; a zero firstSeen clips nothing.
func Since(outs []outage.Outage, firstSeen time.Time) []outage.Outage {
	if firstSeen.IsZero() {
		return outs
	}
	var out []outage.Outage
	for i, o := range outs {
		if !o.OpenedAt.Before(firstSeen) {
			if out != nil {
				out = append(out, o)
			}
			continue
		}
		if out == nil {
			out = append(make([]outage.Outage, 0, len(outs)), outs[:i]...)
		}
		if !o.ResolvedAt.IsZero() && !o.ResolvedAt.After(firstSeen) {
			continue
		}
		o.OpenedAt = firstSeen
		out = append(out, o)
	}
	if out == nil {
		return outs
	}
	return out
}

// Days rolls one target's outages and gaps up into the UTC days from
// from's day to to's day (both included), open outages counting until now.
// Only days with some outage or gap time are returned, oldest first.
func Days(target string, outs []outage.Outage, gaps []Gap, from, to, now time.Time) []Day {
	outs = slices.Clone(outs)
	slices.SortStableFunc(outs, func(a, b outage.Outage) int { return a.OpenedAt.Compare(b.OpenedAt) })
	var out []Day
	for day := Midnight(from); !day.After(to); day = day.Add(DayLength) {
		end := day.Add(DayLength)
		d := Day{Target: target, Date: day}
		var present []outage.Outage
		for _, o := range outs {
			s, ok := clip(o, day, end, now)
			if !ok {
				continue
			}
			present = append(present, o)
			d.Outages = append(d.Outages, DayOutage{ID: o.ID, Title: o.Title, Severity: o.Severity, Class: o.Class, Duration: s.to.Sub(s.from)})
		}
		var missed []Gap
		for _, g := range gaps {
			if _, ok := gapSpan(g, day, end, now); ok {
				missed = append(missed, g)
			}
		}
		if len(present) == 0 && len(missed) == 0 {
			continue
		}
		spent := Within(present, missed, day, end, now)
		d.Down, d.Maintenance, d.Unknown = spent.Down, spent.Maintenance, spent.Unknown
		d.Worst = worst(present, len(missed) > 0)
		out = append(out, d)
	}
	return out
}

// worst is the day's colour: the worst incident severity, else
// maintenance, else unknown (an unreachable outage, or a gap).
func worst(outs []outage.Outage, gap bool) sources.Status {
	w := sources.Status("")
	maint, unknown := false, gap
	for _, o := range outs {
		switch o.Class {
		case outage.Incident:
			sev := o.Severity
			if sev.Rank() <= sources.Operational.Rank() || sev == sources.Maintenance {
				// An incident outage is down whatever it was last rated.
				sev = sources.Degraded
			}
			if w == "" || sev.Worse(w) {
				w = sev
			}
		case outage.MaintenanceWork:
			maint = true
		case outage.Unreachable:
			unknown = true
		}
	}
	switch {
	case w != "":
		return w
	case maint:
		return sources.Maintenance
	case unknown:
		return sources.Unknown
	}
	return sources.Operational
}

// Fraction is the share of [from, to) that was up, given how it was
// spent; maintenance and unknown time count on neither side. ok is false
// when no time is left to measure.
func Fraction(observed time.Duration, s Spent) (float64, bool) {
	measured := observed - s.Maintenance - s.Unknown
	if measured <= 0 {
		return 0, false
	}
	up := 1 - float64(s.Down)/float64(measured)
	return min(max(up, 0), 1), true
}
