package awshealth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/feed"
	"github.com/outagebot/outagebot/sources/fetch"
	"github.com/outagebot/outagebot/sources/internal/jsondoc"
)

const (
	whatCurrent = "not an AWS Health Dashboard event list"
	whatHistory = "not an AWS Health Dashboard event history"
)

// The documents below decode only the fields outagebot uses. AWS does not
// document this endpoint; the shape was confirmed against public projects
// that poll it (see the package comment): an array of events, each
//
//	{"arn": "arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/...",
//	 "date": "1764838800", "end_time": "1764846000" (once closed),
//	 "region_name": "N. Virginia" (null for global events), "status": "2",
//	 "service": "ec2-us-east-1", "service_name": "Amazon Elastic Compute Cloud",
//	 "summary": "Increased API Error Rates",
//	 "event_log": [{"summary": "...", "message": "...", "status": 1, "timestamp": 1764838800}],
//	 "impacted_services": {"ec2-us-east-1": {"service_name": "...", "current": "2", "max": "2"}}}
//
// with statuses as strings at the top level and in impacted_services but as
// numbers in event_log, and times in epoch seconds, as strings or numbers.

type eventDoc struct {
	ARN              string               `json:"arn"`
	Date             epoch                `json:"date"`
	EndTime          epoch                `json:"end_time"`
	Status           code                 `json:"status"`
	Service          string               `json:"service"`
	ServiceName      string               `json:"service_name"`
	Summary          string               `json:"summary"`
	EventLog         []logDoc             `json:"event_log"`
	ImpactedServices map[string]impactDoc `json:"impacted_services"`
}

type logDoc struct {
	Summary   string `json:"summary"`
	Message   string `json:"message"`
	Status    code   `json:"status"`
	Timestamp epoch  `json:"timestamp"`
}

type impactDoc struct {
	ServiceName string `json:"service_name"`
	Current     code   `json:"current"`
	Max         code   `json:"max"`
}

// epoch is a Unix time that AWS writes as a number or as a string of
// digits: in seconds for "date", "end_time" and event_log timestamps, in
// milliseconds in impacted_service_status_changes. Null, "" and 0 are unset.
type epoch time.Time

// msFrom is where a timestamp must be milliseconds: 1e11 seconds is in the
// year 5138, 1e11 milliseconds in 1973.
const msFrom = 1e11

func (e *epoch) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*e = epoch{}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("bad time %s", b)
		}
		s = strings.TrimSpace(s)
	}
	if s == "" {
		*e = epoch{}
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f >= msFrom*1000 {
		return fmt.Errorf("bad time %s", b)
	}
	var t time.Time
	switch {
	case f == 0:
	case f >= msFrom:
		t = time.UnixMilli(int64(f)).UTC()
	default:
		sec := int64(f)
		t = time.Unix(sec, int64((f-float64(sec))*1e9)).UTC().Truncate(time.Millisecond)
	}
	*e = epoch(t)
	return nil
}

func (e epoch) time() time.Time { return time.Time(e) }

// code is one of AWS's status codes, written as a number or a string; -1
// when absent or not a number.
type code int

func (c *code) UnmarshalJSON(b []byte) error {
	*c = -1
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return nil
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 0 {
		*c = code(n)
	}
	return nil
}

// AWS's status codes, as the dashboard's legend names them:
//
//	0 resolved / operational   -> operational (an event: resolved)
//	1 informational            -> degraded
//	2 degradation              -> partial_outage
//	3 disruption               -> major_outage
//
// Confirmed (2026) in public projects that poll this endpoint (status
// aggregators, chat bots and a Telegram notifier found by searching public
// code for "public/currentevents"): they agree on the order, calling the codes
// "0 ok, 1 informational, 2 degradation, 3 disruption" and "0 resolved,
// 1 impacted, 2 degraded, 3 disrupted", and a live capture shows an
// event_log escalating 1 -> 2 -> 3 while its services move from "0" to "3".
// An informational event is still one AWS chose to publish on the
// dashboard, so it counts as degraded, never as operational.
const (
	codeResolved      code = 0
	codeInformational code = 1
	codeDegradation   code = 2
	codeDisruption    code = 3
)

