// Package discord answers Discord application commands (slash commands)
// with the platform-neutral command logic of package bot.
//
// Commands reach it one of two ways, and are answered the same:
//
//   - over HTTP, at the Interactions Endpoint URL set in the Developer
//     Portal (NewHandler: POST /discord/interactions, Ed25519-verified with
//     the application's public key, timestamp checked);
//   - over the gateway websocket (RunGateway), for bots that cannot be
//     reached from the internet. Discord sends interactions to only one of
//     the two: when an Interactions Endpoint URL is set, the gateway gets
//     none.
//
// Register installs the command definitions (a bulk overwrite, guild-scoped
// for instant updates while testing, global otherwise).
//
// The commands are /status [target], /incidents [window],
// /uptime [target] [window], /mute target duration [reason],
// /unmute target, /subscribe name [severity], /unsubscribe name,
// /subscriptions and /outagebot-help. Help is its own command, not a
// "help" subcommand of /status: a command with subcommands cannot also take
// options, and /status target:<name> is the common case. Target options
// autocomplete from the configured target names.
//
// Answers are embeds, shown only to the person who asked (ephemeral) unless
// the answer is public; a mute or unmute is public and carries its
// announcement as the message text. No answer pings anyone. What only the
// asker sees is written in their Discord language when the catalog has it,
// else in the channel's; what the channel sees, in the channel's.
package discord

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
)

// Answerer is the command logic (*bot.Commands).
type Answerer interface {
	Run(ctx context.Context, r bot.Request) bot.Answer
	TargetNames() []string
}

var _ Answerer = (*bot.Commands)(nil)

// Follower, when the Answerer is one, completes the names /subscribe
// takes: targets, groups and catalog vendors.
type Follower interface {
	FollowNames() []string
}

var _ Follower = (*bot.Commands)(nil)

// Path is where NewHandler expects Discord's interactions.
const Path = "/discord/interactions"

// answerTimeout bounds one answer: Discord waits 3 s for the callback.
const answerTimeout = discordgo.InteractionDeadline - 500*time.Millisecond

// Option names.
const (
	optTarget   = "target"
	optWindow   = "window"
	optDuration = "duration"
	optReason   = "reason"
	optOutage   = "outage"
	optFormat   = "format"
	optFollow   = "name"
	optSeverity = "severity"
)

// helpCommand is the name of the help command.
const helpCommand = "outagebot-help"

