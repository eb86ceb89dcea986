package gcp

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/feed"
	"github.com/outagebot/outagebot/sources/internal/jsondoc"
)

const what = "not a Google Cloud incident feed"

// The documents below decode only the fields outagebot uses.

type incidentDoc struct {
	ID               string       `json:"id"`
	Begin            stamp        `json:"begin"`
	Created          stamp        `json:"created"`
	End              stamp        `json:"end"`
	Modified         stamp        `json:"modified"`
	ExternalDesc     string       `json:"external_desc"`
	Updates          []updateDoc  `json:"updates"`
	MostRecentUpdate *updateDoc   `json:"most_recent_update"`
	StatusImpact     string       `json:"status_impact"`
	Severity         string       `json:"severity"`
	ServiceKey       string       `json:"service_key"`
	ServiceName      string       `json:"service_name"`
	AffectedProducts []productDoc `json:"affected_products"`
	URI              string       `json:"uri"`
}

type updateDoc struct {
	Created stamp  `json:"created"`
	When    stamp  `json:"when"`
	Text    string `json:"text"`
	Status  string `json:"status"`
}

type productDoc struct {
	ID    string `json:"id"`
	Title string `json:"title"`
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

// parsed is one parsed feed; observation filters it by the clock.
type parsed struct {
	page      string
	incidents []sources.Incident
	products  [][]productDoc // per incident
}

// Parse parses a Google status dashboard's incidents.json. base is the
// dashboard's URL ("https://status.cloud.google.com"), against which incident
// links are resolved. Open incidents are reported, and incidents that ended
// within RecentlyResolved before now.
func Parse(data []byte, base string, now time.Time) (sources.Observation, error) {
	doc, err := parse(data, strings.TrimRight(base, "/"))
	if err != nil {
		return sources.Observation{}, err
	}
	return doc.observation(now, RecentlyResolved), nil
}

// Detect reports whether body looks like a Google incident feed: a JSON
// array whose first incident carries Google's field names. An empty array
// is not recognised (it could be anything).
func Detect(body []byte, contentType string) bool {
	b := bytes.TrimLeft(body, " \t\r\n\xef\xbb\xbf")
	if len(b) == 0 || b[0] != '[' {
		return false
	}
	head := b[:min(len(b), 8<<10)]
	return bytes.Contains(head, []byte(`"external_desc"`)) ||
		(bytes.Contains(head, []byte(`"status_impact"`)) && bytes.Contains(head, []byte(`"affected_products"`)))
}

func parse(data []byte, base string) (*parsed, error) {
	var docs []incidentDoc
	if err := decode(data, &docs); err != nil {
		return nil, err
	}
	if docs == nil {
		return nil, fmt.Errorf("%s: the document is null, not an array", what)
	}
	p := &parsed{
		page:      base + "/",
		incidents: make([]sources.Incident, 0, len(docs)),
		products:  make([][]productDoc, 0, len(docs)),
	}
	for i := range docs {
		d := &docs[i]
		if d.ID == "" {
			return nil, fmt.Errorf(`%s: incident %d has no "id"`, what, i)
		}
		prods := d.AffectedProducts
		if len(prods) == 0 && (d.ServiceKey != "" || d.ServiceName != "") {
			prods = []productDoc{{ID: d.ServiceKey, Title: d.ServiceName}}
		}
		prods = slices.DeleteFunc(slices.Clone(prods), func(p productDoc) bool { return p.ID == "" && p.Title == "" })
		for j := range prods {
			if prods[j].ID == "" {
				prods[j].ID = prods[j].Title
			}
			if prods[j].Title == "" {
				prods[j].Title = prods[j].ID
			}
		}
		p.incidents = append(p.incidents, incident(d, base, prods))
		p.products = append(p.products, prods)
	}
	return p, nil
}

func incident(d *incidentDoc, base string, prods []productDoc) sources.Incident {
	inc := sources.Incident{
		ID:         d.ID,
		Title:      title(feed.PlainText(d.ExternalDesc)),
		Impact:     impactOf(d.StatusImpact),
		URL:        link(base, d.URI, d.ID),
		StartedAt:  d.Begin.time(),
		UpdatedAt:  d.Modified.time(),
		ResolvedAt: d.End.time(),
	}
	if inc.StartedAt.IsZero() {
		inc.StartedAt = d.Created.time()
	}
	if inc.Title == "" {
		inc.Title = d.ServiceName
	}
	if len(prods) > 0 {
		inc.ComponentIDs = make([]string, 0, len(prods))
		for _, p := range prods {
			if !slices.Contains(inc.ComponentIDs, p.ID) {
				inc.ComponentIDs = append(inc.ComponentIDs, p.ID)
			}
		}
	}

	ups := d.Updates
	if m := d.MostRecentUpdate; m != nil && !slices.ContainsFunc(ups, func(u updateDoc) bool { return sameUpdate(u, *m) }) {
		ups = append(slices.Clone(ups), *m)
	}
	if len(ups) > 0 {
		inc.Updates = make([]sources.IncidentUpdate, 0, len(ups))
		for i := range ups {
			u := &ups[i]
			at := u.When.time()
			if at.IsZero() {
				at = u.Created.time()
			}
			inc.Updates = append(inc.Updates, sources.IncidentUpdate{
				At:     at,
				Status: updateStatus(u.Status),
				Body:   feed.PlainText(u.Text),
			})
		}
		// Google lists updates newest first.
		slices.Reverse(inc.Updates)
		slices.SortStableFunc(inc.Updates, func(a, b sources.IncidentUpdate) int { return a.At.Compare(b.At) })
		for i := range inc.Updates {
			u := &inc.Updates[i]
			u.ID = d.ID + "@" + u.At.UTC().Format(time.RFC3339)
			if (i > 0 && u.ID == inc.Updates[i-1].ID) || u.At.IsZero() {
				u.ID = d.ID + "#" + strconv.Itoa(i)
			}
		}
	}

	latest, _ := inc.Latest()
	switch {
	case !inc.ResolvedAt.IsZero():
		inc.Status = sources.IncidentResolved
	case latest.Status == sources.IncidentResolved:
		// Google says the service is available again, but has not closed
		// the incident.
		inc.Status = sources.IncidentMonitoring
	default:
		inc.Status = sources.IncidentInvestigating
	}
	if !inc.Status.Done() {
		// Only an ended incident has a resolving update.
		for i := range inc.Updates {
			if inc.Updates[i].Status == sources.IncidentResolved {
				inc.Updates[i].Status = sources.IncidentMonitoring
			}
		}
	}
	if d.StatusImpact == "" && len(ups) > 0 {
		inc.Impact = sources.Degraded
		for _, u := range ups {
			inc.Impact = sources.Worst(inc.Impact, impactOf(u.Status))
		}
	}
	if inc.UpdatedAt.IsZero() {
		inc.UpdatedAt = latest.At
	}
	return inc
}

func sameUpdate(a, b updateDoc) bool {
	return a.When.time().Equal(b.When.time()) && a.Created.time().Equal(b.Created.time()) && a.Text == b.Text
}

// impactOf maps Google's status_impact onto sources.Status. Information is
// still an incident Google chose to publish, so it is at least degraded.
func impactOf(s string) sources.Status {
	switch strings.ToUpper(s) {
	case "SERVICE_OUTAGE":
		return sources.MajorOutage
	case "SERVICE_DISRUPTION":
		return sources.PartialOutage
	case "AVAILABLE":
		return sources.Operational
	}
	return sources.Degraded
}

// updateStatus maps an update's status: Google has no phases, only the
// impact at the time, and AVAILABLE when the service has recovered.
func updateStatus(s string) sources.IncidentStatus {
	if strings.EqualFold(s, "AVAILABLE") {
		return sources.IncidentResolved
	}
	return sources.IncidentInvestigating
}

// title is the first line of the description that says something: Google
// Workspace descriptions start with a Markdown heading like "**Title:**".
func title(desc string) string {
	for line := range strings.Lines(desc) {
		t := strings.TrimSpace(strings.Trim(strings.TrimSpace(line), "*#_ "))
		if t == "" || (strings.HasSuffix(t, ":") && len(t) < 40) {
			continue
		}
		return t
	}
	return strings.Join(strings.Fields(desc), " ")
}

func link(base, uri, id string) string {
	switch {
	case strings.HasPrefix(uri, "https://") || strings.HasPrefix(uri, "http://"):
		return uri
	case uri != "":
		return base + "/" + strings.TrimLeft(uri, "/")
	}
	return base + "/incidents/" + id
}

// observation is what the feed says at now: open incidents, incidents that
// ended within window, and a component for every product they name.
func (p *parsed) observation(now time.Time, window time.Duration) sources.Observation {
	if p == nil {
		return sources.Observation{}
	}
	obs := sources.Observation{Page: p.page}
	cutoff := now.Add(-window)
	var keep []int
	for i := range p.incidents {
		inc := &p.incidents[i]
		if inc.Status.Done() && inc.ResolvedAt.Before(cutoff) {
			continue
		}
		keep = append(keep, i)
	}
	if len(keep) == 0 {
		return obs
	}
	obs.Incidents = make([]sources.Incident, 0, len(keep))
	for _, i := range keep {
		obs.Incidents = append(obs.Incidents, p.incidents[i])
	}
	// One component per product, in order of first mention; its status is
	// the worst impact of the open incidents naming it, else operational.
	for _, i := range keep {
		for _, prod := range p.products[i] {
			if !slices.ContainsFunc(obs.Components, func(c sources.Component) bool { return c.ID == prod.ID }) {
				obs.Components = append(obs.Components, sources.Component{ID: prod.ID, Name: prod.Title, Status: sources.Operational})
			}
		}
	}
	for _, i := range keep {
		inc := &p.incidents[i]
		if inc.Status.Done() {
			continue
		}
		for _, prod := range p.products[i] {
			for j := range obs.Components {
				if c := &obs.Components[j]; c.ID == prod.ID {
					c.Status = sources.Worst(c.Status, inc.Impact)
				}
			}
		}
	}
	return obs
}

// decode reads the incidents array, with errors about the document.
func decode(data []byte, v any) error {
	if b := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf"); len(b) > 0 && b[0] == '<' {
		return fmt.Errorf("%s: got an HTML page instead of JSON (an error or login page?)", what)
	}
	return jsondoc.Doc{What: what, Array: true, Element: "an incident"}.Decode(data, v)
}
