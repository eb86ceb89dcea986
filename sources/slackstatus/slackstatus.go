// Package slackstatus reads Slack's own status API (slack-status.com),
// which is not a Statuspage: GET /api/v2.0.0/current answers with the
// overall status and the active incidents, each naming the services it
// affects.
package slackstatus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

// Services are the services Slack's status page lists. The API only names
// the services an incident affects, so the rest are known to be fine only
// by this list.
var Services = []string{
	"Login/SSO", "Connectivity", "Messaging", "Notifications", "Search",
	"Workspace/Org Administration", "Apps/Integrations/APIs", "Link Previews",
	"Huddles", "Files", "Workflows", "Canvases",
}

var _ sources.Source = (*Source)(nil)

// Source polls Slack's status API.
type Source struct {
	url    string
	client *fetch.Client

	mu   sync.Mutex
	val  fetch.Validators
	last sources.Observation
	have bool
}

// New returns a Source for the status site at baseURL (normally
// "https://slack-status.com").
func New(baseURL string, client *fetch.Client) *Source {
	if client == nil {
		client = fetch.New(fetch.Options{})
	}
	return &Source{url: strings.TrimRight(baseURL, "/") + "/api/v2.0.0/current", client: client}
}

// Poll reads the current status; an unchanged answer costs a conditional
// request and no parsing.
func (s *Source) Poll(ctx context.Context) (sources.Observation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	val := s.val
	if !s.have {
		val = fetch.Validators{}
	}
	body, notModified, err := s.client.Get(ctx, s.url, &val, "application/json")
	if err != nil {
		return sources.Observation{}, err
	}
	if notModified && s.have {
		obs := s.last
		obs.NotModified = true
		obs.At = time.Now()
		return obs, nil
	}
	obs, err := Parse(body)
	if err != nil {
		return sources.Observation{}, fmt.Errorf("GET %s: %w", s.url, err)
	}
	obs.At = time.Now()
	s.val, s.last, s.have = val, obs, true
	return obs, nil
}

type current struct {
	Status          *string    `json:"status"`
	ActiveIncidents []incident `json:"active_incidents"`
}

type incident struct {
	ID          json.Number `json:"id"`
	Title       string      `json:"title"`
	Type        string      `json:"type"`
	Status      string      `json:"status"`
	URL         string      `json:"url"`
	DateCreated string      `json:"date_created"`
	DateUpdated string      `json:"date_updated"`
	Services    []string    `json:"services"`
	Notes       []note      `json:"notes"`
}

type note struct {
	DateCreated string `json:"date_created"`
	Body        string `json:"body"`
}

// Parse reads one /api/v2.0.0/current answer.
func Parse(data []byte) (sources.Observation, error) {
	var c current
	if err := json.Unmarshal(data, &c); err != nil {
		return sources.Observation{}, fmt.Errorf("not Slack status JSON: %w", err)
	}
	if c.Status == nil {
		return sources.Observation{}, errors.New(`not Slack status JSON: no "status" field`)
	}
	worst := map[string]sources.Status{}
	var obs sources.Observation
	obs.Page = "https://slack-status.com"
	for _, in := range c.ActiveIncidents {
		impact := impactOf(in.Type)
		inc := sources.Incident{
			ID:        in.ID.String(),
			Title:     in.Title,
			Status:    statusOf(in.Status),
			Impact:    impact,
			URL:       in.URL,
			StartedAt: parseTime(in.DateCreated),
			UpdatedAt: parseTime(in.DateUpdated),
		}
		for _, svc := range in.Services {
			inc.ComponentIDs = append(inc.ComponentIDs, svc)
			if impact.Worse(worst[svc]) || worst[svc] == "" {
				worst[svc] = impact
			}
		}
		for _, n := range in.Notes {
			inc.Updates = append(inc.Updates, sources.IncidentUpdate{
				ID:     fmt.Sprintf("%s-%s", inc.ID, n.DateCreated),
				At:     parseTime(n.DateCreated),
				Status: inc.Status,
				Body:   strings.TrimSpace(n.Body),
			})
		}
		// Slack lists notes newest first.
		slices.SortStableFunc(inc.Updates, func(a, b sources.IncidentUpdate) int { return a.At.Compare(b.At) })
		if inc.Status == sources.MaintenanceScheduled || inc.Status == sources.MaintenanceCompleted || in.Type == "maintenance" {
			obs.Maintenances = append(obs.Maintenances, inc)
			continue
		}
		obs.Incidents = append(obs.Incidents, inc)
	}
	names := append([]string(nil), Services...)
	for svc := range worst {
		if !slices.Contains(names, svc) {
			names = append(names, svc)
		}
	}
	for _, svc := range names {
		st := sources.Operational
		if w, ok := worst[svc]; ok {
			st = w
		}
		obs.Components = append(obs.Components, sources.Component{ID: svc, Name: svc, Status: st})
	}
	return obs, nil
}

// impactOf maps Slack's incident types: an outage is major, an incident
// partial, a notice a degradation worth knowing about.
func impactOf(typ string) sources.Status {
	switch typ {
	case "outage":
		return sources.MajorOutage
	case "incident":
		return sources.PartialOutage
	case "maintenance":
		return sources.Maintenance
	}
	return sources.Degraded
}

func statusOf(s string) sources.IncidentStatus {
	switch s {
	case "resolved":
		return sources.IncidentResolved
	case "scheduled":
		return sources.MaintenanceScheduled
	case "completed":
		return sources.MaintenanceCompleted
	}
	return sources.IncidentInvestigating
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
