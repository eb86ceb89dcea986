package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/internal/fakeslack"
)

// slackApp builds an app (not started: the test polls and drains it) for
// one vendor page and a fake Slack with the given channels. body is the
// configuration after [bot] and [slack], with %[1]q for the page's URL.
func slackApp(t *testing.T, body string, channels ...string) (*app.App, *fakeslack.Server, *vendorPage) {
	t.Helper()
	v, feed := newVendor(t, 0)
	slackAPI := newSlack(t, channels...)
	text := fmt.Sprintf(`
[bot]
state = %q
listen = ""
[slack]
bot_token = "xoxb-test"
api_url = %q
`, filepath.Join(t.TempDir(), "state.db"), slackAPI.URL()) + fmt.Sprintf(body, feed)
	cfg := parseConfig(t, text)
	a := newApp(t, cfg, app.Options{Dispatch: fastRetries})
	return a, slackAPI, v
}

// #ai hears everything about OpenAI; #ops only what is at least a partial
// outage, and then the rest of that thread, restoration included.
func TestRoutesBySeverity(t *testing.T) {
	a, slackAPI, v := slackApp(t, `
[[channel]]
name = "ai"
slack = "C00000000A1"
[[channel]]
name = "ops"
slack = "C00000000B2"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %[1]q
group = "ai"
[[route]]
groups = ["ai"]
channels = ["ai"]
[[route]]
channels = ["ops"]
min_severity = "partial_outage"
`, "C00000000A1", "C00000000B2")
	ctx := context.Background()
	for phase := range phases { // operational, degraded, partial outage, resolved
		v.phase.Store(int32(phase))
		a.Runner().Poll(ctx, a.Runner().Jobs()[0])
		a.Drain(ctx)
	}

	count := func(ch string) (roots, replies int, text string) {
		for _, m := range slackAPI.Messages(ch) {
			roots++
			replies += len(m.Replies)
			text += m.Text
			for _, r := range m.Replies {
				text += " | " + r.Text
			}
		}
		return
	}
	if roots, replies, _ := count("C00000000A1"); roots != 1 || replies != 2 {
		t.Errorf("#ai: %d roots, %d replies; want the whole thread (1 root, 2 replies)", roots, replies)
	}
	roots, replies, got := count("C00000000B2")
	if roots != 1 || replies != 1 || !strings.Contains(got, "1h 12m") {
		t.Errorf("#ops: %d roots, %d replies (%s); want the escalation as its root and the restoration in its thread", roots, replies, got)
	}
}