func (c code) status() sources.Status {
	switch c {
	case codeResolved:
		return sources.Operational
	case codeDegradation:
		return sources.PartialOutage
	case codeDisruption:
		return sources.MajorOutage
	}
	return sources.Degraded
}

// event is one parsed AWS event: the incident and the components it names.
type event struct {
	inc   sources.Incident
	comps []sources.Component // status is the event's current impact on each
}

// parsed is one parsed document.
type parsed struct {
	events []event
}

// Parse parses the current events list (https://health.aws.amazon.com/public/currentevents)
// in whatever encoding it came in: contentType's charset is used when the
// bytes do not say (see decodeText). base is the dashboard's URL, against
// which event links are made ("https://health.aws.amazon.com"). Closed
// events still listed are reported resolved.
func Parse(data []byte, contentType, base string) (sources.Observation, error) {
	p, err := parseCurrent(data, contentType, strings.TrimRight(base, "/"))
	if err != nil {
		return sources.Observation{}, err
	}
	return observation(base, p, nil, time.Time{}, 0), nil
}

// Detect reports whether body looks like AWS's current events: a JSON
// array, in any encoding decodeText reads, whose first event carries AWS's
// field names. An empty array is not recognised (it could be anything).
func Detect(body []byte, contentType string) bool {
	text, err := decodeText(body[:min(len(body), 16<<10)], contentType)
	if err != nil {
		return false
	}
	b := bytes.TrimLeft(text, " \t\r\n")
	return len(b) > 0 && b[0] == '[' &&
		bytes.Contains(b, []byte(`"arn"`)) && bytes.Contains(b, []byte(`"event_log"`))
}

func parseCurrent(data []byte, contentType, base string) (*parsed, error) {
	text, err := jsonText(data, contentType)
	if err != nil {
		return nil, err
	}
	var docs []eventDoc
	if err := (jsondoc.Doc{What: whatCurrent, Array: true, Element: "an event"}).Decode(text, &docs); err != nil {
		return nil, err
	}
	if docs == nil {
		return nil, fmt.Errorf("%s: the document is null, not an array", whatCurrent)
	}
	return parseEvents(docs, base, false, whatCurrent)
}

// parseHistory parses the history document: an object that maps each
// service to its past events (the same event shape), or, should AWS ever
// flatten it, an array of events. Every event in it is over.
func parseHistory(data []byte, contentType, base string) (*parsed, error) {
	text, err := jsonText(data, contentType)
	if err != nil {
		return nil, err
	}
	if b := bytes.TrimLeft(text, " \t\r\n"); len(b) > 0 && b[0] == '[' {
		var docs []eventDoc
		if err := (jsondoc.Doc{What: whatHistory, Array: true, Element: "an event"}).Decode(text, &docs); err != nil {
			return nil, err
		}
		return parseEvents(docs, base, true, whatHistory)
	}
	var byService map[string]json.RawMessage
	if err := (jsondoc.Doc{What: whatHistory}).Decode(text, &byService); err != nil {
		return nil, err
	}
	if byService == nil {
		return nil, fmt.Errorf("%s: the document is null, not an object", whatHistory)
	}
	keys := make([]string, 0, len(byService))
	for k := range byService {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var docs []eventDoc
	for _, k := range keys {
		var evs []eventDoc
		doc := jsondoc.Doc{What: fmt.Sprintf("%s: service %q", whatHistory, k), Array: true, Element: "an event"}
		if err := doc.Decode(byService[k], &evs); err != nil {
			return nil, err
		}
		for _, d := range evs {
			if d.Service == "" {
				d.Service = k
			}
			docs = append(docs, d)
		}
	}
	return parseEvents(docs, base, true, whatHistory)
}

// jsonText decodes the body's encoding and refuses what is plainly not JSON
// with words an operator can act on: AWS's edge answers errors with HTML,
// which the fetch client cannot spot through UTF-16.
func jsonText(data []byte, contentType string) ([]byte, error) {
	text, err := decodeText(data, contentType)
	if err != nil {
		return nil, err
	}
	if b := bytes.TrimLeft(text, " \t\r\n"); len(b) > 0 && b[0] == '<' {
		return nil, fmt.Errorf("got an HTML or XML page instead of JSON (an error or login page?): %w", fetch.ErrHTML)
	}
	return text, nil
}

func parseEvents(docs []eventDoc, base string, history bool, what string) (*parsed, error) {
	p := &parsed{events: make([]event, 0, len(docs))}
	seen := make(map[string]bool, len(docs))
	for i := range docs {
		d := &docs[i]
		if d.ARN == "" {
			return nil, fmt.Errorf(`%s: event %d has no "arn"`, what, i)
		}
		if seen[d.ARN] {
			// The history lists an event under each service it touched.
			continue
		}
		seen[d.ARN] = true
		p.events = append(p.events, parseEvent(d, base, history))
	}
	return p, nil
}

// regionOf is the region an event's ARN names
// ("arn:aws:health:us-east-1::event/..."); "global" when it names none.
// region_name is only a display name ("N. Virginia"), null for global
// events, so the ARN is the one stable source.
func regionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 || strings.TrimSpace(parts[3]) == "" {
		return "global"
	}
	return strings.TrimSpace(parts[3])
}

