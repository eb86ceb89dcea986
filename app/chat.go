package app

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"golang.org/x/time/rate"

	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/slack"
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
	switch d.Platform {
	case "slack":
		return slack.New(slack.Options{
			Token:             cfg.Slack.BotToken,
			APIURL:            cfg.Slack.APIURL,
			Log:               log,
			BroadcastResolved: cfg.Slack.BroadcastResolved,
		}), slackRate, slackBurst, nil
	case "webhook":
		if isDiscordWebhook(d.Address) {
			return discordWebhook(d, log)
		}
		return slack.NewWebhook(d.Address, nil, log), slackRate, slackBurst, nil
	case "discord":
		return discordNotifier(cfg, d, log)
	}
	return nil, 0, 0, fmt.Errorf("unknown platform %q", d.Platform)
}

// isDiscordWebhook tells Discord's webhooks (…/api/webhooks/ID/TOKEN) from
// Slack's (…/services/…) by path, so that test servers work too.
func isDiscordWebhook(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && strings.Contains(u.Path, "/api/webhooks/")
}