// ApplicationCommands are the command definitions Register installs. Names
// and choices are syntax and stay English; each description is the
// catalog's English one with a German localization, which Discord shows to
// users whose client is set to German.
func ApplicationCommands() []*discordgo.ApplicationCommand {
	target := func(required bool, id string) *discordgo.ApplicationCommandOption {
		return describedOpt(&discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionString, Name: optTarget,
			Required: required, Autocomplete: true, MaxLength: maxChoiceValue,
		}, id)
	}
	window := func() *discordgo.ApplicationCommandOption {
		return describedOpt(&discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionString, Name: optWindow, MaxLength: 16,
		}, "interact.discord.opt.window")
	}
	return []*discordgo.ApplicationCommand{
		described(&discordgo.ApplicationCommand{
			Name: "status", Type: discordgo.ChatApplicationCommand,
			Options: []*discordgo.ApplicationCommandOption{target(false, "interact.discord.opt.status_target")},
		}, "interact.discord.cmd.status"),
		described(&discordgo.ApplicationCommand{
			Name: "incidents", Type: discordgo.ChatApplicationCommand,
			Options: []*discordgo.ApplicationCommandOption{window()},
		}, "interact.discord.cmd.incidents"),
		described(&discordgo.ApplicationCommand{
			Name: "uptime", Type: discordgo.ChatApplicationCommand,
			Options: []*discordgo.ApplicationCommandOption{target(false, "interact.discord.opt.uptime_target"), window()},
		}, "interact.discord.cmd.uptime"),
		described(&discordgo.ApplicationCommand{
			Name: "report", Type: discordgo.ChatApplicationCommand,
			Options: []*discordgo.ApplicationCommandOption{
				describedOpt(&discordgo.ApplicationCommandOption{
					Type: discordgo.ApplicationCommandOptionString, Name: optOutage, Required: true, MaxLength: 64,
				}, "interact.discord.opt.outage"),
				describedOpt(&discordgo.ApplicationCommandOption{
					Type: discordgo.ApplicationCommandOptionString, Name: optFormat,
					Choices: []*discordgo.ApplicationCommandOptionChoice{
						{Name: "summary", Value: "summary"},
						{Name: "markdown", Value: "markdown"},
					},
				}, "interact.discord.opt.format"),
			},
		}, "interact.discord.cmd.report"),
		described(&discordgo.ApplicationCommand{
			Name: "digest", Type: discordgo.ChatApplicationCommand,
			Options: []*discordgo.ApplicationCommandOption{window()},
		}, "interact.discord.cmd.digest"),
		described(&discordgo.ApplicationCommand{
			Name: "mute", Type: discordgo.ChatApplicationCommand,
			Options: []*discordgo.ApplicationCommandOption{
				target(true, "interact.discord.opt.mute_target"),
				describedOpt(&discordgo.ApplicationCommandOption{
					Type: discordgo.ApplicationCommandOptionString, Name: optDuration, Required: true, MaxLength: 16,
				}, "interact.discord.opt.duration"),
				describedOpt(&discordgo.ApplicationCommandOption{
					Type: discordgo.ApplicationCommandOptionString, Name: optReason, MaxLength: 200,
				}, "interact.discord.opt.reason"),
			},
		}, "interact.discord.cmd.mute"),
		described(&discordgo.ApplicationCommand{
			Name: "unmute", Type: discordgo.ChatApplicationCommand,
			Options: []*discordgo.ApplicationCommandOption{target(true, "interact.discord.opt.unmute_target")},
		}, "interact.discord.cmd.unmute"),
		described(&discordgo.ApplicationCommand{
			Name: "subscribe", Type: discordgo.ChatApplicationCommand,
			Options: []*discordgo.ApplicationCommandOption{
				describedOpt(&discordgo.ApplicationCommandOption{
					Type: discordgo.ApplicationCommandOptionString, Name: optFollow, Required: true, Autocomplete: true, MaxLength: maxChoiceValue,
				}, "interact.discord.opt.follow"),
				describedOpt(&discordgo.ApplicationCommandOption{
					Type: discordgo.ApplicationCommandOptionString, Name: optSeverity,
					Choices: []*discordgo.ApplicationCommandOptionChoice{
						{Name: "degraded", Value: "degraded"},
						{Name: "partial_outage", Value: "partial_outage"},
						{Name: "major_outage", Value: "major_outage"},
					},
				}, "interact.discord.opt.severity"),
			},
		}, "interact.discord.cmd.subscribe"),
		described(&discordgo.ApplicationCommand{
			Name: "unsubscribe", Type: discordgo.ChatApplicationCommand,
			Options: []*discordgo.ApplicationCommandOption{describedOpt(&discordgo.ApplicationCommandOption{
				Type: discordgo.ApplicationCommandOptionString, Name: optFollow, Required: true, Autocomplete: true, MaxLength: maxChoiceValue,
			}, "interact.discord.opt.unfollow")},
		}, "interact.discord.cmd.unsubscribe"),
		described(&discordgo.ApplicationCommand{
			Name: "subscriptions", Type: discordgo.ChatApplicationCommand,
		}, "interact.discord.cmd.subscriptions"),
		described(&discordgo.ApplicationCommand{
			Name: helpCommand, Type: discordgo.ChatApplicationCommand,
		}, "interact.discord.cmd.help"),
	}
}

// discordLocales are the Discord locales each catalog language other than
// English is registered under.
var discordLocales = map[string][]discordgo.Locale{"de": {discordgo.German}}

// localized is a description's localizations: the message in every catalog
// language Discord has a locale for.
func localized(id string) map[discordgo.Locale]string {
	out := map[discordgo.Locale]string{}
	for _, lang := range i18n.Languages[1:] {
		for _, loc := range discordLocales[lang] {
			out[loc] = i18n.For(lang).T(id, nil)
		}
	}
	return out
}

// described sets c's description to message id, localized.
func described(c *discordgo.ApplicationCommand, id string) *discordgo.ApplicationCommand {
	c.Description = i18n.For(i18n.Default).T(id, nil)
	loc := localized(id)
	c.DescriptionLocalizations = &loc
	return c
}

// describedOpt sets o's description to message id, localized.
func describedOpt(o *discordgo.ApplicationCommandOption, id string) *discordgo.ApplicationCommandOption {
	o.Description = i18n.For(i18n.Default).T(id, nil)
	o.DescriptionLocalizations = localized(id)
	return o
}

// argOrder is, per command, the options in the order the command text takes
// them.
var argOrder = map[string][]string{
	"status":    {optTarget},
	"incidents": {optWindow},
	"uptime":    {optTarget, optWindow},
	"report":    {optOutage, optFormat},
	"digest":    {optWindow},
	"mute":      {optTarget, optDuration, optReason},
	"unmute":    {optTarget},
	// Subscriptions: top-level commands as the others, since /status takes
	// an option and so cannot have subcommands.
	"subscribe":     {optFollow, optSeverity},
	"unsubscribe":   {optFollow},
	"subscriptions": nil,
	helpCommand:     nil,
}

// Langs gives the language of what the bot writes to a channel, by the
// channel's id: its [[channel]] locale, else [bot] locale.
type Langs func(channel string) string

// of is the language of channel; "" (the default) without Langs.
func (l Langs) of(channel string) string {
	if l == nil {
		return ""
	}
	return l(channel)
}

// languages fills in r's languages: the channel's, and the asker's own
// when Discord sent a locale the catalog has ("de", "en-US"; not "pt-BR").
func languages(r *bot.Request, i *discordgo.Interaction, langs Langs) {
	r.Lang = langs.of(i.ChannelID)
	if i.Locale != "" {
		r.UserLang = i18n.Match(string(i.Locale))
	}
}

