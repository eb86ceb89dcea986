package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/i18n"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/internal/fakeslack"
	goldenfile "github.com/outagebot/outagebot/internal/golden"
)

const (
	cliSlackToken   = "xoxb-cli-SeCrEt-1"
	cliDiscordToken = "MTA5.cli-discord.SeCrEt-2"
	discordOps      = "1200000000000000001"
)

// chatFakes are a fake Slack and Discord that accept the test tokens, with
// channel ops on both.
type chatFakes struct {
	slack   *fakeslack.Server
	discord *fakediscord.Server
	webhook string
}

func newChatFakes(t *testing.T) *chatFakes {
	t.Helper()
	fs := fakeslack.New()
	t.Cleanup(fs.Close)
	fs.RequireToken(cliSlackToken)
	fs.AddChannel("C0000OPS1")
	fs.SetChannelInfo("C0000OPS1", fakeslack.ChannelInfo{Name: "ops"})
	fd := fakediscord.New()
	t.Cleanup(fd.Close)
	fd.RequireToken(cliDiscordToken)
	fd.SetChannelSpec(discordOps, fakediscord.ChannelSpec{Name: "ops"})
	return &chatFakes{slack: fs, discord: fd, webhook: fs.AddWebhook("C0HOOKS01")}
}

// config has channel ops on Slack, Discord and a Slack webhook, and
// channel quiet that nothing is routed to; OpenAI posts to ops, GitHub only
// its partial outages or worse, and a digest goes to ops.
func (f *chatFakes) config(t *testing.T, slackToken, discordToken string) string {
	t.Helper()
	return writeConfig(t, fmt.Sprintf(`
[bot]
state = %q
listen = ""
[slack]
bot_token = %q
api_url = %q
admins = ["U0ADMIN"]
[discord]
bot_token = %q
api_url = %q
admin_roles = ["1300000000000000001"]
[[channel]]
name = "ops"
slack = "C0000OPS1"
discord = %q
webhook_url = %q
[[channel]]
name = "quiet"
slack = "C0000OPS1"
[[target]]
name = "OpenAI"
type = "statuspage"
url = "https://status.openai.com"
channels = ["ops"]
[[target]]
name = "GitHub"
type = "statuspage"
url = "https://www.githubstatus.com"
channels = []
[[route]]
targets = ["OpenAI"]
channels = ["ops"]
[[route]]
targets = ["GitHub"]
min_severity = "partial_outage"
channels = ["ops"]
[[digest]]
schedule = "CRON_TZ=Europe/Berlin 0 9 * * MON-FRI"
window = "24h"
channels = ["ops"]
`, t.TempDir()+"/state.db", slackToken, f.slack.URL(), discordToken, f.discord.URL(), discordOps, f.webhook))
}

var testNow = func() time.Time { return time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC) }

func runTestMessage(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := testMessage(context.Background(), testEnv(), args, &out, &errb, testNow)
	return code, out.String(), errb.String()
}

// The test message reaches the channel on every platform and says what
// will be posted there.
func TestTestMessagePostsEverywhere(t *testing.T) {
	f := newChatFakes(t)
	cfg := f.config(t, cliSlackToken, cliDiscordToken)
	code, out, errOut := runTestMessage("--config", cfg, "--channel", "ops")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	out = strings.ReplaceAll(out, strings.TrimPrefix(f.slack.URL(), "http://")[:len(strings.TrimPrefix(f.slack.URL(), "http://"))-len("/api/")], "FAKE")
	goldenfile.Text(t, "test-message-stdout", out, *update)

	slackMsgs := f.slack.Messages("C0000OPS1")
	hookMsgs := f.slack.Messages("C0HOOKS01")
	discordMsgs := f.discord.Messages(discordOps)
	if len(slackMsgs) != 1 || len(hookMsgs) != 1 || len(discordMsgs) != 1 {
		t.Fatalf("messages: slack %d, webhook %d, discord %d; want one each", len(slackMsgs), len(hookMsgs), len(discordMsgs))
	}
	goldenfile.JSON(t, "test-message-slack", json.RawMessage(slackMsgs[0].Blocks), true, *update)
	goldenfile.JSON(t, "test-message-discord", discordMsgs[0].Embeds, true, *update)
	if !strings.Contains(slackMsgs[0].Text, "outagebot test message: this channel is set up") {
		t.Errorf("slack fallback text %q", slackMsgs[0].Text)
	}

	// Run again: a second message, not Discord's answer to a repeated nonce.
	if code, out, errOut := runTestMessage("--config", cfg, "--channel", "ops"); code != 0 {
		t.Fatalf("second run: exit %d\n%s%s", code, out, errOut)
	}
	if n := len(f.discord.Messages(discordOps)); n != 2 {
		t.Errorf("%d Discord messages after two runs, want 2", n)
	}
}

