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
	"github.com/outagebot/outagebot/digest/internal/words"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/uptime"
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
	// Title and Since are those of its oldest open outage, if there is one;
	// TitleSaid is Title as a catalog message when the bot gave it.
	Title     string
	TitleSaid *outage.Text
	Since     time.Time
}

// Outage is one outage in the window.
type Outage struct {
	Target string
	Title  string
	// TitleSaid is Title as a catalog message when the bot gave the
	// outage its title ("Down"), nil for a vendor's.
	TitleSaid *outage.Text
	Severity  sources.Status
	Start     time.Time
	// End is zero while the outage is ongoing.
	End time.Time
	// Duration is the whole outage's length (to At while ongoing), not only
	// the part inside the window.
	Duration time.Duration
}

// Ongoing reports whether the outage had not ended at the digest's time.
func (o Outage) Ongoing() bool { return o.End.IsZero() }

// Uptime is a target's uptime over the window, measured as the status
// page measures it (bot.Uptimes): maintenance and unknown time on neither
// side, and only from when the bot first saw the target.
type Uptime struct {
	Target string
	// Unmeasured says no time of the window was measured: then there is
	// no Percent to show.
	Unmeasured bool
	Percent    float64
	// Down is the downtime within the measured time.
	Down time.Duration
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
	// The uptimes below measure from this same read; the list keeps only
	// incidents.
	all := slices.Clone(outs)
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
				dn.Title, dn.TitleSaid, dn.Since = o.Title, o.TitleSaid.Clone(), o.OpenedAt
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
		x := Outage{Target: o.Target, Title: o.Title, TitleSaid: o.TitleSaid.Clone(), Severity: o.Severity, Start: o.OpenedAt, End: o.ResolvedAt}
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
	if len(snaps) == 0 {
		return d, nil
	}
	// The window is the period the digest states, exactly; how its time
	// counts is the page's rule.
	measured, err := bot.MeasureUptimes(ctx, in.History, all, snaps, uptime.Window{Last: window}, now)
	if err != nil {
		return Digest{}, err
	}
	for i, s := range snaps {
		m := measured[i]
		u := Uptime{Target: s.Name, Unmeasured: !m.OK, Down: m.Down}
		if m.OK {
			u.Percent = m.Percent()
		}
		d.Uptime = append(d.Uptime, u)
	}
	return d, nil
}

// Quiet reports whether nothing happened in the window and nothing is down
// now.
func (d Digest) Quiet() bool { return len(d.Outages) == 0 && len(d.DownNow) == 0 }

// english writes the digest's Title, Sections, Text and Answer, and the
// Title and Body of its event, which stay English (reports, the API, the
// webhook); TitleIn and SectionsIn write any language.
var english = i18n.For("en")

// Title is the digest's headline in English: "Daily digest: 2 outages in
// the last 24h".
func (d Digest) Title() string { return d.TitleIn(english) }

// TitleIn is the digest's headline in p's language.
func (d Digest) TitleIn(p *i18n.Printer) string {
	last := words.Last(p, d.Window)
	what := p.T("digest.title.no_outages", i18n.Args{"Last": last})
	if n := len(d.Outages); n > 0 {
		what = p.N("digest.title.outages", n, i18n.Args{"Last": last})
	}
	args := i18n.Args{"Name": name(p, d.Window), "Outages": what}
	if n := len(d.DownNow); n > 0 {
		args["Down"] = p.N("digest.title.down", n, nil)
	}
	return p.T("digest.title", args)
}

func name(p *i18n.Printer, window time.Duration) string {
	switch window {
	case 24 * time.Hour:
		return p.T("digest.name.daily", nil)
	case 7 * 24 * time.Hour:
		return p.T("digest.name.weekly", nil)
	}
	return p.T("digest.name.other", nil)
}

// Sections are the digest's content in English (see SectionsIn).
func (d Digest) Sections() []outage.Section { return d.SectionsIn(english) }

// SectionsIn are the digest's content in p's language, in reading order:
// now, summary, outages, uptime, upcoming maintenance and the period
// covered. Lines are plain text (no markup), so every platform can show
// them as they are. Targets' names and vendors' titles stay as they are.
func (d Digest) SectionsIn(p *i18n.Printer) []outage.Section {
	out := []outage.Section{d.now(p)}
	if len(d.Outages) > 0 {
		out = append(out, d.summary(p), d.outages(p))
	}
	if len(d.Uptime) > 0 {
		out = append(out, d.uptime(p))
	}
	if len(d.Upcoming) > 0 {
		out = append(out, d.upcoming(p))
	}
	start, end := words.Span(p, d.Since, d.At, d.loc())
	return append(out, outage.Section{Heading: p.T("digest.heading.period", nil), Lines: []string{
		p.T("digest.period", i18n.Args{"Start": start, "End": end, "Window": p.Window(d.Window)}),
	}})
}

