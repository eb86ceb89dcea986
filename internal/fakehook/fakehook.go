// Package fakehook is a local stand-in for the HTTP services outagebot
// posts events to: a receiver of the signed generic webhook, a Microsoft
// Teams Workflows webhook and PagerDuty's Events API v2. Each answers as
// the real service documents (status codes, bodies, de-duplication where
// the service does it), records every request, and can be told to fail the
// next requests: a status with a Retry-After, a hang, an answer lost after
// the request was taken.
package fakehook

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/outagebot/outagebot/notifier/webhook"
)

// Kind is the service a Server plays.
type Kind int

// Services.
const (
	// Webhook verifies X-Outagebot-Signature with the secret (401 when
	// wrong or older than 5 minutes) and keeps the Idempotency-Keys it has
	// seen: a repeated key is answered 200 and not taken again, as the
	// README tells receivers to do.
	Webhook Kind = iota
	// Teams is a Workflows webhook ("When a Teams webhook request is
	// received"): it answers 202 Accepted with no body to any JSON body,
	// as soon as the run is queued, and 400 with Logic Apps' error to a
	// body that is not JSON. The run then posts the card, or fails where
	// only the run history shows it (a message that is no Adaptive Card,
	// one over Teams' 28 KB): see FailedRuns. It cannot tell a repeated
	// post, so every card posted is a message.
	Teams
	// PagerDuty answers 202 with {"status":"success","message":"Event
	// processed","dedup_key":...} and keeps alerts by dedup_key as the
	// Events API v2 does (an acknowledge or resolve of an alert not open
	// is dropped; a trigger after a resolve opens a new incident); 400
	// with its reasons for an invalid event (a routing_key that is not 32
	// characters, a dedup_key over 255, a summary over 1024 characters, a
	// severity other than critical, error, warning or info, ...).
	PagerDuty
)

// teamsMaxBytes is the message size a workflow's "Post card in a chat or
// channel" takes: about 28 KB, above which the action fails with "Request
// Entity Too Large" (learn.microsoft.com/connectors/teams, known issues).
const teamsMaxBytes = 28 << 10

// Request is one request as received.
type Request struct {
	Header http.Header
	Body   []byte
	// Taken is false for a request the service refused (or was told to
	// fail before taking).
	Taken bool
}

// Fault is what the next request gets instead of the service's answer.
type Fault struct {
	// Status and RetryAfter (a header value) and Body make an answer.
	Status     int
	RetryAfter string
	Body       string
	// Hang holds the request until the client gives up.
	Hang bool
	// Lose takes the request as the service would, then closes the
	// connection without an answer: the sender cannot know it arrived.
	Lose bool
}

// Alert is a PagerDuty alert.
type Alert struct {
	// Status is triggered, acknowledged or resolved.
	Status   string
	Severity string
	Summary  string
	// Incidents counts the incidents the dedup_key opened: more than one
	// only when it triggered again after a resolve.
	Incidents int
	// Log lists the actions that reached the alert, repeats included.
	Log []string
}

// Server is a fake service on a loopback port.
type Server struct {
	srv        *httptest.Server
	kind       Kind
	secret     string
	routingKey string

	mu       sync.Mutex
	faults   []Fault
	always   *Fault
	requests []Request
	keys     map[string]bool
	alerts   map[string]*Alert
	failed   []string
}

// New starts a fake of kind. For Webhook, secret is the shared secret; for
// PagerDuty it is the routing key it accepts.
func New(kind Kind, secret string) *Server {
	s := &Server{kind: kind, keys: map[string]bool{}, alerts: map[string]*Alert{}}
	switch kind {
	case Webhook:
		s.secret = secret
	case PagerDuty:
		s.routingKey = secret
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the service's address; for Teams it carries a sig parameter,
// like a workflow's URL, for PagerDuty it is the enqueue endpoint.
func (s *Server) URL() string {
	switch s.kind {
	case Teams:
		return s.srv.URL + "/workflows/f00d/triggers/manual/paths/invoke?api-version=1&sig=s3cr3t-sig"
	case PagerDuty:
		return s.srv.URL + "/v2/enqueue"
	}
	return s.srv.URL + "/hooks/outagebot"
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Fail makes the next len(f) requests get f, in order.
func (s *Server) Fail(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f...)
}

// FailAlways makes every request get f (nil: none).
func (s *Server) FailAlways(f *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.always = f
}

// Requests are every request received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Taken are the requests the service took: for Webhook, one per
// Idempotency-Key; for Teams, every message posted; for PagerDuty every
// event processed.
func (s *Server) Taken() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if r.Taken {
			out = append(out, r)
		}
	}
	return out
}

