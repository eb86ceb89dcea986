package main

import (
	"github.com/bwmarrin/discordgo"
	"os"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/internal/fakediscord"
	goldenfile "github.com/outagebot/outagebot/internal/golden"
)

func TestCheckOnline(t *testing.T) {
	f := newChatFakes(t)
	host := strings.TrimSuffix(strings.TrimPrefix(f.slack.URL(), "http://"), "/api/")

	// Offline (the default) asks nobody.
	cfg := f.config(t, cliSlackToken, cliDiscordToken)
	if code, out, errOut := runCLI("check", "--config", cfg); code != 0 || len(f.slack.Calls("")) != 0 || len(f.discord.Calls("")) != 0 {
		t.Fatalf("offline check: exit %d, %d Slack and %d Discord calls\n%s%s", code, len(f.slack.Calls("")), len(f.discord.Calls("")), out, errOut)
	}

	tests := []struct {
		name                string
		setup               func()
		slackTok, discordTk string
		extra               string // appended to the configuration
		code                int
		stderr              []string
	}{
		{name: "all good", slackTok: cliSlackToken, discordTk: cliDiscordToken},
		{name: "bot not in the Slack channel", setup: func() { f.slack.SetChannelError("C0000OPS1", "not_in_channel") },
			slackTok: cliSlackToken, discordTk: cliDiscordToken, code: 1,
			stderr: []string{`: slack: channel "ops" (C0000OPS1, #ops): unreachable: the bot is not a member of #ops: invite the bot in the channel with /invite @outagebot, or add the chat:write.public scope`}},
		{name: "wrong tokens", slackTok: "xoxb-wrong-SeCrEt-9", discordTk: "MTA5.wrong.SeCrEt-8", code: 1,
			stderr: []string{": slack: unauthorized: Slack does not accept the bot token: slack auth.test: invalid_auth",
				": discord: unauthorized: Discord does not accept the bot token: discord: get the bot user: HTTP 401"}},
		{name: "Slack down", setup: func() { f.slack.FailNext("auth.test", 1) },
			slackTok: cliSlackToken, discordTk: cliDiscordToken, code: 1,
			stderr: []string{": slack: cannot be reached, so the token is unchecked: slack auth.test: HTTP 500",
				`: slack: channel "ops" (C0000OPS1): not checked: slack did not answer`}},
		{name: "Discord permissions", setup: func() { f.discord.SetPermissions(fakediscord.DefaultPermissions&^(1<<14), 0) },
			slackTok: cliSlackToken, discordTk: cliDiscordToken, code: 1,
			stderr: []string{`: discord: channel "ops" (1200000000000000001, #ops): unreachable: the bot lacks Embed Links in #ops`}},
		{name: "Discord charts without Attach Files", setup: func() {
			f.discord.SetPermissions(fakediscord.DefaultPermissions&^discordgo.PermissionAttachFiles, 0)
		}, extra: "[[digest]]\nschedule = \"0 9 * * *\"\n",
			slackTok: cliSlackToken, discordTk: cliDiscordToken, code: 1,
			stderr: []string{`: discord: channel "ops" (1200000000000000001, #ops): limited: digest charts need Attach Files: give the bot's role these permissions in #ops`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.slack.SetChannelError("C0000OPS1", "")
			f.slack.ClearFaults()
			f.discord.SetPermissions(fakediscord.DefaultPermissions, 0)
			if tt.setup != nil {
				tt.setup()
			}
			cfg := f.config(t, tt.slackTok, tt.discordTk)
			if tt.extra != "" {
				appendFile(t, cfg, tt.extra)
			}
			code, out, errOut := runCLI("check", "--config", cfg, "--online")
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			if tt.code == 0 {
				if errOut != "" {
					t.Errorf("stderr %q", errOut)
				}
				out = strings.ReplaceAll(strings.ReplaceAll(out, cfg, "FILE"), host, "FAKE")
				goldenfile.Text(t, "check-online", out, *update)
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

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
