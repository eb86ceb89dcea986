package slack

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// Socket Mode as Slack drives it: every envelope is acked, whatever its
// type and whether or not slack-go can parse its payload (unacked, Slack
// delivers it again); a redelivered event is handled once; a click from a
// root is answered at its response_url; a slash command is answered in
// its ack; and the client reconnects whatever the disconnect's reason.
func TestRealSocketMode(t *testing.T) {
	logs := &syncBuffer{}
	c, _ := realChatops(t, logs)
	c.fake.RequireAppToken(appToken)
	patient(c.fake)
	home := &homeRecorder{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- RunSocketMode(ctx, SocketOptions{
			AppToken: appToken, BotToken: botToken, APIURL: c.fake.URL(), Commands: c.cmds, Actor: c.cmds, Admins: c.admin,
			HTTPClient: hooksToFake(c.fake), Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			HomeOpened: home.opened,
		})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunSocketMode: %v", err)
		}
	}()
	send := func(t *testing.T, typ, path string) json.RawMessage {
		t.Helper()
		ack, err := c.fake.SendEnvelope(typ, json.RawMessage(fixture(t, path)))
		if err != nil {
			t.Fatalf("%s %s: %v", typ, path, err)
		}
		return ack
	}

	t.Run("events", func(t *testing.T) {
		for _, path := range []string{"events/scope_granted.json", "events/app_rate_limited.json", "events/user_change.json", "events/team_join.json", "events/app_mention.json", "events/app_home_opened_messages.json", "events/app_home_opened_home.json"} {
			if ack := send(t, "events_api", path); len(ack) != 0 {
				t.Errorf("%s: ack payload %s", path, ack)
			}
		}
		if _, err := c.fake.SendEnvelopeRetry("events_api", json.RawMessage(fixture(t, "events/app_home_opened_home.json")), 1, "timeout"); err != nil {
			t.Fatalf("redelivery: %v", err)
		}
		if got := home.get(); len(got) != 1 || got[0] != fixtureAdmin {
			t.Errorf("home opened for %q, want %s once", got, fixtureAdmin)
		}
	})

	t.Run("interactions", func(t *testing.T) {
		for _, name := range []string{"view_submission", "view_closed", "shortcut", "message_action", "block_suggestion"} {
			if ack := send(t, "interactive", "payloads/"+name+".json"); len(ack) != 0 {
				t.Errorf("%s: ack payload %s", name, ack)
			}
		}
		if ack := send(t, "interactive", "payloads/block_actions_root.json"); len(ack) != 0 {
			t.Errorf("click: ack payload %s", ack)
		}
		got := c.fake.WaitResponses(1, 30*time.Second)
		if len(got) != 1 || !strings.Contains(got[0].Text, "Acknowledged by <@"+fixtureAdmin+">") {
			t.Fatalf("answers at the response_url: %+v", got)
		}
		if a, ok, _ := c.st.Acknowledgement(context.Background(), "o2"); !ok || a.UserID != fixtureAdmin {
			t.Errorf("stored ack %+v", a)
		}
	})

	t.Run("disconnects", func(t *testing.T) {
		for _, reason := range []string{"warning", "refresh_requested", "link_disabled"} {
			opened := c.fake.SocketsOpened()
			c.fake.Disconnect(reason)
			if err := c.fake.WaitSocket(opened+1, 30*time.Second); err != nil {
				t.Fatalf("after disconnect (%s): %v", reason, err)
			}
			ack := send(t, "slash_commands", "socket/slash_commands.json")
			var r slack.Msg
			if err := json.Unmarshal(ack, &r); err != nil || r.ResponseType != "ephemeral" || !strings.Contains(r.Text, "OpenAI") {
				t.Errorf("after disconnect (%s): ack %s (%v)", reason, ack, err)
			}
		}
	})

	if l := logs.String(); strings.Contains(l, "level=ERROR") {
		t.Errorf("errors logged:\n%s", l)
	}
}
