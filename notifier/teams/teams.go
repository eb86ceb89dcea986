// Package teams posts events to a Microsoft Teams channel through a
// Workflows (Power Automate) webhook: the "Post to a channel when a
// webhook request is received" template, which took over from the retired
// Office 365 connectors. The workflow posts what it receives, an Adaptive
// Card, as a message of its own.
//
// A workflow can neither reply in a thread nor edit a message, and gives
// back no id to look one up by, so every event is a message of its own
// and a delivery cannot be made idempotent: when the answer to a post is
// lost (a crash between the post and its record, a broken connection) the
// message is posted again, once per lost answer. The dispatcher records
// each attempt before making it, so an attempt that was recorded as done
// is never repeated: the duplicates are bounded by the lost answers.
package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/internal/httpsend"
	"github.com/outagebot/outagebot/outage"

	"github.com/outagebot/outagebot/internal/webhookurl"
)

// Options configure a Notifier.
type Options struct {
	// URL is the workflow's HTTP POST URL; its sig parameter is a secret.
	URL string
	// Client sends the requests (nil: http.DefaultClient).
	Client *http.Client
	Log    *slog.Logger
	// Now dates a Retry-After given as a date (nil: time.Now).
	Now func() time.Time
	// Lang is the language of the cards (en, de; empty or unknown is
	// English).
	Lang string
}

// Notifier posts Adaptive Cards to one workflow. Its URL appears in no
// error and no log line.
type Notifier struct{ o Options }

var _ notifier.Notifier = (*Notifier)(nil)

// New makes a Notifier; it makes no call.
func New(o Options) (*Notifier, error) {
	// A URL pasted from the workflow's trigger often carries a newline,
	// which no request can be made with.
	o.URL = strings.TrimSpace(o.URL)
	if err := CheckURL(o.URL); err != nil {
		return nil, fmt.Errorf("teams: url %w", err)
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{o: o}, nil
}

// CheckURL says what is wrong with a workflow URL, if anything: it must be
// https (http only to a loopback host, for tests), and neither an Office
// 365 connector's, which Microsoft retired, nor another chat's webhook
// pasted by mistake. Any other host is taken: Power Automate's
// (*.logic.azure.com, *.powerplatform.com, a sovereign cloud's) or a
// relay of one's own in front of the workflow.
func CheckURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.User != nil {
		// url.Error repeats the URL: not wrapped.
		return errors.New("must be an absolute https URL: the workflow's HTTP POST URL")
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case u.Scheme == "http" && webhookurl.Loopback(host):
	case u.Scheme != "https":
		return errors.New("must be an https URL (http only for localhost)")
	case strings.HasSuffix(host, ".webhook.office.com") || host == "outlook.office.com" || host == "outlook.office365.com":
		return errors.New(`is an Office 365 connector's webhook, which Microsoft retired: in the channel, add the Workflows template "Post to a channel when a webhook request is received" and use its URL`)
	case webhookurl.ChatHost(host):
		// Only another chat's webhooks are refused: a relay of one's own
		// in front of the workflow is a fair setup, and its path is its own.
		return errors.New(`is another chat's webhook, not a workflow's URL: copy the HTTP POST URL of the workflow's "When a Teams webhook request is received" trigger (…/workflows/…/triggers/manual/paths/invoke?…)`)
	}
	return nil
}

// Deliver posts d's event as a card. Teams gives back no message id: the
// reference is empty.
//
// The workflow answers 202 Accepted, with no body, once it has queued a
// run; the run posts the card afterwards, so a card Teams cannot show (too
// large, malformed) fails there, in the workflow's run history, and never
// here. That is why the card is kept well within Teams' limits before it
// is sent. Any 2xx is taken as accepted (a relay in between may answer
// 200).
func (n *Notifier) Deliver(ctx context.Context, d notifier.Delivery) (notifier.RemoteRef, error) {
	body, err := json.Marshal(RenderIn(i18n.For(n.o.Lang), d.Event))
	if err != nil {
		return "", &notifier.PermanentError{Err: fmt.Errorf("teams: %w", err), Rejected: true}
	}
	if err := notifier.Wait(ctx, d.Pace); err != nil {
		return "", err
	}
	_, err = httpsend.Post(ctx, n.o.Client, httpsend.Request{
		Service: "teams",
		URL:     n.o.URL,
		Body:    body,
		// Power Automate answers a throttled flow with 429 and a
		// Retry-After; without one, wait a little longer than its
		// per-second window.
		DefaultRetryAfter: 5 * time.Second,
		Refused:           refused,
		Message:           message,
	}, n.o.Now)
	if err != nil {
		return "", err
	}
	n.o.Log.Debug("posted to the Teams workflow", "dest", d.Destination.String(), "outage", d.Event.OutageID, "event", d.Event.Kind, "seq", d.Event.Seq)
	return "", nil
}

// refused sorts a workflow's 4xx: a malformed or oversized card (400,
// 413) is given up so later events go on; a workflow that is gone, off or
// no longer authorised (401, 403, 404) waits until someone fixes it.
func refused(status int, _ string) (string, bool) {
	switch status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		return "Teams refused this card; please report it with this log line", true
	case http.StatusUnauthorized, http.StatusForbidden:
		return `the workflow refuses the request: its trigger must let "Anyone" trigger the flow (outagebot signs in to nothing; the URL's sig is the credential), and the URL must be the current one: copy its HTTP POST URL again from the trigger`, false
	case http.StatusNotFound, http.StatusGone:
		return "the workflow was deleted or turned off: turn it on in Workflows, or create it again and update the channel's teams url", false
	}
	return "check the workflow's run history in Power Automate", false
}

// message reads Power Automate's {"error":{"code","message"}}.
func message(body []byte) string {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && (e.Error.Code != "" || e.Error.Message != "") {
		return strings.TrimSpace(e.Error.Code + " " + e.Error.Message)
	}
	s, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
	return s
}

// Handles says that acknowledgements from chat are delivered here too,
// besides the kinds every notifier takes.
func (n *Notifier) Handles(k outage.Kind) bool {
	return notifier.HandlesBase(k, outage.Acknowledged)
}
