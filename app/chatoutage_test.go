package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
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
	slackAPI := newSlack(t, "C0123456789")
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
		v, feed := newVendor(t, 0)
		pages = append(pages, v)
		text += fmt.Sprintf("[[target]]\nname = \"Vendor %d\"\ntype = \"statuspage\"\nurl = %q\n", i+1, feed)
	}
	cfg := parseConfig(t, text)
	// A fake clock: retries wait a minute, so a pass over the outbox ends
	// while Slack is still failing, and the test moves time on.
	clk := &testClock{t: time.Now()}
	a := newApp(t, cfg, app.Options{Now: clk.Now, ChatLimit: limit, ChatBurst: burst,
		Dispatch: notifier.Options{BaseBackoff: time.Minute, MaxBackoff: time.Minute, Idle: 50 * time.Millisecond}})
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

	failed := len(slackAPI.Calls(""))
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
	var posts, edits int
	var drain []fakeslack.Call
	for _, c := range slackAPI.Calls("")[failed:] {
		switch c.Method {
		case "chat.postMessage":
			posts++
		case "chat.update":
			edits++
		default:
			continue // look-ups count against other limits
		}
		drain = append(drain, c)
	}
	if posts != 9 || edits != 6 {
		t.Fatalf("%d posts and %d root edits after Slack came back, want 9 and 6", posts, edits)
	}
	withinRate(t, drain, limit, burst)
}

// withinRate checks the calls against what the channel's limiter promises:
// in any stretch of time, at most burst calls plus limit per second of its
// length. It needs no assumption about how fast anything runs, only the
// fake's arrival times: calls to one channel are made one at a time, so a
// call that arrived after call i was let go by the limiter after call i
// arrived, and before it arrived itself. The calls after call i up to call
// j were therefore let go within (At[i], At[j]].
func withinRate(t *testing.T, calls []fakeslack.Call, limit float64, burst int) {
	t.Helper()
	for i := range calls {
		for j := i + 1; j < len(calls); j++ {
			span := calls[j].At.Sub(calls[i].At)
			if after, allowed := j-i, float64(burst)+limit*span.Seconds(); float64(after) > allowed+1e-9 {
				t.Errorf("%d calls let go within %s (after call %d, up to call %d), the limiter allows %.2f (%.0f/s, burst %d)",
					after, span.Round(time.Microsecond), i+1, j+1, allowed, limit, burst)
				return
			}
		}
	}
}
