package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/bot"
	discordnotifier "github.com/outagebot/outagebot/notifier/discord"
)

// RegisterOptions configure Register.
type RegisterOptions struct {
	// Token is the bot token (with or without "Bot ").
	Token string
	// ApplicationID is the application's id (Developer Portal > General
	// Information).
	ApplicationID string
	// GuildID, when set, registers the commands in that server only, where
	// changes show at once (handy while testing); empty registers them
	// globally.
	GuildID string
	// APIURL replaces https://discord.com (scheme, host, port); empty is
	// Discord itself.
	APIURL string
	// HTTPClient is an optional base client.
	HTTPClient *http.Client
	// Log receives what was registered; nil discards.
	Log *slog.Logger
	// AdminOnly registers the commands that change state (mute, unmute)
	// with default_member_permissions = Administrator, so Discord shows
	// them only to server administrators until an administrator grants
	// them to more roles (Server Settings > Integrations). Set it with
	// [discord] admin_roles; the bot checks those roles on every use
	// anyway, so an override there cannot let anyone else in. Registered
	// globally, they are offered in servers only (contexts [0]).
	AdminOnly bool
}

// Register installs ApplicationCommands with one bulk overwrite, which
// replaces whatever commands the application had in that scope (so a
// renamed or removed command disappears) and is idempotent: call it at every
// start. Its errors never contain the token.
func Register(ctx context.Context, opts RegisterOptions) error {
	if !isSnowflake(opts.ApplicationID) {
		return errors.New("discord: application_id must be the numeric application id (Developer Portal > General Information)")
	}
	if opts.GuildID != "" && !isSnowflake(opts.GuildID) {
		return errors.New("discord: guild_id must be a numeric server id")
	}
	s, err := discordnotifier.NewSession(opts.Token, opts.APIURL, opts.HTTPClient)
	if err != nil {
		return err
	}
	cmds := ApplicationCommands()
	if opts.AdminOnly {
		restrict(cmds, opts.GuildID == "")
	}
	scope := "global"
	if opts.GuildID != "" {
		scope = "guild " + opts.GuildID
	}
	if _, err := s.ApplicationCommandBulkOverwrite(opts.ApplicationID, opts.GuildID, cmds, discordgo.WithContext(ctx)); err != nil {
		return describe("register application commands ("+scope+")", err, opts.Token)
	}
	if opts.Log != nil {
		names := make([]string, len(cmds))
		for i, c := range cmds {
			names[i] = "/" + c.Name
		}
		opts.Log.Info("registered Discord commands", "scope", scope, "commands", strings.Join(names, " "))
	}
	return nil
}

// describe turns a discordgo error into one that says what failed and never
// repeats a secret (the token, an interaction token in a URL).
func describe(op string, err error, secrets ...string) error {
	var msg string
	var re *discordgo.RESTError
	var ue *url.Error
	var rl *discordgo.RateLimitError
	switch {
	case errors.As(err, &rl) && rl.RateLimit != nil && rl.TooManyRequests != nil:
		// Its text holds the URL.
		msg = fmt.Sprintf("HTTP 429: rate limited, retry after %s", rl.RetryAfter)
	case errors.As(err, &re) && re.Response != nil:
		msg = fmt.Sprintf("HTTP %d", re.Response.StatusCode)
		if re.Message != nil && (re.Message.Message != "" || re.Message.Code != 0) {
			msg += fmt.Sprintf(": %s (code %d)", re.Message.Message, re.Message.Code)
		}
	case errors.As(err, &ue):
		// The URL may hold an interaction token: keep only the cause.
		msg = ue.Err.Error()
	default:
		msg = err.Error()
	}
	return &redactedError{msg: redact("discord: "+op+": "+msg, secrets...), err: err}
}

// redactedError keeps the cause for errors.Is (context.Canceled) without
// showing its text.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func redact(s string, secrets ...string) string {
	for _, secret := range secrets {
		secret = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(secret), "Bot "))
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[REDACTED]")
		}
	}
	return s
}

// isSnowflake reports whether s is a Discord id.
func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// restrict limits the state-changing commands to server administrators by
// default (https://discord.com/developers/docs/interactions/application-commands#permissions).
// Global ones are offered in servers only: in a DM with the bot
// default_member_permissions does not apply, and the bot refuses them
// there anyway (a DM has no roles). Guild commands cannot be used in DMs,
// and Discord takes contexts only on global ones.
func restrict(cmds []*discordgo.ApplicationCommand, global bool) {
	perms := int64(discordgo.PermissionAdministrator)
	for _, c := range cmds {
		if bot.Privileged(c.Name) {
			c.DefaultMemberPermissions = &perms
			if global {
				c.Contexts = &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}
			}
		}
	}
}
