package app_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/internal/fakediscord"
)

// The whole pipeline into Discord: one message per outage, a reply per
// update, the original edited to the current state and turned green with
// the duration; a response lost in flight does not post twice.
func TestDiscordLifecycleEndToEnd(t *testing.T) {
	const channel = "112233445566778899"
	v, feed := newVendor(t, 0)
	api := newDiscord(t, channel)

	cfg := parseConfigEnv(t, fmt.Sprintf(`
[bot]
state = %q
listen = ""
[discord]
bot_token = "${DISCORD_BOT_TOKEN}"
api_url = %q
[[channel]]
name = "community"
discord = %q
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
`, filepath.Join(t.TempDir(), "state.db"), api.URL(), channel, feed), map[string]string{"DISCORD_BOT_TOKEN": "test-discord-token"})
	b := startWith(t, cfg, app.Options{Dispatch: fastRetries}, nil)

	// The root is stored but its response is lost: the retry must find it
	// by its nonce, not post a second one.
	api.DropNext(fakediscord.RouteCreateMessage, 1)
	waitPolls(t, v, 1)
	for phase := 1; phase < len(phases); phase++ {
		v.phase.Store(int32(phase))
		waitFor(t, "discord messages for "+phases[phase], func() bool { return len(api.Messages(channel)) >= phase })
	}
	waitPolls(t, v, 2)
	b.stop()

	msgs := api.Messages(channel)
	if len(msgs) != 3 {
		t.Fatalf("want root + update + restoration, got %d messages", len(msgs))
	}
	root := msgs[0]
	for i, m := range msgs[1:] {
		if m.Reference == nil || m.Reference.MessageID != root.ID {
			t.Errorf("message %d is not a reply to the root", i+2)
		}
	}
	if root.Nonce == "" || !root.EnforceNonce {
		t.Errorf("root sent without nonce/enforce_nonce: %q %v", root.Nonce, root.EnforceNonce)
	}
	current, _ := json.Marshal(root.Embeds)
	if !strings.Contains(string(current), "1h 12m") || len(root.Edits) != 2 {
		t.Errorf("root after restoration (%d edits): %s", len(root.Edits), current)
	}
	reply, _ := json.Marshal(msgs[2])
	if !strings.Contains(string(reply), "Restored after 1h 12m") {
		t.Errorf("restoration reply: %s", reply)
	}
}
