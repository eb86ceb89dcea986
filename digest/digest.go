// Package digest builds and schedules digests: a summary of what is down
// now, what broke in a recent window and for how long, uptime per target,
// the longest outage and the mean time to restore.
//
// Build is a pure function of the engine's current view and the store's
// outage history. The Scheduler runs the configured [[digest]] schedules and
// commits each digest through the store's outbox, together with a record
// that it was sent, so a digest is delivered like any outage event: never
// lost, never doubled, also across restarts.
package digest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Inputs are what a digest reads: the live engine and the outage history.
type Inputs struct {
	View    bot.View
	History bot.History
}

// Digest is the summary of one window, as plain data.
type Digest struct {
	// At is the end of the window (when the digest was built); Since is its
	// start.
	At     time.Time
	Since  time.Time
	Window time.Duration
	// Targets counts the targets summarised.
	Targets int
	// DownNow are the targets with a problem now, worst first.
	DownNow []Down
	// Unknown names the targets whose status cannot be read now.
	Unknown []string
	// Outages are the outages that were open at any time in the window,
	// oldest first.
	Outages []Outage
	// Uptime is every target's uptime over the window, in the order of the
	// engine's targets.
	Uptime []Uptime
	// Longest is the longest outage of the window (nil without outages).
	Longest *Outage
	// MTTR is the mean time to restore of the Restored outages that ended in
	// the window.
	MTTR     time.Duration
	Restored int
	// Upcoming are the vendors' scheduled maintenances that start after
	// At, soonest first.
	Upcoming []Maintenance
	// Location is the zone the digest's times are written in (nil: UTC).
	Location *time.Location
	// Spans are the maintenance work and the spans of unknown status in
	// the window, oldest first: not outages, but shown on the chart.
	Spans []Span
}

// Maintenance is a vendor's upcoming scheduled maintenance.
type Maintenance struct {
	Target string
	Title  string
	Start  time.Time
	// End is zero when the vendor gave none.
	End time.Time
}

// Down is a target with a problem now.
type Down struct {
	Target string
	Status sources.Status
	// Title and Since are those of its oldest open outage, if there is one.
	Title string
	Since time.Time
}

// Outage is one outage in the window.
type Outage struct {
	Target   string
	Title    string
	Severity sources.Status
	Start    time.Time
	// End is zero while the outage is ongoing.
	End time.Time
	// Duration is the whole outage's length (to At while ongoing), not only
	// the part inside the window.
	Duration time.Duration
}

// Ongoing reports whether the outage had not ended at the digest's time.
func (o Outage) Ongoing() bool { return o.End.IsZero() }

// Uptime is a target's share of the window without an open outage.
type Uptime struct {
	Target  string
	Percent float64
	Down    time.Duration
}

// Build summarises the window ending at now. targets, when not empty,
// limits the digest to those targets (names compared ignoring case).
func Build(ctx context.Context, in Inputs, window time.Duration, now time.Time, targets []string) (Digest, error) {
	if window <= 0 {
		return Digest{}, fmt.Errorf("digest window must be more than 0, not %s", window)
	}
	since := now.Add(-window)
	keep := func(name string) bool {
		return len(targets) == 0 || slices.ContainsFunc(targets, func(t string) bool { return strings.EqualFold(t, name) })
	}
	d := Digest{At: now, Since: since, Window: window}

	outs, err := in.History.Outages(ctx, since, "")
	if err != nil {
		return Digest{}, fmt.Errorf("read the outage history: %w", err)
	}
	d.Spans = spans(outs, keep, since, now)
	outs = slices.DeleteFunc(outs, func(o outage.Outage) bool {
		return o.Class != outage.Incident || !keep(o.Target) || o.OpenedAt.After(now) ||
			(!o.ResolvedAt.IsZero() && o.ResolvedAt.Before(since))
	})

	// Now.
	open := map[string]outage.Outage{}
	for _, o := range in.View.OpenOutages() {
		if o.Class != outage.Incident {
			continue
		}
		if cur, ok := open[o.Target]; !ok || o.OpenedAt.Before(cur.OpenedAt) {
			open[o.Target] = o
		}
	}
	snaps := slices.DeleteFunc(in.View.Snapshots(), func(s bot.Snapshot) bool { return !keep(s.Name) })
	d.Targets = len(snaps)
	for _, s := range snaps {
		switch {
		case s.Status == sources.Unknown:
			d.Unknown = append(d.Unknown, s.Name)
		case s.Status.IsProblem():
			dn := Down{Target: s.Name, Status: s.Status}
			if o, ok := open[s.Name]; ok {
				dn.Title, dn.Since = o.Title, o.OpenedAt
			}
			d.DownNow = append(d.DownNow, dn)
		}
	}
	slices.SortStableFunc(d.DownNow, func(a, b Down) int { return b.Status.Rank() - a.Status.Rank() })
	for _, sn := range snaps {
		for _, m := range sn.Maintenances {
			if m.Start.After(now) && (m.Status == "" || m.Status == sources.MaintenanceScheduled) {
				d.Upcoming = append(d.Upcoming, Maintenance{Target: sn.Name, Title: m.Title, Start: m.Start, End: m.End})
			}
		}
	}
	slices.SortStableFunc(d.Upcoming, func(a, b Maintenance) int { return a.Start.Compare(b.Start) })

	// The window.
	for _, o := range outs {
		x := Outage{Target: o.Target, Title: o.Title, Severity: o.Severity, Start: o.OpenedAt, End: o.ResolvedAt}
		end := o.ResolvedAt
		if end.IsZero() || end.After(now) {
			x.End, end = time.Time{}, now
		}
		x.Duration = end.Sub(o.OpenedAt)
		d.Outages = append(d.Outages, x)
	}
	slices.SortStableFunc(d.Outages, func(a, b Outage) int { return a.Start.Compare(b.Start) })
	var restored time.Duration
	for i, o := range d.Outages {
		if d.Longest == nil || o.Duration > d.Longest.Duration {
			d.Longest = &d.Outages[i]
		}
		if !o.Ongoing() {
			restored += o.Duration
			d.Restored++
		}
	}
	if d.Restored > 0 {
		d.MTTR = restored / time.Duration(d.Restored)
	}
	for _, s := range snaps {
		down := bot.Downtime(outs, s.Name, since, now)
		d.Uptime = append(d.Uptime, Uptime{Target: s.Name, Down: down, Percent: 100 * (1 - float64(down)/float64(window))})
	}
	return d, nil
}

