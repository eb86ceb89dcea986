// Package webhook delivers events as signed JSON to any HTTP endpoint: the
// documented outagebot.event/v1 body (see Payload), or a custom body from a
// channel's template.
//
// Every request is signed (see Sign) and carries the outbox id as its
// Idempotency-Key, the same on every attempt, across retries and restarts:
// the outbox delivers at least once (an answer lost to a crash or a broken
// connection is sent again), and a receiver that keeps the keys it has seen
// turns that into exactly once.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/internal/httpsend"
	"github.com/outagebot/outagebot/outage"
)

// Headers of every request.
const (
	HeaderSignature   = "X-Outagebot-Signature"
	HeaderTimestamp   = "X-Outagebot-Timestamp"
	HeaderEvent       = "X-Outagebot-Event"
	HeaderIdempotency = "Idempotency-Key"
)

// Options configure a Notifier.
type Options struct {
	URL string
	// Secret signs every request; required.
	Secret string
	// Template, if set, renders the body instead of the JSON of Payload.
	Template string
	// ContentType of the body; default application/json.
	ContentType string
	// Group returns a target's group, for the body (nil: none).
	Group func(target string) string
	// Lang is the language of the body's text (en, de; empty or unknown
	// is English).
	Lang string
	// Client sends the requests (nil: http.DefaultClient); the call's
	// deadline comes from the context.
	Client *http.Client
	Log    *slog.Logger
	// Now dates the signature (nil: time.Now).
	Now func() time.Time
}

// Notifier posts events to one endpoint. The URL and the secret appear in
// no error and no log line.
type Notifier struct {
	o    Options
	tmpl *Template
}

var _ notifier.Notifier = (*Notifier)(nil)

// New checks o and makes a Notifier; it makes no call.
func New(o Options) (*Notifier, error) {
	// A URL from the environment often ends in a newline, which no
	// request can be made with.
	o.URL = strings.TrimSpace(o.URL)
	if o.URL == "" {
		return nil, errors.New("webhook: no url")
	}
	if o.Secret == "" {
		return nil, errors.New("webhook: no secret")
	}
	if o.ContentType == "" {
		o.ContentType = "application/json"
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	n := &Notifier{o: o}
	if o.Template != "" {
		t, err := ParseTemplate(o.Template, o.ContentType)
		if err != nil {
			return nil, fmt.Errorf("webhook: template: %w", err)
		}
		n.tmpl = t
	}
	return n, nil
}

// Sign is the signature header's value for body sent at ts:
// "v1=" + hex(HMAC-SHA256(secret, "v1:" + ts + ":" + body)), with ts the
// X-Outagebot-Timestamp header (Unix seconds).
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v1:%d:", ts)
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a request's signature and that its timestamp is within
// tolerance of now: what a receiver in Go does (see README).
func Verify(secret, signature, timestamp string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return errors.New("bad timestamp")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return errors.New("timestamp outside the tolerance")
	}
	if !hmac.Equal([]byte(Sign(secret, ts, body)), []byte(signature)) {
		return errors.New("signature mismatch")
	}
	return nil
}

// Body renders the request body of d.
func (n *Notifier) Body(d notifier.Delivery) ([]byte, error) {
	group := ""
	if n.o.Group != nil {
		group = n.o.Group(d.Event.Target)
	}
	p := NewPayloadIn(i18n.For(n.o.Lang), d.OutboxID, d.Event, group)
	if n.tmpl != nil {
		return n.tmpl.Execute(p)
	}
	return json.Marshal(p)
}

// Deliver posts d's event. A webhook gives no message to refer to later,
// so the reference is empty.
func (n *Notifier) Deliver(ctx context.Context, d notifier.Delivery) (notifier.RemoteRef, error) {
	body, err := n.Body(d)
	if err != nil {
		// The template cannot render this event: no retry will change it.
		return "", &notifier.PermanentError{Err: fmt.Errorf("webhook: %w", err), Fix: "fix the channel's webhook template", Rejected: true}
	}
	if err := notifier.Wait(ctx, d.Pace); err != nil {
		return "", err
	}
	// Signed at the moment of sending, so a retry after hours is not
	// refused as stale by a receiver checking the timestamp's age.
	ts := n.o.Now().Unix()
	h := http.Header{}
	h.Set("Content-Type", n.o.ContentType)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(HeaderSignature, Sign(n.o.Secret, ts, body))
	h.Set(HeaderIdempotency, idempotencyKey(d.OutboxID))
	h.Set(HeaderEvent, string(d.Event.Kind))
	_, err = httpsend.Post(ctx, n.o.Client, httpsend.Request{
		Service: "webhook",
		URL:     n.o.URL,
		Body:    body,
		Header:  h,
		Secrets: []string{n.o.Secret},
		Refused: refused,
	}, n.o.Now)
	if err != nil {
		return "", err
	}
	n.o.Log.Debug("posted to the webhook", "dest", d.Destination.String(), "outage", d.Event.OutageID, "event", d.Event.Kind, "seq", d.Event.Seq)
	return "", nil
}

// refused sorts a 4xx: the receiver refusing this message (400, 413, 415,
// 422) gives it up so later events go on; the endpoint refusing us (401,
// 403, 404, 410, ...) waits until someone fixes it.
func refused(status int, _ string) (string, bool) {
	switch status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
		return "the receiver refuses this message; check its log, the channel's template or content_type", true
	case http.StatusUnauthorized, http.StatusForbidden:
		return "the receiver refuses the signature: check that it verifies with the same secret", false
	case http.StatusNotFound, http.StatusGone, http.StatusMethodNotAllowed:
		return "no receiver at the channel's webhook url (it must take POST)", false
	}
	return "the receiver refuses the request; check its log", false
}

// Handles says that acknowledgements from chat are delivered here too,
// besides the kinds every notifier takes.
func (n *Notifier) Handles(k outage.Kind) bool {
	return notifier.HandlesBase(k, outage.Acknowledged)
}
