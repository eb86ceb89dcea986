package discord

import (
	"context"
	"slices"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
)

// Admins is who may change what the bot does from Discord (mute, unmute,
// acknowledge): members holding one of Roles, and members with the
// Administrator permission. With no Roles everyone may, as before the
// setting existed.
type Admins struct {
	// Roles are role ids ([discord] admin_roles).
	Roles []string
}

// permit is the rule for the member behind i; nil lets everyone.
func (a Admins) permit(i *discordgo.Interaction) bot.Permit {
	if len(a.Roles) == 0 {
		return nil
	}
	return memberPermit{admins: a, member: i.Member}
}

type memberPermit struct {
	admins Admins
	// member is nil outside a server (a DM): nobody there holds a role.
	member *discordgo.Member
}

// Allows checks the roles and permissions Discord put in the interaction
// (it signs them, or sends them over the bot's own gateway): no API call.
func (p memberPermit) Allows(_ context.Context, pr *i18n.Printer) (bool, string, error) {
	who := p.admins.who(pr)
	if p.member == nil {
		return false, who, nil
	}
	if p.member.Permissions&discordgo.PermissionAdministrator != 0 {
		return true, who, nil
	}
	for _, r := range p.member.Roles {
		if slices.Contains(p.admins.Roles, r) {
			return true, who, nil
		}
	}
	return false, who, nil
}

// who names those who may, in p's language: role mentions (which an answer
// never pings: no answer allows mentions) and server administrators.
func (a Admins) who(p *i18n.Printer) string {
	var roles []string
	for _, r := range a.Roles {
		roles = append(roles, "<@&"+r+">")
	}
	return p.T("interact.discord.admins", i18n.Args{"Roles": bot.Or(p, roles)})
}

// Actor answers the buttons on outage roots (*bot.Commands).
type Actor interface {
	Act(ctx context.Context, r bot.Request, id string) bot.Answer
}

var _ Actor = (*bot.Commands)(nil)

// userFields fills in who asked: the mention, the id and a name to show on
// other platforms. r's languages are set.
func userFields(r *bot.Request, i *discordgo.Interaction) {
	r.User, r.Platform = userOf(i, i18n.For(r.Lang)), "discord"
	var u *discordgo.User
	switch {
	case i.Member != nil && i.Member.User != nil:
		u = i.Member.User
		if i.Member.Nick != "" {
			r.UserName = i.Member.Nick
		}
	case i.User != nil:
		u = i.User
	}
	if u != nil {
		r.UserID = u.ID
		if r.UserName == "" {
			r.UserName = u.GlobalName
		}
		if r.UserName == "" {
			r.UserName = u.Username
		}
	}
}

// respondComponent answers a click on one of the root's buttons: always
// an ephemeral message to the clicker (type 4), except a mute, whose
// announcement the channel sees as after /mute.
func respondComponent(ctx context.Context, a Answerer, i *discordgo.Interaction, admins Admins, langs Langs) *discordgo.InteractionResponse {
	r := bot.Request{Permit: admins.permit(i)}
	languages(&r, i, langs)
	data, ok := i.Data.(discordgo.MessageComponentInteractionData)
	actor, canAct := a.(Actor)
	if !ok || !canAct {
		p := private(r)
		return Render(bot.Answer{Title: p.T("cmd.button.unknown", nil), Problem: true, Lang: p.Lang()})
	}
	userFields(&r, i)
	ctx, cancel := context.WithTimeout(ctx, answerTimeout)
	defer cancel()
	return Render(actor.Act(ctx, r, data.CustomID))
}
