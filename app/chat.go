package app

import (
	"fmt"
	"log/slog"
	"strings"

	"golang.org/x/time/rate"

	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/internal/webhookurl"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/slack"
	"github.com/outagebot/outagebot/notifier/tmpl"
)

// Platform rate limits per channel.
const (
	// Slack: "1 message per second per channel, with short bursts allowed"
	// (api.slack.com/apis/rate-limits#posting-messages).
	slackRate  = rate.Limit(1)
	slackBurst = 3
)

// chatNotifier builds the notifier for one chat destination with its
// platform's rate limit.
func chatNotifier(cfg *config.Config, d notifier.Destination, log *slog.Logger) (notifier.Notifier, rate.Limit, int, error) {
	t, err := channelTemplates(cfg, d.Channel)
	if err != nil {
		return nil, 0, 0, err
	}
	switch d.Platform {
	case "slack":
		return slack.New(slack.Options{
			Token:             cfg.Slack.BotToken,
			APIURL:            cfg.Slack.APIURL,
			Log:               log,
			BroadcastResolved: cfg.Slack.BroadcastResolved,
			Lang:              channelLang(cfg, d.Channel),
			Templates:         t,
			Mention:           slackMention(cfg, d.Channel),
		}), slackRate, slackBurst, nil
	case "webhook":
		if isDiscordWebhook(d.Address) {
			return discordWebhook(cfg, d, t, log)
		}
		w := slack.NewWebhook(d.Address, nil, log)
		w.SetTemplates(t)
		w.SetLang(channelLang(cfg, d.Channel))
		return w, slackRate, slackBurst, nil
	case "discord":
		return discordNotifier(cfg, d, t, log)
	case "telegram":
		return telegramNotifier(cfg, d, t, log)
	}
	if n, limit, burst, ok, err := moreNotifier(cfg, d, log); ok {
		return n, limit, burst, err
	}
	return nil, 0, 0, fmt.Errorf("unknown platform %q", d.Platform)
}

// channelTemplates renders the channel's outage messages from its
// templates, in its language; nil when it sets none (the built-in
// rendering).
func channelTemplates(cfg *config.Config, name string) (*tmpl.Renderer, error) {
	for _, ch := range cfg.Channels {
		if strings.EqualFold(ch.Name, name) && ch.Templated() {
			return tmpl.New(cfg.LocaleOf(ch), ch.TitleTemplate, ch.BodyTemplate)
		}
	}
	return nil, nil
}

// channelLang is the language of what the bot writes to the named
// channel: its locale, else [bot] locale.
func channelLang(cfg *config.Config, name string) string {
	for _, ch := range cfg.Channels {
		if strings.EqualFold(ch.Name, name) {
			return cfg.LocaleOf(ch)
		}
	}
	return cfg.Bot.Locale
}

// isDiscordWebhook tells Discord's webhooks, in every form Discord hands
// out, from Slack's (see package webhookurl).
func isDiscordWebhook(raw string) bool {
	u, err := webhookurl.Parse(raw)
	return err == nil && u.Platform == webhookurl.Discord
}
