package incidentio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/internal/jsondoc"
)

const proxyWhat = "not an incident.io status page summary"

// The page's own front end reads <page>/proxy/<host>: one "summary" object
// holding every component, the page's layout ("structure": groups and
// loose components, some hidden), the status of each affected component,
// and the ongoing incidents and maintenances with their updates. People
// copy that URL from their browser, so Parse reads it too.

type proxyDoc struct {
	Summary *proxySummary `json:"summary"`
}

type proxySummary struct {
	Name                   string           `json:"name"`
	PublicURL              string           `json:"public_url"`
	Components             []proxyComponent `json:"components"`
	AffectedComponents     []proxyAffected  `json:"affected_components"`
	Structure              *proxyStructure  `json:"structure"`
	OngoingIncidents       []proxyEvent     `json:"ongoing_incidents"`
	InProgressMaintenances []proxyEvent     `json:"in_progress_maintenances"`
	ScheduledMaintenances  []proxyEvent     `json:"scheduled_maintenances"`
}

type proxyComponent struct {
	ID          string `json:"id"`
	ComponentID string `json:"component_id"`
	Name        string `json:"name"`
	Hidden      bool   `json:"hidden"`
}

func (c *proxyComponent) id() string {
	if c.ComponentID != "" {
		return c.ComponentID
	}
	return c.ID
}

type proxyAffected struct {
	ID              string `json:"id"`
	ComponentID     string `json:"component_id"`
	Status          string `json:"status"`
	CurrentStatus   string `json:"current_status"`
	ComponentStatus string `json:"component_status"`
}

func (a *proxyAffected) id() string {
	if a.ComponentID != "" {
		return a.ComponentID
	}
	return a.ID
}

// status is the component's status now: current_status where the event
// tells it apart from its worst ("status"), else status.
func (a *proxyAffected) status() string {
	for _, s := range []string{a.CurrentStatus, a.ComponentStatus, a.Status} {
		if s != "" {
			return s
		}
	}
	return ""
}

// proxyImpact is a period in which an incident put a component at a
// status; one without an end is still going on.
type proxyImpact struct {
	ComponentID     string `json:"component_id"`
	Status          string `json:"status"`
	ComponentStatus string `json:"component_status"`
	StartAt         stamp  `json:"start_at"`
	EndAt           stamp  `json:"end_at"`
}

func (m *proxyImpact) status() string {
	if m.Status != "" {
		return m.Status
	}
	return m.ComponentStatus
}

type proxyStructure struct {
	Items []proxyItem `json:"items"`
}

type proxyItem struct {
	Group     *proxyGroup     `json:"group"`
	Component *proxyComponent `json:"component"`
}

type proxyGroup struct {
	ID         string           `json:"id"`
	Name       string           `json:"name"`
	Hidden     bool             `json:"hidden"`
	Components []proxyComponent `json:"components"`
}

type proxyEvent struct {
	ID                 string          `json:"id"`
	Name               string          `json:"name"`
	Status             string          `json:"status"`
	PublishedAt        stamp           `json:"published_at"`
	AffectedComponents []proxyAffected `json:"affected_components"`
	ComponentImpacts   []proxyImpact   `json:"component_impacts"`
	Updates            []proxyUpdate   `json:"updates"`
	// Maintenances.
	StartsAt         stamp `json:"starts_at"`
	StartedAt        stamp `json:"started_at"`
	ScheduledStartAt stamp `json:"scheduled_start_at"`
	EndsAt           stamp `json:"ends_at"`
	ScheduledEndAt   stamp `json:"scheduled_end_at"`
}

type proxyUpdate struct {
	ID                string          `json:"id"`
	PublishedAt       stamp           `json:"published_at"`
	ToStatus          string          `json:"to_status"`
	MessageString     string          `json:"message_string"`
	Message           json.RawMessage `json:"message"`
	ComponentStatuses []proxyAffected `json:"component_statuses"`
}