func TestTestMessageFailures(t *testing.T) {
	f := newChatFakes(t)
	tests := []struct {
		name                string
		setup               func()
		slackTok, discordTk string
		channel             string
		code                int
		stderr              []string
	}{
		{name: "bot not in the Slack channel", setup: func() { f.slack.SetChannelError("C0000OPS1", "not_in_channel") },
			slackTok: cliSlackToken, discordTk: cliDiscordToken, channel: "ops", code: 1,
			stderr: []string{"slack (C0000OPS1): slack chat.postMessage: not_in_channel (fix: invite the bot to the channel: /invite @outagebot)"}},
		{name: "wrong tokens", slackTok: "xoxb-wrong-SeCrEt-9", discordTk: "MTA5.wrong.SeCrEt-8", channel: "ops", code: 1,
			stderr: []string{"slack (C0000OPS1): slack chat.postMessage: invalid_auth", "discord (" + discordOps + "): discord: send message to channel " + discordOps + ": HTTP 401"}},
		{name: "Discord hides the channel", setup: func() { f.discord.DenyChannel(discordOps) },
			slackTok: cliSlackToken, discordTk: cliDiscordToken, channel: "ops", code: 1,
			stderr: []string{"discord (" + discordOps + "): discord: send message to channel " + discordOps + ": HTTP 403: Missing Access (code 50001)"}},
		{name: "no such channel", slackTok: cliSlackToken, discordTk: cliDiscordToken, channel: "nope", code: exitUsage,
			stderr: []string{`no channel "nope" in`, "(channels: ops, quiet)"}},
		{name: "no channel given", slackTok: cliSlackToken, discordTk: cliDiscordToken, channel: "", code: exitUsage,
			stderr: []string{"--channel NAME is required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.slack.SetChannelError("C0000OPS1", "")
			f.discord.ClearFaults()
			if tt.setup != nil {
				tt.setup()
			}
			code, out, errOut := runTestMessage("--config", f.config(t, tt.slackTok, tt.discordTk), "--channel", tt.channel)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut)
				}
			}
			for _, secret := range []string{tt.slackTok, tt.discordTk, "s3cr3t"} {
				if strings.Contains(out+errOut, secret) {
					t.Errorf("output shows a secret:\n%s%s", out, errOut)
				}
			}
		})
	}
}

// A channel nothing is routed to says so, and how to change it.
func TestTestMessageQuietChannel(t *testing.T) {
	f := newChatFakes(t)
	f.slack.AddChannel("C0000OPS1")
	if code, out, errOut := runTestMessage("--config", f.config(t, cliSlackToken, cliDiscordToken), "--channel", "QUIET"); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	msgs := f.slack.Messages("C0000OPS1")
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Blocks), `Nothing is routed here yet`) || !strings.Contains(string(msgs[0].Blocks), `add \"quiet\" to a target's channels`) {
		t.Errorf("messages %+v", msgs)
	}
}

// Without chat the message is printed like the console notifications.
func TestTestMessageConsole(t *testing.T) {
	cfg := writeConfig(t, fmt.Sprintf(`
[bot]
state = %q
[[target]]
name = "OpenAI"
type = "statuspage"
url = "https://status.openai.com"
`, t.TempDir()+"/state.db"))
	code, out, errOut := runTestMessage("--config", cfg)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	goldenfile.Text(t, "test-message-console", out, *update)
}

func TestTestMessageHelp(t *testing.T) {
	code, out, errOut := runCLI("test-message", "--help")
	if code != 0 || errOut != "" || !strings.Contains(out, "Usage: outagebot test-message [flags]") || !strings.Contains(out, "--channel NAME") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, out, _ := runCLI("help"); code != 0 || !strings.Contains(out, "test-message  post a test message to a configured channel") {
		t.Errorf("usage does not list test-message: %q", out)
	}
}

// The test message is written in the channel's language, and its English
// title is the one this command's help names.
func TestTestMessageInTheChannelsLanguage(t *testing.T) {
	if got := i18n.For("en").T("testmsg.title", nil); got != app.TestMessageTitle {
		t.Errorf("the catalog's title %q differs from app.TestMessageTitle %q", got, app.TestMessageTitle)
	}
	f := newChatFakes(t)
	cfg := f.config(t, cliSlackToken, cliDiscordToken)
	raw, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(raw), "[bot]\n", "[bot]\nlocale = \"de\"\n", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runTestMessage("--config", cfg, "--channel", "ops"); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	slackMsgs, discordMsgs := f.slack.Messages("C0000OPS1"), f.discord.Messages(discordOps)
	if len(slackMsgs) != 1 || len(discordMsgs) != 1 {
		t.Fatalf("messages: slack %d, discord %d", len(slackMsgs), len(discordMsgs))
	}
	for platform, got := range map[string]string{"slack": string(slackMsgs[0].Blocks), "discord": fmt.Sprint(discordMsgs[0].Embeds[0])} {
		if !strings.Contains(got, "outagebot-Testnachricht: Dieser Kanal ist eingerichtet") || !strings.Contains(got, "Ausfälle, die hier gepostet werden") {
			t.Errorf("%s message is not German:\n%s", platform, got)
		}
	}
}
