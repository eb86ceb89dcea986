package discord

import (
	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/interact/action"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// platform is this package's name for Discord in an outage.Ack.
const platform = "discord"

// Handles implements notifier.Kinds: the bot shows acknowledgements too.
func (n *Notifier) Handles(k outage.Kind) bool {
	return k == outage.Acknowledged || k == outage.Opened || k == outage.Updated || k == outage.Resolved ||
		k == outage.Digest || k == outage.Report
}

// Mention is who a channel's new outages notify: a role id or "@here", as
// configured; empty for nobody.
type Mention struct {
	Who string
	// Min is the least severity that mentions (default partial_outage).
	Min sources.Status
}

// applies reports whether ev, as a new root, mentions: an incident opening
// at or above the threshold, never a later event.
func (m Mention) applies(ev outage.Event) bool {
	if m.Who == "" || ev.Kind != outage.Opened || ev.Class != outage.Incident || ev.Joined() {
		return false
	}
	min := m.Min
	if min == "" {
		min = sources.PartialOutage
	}
	return ev.Severity.Rank() >= min.Rank()
}

// apply puts the mention in the message's content and allows exactly that
// mention to notify: the role, or @here (which Discord files under
// "everyone"); nothing else in the message can ping.
func (m Mention) apply(msg *discordgo.MessageSend) {
	if m.Who == "@here" {
		msg.Content = joinContent("@here", msg.Content)
		msg.AllowedMentions = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeEveryone}}
		return
	}
	msg.Content = joinContent("<@&"+m.Who+">", msg.Content)
	msg.AllowedMentions = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}, Roles: []string{m.Who}}
}

func joinContent(a, b string) string {
	if b == "" {
		return a
	}
	return truncate(a+" "+b, maxContent)
}

// Buttons are the root's components, labelled in p's language: one action
// row with Acknowledge, Mute 1h and Report while the outage is open, only
// Report after; none on a notice about the bot itself.
func Buttons(p *i18n.Printer, ev outage.Event) []discordgo.MessageComponent {
	if ev.Target == outage.SelfTarget {
		return nil
	}
	acts := action.Buttons(ev.OutageID, ev.Kind != outage.Resolved && ev.ResolvedAt.IsZero(), ev.Ack != nil)
	if len(acts) == 0 {
		return nil
	}
	row := discordgo.ActionsRow{}
	for _, a := range acts {
		style := discordgo.SecondaryButton
		if a.Kind == action.Ack {
			style = discordgo.PrimaryButton
		}
		row.Components = append(row.Components, discordgo.Button{Label: a.Kind.Label(p), Style: style, CustomID: a.ID()})
	}
	return []discordgo.MessageComponent{row}
}

// withAck adds the acknowledgement to a root embed.
func withAck(p *i18n.Printer, e *discordgo.MessageEmbed, ev outage.Event) *discordgo.MessageEmbed {
	if ev.Ack == nil {
		return e
	}
	c := *e
	c.Fields = append(append([]*discordgo.MessageEmbedField(nil), e.Fields...), &discordgo.MessageEmbedField{
		Name:  "✅ " + p.T("chat.discord.ack.title", nil),
		Value: p.T("chat.discord.ack.by", i18n.Args{"Who": ev.Ack.Mention(platform), "Clock": p.Clock(ev.Ack.At)}),
	})
	return fitEmbeds(&c)[0]
}

// RenderAck is the reply an acknowledgement posts under the root.
func RenderAck(p *i18n.Printer, ev outage.Event) *discordgo.MessageSend {
	line := p.T("chat.discord.ack.title", nil)
	if ev.Ack != nil {
		line = notifier.AckLine(p, *ev.Ack, platform)
	}
	if ev.Joined() {
		line = "**" + Inert(title(p, ev)) + "** · " + line
	}
	return &discordgo.MessageSend{Content: truncate("✅ "+line, maxContent), AllowedMentions: noMentions()}
}

// rootMessage is the root as the bot posts it: the embed with the ack and
// the buttons, and the mention when the event calls for one.
func (n *Notifier) rootMessage(ev outage.Event) *discordgo.MessageSend {
	m := *n.render.post(ev)
	m.Embeds = append([]*discordgo.MessageEmbed(nil), m.Embeds...)
	if len(m.Embeds) > 0 {
		m.Embeds[0] = withAck(n.render.p, m.Embeds[0], ev)
	}
	m.Components = Buttons(n.render.p, ev)
	if n.mention.applies(ev) {
		n.mention.apply(&m)
	}
	return &m
}