// body is the update's text: message_string, else message when it is a
// plain string, an object carrying its Markdown, its rich-text tree
// ("text_node") or its text, or the rich-text tree itself. Public readers of
// this document disagree on where the text lives, so each place is tried.
func (u *proxyUpdate) body() string {
	if s := strings.TrimSpace(u.MessageString); s != "" {
		return s
	}
	m := bytes.TrimSpace(u.Message)
	if len(m) == 0 {
		return ""
	}
	var s string
	if m[0] == '"' && json.Unmarshal(m, &s) == nil {
		return strings.TrimSpace(s)
	}
	var o struct {
		Markdown string    `json:"markdown"`
		Text     string    `json:"text"`
		TextNode *richNode `json:"text_node"`
		richNode
	}
	if m[0] != '{' || json.Unmarshal(m, &o) != nil {
		return ""
	}
	switch {
	case strings.TrimSpace(o.Markdown) != "":
		return strings.TrimSpace(o.Markdown)
	case o.TextNode != nil:
		return o.TextNode.plain()
	case strings.TrimSpace(o.Text) != "":
		return strings.TrimSpace(o.Text)
	case o.Type == "doc":
		return o.richNode.plain()
	}
	return ""
}

// richNode is a node of a ProseMirror-style rich-text tree: a "doc" of
// paragraphs and lists whose leaves are "text" nodes. Marks (bold, links)
// sit on the leaves and carry no text of their own, so a link keeps its
// words and loses its address.
type richNode struct {
	Type    string     `json:"type"`
	Text    string     `json:"text"`
	Content []richNode `json:"content"`
}

// plain flattens the tree for chat: paragraphs apart by a blank line, list
// items on their own lines.
func (n *richNode) plain() string { return strings.TrimSpace(n.block()) }

func (n *richNode) block() string {
	switch n.Type {
	case "text", "hardBreak", "hard_break":
		return n.inline()
	case "bulletList", "bullet_list", "orderedList", "ordered_list":
		ordered := strings.HasPrefix(n.Type, "ordered")
		var lines []string
		for i := range n.Content {
			item := strings.TrimSpace(n.Content[i].block())
			if item == "" {
				continue
			}
			mark := "- "
			if ordered {
				mark = strconv.Itoa(len(lines)+1) + ". "
			}
			// A nested list or a second paragraph stays under its item.
			lines = append(lines, mark+strings.ReplaceAll(item, "\n", "\n  "))
		}
		return strings.Join(lines, "\n")
	case "listItem", "list_item":
		return n.blocks("\n")
	}
	if n.inlineOnly() {
		return n.inline()
	}
	return n.blocks("\n\n")
}

func (n *richNode) blocks(sep string) string {
	var parts []string
	for i := range n.Content {
		if s := strings.TrimSpace(n.Content[i].block()); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, sep)
}

// inlineOnly reports whether n holds only leaves (text, breaks, and inline
// nodes without content of their own), as a paragraph or heading does.
func (n *richNode) inlineOnly() bool {
	for i := range n.Content {
		if len(n.Content[i].Content) > 0 {
			return false
		}
	}
	return true
}

func (n *richNode) inline() string {
	switch n.Type {
	case "text":
		return n.Text
	case "hardBreak", "hard_break":
		return "\n"
	}
	var b strings.Builder
	b.WriteString(n.Text)
	for i := range n.Content {
		b.WriteString(n.Content[i].inline())
	}
	return b.String()
}

// isProxy reports whether data is the front end's summary: an object whose
// "summary" object holds incident.io's lists.
func isProxy(data []byte) bool {
	b := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf")
	return len(b) > 0 && b[0] == '{' && summaryKey.Match(b) &&
		(bytes.Contains(b, []byte(`"affected_components"`)) || bytes.Contains(b, []byte(`"ongoing_incidents"`)))
}

var summaryKey = regexp.MustCompile(`"summary"\s*:\s*\{`)

