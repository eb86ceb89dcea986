package statusview

import (
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/uptime"
)

// unread is the target's current spell of polls that could not read it,
// as an unreachable outage open since the spell began, when the live view
// says it cannot be read now; ok is false otherwise. No outage is stored
// for that time until unreachable_threshold polls have failed, and none
// at all while our own network is down (those polls are held back), yet
// it is not up: it is unknown, measured on neither side of the uptime.
// Counted with the stored outages as a union, it adds only the part that
// no recorded outage already covers.
//
// The spell begins at the snapshot's UnreachableSince, the first failing
// poll in a row. A state stored before that was kept lacks it: then the
// later of first-seen and the end of the target's last outage (outages
// end on a poll that read the target, so it was known reachable then),
// which is first-seen when nothing better is known. A target never read
// at all is thus unknown from its first poll on, and has no uptime.
func unread(name string, snap bot.Snapshot, h store.TargetHistory, seen bool, now time.Time) (outage.Outage, bool) {
	never := snap.Status == "" || snap.Status == sources.Unknown
	if !seen || snap.Reachable || (snap.CheckedAt.IsZero() && !never) {
		return outage.Outage{}, false
	}
	from := snap.UnreachableSince
	if from.IsZero() {
		from = later(h.FirstSeen, h.LastResolved)
	}
	from = later(from, h.FirstSeen)
	if !now.After(from) {
		return outage.Outage{}, false
	}
	return outage.Outage{Target: name, Class: outage.Unreachable, Severity: sources.Unknown, OpenedAt: from}, true
}

// withUnread adds the unread spell u to the rolled-up days (oldest first,
// from first on): each day gains as unknown the part of u that the known
// outages do not cover, and a day with nothing else becomes unknown.
// known are the target's outages that may overlap u: those open now and
// those since yesterday; one that ended within u before that is a poll
// that read the target, which ends u, so none is missed.
func withUnread(days []uptime.Day, name string, known []outage.Outage, u outage.Outage, first, now time.Time) []uptime.Day {
	with := append(known[:len(known):len(known)], u)
	out := make([]uptime.Day, 0, len(days)+1)
	j := 0
	for day := uptime.Midnight(later(u.OpenedAt, first)); !day.After(now); day = day.Add(uptime.DayLength) {
		for j < len(days) && days[j].Date.Before(day) {
			out = append(out, days[j])
			j++
		}
		end := day.Add(uptime.DayLength)
		var extra time.Duration
		if len(known) == 0 {
			// The common case (a feed that cannot be read and never went
			// down): u alone, with no union to take.
			extra = uptime.Within(with, day, end, now).Unknown
		} else {
			extra = total(uptime.Within(with, day, end, now)) - total(uptime.Within(known, day, end, now))
		}
		d, stored := uptime.Day{Target: name, Date: day, Worst: sources.Operational}, false
		if j < len(days) && days[j].Date.Equal(day) {
			d, stored = days[j], true
			j++
		}
		if extra <= 0 {
			if stored {
				out = append(out, d)
			}
			continue
		}
		d.Unknown += extra
		if d.Worst == "" || d.Worst == sources.Operational {
			d.Worst = sources.Unknown
		}
		out = append(out, d)
	}
	return append(out, days[j:]...)
}

func total(s uptime.Spent) time.Duration { return s.Down + s.Maintenance + s.Unknown }
