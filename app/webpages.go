package app

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/statusview"
	"github.com/outagebot/outagebot/web/page"
)

// pageRoutes are the status page, outage pages and history page, served on
// the private listener. They read the status picture that statusPage
// assembles.
func (a *App) pageRoutes() map[string]http.Handler {
	a.pageGroups = map[string]string{}
	for _, t := range a.cfg.Targets {
		a.pageGroups[t.Name] = t.Group
	}
	h, err := page.New(page.Options{
		Views:   page.ViewsFunc(a.statusPage),
		Store:   a.store,
		Refresh: a.opts.PageRefresh,
		Now:     a.now,
		Log:     a.log.With("component", "web"),
	})
	if err != nil {
		a.log.Error("the status page is off", "err", err)
		return nil
	}
	return h.Routes()
}

// statusPage assembles the status picture from the engine's memory and
// the stored outages of the last 90 days. It is a plain stand-in for
// statusview's builder (daily rollup, [web] targets and groups), which
// replaces it when it lands.
func (a *App) statusPage(ctx context.Context) (statusview.Page, error) {
	now := a.now().UTC()
	today := now.Truncate(24 * time.Hour)
	first := today.AddDate(0, 0, -(statusview.HistoryDays - 1))
	stored, err := a.store.Outages(ctx, first, "")
	if err != nil {
		return statusview.Page{}, fmt.Errorf("read the outages of the last %d days: %w", statusview.HistoryDays, err)
	}
	byTarget := map[string][]outage.Outage{}
	for _, o := range stored {
		byTarget[o.Target] = append(byTarget[o.Target], o)
	}
	p := statusview.Page{Title: "outagebot", Generated: now, Overall: sources.Operational}
	groups := map[string]int{}
	for _, s := range a.runner.Snapshots() {
		group := a.pageGroups[s.Name]
		t := statusview.Target{Name: s.Name, Group: group, Status: s.Status, CheckedAt: s.CheckedAt, Latency: s.Latency,
			Reachable: s.Reachable, Error: s.Error}
		if t.Status == "" {
			t.Status = sources.Unknown
		}
		for _, c := range s.Components {
			t.Components = append(t.Components, statusview.Component{Name: c.Name, Status: c.Status})
		}
		t.Days, t.Uptime = history(byTarget[s.Name], first, now)
		for _, o := range byTarget[s.Name] {
			if o.Open() {
				t.OpenOutages = append(t.OpenOutages, o.ID)
				if t.Since.IsZero() || o.OpenedAt.Before(t.Since) {
					t.Since = o.OpenedAt
				}
			}
		}
		if t.Status.Worse(p.Overall) || t.Status == sources.Unknown && p.Overall == sources.Operational {
			p.Overall = t.Status
		}
		i, ok := groups[group]
		if !ok {
			i = len(p.Groups)
			groups[group] = i
			p.Groups = append(p.Groups, statusview.Group{Name: group})
		}
		p.Groups[i].Targets = append(p.Groups[i].Targets, t)
	}
	for _, o := range stored {
		if !o.Open() {
			continue
		}
		v := statusview.Outage{ID: o.ID, Target: o.Target, Title: o.Title, Class: o.Class, Severity: o.Severity, Started: o.OpenedAt, URL: o.URL}
		if evs, err := a.store.Events(ctx, o.ID); err == nil {
			for _, ev := range slices.Backward(evs) {
				if ev.Body != "" {
					v.Latest, v.LatestAt = ev.Body, ev.At
					break
				}
			}
		}
		p.Open = append(p.Open, v)
	}
	return p, nil
}

// history is a target's days and uptime from its outages. Maintenance and
// unreachable time count on neither side of the uptime.
func history(outs []outage.Outage, first, now time.Time) ([]statusview.Day, statusview.Uptime) {
	days := make([]statusview.Day, statusview.HistoryDays)
	for i := range days {
		days[i] = statusview.Day{Date: first.AddDate(0, 0, i), Worst: sources.Operational}
	}
	windows := [4]time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour, 90 * 24 * time.Hour}
	var down, excluded [4]time.Duration
	for _, o := range outs {
		end := o.ResolvedAt
		if o.Open() {
			end = now
		}
		for i := range days {
			d := &days[i]
			part := overlap(o.OpenedAt, end, d.Date, d.Date.Add(24*time.Hour))
			if part <= 0 {
				continue
			}
			switch o.Class {
			case outage.MaintenanceWork:
				d.Maintenance += part
				if d.Worst == sources.Operational {
					d.Worst = sources.Maintenance
				}
			case outage.Unreachable:
				d.Unknown += part
			default:
				d.Down += part
				d.Outages = append(d.Outages, statusview.DayOutage{ID: o.ID, Title: o.Title, Severity: o.Severity, Class: o.Class, Duration: part})
				if o.Severity.Worse(d.Worst) {
					d.Worst = o.Severity
				}
			}
		}
		for i, w := range windows {
			part := overlap(o.OpenedAt, end, now.Add(-w), now)
			if o.Class == outage.Incident {
				down[i] += part
			} else {
				excluded[i] += part
			}
		}
	}
	var up [4]*float64
	for i, w := range windows {
		if seen := w - excluded[i]; seen > 0 {
			f := max(0, 1-float64(down[i])/float64(seen))
			up[i] = &f
		}
	}
	return days, statusview.Uptime{Day: up[0], Week: up[1], Month: up[2], Quarter: up[3]}
}

// overlap is how much of [s1, e1) falls within [s2, e2).
func overlap(s1, e1, s2, e2 time.Time) time.Duration {
	if s2.After(s1) {
		s1 = s2
	}
	if e2.Before(e1) {
		e1 = e2
	}
	return max(0, e1.Sub(s1))
}
