package instatus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/internal/jsondoc"
	"github.com/outagebot/outagebot/sources/internal/vendortext"
)

type summaryDoc struct {
	Page               *pageDoc         `json:"page"`
	ActiveIncidents    []incidentDoc    `json:"activeIncidents"`
	ActiveMaintenances []maintenanceDoc `json:"activeMaintenances"`
}

type pageDoc struct {
	Name   string `json:"name"`
	URL    string `json:"url"`
	Status string `json:"status"`
}

type incidentDoc struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Started   stamp  `json:"started"`
	Status    string `json:"status"`
	Impact    string `json:"impact"`
	URL       string `json:"url"`
	UpdatedAt stamp  `json:"updatedAt"`
}

type maintenanceDoc struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Start     stamp   `json:"start"`
	Status    string  `json:"status"`
	Duration  minutes `json:"duration"`
	URL       string  `json:"url"`
	UpdatedAt stamp   `json:"updatedAt"`
}

type componentDoc struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Status   string         `json:"status"`
	Group    *groupDoc      `json:"group"`
	IsParent bool           `json:"isParent"`
	Children []componentDoc `json:"children"`
}

type groupDoc struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// stamp is a time as Instatus writes it: RFC 3339, or JavaScript's
// Date.toString ("Sat Jun 11 2022 18:55:50 GMT+0000 (Coordinated Universal
// Time)"), or milliseconds since the epoch; null or empty is no time.
type stamp time.Time

const jsDate = "Mon Jan 02 2006 15:04:05 GMT-0700"

func (s *stamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" || string(b) == `""` {
		*s = stamp{}
		return nil
	}
	if len(b) > 0 && b[0] != '"' {
		ms, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return fmt.Errorf("bad time %s", b)
		}
		*s = stamp(time.UnixMilli(ms).UTC())
		return nil
	}
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return fmt.Errorf("bad time %s", b)
	}
	if t, err := time.Parse(time.RFC3339Nano, str); err == nil {
		*s = stamp(t.UTC())
		return nil
	}
	if i := strings.Index(str, " ("); i > 0 {
		str = str[:i]
	}
	t, err := time.Parse(jsDate, str)
	if err != nil {
		return fmt.Errorf("bad time %s", b)
	}
	*s = stamp(t.UTC())
	return nil
}

func (s stamp) time() time.Time { return time.Time(s) }

// minutes is a maintenance's length, which Instatus writes as a string of
// minutes ("60") or a number.
type minutes time.Duration

func (m *minutes) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		*m = 0
		return nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 || n > 1e7 {
		return fmt.Errorf("bad duration %s", b)
	}
	*m = minutes(time.Duration(n * float64(time.Minute)))
	return nil
}

// summary is one parsed summary.json.
type summary struct {
	page         string
	incidents    []sources.Incident
	maintenances []sources.Incident
}

// Parse parses an Instatus <page>/summary.json and, when not nil, the page's
// components.json. base is the page's URL, used when the summary names none.
func Parse(summaryJSON, componentsJSON []byte, base string) (sources.Observation, error) {
	sum, err := parseSummary(summaryJSON)
	if err != nil {
		return sources.Observation{}, err
	}
	var comps []sources.Component
	if componentsJSON != nil {
		if comps, err = ParseComponents(componentsJSON); err != nil {
			return sources.Observation{}, err
		}
	}
	return sum.observation(strings.TrimRight(base, "/"), comps), nil
}

// Detect reports whether body looks like an Instatus summary.json: an object
// with a "page" whose status is one of Instatus's capitalised words.
func Detect(body []byte, contentType string) bool {
	b := bytes.TrimLeft(body, " \t\r\n\xef\xbb\xbf")
	if len(b) == 0 || b[0] != '{' || !bytes.Contains(b, []byte(`"page"`)) {
		return false
	}
	if bytes.Contains(b, []byte(`"activeIncidents"`)) || bytes.Contains(b, []byte(`"activeMaintenances"`)) {
		return true
	}
	var doc struct {
		Page struct {
			Status string `json:"status"`
		} `json:"page"`
	}
	if json.Unmarshal(b, &doc) != nil {
		return false
	}
	switch st := doc.Page.Status; {
	case st == "UP", st == "HASISSUES", strings.HasSuffix(st, "UNDERMAINTENANCE"),
		strings.HasSuffix(st, "OUTAGE"), strings.HasSuffix(st, "DEGRADEDPERFORMANCE"):
		return true
	}
	return false
}