// FailedRuns are why the Teams workflow's runs that posted nothing
// failed, as its run history would say, in order.
func (s *Server) FailedRuns() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.failed...)
}

// Alerts are PagerDuty's alerts by dedup_key.
func (s *Server) Alerts() map[string]Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]Alert{}
	for k, a := range s.alerts {
		c := *a
		c.Log = append([]string(nil), a.Log...)
		out[k] = c
	}
	return out
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	var f *Fault
	if len(s.faults) > 0 {
		f = &s.faults[0]
		s.faults = s.faults[1:]
	} else if s.always != nil {
		f = s.always
	}
	i := len(s.requests)
	s.requests = append(s.requests, Request{Header: r.Header.Clone(), Body: body})
	s.mu.Unlock()

	if f != nil && !f.Lose {
		if f.Hang {
			<-r.Context().Done()
			return
		}
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		w.WriteHeader(f.Status)
		io.WriteString(w, f.Body)
		return
	}
	status, answer := s.answer(i, r, body)
	if f != nil && f.Lose {
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("fakehook: cannot hijack")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	if s.kind != Teams {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	w.Write(answer)
}

// answer is the service's own answer to request i.
func (s *Server) answer(i int, r *http.Request, body []byte) (int, []byte) {
	switch s.kind {
	case Teams:
		return s.teams(i, r, body)
	case PagerDuty:
		return s.pagerduty(i, body)
	}
	return s.webhook(i, r, body)
}

func (s *Server) take(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[i].Taken = true
}

func (s *Server) webhook(i int, r *http.Request, body []byte) (int, []byte) {
	if err := webhook.Verify(s.secret, r.Header.Get(webhook.HeaderSignature), r.Header.Get(webhook.HeaderTimestamp), body, time.Now(), 5*time.Minute); err != nil {
		return http.StatusUnauthorized, []byte(`{"error":"` + err.Error() + `"}`)
	}
	key := r.Header.Get(webhook.HeaderIdempotency)
	s.mu.Lock()
	seen := s.keys[key]
	s.keys[key] = true
	s.mu.Unlock()
	if !seen {
		s.take(i)
	}
	return http.StatusOK, []byte(`{"ok":true}`)
}

func (s *Server) teams(i int, r *http.Request, body []byte) (int, []byte) {
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	if strings.TrimSpace(strings.ToLower(ct)) != "application/json" {
		return http.StatusBadRequest, []byte(`{"error":{"code":"InvalidRequestContent","message":"The input body for trigger 'manual' of type 'Request' must be of type JSON, but was of type '` + ct + `'."}}`)
	}
	var m struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string `json:"contentType"`
			Content     struct {
				Type    string `json:"type"`
				Version string `json:"version"`
				Body    []any  `json:"body"`
			} `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return http.StatusBadRequest, []byte(`{"error":{"code":"InvalidRequestContent","message":"The request content is not valid and could not be deserialized."}}`)
	}
	// Accepted: the run is queued. What follows is the run's, out of the
	// sender's sight.
	switch {
	case len(body) > teamsMaxBytes:
		s.fail("Post card in a chat or channel: RequestEntityTooLarge: the message is over 28 KB")
	case m.Type != "message" || len(m.Attachments) != 1 ||
		m.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" || m.Attachments[0].Content.Type != "AdaptiveCard" ||
		m.Attachments[0].Content.Version == "" || len(m.Attachments[0].Content.Body) == 0:
		s.fail("Post card in a chat or channel: BadRequest: the attachment is not an Adaptive Card")
	default:
		s.take(i)
	}
	return http.StatusAccepted, nil
}

func (s *Server) fail(why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failed = append(s.failed, why)
}

func (s *Server) pagerduty(i int, body []byte) (int, []byte) {
	var e struct {
		RoutingKey  string `json:"routing_key"`
		EventAction string `json:"event_action"`
		DedupKey    string `json:"dedup_key"`
		Payload     *struct {
			Summary   string `json:"summary"`
			Source    string `json:"source"`
			Severity  string `json:"severity"`
			Timestamp string `json:"timestamp"`
		} `json:"payload"`
		Links []struct {
			Href string `json:"href"`
		} `json:"links"`
	}
	// The Events API's 400: {"status":"invalid event","message":"Event
	// object is invalid","errors":[...]}, the reasons in its own words.
	invalid := func(reasons ...string) (int, []byte) {
		b, _ := json.Marshal(map[string]any{"status": "invalid event", "message": "Event object is invalid", "errors": reasons})
		return http.StatusBadRequest, b
	}
	if err := json.Unmarshal(body, &e); err != nil {
		return invalid("Malformed JSON")
	}
	var reasons []string
	switch {
	case len([]rune(e.RoutingKey)) != 32:
		reasons = append(reasons, "Length of 'routing_key' is incorrect (should be 32 characters)")
	case e.RoutingKey != s.routingKey:
		reasons = append(reasons, "Invalid routing key")
	}
	if len([]rune(e.DedupKey)) > 255 {
		reasons = append(reasons, "'dedup_key' is too long (maximum is 255 characters)")
	}
	switch e.EventAction {
	case "trigger":
		p := e.Payload
		if p == nil {
			reasons = append(reasons, "'payload' is missing or blank")
			break
		}
		if strings.TrimSpace(p.Summary) == "" {
			reasons = append(reasons, "'payload.summary' is missing or blank")
		} else if len([]rune(p.Summary)) > 1024 {
			reasons = append(reasons, "'payload.summary' is too long (maximum is 1024 characters)")
		}
		if strings.TrimSpace(p.Source) == "" {
			reasons = append(reasons, "'payload.source' is missing or blank")
		}
		if !map[string]bool{"critical": true, "error": true, "warning": true, "info": true}[p.Severity] {
			reasons = append(reasons, "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')")
		}
		if p.Timestamp != "" {
			if _, err := time.Parse(time.RFC3339, p.Timestamp); err != nil {
				reasons = append(reasons, "'payload.timestamp' is invalid")
			}
		}
		for _, l := range e.Links {
			if l.Href == "" {
				reasons = append(reasons, "'links.href' is missing or blank")
			}
		}
	case "acknowledge", "resolve":
		if e.DedupKey == "" {
			reasons = append(reasons, "'dedup_key' is missing or blank")
		}
	default:
		reasons = append(reasons, "'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')")
	}
	if len(reasons) > 0 {
		return invalid(reasons...)
	}
	s.mu.Lock()
	a := s.alerts[e.DedupKey]
	open := a != nil && a.Status != "resolved"
	switch {
	case e.EventAction == "trigger":
		if !open {
			// A new alert, or one resolved before: a new incident.
			if a == nil {
				a = &Alert{}
				s.alerts[e.DedupKey] = a
			}
			a.Incidents++
			a.Status = "triggered"
		}
		a.Severity, a.Summary = e.Payload.Severity, e.Payload.Summary
		a.Log = append(a.Log, e.EventAction)
	case !open:
		// Acknowledge and resolve reach only an open alert; otherwise
		// PagerDuty drops them, after answering 202 all the same.
		if a != nil {
			a.Log = append(a.Log, e.EventAction+" (dropped)")
		}
	case e.EventAction == "acknowledge":
		a.Status = "acknowledged"
		a.Log = append(a.Log, e.EventAction)
	default:
		a.Status = "resolved"
		a.Log = append(a.Log, e.EventAction)
	}
	s.mu.Unlock()
	s.take(i)
	b, _ := json.Marshal(map[string]string{"status": "success", "message": "Event processed", "dedup_key": e.DedupKey})
	return http.StatusAccepted, b
}
