package app

import (
	"strings"

	"github.com/slack-go/slack"

	"github.com/outagebot/outagebot/config"
	slackcmd "github.com/outagebot/outagebot/interact/slack"
	slacknotify "github.com/outagebot/outagebot/notifier/slack"
	"github.com/outagebot/outagebot/sources"
)

// slackMention is whom a Slack channel's new outages mention.
func slackMention(cfg *config.Config, channel string) slacknotify.Mention {
	for _, ch := range cfg.Channels {
		if strings.EqualFold(ch.Name, channel) {
			return slacknotify.Mention{Who: ch.Mention, Min: sources.Status(ch.MentionMinSeverity)}
		}
	}
	return slacknotify.Mention{}
}

// slackAdmins is the rule of [slack] admins, its user groups read with the
// bot token (usergroups:read).
func slackAdmins(s *config.Slack) *slackcmd.Admins {
	if len(s.Admins) == 0 {
		return nil
	}
	return slackcmd.NewAdmins(s.Admins, slackcmd.GroupsOf(slackAPI(s)), 0, nil)
}

// slackAPI is a Web API client with the bot token.
func slackAPI(s *config.Slack) *slack.Client {
	apiURL := s.APIURL
	if apiURL == "" {
		apiURL = slack.APIURL
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/"
	}
	return slack.New(s.BotToken, slack.OptionAPIURL(apiURL))
}

// chatLang gives the language of command answers in a platform's
// channels, by a channel's id there ("C0123", a Discord snowflake, a
// Telegram chat id or @name): its [[channel]] locale, else [bot] locale.
// It reads the configuration in force, so a reload's locales apply at once.
func (a *App) chatLang(platform string) func(id string) string {
	return func(id string) string { return chatLangOf(a.subConfig(), platform, id) }
}

func chatLangOf(cfg *config.Config, platform, id string) string {
	if cfg == nil {
		return ""
	}
	for _, ch := range cfg.Channels {
		var addr string
		switch platform {
		case "slack":
			addr = ch.Slack
		case "discord":
			addr = ch.Discord
		case "telegram":
			addr = ch.Telegram
		}
		// Telegram @names are case-insensitive; ids are digits either way.
		if addr != "" && strings.EqualFold(addr, id) {
			return cfg.LocaleOf(ch)
		}
	}
	return cfg.Bot.Locale
}
