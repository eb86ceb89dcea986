package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/app"
)

// Command answers follow the locale of the [[channel]] they were asked in
// (else [bot] locale), over Slack's HTTP endpoint, Socket Mode and Discord's
// endpoint; Discord's own user locale wins for what only the asker sees.
func TestCommandAnswersFollowTheChannelsLocale(t *testing.T) {
	_, feed := newVendor(t, 1)
	f := newChatFixture(t)
	f.slack.AddChannel("C0DE000001")
	f.slack.AddChannel("C0EN000001")

	cfg := parseConfig(t, f.header(`locale = "en"`)+fmt.Sprintf(`
[[channel]]
name = "ops-de"
slack = "C0DE000001"
discord = "1100000000000000002"
locale = "de"
[[channel]]
name = "ops-en"
slack = "C0EN000001"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
`, feed))
	base := "http://" + startWith(t, cfg, app.Options{Dispatch: fastRetries}, nil).app.Addr()

	// ok fails the test unless the bot answered path with 200.
	ok := func(path string, code int, body string) string {
		t.Helper()
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, code, body)
		}
		return body
	}
	slash := func(channel string) string {
		t.Helper()
		code, body := postSlack(t, base, "/slack/commands", f.secret, formType, slashForm("U1", channel, "help").Encode())
		return ok("/slack/commands", code, body)
	}
	if body := slash("C0DE000001"); !strings.Contains(body, "outagebot-Befehle") {
		t.Errorf("Slack, German channel: %s", body)
	}
	if body := slash("C0EN000001"); !strings.Contains(body, "outagebot commands") {
		t.Errorf("Slack, English channel: %s", body)
	}

	ack, err := f.slack.SendSlashCommand(map[string]string{"command": "/status", "text": "help", "user_id": "U1", "channel_id": "C0DE000001"})
	if err != nil || !strings.Contains(string(ack), "outagebot-Befehle") {
		t.Errorf("Socket Mode, German channel: %v %s", err, ack)
	}

	discord := func(id, locale string) string {
		t.Helper()
		body := fmt.Sprintf(`{"id":%q,"application_id":"2","type":2,"token":"t","version":1,"channel_id":"1100000000000000002","locale":%q,`+
			`"member":{"user":{"id":"42","username":"alice"}},"data":{"id":"9","name":"outagebot-help","type":1}}`, id, locale)
		code, answer := postDiscord(t, base, f.key, body)
		return ok("/discord/interactions", code, answer)
	}
	if body := discord("3", "pt-BR"); !strings.Contains(body, "outagebot-Befehle") {
		t.Errorf("Discord, German channel, a locale the catalog lacks: %s", body)
	}
	if body := discord("4", "en-US"); !strings.Contains(body, "outagebot commands") {
		t.Errorf("Discord, German channel, an English user: %s", body)
	}
}
