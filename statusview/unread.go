package statusview

import (
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/uptime"
)

// unread is the target's current spell of polls that could not read it
// (uptime.Unread), for a target the store has seen.
func unread(name string, snap bot.Snapshot, h store.TargetHistory, seen bool, now time.Time) (outage.Outage, bool) {
	if !seen {
		return outage.Outage{}, false
	}
	return uptime.Unread(name, snap.Reads(), h.FirstSeen, h.LastResolved, now)
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
