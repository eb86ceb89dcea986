package bot

import (
	"context"
	"errors"
	"strings"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/interact/action"
	"github.com/outagebot/outagebot/outage"
)

// Acks records acknowledgements and finds the outage a button names;
// *store.Store is one.
type Acks interface {
	Outage(ctx context.Context, id string) (outage.Outage, error)
	Acknowledge(ctx context.Context, outageID string, a outage.Ack) (outage.Ack, bool, error)
}

// muteForButton is how long the Mute button mutes.
const muteForButton = "1h"

// Act answers a click on one of an outage root's buttons (id is the
// button's action id or custom id, as it came back). Nothing in id is
// trusted: an id that is not one of the bot's buttons, or names an outage
// the store does not hold, gets a polite answer and changes nothing. Mute
// and Acknowledge need r's Permit, like the mute command.
func (c *Commands) Act(ctx context.Context, r Request, id string) Answer {
	return written(r, c.act(ctx, r, id))
}

func (c *Commands) act(ctx context.Context, r Request, id string) Answer {
	p := r.private()
	act, err := action.Parse(id)
	if err != nil {
		return problem(p.T("cmd.button.unknown", nil), p.T("cmd.button.unknown_hint", nil))
	}
	if c.Acks == nil {
		return problem(p.T("cmd.button.unavailable", nil))
	}
	o, err := c.Acks.Outage(ctx, act.OutageID)
	if err != nil || o.ID != act.OutageID {
		return problem(p.T("cmd.button.no_outage", nil), p.T("cmd.button.no_outage_hint", nil))
	}
	switch act.Kind {
	case action.Report:
		return c.report(ctx, p, []string{o.ID})
	case action.Mute:
		return c.Run(ctx, Request{Text: "mute " + o.Target + " " + muteForButton, User: r.User, UserID: r.UserID, UserName: r.UserName,
			Platform: r.Platform, Permit: r.Permit, Lang: r.Lang, UserLang: r.UserLang})
	}
	return c.acknowledge(ctx, r, o)
}

// acknowledge records r's asker as the one who took o on, unless someone
// did first: then it says who.
func (c *Commands) acknowledge(ctx context.Context, r Request, o outage.Outage) Answer {
	if a, ok := c.allowed(ctx, r, "acknowledge"); !ok {
		return a
	}
	p := r.private()
	if !o.Open() {
		return problem(p.T("cmd.ack.over", nil), p.T("cmd.ack.over_note", i18n.Args{"Title": o.Title}))
	}
	mine := outage.Ack{UserID: r.UserID, Name: strings.TrimPrefix(r.UserName, "@"), Platform: r.Platform, At: c.now().UTC()}
	if mine.UserID == "" {
		mine.UserID = r.User
	}
	got, first, err := c.Acks.Acknowledge(ctx, o.ID, mine)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return problem(p.T("cmd.ack.timeout", nil), p.T("cmd.ack.click_again", nil))
	case err != nil:
		return problem(p.T("cmd.ack.failed", nil), err.Error())
	case !first:
		return Answer{Title: p.T("cmd.ack.already", nil), Sections: []Section{{Lines: []string{
			p.T("cmd.ack.already_line", i18n.Args{"Title": o.Title, "Ack": ackLine(p, got, r.Platform)}),
		}}}}
	}
	return Answer{Title: p.T("cmd.ack.done", nil), Sections: []Section{{Lines: []string{
		p.T("cmd.ack.done_line", i18n.Args{"Title": o.Title, "Ack": ackLine(p, got, r.Platform)}),
	}}}}
}

// ackLine says who acknowledged and when (outage.Ack.Line in p's
// language).
func ackLine(p *i18n.Printer, a outage.Ack, platform string) string {
	return p.T("cmd.ack.line", i18n.Args{"Who": a.Mention(platform), "Clock": p.Clock(a.At)})
}
