package config

import (
	"os"
	"testing"
)

// The deployment examples mount deploy/outagebot.toml: it must load with
// the variables they set.
func TestDeployExampleIsValid(t *testing.T) {
	data, err := os.ReadFile("../deploy/outagebot.toml")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"POSTGRES_PASSWORD": "pw", "POSTGRES_HOST": "postgres", "POSTGRES_SSLMODE": "disable", "OUTAGEBOT_INSTANCE": "outagebot-1",
		"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_CHANNEL_ID": "C0123456789",
	}
	cfg, err := Parse("deploy/outagebot.toml", data, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Bot.State != "postgres://outagebot:pw@postgres:5432/outagebot?sslmode=disable" || cfg.Bot.Instance != "outagebot-1" || !cfg.Bot.ReportOnResolve {
		t.Errorf("bot section: %+v", cfg.Bot)
	}
}