// Quiet reports whether nothing happened in the window and nothing is down
// now.
func (d Digest) Quiet() bool { return len(d.Outages) == 0 && len(d.DownNow) == 0 }

// Title is the digest's headline: "Daily digest: 2 outages in the last
// 24h".
func (d Digest) Title() string {
	w := bot.FormatWindow(d.Window)
	var what string
	switch n := len(d.Outages); n {
	case 0:
		what = "no outages in the last " + w
	case 1:
		what = "1 outage in the last " + w
	default:
		what = fmt.Sprintf("%d outages in the last %s", n, w)
	}
	if n := len(d.DownNow); n == 1 {
		what += ", 1 target down now"
	} else if n > 1 {
		what += fmt.Sprintf(", %d targets down now", n)
	}
	return name(d.Window) + ": " + what
}

func name(window time.Duration) string {
	switch window {
	case 24 * time.Hour:
		return "Daily digest"
	case 7 * 24 * time.Hour:
		return "Weekly digest"
	}
	return "Digest"
}

// Sections are the digest's content, in reading order: now, summary,
// outages, uptime, upcoming maintenance and the period covered. Lines are plain text (no markup),
// so every platform can show them as they are.
func (d Digest) Sections() []outage.Section {
	w := bot.FormatWindow(d.Window)
	var out []outage.Section

	now := outage.Section{Heading: "Now"}
	for _, dn := range d.DownNow {
		line := fmt.Sprintf("%s %s: %s", bot.Emoji(dn.Status), dn.Target, dn.Status.Label())
		if dn.Title != "" {
			line += " — " + dn.Title
		}
		if !dn.Since.IsZero() {
			line += fmt.Sprintf(", since %s (%s)", d.clock(dn.Since), outage.FormatDuration(d.At.Sub(dn.Since)))
		}
		now.Lines = append(now.Lines, line)
	}
	if len(d.Unknown) > 0 {
		now.Lines = append(now.Lines, fmt.Sprintf("%s Status unknown: %s", bot.Emoji(sources.Unknown), strings.Join(d.Unknown, ", ")))
	}
	up := d.Targets - len(d.DownNow) - len(d.Unknown)
	switch {
	case up == d.Targets && up == 1:
		now.Lines = append(now.Lines, "✅ The target is up.")
	case up == d.Targets && up > 1:
		now.Lines = append(now.Lines, fmt.Sprintf("✅ All %d targets are up.", up))
	case up == 1:
		now.Lines = append(now.Lines, "✅ The other one is up.")
	case up > 1:
		now.Lines = append(now.Lines, fmt.Sprintf("✅ The other %d are up.", up))
	}
	out = append(out, now)

	if len(d.Outages) > 0 {
		sum := outage.Section{Heading: "Summary"}
		if l := d.Longest; l != nil {
			sum.Lines = append(sum.Lines, fmt.Sprintf("Longest outage: %s — %s, %s", l.Target, l.Title, lasted(*l)))
		}
		if d.Restored > 0 {
			noun := "outages"
			if d.Restored == 1 {
				noun = "outage"
			}
			sum.Lines = append(sum.Lines, fmt.Sprintf("Mean time to restore: %s (%d %s restored)", outage.FormatDuration(d.MTTR), d.Restored, noun))
		} else {
			sum.Lines = append(sum.Lines, "Mean time to restore: none restored yet")
		}
		out = append(out, sum)

		list := outage.Section{Heading: "Outages in the last " + w}
		for _, o := range d.Outages {
			icon := "✅"
			if o.Ongoing() {
				icon = bot.Emoji(o.Severity)
			}
			span := "since " + d.clock(o.Start)
			if !o.Ongoing() {
				span = d.clockSpan(o.Start, o.End)
			}
			list.Lines = append(list.Lines, fmt.Sprintf("%s %s: %s — %s, %s", icon, o.Target, o.Title, span, lasted(o)))
		}
		out = append(out, list)
	}

	if len(d.Uptime) > 0 {
		up := outage.Section{Heading: "Uptime over the last " + w}
		worst := slices.Clone(d.Uptime)
		slices.SortStableFunc(worst, func(a, b Uptime) int { return cmp.Compare(b.Down, a.Down) })
		full := 0
		for _, u := range worst {
			if u.Down == 0 {
				full++
				continue
			}
			up.Lines = append(up.Lines, fmt.Sprintf("%s: %s (down %s)", u.Target, bot.FormatPercent(u.Percent), outage.FormatDuration(u.Down)))
		}
		// Targets without downtime are summed up in one line: a digest of
		// 100 targets stays short.
		switch {
		case full == len(worst) && full == 1:
			up.Lines = append(up.Lines, worst[0].Target+": 100%")
		case full == len(worst):
			up.Lines = append(up.Lines, fmt.Sprintf("All %d targets: 100%%", full))
		case full == 1:
			for _, u := range worst {
				if u.Down == 0 {
					up.Lines = append(up.Lines, u.Target+": 100%")
				}
			}
		case full > 1:
			up.Lines = append(up.Lines, fmt.Sprintf("The other %d targets: 100%%", full))
		}
		out = append(out, up)
	}

	if len(d.Upcoming) > 0 {
		sec := outage.Section{Heading: "Upcoming maintenance"}
		for _, m := range d.Upcoming {
			span := d.clock(m.Start)
			if !m.End.IsZero() && m.End.After(m.Start) {
				span = d.clockSpan(m.Start, m.End)
			}
			title := m.Title
			if title == "" {
				title = "scheduled maintenance"
			}
			sec.Lines = append(sec.Lines, fmt.Sprintf("%s %s: %s — %s (in %s)", bot.Emoji(sources.Maintenance), m.Target, title, span, outage.FormatDuration(m.Start.Sub(d.At))))
		}
		out = append(out, sec)
	}

	out = append(out, outage.Section{Heading: "Period", Lines: []string{
		fmt.Sprintf("%s (%s)", d.clockSpan(d.Since, d.At), w),
	}})
	return out
}