// now is what is down now, and how many targets are up.
func (d Digest) now(p *i18n.Printer) outage.Section {
	sec := outage.Section{Heading: p.T("digest.heading.now", nil)}
	for _, dn := range d.DownNow {
		args := i18n.Args{"Target": dn.Target, "Status": p.StatusInline(dn.Status), "Title": title(p, dn.Title, dn.TitleSaid)}
		if !dn.Since.IsZero() {
			args["Since"], args["Duration"] = d.clock(p, dn.Since), p.Duration(d.At.Sub(dn.Since))
		}
		sec.Lines = append(sec.Lines, bot.Emoji(dn.Status)+" "+p.T("digest.now.down", args))
	}
	if len(d.Unknown) > 0 {
		sec.Lines = append(sec.Lines, bot.Emoji(sources.Unknown)+" "+p.T("digest.now.unknown", i18n.Args{"Targets": strings.Join(d.Unknown, ", ")}))
	}
	up := d.Targets - len(d.DownNow) - len(d.Unknown)
	switch {
	case up == d.Targets && up > 0:
		sec.Lines = append(sec.Lines, "✅ "+p.N("digest.now.all_up", up, nil))
	case up > 0:
		sec.Lines = append(sec.Lines, "✅ "+p.N("digest.now.others_up", up, nil))
	}
	return sec
}

// summary is the longest outage and the mean time to restore.
func (d Digest) summary(p *i18n.Printer) outage.Section {
	sec := outage.Section{Heading: p.T("digest.heading.summary", nil)}
	if l := d.Longest; l != nil {
		sec.Lines = append(sec.Lines, p.T("digest.summary.longest", i18n.Args{"Target": l.Target, "Title": title(p, l.Title, l.TitleSaid), "Lasted": lasted(p, *l)}))
	}
	if d.Restored > 0 {
		sec.Lines = append(sec.Lines, p.N("digest.summary.mttr", d.Restored, i18n.Args{"Duration": p.Duration(d.MTTR)}))
	} else {
		sec.Lines = append(sec.Lines, p.T("digest.summary.mttr_none", nil))
	}
	return sec
}

// outages lists the window's outages, oldest first.
func (d Digest) outages(p *i18n.Printer) outage.Section {
	sec := outage.Section{Heading: p.T("digest.heading.outages", i18n.Args{"Last": words.Last(p, d.Window)})}
	for _, o := range d.Outages {
		icon := "✅"
		span := p.T("digest.outage.since", i18n.Args{"Since": d.clock(p, o.Start)})
		if o.Ongoing() {
			icon = bot.Emoji(o.Severity)
		} else {
			span = d.clockSpan(p, o.Start, o.End)
		}
		sec.Lines = append(sec.Lines, icon+" "+p.T("digest.outage.line", i18n.Args{"Target": o.Target, "Title": title(p, o.Title, o.TitleSaid), "Span": span, "Lasted": lasted(p, o)}))
	}
	return sec
}

// uptime lists the targets with downtime, worst first, then those with
// no measured time; those up all along are summed up in one line, so a
// digest of 100 targets stays short.
func (d Digest) uptime(p *i18n.Printer) outage.Section {
	sec := outage.Section{Heading: p.T("digest.heading.uptime", i18n.Args{"Last": words.Last(p, d.Window)})}
	worst := slices.Clone(d.Uptime)
	slices.SortStableFunc(worst, func(a, b Uptime) int { return cmp.Compare(b.Down, a.Down) })
	var up []Uptime
	var unmeasured []string
	for _, u := range worst {
		switch {
		case u.Unmeasured:
			unmeasured = append(unmeasured, p.T("digest.uptime.unmeasured", i18n.Args{"Target": u.Target}))
		case u.Down == 0:
			up = append(up, u)
		default:
			sec.Lines = append(sec.Lines, p.T("digest.uptime.down", i18n.Args{"Target": u.Target, "Percent": p.Share(u.Percent), "Duration": p.Duration(u.Down)}))
		}
	}
	sec.Lines = append(sec.Lines, unmeasured...)
	all := p.Share(100)
	switch {
	case len(up) == 1:
		sec.Lines = append(sec.Lines, p.T("digest.uptime.target", i18n.Args{"Target": up[0].Target, "Percent": all}))
	case len(up) > 1 && len(sec.Lines) == 0:
		sec.Lines = append(sec.Lines, p.T("digest.uptime.all", i18n.Args{"Count": len(up), "Percent": all}))
	case len(up) > 1:
		sec.Lines = append(sec.Lines, p.T("digest.uptime.others", i18n.Args{"Count": len(up), "Percent": all}))
	}
	return sec
}

