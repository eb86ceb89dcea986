package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
	act, err := action.Parse(id)
	if err != nil {
		return problem("That button is not one I know", "It may belong to an older version of the bot. `help` lists what I can do.")
	}
	if c.Acks == nil {
		return problem("Buttons are not available here")
	}
	o, err := c.Acks.Outage(ctx, act.OutageID)
	if err != nil || o.ID != act.OutageID {
		return problem("I do not know that outage", "It may have been removed from my records. `incidents 7d` lists recent outages.")
	}
	switch act.Kind {
	case action.Report:
		return c.report(ctx, []string{o.ID})
	case action.Mute:
		return c.Run(ctx, Request{Text: "mute " + o.Target + " " + muteForButton, User: r.User, UserID: r.UserID, UserName: r.UserName, Platform: r.Platform, Permit: r.Permit})
	}
	return c.acknowledge(ctx, r, o)
}

// acknowledge records r's asker as the one who took o on, unless someone
// did first: then it says who.
func (c *Commands) acknowledge(ctx context.Context, r Request, o outage.Outage) Answer {
	if a, ok := c.allowed(ctx, r, "acknowledge"); !ok {
		return a
	}
	if !o.Open() {
		return problem("That outage is already over", fmt.Sprintf("%s was resolved; there is nothing left to acknowledge. The Report button shows what happened.", o.Title))
	}
	mine := outage.Ack{UserID: r.UserID, Name: strings.TrimPrefix(r.UserName, "@"), Platform: r.Platform, At: c.now().UTC()}
	if mine.UserID == "" {
		mine.UserID = r.User
	}
	got, first, err := c.Acks.Acknowledge(ctx, o.ID, mine)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return problem("The acknowledgement could not be saved in time", "Please click again.")
	case err != nil:
		return problem("The acknowledgement could not be saved", err.Error())
	case !first:
		return Answer{Title: "Already acknowledged", Sections: []Section{{Lines: []string{
			fmt.Sprintf("%s: %s.", o.Title, got.Line(r.Platform)),
		}}}}
	}
	return Answer{Title: "✅ You acknowledged it", Sections: []Section{{Lines: []string{
		fmt.Sprintf("%s: %s. The outage's message in every channel will say so.", o.Title, got.Line(r.Platform)),
	}}}}
}