func parseSummary(data []byte) (*summary, error) {
	var doc summaryDoc
	if err := decode(data, &doc, "summary", false); err != nil {
		return nil, err
	}
	if doc.Page == nil {
		return nil, errors.New(`not an Instatus summary: no "page"`)
	}
	sum := &summary{page: strings.TrimRight(doc.Page.URL, "/")}
	for i := range doc.ActiveIncidents {
		d := &doc.ActiveIncidents[i]
		inc := sources.Incident{
			ID:        d.ID,
			Title:     vendortext.Title(d.Name),
			Status:    incidentStatus(d.Status),
			Impact:    impactOf(d.Impact),
			URL:       d.URL,
			StartedAt: d.Started.time(),
			UpdatedAt: d.UpdatedAt.time(),
		}
		if inc.ID == "" {
			inc.ID = lastSegment(d.URL, d.Name)
		}
		if inc.UpdatedAt.IsZero() {
			inc.UpdatedAt = inc.StartedAt
		}
		if inc.Status.Done() {
			inc.ResolvedAt = inc.UpdatedAt
		}
		sum.incidents = append(sum.incidents, inc)
	}
	for i := range doc.ActiveMaintenances {
		d := &doc.ActiveMaintenances[i]
		m := sources.Incident{
			ID:           d.ID,
			Title:        vendortext.Title(d.Name),
			Status:       maintenanceStatus(d.Status),
			Impact:       sources.Maintenance,
			URL:          d.URL,
			StartedAt:    d.Start.time(),
			UpdatedAt:    d.UpdatedAt.time(),
			ScheduledFor: d.Start.time(),
		}
		if m.ID == "" {
			m.ID = lastSegment(d.URL, d.Name)
		}
		if d.Duration > 0 && !m.ScheduledFor.IsZero() {
			m.ScheduledUntil = m.ScheduledFor.Add(time.Duration(d.Duration))
		}
		switch {
		case m.Status.Done():
			// Still listed a while after it ended: reported, so that the
			// restoration says it completed. The summary has no updates:
			// it ended when last updated, else at the end of its window.
			m.ResolvedAt = m.UpdatedAt
			if m.ResolvedAt.IsZero() {
				m.ResolvedAt = m.ScheduledUntil
			}
			if m.UpdatedAt.IsZero() {
				m.UpdatedAt = m.ResolvedAt
			}
		case m.Status != sources.MaintenanceInProgress:
			m.StartedAt = time.Time{}
		}
		sum.maintenances = append(sum.maintenances, m)
	}
	return sum, nil
}

func (s *summary) observation(base string, comps []sources.Component) sources.Observation {
	if s == nil {
		return sources.Observation{}
	}
	obs := sources.Observation{Page: s.page, Components: comps, Incidents: s.incidents, Maintenances: s.maintenances}
	if obs.Page == "" {
		obs.Page = base
	}
	return obs
}

// ParseComponents parses an Instatus components.json: v3's
// {"components": [...]} with each component's group, or v2's bare array
// whose parents list their children.
func ParseComponents(data []byte) ([]sources.Component, error) {
	var docs []componentDoc
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if err := decode(data, &docs, "components list", true); err != nil {
			return nil, err
		}
	} else {
		var doc struct {
			Components []componentDoc `json:"components"`
		}
		if err := decode(data, &doc, "components list", false); err != nil {
			return nil, err
		}
		if doc.Components == nil {
			return nil, errors.New(`not an Instatus components list: no "components"`)
		}
		docs = doc.Components
	}
	out := make([]sources.Component, 0, len(docs))
	var add func(d *componentDoc, group string, depth int)
	add = func(d *componentDoc, group string, depth int) {
		c := sources.Component{
			ID:      d.ID,
			Name:    strings.TrimSpace(d.Name),
			Status:  componentStatus(d.Status),
			IsGroup: d.IsParent || len(d.Children) > 0,
			Group:   group,
		}
		if c.Group == "" && d.Group != nil {
			c.Group = strings.TrimSpace(d.Group.Name)
		}
		if c.ID == "" {
			c.ID = c.Name
		}
		out = append(out, c)
		if depth < 4 {
			for i := range d.Children {
				add(&d.Children[i], c.Name, depth+1)
			}
		}
	}
	for i := range docs {
		add(&docs[i], "", 0)
	}
	return out, nil
}

func lastSegment(url, fallback string) string {
	url = strings.TrimRight(url, "/")
	if i := strings.LastIndexByte(url, '/'); i >= 0 && i < len(url)-1 {
		return url[i+1:]
	}
	return fallback
}

// componentStatus maps Instatus's component statuses. Instatus has two
// outages below major: partial and minor (in that order in its own list).
func componentStatus(s string) sources.Status {
	switch strings.ToUpper(s) {
	case "OPERATIONAL":
		return sources.Operational
	case "UNDERMAINTENANCE":
		return sources.Maintenance
	case "DEGRADEDPERFORMANCE":
		return sources.Degraded
	case "PARTIALOUTAGE", "MINOROUTAGE":
		return sources.PartialOutage
	case "MAJOROUTAGE":
		return sources.MajorOutage
	}
	return sources.Unknown
}

// impactOf maps an incident's impact: a component status word. An incident
// is at least degraded.
func impactOf(s string) sources.Status {
	switch st := componentStatus(s); st {
	case sources.Operational, sources.Unknown:
		return sources.Degraded
	default:
		return st
	}
}

func incidentStatus(s string) sources.IncidentStatus {
	switch strings.ToUpper(s) {
	case "INVESTIGATING", "":
		return sources.IncidentInvestigating
	case "IDENTIFIED":
		return sources.IncidentIdentified
	case "MONITORING":
		return sources.IncidentMonitoring
	case "RESOLVED":
		return sources.IncidentResolved
	case "POSTMORTEM":
		return sources.IncidentPostmortem
	}
	return sources.IncidentStatus(strings.ToLower(s))
}

func maintenanceStatus(s string) sources.IncidentStatus {
	switch strings.ToUpper(s) {
	case "NOTSTARTEDYET", "":
		return sources.MaintenanceScheduled
	case "INPROGRESS":
		return sources.MaintenanceInProgress
	case "COMPLETED":
		return sources.MaintenanceCompleted
	}
	return sources.IncidentStatus(strings.ToLower(s))
}

// decode unmarshals a JSON object (or, with array set, an array) into v,
// with errors that say what was wrong with the document rather than with Go
// types.
func decode(data []byte, v any, what string, array bool) error {
	return jsondoc.Doc{What: "not an Instatus " + what, Array: array, Element: "a component"}.Decode(data, v)
}
