package app_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/internal/fakeslack"
	"github.com/outagebot/outagebot/notifier"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Slack is down (HTTP 500 on every call) while three vendors each go
// through a whole outage. The outbox holds everything; once Slack is back,
// every message is delivered exactly once, each thread in order, and the
// backlog drains within the channel's rate limit (shortened here from
// Slack's 1 a second, burst 3, to keep the test short).
func TestChatOutageLosesNothing(t *testing.T) {
	const (
		limit = 4
		burst = 2
	)
	slackAPI := fakeslack.New()
	defer slackAPI.Close()
	slackAPI.AddChannel("C0123456789")
	var pages []*vendorPage
	text := fmt.Sprintf(`
[bot]
state = %q
listen = ""
[slack]
bot_token = "xoxb-test"
api_url = %q
[[channel]]
name = "ops"
slack = "C0123456789"
`, filepath.Join(t.TempDir(), "state.db"), slackAPI.URL())
	for i := range 3 {
		v := &vendorPage{}
		srv := httptest.NewServer(v)
		defer srv.Close()
		pages = append(pages, v)
		text += fmt.Sprintf("[[target]]\nname = \"Vendor %d\"\ntype = \"statuspage\"\nurl = %q\n", i+1, srv.URL)
	}
	cfg, err := config.Parse("test.toml", []byte(text), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	// A fake clock: retries wait a minute, so a pass over the outbox ends
	// while Slack is still failing, and the test moves time on.
	clk := &testClock{t: time.Now()}
	a, err := app.New(context.Background(), cfg, app.Options{Now: clk.Now, ChatLimit: limit, ChatBurst: burst,
		Dispatch: notifier.Options{BaseBackoff: time.Minute, MaxBackoff: time.Minute, Idle: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()

	slackAPI.Inject("*", -1, fakeslack.Fault{Status: 500})
	for phase := range phases {
		for i, v := range pages {
			v.phase.Store(int32(phase))
			a.Runner().Poll(ctx, a.Runner().Jobs()[i])
		}
		clk.Advance(2 * time.Minute)
		a.Drain(ctx) // every attempt fails; nothing may be lost or posted
	}
	if got := len(slackAPI.Messages("C0123456789")); got != 0 {
		t.Fatalf("%d messages posted while Slack was failing", got)
	}
	if n, _ := a.Store().OutboxDepth(ctx); n != 9 {
		t.Fatalf("outbox holds %d deliveries, want all 9 (3 outages × opened, updated, resolved)", n)
	}

	failed := len(slackAPI.Calls("chat.postMessage"))
	slackAPI.ClearFaults()
	for range 5 { // each pass delivers the head of every thread
		clk.Advance(2 * time.Minute)
		a.Drain(ctx)
	}
	if n, _ := a.Store().OutboxDepth(ctx); n != 0 {
		t.Fatalf("%d deliveries still queued after Slack came back", n)
	}
	msgs := slackAPI.Messages("C0123456789")
	if len(msgs) != 3 {
		t.Fatalf("want 3 roots, got %d", len(msgs))
	}
	for _, m := range msgs {
		if len(m.Replies) != 2 || !strings.Contains(m.Replies[0].Text, "identified") || !strings.Contains(m.Replies[1].Text, "1h 12m") {
			var replies []string
			for _, r := range m.Replies {
				replies = append(replies, r.Text)
			}
			t.Errorf("thread %q: replies %q, want the update then the restoration", m.Text, replies)
		}
	}
	drain := slackAPI.Calls("chat.postMessage")[failed:]
	if len(drain) != 9 {
		t.Fatalf("%d posts after Slack came back, want 9", len(drain))
	}
	withinRate(t, drain, limit, burst)
}

// withinRate checks that no stretch of calls holds more than burst plus what
// limit allows over its length. The server sees a call a little after the
// limiter let it go; slack covers that delay at the start of a stretch
// (which would otherwise make it look shorter than it was).
func withinRate(t *testing.T, calls []fakeslack.Call, limit float64, burst int) {
	t.Helper()
	const slack = 100 * time.Millisecond
	for i := range calls {
		for j := i + 1; j < len(calls); j++ {
			span := calls[j].At.Sub(calls[i].At)
			if n, allowed := j-i+1, burst+int(limit*(span+slack).Seconds()); n > allowed {
				t.Errorf("%d posts within %s (calls %d to %d), the limit allows %d (%.0f/s, burst %d)", n, span.Round(time.Millisecond), i+1, j+1, allowed, limit, burst)
				return
			}
		}
	}
}
