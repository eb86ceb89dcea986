package page

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/statusview"
)

// statusClass is the CSS class of a status.
func statusClass(s sources.Status) string {
	switch s {
	case sources.Operational:
		return "ok"
	case sources.Maintenance:
		return "mnt"
	case sources.Degraded:
		return "deg"
	case sources.PartialOutage:
		return "part"
	case sources.MajorOutage:
		return "major"
	}
	return "unk"
}

// badge is a status as shown: its words and its colour class.
type badge struct {
	Label string
	Class string
}

func (l *locale) badge(s sources.Status) badge {
	label, ok := l.labels[s]
	if !ok {
		label = l.labels[sources.Unknown]
	}
	return badge{Label: label, Class: statusClass(s)}
}

// statusData is what the status page template reads.
type statusData struct {
	Banner     badge
	BannerText string
	Down       []string
	Groups     []groupView
	Open       []openView
}

type groupView struct {
	Name    string
	Targets []targetView
}

type targetView struct {
	Name   string
	Status badge
	Since  string
	Error  string
	Bar    template.HTML
	Uptime [4]string
	Open   []string
	// Locations is empty for a single-location target.
	Locations []locationView
	// Row is the whole row, rendered before: the template writes it as
	// it is.
	Row template.HTML
}

type openView struct {
	ID       string
	Target   string
	Title    string
	Class    string
	Severity badge
	Since    string
	Latest   string
	// LatestAt introduces Latest with its time.
	LatestAt string
	URL      string
}

// since is "since 14:02 UTC (1h 12m)".
func (l *locale) since(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return l.T("page.since", i18n.Args{"Since": l.Clock(t, now), "Duration": l.Duration(now.Sub(t))})
}

func (l *locale) uptime(u *float64) string {
	if u == nil {
		return l.T("page.uptime.none", nil)
	}
	return l.Percent(*u)
}

// rowFunc renders one target row.
type rowFunc func(tv targetView) (template.HTML, error)

// status is what the status page shows, each target row taken from rows
// while its fingerprint is the same. tag is fed everything the page
// shows, a row by its fingerprint, so that the page's ETag need not hash
// the whole body.
func (l *locale) status(p statusview.Page, rows *rowCache, render rowFunc, tag *etagger) (statusData, error) {
	now := p.Generated
	d := statusData{Banner: l.badge(p.Overall)}
	switch {
	case p.Overall.IsProblem():
		d.BannerText = l.T("page.banner.down", nil)
	case p.Overall == sources.Maintenance:
		d.BannerText = l.T("page.banner.maintenance", nil)
	case p.Overall == sources.Unknown:
		d.BannerText = l.T("page.banner.unknown", nil)
	default:
		d.BannerText = l.T("page.banner.ok", nil)
	}
	tag.str(string(p.Overall))
	fp := fingerprinter{seed: rows.init()}
	for _, g := range p.Groups {
		gv := groupView{Name: g.Name, Targets: make([]targetView, 0, len(g.Targets))}
		if gv.Name == "" {
			gv.Name = l.T("page.group.none", nil)
		}
		tag.str("group")
		tag.str(gv.Name)
		for _, t := range g.Targets {
			if t.Status.IsProblem() || t.Status == sources.Unknown {
				d.Down = append(d.Down, t.Name+": "+l.badge(t.Status).Label)
			}
			var since string
			if t.Status != sources.Operational {
				since = l.since(t.Since, now)
			}
			sum, shown := fp.row(l.name(), t, since)
			// The ETag takes what the row shows, not its fingerprint:
			// that is seeded per process, and every replica and restart
			// must give one page the same ETag or a browser's
			// If-None-Match misses.
			tag.bytes(shown)
			row, ok := rows.lookup(t.Name, sum)
			if !ok {
				tv := targetView{
					Name:      t.Name,
					Status:    l.badge(t.Status),
					Since:     since,
					Error:     t.Error,
					Bar:       l.barHTML(t),
					Uptime:    [4]string{l.uptime(t.Uptime.Day), l.uptime(t.Uptime.Week), l.uptime(t.Uptime.Month), l.uptime(t.Uptime.Quarter)},
					Open:      t.OpenOutages,
					Locations: l.locations(t.Locations),
				}
				var err error
				if row, err = render(tv); err != nil {
					return d, fmt.Errorf("target %s: %w", t.Name, err)
				}
				rows.put(t.Name, sum, row)
			}
			gv.Targets = append(gv.Targets, targetView{Row: row})
		}
		d.Groups = append(d.Groups, gv)
	}
	for _, s := range d.Down {
		tag.str(s)
	}
	for _, o := range p.Open {
		ov := openView{ID: o.ID, Target: o.Target, Title: o.Title, Class: l.class(o.Class),
			Severity: l.badge(o.Severity), Since: l.since(o.Started, now), Latest: o.Latest, URL: o.URL}
		// What the bot wrote itself is shown in the page's language.
		if o.TitleSaid != nil {
			ov.Title = l.p.Text(*o.TitleSaid)
		}
		if o.LatestSaid != nil {
			ov.Latest = l.p.Text(*o.LatestSaid)
		}
		if !o.LatestAt.IsZero() {
			ov.LatestAt = l.T("page.latest", i18n.Args{"At": l.Clock(o.LatestAt, now)})
		}
		d.Open = append(d.Open, ov)
		tag.strs("open", ov.ID, ov.Target, ov.Title, ov.Class, ov.Severity.Label, ov.Severity.Class, ov.Since, ov.Latest, ov.LatestAt, ov.URL)
	}
	return d, nil
}

