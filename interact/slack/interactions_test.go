package slack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/internal/fakeslack"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// chatops is an interactions endpoint over a real store holding one open
// outage (o2, OpenAI) posted to ops/slack, with admins: the user group
// S0ONCALL (alice) and the user U0BOB.
type chatops struct {
	fake  *fakeslack.Server
	st    *store.Store
	h     http.Handler
	cmds  *bot.Commands
	admin *Admins
}

func newChatops(t *testing.T) *chatops {
	t.Helper()
	fake := fakeslack.New()
	t.Cleanup(fake.Close)
	fake.SetUserGroup("S0ONCALL", "U0ALICE")
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	o := outage.Outage{ID: "o2", Target: "OpenAI", Key: "incident:1", Class: outage.Incident, Title: "Elevated errors on API",
		Severity: sources.PartialOutage, OpenedAt: now.Add(-12 * time.Minute)}
	ev := o.Event(outage.Opened, o.OpenedAt, "Investigating.")
	if _, err := st.Commit(context.Background(), store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o}, Events: []outage.Event{ev}, Dests: []string{"ops/slack"}, At: o.OpenedAt}); err != nil {
		t.Fatal(err)
	}
	cmds := newCommands()
	cmds.Acks = st
	cmds.Report = func(_ context.Context, id string, _ bool) (bot.Answer, error) {
		return bot.Answer{Title: "Report of " + id}, nil
	}
	admins := NewAdmins([]string{"S0ONCALL", "U0BOB"}, GroupsOf(slack.New("xoxb-test", slack.OptionAPIURL(fake.URL()))), time.Hour, func() time.Time { return now })
	h := NewInteractionHandler(HandlerOptions{SigningSecret: secret, Now: func() time.Time { return now }, Admins: admins, APIURL: fake.URL()}, cmds)
	return &chatops{fake: fake, st: st, h: h, cmds: cmds, admin: admins}
}

// click posts a signed click and returns the answer posted to the
// response_url.
func (c *chatops) click(t *testing.T, user, actionID string) fakeslack.Response {
	t.Helper()
	before := len(c.fake.Responses())
	payload := c.fake.Payload(fakeslack.BlockAction{UserID: user, UserName: strings.ToLower(strings.TrimPrefix(user, "U0")), ChannelID: "C0OPS", MessageTS: "1700000000.000100", ActionID: actionID, Value: "o2"})
	req := fakeslack.SignedInteraction("/slack/interactions", secret, now, payload)
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, req)
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("click answered %d %q, want 200 and no body", w.Code, w.Body)
	}
	c.h.(*handler).respond.wait()
	got := c.fake.Responses()
	if len(got) != before+1 {
		t.Fatalf("%d answers posted to the response_url, want 1", len(got)-before)
	}
	return got[before]
}

func TestButtonsRoundTrip(t *testing.T) {
	c := newChatops(t)
	steps := []struct {
		name, user, action string
		wantType           string
		want               []string
	}{
		{"a member of the admin group acknowledges", "U0ALICE", "outagebot:ack:o2", "ephemeral", []string{"You acknowledged it", "Acknowledged by <@U0ALICE> at 14:00 UTC"}},
		{"a second admin is told who came first", "U0BOB", "outagebot:ack:o2", "ephemeral", []string{"Already acknowledged", "<@U0ALICE>"}},
		{"someone without the role cannot acknowledge", "U0EVE", "outagebot:ack:o2", "ephemeral", []string{"Sorry, you cannot acknowledge here", "Only members of <!subteam^S0ONCALL> or <@U0BOB> can acknowledge."}},
		{"someone without the role cannot mute", "U0EVE", "outagebot:mute:o2", "ephemeral", []string{"Only members of <!subteam^S0ONCALL> or <@U0BOB> can mute."}},
		{"an admin mutes for an hour, announced", "U0BOB", "outagebot:mute:o2", "in_channel", []string{"<@U0BOB> muted OpenAI for 1h"}},
		{"anyone may see the report", "U0EVE", "outagebot:report:o2", "ephemeral", []string{"Report of o2"}},
		{"an unknown action", "U0BOB", "outagebot:delete:o2", "ephemeral", []string{"That button is not one I know"}},
		{"a forged outage id", "U0BOB", "outagebot:ack:nope", "ephemeral", []string{"I do not know that outage"}},
		{"not our button at all", "U0BOB", "something-else", "ephemeral", []string{"That button is not one I know"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			r := c.click(t, s.user, s.action)
			if r.ResponseType != s.wantType || r.ReplaceOriginal {
				t.Errorf("response_type %q replace_original %v, want %q and false", r.ResponseType, r.ReplaceOriginal, s.wantType)
			}
			for _, w := range s.want {
				if !strings.Contains(r.Text, w) {
					t.Errorf("answer %q lacks %q", r.Text, w)
				}
			}
		})
	}
	// Two admins clicked Acknowledge: one acknowledgement, one event.
	ack, ok, err := c.st.Acknowledgement(context.Background(), "o2")
	if err != nil || !ok || ack.UserID != "U0ALICE" || ack.Platform != "slack" || ack.Name != "alice" {
		t.Fatalf("stored ack %+v %v %v", ack, ok, err)
	}
	if n, _ := c.st.OutboxDepth(context.Background()); n != 2 {
		t.Errorf("outbox depth %d, want the opened event and one acknowledgement", n)
	}
	if calls := c.fake.Calls("usergroups.users.list"); len(calls) != 1 {
		t.Errorf("usergroups.users.list called %d times, want once (then cached)", len(calls))
	}
}

