package statuspage

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/outagebot/outagebot/sources/internal/jsondoc"
	"slices"
	"strings"
	"time"

	"github.com/outagebot/outagebot/sources"
)

// The documents below decode only the fields outagebot uses. Status words
// decode straight into outagebot's types, so they cost no allocation.

type summaryDoc struct {
	Page                  *pageDoc       `json:"page"`
	Components            []componentDoc `json:"components"`
	Incidents             []incidentDoc  `json:"incidents"`
	ScheduledMaintenances []incidentDoc  `json:"scheduled_maintenances"`
}

type incidentsDoc struct {
	Incidents []incidentDoc `json:"incidents"`
}

type maintenancesDoc struct {
	ScheduledMaintenances []incidentDoc `json:"scheduled_maintenances"`
}

type pageDoc struct {
	URL string `json:"url"`
}

type componentDoc struct {
	ID      string          `json:"id"`
	Name    string          `json:"name"`
	Status  componentStatus `json:"status"`
	GroupID string          `json:"group_id"`
	Group   bool            `json:"group"`
}

type incidentDoc struct {
	ID             string         `json:"id"`
	Name           string         `json:"name"`
	Status         incidentStatus `json:"status"`
	Impact         impact         `json:"impact"`
	Shortlink      string         `json:"shortlink"`
	CreatedAt      stamp          `json:"created_at"`
	UpdatedAt      stamp          `json:"updated_at"`
	StartedAt      stamp          `json:"started_at"`
	ResolvedAt     stamp          `json:"resolved_at"`
	ScheduledFor   stamp          `json:"scheduled_for"`
	ScheduledUntil stamp          `json:"scheduled_until"`
	Components     []idDoc        `json:"components"`
	Updates        []updateDoc    `json:"incident_updates"`
}

type idDoc struct {
	ID string `json:"id"`
}

type updateDoc struct {
	ID                 string         `json:"id"`
	Status             incidentStatus `json:"status"`
	Body               string         `json:"body"`
	CreatedAt          stamp          `json:"created_at"`
	DisplayAt          stamp          `json:"display_at"`
	AffectedComponents []codeDoc      `json:"affected_components"`
}

type codeDoc struct {
	Code string `json:"code"`
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

// componentStatus maps Statuspage's component status onto sources.Status.
type componentStatus sources.Status

func (c *componentStatus) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"operational"`:
		*c = componentStatus(sources.Operational)
	case `"degraded_performance"`:
		*c = componentStatus(sources.Degraded)
	case `"partial_outage"`:
		*c = componentStatus(sources.PartialOutage)
	case `"major_outage"`:
		*c = componentStatus(sources.MajorOutage)
	case `"under_maintenance"`:
		*c = componentStatus(sources.Maintenance)
	default:
		*c = componentStatus(sources.Unknown)
	}
	return nil
}

// impact maps an incident's impact onto sources.Status. An impact this
// parser does not know is taken as degraded: there is an incident, so the
// service is at least that.
type impact sources.Status

func (i *impact) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"none"`, `"minor"`:
		*i = impact(sources.Degraded)
	case `"major"`:
		*i = impact(sources.PartialOutage)
	case `"critical"`:
		*i = impact(sources.MajorOutage)
	case `"maintenance"`:
		*i = impact(sources.Maintenance)
	default:
		*i = impact(sources.Degraded)
	}
	return nil
}

// incidentStatus maps Statuspage's incident and maintenance phases onto the
// sources constants; a phase it does not know is kept as sent.
type incidentStatus sources.IncidentStatus