func parseEvent(d *eventDoc, base string, history bool) event {
	region := regionOf(d.ARN)
	logs := slices.Clone(d.EventLog)
	slices.SortStableFunc(logs, func(a, b logDoc) int { return a.Timestamp.time().Compare(b.Timestamp.time()) })

	// Closed: AWS set an end time, the last log entry says resolved, or the
	// event itself does. The top-level status is otherwise the peak, which
	// AWS does not lower on recovery. Every event in the history is over.
	last := code(-1)
	if len(logs) > 0 {
		last = logs[len(logs)-1].Status
	}
	closed := history || !d.EndTime.time().IsZero() || last == codeResolved || d.Status == codeResolved

	// The services it touches, by AWS's key ("ec2-us-east-1"), sorted so
	// that a parse is stable (the document holds them in an object).
	services := d.ImpactedServices
	if len(services) == 0 && (d.Service != "" || d.ServiceName != "") {
		now := d.Status
		if last >= 0 {
			now = last
		}
		key := d.Service
		if key == "" {
			key = d.ServiceName
		}
		services = map[string]impactDoc{key: {ServiceName: d.ServiceName, Current: now, Max: d.Status}}
	}
	keys := make([]string, 0, len(services))
	for k := range services {
		if strings.TrimSpace(k) != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)

	ev := event{inc: sources.Incident{
		ID:        d.ARN,
		Title:     title(d, region),
		URL:       base + "/health/status?eventID=" + url.QueryEscape(d.ARN),
		StartedAt: d.Date.time(),
	}}
	current, peak := sources.Operational, d.Status.statusOrNone()
	for _, k := range keys {
		s := services[k]
		name := strings.TrimSpace(s.ServiceName)
		if name == "" {
			name = k
		}
		st := s.Current.status()
		if closed {
			st = sources.Operational
		}
		current = sources.Worst(current, st)
		peak = sources.Worst(peak, s.Max.statusOrNone(), s.Current.statusOrNone())
		ev.comps = append(ev.comps, sources.Component{ID: k, Name: name + " (" + region + ")", Group: region, Status: st})
		ev.inc.ComponentIDs = append(ev.inc.ComponentIDs, k)
	}

	if len(logs) > 0 {
		ev.inc.Updates = make([]sources.IncidentUpdate, 0, len(logs))
		for i := range logs {
			l := &logs[i]
			peak = sources.Worst(peak, l.Status.statusOrNone())
			st := sources.IncidentInvestigating
			if closed && l.Status == codeResolved {
				st = sources.IncidentResolved
			}
			at := l.Timestamp.time()
			id := d.ARN + "@" + strconv.FormatInt(at.Unix(), 10)
			if at.IsZero() || (i > 0 && logs[i-1].Timestamp.time().Equal(at)) {
				id = d.ARN + "#" + strconv.Itoa(i)
			}
			body := plain(l.Message)
			if body == "" {
				body = plain(l.Summary)
			}
			ev.inc.Updates = append(ev.inc.Updates, sources.IncidentUpdate{ID: id, At: at, Status: st, Body: body})
		}
		ev.inc.UpdatedAt = ev.inc.Updates[len(ev.inc.Updates)-1].At
	}
	if ev.inc.StartedAt.IsZero() && len(ev.inc.Updates) > 0 {
		ev.inc.StartedAt = ev.inc.Updates[0].At
	}
	if ev.inc.UpdatedAt.IsZero() {
		ev.inc.UpdatedAt = ev.inc.StartedAt
	}

	if closed {
		ev.inc.Status = sources.IncidentResolved
		ev.inc.ResolvedAt = d.EndTime.time()
		if ev.inc.ResolvedAt.IsZero() {
			ev.inc.ResolvedAt = ev.inc.UpdatedAt
		}
		ev.inc.Impact = sources.Worst(sources.Degraded, peak)
		return ev
	}
	ev.inc.Status = sources.IncidentInvestigating
	switch {
	case len(d.ImpactedServices) > 0:
		// The services say how bad it is now; an open event whose
		// services have all recovered is still one AWS keeps open.
		ev.inc.Impact = sources.Worst(sources.Degraded, current)
	case last >= 0:
		ev.inc.Impact = last.status()
	default:
		ev.inc.Impact = d.Status.status()
	}
	return ev
}

