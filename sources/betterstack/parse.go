package betterstack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/internal/jsondoc"
	"github.com/outagebot/outagebot/sources/internal/vendortext"
)

const what = "not a Better Stack status page"

// index.json is a JSON:API document. The attributes of the resource types
// outagebot reads decode into one struct, each type filling its own fields;
// other types are skipped unread, so a new type never breaks a page.

type indexDoc struct {
	Data     *resourceDoc  `json:"data"`
	Included []resourceDoc `json:"included"`
}

type resourceDoc struct {
	ID            flexID          `json:"id"`
	Type          string          `json:"type"`
	RawAttributes json.RawMessage `json:"attributes"`
	Attributes    attrsDoc        `json:"-"`
	Relationships struct {
		StatusUpdates struct {
			Data []refDoc `json:"data"`
		} `json:"status_updates"`
	} `json:"relationships"`
}

type refDoc struct {
	ID flexID `json:"id"`
}

type attrsDoc struct {
	// status_page
	CustomDomain string `json:"custom_domain"`
	Subdomain    string `json:"subdomain"`
	// status_page and status_report
	AggregateState string `json:"aggregate_state"`
	// status_page_section
	Name string `json:"name"`
	// status_page_resource
	PublicName   string `json:"public_name"`
	ResourceName string `json:"resource_name"`
	Status       string `json:"status"`
	SectionID    flexID `json:"status_page_section_id"`
	// status_report
	Title             string        `json:"title"`
	ReportType        string        `json:"report_type"`
	StartsAt          stamp         `json:"starts_at"`
	EndsAt            stamp         `json:"ends_at"`
	AffectedResources []affectedDoc `json:"affected_resources"`
	// status_update
	Message        string `json:"message"`
	PublishedAt    stamp  `json:"published_at"`
	StatusReportID flexID `json:"status_report_id"`
}

type affectedDoc struct {
	ResourceID flexID `json:"status_page_resource_id"`
	Status     string `json:"status"`
}

// flexID is a JSON:API id, which Better Stack sends as a string but, in
// references, sometimes as a number.
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexID(s)
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		*f = flexID(b)
	default:
		return fmt.Errorf("bad id %s", b)
	}
	return nil
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

type parsed struct {
	page       string
	components []sources.Component
	reports    []report
}

type report struct {
	inc         sources.Incident
	maintenance bool
	// done: the vendor resolved the report (or, for a maintenance, closed
	// it early); resolvedAt is when.
	done       bool
	resolvedAt time.Time
}

// Parse parses a Better Stack <page>/index.json document. base is the page's
// URL, for links. now decides which maintenances are upcoming or in progress
// and which resolved reports are recent enough (RecentlyResolved) to report.
func Parse(data []byte, base string, now time.Time) (sources.Observation, error) {
	doc, err := parse(data, strings.TrimRight(base, "/"))
	if err != nil {
		return sources.Observation{}, err
	}
	return doc.observation(now, RecentlyResolved), nil
}

// Detect reports whether body looks like a Better Stack index.json: a JSON
// object with a status_page and an aggregate_state.
func Detect(body []byte, contentType string) bool {
	b := bytes.TrimLeft(body, " \t\r\n\xef\xbb\xbf")
	return len(b) > 0 && b[0] == '{' &&
		bytes.Contains(b, []byte(`"status_page"`)) && bytes.Contains(b, []byte(`"aggregate_state"`))
}