func (s *incidentStatus) UnmarshalJSON(b []byte) error {
	var v sources.IncidentStatus
	switch string(b) {
	case `"investigating"`:
		v = sources.IncidentInvestigating
	case `"identified"`:
		v = sources.IncidentIdentified
	case `"monitoring"`:
		v = sources.IncidentMonitoring
	case `"resolved"`:
		v = sources.IncidentResolved
	case `"postmortem"`:
		v = sources.IncidentPostmortem
	case `"scheduled"`:
		v = sources.MaintenanceScheduled
	case `"in_progress"`:
		v = sources.MaintenanceInProgress
	case `"verifying"`:
		v = sources.MaintenanceVerifying
	case `"completed"`:
		v = sources.MaintenanceCompleted
	case "null":
		v = ""
	default:
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return fmt.Errorf("status is %s, want a string", b)
		}
		v = sources.IncidentStatus(strings.ToLower(str))
	}
	*s = incidentStatus(v)
	return nil
}

// ParseSummary parses a Statuspage /api/v2/summary.json document. base is
// the page's URL, used for links the document does not carry.
func ParseSummary(data []byte, base string) (sources.Observation, error) {
	var doc summaryDoc
	if err := decode(data, &doc, "summary"); err != nil {
		return sources.Observation{}, err
	}
	switch {
	case doc.Page == nil && doc.Components == nil:
		return sources.Observation{}, errors.New(`not a Statuspage summary: no "page" or "components"`)
	case doc.Page == nil:
		return sources.Observation{}, errors.New(`not a Statuspage summary: no "page"`)
	case doc.Components == nil:
		return sources.Observation{}, errors.New(`not a Statuspage summary: no "components"`)
	}
	base = strings.TrimRight(base, "/")
	obs := sources.Observation{Page: doc.Page.URL}
	if obs.Page == "" {
		obs.Page = base
	}
	obs.Components = components(doc.Components)
	if len(doc.Incidents) > 0 {
		obs.Incidents = make([]sources.Incident, 0, len(doc.Incidents))
		for i := range doc.Incidents {
			obs.Incidents = append(obs.Incidents, incident(&doc.Incidents[i], base, false))
		}
	}
	for i := range doc.ScheduledMaintenances {
		m := &doc.ScheduledMaintenances[i]
		switch sources.IncidentStatus(m.Status) {
		case sources.MaintenanceScheduled, sources.MaintenanceInProgress, sources.MaintenanceVerifying:
			if obs.Maintenances == nil {
				obs.Maintenances = make([]sources.Incident, 0, len(doc.ScheduledMaintenances)-i)
			}
			obs.Maintenances = append(obs.Maintenances, incident(m, base, true))
		}
	}
	return obs, nil
}

// ParseIncidents parses a Statuspage /api/v2/incidents.json document: the
// page's recent incidents, resolved or not, newest first.
func ParseIncidents(data []byte, base string) ([]sources.Incident, error) {
	var doc incidentsDoc
	if err := decode(data, &doc, "incidents list"); err != nil {
		return nil, err
	}
	if doc.Incidents == nil {
		return nil, errors.New(`not a Statuspage incidents list: no "incidents"`)
	}
	base = strings.TrimRight(base, "/")
	out := make([]sources.Incident, 0, len(doc.Incidents))
	for i := range doc.Incidents {
		out = append(out, incident(&doc.Incidents[i], base, false))
	}
	return out, nil
}

// ParseMaintenances parses a Statuspage /api/v2/scheduled-maintenances.json
// document: the page's recent maintenances in every phase, newest first.
func ParseMaintenances(data []byte, base string) ([]sources.Incident, error) {
	var doc maintenancesDoc
	if err := decode(data, &doc, "maintenances list"); err != nil {
		return nil, err
	}
	if doc.ScheduledMaintenances == nil {
		return nil, errors.New(`not a Statuspage maintenances list: no "scheduled_maintenances"`)
	}
	base = strings.TrimRight(base, "/")
	out := make([]sources.Incident, 0, len(doc.ScheduledMaintenances))
	for i := range doc.ScheduledMaintenances {
		out = append(out, incident(&doc.ScheduledMaintenances[i], base, true))
	}
	return out, nil
}

