package slack

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/interact/guard"
)

// postEvent posts body to h as Slack does, signed at ts, with header set.
func postEvent(h http.Handler, body string, ts time.Time, header map[string]string) *httptest.ResponseRecorder {
	r := signedBody(EventsPath, "application/json", body, ts)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// Events whose inner fields are shaped otherwise than app_home_opened's
// (user_change and team_join carry the user as an object) are signed,
// well-formed JSON: each is answered 200 and ignored. Slack would retry a
// 400 and, when too many deliveries fail, turn the app's events off.
// Only the events acted on are remembered for Slack's retries.
func TestEventsOfEveryShapeAnswered(t *testing.T) {
	logs := &syncBuffer{}
	home := &homeRecorder{}
	seen := guard.NewMemory()
	h := NewEventsHandler(EventsOptions{SigningSecret: secret, HomeOpened: home.opened, Seen: seen, Now: func() time.Time { return now },
		Log: slog.New(slog.NewTextHandler(logs, nil))})
	bodies := map[string]string{}
	for _, name := range []string{"user_change", "team_join", "app_mention", "scope_granted", "app_home_opened_messages"} {
		bodies[name] = string(fixture(t, "events/"+name+".json"))
	}
	// Fields of types the bot does not expect, at either level.
	bodies["event not an object"] = `{"type":"event_callback","event_id":"Ev07ODD00001","event":"app_home_opened"}`
	bodies["user a number"] = `{"type":"event_callback","event_id":"Ev07ODD00002","event":{"type":"app_home_opened","user":7,"tab":"home"}}`
	bodies["event_id a number"] = `{"type":"event_callback","event_id":12,"event":{"type":"member_joined_channel","user":"U07BOB00A1B"}}`
	bodies["no event"] = `{"type":"event_callback","event_id":"Ev07ODD00003"}`
	for name, body := range bodies {
		if w := postEvent(h, body, now, nil); w.Code != http.StatusOK {
			t.Errorf("%s: %d %q, want 200", name, w.Code, w.Body)
		}
	}
	if got := home.get(); len(got) != 0 {
		t.Errorf("home opened for %q", got)
	}
	if n := seen.Len(); n != 0 {
		t.Errorf("%d ignored events remembered, want none", n)
	}
	if w := postEvent(h, string(fixture(t, "events/app_home_opened_home.json")), now, nil); w.Code != http.StatusOK {
		t.Errorf("app_home_opened: %d", w.Code)
	}
	if got, n := home.get(), seen.Len(); len(got) != 1 || n != 1 {
		t.Errorf("home opened for %q, %d events remembered; want %s, 1", got, n, fixtureAdmin)
	}
	// What is not a JSON object is still malformed.
	for _, body := range []string{`[{"type":"event_callback"}]`, `{"type":`, ``} {
		if w := postEvent(h, body, now, nil); w.Code != http.StatusBadRequest {
			t.Errorf("%q: %d, want 400", body, w.Code)
		}
	}
	if l := logs.String(); strings.Contains(l, "level=ERROR") {
		t.Errorf("errors logged:\n%s", l)
	}
}

// Two replicas behind a load balancer share the store: an event handled
// by one is not handled again when Slack's retry (newly signed, with
// X-Slack-Retry-Num) reaches the other.
func TestEventRetryOnAnotherReplica(t *testing.T) {
	seen := guard.NewMemory()
	home := &homeRecorder{}
	clock := now
	opts := EventsOptions{SigningSecret: secret, HomeOpened: home.opened, Seen: seen, Now: func() time.Time { return clock }}
	first, second := NewEventsHandler(opts), NewEventsHandler(opts)
	body := string(fixture(t, "events/app_home_opened_home.json"))
	if w := postEvent(first, body, clock, nil); w.Code != http.StatusOK {
		t.Fatalf("first delivery: %d", w.Code)
	}
	clock = now.Add(time.Minute)
	if w := postEvent(second, body, clock, map[string]string{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}); w.Code != http.StatusOK {
		t.Fatalf("retry: %d", w.Code)
	}
	if got := home.get(); len(got) != 1 || got[0] != fixtureAdmin {
		t.Errorf("home opened for %q, want %s once", got, fixtureAdmin)
	}
	// Another handler with a store of its own handles it: the test above
	// shows the shared store at work, not a retry ignored for its header.
	own := NewEventsHandler(EventsOptions{SigningSecret: secret, HomeOpened: home.opened, Now: func() time.Time { return clock }})
	if w := postEvent(own, body, clock, map[string]string{"X-Slack-Retry-Num": "2"}); w.Code != http.StatusOK || len(home.get()) != 2 {
		t.Errorf("a handler with its own store: %d, home opened for %q", w.Code, home.get())
	}
}