// upcoming lists the vendors' scheduled maintenance, soonest first.
func (d Digest) upcoming(p *i18n.Printer) outage.Section {
	sec := outage.Section{Heading: p.T("digest.heading.upcoming", nil)}
	for _, m := range d.Upcoming {
		span := d.clock(p, m.Start)
		if !m.End.IsZero() && m.End.After(m.Start) {
			span = d.clockSpan(p, m.Start, m.End)
		}
		title := m.Title
		if title == "" {
			title = p.T("digest.upcoming.untitled", nil)
		}
		sec.Lines = append(sec.Lines, bot.Emoji(sources.Maintenance)+" "+p.T("digest.upcoming.line",
			i18n.Args{"Target": m.Target, "Title": title, "Span": span, "In": p.Duration(m.Start.Sub(d.At))}))
	}
	return sec
}

// title is an outage's title in p's language: the bot's own translated, a
// vendor's as written.
func title(p *i18n.Printer, written string, said *outage.Text) string {
	if said == nil {
		return written
	}
	return p.Text(*said)
}

// lasted is "1h 12m" for a restored outage, "ongoing, 2h so far" otherwise.
func lasted(p *i18n.Printer, o Outage) string {
	if o.Ongoing() {
		return p.T("digest.ongoing", i18n.Args{"Duration": p.Duration(o.Duration)})
	}
	return p.Duration(o.Duration)
}

// Answer is the digest as a command answer (`digest now`), in English.
func (d Digest) Answer() bot.Answer { return d.AnswerIn(english) }

// AnswerIn is the digest as a command answer in p's language.
func (d Digest) AnswerIn(p *i18n.Printer) bot.Answer {
	a := bot.Answer{Title: d.TitleIn(p)}
	for _, s := range d.SectionsIn(p) {
		a.Sections = append(a.Sections, bot.Section{Heading: s.Heading, Lines: s.Lines})
	}
	return a
}

// Text is the digest as plain text in English: the title, then the
// sections.
func (d Digest) Text() string { return d.TextIn(english) }

// TextIn is the digest as plain text in p's language.
func (d Digest) TextIn(p *i18n.Printer) string {
	return d.TitleIn(p) + "\n\n" + outage.FormatSections(d.SectionsIn(p))
}

// Event is the digest as an outbox event: a message of its own, identified
// by the digest's key and the time it was scheduled for. It is written in
// English and in every other language of the catalog (see outage.Written),
// so each channel it goes to posts it in its own language.
func (d Digest) Event(key string, scheduled time.Time) outage.Event {
	ev := outage.Event{
		OutageID: EventID(key, scheduled),
		Seq:      1,
		Kind:     outage.Digest,
		Class:    outage.DigestClass,
		Target:   name(english, d.Window),
		At:       d.At,
		Title:    d.Title(),
		Severity: d.severity(),
		Body:     outage.FormatSections(d.Sections()),
		OpenedAt: scheduled,
	}
	for _, lang := range i18n.Languages {
		if p := i18n.For(lang); p != english {
			if ev.Written == nil {
				ev.Written = map[string]outage.Written{}
			}
			ev.Written[lang] = outage.Written{Title: d.TitleIn(p), Body: outage.FormatSections(d.SectionsIn(p))}
		}
	}
	return ev
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
func (d Digest) clock(p *i18n.Printer, t time.Time) string { return p.DateIn(t, d.loc()) }

// clockSpan is "Mar 2 07:00 – 08:12 UTC", with the end's date when it is
// another day, and the start's zone when it is another one.
func (d Digest) clockSpan(p *i18n.Printer, from, to time.Time) string {
	start, end := words.Span(p, from, to, d.loc())
	return start + " – " + end
}

func (d Digest) loc() *time.Location {
	if d.Location == nil {
		return time.UTC
	}
	return d.Location
}
