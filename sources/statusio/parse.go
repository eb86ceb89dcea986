package statusio

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/internal/jsondoc"
	"github.com/outagebot/outagebot/sources/internal/vendortext"
)

const what = "not a status.io status"

type statusDoc struct {
	Result *resultDoc `json:"result"`
}

type resultDoc struct {
	StatusOverall *struct {
		StatusCode code `json:"status_code"`
	} `json:"status_overall"`
	Status      []componentDoc `json:"status"`
	Incidents   []eventDoc     `json:"incidents"`
	Maintenance struct {
		Active   []eventDoc `json:"active"`
		Upcoming []eventDoc `json:"upcoming"`
	} `json:"maintenance"`
}

type componentDoc struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	StatusCode code           `json:"status_code"`
	Containers []containerDoc `json:"containers"`
}

type containerDoc struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	StatusCode code   `json:"status_code"`
}

type eventDoc struct {
	ID                   string       `json:"_id"`
	AltID                string       `json:"id"`
	Name                 string       `json:"name"`
	DatetimeOpen         stamp        `json:"datetime_open"`
	DatetimePlannedStart stamp        `json:"datetime_planned_start"`
	DatetimePlannedEnd   stamp        `json:"datetime_planned_end"`
	Messages             []messageDoc `json:"messages"`
	ComponentsAffected   []refDoc     `json:"components_affected"`
	ContainersAffected   []refDoc     `json:"containers_affected"`
}

type messageDoc struct {
	ID       string `json:"_id"`
	Details  string `json:"details"`
	State    code   `json:"state"`
	Status   code   `json:"status"`
	Datetime stamp  `json:"datetime"`
}

type refDoc struct {
	ID    string `json:"_id"`
	AltID string `json:"id"`
	Name  string `json:"name"`
}

func (r refDoc) id() string {
	if r.ID != "" {
		return r.ID
	}
	return r.AltID
}

// code is one of status.io's numeric codes, which it sends as a number or,
// in places, a string of digits.
type code int

func (c *code) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		*c = 0
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("bad status code %s", b)
	}
	*c = code(n)
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

// Parse parses a status.io Public Status API answer. page is the status
// page's own URL ("" if unknown) and pageID its status.io id, for links.
func Parse(data []byte, page, pageID string) (sources.Observation, error) {
	var doc statusDoc
	if err := decode(data, &doc); err != nil {
		return sources.Observation{}, err
	}
	r := doc.Result
	switch {
	case r == nil:
		return sources.Observation{}, fmt.Errorf(`%s: no "result"`, what)
	case r.StatusOverall == nil && r.Status == nil:
		return sources.Observation{}, fmt.Errorf(`%s: no "status_overall" or "status"`, what)
	}
	page = strings.TrimRight(page, "/")
	obs := sources.Observation{Page: page}

	// A component is what users know by name ("Git Operations"); its
	// containers are where it runs ("Google Compute Engine", "AWS"), shared
	// by many components. So a component is one leaf under its own name and
	// its containers only say where it is broken.
	if len(r.Status) > 0 {
		obs.Components = make([]sources.Component, 0, len(r.Status))
	}
	for i := range r.Status {
		obs.Components = append(obs.Components, component(&r.Status[i]))
	}
	for i := range r.Incidents {
		obs.Incidents = append(obs.Incidents, event(&r.Incidents[i], false, page, pageID))
	}
	for i := range r.Maintenance.Active {
		m := event(&r.Maintenance.Active[i], true, page, pageID)
		m.Status = sources.MaintenanceInProgress
		obs.Maintenances = append(obs.Maintenances, m)
	}
	for i := range r.Maintenance.Upcoming {
		m := event(&r.Maintenance.Upcoming[i], true, page, pageID)
		m.Status = sources.MaintenanceScheduled
		m.StartedAt = time.Time{}
		obs.Maintenances = append(obs.Maintenances, m)
	}
	return obs, nil
}

func component(c *componentDoc) sources.Component {
	out := sources.Component{ID: c.ID, Name: strings.TrimSpace(c.Name), Status: statusOf(c.StatusCode)}
	if out.Status == sources.Unknown && len(c.Containers) > 0 {
		// No status of its own: the worst of where it runs.
		for _, k := range c.Containers {
			if s := statusOf(k.StatusCode); s != sources.Unknown && (out.Status == sources.Unknown || s.Worse(out.Status)) {
				out.Status = s
			}
		}
	}
	out.Detail = containerDetail(c.Containers)
	return out
}

