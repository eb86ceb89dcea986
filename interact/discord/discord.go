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
// announcement as the message text. No answer pings anyone.
package discord

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/bot"
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

// ApplicationCommands are the command definitions Register installs.
func ApplicationCommands() []*discordgo.ApplicationCommand {
	target := func(required bool, desc string) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionString, Name: optTarget, Description: desc,
			Required: required, Autocomplete: true, MaxLength: maxChoiceValue,
		}
	}
	window := func() *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionString, Name: optWindow,
			Description: "How far back, like 24h, 7d or 30d (default 24h)", MaxLength: 16,
		}
	}
	return []*discordgo.ApplicationCommand{
		{
			Name: "status", Type: discordgo.ChatApplicationCommand,
			Description: "Current status of every target, or of one in detail",
			Options:     []*discordgo.ApplicationCommandOption{target(false, "The target to show in detail (default: all)")},
		},
		{
			Name: "incidents", Type: discordgo.ChatApplicationCommand,
			Description: "Outages in a recent window",
			Options:     []*discordgo.ApplicationCommandOption{window()},
		},
		{
			Name: "uptime", Type: discordgo.ChatApplicationCommand,
			Description: "Uptime per target over a window",
			Options:     []*discordgo.ApplicationCommandOption{target(false, "One target (default: all)"), window()},
		},
		{
			Name: "report", Type: discordgo.ChatApplicationCommand,
			Description: "The timeline of an outage and what it affected",
			Options: []*discordgo.ApplicationCommandOption{
				{
					Type: discordgo.ApplicationCommandOptionString, Name: optOutage, Required: true,
					Description: "The outage id or its first characters (/incidents shows them)", MaxLength: 64,
				},
				{
					Type: discordgo.ApplicationCommandOptionString, Name: optFormat,
					Description: "summary (default) or markdown for an incident review",
					Choices: []*discordgo.ApplicationCommandOptionChoice{
						{Name: "summary", Value: "summary"},
						{Name: "markdown", Value: "markdown"},
					},
				},
			},
		},
		{
			Name: "digest", Type: discordgo.ChatApplicationCommand,
			Description: "The digest of a recent window, as the scheduled ones show it",
			Options:     []*discordgo.ApplicationCommandOption{window()},
		},
		{
			Name: "mute", Type: discordgo.ChatApplicationCommand,
			Description: "Stop announcing new outages of a target for a while",
			Options: []*discordgo.ApplicationCommandOption{
				target(true, "The target to mute"),
				{
					Type: discordgo.ApplicationCommandOptionString, Name: optDuration, Required: true,
					Description: "How long, like 30m, 2h or 1d", MaxLength: 16,
				},
				{
					Type: discordgo.ApplicationCommandOptionString, Name: optReason,
					Description: "Why, shown in the announcement", MaxLength: 200,
				},
			},
		},
		{
			Name: "unmute", Type: discordgo.ChatApplicationCommand,
			Description: "End a mute",
			Options:     []*discordgo.ApplicationCommandOption{target(true, "The target to unmute")},
		},
		{
			Name: "subscribe", Type: discordgo.ChatApplicationCommand,
			Description: "Post the outages of a target, group or catalog vendor in this channel",
			Options: []*discordgo.ApplicationCommandOption{
				{
					Type: discordgo.ApplicationCommandOptionString, Name: optFollow, Required: true, Autocomplete: true,
					Description: "A target, a group of targets or a vendor of the catalog", MaxLength: maxChoiceValue,
				},
				{
					Type: discordgo.ApplicationCommandOptionString, Name: optSeverity,
					Description: "The least severity posted (default: everything, maintenance included)",
					Choices: []*discordgo.ApplicationCommandOptionChoice{
						{Name: "degraded", Value: "degraded"},
						{Name: "partial_outage", Value: "partial_outage"},
						{Name: "major_outage", Value: "major_outage"},
					},
				},
			},
		},
		{
			Name: "unsubscribe", Type: discordgo.ChatApplicationCommand,
			Description: "Stop posting what this channel subscribed to",
			Options: []*discordgo.ApplicationCommandOption{{
				Type: discordgo.ApplicationCommandOptionString, Name: optFollow, Required: true, Autocomplete: true,
				Description: "What to stop following (/subscriptions lists it)", MaxLength: maxChoiceValue,
			}},
		},
		{
			Name: "subscriptions", Type: discordgo.ChatApplicationCommand,
			Description: "What this channel hears of, from the configuration and from chat",
		},
		{
			Name: helpCommand, Type: discordgo.ChatApplicationCommand,
			Description: "What outagebot's commands do",
		},
	}
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

// RequestFor maps an application command invocation to the text command
// logic understands: /uptime target:github window:7d is "uptime github 7d",
// /status with no target is "status", /outagebot-help is "help". The user is
// "<@id>", which Discord shows as a mention. ok is false for a command this
// package did not define.
func RequestFor(i *discordgo.Interaction) (r bot.Request, ok bool) {
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

// userOf is the invoking user as a mention: Member in a guild, User in a DM.
func userOf(i *discordgo.Interaction) string {
	switch {
	case i.Member != nil && i.Member.User != nil:
		return "<@" + i.Member.User.ID + ">"
	case i.User != nil:
		return "<@" + i.User.ID + ">"
	}
	return "someone"
}

// Respond builds the answer to an application command or autocomplete
// interaction, or to a click on an outage root's button (a message
// component). ok is false for other interaction types (PING is answered by
// the HTTP handler; modals are not used). Commands that change state are
// checked against admins.
func Respond(ctx context.Context, a Answerer, i *discordgo.Interaction, admins Admins) (resp *discordgo.InteractionResponse, ok bool) {
	switch i.Type {
	case discordgo.InteractionMessageComponent:
		return respondComponent(ctx, a, i, admins), true
	case discordgo.InteractionApplicationCommand:
		r, known := RequestFor(i)
		if !known {
			name := ""
			if d, isCmd := i.Data.(discordgo.ApplicationCommandInteractionData); isCmd {
				name = d.Name
			}
			return Render(bot.Answer{
				Title:    fmt.Sprintf("I don't know /%s", name),
				Problem:  true,
				Sections: []bot.Section{{Lines: []string{"The command list may be out of date; try `/" + helpCommand + "`."}}},
			}), true
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