// A click is checked exactly like a slash command: unsigned, forged, old
// or replayed requests are 401 and change nothing.
func TestInteractionRefused(t *testing.T) {
	c := newChatops(t)
	payload := c.fake.Payload(fakeslack.BlockAction{UserID: "U0BOB", ActionID: "outagebot:ack:o2", Value: "o2"})
	replayed := fakeslack.SignedInteraction("/slack/interactions", secret, now, payload)
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, replayed)
	if w.Code != http.StatusOK {
		t.Fatalf("first click: %d", w.Code)
	}
	c.h.(*handler).respond.wait()
	for name, req := range map[string]*http.Request{
		"unsigned": func() *http.Request {
			r := fakeslack.SignedInteraction("/slack/interactions", secret, now, payload)
			r.Header.Del("X-Slack-Signature")
			return r
		}(),
		"forged":   fakeslack.SignedInteraction("/slack/interactions", "not-the-secret", now, payload),
		"old":      fakeslack.SignedInteraction("/slack/interactions", secret, now.Add(-6*time.Minute), payload),
		"replayed": fakeslack.SignedInteraction("/slack/interactions", secret, now, payload),
	} {
		t.Run(name, func(t *testing.T) {
			w := httptest.NewRecorder()
			c.h.ServeHTTP(w, req)
			if w.Code != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", w.Code)
			}
		})
	}
	if got := len(c.fake.Responses()); got != 1 {
		t.Errorf("%d answers posted, want only the first click's", got)
	}
}

// A response_url off Slack's hosts is never posted to.
func TestResponseURLOnlyToSlack(t *testing.T) {
	r := newResponder("http://127.0.0.1:8999/api/", nil, nil)
	for raw, want := range map[string]bool{
		"https://hooks.slack.com/actions/T/1/x": true,
		"http://hooks.slack.com/actions/T/1/x":  false,
		"https://evil.example/actions":          false,
		"http://127.0.0.1:8999/actions/respond": true,
		"http://127.0.0.1:9000/actions/respond": false,
		"https://user@hooks.slack.com/x":        false,
	} {
		if got := r.allowed(raw); got != want {
			t.Errorf("allowed(%q) = %v, want %v", raw, got, want)
		}
	}
}

// The slash command mute is refused the same way, and read-only commands
// stay open to everyone.
func TestSlashCommandNeedsRole(t *testing.T) {
	c := newChatops(t)
	h := NewHandler(HandlerOptions{SigningSecret: secret, Commands: c.cmds, Now: func() time.Time { return now }, Admins: c.admin})
	for _, tc := range []struct{ text, want string }{
		{"mute OpenAI 2h", "Only members of <!subteam^S0ONCALL> or <@U0BOB> can mute."},
		{"unmute OpenAI", "can unmute"},
		{"status", "OpenAI"},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signed(form(tc.text), now))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), tc.want) {
			t.Errorf("%s: %d %s, want %q", tc.text, w.Code, w.Body, tc.want)
		}
	}
}
