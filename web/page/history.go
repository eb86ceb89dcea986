package page

import (
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/statusview"
)

// historyPageSize is how many outages one history page lists.
const historyPageSize = 50

// windows are the history windows offered, in order, with the message
// that names each.
type window struct {
	Key   string
	D     time.Duration
	Label string
}

var windows = []window{
	{"24h", 24 * time.Hour, "page.window.24h"},
	{"7d", 7 * 24 * time.Hour, "page.window.7d"},
	{"30d", 30 * 24 * time.Hour, "page.window.30d"},
	{"90d", 90 * 24 * time.Hour, "page.window.90d"},
}

// historyQuery is the history page's filters, read from its GET form.
type historyQuery struct {
	Target, Group, Window string
	Page                  int
}

func parseHistory(q url.Values) historyQuery {
	h := historyQuery{Target: q.Get("target"), Group: q.Get("group"), Window: q.Get("window"), Page: 1}
	if !slices.ContainsFunc(windows, func(w window) bool { return w.Key == h.Window }) {
		h.Window = "7d"
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		h.Page = n
	}
	return h
}

func (h historyQuery) window() time.Duration {
	for _, w := range windows {
		if w.Key == h.Window {
			return w.D
		}
	}
	return 7 * 24 * time.Hour
}

// link is the history URL for page n with the same filters.
func (h historyQuery) link(n int) string {
	v := url.Values{}
	if h.Target != "" {
		v.Set("target", h.Target)
	}
	if h.Group != "" {
		v.Set("group", h.Group)
	}
	v.Set("window", h.Window)
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	return "/history?" + v.Encode()
}

type option struct {
	Value, Label string
	Selected     bool
}

type historyData struct {
	Targets, Groups, Windows []option
	Rows                     []historyRow
	Newer, Older             string
	PageOf                   string
}

type historyRow struct {
	ID       string
	Started  string
	Target   string
	Group    string
	Title    string
	Class    string
	Severity badge
	Lasted   string
}

// history lists the outages of the window that pass the filters, newest
// first, one page of them. shown is the status picture, for the targets
// and groups on offer and each target's group.
func (l *locale) history(q historyQuery, shown statusview.Page, all []outage.Outage, now time.Time) historyData {
	anyOne := l.T("page.history.all", nil)
	d := historyData{Targets: []option{{Label: anyOne}}, Groups: []option{{Label: anyOne}}}
	groupOf := map[string]string{}
	for _, g := range shown.Groups {
		if g.Name != "" {
			d.Groups = append(d.Groups, option{Value: g.Name, Label: g.Name, Selected: g.Name == q.Group})
		}
		for _, t := range g.Targets {
			groupOf[t.Name] = g.Name
			d.Targets = append(d.Targets, option{Value: t.Name, Label: t.Name, Selected: t.Name == q.Target})
		}
	}
	for _, w := range windows {
		d.Windows = append(d.Windows, option{Value: w.Key, Label: l.T(w.Label, nil), Selected: w.Key == q.Window})
	}
	var rows []outage.Outage
	for _, o := range all {
		g, ok := groupOf[o.Target]
		if !ok || (q.Group != "" && g != q.Group) || (q.Target != "" && o.Target != q.Target) {
			continue
		}
		rows = append(rows, o)
	}
	pages := max(1, (len(rows)+historyPageSize-1)/historyPageSize)
	page := min(q.Page, pages)
	d.PageOf = l.T("page.history.page", i18n.Args{"Page": page, "Pages": pages})
	if page > 1 {
		d.Newer = q.link(page - 1)
	}
	if page < pages {
		d.Older = q.link(page + 1)
	}
	rows = rows[(page-1)*historyPageSize : min(len(rows), page*historyPageSize)]
	for _, o := range rows {
		lasted := l.T("page.history.ongoing", i18n.Args{"Duration": l.Duration(now.Sub(o.OpenedAt))})
		if !o.Open() {
			lasted = l.Duration(o.ResolvedAt.Sub(o.OpenedAt))
		}
		d.Rows = append(d.Rows, historyRow{ID: o.ID, Started: l.Stamp(o.OpenedAt), Target: o.Target, Group: groupOf[o.Target],
			Title: o.Title, Class: l.class(o.Class), Severity: l.badge(o.Severity), Lasted: lasted})
	}
	return d
}
