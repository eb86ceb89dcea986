package app

import (
	"log/slog"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/discord"
	"github.com/outagebot/outagebot/notifier/tmpl"
	"github.com/outagebot/outagebot/sources"
)

// Discord: "5 messages per 5 seconds per channel" is the long-standing
// per-channel send limit; discordgo and the notifier honour the buckets the
// API announces on top of it.
var (
	discordRate  = rate.Every(time.Second)
	discordBurst = 5
)

func discordNotifier(cfg *config.Config, d notifier.Destination, t *tmpl.Renderer, log *slog.Logger) (notifier.Notifier, rate.Limit, int, error) {
	threads := false
	var mention discord.Mention
	for _, ch := range cfg.Channels {
		if strings.EqualFold(ch.Name, d.Channel) {
			threads = ch.DiscordThreads
			mention = discord.Mention{Who: ch.Mention, Min: sources.Status(ch.MentionMinSeverity)}
		}
	}
	n, err := discord.New(discord.Options{Token: cfg.Discord.BotToken, APIURL: cfg.Discord.APIURL, Log: log, Threads: threads, Templates: t, Mention: mention,
		Lang: channelLang(cfg, d.Channel)})
	if err != nil {
		return nil, 0, 0, err
	}
	return n, discordRate, discordBurst, nil
}

func discordWebhook(cfg *config.Config, d notifier.Destination, t *tmpl.Renderer, log *slog.Logger) (notifier.Notifier, rate.Limit, int, error) {
	w, err := discord.NewWebhook(d.Address, nil, log)
	if err != nil {
		return nil, 0, 0, err
	}
	w.SetTemplates(t)
	w.SetLang(channelLang(cfg, d.Channel))
	return w, discordRate, discordBurst, nil
}
