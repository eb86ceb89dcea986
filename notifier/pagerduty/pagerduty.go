// Package pagerduty sends outages to a PagerDuty service through the
// Events API v2 (developer.pagerduty.com/docs/events-API-v2/overview):
// each outage is one alert, addressed by its id as the dedup_key, so a
// repeated event (the outbox delivers at least once) changes nothing: a
// second trigger of an open alert only adds to its log, a second resolve
// or acknowledge of an alert already in that state is ignored.
package pagerduty

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/internal/httpsend"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// DefaultAPIURL is the Events API v2 endpoint.
const DefaultAPIURL = "https://events.pagerduty.com/v2/enqueue"

// retryAfter429 is PagerDuty's advice for a rate-limited event: "retrying
// 3 times with each request being 30 seconds apart"
// (developer.pagerduty.com/docs/events-API-v2/rate-limits).
const retryAfter429 = 30 * time.Second

// Options configure a Notifier.
type Options struct {
	// RoutingKey is the integration key of an Events API v2 integration
	// on a service; a secret.
	RoutingKey string
	// APIURL replaces DefaultAPIURL (a local fake in tests).
	APIURL string
	// Group returns a target's group, for the alert (nil: none).
	Group func(target string) string
	// Lang is the language of the alert's summary and link (en, de; empty
	// or unknown is English).
	Lang   string
	Client *http.Client
	Log    *slog.Logger
	// Now dates a Retry-After given as a date (nil: time.Now).
	Now func() time.Time
}

// Notifier sends one destination's events. The routing key appears in no
// error and no log line.
type Notifier struct {
	o Options
	// sent is the severity last triggered per open outage, so that only an
	// update that changes it triggers again. It is memory only: after a
	// restart the first update of an outage triggers once more, which the
	// dedup_key makes harmless.
	mu   sync.Mutex
	sent map[string]sources.Status
}

var _ notifier.Notifier = (*Notifier)(nil)

// New makes a Notifier; it makes no call.
func New(o Options) (*Notifier, error) {
	// A key read from a file or a secret store often ends in a newline;
	// PagerDuty would refuse it for its length.
	o.RoutingKey = strings.TrimSpace(o.RoutingKey)
	if err := CheckRoutingKey(o.RoutingKey, o.APIURL); err != nil {
		return nil, fmt.Errorf("pagerduty: routing_key %w", err)
	}
	if o.APIURL == "" {
		o.APIURL = DefaultAPIURL
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{o: o, sent: map[string]sources.Status{}}, nil
}

// CheckRoutingKey says what is wrong with an integration key, if
// anything: the Events API v2 takes "the 32 character Integration Key for
// an integration on a service or on a global ruleset" and refuses any
// other length with 400, which would hold every event back. The rule is
// PagerDuty's: with an api_url elsewhere only a missing key is refused.
// The key is never quoted.
func CheckRoutingKey(k, apiURL string) error {
	switch {
	case k == "":
		return errors.New("must be set: the Integration Key of an Events API v2 integration")
	case !isPagerDuty(apiURL):
		// Other services take PagerDuty's events (on-call tools with a
		// "PagerDuty-compatible" integration) under keys of their own form.
		return nil
	case strings.Contains(k, "/"):
		return errors.New("must be the integration key alone (32 characters), not a URL")
	}
	// The characters first: the length is then counted in letters and
	// digits, which are one byte each.
	for _, r := range k {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return errors.New("must be the 32 letters and digits of the Integration Key")
		}
	}
	if len(k) != 32 {
		return fmt.Errorf("must be 32 characters, the Integration Key of an Events API v2 integration (this one has %d)", len(k))
	}
	return nil
}

// isPagerDuty reports whether apiURL ("" for the default) is PagerDuty's
// own Events API, whose keys are 32 characters.
func isPagerDuty(apiURL string) bool {
	if apiURL == "" {
		return true
	}
	u, err := url.Parse(apiURL)
	if err != nil {
		return true
	}
	h := strings.ToLower(u.Hostname())
	return h == "pagerduty.com" || strings.HasSuffix(h, ".pagerduty.com")
}

// Deliver sends what d's event asks of the alert, if anything. The
// reference is the dedup_key.
func (n *Notifier) Deliver(ctx context.Context, d notifier.Delivery) (notifier.RemoteRef, error) {
	ev := d.Event
	n.mu.Lock()
	last, known := n.sent[ev.OutageID]
	n.mu.Unlock()
	action := Action(ev, !known || last != ev.Severity)
	if action == "" {
		n.o.Log.Debug("nothing to send to PagerDuty for this event", "dest", d.Destination.String(), "outage", ev.OutageID, "event", ev.Kind)
		return notifier.RemoteRef(DedupKey(ev)), nil
	}
	group := ""
	if n.o.Group != nil {
		group = n.o.Group(ev.Target)
	}
	body, err := json.Marshal(BuildIn(i18n.For(n.o.Lang), n.o.RoutingKey, action, ev, group))
	if err != nil {
		return "", &notifier.PermanentError{Err: fmt.Errorf("pagerduty: %w", err), Rejected: true}
	}
	if err := notifier.Wait(ctx, d.Pace); err != nil {
		return "", err
	}
	_, err = httpsend.Post(ctx, n.o.Client, httpsend.Request{
		Service:           "pagerduty",
		URL:               n.o.APIURL,
		Body:              body,
		Secrets:           []string{n.o.RoutingKey},
		DefaultRetryAfter: retryAfter429,
		Refused:           refused,
		Message:           message,
	}, n.o.Now)
	if err != nil {
		if notifier.IsPermanent(err) {
			// PagerDuty's words say what is wrong with the event.
			n.o.Log.Error("PagerDuty refused the event", "dest", d.Destination.String(), "outage", ev.OutageID, "action", action, "err", err)
		}
		return "", err
	}
	n.mu.Lock()
	if action == Resolve {
		delete(n.sent, ev.OutageID)
	} else if action == Trigger {
		n.sent[ev.OutageID] = ev.Severity
	}
	n.mu.Unlock()
	n.o.Log.Debug("sent to PagerDuty", "dest", d.Destination.String(), "outage", ev.OutageID, "action", action)
	return notifier.RemoteRef(DedupKey(ev)), nil
}

// refused sorts a 4xx. PagerDuty answers 400 for an invalid event, with
// its reasons: one about the routing key is the destination's fault (it
// waits for someone to fix the key), any other the event's (given up, so
// later events go on).
func refused(status int, msg string) (string, bool) {
	if status == http.StatusBadRequest && !strings.Contains(strings.ToLower(msg), "routing") {
		return "PagerDuty refused this event; please report it with this log line", true
	}
	return "check routing_key: it must be the Integration Key of an Events API v2 integration on the service (Service > Integrations)", false
}

// message reads PagerDuty's {"status","message","errors":[...]}.
func message(body []byte) string {
	var e struct {
		Status  string   `json:"status"`
		Message string   `json:"message"`
		Errors  []string `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil || (e.Message == "" && len(e.Errors) == 0) {
		s, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
		return s
	}
	s := e.Message
	if len(e.Errors) > 0 {
		s += ": " + strings.Join(e.Errors, "; ")
	}
	return s
}

// Handles says that acknowledgements from chat are delivered here too,
// besides the kinds every notifier takes.
func (n *Notifier) Handles(k outage.Kind) bool {
	return notifier.HandlesBase(k, outage.Acknowledged)
}
