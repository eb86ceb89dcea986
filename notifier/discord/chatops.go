package discord

import (
	"github.com/bwmarrin/discordgo"
	"github.com/outagebot/outagebot/i18n"

	"github.com/outagebot/outagebot/interact/action"
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

// Buttons are the root's components: one action row with Acknowledge, Mute
// 1h and Report while the outage is open, only Report after; none on a
// notice about the bot itself.
func Buttons(ev outage.Event) []discordgo.MessageComponent {
	if ev.Target == outage.SelfTarget {
		return nil
	}
	acts := action.Buttons(ev.OutageID, ev.Kind != outage.Resolved && ev.ResolvedAt.IsZero())
	if len(acts) == 0 {
		return nil
	}
	row := discordgo.ActionsRow{}
	for _, a := range acts {
		style := discordgo.SecondaryButton
		if a.Kind == action.Ack {
			style = discordgo.PrimaryButton
		}
		row.Components = append(row.Components, discordgo.Button{Label: a.Kind.Label(i18n.For(i18n.Default)), Style: style, CustomID: a.ID()})
	}
	return []discordgo.MessageComponent{row}
}

// withAck adds the acknowledgement to a root embed.
func withAck(e *discordgo.MessageEmbed, ev outage.Event) *discordgo.MessageEmbed {
	if ev.Ack == nil {
		return e
	}
	c := *e
	c.Fields = append(append([]*discordgo.MessageEmbedField(nil), e.Fields...), &discordgo.MessageEmbedField{
		Name: "✅ Acknowledged", Value: "by " + ev.Ack.Mention(platform) + " at " + ev.Ack.At.UTC().Format("15:04 UTC"),
	})
	return fitEmbeds(&c)[0]
}

// RenderAck is the reply an acknowledgement posts under the root.
func RenderAck(ev outage.Event) *discordgo.MessageSend {
	line := "Acknowledged"
	if ev.Ack != nil {
		line = ev.Ack.Line(platform)
	}
	if ev.Joined() {
		line = "**" + Inert(title(ev)) + "** · " + line
	}
	return &discordgo.MessageSend{Content: truncate("✅ "+line, maxContent), AllowedMentions: noMentions()}
}

// rootMessage is the root as the bot posts it: the embed with the ack and
// the buttons, and the mention when the event calls for one.
func (n *Notifier) rootMessage(ev outage.Event) *discordgo.MessageSend {
	m := *n.render.post(ev)
	m.Embeds = append([]*discordgo.MessageEmbed(nil), m.Embeds...)
	if len(m.Embeds) > 0 {
		m.Embeds[0] = withAck(m.Embeds[0], ev)
	}
	m.Components = Buttons(ev)
	if n.mention.applies(ev) {
		n.mention.apply(&m)
	}
	return &m
}
