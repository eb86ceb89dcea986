package slack

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"
)

// EventsPath is where Slack's Events API posts (the manifest's
// settings.event_subscriptions.request_url).
const EventsPath = "/slack/events"

// EventsOptions configure NewEventsHandler.
type EventsOptions struct {
	SigningSecret string
	// HomeOpened is called with the user id of every app_home_opened
	// event on the Home tab.
	HomeOpened func(user string)
	Log        *slog.Logger
	// Now is the clock for the signature window (default time.Now).
	Now func() time.Time
}

// eventEnvelope is the part of an Events API request the bot reads
// (https://api.slack.com/apis/events-api#callback-field).
type eventEnvelope struct {
	Type      string `json:"type"`
	Challenge string `json:"challenge"`
	Event     struct {
		Type string `json:"type"`
		User string `json:"user"`
		Tab  string `json:"tab"`
	} `json:"event"`
}

// NewEventsHandler serves POST /slack/events: signed like slash commands
// (else 401), answers the url_verification challenge, and passes
// app_home_opened on. Other events are acknowledged and ignored.
func NewEventsHandler(opts EventsOptions) http.Handler {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	v := &handler{secret: []byte(opts.SigningSecret), now: now, log: log}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxBody {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, MaxBody)); err != nil {
			http.Error(w, "cannot read the request", http.StatusBadRequest)
			return
		}
		if _, reason := v.verify(r.Header, buf.Bytes()); reason != "" {
			log.Warn("refused a Slack event", "reason", reason, "remote", r.RemoteAddr)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		var env eventEnvelope
		if err := json.Unmarshal(buf.Bytes(), &env); err != nil {
			http.Error(w, "malformed event", http.StatusBadRequest)
			return
		}
		switch env.Type {
		case "url_verification":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write([]byte(env.Challenge))
			return
		case "event_callback":
			homeOpened(env, opts.HomeOpened)
		}
		w.WriteHeader(http.StatusOK)
	})
}

// homeOpened passes an app_home_opened event on the Home tab to f.
func homeOpened(env eventEnvelope, f func(string)) {
	if f != nil && env.Event.Type == "app_home_opened" && env.Event.User != "" && (env.Event.Tab == "" || env.Event.Tab == "home") {
		f(env.Event.User)
	}
}
