// Package slack answers Slack slash commands: over HTTP (NewHandler, mounted
// at POST /slack/commands, every request signature-checked) and over Socket
// Mode (RunSocketMode, for bots that cannot be reached from the internet).
// Both paths run the same platform-neutral command logic (an Answerer, in
// practice *bot.Commands) and answer with the same JSON (Render).
//
// Slack gives a slash command 3 seconds to answer. The commands answer from
// memory and the store, so both paths answer synchronously: the HTTP
// response body, or the Socket Mode ack's payload, is the answer itself.
// Nothing is posted through the Web API and response_url is never used.
package slack

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
)

// Answerer runs one chat command. *bot.Commands is the implementation.
type Answerer interface {
	Run(ctx context.Context, r bot.Request) bot.Answer
}

var _ Answerer = (*bot.Commands)(nil)

// Langs gives the language of what the bot writes to a channel, by the
// channel's id: its [[channel]] locale, else [bot] locale. Slack does not
// say which language a user reads, so every answer follows the channel's.
type Langs func(channel string) string

// of is the language of channel; "" (the default) without Langs.
func (l Langs) of(channel string) string {
	if l == nil {
		return ""
	}
	return l(channel)
}

// request turns a parsed slash command into the platform-neutral request:
// the user as a mention ("<@U123>") so announcements name them, and the
// channel's language.
func request(cmd slack.SlashCommand, langs Langs) bot.Request {
	lang := langs.of(cmd.ChannelID)
	user := i18n.For(lang).T("interact.someone", nil)
	switch {
	case cmd.UserID != "":
		user = "<@" + cmd.UserID + ">"
	case cmd.UserName != "":
		user = cmd.UserName
	}
	return bot.Request{Text: cmd.Text, User: user, UserID: cmd.UserID, UserName: cmd.UserName, Platform: "slack", Channel: cmd.ChannelID, Lang: lang}
}
