package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/internal/fakeslack"
	"github.com/outagebot/outagebot/internal/pgtest"
)

const (
	subSecret     = "sub-signing-secret"
	subChannel    = "C0SUB00001"
	subOpsChannel = "C0OPS00001"
	admin         = "UADMIN"
)

var triggers atomic.Int64

// subSlash sends a signed /status command typed by user in channel.
func subSlash(t *testing.T, addr, user, channel, text string) string {
	t.Helper()
	// A trigger id of its own: the same command sent twice within a second
	// is otherwise the same signed request, refused as a replay.
	form := slashForm(user, channel, text)
	form.Set("trigger_id", strconv.FormatInt(triggers.Add(1), 10))
	code, body := postSlack(t, "http://"+addr, "/slack/commands", subSecret, formType, form.Encode())
	if code != 200 {
		t.Fatalf("%q: status %d: %s", text, code, body)
	}
	return body
}

// startSubBot runs one replica of the bot in these tests.
func startSubBot(t *testing.T, state, slackURL, githubURL, internalURL string) *runningBot {
	t.Helper()
	cfg := parseConfig(t, fmt.Sprintf(`
[bot]
state = %q
listen = "127.0.0.1:0"
[slack]
bot_token = "xoxb-test"
signing_secret = %q
api_url = %q
admins = [%q]
[[channel]]
name = "ops"
slack = %q
[[target]]
name = "Internal"
type = "statuspage"
url = %q
interval = "1s"
timeout = "1s"
`, state, subSecret, slackURL, admin, subOpsChannel, internalURL))
	return startWith(t, cfg, app.Options{
		Dispatch:         fastRetries,
		LeaseTTL:         600 * time.Millisecond,
		CatalogURLs:      map[string]string{"github": githubURL},
		RuntimeInterval:  200 * time.Millisecond,
		SubscriptionSync: 100 * time.Millisecond,
	}, nil)
}

// roots are the outage messages (not command announcements) in a channel.
func roots(s *fakeslack.Server, channel string) []fakeslack.Message {
	var out []fakeslack.Message
	for _, m := range s.Messages(channel) {
		if m.Metadata != nil {
			out = append(out, m)
		}
	}
	return out
}

func polled(a *app.App, name string) bool {
	for _, j := range a.Runner().Jobs() {
		if j.Name == name {
			return true
		}
	}
	return false
}

// A channel subscribes to a catalog vendor the configuration does not
// list; the bot watches it and posts its outage there (only there); the
// subscription survives a restart (SQLite) or a failover (PostgreSQL)
// with nothing announced twice; unsubscribing stops the watching.
func TestSubscribeToCatalogVendorFromChat(t *testing.T) {
	t.Run("sqlite restart", func(t *testing.T) {
		subscribeLifecycle(t, filepath.Join(t.TempDir(), "state.db"), false)
	})
	t.Run("postgres failover", func(t *testing.T) {
		subscribeLifecycle(t, pgtest.URL(t, "the subscription failover test"), true)
	})
}