func parse(data []byte, base string) (*parsed, error) {
	var doc indexDoc
	if err := decode(data, &doc); err != nil {
		return nil, err
	}
	switch {
	case doc.Data == nil:
		return nil, fmt.Errorf(`%s: no "data"`, what)
	case doc.Data.Type != "status_page":
		return nil, fmt.Errorf(`%s: "data" is a %q, want a "status_page"`, what, doc.Data.Type)
	}
	p := &parsed{page: base}
	if p.page == "" {
		switch a := doc.Data.Attributes; {
		case a.CustomDomain != "":
			p.page = "https://" + a.CustomDomain
		case a.Subdomain != "":
			p.page = "https://" + a.Subdomain + ".betteruptime.com"
		}
	}

	if err := doc.Data.decodeAttributes(); err != nil {
		return nil, err
	}
	for i := range doc.Included {
		switch r := &doc.Included[i]; r.Type {
		case "status_page_section", "status_update", "status_page_resource", "status_report":
			if err := r.decodeAttributes(); err != nil {
				return nil, err
			}
		}
	}

	sections := map[flexID]string{}
	updates := map[flexID]*resourceDoc{}
	nres, nrep := 0, 0
	for i := range doc.Included {
		r := &doc.Included[i]
		switch r.Type {
		case "status_page_section":
			sections[r.ID] = strings.TrimSpace(r.Attributes.Name)
		case "status_update":
			updates[r.ID] = r
		case "status_page_resource":
			nres++
		case "status_report":
			nrep++
		}
	}
	if nres > 0 {
		p.components = make([]sources.Component, 0, nres)
	}
	if nrep > 0 {
		p.reports = make([]report, 0, nrep)
	}
	for i := range doc.Included {
		r := &doc.Included[i]
		switch r.Type {
		case "status_page_resource":
			a := &r.Attributes
			c := sources.Component{
				ID:     string(r.ID),
				Name:   strings.TrimSpace(a.PublicName),
				Group:  sections[a.SectionID],
				Status: resourceStatus(a.Status),
			}
			if c.Name == "" {
				c.Name = strings.TrimSpace(a.ResourceName)
			}
			if c.Name == "" {
				c.Name = "Resource " + c.ID
			}
			p.components = append(p.components, c)
		case "status_report":
			p.reports = append(p.reports, reportOf(r, updates, doc.Included, p.page))
		}
	}
	return p, nil
}

func (r *resourceDoc) decodeAttributes() error {
	if len(r.RawAttributes) == 0 || string(r.RawAttributes) == "null" {
		return nil
	}
	label := r.Type
	if r.ID != "" {
		label += " " + string(r.ID)
	}
	return jsondoc.Doc{What: what, Part: label, Path: "attributes"}.Decode(r.RawAttributes, &r.Attributes)
}

// resourceStatus maps a resource's status. not_monitored is not a health.
func resourceStatus(s string) sources.Status {
	switch strings.ToLower(s) {
	case "operational":
		return sources.Operational
	case "degraded":
		return sources.Degraded
	case "downtime":
		return sources.MajorOutage
	case "maintenance":
		return sources.Maintenance
	}
	return sources.Unknown
}

// affectedStatus maps the status of a resource within a report or update:
// Better Stack's words there are resolved, degraded, downtime, maintenance
// and not_affected.
func affectedStatus(s string) sources.Status {
	switch strings.ToLower(s) {
	case "degraded":
		return sources.Degraded
	case "downtime":
		return sources.MajorOutage
	case "maintenance":
		return sources.Maintenance
	}
	return sources.Operational
}

