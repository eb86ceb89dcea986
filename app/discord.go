package app

import (
	"log/slog"
	"slices"
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
	opts := discord.Options{Token: cfg.Discord.BotToken, APIURL: cfg.Discord.APIURL, Log: log, Templates: t}
	for _, ch := range cfg.Channels {
		if strings.EqualFold(ch.Name, d.Channel) {
			opts.Threads, opts.Board = ch.DiscordThreads, ch.StatusBoard
			opts.Mention = discord.Mention{Who: ch.Mention, Min: sources.Status(ch.MentionMinSeverity)}
		}
	}
	opts.Charts = chartsTo(cfg, d.Channel)
	opts.Lang = channelLang(cfg, d.Channel)
	n, err := discord.New(opts)
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

// chartsTo reports whether a digest with a chart goes to the channel.
func chartsTo(cfg *config.Config, channel string) bool {
	for _, dg := range cfg.Digests {
		if !dg.WantsChart() {
			continue
		}
		if len(dg.Channels) == 0 || slices.ContainsFunc(dg.Channels, func(c string) bool { return strings.EqualFold(c, channel) }) {
			return true
		}
	}
	return false
}
