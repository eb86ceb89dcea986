// Package action names the buttons on an outage's root message and reads
// them back. The id of a button (Slack's action_id, Discord's custom_id)
// is "outagebot:<kind>:<outage id>"; it comes back with every click and is
// never trusted: Parse refuses anything else, and the outage is looked up
// before anything is done with it.
package action

import (
	"errors"
	"fmt"
	"strings"

	"github.com/outagebot/outagebot/i18n"
)

// Kind is what a button does.
type Kind string

// Kinds, in the order the buttons are shown.
const (
	Ack    Kind = "ack"
	Mute   Kind = "mute"
	Report Kind = "report"
)

// prefix starts every id outagebot gives a button.
const prefix = "outagebot:"

// MaxID bounds an id: Discord's custom_id holds at most 100 characters,
// Slack's action_id 255.
const MaxID = 100

// ErrUnknown is returned for an id that is not one of outagebot's buttons.
var ErrUnknown = errors.New("not an outagebot button")

// Action is one click: what to do, to which outage.
type Action struct {
	Kind     Kind
	OutageID string
}

// ID is the button's id.
func (a Action) ID() string { return prefix + string(a.Kind) + ":" + a.OutageID }

// Label is the button's text in p's language.
func (k Kind) Label(p *i18n.Printer) string {
	switch k {
	case Ack:
		return p.T("chat.button.ack", nil)
	case Mute:
		return p.T("chat.button.mute", nil)
	case Report:
		return p.T("chat.button.report", nil)
	}
	return string(k)
}

// Parse reads a button id. Only the three kinds and an outage id of
// letters, digits, '-' and '_' pass.
func Parse(id string) (Action, error) {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok || len(id) > MaxID {
		return Action{}, fmt.Errorf("%w: %q", ErrUnknown, clip(id))
	}
	kind, oid, ok := strings.Cut(rest, ":")
	if !ok {
		return Action{}, fmt.Errorf("%w: %q", ErrUnknown, clip(id))
	}
	switch k := Kind(kind); k {
	case Ack, Mute, Report:
	default:
		return Action{}, fmt.Errorf("%w: unknown action %q", ErrUnknown, clip(kind))
	}
	if oid == "" || strings.IndexFunc(oid, func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' && r != '_'
	}) >= 0 {
		return Action{}, fmt.Errorf("%w: malformed outage id", ErrUnknown)
	}
	return Action{Kind: Kind(kind), OutageID: oid}, nil
}

// Buttons are the actions an outage's root offers: all three while it is
// open and unacknowledged, Mute and Report once acknowledged, only Report
// once it is over (there is nothing left to take on or silence).
func Buttons(outageID string, open, acked bool) []Action {
	if len(prefix)+len("report:")+len(outageID) > MaxID {
		return nil
	}
	switch {
	case !open:
		return []Action{{Report, outageID}}
	case acked:
		// The root says who acknowledged it; a second click could only
		// be told so.
		return []Action{{Mute, outageID}, {Report, outageID}}
	}
	return []Action{{Ack, outageID}, {Mute, outageID}, {Report, outageID}}
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
