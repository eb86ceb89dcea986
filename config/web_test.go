package config

import (
	"testing"
)

func TestWeb(t *testing.T) {
	const hash = "$2a$10$CwTycUXWue0Thq9StjUM0uJ8.jsN5mEr2aV1xzsN0ZLWSJ7qCHaTi"
	for _, tc := range []struct {
		name, toml string
		check      func(t *testing.T, w Web, cfg *Config)
	}{
		{"on by default with listen", "", func(t *testing.T, w Web, cfg *Config) {
			if !w.Enabled || w.Title != "Status" || w.Locale != "en" || w.Protected() {
				t.Errorf("%+v", w)
			}
			if !w.Shows(cfg.Targets[0]) || !w.Shows(cfg.Targets[1]) {
				t.Error("with no targets or groups, every target is shown")
			}
			if w.OutageURL("x") != "" {
				t.Error("no base_url, yet a link")
			}
		}},
		{"off without listen", "[bot]\nlisten = \"\"\n", func(t *testing.T, w Web, _ *Config) {
			if w.Enabled {
				t.Error("enabled without a listener")
			}
		}},
		{"chosen targets, token from the environment, base url", `[web]
title = "ACME status"
groups = ["AI"]
base_url = "https://status.example.com/"
token = "${OUTAGEBOT_WEB_TOKEN}"
basic_auth_users = { alice = "` + hash + `" }
locale = "de"
public_badges = true
`, func(t *testing.T, w Web, cfg *Config) {
			if w.Token != "0123456789abcdef0123" || w.BasicAuthUsers["alice"] != hash || !w.Protected() || !w.PublicBadges || w.Locale != "de" {
				t.Errorf("%+v", w)
			}
			if !w.Shows(cfg.Targets[0]) || w.Shows(cfg.Targets[1]) {
				t.Error("groups = [\"AI\"] shows OpenAI (group ai) alone")
			}
			if got := w.OutageURL("ab c"); got != "https://status.example.com/outages/ab%20c" {
				t.Errorf("outage url %q", got)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.toml + `
[[target]]
name = "OpenAI"
type = "statuspage"
url = "https://status.openai.com"
group = "ai"

[[target]]
name = "API"
type = "http"
url = "https://api.example.com/healthz"
`
			cfg, err := Parse("web.toml", []byte(doc), fakeEnv(map[string]string{"OUTAGEBOT_WEB_TOKEN": "0123456789abcdef0123"}))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, cfg.Web, cfg)
		})
	}
}
