package api

import (
	"math"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/statusview"
)

// The answers' shapes. This is a contract: add fields, never rename or
// remove one. Times are RFC 3339 in UTC; durations are whole seconds.

type targetList struct {
	Targets []targetJSON `json:"targets"`
}

type uptimeJSON struct {
	// Percentages, null when the window holds no measured time.
	Day     *float64 `json:"24h"`
	Week    *float64 `json:"7d"`
	Month   *float64 `json:"30d"`
	Quarter *float64 `json:"90d"`
}

type targetJSON struct {
	Name        string     `json:"name"`
	Group       string     `json:"group"`
	Type        string     `json:"type"`
	Status      string     `json:"status"`
	Since       *string    `json:"since"`
	CheckedAt   *string    `json:"checked_at"`
	Reachable   bool       `json:"reachable"`
	Uptime      uptimeJSON `json:"uptime"`
	OpenOutages []string   `json:"open_outages"`
}

type componentJSON struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

type maintenanceJSON struct {
	Title  string  `json:"title"`
	Status string  `json:"status"`
	Start  *string `json:"start"`
	End    *string `json:"end"`
}

type dayOutageJSON struct {
	ID              string `json:"id"`
	Title           string `json:"title"`
	Class           string `json:"class"`
	Severity        string `json:"severity"`
	DurationSeconds int64  `json:"duration_seconds"`
}

type dayJSON struct {
	Date               string          `json:"date"`
	Worst              string          `json:"worst"`
	DownSeconds        int64           `json:"down_seconds"`
	MaintenanceSeconds int64           `json:"maintenance_seconds"`
	UnknownSeconds     int64           `json:"unknown_seconds"`
	Outages            []dayOutageJSON `json:"outages"`
}

type targetDetail struct {
	targetJSON
	Error        string            `json:"error"`
	LatencyMS    *float64          `json:"latency_ms"`
	Components   []componentJSON   `json:"components"`
	Maintenances []maintenanceJSON `json:"maintenances"`
	Days         []dayJSON         `json:"days"`
}

type outageJSON struct {
	ID              string  `json:"id"`
	Target          string  `json:"target"`
	Group           string  `json:"group"`
	Title           string  `json:"title"`
	Class           string  `json:"class"`
	Severity        string  `json:"severity"`
	Phase           string  `json:"phase"`
	Status          string  `json:"status"`
	OpenedAt        string  `json:"opened_at"`
	ResolvedAt      *string `json:"resolved_at"`
	DurationSeconds int64   `json:"duration_seconds"`
	URL             string  `json:"url"`
	PageURL         *string `json:"page_url"`
}

type outageList struct {
	Outages    []outageJSON `json:"outages"`
	NextCursor *string      `json:"next_cursor"`
}

type eventJSON struct {
	Seq        int             `json:"seq"`
	Kind       string          `json:"kind"`
	At         string          `json:"at"`
	Title      string          `json:"title"`
	Severity   string          `json:"severity"`
	Phase      string          `json:"phase"`
	Body       string          `json:"body"`
	Components []componentJSON `json:"components"`
}

type outageDetail struct {
	outageJSON
	Events []eventJSON `json:"events"`
}

func percent(f *float64) *float64 {
	if f == nil {
		return nil
	}
	p := math.Round(*f*100*10000) / 10000
	return &p
}

func summary(t statusview.Target) targetJSON {
	j := targetJSON{Name: t.Name, Group: t.Group, Type: t.Type, Status: string(t.Status), Since: optStamp(t.Since),
		CheckedAt: optStamp(t.CheckedAt), Reachable: t.Reachable, OpenOutages: t.OpenOutages,
		Uptime: uptimeJSON{Day: percent(t.Uptime.Day), Week: percent(t.Uptime.Week), Month: percent(t.Uptime.Month), Quarter: percent(t.Uptime.Quarter)}}
	if j.OpenOutages == nil {
		j.OpenOutages = []string{}
	}
	return j
}

func secs(d time.Duration) int64 { return int64(d / time.Second) }

func detail(t statusview.Target) targetDetail {
	d := targetDetail{targetJSON: summary(t), Error: t.Error, Components: []componentJSON{}, Maintenances: []maintenanceJSON{}, Days: make([]dayJSON, len(t.Days))}
	if t.Latency > 0 {
		ms := float64(t.Latency.Microseconds()) / 1000
		d.LatencyMS = &ms
	}
	for _, c := range t.Components {
		d.Components = append(d.Components, componentJSON{Name: c.Name, Status: string(c.Status)})
	}
	for _, m := range t.Maintenances {
		d.Maintenances = append(d.Maintenances, maintenanceJSON{Title: m.Title, Status: string(m.Status), Start: optStamp(m.Start), End: optStamp(m.End)})
	}
	for i, day := range t.Days {
		dj := dayJSON{Date: day.Date.Format(time.DateOnly), Worst: string(day.Worst), DownSeconds: secs(day.Down),
			MaintenanceSeconds: secs(day.Maintenance), UnknownSeconds: secs(day.Unknown), Outages: make([]dayOutageJSON, len(day.Outages))}
		for k, o := range day.Outages {
			dj.Outages[k] = dayOutageJSON{ID: o.ID, Title: o.Title, Class: string(o.Class), Severity: string(o.Severity), DurationSeconds: secs(o.Duration)}
		}
		d.Days[i] = dj
	}
	return d
}

func event(ev outage.Event) eventJSON {
	j := eventJSON{Seq: ev.Seq, Kind: string(ev.Kind), At: stamp(ev.At), Title: ev.Title, Severity: string(ev.Severity),
		Phase: string(ev.Phase), Body: ev.Body, Components: make([]componentJSON, len(ev.Components))}
	for i, c := range ev.Components {
		j.Components[i] = componentJSON{Name: c.Name, Status: string(c.Status)}
	}
	return j
}
