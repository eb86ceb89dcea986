package slack

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/interact/guard"
	"github.com/outagebot/outagebot/internal/fakeslack"
)

// A button clicked over Socket Mode takes the same path as one posted to
// /slack/interactions: acked at once, acted on with the admins' check,
// answered at the response_url; app_home_opened reaches the board.
func TestSocketModeClicksAndHome(t *testing.T) {
	c := newChatops(t)
	c.fake.RequireAppToken(appToken)
	patient(c.fake)
	var mu sync.Mutex
	var opened []string
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- RunSocketMode(ctx, SocketOptions{
			AppToken: appToken, BotToken: botToken, APIURL: c.fake.URL(), Commands: c.cmds, Actor: c.cmds, Admins: c.admin,
			HTTPClient: c.fake.Client(), Log: slog.New(slog.DiscardHandler),
			HomeOpened: func(user string) { mu.Lock(); opened = append(opened, user); mu.Unlock() },
		})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunSocketMode: %v", err)
		}
	}()

	clicks := []struct {
		user, action, wantType, want string
	}{
		{"U0EVE", "outagebot:ack:o2", "ephemeral", "Sorry, you cannot acknowledge here"},
		{"U0ALICE", "outagebot:ack:o2", "ephemeral", "Acknowledged by <@U0ALICE> at 14:00 UTC"},
		{"U0BOB", "outagebot:ack:o2", "ephemeral", "Already acknowledged"},
	}
	for i, cl := range clicks {
		var payload map[string]any
		if err := json.Unmarshal(c.fake.Payload(fakeslack.BlockAction{UserID: cl.user, UserName: strings.ToLower(strings.TrimPrefix(cl.user, "U0")),
			ChannelID: "C0OPS", MessageTS: "1700000000.000100", ActionID: cl.action, Value: "o2"}), &payload); err != nil {
			t.Fatal(err)
		}
		ack, err := c.fake.SendEnvelope("interactive", payload)
		if err != nil || len(ack) != 0 {
			t.Fatalf("click %d: ack %s, %v; want an empty ack", i, ack, err)
		}
		got := c.fake.WaitResponses(i+1, 30*time.Second)
		if len(got) != i+1 {
			t.Fatalf("click %d: %d answers at the response_url, want %d", i, len(got), i+1)
		}
		if r := got[i]; r.ResponseType != cl.wantType || !strings.Contains(r.Text, cl.want) {
			t.Errorf("click %d by %s: %s %q, want %s with %q", i, cl.user, r.ResponseType, r.Text, cl.wantType, cl.want)
		}
	}
	a, ok, err := c.st.Acknowledgement(context.Background(), "o2")
	if err != nil || !ok || a.UserID != "U0ALICE" {
		t.Fatalf("stored ack %+v %v %v", a, ok, err)
	}

	for _, tab := range []string{"home", "messages"} {
		ack, err := c.fake.SendEnvelope("events_api", map[string]any{"type": "event_callback",
			"event": map[string]any{"type": "app_home_opened", "user": "U0ALICE", "tab": tab}})
		if err != nil || len(ack) != 0 {
			t.Fatalf("app_home_opened (%s): ack %s, %v", tab, ack, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	// The handler runs before the ack, so both envelopes are handled here.
	if len(opened) != 1 || opened[0] != "U0ALICE" {
		t.Errorf("home opened for %q, want U0ALICE once (the messages tab is not the home)", opened)
	}
}

// Socket Mode takes the store the HTTP events handler and the other
// replicas use: an event one of them handled is acked and not handled
// again when Slack delivers it here, and an event handled here is
// remembered there.
func TestSocketModeSharesSeenEvents(t *testing.T) {
	s := fakeslack.New()
	defer s.Close()
	patient(s)
	seen := guard.NewMemory()
	home := &homeRecorder{}
	// Both on the wall clock, as RunSocketMode is: the store keeps an
	// event for an hour from when it was handled.
	h := NewEventsHandler(EventsOptions{SigningSecret: secret, HomeOpened: home.opened, Seen: seen})
	if w := postEvent(h, string(fixture(t, "events/app_home_opened_home.json")), time.Now(), nil); w.Code != http.StatusOK || len(home.get()) != 1 {
		t.Fatalf("over HTTP: %d, home opened for %q", w.Code, home.get())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- RunSocketMode(ctx, SocketOptions{AppToken: appToken, BotToken: botToken, APIURL: s.URL(), Commands: newCommands(),
			HTTPClient: s.Client(), Log: slog.New(slog.DiscardHandler), HomeOpened: home.opened, Seen: seen})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunSocketMode: %v", err)
		}
	}()
	for _, path := range []string{"events/app_home_opened_home.json", "events/app_home_opened_first.json"} {
		if ack, err := s.SendEnvelope("events_api", json.RawMessage(fixture(t, path))); err != nil || len(ack) != 0 {
			t.Fatalf("%s: ack %s, %v", path, ack, err)
		}
	}
	// The handler runs before the ack.
	if got := home.get(); len(got) != 2 || got[1] != "U07BOB00A1B" {
		t.Errorf("home opened for %q, want %s then U07BOB00A1B", got, fixtureAdmin)
	}
	if n := seen.Len(); n != 2 {
		t.Errorf("%d events in the shared store, want 2", n)
	}
}
