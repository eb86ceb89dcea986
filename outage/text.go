package outage

import (
	"time"

	"github.com/outagebot/outagebot/sources"
)

// Text is words the bot wrote about an outage, kept as a message id of the
// catalog (package i18n) and its arguments rather than as finished words,
// so that each destination writes them in its own language long after the
// event was stored. Vendor words are never a Text: they are shown as the
// vendor wrote them.
type Text struct {
	ID   string `json:"id"`
	Args []Arg  `json:"args,omitempty"`
}

// ArgKind says how an argument is written: as it is, or formatted in the
// reader's language.
type ArgKind string

const (
	// ArgText is shown as it is: a target's name, a vendor's title.
	ArgText ArgKind = "text"
	// ArgDuration is a duration ("1h 12m", "1 Std. 12 Min.").
	ArgDuration ArgKind = "duration"
	// ArgTime is a date and time ("Mar 2 09:00 UTC").
	ArgTime ArgKind = "time"
	// ArgClock is a time of day in UTC ("09:00").
	ArgClock ArgKind = "clock"
	// ArgStatus is a status label as it reads inside a sentence
	// ("partial outage", "Teilausfall").
	ArgStatus ArgKind = "status"
	// ArgPhase is a vendor phase label ("identified").
	ArgPhase ArgKind = "phase"
	// ArgCount is a number; an argument named Count also picks the
	// message's plural form.
	ArgCount ArgKind = "count"
	// ArgMessage is another Text, written in the same language.
	ArgMessage ArgKind = "message"
	// ArgList is a list of names joined the language's way ("a, b and c").
	ArgList ArgKind = "list"
)

// Arg is one named argument of a Text.
type Arg struct {
	Name string  `json:"name"`
	Kind ArgKind `json:"kind"`
	// Value holds text, a status or a phase.
	Value string `json:"value,omitempty"`
	// List holds a list's items.
	List []string `json:"list,omitempty"`
	// N holds a count or a duration in nanoseconds.
	N int64 `json:"n,omitempty"`
	// At holds a time.
	At time.Time `json:"at,omitzero"`
	// Text holds a nested message.
	Text *Text `json:"text,omitempty"`
}

// Say builds a Text from a message id and its arguments.
func Say(id string, args ...Arg) Text { return Text{ID: id, Args: args} }

// Str is a text argument, shown as it is.
func Str(name, v string) Arg { return Arg{Name: name, Kind: ArgText, Value: v} }

// Dur is a duration argument.
func Dur(name string, d time.Duration) Arg { return Arg{Name: name, Kind: ArgDuration, N: int64(d)} }

// At is a date-and-time argument.
func At(name string, t time.Time) Arg { return Arg{Name: name, Kind: ArgTime, At: t} }

// Clock is a time-of-day argument.
func Clock(name string, t time.Time) Arg { return Arg{Name: name, Kind: ArgClock, At: t} }

// StatusArg is a status argument.
func StatusArg(name string, s sources.Status) Arg {
	return Arg{Name: name, Kind: ArgStatus, Value: string(s)}
}

// PhaseArg is a vendor phase argument.
func PhaseArg(name string, p sources.IncidentStatus) Arg {
	return Arg{Name: name, Kind: ArgPhase, Value: string(p)}
}

// Count is a number argument; name it "Count" to choose the plural form.
func Count(name string, n int) Arg { return Arg{Name: name, Kind: ArgCount, N: int64(n)} }

// Nested is a message argument.
func Nested(name string, t Text) Arg { return Arg{Name: name, Kind: ArgMessage, Text: &t} }

// List is a list argument.
func List(name string, items []string) Arg {
	return Arg{Name: name, Kind: ArgList, List: append([]string(nil), items...)}
}

// IsZero reports whether t says nothing.
func (t Text) IsZero() bool { return t.ID == "" }

// Clone copies the pointer's Text, so that an event never shares one with
// the outage it was made from, nor a copy of state with the state. (A Text
// is never changed once made: a copy of the struct is enough.)
func (t *Text) Clone() *Text {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}
