// Package demo runs outagebot offline against a simulated vendor that breaks
// and recovers within a minute, so a newcomer can watch the whole outage
// lifecycle without a network or a chat workspace.
package demo

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Phase is one moment of the simulated vendor's story.
type Phase struct {
	// At is the offset from the start of the story.
	At time.Duration
	// API and Chat are the component statuses, in Statuspage's vocabulary.
	API, Chat string
	// Incident is the vendor's open incident, nil for none; Resolved lists
	// the final state of a closed one.
	Incident *Incident
	// HealthDown makes the simulated /health endpoint answer 503.
	HealthDown bool
}

// Incident is the simulated vendor incident.
type Incident struct {
	Status  string
	Impact  string
	Updates []Update
}

// Update is one vendor update, newest last.
type Update struct {
	At     time.Duration
	Status string
	Body   string
}

// Story is the default timeline: the API degrades with no incident posted,
// the vendor then admits it, identifies, monitors and resolves it, while our
// own health probe of the API fails for a while.
func Story() []Phase {
	inv := Update{At: 12 * time.Second, Status: "investigating", Body: "We are investigating elevated error rates on the API."}
	idf := Update{At: 20 * time.Second, Status: "identified", Body: "The issue has been identified: a faulty configuration change. A fix is being rolled out."}
	mon := Update{At: 28 * time.Second, Status: "monitoring", Body: "A fix has been implemented and we are monitoring the results."}
	res := Update{At: 36 * time.Second, Status: "resolved", Body: "This incident has been resolved."}
	return []Phase{
		{At: 0, API: "operational", Chat: "operational"},
		{At: 6 * time.Second, API: "degraded_performance", Chat: "operational", HealthDown: true},
		{At: 12 * time.Second, API: "degraded_performance", Chat: "operational", HealthDown: true,
			Incident: &Incident{Status: "investigating", Impact: "minor", Updates: []Update{inv}}},
		{At: 20 * time.Second, API: "partial_outage", Chat: "degraded_performance", HealthDown: true,
			Incident: &Incident{Status: "identified", Impact: "major", Updates: []Update{inv, idf}}},
		{At: 28 * time.Second, API: "operational", Chat: "operational",
			Incident: &Incident{Status: "monitoring", Impact: "major", Updates: []Update{inv, idf, mon}}},
		{At: 36 * time.Second, API: "operational", Chat: "operational",
			Incident: &Incident{Status: "resolved", Impact: "major", Updates: []Update{inv, idf, mon, res}}},
	}
}

// Page serves a simulated Atlassian Statuspage v2 API and a /health
// endpoint, following a story in real time from Start.
type Page struct {
	Story []Phase
	Start time.Time
	// Now is the clock (default time.Now).
	Now func() time.Time
	// URL is the page's public address, used in links.
	URL string

	mu sync.Mutex
}

func (p *Page) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Page) phase() Phase {
	p.mu.Lock()
	defer p.mu.Unlock()
	elapsed := p.now().Sub(p.Start)
	cur := p.Story[0]
	for _, ph := range p.Story {
		if ph.At <= elapsed {
			cur = ph
		}
	}
	return cur
}

func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ph := p.phase()
	switch r.URL.Path {
	case "/health":
		if ph.HealthDown {
			http.Error(w, "upstream unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	case "/api/v2/summary.json":
		p.writeJSON(w, p.summary(ph, false))
	case "/api/v2/incidents.json":
		p.writeJSON(w, map[string]any{"page": p.pageInfo(), "incidents": p.incidents(ph, true)})
	default:
		http.NotFound(w, r)
	}
}

func (p *Page) writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

const incidentID = "demo0incident1"

func (p *Page) pageInfo() map[string]any {
	return map[string]any{"id": "demo0page", "name": "Acme Cloud", "url": p.URL, "time_zone": "Etc/UTC", "updated_at": p.ts(0)}
}

func (p *Page) ts(offset time.Duration) string {
	return p.Start.Add(offset).UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

func (p *Page) summary(ph Phase, _ bool) map[string]any {
	comp := func(id, name, status string) map[string]any {
		return map[string]any{"id": id, "name": name, "status": status, "created_at": p.ts(0), "updated_at": p.ts(0),
			"position": 1, "description": nil, "showcase": true, "start_date": nil, "group_id": nil, "page_id": "demo0page",
			"group": false, "only_show_if_degraded": false}
	}
	indicator := "none"
	if ph.Incident != nil && ph.Incident.Status != "resolved" {
		indicator = ph.Incident.Impact
	}
	return map[string]any{
		"page":                   p.pageInfo(),
		"components":             []any{comp("demo0api", "API", ph.API), comp("demo0chat", "Chat", ph.Chat)},
		"incidents":              p.incidents(ph, false),
		"scheduled_maintenances": []any{},
		"status":                 map[string]any{"indicator": indicator, "description": "Acme Cloud status"},
	}
}

func (p *Page) incidents(ph Phase, withResolved bool) []any {
	in := ph.Incident
	if in == nil || (in.Status == "resolved" && !withResolved) {
		return []any{}
	}
	var updates []any
	for i := len(in.Updates) - 1; i >= 0; i-- { // Statuspage lists newest first
		u := in.Updates[i]
		updates = append(updates, map[string]any{
			"id": incidentID + "u" + string(rune('0'+i)), "status": u.Status, "body": u.Body, "incident_id": incidentID,
			"created_at": p.ts(u.At), "updated_at": p.ts(u.At), "display_at": p.ts(u.At),
			"affected_components": []any{map[string]any{"code": "demo0api", "name": "API", "old_status": "operational", "new_status": "degraded_performance"}},
		})
	}
	var resolvedAt any
	if in.Status == "resolved" {
		resolvedAt = p.ts(in.Updates[len(in.Updates)-1].At)
	}
	start := in.Updates[0].At
	return []any{map[string]any{
		"id": incidentID, "name": "Elevated error rates on the API", "status": in.Status, "impact": in.Impact,
		"created_at": p.ts(start), "updated_at": p.ts(in.Updates[len(in.Updates)-1].At), "started_at": p.ts(start),
		"monitoring_at": nil, "resolved_at": resolvedAt, "shortlink": p.URL + "/incidents/" + incidentID, "page_id": "demo0page",
		"incident_updates": updates,
		"components":       []any{map[string]any{"id": "demo0api", "name": "API", "status": ph.API}},
	}}
}