func (l *locale) barHTML(t statusview.Target) template.HTML {
	var b strings.Builder
	l.bar(&b, t)
	return template.HTML(b.String())
}

// bar writes a target's 90-day bar: one cell per day coloured by the worst
// state of the day, a tooltip for each day that had something, and one
// text for screen readers instead of 90 cells. It is written by hand, not
// by the template, because a page of 1,000 targets has 90,000 cells and
// the template's escaping per action would dominate the page's cost.
func (l *locale) bar(b *strings.Builder, t statusview.Target) {
	var sr []string
	b.WriteString(`<div class="bar" aria-hidden="true">`)
	for _, d := range t.Days {
		tip := l.dayTip(d)
		class := statusClass(d.Worst)
		if d.Worst == sources.Operational && tip == "" {
			b.WriteString(`<i></i>`)
			continue
		}
		b.WriteString(`<i class="`)
		b.WriteString(class)
		b.WriteString(`" title="`)
		if tip == "" {
			tip = l.Date(d.Date) + ": " + l.T("page.day.no_data", nil)
		} else {
			sr = append(sr, tip)
		}
		b.WriteString(html.EscapeString(tip))
		b.WriteString(`"></i>`)
	}
	b.WriteString(`</div><p class="sr">`)
	b.WriteString(html.EscapeString(l.T("page.bar.sr", i18n.Args{"Target": t.Name})))
	b.WriteByte(' ')
	if len(sr) == 0 {
		b.WriteString(html.EscapeString(l.T("page.bar.quiet", nil)))
	}
	for i, s := range sr {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(html.EscapeString(s))
	}
	b.WriteString(`</p>`)
}

// dayTip lists a day's outages with their durations, and its maintenance
// and unobserved time apart; "" for a quiet day.
func (l *locale) dayTip(d statusview.Day) string {
	if len(d.Outages) == 0 && d.Maintenance == 0 && d.Unknown == 0 && d.Worst == sources.Operational {
		return ""
	}
	parts := make([]string, 0, len(d.Outages)+2)
	for _, o := range d.Outages {
		parts = append(parts, l.T("page.day.outage", i18n.Args{"Status": l.badge(o.Severity).Label, "Title": outage.OneLine(o.Title), "Duration": l.Duration(o.Duration)}))
	}
	if d.Maintenance > 0 {
		parts = append(parts, l.T("page.day.maintenance", i18n.Args{"Duration": l.Duration(d.Maintenance)}))
	}
	if d.Unknown > 0 {
		parts = append(parts, l.T("page.day.unknown", i18n.Args{"Duration": l.Duration(d.Unknown)}))
	}
	if len(parts) == 0 {
		if d.Worst == sources.Unknown {
			return ""
		}
		parts = append(parts, l.badge(d.Worst).Label)
	}
	return l.Date(d.Date) + ": " + strings.Join(parts, "; ")
}