// ParseProxy parses the summary an incident.io status page's front end
// reads (<page>/proxy/<host>). base is the page's URL, used for links.
//
// Every listed component is reported, operational unless the summary names
// it among the affected ones; a component or group the page hides is left
// out, as the page leaves it out. Groups are reported as groups, at the
// worst status of their members.
func ParseProxy(data []byte, base string) (sources.Observation, error) {
	var doc proxyDoc
	if err := (jsondoc.Doc{What: proxyWhat}).Decode(data, &doc); err != nil {
		return sources.Observation{}, err
	}
	s := doc.Summary
	if s == nil {
		return sources.Observation{}, fmt.Errorf(`%s: no "summary"`, proxyWhat)
	}
	if s.Components == nil && s.Structure == nil && s.OngoingIncidents == nil {
		return sources.Observation{}, fmt.Errorf(`%s: no "components", "structure" or "ongoing_incidents" in "summary"`, proxyWhat)
	}

	base = strings.TrimRight(base, "/")
	obs := sources.Observation{Page: strings.TrimRight(s.PublicURL, "/")}
	if obs.Page == "" {
		obs.Page = base
	}
	link := obs.Page

	affected := map[string]sources.Status{}
	for i := range s.AffectedComponents {
		a := &s.AffectedComponents[i]
		id := a.id()
		if id == "" {
			continue
		}
		// Named as affected without a status it is at least degraded; a
		// status this parser does not know stays unknown rather than
		// being guessed.
		st := componentStatus(a.status(), sources.Degraded)
		if prev, ok := affected[id]; ok && (st == sources.Unknown || prev.Worse(st)) {
			st = prev
		}
		affected[id] = st
	}
	statusOf := func(id string) sources.Status {
		if st, ok := affected[id]; ok {
			return st
		}
		return sources.Operational
	}

	obs.Components = proxyComponents(s, statusOf)

	for i := range s.OngoingIncidents {
		ev := &s.OngoingIncidents[i]
		inc := proxyIncident(ev, link)
		inc.Status = incidentStatus(ev.Status)
		if inc.Status == sources.IncidentInvestigating && ev.Status == "" {
			if u, ok := inc.Latest(); ok && u.Status != "" {
				inc.Status = u.Status
			}
		}
		inc.Impact = eventImpact(ev)
		if inc.Status.Done() {
			inc.ResolvedAt = inc.UpdatedAt
		}
		obs.Incidents = append(obs.Incidents, inc)
	}
	for i := range s.InProgressMaintenances {
		ev := &s.InProgressMaintenances[i]
		m := proxyIncident(ev, link)
		m.Status = sources.MaintenanceInProgress
		m.Impact = sources.Maintenance
		m.ScheduledFor = first(ev.StartedAt, ev.ScheduledStartAt, ev.StartsAt)
		m.ScheduledUntil = first(ev.ScheduledEndAt, ev.EndsAt)
		if !m.ScheduledFor.IsZero() {
			m.StartedAt = m.ScheduledFor
		}
		obs.Maintenances = append(obs.Maintenances, m)
	}
	for i := range s.ScheduledMaintenances {
		ev := &s.ScheduledMaintenances[i]
		m := proxyIncident(ev, link)
		m.Status = sources.MaintenanceScheduled
		m.Impact = sources.Maintenance
		m.ScheduledFor = first(ev.ScheduledStartAt, ev.StartsAt, ev.StartedAt)
		m.ScheduledUntil = first(ev.ScheduledEndAt, ev.EndsAt)
		obs.Maintenances = append(obs.Maintenances, m)
	}
	return obs, nil
}

// proxyComponents lists the page's components in its own order: from its
// structure when it has one, else from the flat list.
func proxyComponents(s *proxySummary, statusOf func(string) sources.Status) []sources.Component {
	var out []sources.Component
	seen := map[string]bool{}
	add := func(c *proxyComponent, group string) {
		id := c.id()
		if id == "" || c.Hidden || seen[id] {
			return
		}
		seen[id] = true
		name := strings.TrimSpace(c.Name)
		if name == "" {
			name = id
		}
		out = append(out, sources.Component{ID: id, Name: name, Group: group, Status: statusOf(id)})
	}
	if s.Structure != nil {
		// The flat list carries no hidden flag: what the layout hides is
		// remembered here, so that the fallback below cannot bring it back.
		hidden := map[string]bool{}
		for _, it := range s.Structure.Items {
			switch {
			case it.Group != nil:
				g := it.Group
				if g.Hidden {
					for j := range g.Components {
						hidden[g.Components[j].id()] = true
					}
					continue
				}
				for j := range g.Components {
					if g.Components[j].Hidden {
						hidden[g.Components[j].id()] = true
					}
				}
				name := strings.TrimSpace(g.Name)
				at := len(out)
				out = append(out, sources.Component{ID: g.ID, Name: name, IsGroup: true, Status: sources.Operational})
				for j := range g.Components {
					add(&g.Components[j], name)
				}
				// A group is as bad as its worst member; one the
				// summary names itself counts too.
				st := sources.Operational
				if g.ID != "" {
					st = statusOf(g.ID)
				}
				for _, c := range out[at+1:] {
					if c.Status == sources.Unknown {
						continue
					}
					st = sources.Worst(st, c.Status)
				}
				out[at].Status = st
			case it.Component != nil:
				if it.Component.Hidden {
					hidden[it.Component.id()] = true
				}
				add(it.Component, "")
			}
		}
		// A component named as affected but missing from the layout is
		// still reported, so that its trouble is not lost; one the layout
		// hides stays hidden, as on the page.
		for i := range s.Components {
			if c := &s.Components[i]; !seen[c.id()] && !hidden[c.id()] && statusOf(c.id()) != sources.Operational {
				add(c, "")
			}
		}
		return out
	}
	for i := range s.Components {
		add(&s.Components[i], "")
	}
	return out
}