// RequestFor maps an application command invocation to the text command
// logic understands: /uptime target:github window:7d is "uptime github 7d",
// /status with no target is "status", /outagebot-help is "help". The user is
// "<@id>", which Discord shows as a mention. ok is false for a command this
// package did not define.
func RequestFor(i *discordgo.Interaction) (r bot.Request, ok bool) { return requestFor(i, nil) }

// requestFor is RequestFor with the channel's language from langs.
func requestFor(i *discordgo.Interaction, langs Langs) (r bot.Request, ok bool) {
	data, isCmd := i.Data.(discordgo.ApplicationCommandInteractionData)
	if !isCmd {
		return bot.Request{}, false
	}
	order, known := argOrder[data.Name]
	if !known {
		return bot.Request{}, false
	}
	word := data.Name
	if word == helpCommand {
		word = "help"
	}
	parts := []string{word}
	for _, name := range order {
		if v := optionText(data.GetOption(name)); v != "" {
			parts = append(parts, v)
		}
	}
	r = bot.Request{Text: strings.Join(parts, " "), Channel: i.ChannelID}
	languages(&r, i, langs)
	userFields(&r, i)
	return r, true
}

// optionText is an option's value as one line of text.
func optionText(o *discordgo.ApplicationCommandInteractionDataOption) string {
	if o == nil || o.Value == nil {
		return ""
	}
	s, ok := o.Value.(string)
	if !ok {
		s = fmt.Sprint(o.Value)
	}
	return strings.Join(strings.Fields(s), " ")
}

// userOf is the invoking user as a mention: Member in a guild, User in a
// DM; p names an unknown one (announcements name the user to the channel).
func userOf(i *discordgo.Interaction, p *i18n.Printer) string {
	switch {
	case i.Member != nil && i.Member.User != nil:
		return "<@" + i.Member.User.ID + ">"
	case i.User != nil:
		return "<@" + i.User.ID + ">"
	}
	return p.T("interact.someone", nil)
}

// Respond builds the answer to an application command or autocomplete
// interaction, or to a click on an outage root's button (a message
// component). ok is false for other interaction types (PING is answered by
// the HTTP handler; modals are not used). Commands that change state are
// checked against admins; langs gives each channel's language.
func Respond(ctx context.Context, a Answerer, i *discordgo.Interaction, admins Admins, langs Langs) (resp *discordgo.InteractionResponse, ok bool) {
	switch i.Type {
	case discordgo.InteractionMessageComponent:
		return respondComponent(ctx, a, i, admins, langs), true
	case discordgo.InteractionApplicationCommand:
		r, known := requestFor(i, langs)
		if !known {
			return Render(unknownCommand(i, langs)), true
		}
		r.Permit = admins.permit(i)
		ctx, cancel := context.WithTimeout(ctx, answerTimeout)
		defer cancel()
		return Render(a.Run(ctx, r)), true
	case discordgo.InteractionApplicationCommandAutocomplete:
		data, isCmd := i.Data.(discordgo.ApplicationCommandInteractionData)
		var choices []*discordgo.ApplicationCommandOptionChoice
		if isCmd {
			if o := focused(data.Options); o != nil && o.Name == optTarget {
				partial, _ := o.Value.(string)
				choices = Choices(a.TargetNames(), partial)
			} else if o != nil && o.Name == optFollow {
				partial, _ := o.Value.(string)
				names := a.TargetNames()
				if f, ok := a.(Follower); ok {
					names = f.FollowNames()
				}
				choices = Choices(names, partial)
			}
		}
		return &discordgo.InteractionResponse{
			Type: discordgo.InteractionApplicationCommandAutocompleteResult,
			Data: &discordgo.InteractionResponseData{Choices: choices},
		}, true
	}
	return nil, false
}

// unknownCommand answers a command this package did not define, in the
// asker's language.
func unknownCommand(i *discordgo.Interaction, langs Langs) bot.Answer {
	name := ""
	if d, isCmd := i.Data.(discordgo.ApplicationCommandInteractionData); isCmd {
		name = d.Name
	}
	var r bot.Request
	languages(&r, i, langs)
	p := private(r)
	return bot.Answer{
		Title:    p.T("interact.discord.unknown_command", i18n.Args{"Name": name}),
		Problem:  true,
		Sections: []bot.Section{{Lines: []string{p.T("interact.discord.unknown_command_hint", nil)}}},
		Lang:     p.Lang(),
	}
}

// private is the printer of what only r's asker sees.
func private(r bot.Request) *i18n.Printer {
	if r.UserLang != "" {
		return i18n.For(r.UserLang)
	}
	return i18n.For(r.Lang)
}

// focused finds the option being typed, in subcommands too.
func focused(opts []*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range opts {
		if o.Focused {
			return o
		}
		if f := focused(o.Options); f != nil {
			return f
		}
	}
	return nil
}