// lasted is "1h 12m" for a restored outage, "ongoing, 2h so far" otherwise.
func lasted(o Outage) string {
	if o.Ongoing() {
		return "ongoing, " + outage.FormatDuration(o.Duration) + " so far"
	}
	return outage.FormatDuration(o.Duration)
}

// Answer is the digest as a command answer (`digest now`).
func (d Digest) Answer() bot.Answer {
	a := bot.Answer{Title: d.Title()}
	for _, s := range d.Sections() {
		a.Sections = append(a.Sections, bot.Section{Heading: s.Heading, Lines: s.Lines})
	}
	return a
}

// Text is the digest as plain text: the title, then the sections.
func (d Digest) Text() string { return d.Title() + "\n\n" + outage.FormatSections(d.Sections()) }

// Event is the digest as an outbox event: a message of its own, identified
// by the digest's key and the time it was scheduled for.
func (d Digest) Event(key string, scheduled time.Time) outage.Event {
	return outage.Event{
		OutageID: EventID(key, scheduled),
		Seq:      1,
		Kind:     outage.Digest,
		Class:    outage.DigestClass,
		Target:   name(d.Window),
		At:       d.At,
		Title:    d.Title(),
		Severity: d.severity(),
		Body:     outage.FormatSections(d.Sections()),
		OpenedAt: scheduled,
	}
}

// EventID is the OutageID of the digest key's run scheduled at t.
func EventID(key string, t time.Time) string {
	return fmt.Sprintf("digest:%s:%d", key, t.Unix())
}

// severity is the worst status now, for the colour of the message.
func (d Digest) severity() sources.Status {
	if len(d.DownNow) > 0 {
		return d.DownNow[0].Status
	}
	return sources.Operational
}

// clock is t in the digest's zone, "Mar 2 09:00 UTC" or "Mar 2 10:00 CET".
func (d Digest) clock(t time.Time) string { return t.In(d.loc()).Format("Jan 2 15:04 MST") }

// clockSpan is "Mar 2 07:00 – 08:12 UTC", with the end's date when it is
// another day, and the start's zone when it is another one.
func (d Digest) clockSpan(from, to time.Time) string {
	from, to = from.In(d.loc()), to.In(d.loc())
	start := from.Format("Jan 2 15:04")
	fz, _ := from.Zone()
	if tz, _ := to.Zone(); fz != tz {
		// Across a daylight-saving change: "01:30 CET – 03:30 CEST".
		start = from.Format("Jan 2 15:04 MST")
	}
	if from.Year() == to.Year() && from.YearDay() == to.YearDay() {
		return start + " – " + to.Format("15:04 MST")
	}
	return start + " – " + d.clock(to)
}

func (d Digest) loc() *time.Location {
	if d.Location == nil {
		return time.UTC
	}
	return d.Location
}
