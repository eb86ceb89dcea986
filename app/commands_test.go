package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
)

// Slash commands and Discord interactions reach the bot's commands through
// the real HTTP server, Socket Mode through the fake Slack; forged requests
// are refused.
func TestChatCommandsThroughTheApp(t *testing.T) {
	_, feed := newVendor(t, 1)
	// The token checks at start call Discord too: the fixture keeps them
	// on loopback.
	f := newChatFixture(t)
	f.slack.AddChannel("C0123456789")

	cfg := parseConfig(t, f.header("")+fmt.Sprintf(`
[[channel]]
name = "ops"
slack = "C0123456789"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
`, feed))
	a := startWith(t, cfg, app.Options{Dispatch: fastRetries}, nil).app
	waitFor(t, "first poll", func() bool { return !a.Runner().Snapshot("OpenAI").CheckedAt.IsZero() })
	base := "http://" + a.Addr()

	// Slack over HTTP.
	form := slashForm("U1", "C0123456789", "openai").Encode()
	signed := slackHeaders(f.secret, time.Now(), formType, form)
	if code, body := httpPost(t, base+"/slack/commands", form, signed); code != 200 || !strings.Contains(body, "OpenAI") || !strings.Contains(body, "Elevated error rates") {
		t.Errorf("signed slash command: %d %s", code, body)
	}
	signed["X-Slack-Signature"] = "v0=" + strings.Repeat("0", 64)
	if code, _ := httpPost(t, base+"/slack/commands", form, signed); code != 401 {
		t.Errorf("forged slash command: %d, want 401", code)
	}

	// Slack over Socket Mode.
	ack, err := f.slack.SendSlashCommand(map[string]string{"command": "/status", "text": "help", "user_id": "U1", "channel_id": "C0123456789"})
	if err != nil || !strings.Contains(string(ack), "outagebot commands") {
		t.Errorf("socket mode: %v %s", err, ack)
	}

	// Discord over HTTP.
	ping := `{"id":"1","application_id":"2","type":1,"token":"t","version":1}`
	if code, body := postDiscord(t, base, f.key, ping); code != 200 || strings.TrimSpace(body) != `{"type":1}` {
		t.Errorf("signed ping: %d %s", code, body)
	}
	cmd := `{"id":"3","application_id":"2","type":2,"token":"t","version":1,"member":{"user":{"id":"42","username":"alice"}},"data":{"id":"9","name":"status","type":1,"options":[{"name":"target","type":3,"value":"openai"}]}}`
	code, body := postDiscord(t, base, f.key, cmd)
	var resp struct {
		Type int `json:"type"`
		Data struct {
			Embeds []struct {
				Title string `json:"title"`
			} `json:"embeds"`
		} `json:"data"`
	}
	_ = json.Unmarshal([]byte(body), &resp)
	if code != 200 || resp.Type != 4 || len(resp.Data.Embeds) == 0 || !strings.Contains(resp.Data.Embeds[0].Title, "OpenAI") {
		t.Errorf("signed /status: %d %s", code, body)
	}
	// Signed for cmd, sent with another body.
	forged := discordHeaders(f.key, time.Now(), cmd)
	if code, _ := httpPost(t, base+"/discord/interactions", strings.Replace(cmd, "openai", "github", 1), forged); code != 401 {
		t.Errorf("altered interaction: %d, want 401", code)
	}
}