func reportOf(r *resourceDoc, updates map[flexID]*resourceDoc, all []resourceDoc, page string) report {
	a := &r.Attributes
	state := strings.ToLower(a.AggregateState)
	rep := report{
		maintenance: strings.EqualFold(a.ReportType, "maintenance"),
		// A report is over when resolved, or when nothing it names is
		// affected any more.
		done: state == "resolved" || state == "operational",
	}
	inc := sources.Incident{
		ID:        string(r.ID),
		Title:     vendortext.Title(a.Title),
		StartedAt: a.StartsAt.time(),
	}
	if page != "" && inc.ID != "" {
		inc.URL = page + "/incident/" + inc.ID
	}

	// The report's updates: by relationship, else by back-reference.
	var ups []*resourceDoc
	for _, ref := range r.Relationships.StatusUpdates.Data {
		if u, ok := updates[ref.ID]; ok && !slices.Contains(ups, u) {
			ups = append(ups, u)
		}
	}
	if len(ups) == 0 {
		for i := range all {
			if u := &all[i]; u.Type == "status_update" && u.Attributes.StatusReportID == r.ID && r.ID != "" {
				ups = append(ups, u)
			}
		}
	}
	slices.SortStableFunc(ups, func(x, y *resourceDoc) int {
		return x.Attributes.PublishedAt.time().Compare(y.Attributes.PublishedAt.time())
	})

	addIDs := func(affected []affectedDoc) {
		for _, ar := range affected {
			id := string(ar.ResourceID)
			if id != "" && !strings.EqualFold(ar.Status, "not_affected") && !slices.Contains(inc.ComponentIDs, id) {
				inc.ComponentIDs = append(inc.ComponentIDs, id)
			}
		}
	}
	addIDs(a.AffectedResources)

	impact := sources.Operational
	for _, ar := range a.AffectedResources {
		impact = sources.Worst(impact, affectedStatus(ar.Status))
	}
	if len(ups) > 0 {
		inc.Updates = make([]sources.IncidentUpdate, 0, len(ups))
	}
	for i, u := range ups {
		ua := &u.Attributes
		addIDs(ua.AffectedResources)
		st := sources.IncidentInvestigating
		if rep.maintenance {
			st = sources.MaintenanceInProgress
			if ua.PublishedAt.time().Before(a.StartsAt.time()) {
				st = sources.MaintenanceScheduled
			}
		}
		recovered := len(ua.AffectedResources) > 0
		for _, ar := range ua.AffectedResources {
			s := affectedStatus(ar.Status)
			impact = sources.Worst(impact, s)
			if s != sources.Operational {
				recovered = false
			}
		}
		if recovered && !rep.maintenance {
			st = sources.IncidentMonitoring
		}
		if rep.done && i == len(ups)-1 {
			st = sources.IncidentResolved
			if rep.maintenance {
				st = sources.MaintenanceCompleted
			}
		}
		inc.Updates = append(inc.Updates, sources.IncidentUpdate{
			ID:     string(u.ID),
			At:     ua.PublishedAt.time(),
			Status: st,
			Body:   vendortext.Body(ua.Message),
		})
	}
	for i := range inc.Updates {
		if inc.Updates[i].ID == "" {
			inc.Updates[i].ID = inc.ID + "#" + strconv.Itoa(i)
		}
	}

	switch {
	case rep.maintenance:
		impact = sources.Maintenance
		inc.ScheduledFor = a.StartsAt.time()
		inc.ScheduledUntil = a.EndsAt.time()
	case impact == sources.Operational:
		// Nothing named, or everything already recovered: there was a
		// report, so at least degraded.
		impact = sources.Degraded
	}
	if s := affectedStatus(state); !rep.done && !rep.maintenance && s != sources.Operational {
		impact = s
	}
	inc.Impact = impact

	latest, ok := inc.Latest()
	inc.UpdatedAt = latest.At
	if !ok || inc.UpdatedAt.IsZero() {
		inc.UpdatedAt = inc.StartedAt
	}
	if inc.StartedAt.IsZero() && len(inc.Updates) > 0 {
		inc.StartedAt = inc.Updates[0].At
	}
	if rep.maintenance {
		// starts_at is the planned start; the work began with the first
		// update posted in the window, if there is one.
		for _, u := range inc.Updates {
			if !u.At.Before(inc.ScheduledFor) {
				inc.StartedAt = u.At
				break
			}
		}
	}
	if rep.done {
		// ends_at is often null on a resolved report: then the resolving
		// update is when it ended. A maintenance's ends_at is its planned
		// end: closed early, it ended with its last update.
		rep.resolvedAt = a.EndsAt.time()
		if rep.resolvedAt.IsZero() || (rep.maintenance && !inc.UpdatedAt.IsZero() && inc.UpdatedAt.Before(rep.resolvedAt)) {
			rep.resolvedAt = inc.UpdatedAt
		}
		if !rep.maintenance {
			inc.Status = sources.IncidentResolved
			inc.ResolvedAt = rep.resolvedAt
		}
	} else if !rep.maintenance {
		inc.Status = sources.IncidentInvestigating
		if latest.Status == sources.IncidentMonitoring {
			inc.Status = sources.IncidentMonitoring
		}
	}
	rep.inc = inc
	return rep
}

// observation is what the page says at now.
func (p *parsed) observation(now time.Time, window time.Duration) sources.Observation {
	if p == nil {
		return sources.Observation{}
	}
	obs := sources.Observation{Page: p.page, Components: p.components}
	cutoff := now.Add(-window)
	for i := range p.reports {
		r := &p.reports[i]
		if r.maintenance {
			m := r.inc
			end := r.resolvedAt
			if !r.done {
				end = m.ScheduledUntil
			}
			switch {
			case r.done, !end.IsZero() && !now.Before(end):
				// Over: reported while recent, so that its end carries
				// the vendor's last update.
				if end.Before(cutoff) {
					continue
				}
				m.Status = sources.MaintenanceCompleted
				m.ResolvedAt = end
				if m.StartedAt.After(end) {
					m.StartedAt = end // cancelled before it began
				}
			case now.Before(m.ScheduledFor):
				m.Status = sources.MaintenanceScheduled
				m.StartedAt = time.Time{}
			default:
				m.Status = sources.MaintenanceInProgress
			}
			obs.Maintenances = append(obs.Maintenances, m)
			continue
		}
		if r.done && r.resolvedAt.Before(cutoff) {
			continue
		}
		obs.Incidents = append(obs.Incidents, r.inc)
	}
	return obs
}

// decode reads a JSON object, with errors about the document.
func decode(data []byte, v any) error { return jsondoc.Doc{What: what}.Decode(data, v) }
