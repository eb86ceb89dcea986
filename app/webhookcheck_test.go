package app_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/internal/fakeslack"
)

// check --online asks Slack and Discord about each webhook without posting:
// live ones are reachable (every URL form Discord hands out), a removed
// Slack webhook or a deleted Discord one is unreachable with its fix, and
// the report never shows a webhook's secret.
func TestCheckChatAsksAboutWebhooks(t *testing.T) {
	fs := fakeslack.New()
	defer fs.Close()
	fd := fakediscord.New()
	defer fd.Close()
	slackLive := fs.AddWebhook("C1")
	slackGone := fs.AddWebhook("C2")
	fs.RemoveWebhook(slackGone)
	discordLive := fd.AddWebhook("1100000000000000001")
	id, token, _ := strings.Cut(strings.TrimPrefix(discordLive, fd.URL()+"/api/webhooks/"), "/")
	fd.AddChannel("1300000000000000001")
	discordForms := fmt.Sprintf("%s/api/v10/webhooks/%s/%s/slack?thread_id=1300000000000000001", fd.URL(), id, token)
	discordGone := fd.AddWebhook("1100000000000000001")
	goneID, goneToken, _ := strings.Cut(strings.TrimPrefix(discordGone, fd.URL()+"/api/webhooks/"), "/")
	fd.DeleteWebhook(goneID)

	hooks := []struct{ name, url, state, detail string }{
		{"slack-live", slackLive, "reachable", "Slack knows it"},
		{"slack-gone", slackGone, "unreachable", "no_service: the webhook no longer exists"},
		{"discord-live", discordLive, "reachable", `Discord webhook "Captain Hook" posting to channel 1100000000000000001`},
		{"discord-forms", discordForms, "reachable", "in thread 1300000000000000001"},
		{"discord-gone", discordGone, "unreachable", "the webhook was deleted"},
	}
	text := fmt.Sprintf("[bot]\nstate = %q\nlisten = \"\"\n", filepath.Join(t.TempDir(), "s.db"))
	for _, h := range hooks {
		text += fmt.Sprintf("[[channel]]\nname = %q\nwebhook_url = %q\n", h.name, h.url)
	}
	text += "[[target]]\nname = \"x\"\ntype = \"http\"\nurl = \"http://127.0.0.1:9/\"\n"
	cfg, err := config.Parse("test.toml", []byte(text), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	r, err := app.CheckChat(t.Context(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Platforms) != 1 || len(r.Platforms[0].Channels) != len(hooks) {
		t.Fatalf("report %+v", r)
	}
	for i, h := range hooks {
		c := r.Platforms[0].Channels[i]
		if c.Channel != h.name || c.State != h.state || !strings.Contains(c.Detail, h.detail) {
			t.Errorf("%s: got %+v, want %s with %q", h.name, c, h.state, h.detail)
		}
	}
	if r.OK() {
		t.Error("OK() with two dead webhooks")
	}
	raw, _ := json.Marshal(r)
	for _, secret := range []string{"s3cr3t", token, goneToken} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the report shows a secret: %s", raw)
		}
	}
	if n := len(fs.Messages("C1")) + len(fd.Messages("1100000000000000001")) + len(fd.Messages("1300000000000000001")); n != 0 {
		t.Errorf("the check posted %d messages", n)
	}
}
