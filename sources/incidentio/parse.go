package incidentio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/outagebot/outagebot/sources/internal/jsondoc"
	"slices"
	"strings"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/statuspage"
)

const what = "not an incident.io widget summary"

type widgetDoc struct {
	PageTitle              string    `json:"page_title"`
	PageURL                string    `json:"page_url"`
	OngoingIncidents       eventList `json:"ongoing_incidents"`
	InProgressMaintenances eventList `json:"in_progress_maintenances"`
	ScheduledMaintenances  eventList `json:"scheduled_maintenances"`
}

// eventList is an array of events that remembers whether its key was there
// at all (null counts as there).
type eventList struct {
	present bool
	items   []eventDoc
}

func (l *eventList) UnmarshalJSON(b []byte) error {
	l.present = true
	if string(b) == "null" {
		return nil
	}
	if len(b) == 0 || b[0] != '[' {
		return fmt.Errorf("an event list is %s, want an array", jsondoc.Kind(firstByte(b)))
	}
	return json.Unmarshal(b, &l.items)
}

type eventDoc struct {
	ID                 string        `json:"id"`
	Name               string        `json:"name"`
	Status             string        `json:"status"`
	URL                string        `json:"url"`
	LastUpdateAt       stamp         `json:"last_update_at"`
	LastUpdateMessage  *string       `json:"last_update_message"`
	CurrentWorstImpact string        `json:"current_worst_impact"`
	AffectedComponents []affectedDoc `json:"affected_components"`
	// maintenance_in_progress
	StartedAt      stamp `json:"started_at"`
	ScheduledEndAt stamp `json:"scheduled_end_at"`
	// maintenance_scheduled
	StartsAt stamp `json:"starts_at"`
	EndsAt   stamp `json:"ends_at"`
}

type affectedDoc struct {
	ID            string `json:"id"`
	ComponentID   string `json:"component_id"`
	Name          string `json:"name"`
	GroupName     string `json:"group_name"`
	CurrentStatus string `json:"current_status"`
}

// stamp is an RFC 3339 time that may be null or empty.
type stamp time.Time

func (s *stamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" || string(b) == `""` {
		*s = stamp{}
		return nil
	}
	var t time.Time
	if err := t.UnmarshalJSON(b); err != nil {
		return fmt.Errorf("bad time %s", b)
	}
	*s = stamp(t.UTC())
	return nil
}

func (s stamp) time() time.Time { return time.Time(s) }

// Parse parses what an incident.io page serves: its widget API summary, the
// summary its front end reads (<page>/proxy/<host>), or its
// Statuspage-compatible summary.json (through statuspage.ParseSummary).
// base is the page's URL.
func Parse(data []byte, base string) (sources.Observation, error) {
	// The front end's summary is told apart first: it names
	// "ongoing_incidents" too, so isWidget alone would take it.
	if isProxy(data) {
		return ParseProxy(data, base)
	}
	if isWidget(data) {
		return ParseWidget(data, base)
	}
	obs, err := statuspage.ParseSummary(data, base)
	if err != nil && strings.HasPrefix(err.Error(), "not a Statuspage summary: ") {
		return obs, fmt.Errorf("not an incident.io summary (widget API or Statuspage-compatible): %s",
			strings.TrimPrefix(err.Error(), "not a Statuspage summary: "))
	}
	return obs, err
}

// Detect reports whether body is an incident.io widget API summary or the
// front end's summary. (The
// Statuspage-compatible summary.json is a Statuspage document: the
// statuspage package's detection, and type "statuspage", take it.)
func Detect(body []byte, contentType string) bool {
	b := bytes.TrimLeft(body, " \t\r\n\xef\xbb\xbf")
	return len(b) > 0 && b[0] == '{' && (isWidget(b) || isProxy(b))
}

func isWidget(data []byte) bool {
	return bytes.Contains(data, []byte(`"ongoing_incidents"`)) || bytes.Contains(data, []byte(`"in_progress_maintenances"`))
}