func components(docs []componentDoc) []sources.Component {
	out := make([]sources.Component, len(docs))
	for i := range docs {
		d := &docs[i]
		out[i] = sources.Component{
			ID:      d.ID,
			Name:    d.Name,
			Status:  sources.Status(d.Status),
			IsGroup: d.Group,
		}
		if out[i].Status == "" { // status missing
			out[i].Status = sources.Unknown
		}
	}
	// Name each leaf's group. Pages have a handful of groups, so a scan
	// beats building a map.
	for i := range docs {
		gid := docs[i].GroupID
		if gid == "" || docs[i].Group {
			continue
		}
		for j := range docs {
			if docs[j].Group && docs[j].ID == gid {
				out[i].Group = docs[j].Name
				break
			}
		}
	}
	return out
}

func incident(d *incidentDoc, base string, maintenance bool) sources.Incident {
	inc := sources.Incident{
		ID:             d.ID,
		Title:          d.Name,
		Status:         sources.IncidentStatus(d.Status),
		Impact:         sources.Status(d.Impact),
		URL:            d.Shortlink,
		StartedAt:      d.StartedAt.time(),
		UpdatedAt:      d.UpdatedAt.time(),
		ResolvedAt:     d.ResolvedAt.time(),
		ScheduledFor:   d.ScheduledFor.time(),
		ScheduledUntil: d.ScheduledUntil.time(),
	}
	if inc.URL == "" && d.ID != "" {
		inc.URL = base + "/incidents/" + d.ID
	}
	if inc.StartedAt.IsZero() {
		inc.StartedAt = d.CreatedAt.time()
	}
	if inc.Impact == "" {
		inc.Impact = sources.Degraded
	}
	if maintenance {
		// Planned work is maintenance whatever impact the vendor chose for
		// it ("major" only says how much it will be felt): it must never
		// read as an outage.
		inc.Impact = sources.Maintenance
	}

	n := len(d.Components)
	for i := range d.Updates {
		n += len(d.Updates[i].AffectedComponents)
	}
	if n > 0 {
		ids := make([]string, 0, n)
		for _, c := range d.Components {
			if c.ID != "" && !slices.Contains(ids, c.ID) {
				ids = append(ids, c.ID)
			}
		}
		// Updates arrive newest first; walk them oldest first so that the
		// order is the order in which components became involved.
		for i := len(d.Updates) - 1; i >= 0; i-- {
			for _, c := range d.Updates[i].AffectedComponents {
				if c.Code != "" && !slices.Contains(ids, c.Code) {
					ids = append(ids, c.Code)
				}
			}
		}
		inc.ComponentIDs = ids
	}

	if len(d.Updates) > 0 {
		ups := make([]sources.IncidentUpdate, len(d.Updates))
		for i := range d.Updates {
			u := &d.Updates[len(d.Updates)-1-i] // newest first -> oldest first
			at := u.DisplayAt.time()
			if at.IsZero() {
				at = u.CreatedAt.time()
			}
			ups[i] = sources.IncidentUpdate{ID: u.ID, At: at, Status: sources.IncidentStatus(u.Status), Body: u.Body}
		}
		if !slices.IsSortedFunc(ups, cmpUpdate) {
			slices.SortStableFunc(ups, cmpUpdate)
		}
		inc.Updates = ups
	}
	if maintenance {
		inc.StartedAt = workBegan(inc, inc.StartedAt)
	}
	return inc
}

// workBegan is when a maintenance's work began. Statuspage's started_at and
// created_at of a maintenance are when it was announced, often days ahead,
// so the start is the first update that put it in progress, else the
// planned start; the announcement is the last resort.
func workBegan(m sources.Incident, announced time.Time) time.Time {
	for _, u := range m.Updates {
		if u.Status == sources.MaintenanceInProgress && !u.At.IsZero() {
			return u.At
		}
	}
	if !m.ScheduledFor.IsZero() {
		return m.ScheduledFor
	}
	return announced
}

func cmpUpdate(a, b sources.IncidentUpdate) int { return a.At.Compare(b.At) }

// decode reads a JSON object, with errors about the document.
func decode(data []byte, v any, what string) error {
	return jsondoc.Doc{What: "not a Statuspage " + what}.Decode(data, v)
}
