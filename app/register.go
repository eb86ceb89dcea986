package app

import (
	"context"
	"errors"
	"net/http"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/config"
	discordcmd "github.com/outagebot/outagebot/interact/discord"
)

// registerCommands installs Discord's application commands, trying again
// until Discord takes them or ctx ends: with backoff while Discord cannot
// be reached or is busy, slowly while it refuses (a wrong token or
// application_id, which only a person can fix). Each kind of failure is
// logged when it starts, not at every attempt.
func (a *App) registerCommands(ctx context.Context, d *config.Discord) {
	log := a.log.With("component", "discord-commands")
	opts := a.chatOptions()
	failures := 0
	last := ""
	for {
		rctx, cancel := context.WithTimeout(ctx, registerTimeout)
		err := discordcmd.Register(rctx, discordcmd.RegisterOptions{
			Token: d.BotToken, ApplicationID: d.ApplicationID, GuildID: d.GuildID, APIURL: d.APIURL, Log: log,
			AdminOnly: len(d.AdminRoles) > 0,
		})
		cancel()
		if err == nil || ctx.Err() != nil {
			return
		}
		class, wait := "unavailable", opts.Backoff(failures)
		var rl *discordgo.RateLimitError
		var re *discordgo.RESTError
		switch {
		case errors.As(err, &rl) && rl.TooManyRequests != nil:
			class, wait = "rate limited", max(wait, rl.RetryAfter)
		case errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 400 && re.Response.StatusCode < 500 &&
			re.Response.StatusCode != http.StatusTooManyRequests && re.Response.StatusCode != http.StatusRequestTimeout:
			class, wait = "refused", credentialRecheck
		}
		failures++
		if class != last {
			last = class
			if class == "refused" {
				log.Error("Discord refuses to register the application commands (check bot_token and application_id); trying again every "+credentialRecheck.String(), "err", err)
			} else {
				log.Warn("Discord application commands were not registered yet; trying again with backoff", "reason", class, "err", err)
			}
		} else {
			log.Debug("Discord application commands still not registered", "reason", class, "attempt", failures, "err", err)
		}
		if opts.Sleep(ctx, wait) != nil {
			return
		}
	}
}

// chatOptions are the chat checks' backoff and sleep, with defaults.
func (a *App) chatOptions() ChatCheckOptions {
	if a.chat != nil {
		return a.chat.opts
	}
	return ChatCheckOptions{}.withDefaults()
}