// containerDetail says which of a component's containers are affected
// ("partial outage on US-East"), when that is news: some are and some are
// not, or they are affected differently. "" otherwise.
func containerDetail(ks []containerDoc) string {
	if len(ks) < 2 {
		return ""
	}
	var (
		order []sources.Status
		names = map[sources.Status][]string{}
		fine  int
	)
	for _, k := range ks {
		s := statusOf(k.StatusCode)
		switch s {
		case sources.Operational:
			fine++
			continue
		case sources.Unknown:
			continue
		}
		if !slices.Contains(order, s) {
			order = append(order, s)
		}
		if name := strings.TrimSpace(k.Name); name != "" && !slices.Contains(names[s], name) {
			names[s] = append(names[s], name)
		}
	}
	if len(order) == 0 || (fine == 0 && len(order) == 1) {
		return ""
	}
	slices.SortStableFunc(order, func(a, b sources.Status) int { return b.Rank() - a.Rank() })
	parts := make([]string, 0, len(order))
	for _, s := range order {
		if len(names[s]) > 0 {
			parts = append(parts, s.Label()+" on "+strings.Join(names[s], ", "))
		}
	}
	return strings.Join(parts, "; ")
}

// Detect reports whether body looks like a status.io Public Status API
// answer.
func Detect(body []byte, contentType string) bool {
	b := bytes.TrimLeft(body, " \t\r\n\xef\xbb\xbf")
	return len(b) > 0 && b[0] == '{' && bytes.Contains(b, []byte(`"result"`)) && bytes.Contains(b, []byte(`"status_overall"`))
}

func event(d *eventDoc, maintenance bool, page, pageID string) sources.Incident {
	inc := sources.Incident{
		ID:        d.ID,
		Title:     vendortext.Title(d.Name),
		StartedAt: d.DatetimeOpen.time(),
	}
	if inc.ID == "" {
		inc.ID = d.AltID
	}
	if page != "" && pageID != "" && inc.ID != "" {
		kind := "incident"
		if maintenance {
			kind = "maintenance"
		}
		inc.URL = page + "/pages/" + kind + "/" + pageID + "/" + inc.ID
	}
	// The components affected, by their own ids: the containers affected
	// narrow where, not what.
	for _, c := range d.ComponentsAffected {
		if id := c.id(); id != "" && !slices.Contains(inc.ComponentIDs, id) {
			inc.ComponentIDs = append(inc.ComponentIDs, id)
		}
	}

	impact := sources.Operational
	if len(d.Messages) > 0 {
		inc.Updates = make([]sources.IncidentUpdate, 0, len(d.Messages))
	}
	start := d.DatetimePlannedStart.time()
	for i := range d.Messages {
		m := &d.Messages[i]
		u := sources.IncidentUpdate{ID: m.ID, At: m.Datetime.time(), Status: stateOf(m.State), Body: vendortext.Body(m.Details)}
		if maintenance {
			u.Status = sources.MaintenanceInProgress
			if u.At.Before(start) {
				u.Status = sources.MaintenanceScheduled
			}
		}
		if u.ID == "" {
			u.ID = inc.ID + "@" + u.At.Format(time.RFC3339Nano)
		}
		impact = sources.Worst(impact, statusOf(m.Status))
		inc.Updates = append(inc.Updates, u)
	}
	slices.SortStableFunc(inc.Updates, func(a, b sources.IncidentUpdate) int { return a.At.Compare(b.At) })
	latest, ok := inc.Latest()
	if ok {
		inc.Status = latest.Status
		inc.UpdatedAt = latest.At
	} else {
		inc.Status = sources.IncidentInvestigating
		inc.UpdatedAt = inc.StartedAt
	}
	if inc.StartedAt.IsZero() && ok {
		inc.StartedAt = inc.Updates[0].At
	}
	if maintenance {
		// datetime_open is when the maintenance was announced, often days
		// ahead: the work began with the first update posted in its window,
		// else (none posted yet) at the planned start.
		inc.Impact = sources.Maintenance
		inc.ScheduledFor = start
		inc.ScheduledUntil = d.DatetimePlannedEnd.time()
		inc.StartedAt = start
		for _, u := range inc.Updates {
			if u.Status == sources.MaintenanceInProgress {
				inc.StartedAt = u.At
				break
			}
		}
		if inc.UpdatedAt.IsZero() {
			inc.UpdatedAt = d.DatetimeOpen.time()
		}
		return inc
	}
	switch impact {
	case sources.Operational, sources.Unknown, sources.Maintenance:
		inc.Impact = sources.Degraded
	default:
		inc.Impact = impact
	}
	return inc
}

// statusOf maps status.io's status codes: 100 operational, 200 planned
// maintenance, 300 degraded performance, 400 partial service disruption,
// 500 service disruption, 600 security event.
func statusOf(c code) sources.Status {
	switch c {
	case 100:
		return sources.Operational
	case 200:
		return sources.Maintenance
	case 300, 600:
		return sources.Degraded
	case 400:
		return sources.PartialOutage
	case 500:
		return sources.MajorOutage
	}
	return sources.Unknown
}

// stateOf maps a message's state: 100 investigating, 200 identified, 300
// monitoring.
func stateOf(c code) sources.IncidentStatus {
	switch c {
	case 200:
		return sources.IncidentIdentified
	case 300:
		return sources.IncidentMonitoring
	}
	return sources.IncidentInvestigating
}

// decode reads a JSON object, with errors about the document.
func decode(data []byte, v any) error { return jsondoc.Doc{What: what}.Decode(data, v) }
