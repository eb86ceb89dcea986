package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/outagebot/outagebot/interact/guard"
)

// EventsPath is where Slack's Events API posts (the manifest's
// settings.event_subscriptions.request_url).
const EventsPath = "/slack/events"

// eventTTL is how long an event's id is remembered: Slack retries an event
// that was not answered with a 2xx within 3 seconds up to three times,
// the last about five minutes after the first
// (https://api.slack.com/apis/events-api#retries).
const eventTTL = time.Hour

// EventsOptions configure NewEventsHandler.
type EventsOptions struct {
	SigningSecret string
	// HomeOpened is called with the user id of every app_home_opened
	// event on the Home tab. It must not block: it runs before the
	// event is acknowledged.
	HomeOpened func(user string)
	Log        *slog.Logger
	// Now is the clock for the signature window (default time.Now).
	Now func() time.Time
	// Seen remembers the events handled, by event_id, so that Slack's
	// retry of one is acknowledged and not handled again (nil: kept in
	// this handler).
	Seen guard.Seen
}

// eventEnvelope is the part of an Events API request the bot reads
// (https://api.slack.com/apis/events-api#callback-field), over HTTP and as
// the payload of a Socket Mode events_api envelope alike. The inner event
// is kept raw: its fields differ from one event type to the next (a
// user_change or team_join carries the user as an object, an
// app_home_opened as an id), and only app_home_opened is read.
type eventEnvelope struct {
	Type      string          `json:"type"`
	Challenge string          `json:"challenge"`
	TeamID    string          `json:"team_id"`
	EventID   string          `json:"event_id"`
	Event     json.RawMessage `json:"event"`
	// MinuteRateLimited is the minute an app_rate_limited notice is
	// about, in Unix seconds.
	MinuteRateLimited int64 `json:"minute_rate_limited"`
}

// errNotObject is the answer to a body that is JSON but not an object.
var errNotObject = errors.New("not a JSON object")

// decodeEnvelope reads an Events API body. Any JSON object is an
// envelope: a field of a type the bot does not expect is left empty
// rather than failing the whole event: Slack retries a delivery not
// answered 200, and limits or disables an app's event subscriptions when
// 5% of its deliveries in an hour fail
// (https://api.slack.com/events/app_rate_limited).
func decodeEnvelope(body []byte) (eventEnvelope, error) {
	var env eventEnvelope
	if b := bytes.TrimLeft(body, " \t\r\n"); len(b) == 0 || b[0] != '{' {
		return env, errNotObject
	}
	err := json.Unmarshal(body, &env)
	if _, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		// Unmarshal goes on past a field of the wrong type: the
		// others are read.
		err = nil
	}
	return env, err
}

// events handles verified Events API envelopes, whichever way they came.
type events struct {
	homeOpened func(string)
	seen       guard.Seen
	now        func() time.Time
	log        *slog.Logger
}

// newEvents fills in the defaults: seen in this process, time.Now.
func newEvents(homeOpened func(string), seen guard.Seen, now func() time.Time, log *slog.Logger) *events {
	if seen == nil {
		seen = guard.NewMemory()
	}
	if now == nil {
		now = time.Now
	}
	return &events{homeOpened: homeOpened, seen: seen, now: now, log: log}
}

// handle acts on one envelope. A retried event_callback (the same
// event_id) is not acted on again; nothing here blocks for long, so the
// acknowledgement goes out well inside Slack's 3 seconds.
func (e *events) handle(ctx context.Context, env eventEnvelope) {
	switch env.Type {
	case "app_rate_limited":
		// Slack drops an app's events for the rest of a minute when it
		// sends more than 30,000 in an hour
		// (https://api.slack.com/apis/events-api#rate-limiting).
		e.log.Warn("Slack is dropping this app's events for a minute: too many events", "team", env.TeamID,
			"minute", time.Unix(env.MinuteRateLimited, 0).UTC().Format(time.RFC3339))
	case "event_callback":
		user, ok := e.homeUser(env.Event)
		if !ok || !e.first(ctx, env.EventID) {
			return
		}
		e.homeOpened(user)
	}
}

// first reports whether an event acted on is new: not one Slack delivers
// again. Only those events are remembered, so that the events the bot
// ignores cost no row in a shared store.
func (e *events) first(ctx context.Context, eventID string) bool {
	if eventID == "" {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, replayTimeout)
	first, err := e.seen.Remember(ctx, "slack-event:"+eventID, e.now(), eventTTL)
	cancel()
	switch {
	case err != nil:
		// Handling an event twice re-publishes a Home tab; dropping it
		// leaves the tab stale.
		e.log.Warn("cannot check a Slack event for a retry; handling it", "err", err)
		return true
	case !first:
		e.log.Debug("a retried Slack event was already handled", "event_id", eventID)
	}
	return first
}

// homeUser is the user of an app_home_opened event on the Home tab, when
// there is someone to tell: not the Messages tab, which opens the app's
// direct messages.
func (e *events) homeUser(raw json.RawMessage) (string, bool) {
	if e.homeOpened == nil || len(raw) == 0 {
		return "", false
	}
	var ev struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(raw, &ev) != nil || ev.Type != "app_home_opened" {
		return "", false
	}
	var home struct {
		User string `json:"user"`
		Tab  string `json:"tab"`
	}
	if err := json.Unmarshal(raw, &home); err != nil {
		e.log.Debug("an app_home_opened event the bot cannot read", "err", err)
		return "", false
	}
	if home.User == "" || (home.Tab != "" && home.Tab != "home") {
		return "", false
	}
	return home.User, true
}

// NewEventsHandler serves POST /slack/events: signed like slash commands
// (else 401), answers the url_verification challenge, and passes
// app_home_opened on. Every other signed JSON object is acknowledged 200
// and ignored, and so are Slack's retries of an event already handled.
func NewEventsHandler(opts EventsOptions) http.Handler {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ev := newEvents(opts.HomeOpened, opts.Seen, opts.Now, log)
	v := &handler{secret: []byte(opts.SigningSecret), now: ev.now, log: log}
	refused := guard.NewRefusals(log, "refused Slack events", v.now)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, ok := readBody(w, r, MaxPayloadBody)
		if !ok {
			return
		}
		if _, reason := v.verify(r.Header, body); reason != "" {
			refused.Refuse(reason, r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		env, err := decodeEnvelope(body)
		if err != nil {
			log.Warn("a signed Slack event that is not a JSON object", "err", err)
			http.Error(w, "malformed event", http.StatusBadRequest)
			return
		}
		if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
			log.Debug("Slack retries an event", "event_id", env.EventID, "retry", n, "reason", r.Header.Get("X-Slack-Retry-Reason"))
		}
		if env.Type == "url_verification" {
			// "respond with the challenge attribute value", as plain text
			// (https://api.slack.com/events/url_verification).
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = w.Write([]byte(env.Challenge))
			return
		}
		ev.handle(r.Context(), env)
		w.WriteHeader(http.StatusOK)
	})
}
