package slack

import (
	"strings"

	"github.com/slack-go/slack"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/interact/action"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// platform is this package's name for Slack in an outage.Ack.
const platform = "slack"

// actionsBlockID names the root's buttons block.
const actionsBlockID = "outagebot_actions"

// Handles implements notifier.Kinds: Slack shows acknowledgements too.
func (n *Notifier) Handles(k outage.Kind) bool {
	return k == outage.Acknowledged || k == outage.Opened || k == outage.Updated || k == outage.Resolved ||
		k == outage.Digest || k == outage.Report
}

// Mention is who a channel's new outages notify: "S123" (a user group),
// "@here" or "@channel", as configured; empty for nobody.
type Mention struct {
	Who string
	// Min is the least severity that mentions (default partial_outage).
	Min sources.Status
}

// text is the mention in Slack's message syntax.
func (m Mention) text() string {
	switch m.Who {
	case "":
		return ""
	case "@here":
		return "<!here>"
	case "@channel":
		return "<!channel>"
	}
	return "<!subteam^" + m.Who + ">"
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

// withMention puts the mention in front of a root: in the fallback text,
// which notifies, and in a section of its own above the headline.
func withMention(m Message, mention string) Message {
	m.Text = mention + " " + m.Text
	m.Blocks = append([]slack.Block{section(mention)}, m.Blocks...)
	return m
}

// withChrome adds what only a bot's root carries: who acknowledged the
// outage, and the buttons (all three while it is open, Report after).
func withChrome(p *i18n.Printer, m Message, ev outage.Event) Message {
	var extra []slack.Block
	if ev.Ack != nil {
		extra = append(extra, contextBlock(":white_check_mark: "+notifier.AckLine(p, *ev.Ack, platform)))
	}
	if b := ActionsBlock(p, ev); b != nil {
		extra = append(extra, b)
	}
	if len(extra) == 0 {
		return m
	}
	if len(m.Attachments) == 0 {
		m.Blocks = capBlocks(append(m.Blocks, extra...))
		return m
	}
	att := m.Attachments[0]
	blocks := append([]slack.Block(nil), att.Blocks.BlockSet...)
	if keep := MaxBlocks - len(extra); len(blocks) > keep {
		blocks = blocks[:keep]
	}
	att.Blocks = slack.Blocks{BlockSet: append(blocks, extra...)}
	m.Attachments = append([]slack.Attachment{att}, m.Attachments[1:]...)
	return m
}

// ActionsBlock is the root's buttons, labelled in p's language; nil for a
// notice about the bot itself, which has nothing to acknowledge or mute.
func ActionsBlock(p *i18n.Printer, ev outage.Event) slack.Block {
	if ev.Target == outage.SelfTarget {
		return nil
	}
	acts := action.Buttons(ev.OutageID, ev.Kind != outage.Resolved && ev.ResolvedAt.IsZero(), ev.Ack != nil)
	if len(acts) == 0 {
		return nil
	}
	var els []slack.BlockElement
	for _, a := range acts {
		b := slack.NewButtonBlockElement(a.ID(), a.OutageID, slack.NewTextBlockObject(slack.PlainTextType, a.Kind.Label(p), false, false))
		if a.Kind == action.Ack {
			b = b.WithStyle(slack.StylePrimary)
		}
		els = append(els, b)
	}
	return slack.NewActionBlock(actionsBlockID, els...)
}

// RenderAck is the reply an acknowledgement posts in the thread, in p's
// language.
func RenderAck(p *i18n.Printer, ev outage.Event) Message {
	line := notifier.Acknowledged(p)
	if ev.Ack != nil {
		line = notifier.AckLine(p, *ev.Ack, platform)
	}
	if ev.Joined() {
		line = "*" + escape(notifier.Headline(p, ev)) + "* · " + line
	}
	return Message{
		Text:   ":white_check_mark: " + escape(ev.Target) + ": " + strings.TrimPrefix(line, "*"),
		Blocks: []slack.Block{section(":white_check_mark: " + line)},
	}
}
