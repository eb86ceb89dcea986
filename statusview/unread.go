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
// Only time after a poll that read the target is measured. The spell
// begins at the last such poll (the snapshot's ReadAt), or at its
// UnreachableSince, the first failing poll in a row, if that is earlier
// (a state stored before ReadAt was kept). After a restart the held-back
// polls of a network outage begin a new UnreachableSince while the last
// read was before the restart: the time between, when the bot was not
// running, is unknown too. A state stored before either was kept has
// neither: then the later of first-seen and the end of the target's last
// outage (outages end on a poll that read the target). A target never
// read at all is unknown from first-seen on, and has no uptime: not from
// its first failing poll, which the store's first-seen (in milliseconds)
// may precede by a sliver that would count as measured and up.
func unread(name string, snap bot.Snapshot, h store.TargetHistory, seen bool, now time.Time) (outage.Outage, bool) {
	never := snap.ReadAt.IsZero() && (snap.Status == "" || snap.Status == sources.Unknown)
	if !seen || snap.Reachable || (snap.CheckedAt.IsZero() && !never) {
		return outage.Outage{}, false
	}
	from := snap.UnreachableSince
	if !snap.ReadAt.IsZero() && (from.IsZero() || snap.ReadAt.Before(from)) {
		from = snap.ReadAt
	}
	switch {
	case never:
		from = h.FirstSeen
	case from.IsZero():
		from = later(h.FirstSeen, h.LastResolved)
	}
	from = later(from, h.FirstSeen)
	if !now.After(from) {
		return outage.Outage{}, false
	}
	return outage.Outage{Target: name, Class: outage.Unreachable, Severity: sources.Unknown, OpenedAt: from}, true
}

func withUnread(days []uptime.Day, name string, known []outage.Outage, gaps []uptime.Gap, u outage.Outage, first, now time.Time) []uptime.Day {
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
		if len(known) == 0 && len(gaps) == 0 {
			// The common case (a feed that cannot be read and never went
			// down): u alone, with no union to take.
			extra = uptime.Within(with, nil, day, end, now).Unknown
		} else {
			// The rolled-up day counts the gaps already.
			extra = total(uptime.Within(with, gaps, day, end, now)) - total(uptime.Within(known, gaps, day, end, now))
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
