package app_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/config"
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
	form := url.Values{"command": {"/status"}, "text": {text}, "user_id": {user}, "channel_id": {channel}, "team_id": {"T1"},
		"trigger_id": {strconv.FormatInt(triggers.Add(1), 10)}}.Encode()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(subSecret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, form)
	req, _ := http.NewRequest("POST", "http://"+addr+"/slack/commands", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%q: status %d: %s", text, resp.StatusCode, b)
	}
	return string(b)
}

// subBot is one replica of the bot in these tests.
type subBot struct {
	a    *app.App
	stop func()
}

func startSubBot(t *testing.T, state, slackURL, githubURL, internalURL string) *subBot {
	t.Helper()
	text := fmt.Sprintf(`
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
`, state, subSecret, slackURL, admin, subOpsChannel, internalURL)
	cfg, err := config.Parse("test.toml", []byte(text), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, app.Options{
		Dispatch:         fastRetries,
		LeaseTTL:         600 * time.Millisecond,
		CatalogURLs:      map[string]string{"github": githubURL},
		RuntimeInterval:  200 * time.Millisecond,
		SubscriptionSync: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	b := &subBot{a: a}
	stopped := false
	b.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}
	t.Cleanup(b.stop)
	return b
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
	github := &vendorPage{}
	gh := httptest.NewServer(github)
	defer gh.Close()
	internal := httptest.NewServer(&vendorPage{})
	defer internal.Close()
	slackAPI := fakeslack.New()
	defer slackAPI.Close()
	slackAPI.AddChannel(subChannel, subOpsChannel)

	first := startSubBot(t, state, slackAPI.URL(), gh.URL, internal.URL)
	waitFor(t, "the first bot to lead", func() bool { return first.a.Role() == app.RoleLeader })
	var standby *subBot
	if failover {
		standby = startSubBot(t, state, slackAPI.URL(), gh.URL, internal.URL)
		waitFor(t, "the second bot to stand by", func() bool { return standby.a.Role() == app.RoleStandby })
	}
	addr := first.a.Addr()

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
		next = startSubBot(t, state, slackAPI.URL(), gh.URL, internal.URL)
	}
	waitFor(t, "the next bot to lead", func() bool { return next.a.Role() == app.RoleLeader })
	if !polled(next.a, "GitHub") {
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
	addr = next.a.Addr()
	if got := subSlash(t, addr, admin, subChannel, "subscribe github"); !strings.Contains(got, "already follows GitHub") {
		t.Errorf("after the restart, subscribe answered %s", got)
	}

	got = subSlash(t, addr, admin, subChannel, "unsubscribe github")
	if !strings.Contains(got, "no longer follows GitHub") || !strings.Contains(got, "I stop watching it") {
		t.Errorf("unsubscribe answered %s", got)
	}
	waitFor(t, "GitHub to be no longer polled", func() bool { return !polled(next.a, "GitHub") })
	github.phase.Store(3)
	polls := github.polls.Load()
	next.a.Drain(context.Background())
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
