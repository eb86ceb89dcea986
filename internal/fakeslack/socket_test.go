package fakeslack

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// openSocket calls apps.connections.open with token and dials the URL it
// answers, as a Socket Mode client does.
func openSocket(t *testing.T, s *Server, token string) *websocket.Conn {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"apps.connections.open", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var open struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
		URL   string `json:"url"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&open); err != nil || !open.OK {
		t.Fatalf("apps.connections.open: %+v %v", open, err)
	}
	u, err := url.Parse(open.URL)
	if err != nil || u.Scheme != "ws" || !strings.HasPrefix(u.Host, "127.0.0.1:") {
		t.Fatalf("url %q is not a loopback websocket", open.URL)
	}
	// Any Origin is accepted (slack-go sends Slack's own).
	ws, _, err := websocket.DefaultDialer.Dial(open.URL, http.Header{"Origin": {"https://api.slack.com"}})
	if err != nil {
		t.Fatal(err)
	}
	// The ticket is single use.
	if _, resp, err := websocket.DefaultDialer.Dial(open.URL, nil); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a used ticket connected again: %v", err)
	}
	return ws
}

func TestSocketModeEnvelopeAndAck(t *testing.T) {
	s := New()
	defer s.Close()
	ws := openSocket(t, s, "xapp-1-test")
	defer ws.Close()

	var hello map[string]any
	if err := ws.ReadJSON(&hello); err != nil || hello["type"] != "hello" {
		t.Fatalf("first message: %v %v", hello, err)
	}
	if !s.SocketConnected() || s.SocketsOpened() != 1 {
		t.Fatal("connection not seen")
	}

	type result struct {
		ack json.RawMessage
		err error
	}
	done := make(chan result, 1)
	go func() {
		ack, err := s.SendSlashCommand(map[string]string{"command": "/outagebot", "text": "status", "user_id": "U1"})
		done <- result{ack, err}
	}()
	var env struct {
		EnvelopeID             string            `json:"envelope_id"`
		Type                   string            `json:"type"`
		Payload                map[string]string `json:"payload"`
		AcceptsResponsePayload bool              `json:"accepts_response_payload"`
	}
	if err := ws.ReadJSON(&env); err != nil {
		t.Fatal(err)
	}
	if env.Type != "slash_commands" || env.EnvelopeID == "" || !env.AcceptsResponsePayload || env.Payload["text"] != "status" || env.Payload["user_id"] != "U1" {
		t.Fatalf("envelope: %+v", env)
	}
	// An ack for another envelope is recorded but does not answer this one.
	if err := ws.WriteJSON(map[string]any{"envelope_id": "other"}); err != nil {
		t.Fatal(err)
	}
	if err := ws.WriteJSON(map[string]any{"envelope_id": env.EnvelopeID, "payload": map[string]any{"text": "all good"}}); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || string(r.ack) != `{"text":"all good"}` {
		t.Fatalf("ack = %s, %v", r.ack, r.err)
	}
	if acks := s.Acks(); len(acks) != 2 || acks[1].EnvelopeID != env.EnvelopeID || acks[0].Payload != nil {
		t.Errorf("acks: %+v", acks)
	}
}

func TestSocketModeAckTimeout(t *testing.T) {
	s := New()
	defer s.Close()
	s.SetAckTimeout(50 * time.Millisecond)
	ws := openSocket(t, s, "xapp-1-test")
	defer ws.Close()
	if _, err := s.SendSlashCommand(map[string]string{"text": "status"}); err == nil || !strings.Contains(err.Error(), "no ack") {
		t.Errorf("err = %v", err)
	}
}

func TestSocketModeNoConnection(t *testing.T) {
	s := New()
	if err := s.WaitSocket(1, 20*time.Millisecond); err == nil {
		t.Error("no client, yet connected")
	}
	s.SetConnectWait(20 * time.Millisecond)
	if _, err := s.SendSlashCommand(nil); !errors.Is(err, ErrNoSocket) {
		t.Errorf("err = %v, want ErrNoSocket", err)
	}
	s.Close()
	if _, err := s.SendSlashCommand(nil); err == nil {
		t.Error("sent with no client")
	}
}

// An envelope sent before the client connects waits for it, up to the
// connect wait.
func TestSocketModeSendWaitsForConnection(t *testing.T) {
	s := New()
	defer s.Close()
	s.SetConnectWait(time.Minute)
	s.SetAckTimeout(time.Minute)
	done := make(chan error, 1)
	go func() {
		_, err := s.SendSlashCommand(map[string]string{"text": "status"})
		done <- err
	}()
	ws := openSocket(t, s, "xapp-1-test")
	defer ws.Close()
	var env struct {
		Type       string `json:"type"`
		EnvelopeID string `json:"envelope_id"`
	}
	for env.EnvelopeID == "" {
		if err := ws.ReadJSON(&env); err != nil {
			t.Fatal(err)
		}
	}
	if err := ws.WriteJSON(map[string]any{"envelope_id": env.EnvelopeID}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("send before the connection: %v", err)
	}
}

func TestSocketModeTokens(t *testing.T) {
	s := New()
	defer s.Close()
	s.RequireAppToken("xapp-right")
	for token, want := range map[string]string{"": "not_authed", "xoxb-bot": "not_allowed_token_type", "xapp-wrong": "invalid_auth"} {
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"apps.connections.open", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if out.OK || out.Error != want {
			t.Errorf("token %q: %+v, want %s", token, out, want)
		}
	}
}

func TestSocketModePingsAndDisconnect(t *testing.T) {
	s := New()
	defer s.Close()
	s.SetPingInterval(10 * time.Millisecond)
	ws := openSocket(t, s, "xapp-1-test")
	defer ws.Close()
	pings := make(chan struct{}, 10)
	ws.SetPingHandler(func(string) error {
		select {
		case pings <- struct{}{}:
		default:
		}
		return nil
	})
	msgs := make(chan map[string]any, 10)
	go func() {
		for {
			var m map[string]any
			if err := ws.ReadJSON(&m); err != nil {
				close(msgs)
				return
			}
			msgs <- m
		}
	}()
	if m := <-msgs; m["type"] != "hello" {
		t.Fatalf("first: %v", m)
	}
	for range 2 {
		select {
		case <-pings:
		case <-time.After(30 * time.Second):
			t.Fatal("no ping")
		}
	}
	s.RequestDisconnect()
	if m := <-msgs; m["type"] != "disconnect" || m["reason"] != "refresh_requested" {
		t.Errorf("disconnect message: %v", m)
	}
	s.DropSockets()
	if _, ok := <-msgs; ok {
		t.Error("connection still open after DropSockets")
	}
	deadline := time.Now().Add(30 * time.Second)
	for s.SocketConnected() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if s.SocketConnected() {
		t.Error("dropped connection still counted")
	}
}
