package webhookurl

import (
	"strings"
	"testing"
)

const (
	id    = "1234567890123456789"
	token = "AbCdEf_gh-IJ0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name, url string
		platform  string
		// version, suffix and thread for Discord URLs
		version, suffix, thread string
		redacted                string
	}{
		{"discord", "https://discord.com/api/webhooks/" + id + "/" + token, Discord, "", "", "",
			"https://discord.com/api/webhooks/" + id + "/[redacted]"},
		{"discord v10", "https://discord.com/api/v10/webhooks/" + id + "/" + token, Discord, "v10", "", "",
			"https://discord.com/api/v10/webhooks/" + id + "/[redacted]"},
		{"discord v9 trailing slash", "https://discord.com/api/v9/webhooks/" + id + "/" + token + "/", Discord, "v9", "", "",
			"https://discord.com/api/v9/webhooks/" + id + "/[redacted]"},
		{"discordapp.com", "https://discordapp.com/api/webhooks/" + id + "/" + token, Discord, "", "", "",
			"https://discordapp.com/api/webhooks/" + id + "/[redacted]"},
		{"ptb", "https://ptb.discord.com/api/v10/webhooks/" + id + "/" + token, Discord, "v10", "", "",
			"https://ptb.discord.com/api/v10/webhooks/" + id + "/[redacted]"},
		{"canary discordapp", "https://canary.discordapp.com/api/webhooks/" + id + "/" + token, Discord, "", "", "",
			"https://canary.discordapp.com/api/webhooks/" + id + "/[redacted]"},
		{"slack-compatible suffix", "https://discord.com/api/webhooks/" + id + "/" + token + "/slack", Discord, "", "slack", "",
			"https://discord.com/api/webhooks/" + id + "/[redacted]/slack"},
		{"github-compatible suffix, versioned", "https://discord.com/api/v10/webhooks/" + id + "/" + token + "/github", Discord, "v10", "github", "",
			"https://discord.com/api/v10/webhooks/" + id + "/[redacted]/github"},
		{"wait", "https://discord.com/api/webhooks/" + id + "/" + token + "?wait=true", Discord, "", "", "",
			"https://discord.com/api/webhooks/" + id + "/[redacted]"},
		{"thread", "https://discord.com/api/v10/webhooks/" + id + "/" + token + "?thread_id=1100000000000000001", Discord, "v10", "", "1100000000000000001",
			"https://discord.com/api/v10/webhooks/" + id + "/[redacted]?thread_id=1100000000000000001"},
		{"thread and wait on the slack suffix", "https://discord.com/api/webhooks/" + id + "/" + token + "/slack?wait=true&thread_id=1100000000000000001", Discord, "", "slack", "1100000000000000001",
			"https://discord.com/api/webhooks/" + id + "/[redacted]/slack?thread_id=1100000000000000001"},
		{"upper-case host", "https://Discord.com/api/v10/webhooks/" + id + "/" + token, Discord, "v10", "", "",
			"https://Discord.com/api/v10/webhooks/" + id + "/[redacted]"},
		{"local fake", "http://127.0.0.1:8080/api/webhooks/" + id + "/" + token, Discord, "", "", "",
			"http://127.0.0.1:8080/api/webhooks/" + id + "/[redacted]"},
		{"slack", "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", Slack, "", "", "",
			"https://hooks.slack.com/services/T00000000/B00000000/[redacted]"},
		{"slack workflow", "https://hooks.slack.com/triggers/T00000000/1234567890/abcdef0123456789", Slack, "", "", "",
			"https://hooks.slack.com/[redacted]"},
		{"slack gov", "https://hooks.slack-gov.com/services/T00000000/B00000000/XXXXXXXX?x=secret", Slack, "", "", "",
			"https://hooks.slack-gov.com/services/T00000000/B00000000/[redacted]"},
		{"local slack fake", "http://127.0.0.1:9000/services/T1/B1/secret", Slack, "", "", "",
			"http://127.0.0.1:9000/services/T1/B1/[redacted]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			u, err := Parse(c.url)
			if err != nil {
				t.Fatal(err)
			}
			if u.Platform != c.platform {
				t.Errorf("platform %q, want %q", u.Platform, c.platform)
			}
			if u.Redacted() != c.redacted {
				t.Errorf("redacted %q, want %q", u.Redacted(), c.redacted)
			}
			if strings.Contains(u.Redacted(), "XXXX") || strings.Contains(u.Redacted(), token) || strings.Contains(u.Redacted(), "secret") || strings.Contains(u.Redacted(), "abcdef") {
				t.Errorf("the secret shows: %q", u.Redacted())
			}
			if c.platform != Discord {
				return
			}
			if u.ID != id || u.Token != token || u.Version != c.version || u.Suffix != c.suffix || u.ThreadID != c.thread {
				t.Errorf("id %q token %q version %q suffix %q thread %q", u.ID, u.Token, u.Version, u.Suffix, u.ThreadID)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	for _, c := range []struct{ name, url, want string }{
		{"discord channel link", "https://discord.com/channels/1/2", "not a webhook's"},
		{"discord webhook without token", "https://discord.com/api/webhooks/" + id, "not a webhook's"},
		{"discord webhook messages path", "https://discord.com/api/webhooks/" + id + "/" + token + "/messages/1", "not a webhook's"},
		{"bad thread", "https://discord.com/api/webhooks/" + id + "/" + token + "?thread_id=general", "thread_id"},
		{"no scheme", "discord.com/api/webhooks/" + id + "/" + token, "http(s)"},
		{"user info", "https://user:" + token + "@hooks.slack.com/services/T/B/X", "http(s)"},
		{"does not parse", "https://hooks.slack.com/services/%zz" + token, "does not parse"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.url)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one saying %q", err, c.want)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("the token is in the error: %v", err)
			}
		})
	}
}

func TestHosts(t *testing.T) {
	for _, tc := range []struct {
		host           string
		chat, loopback bool
	}{
		{"hooks.slack.com", true, false},
		{"Discord.com", true, false},
		{"canary.discordapp.com", true, false},
		{"prod-01.westeurope.logic.azure.com", false, false},
		{"localhost", false, true},
		{"127.0.0.2", false, true},
		{"::1", false, true},
		{"10.0.0.1", false, false},
	} {
		if got := ChatHost(tc.host); got != tc.chat {
			t.Errorf("ChatHost(%q) = %v", tc.host, got)
		}
		if got := Loopback(tc.host); got != tc.loopback {
			t.Errorf("Loopback(%q) = %v", tc.host, got)
		}
	}
}