// ParseWidget parses an incident.io widget API summary (<page>/api/v1/summary).
// base is the page's URL, used when the document names none.
//
// The widget API lists only ongoing events, each with its latest update, so
// every incident carries one update (the latest), and the components are
// those the events affect, with their current status.
//
// Given the front end's summary instead, ParseWidget hands it to
// ParseProxy. Parse checks the same first, but ParseWidget is reached
// without it: the source polls its widget URL through ParseWidget, and
// people paste the <page>/proxy/<host> URL they see in their browser
// there. Both documents name "ongoing_incidents", so without this check
// the summary would be read as a widget document and its components lost.
func ParseWidget(data []byte, base string) (sources.Observation, error) {
	if isProxy(data) {
		return ParseProxy(data, base)
	}
	var doc widgetDoc
	if err := decode(data, &doc); err != nil {
		return sources.Observation{}, err
	}
	if !doc.OngoingIncidents.present && !doc.InProgressMaintenances.present && !doc.ScheduledMaintenances.present {
		return sources.Observation{}, fmt.Errorf(`%s: no "ongoing_incidents", "in_progress_maintenances" or "scheduled_maintenances"`, what)
	}
	obs := sources.Observation{Page: strings.TrimRight(doc.PageURL, "/")}
	if obs.Page == "" {
		obs.Page = strings.TrimRight(base, "/")
	}
	var comps []sources.Component
	addComps := func(ev *eventDoc, fallback sources.Status) []string {
		var ids []string
		for _, a := range ev.AffectedComponents {
			id := a.ID
			if id == "" {
				id = a.ComponentID
			}
			if id == "" {
				id = a.Name
			}
			if id == "" {
				continue
			}
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
			st := componentStatus(a.CurrentStatus, fallback)
			i := slices.IndexFunc(comps, func(c sources.Component) bool { return c.ID == id })
			if i < 0 {
				name := strings.TrimSpace(a.Name)
				if name == "" {
					name = id
				}
				comps = append(comps, sources.Component{ID: id, Name: name, Group: strings.TrimSpace(a.GroupName), Status: st})
				continue
			}
			comps[i].Status = sources.Worst(comps[i].Status, st)
		}
		return ids
	}

	for i := range doc.OngoingIncidents.items {
		ev := &doc.OngoingIncidents.items[i]
		inc := event(ev)
		inc.Status = incidentStatus(ev.Status)
		inc.Impact = impactOf(ev.CurrentWorstImpact)
		if inc.Status.Done() {
			inc.ResolvedAt = inc.UpdatedAt
		}
		fallback := inc.Impact
		if inc.Status.Done() {
			fallback = sources.Operational
		}
		inc.ComponentIDs = addComps(ev, fallback)
		withUpdate(&inc, ev)
		obs.Incidents = append(obs.Incidents, inc)
	}
	for i := range doc.InProgressMaintenances.items {
		ev := &doc.InProgressMaintenances.items[i]
		m := event(ev)
		m.Status = sources.MaintenanceInProgress
		m.Impact = sources.Maintenance
		m.StartedAt = first(ev.StartedAt, ev.StartsAt)
		m.ScheduledFor = m.StartedAt
		m.ScheduledUntil = first(ev.ScheduledEndAt, ev.EndsAt)
		m.ComponentIDs = addComps(ev, sources.Maintenance)
		withUpdate(&m, ev)
		obs.Maintenances = append(obs.Maintenances, m)
	}
	for i := range doc.ScheduledMaintenances.items {
		ev := &doc.ScheduledMaintenances.items[i]
		m := event(ev)
		m.Status = sources.MaintenanceScheduled
		m.Impact = sources.Maintenance
		m.ScheduledFor = first(ev.StartsAt, ev.StartedAt)
		m.ScheduledUntil = first(ev.EndsAt, ev.ScheduledEndAt)
		m.ComponentIDs = addComps(ev, sources.Operational)
		withUpdate(&m, ev)
		obs.Maintenances = append(obs.Maintenances, m)
	}
	obs.Components = comps
	return obs, nil
}

func event(ev *eventDoc) sources.Incident {
	return sources.Incident{
		ID:        ev.ID,
		Title:     strings.TrimSpace(ev.Name),
		URL:       ev.URL,
		UpdatedAt: ev.LastUpdateAt.time(),
	}
}

// withUpdate gives an event its one known update: the latest. Its ID is
// derived from its time, so that a newer update is a new ID.
func withUpdate(inc *sources.Incident, ev *eventDoc) {
	if ev.LastUpdateMessage == nil && ev.LastUpdateAt.time().IsZero() {
		return
	}
	u := sources.IncidentUpdate{At: ev.LastUpdateAt.time(), Status: inc.Status}
	if ev.LastUpdateMessage != nil {
		u.Body = strings.TrimSpace(*ev.LastUpdateMessage)
	}
	u.ID = inc.ID + "@" + u.At.Format(time.RFC3339Nano)
	inc.Updates = []sources.IncidentUpdate{u}
}

func first(ts ...stamp) time.Time {
	for _, t := range ts {
		if !t.time().IsZero() {
			return t.time()
		}
	}
	return time.Time{}
}

func incidentStatus(s string) sources.IncidentStatus {
	switch strings.ToLower(s) {
	case "investigating", "":
		return sources.IncidentInvestigating
	case "identified":
		return sources.IncidentIdentified
	case "monitoring":
		return sources.IncidentMonitoring
	case "resolved":
		return sources.IncidentResolved
	}
	return sources.IncidentStatus(strings.ToLower(s))
}

// impactOf maps an incident's current_worst_impact. An incident is at least
// degraded.
func impactOf(s string) sources.Status {
	switch strings.ToLower(s) {
	case "partial_outage":
		return sources.PartialOutage
	case "full_outage", "major_outage":
		return sources.MajorOutage
	}
	return sources.Degraded
}

// componentStatus maps an affected component's current_status; fallback is
// used when the document gives none.
func componentStatus(s string, fallback sources.Status) sources.Status {
	switch strings.ToLower(s) {
	case "":
		return fallback
	case "operational":
		return sources.Operational
	case "degraded_performance":
		return sources.Degraded
	case "partial_outage":
		return sources.PartialOutage
	case "full_outage", "major_outage":
		return sources.MajorOutage
	case "under_maintenance":
		return sources.Maintenance
	}
	return sources.Unknown
}

// decode reads a JSON object, with errors about the document.
func decode(data []byte, v any) error { return jsondoc.Doc{What: what}.Decode(data, v) }

func firstByte(b []byte) byte {
	if len(b) == 0 {
		return 0
	}
	return b[0]
}
