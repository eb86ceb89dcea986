package cachet

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/internal/jsondoc"
	"github.com/outagebot/outagebot/sources/internal/vendortext"
)

// Documents are the API answers one poll reads. Components and Incidents
// are required; the rest may be nil.
type Documents struct {
	Components []byte         // /api/v1/components
	Groups     []byte         // /api/v1/components/groups
	Incidents  []byte         // /api/v1/incidents, newest first
	Schedules  []byte         // /api/v1/schedules (Cachet 2.4)
	Updates    map[int][]byte // /api/v1/incidents/<id>/updates (Cachet 2.4)
}

type componentDoc struct {
	ID      flexInt  `json:"id"`
	Name    string   `json:"name"`
	Status  flexInt  `json:"status"`
	GroupID flexInt  `json:"group_id"`
	Enabled *flexInt `json:"enabled"`
}

type groupDoc struct {
	ID   flexInt `json:"id"`
	Name string  `json:"name"`
}

type incidentDoc struct {
	ID           flexInt  `json:"id"`
	ComponentID  flexInt  `json:"component_id"`
	Name         string   `json:"name"`
	Status       flexInt  `json:"status"`
	LatestStatus *flexInt `json:"latest_status"`
	Visible      *flexInt `json:"visible"`
	Message      string   `json:"message"`
	ScheduledAt  string   `json:"scheduled_at"`
	OccurredAt   string   `json:"occurred_at"`
	CreatedAt    string   `json:"created_at"`
	UpdatedAt    string   `json:"updated_at"`
	Permalink    string   `json:"permalink"`
}

type updateDoc struct {
	ID        flexInt `json:"id"`
	Status    flexInt `json:"status"`
	Message   string  `json:"message"`
	CreatedAt string  `json:"created_at"`
}

