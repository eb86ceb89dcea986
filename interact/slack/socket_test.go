package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/internal/fakeslack"
)

const (
	appToken = "xapp-1-A0FAKE-1234-s3cr3tapptoken"
	botToken = "xoxb-1234-s3cr3tbottoken"
)

// syncBuffer is a log sink safe for the goroutines that write to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// patient makes s wait long for a client to connect and to ack: on a
// loaded machine slack-go may take seconds to connect, or to reconnect
// after backing off, and a working client costs no wait at all.
func patient(s *fakeslack.Server) {
	s.SetConnectWait(30 * time.Second)
	s.SetAckTimeout(30 * time.Second)
}

// runSocket runs RunSocketMode against s until the test ends; the returned
// channel yields its result.
func runSocket(t *testing.T, s *fakeslack.Server, c Answerer, logs *syncBuffer) (stop func(), result <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- RunSocketMode(ctx, SocketOptions{
			AppToken: appToken, BotToken: botToken, APIURL: s.URL(), Commands: c,
			HTTPClient: s.Client(), Log: slog.New(slog.NewTextHandler(logs, nil)),
		})
	}()
	stop = func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("RunSocketMode: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("RunSocketMode did not return after cancel")
		}
	}
	return stop, done
}

// slashFields are a slash command's fields as Socket Mode carries them.
func slashFields(text string) map[string]string {
	return map[string]string{
		"token": "deprecated", "team_id": "T0001", "team_domain": "example", "channel_id": "C2147483705",
		"channel_name": "ops", "user_id": "U2147483697", "user_name": "steve", "command": "/outagebot",
		"text": text, "api_app_id": "A0FAKE", "is_enterprise_install": "false",
		"response_url": "https://hooks.slack.com/commands/1234/5678", "trigger_id": "13345224609.738474920.8088930838d88f008e0",
	}
}

func TestSocketModeAnswersSlashCommands(t *testing.T) {
	s := fakeslack.New()
	defer s.Close()
	patient(s)
	s.RequireAppToken(appToken)
	logs := &syncBuffer{}
	c := newCommands()
	stop, _ := runSocket(t, s, c, logs)
	defer stop()

	tests := []struct {
		text string
		// want is the answer the HTTP handler gives (a fresh command
		// logic, so a mute is not already in place).
		public bool
	}{
		{"openai", false},
		{"opnai", false},
		{"uptime github 7d", false},
		{"help", false},
		{"mute github 2h deploy", true},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			ack, err := s.SendSlashCommand(slashFields(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			// The ack carries exactly what the HTTP handler answers.
			h := NewHandler(HandlerOptions{SigningSecret: secret, Commands: newCommands(), Now: func() time.Time { return now }})
			want := serve(h, signed(form(tt.text), now)).Body.Bytes()
			if !jsonEqual(t, ack, want) {
				t.Errorf("ack payload:\n%s\nHTTP answer:\n%s", ack, want)
			}
			if got := decode(t, ack).ResponseType == "in_channel"; got != tt.public {
				t.Errorf("in_channel = %v, want %v", got, tt.public)
			}
		})
	}
	if _, ok := c.Mutes.Muted("GitHub", now); !ok {
		t.Error("the mute over Socket Mode did not take effect")
	}
	if acks := s.Acks(); len(acks) != len(tests) {
		t.Errorf("%d acks, want %d", len(acks), len(tests))
	}
	if calls := s.Calls("apps.connections.open"); len(calls) != 1 || !calls[0].AuthHeader {
		t.Errorf("apps.connections.open calls: %+v", calls)
	}
	if l := logs.String(); strings.Contains(l, appToken) || strings.Contains(l, botToken) || !strings.Contains(l, "connected to Slack Socket Mode") {
		t.Errorf("logs:\n%s", l)
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

func TestSocketModeReconnects(t *testing.T) {
	s := fakeslack.New()
	defer s.Close()
	patient(s)
	stop, _ := runSocket(t, s, newCommands(), &syncBuffer{})
	defer stop()

	if _, err := s.SendSlashCommand(slashFields("status")); err != nil {
		t.Fatal(err)
	}
	// Slack asks for a new connection (it does every few hours).
	s.RequestDisconnect()
	if err := s.WaitSocket(2, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendSlashCommand(slashFields("status")); err != nil {
		t.Fatalf("after disconnect: %v", err)
	}
	// The connection drops without a word.
	s.DropSockets()
	if err := s.WaitSocket(3, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	ack, err := s.SendSlashCommand(slashFields("openai"))
	if err != nil {
		t.Fatalf("after a dropped connection: %v", err)
	}
	if !strings.Contains(string(ack), "OpenAI: partial outage") {
		t.Errorf("ack: %s", ack)
	}
}

func TestSocketModeAcksOtherEnvelopes(t *testing.T) {
	s := fakeslack.New()
	defer s.Close()
	patient(s)
	stop, _ := runSocket(t, s, newCommands(), &syncBuffer{})
	defer stop()
	for _, typ := range []string{"interactive", "events_api"} {
		payload := map[string]any{"type": "block_actions"}
		if typ == "events_api" {
			payload = map[string]any{"type": "event_callback", "event": map[string]any{"type": "app_mention", "text": "hi"}}
		}
		if ack, err := s.SendEnvelope(typ, payload); err != nil || len(ack) != 0 {
			t.Errorf("%s: ack %s, %v", typ, ack, err)
		}
	}
}

func TestSocketModeFitsLargeAnswers(t *testing.T) {
	s := fakeslack.New()
	defer s.Close()
	patient(s)
	big := bot.Answer{Title: "Status of 1000 targets", Sections: []bot.Section{{Heading: "Operational", Lines: lines(1000, "🟢 *Target %04d*: operational")}}}
	stop, _ := runSocket(t, s, &recorder{answer: big}, &syncBuffer{})
	defer stop()
	ack, err := s.SendSlashCommand(slashFields("status"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ack) >= maxSocketAck || !strings.Contains(string(ack), "shortened") {
		t.Errorf("ack of %d bytes", len(ack))
	}
}

func TestSocketModeRefusedToken(t *testing.T) {
	s := fakeslack.New()
	defer s.Close()
	patient(s)
	s.RequireAppToken("xapp-another")
	logs := &syncBuffer{}
	_, result := runSocket(t, s, newCommands(), logs)
	select {
	case err := <-result:
		if err == nil || !strings.Contains(err.Error(), "invalid_auth") {
			t.Errorf("err = %v, want invalid_auth", err)
		}
		if strings.Contains(err.Error()+logs.String(), appToken) || strings.Contains(err.Error()+logs.String(), botToken) {
			t.Errorf("a token leaked: %v\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("RunSocketMode kept running with a refused token")
	}
}

func TestSocketModeNeedsAppToken(t *testing.T) {
	if err := RunSocketMode(context.Background(), SocketOptions{Commands: newCommands()}); err == nil {
		t.Error("ran without an app token")
	}
}

func TestSocketModeRetriesFailedOpen(t *testing.T) {
	s := fakeslack.New()
	defer s.Close()
	patient(s)
	s.FailNext("apps.connections.open", 2)
	logs := &syncBuffer{}
	stop, _ := runSocket(t, s, newCommands(), logs)
	defer stop()
	if _, err := s.SendSlashCommand(slashFields("help")); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Calls("apps.connections.open")); n != 3 {
		t.Errorf("%d calls of apps.connections.open, want 3", n)
	}
	if !strings.Contains(logs.String(), "cannot connect to Slack Socket Mode; retrying") {
		t.Errorf("logs:\n%s", logs.String())
	}
}
