package app_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/app"
)

// The whole pipeline into Slack: one root per outage, one threaded reply per
// update, the root edited to the current state, a restoration with the
// duration; nothing twice.
func TestSlackLifecycleEndToEnd(t *testing.T) {
	v, feed := newVendor(t, 0)
	slackAPI := newSlack(t, "C0123456789")

	cfg := parseConfigEnv(t, fmt.Sprintf(`
[bot]
state = %q
listen = ""
[slack]
bot_token = "${SLACK_BOT_TOKEN}"
api_url = %q
broadcast_resolved = true
[[channel]]
name = "ops"
slack = "C0123456789"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
`, filepath.Join(t.TempDir(), "state.db"), slackAPI.URL(), feed), map[string]string{"SLACK_BOT_TOKEN": "xoxb-test-token"})
	b := startWith(t, cfg, app.Options{Dispatch: fastRetries}, nil)

	// Slack fails the first root post with a 500: delayed, never lost.
	slackAPI.FailNext("chat.postMessage", 1)
	waitPolls(t, v, 1)
	replies := func() int {
		msgs := slackAPI.Messages("C0123456789")
		if len(msgs) == 0 {
			return -1
		}
		return len(msgs[0].Replies)
	}
	for phase := 1; phase < len(phases); phase++ {
		v.phase.Store(int32(phase))
		waitFor(t, "slack message for "+phases[phase], func() bool { return replies() >= phase-1 })
	}
	waitFor(t, "restoration", func() bool { return replies() == 2 })
	waitPolls(t, v, 2)
	b.stop()

	msgs := slackAPI.Messages("C0123456789")
	if len(msgs) != 1 {
		t.Fatalf("want one root message, got %d", len(msgs))
	}
	root := msgs[0]
	if len(root.Replies) != 2 {
		t.Fatalf("want 2 replies (update, restoration), got %d", len(root.Replies))
	}
	if !strings.Contains(root.Replies[0].Text, "We have identified the cause") {
		t.Errorf("update reply lacks the vendor's words: %q", root.Replies[0].Text)
	}
	if !strings.Contains(root.Replies[1].Text, "1h 12m") || !root.Replies[1].ReplyBroadcast {
		t.Errorf("restoration reply: %q broadcast=%v", root.Replies[1].Text, root.Replies[1].ReplyBroadcast)
	}
	if len(root.Edits) != 2 {
		t.Errorf("root edited %d times, want 2 (update, restoration)", len(root.Edits))
	}
	// Edits keeps the versions a message had before each edit; the message
	// itself is the current one.
	if !strings.Contains(root.Text+string(root.Blocks)+string(root.Attachments), "lasted 1h 12m") {
		t.Errorf("final root does not say how long it lasted: %s", root.Text)
	}
	if root.Metadata == nil || root.Metadata.EventType != "outagebot_event" {
		t.Errorf("root has no outagebot metadata: %+v", root.Metadata)
	}
	if n := len(slackAPI.Calls("chat.postMessage")); n != 4 {
		t.Errorf("chat.postMessage called %d times, want 4 (one failed, root, 2 replies)", n)
	}
}