type scheduleDoc struct {
	ID          flexInt `json:"id"`
	Name        string  `json:"name"`
	Message     string  `json:"message"`
	Status      flexInt `json:"status"`
	ScheduledAt string  `json:"scheduled_at"`
	CompletedAt string  `json:"completed_at"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
	Components  []struct {
		ComponentID     flexInt `json:"component_id"`
		ID              flexInt `json:"id"`
		ComponentStatus flexInt `json:"component_status"`
	} `json:"components"`
}

// flexInt is an integer that Cachet (PHP) sends as a number, a string of
// digits or a boolean.
type flexInt int

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	switch s {
	case "null", "", "false":
		*f = 0
		return nil
	case "true":
		*f = 1
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("bad number %s", b)
	}
	*f = flexInt(n)
	return nil
}

func (f flexInt) String() string { return strconv.Itoa(int(f)) }

// Parse parses one poll's documents. base is the page's URL, loc the time
// zone Cachet writes its times in, now the clock: fixed incidents are
// reported for RecentlyResolved.
func Parse(d Documents, base string, loc *time.Location, now time.Time) (sources.Observation, error) {
	if loc == nil {
		loc = time.UTC
	}
	base = strings.TrimRight(base, "/")
	comps, err := decodeList[componentDoc](d.Components, "components list")
	if err != nil {
		return sources.Observation{}, err
	}
	incs, err := decodeList[incidentDoc](d.Incidents, "incidents list")
	if err != nil {
		return sources.Observation{}, err
	}
	var groups []groupDoc
	if d.Groups != nil {
		if groups, err = decodeList[groupDoc](d.Groups, "component groups list"); err != nil {
			return sources.Observation{}, err
		}
	}
	var scheds []scheduleDoc
	if d.Schedules != nil {
		if scheds, err = decodeList[scheduleDoc](d.Schedules, "schedules list"); err != nil {
			return sources.Observation{}, err
		}
	}

	obs := sources.Observation{Page: base}
	groupName := map[flexInt]string{}
	for _, g := range groups {
		groupName[g.ID] = strings.TrimSpace(g.Name)
	}
	status := map[flexInt]sources.Status{}
	for _, c := range comps {
		if c.Enabled != nil && *c.Enabled == 0 {
			continue
		}
		st := componentStatus(c.Status)
		status[c.ID] = st
		obs.Components = append(obs.Components, sources.Component{
			ID: c.ID.String(), Name: strings.TrimSpace(c.Name), Group: groupName[c.GroupID], Status: st,
		})
	}

	cutoff := now.Add(-RecentlyResolved)
	for i := range incs {
		x := &incs[i]
		if x.Visible != nil && *x.Visible == 0 {
			continue
		}
		inc, err := incident(x, d.Updates[int(x.ID)], status, base, loc)
		if err != nil {
			return sources.Observation{}, err
		}
		if inc.Status == sources.MaintenanceScheduled {
			// Cachet 2.3 schedules maintenance as an incident with status 0;
			// its created_at is when it was announced, and scheduled_at when
			// the work is due.
			inc.Impact = sources.Maintenance
			inc.ScheduledFor, _ = parseTime(x.ScheduledAt, loc)
			inc.StartedAt = time.Time{}
			if !inc.ScheduledFor.IsZero() && inc.ScheduledFor.Before(cutoff) {
				// Such an incident never ends: long past its time, it is
				// history, not work under way.
				continue
			}
			if !inc.ScheduledFor.IsZero() && !now.Before(inc.ScheduledFor) {
				inc.Status = sources.MaintenanceInProgress
				inc.StartedAt = workBegan(inc)
			}
			obs.Maintenances = append(obs.Maintenances, inc)
			continue
		}
		if inc.Status.Done() && inc.ResolvedAt.Before(cutoff) {
			continue
		}
		obs.Incidents = append(obs.Incidents, inc)
	}

	// Cachet has no maintenance status for components: a schedule under way
	// sets its components to the status it names (often "performance
	// issues"). A component in exactly that status is under maintenance,
	// not broken; one that is worse is news.
	underWay := map[string]bool{}
	for i := range scheds {
		sc := &scheds[i]
		m, keep, err := schedule(sc, base, loc, cutoff)
		if err != nil {
			return sources.Observation{}, err
		}
		if !keep {
			continue
		}
		obs.Maintenances = append(obs.Maintenances, m)
		if m.Status != sources.MaintenanceInProgress {
			continue
		}
		for _, c := range sc.Components {
			id := c.ComponentID
			if id == 0 {
				id = c.ID
			}
			if c.ComponentStatus != 0 && componentStatus(c.ComponentStatus) == status[id] {
				underWay[id.String()] = true
			}
		}
	}
	for i := range obs.Components {
		if c := &obs.Components[i]; underWay[c.ID] {
			c.Status = sources.Maintenance
		}
	}
	return obs, nil
}

// schedule reads a Cachet 2.4 schedule: upcoming, in progress, or complete
// (kept while it completed after cutoff, so that its end carries its text).
func schedule(s *scheduleDoc, base string, loc *time.Location, cutoff time.Time) (sources.Incident, bool, error) {
	m := sources.Incident{ID: "schedule-" + s.ID.String(), Title: vendortext.Title(s.Name), Impact: sources.Maintenance}
	var (
		err              error
		created, updated time.Time
	)
	if m.ScheduledFor, err = parseTime(s.ScheduledAt, loc); err != nil {
		return m, false, err
	}
	if m.ScheduledUntil, err = parseTime(s.CompletedAt, loc); err != nil {
		return m, false, err
	}
	if created, err = parseTime(s.CreatedAt, loc); err != nil {
		return m, false, err
	}
	if updated, err = parseTime(s.UpdatedAt, loc); err != nil {
		return m, false, err
	}
	m.UpdatedAt = created
	if base != "" {
		m.URL = base + "/schedules/" + s.ID.String()
	}
	for _, c := range s.Components {
		id := c.ComponentID
		if id == 0 {
			id = c.ID
		}
		if id != 0 && !slices.Contains(m.ComponentIDs, id.String()) {
			m.ComponentIDs = append(m.ComponentIDs, id.String())
		}
	}
	switch s.Status {
	case 0:
		m.Status = sources.MaintenanceScheduled
	case 1:
		// Schedules have no updates: the work began at the planned start.
		m.Status = sources.MaintenanceInProgress
		m.StartedAt = m.ScheduledFor
	default:
		// completed_at is the planned end; marked complete earlier, the
		// schedule was last updated when it was.
		m.Status = sources.MaintenanceCompleted
		m.StartedAt = m.ScheduledFor
		m.ResolvedAt = m.ScheduledUntil
		if m.ResolvedAt.IsZero() || (!updated.IsZero() && updated.After(m.ScheduledFor) && updated.Before(m.ResolvedAt)) {
			m.ResolvedAt = updated
		}
		if m.ResolvedAt.IsZero() || m.ResolvedAt.Before(cutoff) {
			return m, false, nil
		}
		if m.StartedAt.IsZero() || m.StartedAt.After(m.ResolvedAt) {
			m.StartedAt = m.ResolvedAt
		}
		m.UpdatedAt = m.ResolvedAt
	}
	// A schedule has one message, which the vendor may rewrite as the work
	// goes on (often when marking it complete). Named after its text, a
	// rewritten message is a new update: the last words of a completed
	// schedule are news only when they changed.
	if body := vendortext.Body(s.Message); body != "" {
		at := created
		if updated.After(at) {
			at = updated
		}
		h := fnv.New32a()
		h.Write([]byte(body))
		m.Updates = []sources.IncidentUpdate{{ID: fmt.Sprintf("%s#%08x", m.ID, h.Sum32()), At: at, Status: m.Status, Body: body}}
	}
	return m, true, nil
}

// workBegan is when a maintenance under way began: its first update posted
// at or after the planned start, else the planned start.
func workBegan(m sources.Incident) time.Time {
	for _, u := range m.Updates {
		if !u.At.Before(m.ScheduledFor) {
			return u.At
		}
	}
	return m.ScheduledFor
}

// Detect reports whether body looks like a Cachet API list (components or
// incidents): {"meta":{"pagination":...},"data":[...]} with Cachet's fields.
func Detect(body []byte, contentType string) bool {
	b := bytes.TrimLeft(body, " \t\r\n\xef\xbb\xbf")
	return len(b) > 0 && b[0] == '{' && bytes.Contains(b, []byte(`"data"`)) &&
		(bytes.Contains(b, []byte(`"status_name"`)) || bytes.Contains(b, []byte(`"human_status"`)))
}

func incident(x *incidentDoc, updates []byte, status map[flexInt]sources.Status, base string, loc *time.Location) (sources.Incident, error) {
	inc := sources.Incident{ID: x.ID.String(), Title: vendortext.Title(x.Name), URL: x.Permalink}
	if inc.URL == "" && base != "" {
		inc.URL = base + "/incidents/" + inc.ID
	}
	if x.ComponentID != 0 {
		inc.ComponentIDs = []string{x.ComponentID.String()}
	}
	created, err := parseTime(x.CreatedAt, loc)
	if err != nil {
		return inc, err
	}
	updated, err := parseTime(x.UpdatedAt, loc)
	if err != nil {
		return inc, err
	}
	occurred, err := parseTime(x.OccurredAt, loc)
	if err != nil {
		return inc, err
	}
	inc.StartedAt = occurred
	if inc.StartedAt.IsZero() {
		inc.StartedAt = created
	}
	inc.UpdatedAt = updated

	// The incident's own message is its first update; Cachet 2.4 adds more.
	if body := vendortext.Body(x.Message); body != "" || !created.IsZero() {
		inc.Updates = append(inc.Updates, sources.IncidentUpdate{ID: inc.ID + "#0", At: inc.StartedAt, Status: incidentStatus(x.Status), Body: body})
	}
	if updates != nil {
		ups, err := decodeList[updateDoc](updates, "incident updates list")
		if err != nil {
			return inc, err
		}
		for _, u := range ups {
			at, err := parseTime(u.CreatedAt, loc)
			if err != nil {
				return inc, err
			}
			inc.Updates = append(inc.Updates, sources.IncidentUpdate{ID: inc.ID + "/" + u.ID.String(), At: at, Status: incidentStatus(u.Status), Body: vendortext.Body(u.Message)})
		}
	}
	slices.SortStableFunc(inc.Updates, func(a, b sources.IncidentUpdate) int { return a.At.Compare(b.At) })

	st := x.Status
	if x.LatestStatus != nil {
		st = *x.LatestStatus
	}
	inc.Status = incidentStatus(st)
	if latest, ok := inc.Latest(); ok && x.LatestStatus == nil && len(inc.Updates) > 1 {
		inc.Status = latest.Status
	}
	if latest, ok := inc.Latest(); ok && latest.At.After(inc.UpdatedAt) {
		inc.UpdatedAt = latest.At
	}
	if inc.Status.Done() {
		inc.ResolvedAt = inc.UpdatedAt
	}
	// Cachet incidents have no impact of their own: the status of the
	// component they name says it.
	inc.Impact = sources.Degraded
	if s := status[x.ComponentID]; s.Worse(sources.Degraded) {
		inc.Impact = s
	}
	return inc, nil
}

// componentStatus maps Cachet's component statuses: 1 operational, 2
// performance issues, 3 partial outage, 4 major outage.
func componentStatus(s flexInt) sources.Status {
	switch s {
	case 1:
		return sources.Operational
	case 2:
		return sources.Degraded
	case 3:
		return sources.PartialOutage
	case 4:
		return sources.MajorOutage
	}
	return sources.Unknown
}

// incidentStatus maps Cachet's incident statuses: 0 scheduled, 1
// investigating, 2 identified, 3 watching, 4 fixed.
func incidentStatus(s flexInt) sources.IncidentStatus {
	switch s {
	case 0:
		return sources.MaintenanceScheduled
	case 2:
		return sources.IncidentIdentified
	case 3:
		return sources.IncidentMonitoring
	case 4:
		return sources.IncidentResolved
	}
	return sources.IncidentInvestigating
}

// parseTime reads Cachet's "2006-01-02 15:04:05" in loc, or RFC 3339.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "0000-00-00") {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation(time.DateTime, s, loc); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("not a Cachet document: bad time %q", s)
}

// openIncidents lists the ids of the incidents worth fetching updates for:
// unresolved, or resolved within window, newest first.
func openIncidents(data []byte, loc *time.Location, now time.Time, window time.Duration) ([]int, error) {
	incs, err := decodeList[incidentDoc](data, "incidents list")
	if err != nil {
		return nil, err
	}
	var ids []int
	for i := range incs {
		x := &incs[i]
		st := x.Status
		if x.LatestStatus != nil {
			st = *x.LatestStatus
		}
		if st == 4 {
			if t, err := parseTime(x.UpdatedAt, loc); err != nil || t.Before(now.Add(-window)) {
				continue
			}
		}
		ids = append(ids, int(x.ID))
	}
	return ids, nil
}

// decodeList unmarshals a Cachet API list, {"data": [...]}, with errors that
// say what was wrong with the document.
func decodeList[T any](data []byte, what string) ([]T, error) {
	var doc struct {
		Data *[]T `json:"data"`
	}
	if err := (jsondoc.Doc{What: "not a Cachet " + what}).Decode(data, &doc); err != nil {
		return nil, err
	}
	if doc.Data == nil {
		return nil, fmt.Errorf(`not a Cachet %s: no "data"`, what)
	}
	return *doc.Data, nil
}
