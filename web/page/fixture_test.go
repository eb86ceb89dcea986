package page

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/statusview"
	"github.com/outagebot/outagebot/store"
)

// t0 is the fixed moment the fixture pages are generated at.
var t0 = time.Date(2025, 3, 14, 15, 14, 0, 0, time.UTC)

func pct(f float64) *float64 { return &f }

// days is a quiet 90-day history ending on t0's day, with changes made by
// set.
func days(set func(i int, d *statusview.Day)) []statusview.Day {
	out := make([]statusview.Day, statusview.HistoryDays)
	start := t0.Truncate(24*time.Hour).AddDate(0, 0, -(statusview.HistoryDays - 1))
	for i := range out {
		out[i] = statusview.Day{Date: start.AddDate(0, 0, i), Worst: sources.Operational}
		if set != nil {
			set(i, &out[i])
		}
	}
	return out
}

// fixturePage is a page with one outage open, history of every kind, a
// vendor title that tries to inject a script and a probe from three
// locations.
func fixturePage() statusview.Page {
	openedAt := t0.Add(-72 * time.Minute)
	return statusview.Page{
		Title:     "Acme status",
		Generated: t0,
		Overall:   sources.PartialOutage,
		Groups: []statusview.Group{
			{Name: "AI vendors", Targets: []statusview.Target{
				{Name: "OpenAI", Group: "AI vendors", Type: "statuspage", Status: sources.PartialOutage, Since: openedAt, CheckedAt: t0, Reachable: true,
					Components:  []statusview.Component{{Name: "API", Status: sources.PartialOutage}},
					Uptime:      statusview.Uptime{Day: pct(0.95), Week: pct(0.9929), Month: pct(0.998), Quarter: pct(0.9993)},
					OpenOutages: []string{"o-openai-1"},
					Days: days(func(i int, d *statusview.Day) {
						switch i {
						case 89:
							d.Worst, d.Down = sources.PartialOutage, 72*time.Minute
							d.Outages = []statusview.DayOutage{{ID: "o-openai-1", Title: "Elevated errors <script>alert(1)</script>", Severity: sources.PartialOutage, Class: outage.Incident, Duration: 72 * time.Minute}}
						case 80:
							d.Worst, d.Maintenance = sources.Maintenance, 2*time.Hour
						case 60:
							d.Worst, d.Down = sources.MajorOutage, 3*time.Hour
							d.Outages = []statusview.DayOutage{
								{ID: "o-openai-0", Title: "ChatGPT unavailable", Severity: sources.MajorOutage, Class: outage.Incident, Duration: 3 * time.Hour},
								{ID: "o-openai-00", Title: "Slow logins", Severity: sources.Degraded, Class: outage.Incident, Duration: 20 * time.Minute}}
						case 40:
							d.Unknown = 45 * time.Minute
						}
					})},
				{Name: "Anthropic", Group: "AI vendors", Type: "statuspage", Status: sources.Operational, CheckedAt: t0, Reachable: true,
					Uptime: statusview.Uptime{Day: pct(1), Week: pct(1), Month: pct(1), Quarter: pct(1)}, Days: days(nil)},
			}},
			{Name: "", Targets: []statusview.Target{
				{Name: "checkout", Type: "http", Status: sources.Unknown, Since: t0.Add(-26 * time.Hour), Error: "dial tcp 10.0.0.7:443: connection refused",
					Locations: []statusview.Location{
						{Name: "eu-west", Status: sources.MajorOutage, Failing: true, CheckedAt: t0, Error: "dial tcp 10.0.0.7:443: connection refused"},
						{Name: "us-east", Status: sources.Operational, Latency: 42*time.Millisecond + 400*time.Microsecond, CheckedAt: t0},
						{Name: "ap-south", Status: sources.Unknown, Excluded: "no live replica"},
					},
					Days: days(func(i int, d *statusview.Day) {
						if i < 85 {
							d.Worst = sources.Unknown
						}
					})},
			}},
		},
		Open: []statusview.Outage{{ID: "o-openai-1", Target: "OpenAI", Group: "AI vendors", Title: "Elevated errors <script>alert(1)</script>",
			Class: outage.Incident, Severity: sources.PartialOutage, Started: openedAt,
			Latest: "We are investigating <b>elevated</b> error rates.\nMore soon.", LatestAt: t0.Add(-10 * time.Minute), URL: "https://status.openai.com/incidents/abc"}},
	}
}

// memStore holds outages and events for reports and the history.
type memStore struct {
	outages []outage.Outage
	events  map[string][]outage.Event
}

func (m *memStore) Outage(_ context.Context, id string) (outage.Outage, error) {
	for _, o := range m.outages {
		if o.ID == id {
			return o, nil
		}
	}
	return outage.Outage{}, fmt.Errorf("outage %q: %w", id, store.ErrNotFound)
}

func (m *memStore) Events(_ context.Context, id string) ([]outage.Event, error) {
	return m.events[id], nil
}

func (m *memStore) Outages(_ context.Context, since time.Time, target string) ([]outage.Outage, error) {
	var out []outage.Outage
	for _, o := range m.outages {
		if (o.Open() || !o.ResolvedAt.Before(since)) && (target == "" || o.Target == target) {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b outage.Outage) int { return b.OpenedAt.Compare(a.OpenedAt) })
	return out, nil
}

// fixtureStore holds the open OpenAI outage with its events, a resolved
// one, and n more resolved outages of Anthropic for paging.
func fixtureStore(n int) *memStore {
	opened := t0.Add(-72 * time.Minute)
	title := "Elevated errors <script>alert(1)</script>"
	open := outage.Outage{ID: "o-openai-1", Target: "OpenAI", Class: outage.Incident, Title: title, Severity: sources.PartialOutage,
		Phase: sources.IncidentIdentified, URL: "https://status.openai.com/incidents/abc", OpenedAt: opened,
		Components: []outage.ComponentState{{Name: "API", Status: sources.PartialOutage}},
		Related:    outage.Related{Fallback: "Fallback: Anthropic works"}}
	m := &memStore{events: map[string][]outage.Event{}}
	m.outages = append(m.outages, open,
		outage.Outage{ID: "o-openai-0", Target: "OpenAI", Class: outage.Incident, Title: "ChatGPT unavailable", Severity: sources.MajorOutage,
			OpenedAt: t0.AddDate(0, 0, -29), ResolvedAt: t0.AddDate(0, 0, -29).Add(3 * time.Hour)})
	ev := func(seq int, kind outage.Kind, at time.Time, phase sources.IncidentStatus, body string) outage.Event {
		return outage.Event{OutageID: open.ID, Seq: seq, Kind: kind, Class: outage.Incident, Target: "OpenAI", At: at, Title: title,
			Severity: sources.PartialOutage, Phase: phase, Body: body, Components: open.Components, URL: open.URL, OpenedAt: opened}
	}
	m.events[open.ID] = []outage.Event{
		ev(1, outage.Opened, opened, sources.IncidentInvestigating, "We are investigating elevated error rates."),
		ev(2, outage.Updated, t0.Add(-10*time.Minute), sources.IncidentIdentified, "We are investigating <b>elevated</b> error rates.\nMore soon."),
	}
	for i := range n {
		at := t0.Add(-time.Duration(i+1) * 7 * time.Hour)
		m.outages = append(m.outages, outage.Outage{ID: fmt.Sprintf("o-anthropic-%03d", i), Target: "Anthropic", Class: outage.Incident,
			Title: "Claude errors " + strings.Repeat("I", i%3+1), Severity: sources.Degraded, OpenedAt: at, ResolvedAt: at.Add(25 * time.Minute)})
	}
	return m
}
