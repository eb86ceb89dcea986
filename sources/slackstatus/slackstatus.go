// Package slackstatus reads Slack's own status API (slack-status.com),
// which is not a Statuspage: GET /api/v2.0.0/current answers with the
// overall status and the active incidents, each naming the services it
// affects.
package slackstatus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/feed"
	"github.com/outagebot/outagebot/sources/fetch"
	"github.com/outagebot/outagebot/sources/internal/jsondoc"
)

const what = "not Slack status JSON"

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
	now    func() time.Time

	mu   sync.Mutex
	val  fetch.Validators
	last sources.Observation
	have bool
}

// Option configures a Source.
type Option func(*Source)

// WithNow sets the clock (tests).
func WithNow(now func() time.Time) Option { return func(s *Source) { s.now = now } }

// New returns a Source for the status site at baseURL (normally
// "https://slack-status.com").
func New(baseURL string, client *fetch.Client, opts ...Option) *Source {
	if client == nil {
		client = fetch.New(fetch.Options{})
	}
	s := &Source{url: strings.TrimRight(baseURL, "/") + "/api/v2.0.0/current", client: client, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
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
		obs.At = s.now()
		return obs, nil
	}
	obs, err := Parse(body)
	if err != nil {
		return sources.Observation{}, fmt.Errorf("GET %s: %w", fetch.Redact(s.url), err)
	}
	obs.At = s.now()
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
	if b := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf"); len(b) > 0 && b[0] == '<' {
		return sources.Observation{}, fmt.Errorf("%s: got an HTML page instead of JSON (an error or login page?)", what)
	}
	var c current
	if err := (jsondoc.Doc{What: what}).Decode(data, &c); err != nil {
		return sources.Observation{}, err
	}
	if c.Status == nil {
		return sources.Observation{}, errors.New(what + `: no "status" field`)
	}
	worst := map[string]sources.Status{}
	var obs sources.Observation
	obs.Page = "https://slack-status.com"
	for _, in := range c.ActiveIncidents {
		st := statusOf(in.Status)
		maint := st == sources.MaintenanceScheduled || st == sources.MaintenanceCompleted || in.Type == "maintenance"
		impact := impactOf(in.Type)
		if maint {
			impact = sources.Maintenance
		}
		inc := sources.Incident{
			ID:        in.ID.String(),
			Title:     feed.PlainText(in.Title),
			Status:    st,
			Impact:    impact,
			URL:       in.URL,
			StartedAt: parseTime(in.DateCreated),
			UpdatedAt: parseTime(in.DateUpdated),
		}
		if st.Done() {
			inc.ResolvedAt = inc.UpdatedAt
		}
		for _, svc := range in.Services {
			inc.ComponentIDs = append(inc.ComponentIDs, svc)
			// Maintenance that is not under way, and incidents that are
			// over, leave their services as they are.
			if st.Done() || st == sources.MaintenanceScheduled {
				continue
			}
			if impact.Worse(worst[svc]) || worst[svc] == "" {
				worst[svc] = impact
			}
		}
		for _, n := range in.Notes {
			inc.Updates = append(inc.Updates, sources.IncidentUpdate{
				// Named by the note's time as Slack writes it, so that the
				// name never changes.
				ID:     inc.ID + "-" + n.DateCreated,
				At:     parseTime(n.DateCreated),
				Status: inc.Status,
				Body:   feed.PlainText(n.Body),
			})
		}
		// Slack lists notes newest first.
		slices.SortStableFunc(inc.Updates, func(a, b sources.IncidentUpdate) int { return a.At.Compare(b.At) })
		if maint {
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
	case "completed", "cancelled", "canceled":
		// A cancelled maintenance will not happen: it is over.
		return sources.MaintenanceCompleted
	}
	return sources.IncidentInvestigating
}

// parseTime reads Slack's times, which carry the offset of Slack's own
// clock (-07:00 or -08:00), as UTC.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
