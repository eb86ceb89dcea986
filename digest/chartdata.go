package digest

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Span is a stretch of a target's window that is not an outage but shows
// on the chart: maintenance work (Status maintenance) or a time its status
// could not be read (Status unknown).
type Span struct {
	Target string
	Status sources.Status
	Start  time.Time
	// End is zero while it goes on.
	End time.Time
}

// spans picks the maintenance and unreachable records of the window from
// the history, for the targets kept.
func spans(outs []outage.Outage, keep func(string) bool, since, now time.Time) []Span {
	var out []Span
	for _, o := range outs {
		var st sources.Status
		switch o.Class {
		case outage.MaintenanceWork:
			st = sources.Maintenance
		case outage.Unreachable:
			st = sources.Unknown
		default:
			continue
		}
		if !keep(o.Target) || o.OpenedAt.After(now) || (!o.ResolvedAt.IsZero() && o.ResolvedAt.Before(since)) {
			continue
		}
		sp := Span{Target: o.Target, Status: st, Start: o.OpenedAt, End: o.ResolvedAt}
		if sp.End.After(now) {
			sp.End = time.Time{}
		}
		out = append(out, sp)
	}
	slices.SortStableFunc(out, func(a, b Span) int { return a.Start.Compare(b.Start) })
	return out
}

// Chart is the data of the digest's picture: a lane per target with its
// uptime and its outages, maintenance and unknown spans as bars clipped to
// the window. Lanes are sorted worst first (most downtime, then most bars,
// then by name), so the picture does not depend on the order targets were
// configured or read in; beyond outage.MaxChartLanes the rest are counted.
// It is nil for a digest of no targets.
func (d Digest) Chart() *outage.Chart {
	if len(d.Uptime) == 0 {
		return nil
	}
	lanes := make([]outage.ChartLane, 0, len(d.Uptime))
	index := map[string]int{}
	for _, u := range d.Uptime {
		index[u.Target] = len(lanes)
		lanes = append(lanes, outage.ChartLane{Target: u.Target, Uptime: u.Percent, Unmeasured: u.Unmeasured, Down: u.Down})
	}
	bar := func(target string, st sources.Status, start, end time.Time) {
		i, ok := index[target]
		if !ok {
			return
		}
		if end.IsZero() || end.After(d.At) {
			end = d.At
		}
		if start.Before(d.Since) {
			start = d.Since
		}
		if !end.After(start) {
			return
		}
		lanes[i].Bars = append(lanes[i].Bars, outage.ChartBar{Start: start.UTC(), End: end.UTC(), Status: st})
	}
	for _, o := range d.Outages {
		if i, ok := index[o.Target]; ok {
			lanes[i].Outages++
		}
		bar(o.Target, o.Severity, o.Start, o.End)
	}
	for _, s := range d.Spans {
		bar(s.Target, s.Status, s.Start, s.End)
	}
	for i := range lanes {
		slices.SortStableFunc(lanes[i].Bars, func(a, b outage.ChartBar) int {
			return cmp.Or(a.Start.Compare(b.Start), a.End.Compare(b.End), cmp.Compare(a.Status.Rank(), b.Status.Rank()))
		})
	}
	slices.SortStableFunc(lanes, func(a, b outage.ChartLane) int {
		return cmp.Or(cmp.Compare(b.Down, a.Down), cmp.Compare(len(b.Bars), len(a.Bars)),
			strings.Compare(strings.ToLower(a.Target), strings.ToLower(b.Target)), strings.Compare(a.Target, b.Target))
	})
	c := &outage.Chart{Since: d.Since.UTC(), Until: d.At.UTC(), Zone: d.loc().String()}
	if len(lanes) > outage.MaxChartLanes {
		for _, l := range lanes[outage.MaxChartLanes:] {
			c.More++
			if l.Down > 0 {
				c.MoreDown++
			}
		}
		lanes = lanes[:outage.MaxChartLanes]
	}
	c.Lanes = lanes
	return c
}