// statusOrNone is status, but operational for an absent code, so that a
// missing field never raises a peak.
func (c code) statusOrNone() sources.Status {
	if c < 0 {
		return sources.Operational
	}
	return c.status()
}

// title names the service and region, which AWS's summary ("Increased API
// Error Rates") leaves out: "Amazon Elastic Compute Cloud (us-east-1):
// Increased API Error Rates".
func title(d *eventDoc, region string) string {
	svc := strings.TrimSpace(d.ServiceName)
	if svc == "" {
		svc = d.Service
	}
	sum := plain(d.Summary)
	switch {
	case svc == "" && sum == "":
		return "AWS event (" + region + ")"
	case svc == "":
		return sum + " (" + region + ")"
	case sum == "":
		return svc + " (" + region + ")"
	}
	return svc + " (" + region + "): " + sum
}

// plain is a message as plain text for chat. AWS writes plain text with line
// breaks, which are kept; markup, should a message carry any, is read as
// such.
func plain(s string) string { return feed.PlainText(s) }

// observation is what the documents say at now: every event in cur, and the
// events of hist that ended within window before now and are not in cur.
// One component per service either names, in order of first mention; its
// status is the worst impact of the open events naming it.
func observation(base string, cur, hist *parsed, now time.Time, window time.Duration) sources.Observation {
	obs := sources.Observation{Page: strings.TrimRight(base, "/") + "/health/status"}
	var evs []*event
	listed := map[string]bool{}
	if cur != nil {
		for i := range cur.events {
			evs = append(evs, &cur.events[i])
			listed[cur.events[i].inc.ID] = true
		}
	}
	if hist != nil {
		cutoff := now.Add(-window)
		for i := range hist.events {
			e := &hist.events[i]
			if listed[e.inc.ID] || e.inc.ResolvedAt.Before(cutoff) || e.inc.ResolvedAt.After(now) {
				continue
			}
			evs = append(evs, e)
		}
	}
	if len(evs) == 0 {
		return obs
	}
	obs.Incidents = make([]sources.Incident, 0, len(evs))
	at := map[string]int{}
	for _, e := range evs {
		obs.Incidents = append(obs.Incidents, e.inc)
		for _, c := range e.comps {
			i, ok := at[c.ID]
			if !ok {
				at[c.ID] = len(obs.Components)
				obs.Components = append(obs.Components, c)
				continue
			}
			obs.Components[i].Status = sources.Worst(obs.Components[i].Status, c.Status)
		}
	}
	return obs
}
