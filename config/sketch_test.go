package config

import (
	"strings"
	"testing"
)

// sketchConfig is the configuration sketch of the project's design notes,
// with its placeholders filled in. Users start from it, so every key in it
// must stay accepted as written.
const sketchConfig = `
[bot]
state  = "outagebot.db"
listen = "127.0.0.1:8080"

[slack]
bot_token      = "${SLACK_BOT_TOKEN}"
signing_secret = "${SLACK_SIGNING_SECRET}"
app_token      = "${SLACK_APP_TOKEN}"
api_url        = ""

[discord]
bot_token      = "${DISCORD_BOT_TOKEN}"
application_id = "123456789012345678"
public_key     = "9f8a83daf021c7a84e233aee91877576badb3f586eeab67faeaf95e7a4e9f58c"
api_url        = ""

[[channel]]
name  = "ops"
slack = "C0123456"

[[target]]
name = "OpenAI"
type = "statuspage"
url  = "https://status.openai.com"
interval = "1m"
components = ["API", "ChatGPT"]
channels = ["ops"]

[[digest]]
schedule = "CRON_TZ=Europe/Berlin 0 9 * * MON-FRI"
window   = "24h"
channels = ["ops"]
`

func TestSketchConfig(t *testing.T) {
	env := map[string]string{
		"SLACK_BOT_TOKEN":      "xoxb-1",
		"SLACK_SIGNING_SECRET": "s",
		"SLACK_APP_TOKEN":      "xapp-1",
		"DISCORD_BOT_TOKEN":    "d",
	}
	cfg, err := Parse("sketch.toml", []byte(sketchConfig), fakeEnv(env))
	if err != nil {
		t.Fatalf("the design sketch does not load:\n%v", err)
	}
	if got := cfg.Channels[0].Slack; got != "C0123456" {
		t.Errorf("channel slack = %q", got)
	}
}

func TestSlackChannelID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{"C0123456", true},
		{"C024BE91L", true},
		{"C0123456789", true},
		{"G01ABCDEFGH", true},
		{"D0123456", true},
		{"#ops", false},
		{"ops", false},
		{"general", false},
		{"C01", false},
		{"c0123456", false},
		{"U0123456", false},
	}
	for _, tt := range tests {
		cfg := "[slack]\nbot_token = \"xoxb-1\"\n\n[[channel]]\nname = \"ops\"\nslack = \"" + tt.id + "\"\n"
		_, err := Parse("c.toml", []byte(cfg), noEnv)
		bad := err != nil && strings.Contains(err.Error(), "must be a Slack channel ID")
		if bad == tt.ok {
			t.Errorf("slack = %q: accepted %v, want %v (%v)", tt.id, !bad, tt.ok, err)
		}
	}
}

// TestDiscordAPIURL pins the api_url rule: it replaces scheme, host and port
// of https://discord.com, so check refuses a path that run would refuse.
func TestDiscordAPIURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://127.0.0.1:8080/", true},
		{"https://discord.example.com", true},
		{"http://127.0.0.1:8080/api/v9", false},
		{"http://127.0.0.1:8080/api/", false},
		{"http://127.0.0.1:8080?x=1", false},
		{"discord.com", false},
	}
	for _, tt := range tests {
		cfg := "[discord]\nbot_token = \"d\"\napi_url = \"" + tt.url + "\"\n\n[[channel]]\nname = \"ops\"\ndiscord = \"112233445566778899\"\n"
		_, err := Parse("c.toml", []byte(cfg), noEnv)
		bad := err != nil && strings.Contains(err.Error(), "discord.api_url")
		if bad == tt.ok {
			t.Errorf("api_url = %q: accepted %v, want %v (%v)", tt.url, !bad, tt.ok, err)
		}
	}
}

// A webhook URL from the environment with a secrets file's trailing
// newline passes check, as it works at run time (the notifier trims it).
func TestWebhookURLFromEnvTrimmed(t *testing.T) {
	cfg := "[[channel]]\nname = \"hooks\"\nwebhook = { url = \"${HOOK_URL}\", secret = \"${HOOK_SECRET}\" }\n\n" +
		"[[target]]\nname = \"api\"\ntype = \"http\"\nurl = \"https://api.example.com/health\"\nchannels = [\"hooks\"]\n"
	env := map[string]string{"HOOK_URL": "https://hooks.example.com/in\n", "HOOK_SECRET": "0123456789abcdef0123"}
	if _, err := Parse("hooks.toml", []byte(cfg), fakeEnv(env)); err != nil {
		t.Errorf("a webhook URL ending in a newline: %v", err)
	}
}
