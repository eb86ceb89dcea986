package app

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	discordcmd "github.com/outagebot/outagebot/interact/discord"
	slackcmd "github.com/outagebot/outagebot/interact/slack"
)

// commandEndpoints are the chat platforms' HTTP callbacks, mounted on the
// bot's HTTP server (or its public listener) when their verification secret
// is configured. Both remember the requests they answered in the store, so a
// captured request is refused by every replica, also after a restart.
func (a *App) commandEndpoints() map[string]http.Handler {
	extra := map[string]http.Handler{}
	if s := a.cfg.Slack; s != nil && s.SigningSecret != "" {
		admins := slackAdmins(s)
		extra["POST /slack/commands"] = slackcmd.NewHandler(slackcmd.HandlerOptions{
			SigningSecret: s.SigningSecret,
			Commands:      a.commands,
			Log:           a.log.With("component", "slack-commands"),
			Seen:          a.store,
			Admins:        admins,
			Lang:          a.chatLang("slack"),
		})
		extra["POST "+slackcmd.InteractionsPath] = slackcmd.NewInteractionHandler(slackcmd.HandlerOptions{
			SigningSecret: s.SigningSecret,
			Log:           a.log.With("component", "slack-interactions"),
			Seen:          a.store,
			Admins:        admins,
			APIURL:        s.APIURL,
			Lang:          a.chatLang("slack"),
		}, a.commands)
		extra["POST "+slackcmd.EventsPath] = a.slackEvents(s.SigningSecret)
	}
	if d := a.cfg.Discord; d != nil && d.PublicKey != "" {
		key, err := hex.DecodeString(d.PublicKey)
		if err == nil && len(key) == ed25519.PublicKeySize {
			extra["POST "+discordcmd.Path] = discordcmd.NewHandler(discordcmd.HandlerOptions{
				PublicKey: ed25519.PublicKey(key),
				Commands:  a.commands,
				Admins:    discordcmd.Admins{Roles: d.AdminRoles},
				Log:       a.log.With("component", "discord-commands"),
				Seen:      a.store,
				Lang:      a.chatLang("discord"),
			})
		}
	}
	if h := a.telegramCommands(); h != nil {
		extra["POST "+telegramPath] = h
	}
	return extra
}

// startCommands starts Slack Socket Mode, which brings commands in without
// a public URL. Every replica may run it: Slack hands each command to one
// connection. Failures are logged: alerts matter more than commands, so
// none of this stops the bot.
func (a *App) startCommands(ctx context.Context, wg *sync.WaitGroup) {
	if s := a.cfg.Slack; s != nil && s.AppToken != "" {
		wg.Go(func() {
			err := slackcmd.RunSocketMode(ctx, slackcmd.SocketOptions{
				AppToken: s.AppToken, BotToken: s.BotToken, APIURL: s.APIURL,
				Commands: a.commands, Log: a.log.With("component", "slack-socket"),
				Actor: a.commands, Admins: slackAdmins(s),
				HomeOpened: a.boards.homeOpened,
				Lang:       a.chatLang("slack"),
				// Slack spreads envelopes over every replica's connection:
				// an event retried on another is known by the store.
				Seen: a.store,
			})
			if err != nil {
				a.log.Error("Slack Socket Mode stopped; slash commands over it go unanswered", "err", err)
			}
		})
	}
}

// registerTimeout bounds one attempt to register the application commands.
const registerTimeout = 30 * time.Second

// startDiscord registers Discord's application commands and, without an
// interactions endpoint, serves them over the gateway. Only the leader runs
// it: Discord sends each interaction to every session of a bot, so two
// replicas on the gateway would answer twice.
func (a *App) startDiscord(ctx context.Context, wg *sync.WaitGroup) {
	d := a.cfg.Discord
	if d == nil {
		return
	}
	if d.ApplicationID != "" {
		wg.Go(func() { a.registerCommands(ctx, d) })
	}
	// With an interactions endpoint (public_key set) Discord sends commands
	// over HTTP and not over the gateway.
	if d.PublicKey == "" {
		wg.Go(func() {
			err := discordcmd.RunGateway(ctx, discordcmd.GatewayOptions{
				Token: d.BotToken, APIURL: d.APIURL, Commands: a.commands,
				Admins: discordcmd.Admins{Roles: d.AdminRoles},
				Log:    a.log.With("component", "discord-gateway"),
				Lang:   a.chatLang("discord"),
			})
			if err != nil {
				a.log.Error("the Discord gateway stopped; application commands go unanswered", "err", err)
			}
		})
	}
}

// pruneSeenEvery is how often the leader deletes expired request keys.
const pruneSeenEvery = time.Minute

// pruneSeen deletes the remembered requests whose signatures have expired,
// so the table stays as small as ten minutes of commands. The leader does
// it; any replica's table is the same one.
func (a *App) pruneSeen(ctx context.Context) {
	every(ctx, pruneSeenEvery, false, func() {
		// The wall clock, as the handlers use: Slack and Discord sign with it.
		if _, err := a.store.PruneSeen(ctx, time.Now()); err != nil && ctx.Err() == nil {
			a.log.Warn("cannot prune remembered chat requests; retrying in a minute", "err", err)
		}
	})
}