func proxyIncident(ev *proxyEvent, link string) sources.Incident {
	inc := sources.Incident{
		ID:        ev.ID,
		Title:     strings.TrimSpace(ev.Name),
		StartedAt: ev.PublishedAt.time(),
	}
	if ev.ID != "" && link != "" {
		inc.URL = link + "/incidents/" + ev.ID
	}
	for _, a := range ev.AffectedComponents {
		if id := a.id(); id != "" && !slices.Contains(inc.ComponentIDs, id) {
			inc.ComponentIDs = append(inc.ComponentIDs, id)
		}
	}
	for _, m := range ev.ComponentImpacts {
		if id := m.ComponentID; id != "" && !slices.Contains(inc.ComponentIDs, id) {
			inc.ComponentIDs = append(inc.ComponentIDs, id)
		}
	}
	for i := range ev.Updates {
		u := &ev.Updates[i]
		for _, a := range u.ComponentStatuses {
			if id := a.id(); id != "" && !slices.Contains(inc.ComponentIDs, id) {
				inc.ComponentIDs = append(inc.ComponentIDs, id)
			}
		}
		up := sources.IncidentUpdate{ID: u.ID, At: u.PublishedAt.time(), Body: u.body()}
		if u.ToStatus != "" {
			up.Status = updateStatus(u.ToStatus)
		}
		if up.ID == "" {
			up.ID = ev.ID + "@" + up.At.Format("2006-01-02T15:04:05.999999999Z07:00")
		}
		inc.Updates = append(inc.Updates, up)
	}
	slices.SortStableFunc(inc.Updates, func(a, b sources.IncidentUpdate) int { return a.At.Compare(b.At) })
	// An update without a phase kept the one before it.
	var last sources.IncidentStatus
	for i := range inc.Updates {
		if inc.Updates[i].Status == "" {
			inc.Updates[i].Status = last
		}
		last = inc.Updates[i].Status
	}
	if len(inc.Updates) > 0 {
		inc.UpdatedAt = inc.Updates[len(inc.Updates)-1].At
		if inc.StartedAt.IsZero() {
			inc.StartedAt = inc.Updates[0].At
		}
	}
	return inc
}

// updateStatus maps an update's to_status, maintenance words included.
func updateStatus(s string) sources.IncidentStatus {
	switch strings.ToLower(s) {
	case "maintenance_scheduled", "scheduled":
		return sources.MaintenanceScheduled
	case "maintenance_in_progress", "in_progress":
		return sources.MaintenanceInProgress
	case "maintenance_complete", "maintenance_completed", "completed", "complete":
		return sources.MaintenanceCompleted
	}
	return incidentStatus(s)
}

// eventImpact is how bad an incident is now: the worst current status of
// the components it affects, else of its impacts not yet ended, else of
// the components its latest update set, else degraded (there is an
// incident, so at least that).
func eventImpact(ev *proxyEvent) sources.Status {
	st := sources.Degraded
	seen := false
	for i := range ev.AffectedComponents {
		if c := componentStatus(ev.AffectedComponents[i].status(), ""); c.Rank() >= 0 {
			seen = true
			st = sources.Worst(st, c)
		}
	}
	if !seen {
		for i := range ev.ComponentImpacts {
			m := &ev.ComponentImpacts[i]
			if !m.EndAt.time().IsZero() {
				continue
			}
			if c := componentStatus(m.status(), ""); c.Rank() >= 0 {
				seen = true
				st = sources.Worst(st, c)
			}
		}
	}
	if !seen && len(ev.Updates) > 0 {
		latest := &ev.Updates[0]
		for i := range ev.Updates {
			if ev.Updates[i].PublishedAt.time().After(latest.PublishedAt.time()) {
				latest = &ev.Updates[i]
			}
		}
		for _, a := range latest.ComponentStatuses {
			if c := componentStatus(a.status(), ""); c.Rank() >= 0 {
				st = sources.Worst(st, c)
			}
		}
	}
	if st == sources.Maintenance {
		st = sources.Degraded
	}
	return st
}