func subscribeLifecycle(t *testing.T, state string, failover bool) {
	github, gh := newVendor(t, 0)
	_, internal := newVendor(t, 0)
	slackAPI := newSlack(t, subChannel, subOpsChannel)

	first := startSubBot(t, state, slackAPI.URL(), gh, internal)
	waitFor(t, "the first bot to lead", func() bool { return first.app.Role() == app.RoleLeader })
	var standby *runningBot
	if failover {
		standby = startSubBot(t, state, slackAPI.URL(), gh, internal)
		waitFor(t, "the second bot to stand by", func() bool { return standby.app.Role() == app.RoleStandby })
	}
	addr := first.app.Addr()

	// Bad input and the role first: nothing is stored.
	for _, tc := range []struct{ user, text, want string }{
		{"U2", "subscribe github", "Sorry, you cannot subscribe here"},
		{"U2", "unsubscribe github", "Sorry, you cannot unsubscribe here"},
		{admin, "subscribe githib", "Did you mean github"},
		{admin, "subscribe github critical", "I don't know the severity \\\"critical\\\"\\n\\nGive one of degraded, partial_outage, major_outage"},
		{admin, "subscribe", "Usage: `subscribe"},
	} {
		if got := subSlash(t, addr, tc.user, subChannel, tc.text); !strings.Contains(got, tc.want) {
			t.Errorf("%s %q answered %s, want %q", tc.user, tc.text, got, tc.want)
		}
	}
	if got := subSlash(t, addr, "U2", subChannel, "subscriptions"); !strings.Contains(got, "follows nothing") {
		t.Errorf("subscriptions before any: %s", got)
	}

	got := subSlash(t, addr, admin, subChannel, "subscribe github")
	if !strings.Contains(got, "now follows GitHub") || !strings.Contains(got, "not in the configuration") {
		t.Fatalf("subscribe answered %s", got)
	}
	if got := subSlash(t, addr, admin, subChannel, "subscribe GitHub"); !strings.Contains(got, "already follows GitHub") {
		t.Errorf("second subscribe answered %s", got)
	}
	waitFor(t, "GitHub to be polled", func() bool { return github.polls.Load() >= 2 })

	github.phase.Store(1)
	waitFor(t, "the GitHub outage in the subscribed channel", func() bool { return len(roots(slackAPI, subChannel)) == 1 })
	if n := len(roots(slackAPI, subOpsChannel)); n != 0 {
		t.Errorf("the configured channel got %d outage messages of a vendor only a subscription follows", n)
	}
	list := subSlash(t, addr, "U2", subChannel, "subscriptions")
	if !strings.Contains(list, "From chat") || !strings.Contains(list, "vendor GitHub") || !strings.Contains(list, "by \\u003c@UADMIN\\u003e") && !strings.Contains(list, "by <@UADMIN>") {
		t.Errorf("subscriptions answered %s", list)
	}
	if ops := subSlash(t, addr, "U2", subOpsChannel, "subscriptions"); !strings.Contains(ops, "From the configuration") || !strings.Contains(ops, "target Internal") {
		t.Errorf("subscriptions of the configured channel: %s", ops)
	}

	// Restart, or the leader stops and the standby takes over.
	first.stop()
	next := standby
	if !failover {
		next = startSubBot(t, state, slackAPI.URL(), gh, internal)
	}
	waitFor(t, "the next bot to lead", func() bool { return next.app.Role() == app.RoleLeader })
	if !polled(next.app, "GitHub") {
		t.Fatal("the runtime target is not polled after the restart")
	}
	before := github.polls.Load()
	waitFor(t, "GitHub to be polled again", func() bool { return github.polls.Load() >= before+3 })
	github.phase.Store(2)
	waitFor(t, "the update in the thread", func() bool {
		r := roots(slackAPI, subChannel)
		return len(r) == 1 && len(r[0].Replies) == 1
	})
	if r := roots(slackAPI, subChannel); len(r) != 1 {
		t.Fatalf("%d roots after the restart, want 1 (nothing announced again)", len(r))
	}
	addr = next.app.Addr()
	if got := subSlash(t, addr, admin, subChannel, "subscribe github"); !strings.Contains(got, "already follows GitHub") {
		t.Errorf("after the restart, subscribe answered %s", got)
	}

	got = subSlash(t, addr, admin, subChannel, "unsubscribe github")
	if !strings.Contains(got, "no longer follows GitHub") || !strings.Contains(got, "I stop watching it") {
		t.Errorf("unsubscribe answered %s", got)
	}
	waitFor(t, "GitHub to be no longer polled", func() bool { return !polled(next.app, "GitHub") })
	github.phase.Store(3)
	polls := github.polls.Load()
	next.app.Drain(context.Background())
	if r := roots(slackAPI, subChannel); len(r) != 1 || len(r[0].Replies) != 1 {
		t.Errorf("after unsubscribing: %d roots, replies %v", len(r), r)
	}
	if got := subSlash(t, addr, admin, subChannel, "unsubscribe github"); !strings.Contains(got, "does not follow GitHub") {
		t.Errorf("second unsubscribe answered %s", got)
	}
	next.stop()
	if github.polls.Load() > polls+1 {
		t.Errorf("GitHub polled %d times after it was unsubscribed", github.polls.Load()-polls)
	}
}
