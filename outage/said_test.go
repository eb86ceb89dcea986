package outage

import (
	"reflect"
	"testing"
	"time"
)

// An event carries its outage's messages: the title the bot gave it and
// its notes, one message per note, or none at all when a note has none (a
// record from before the catalog), so notes never mix languages.
func TestEventCarriesTheOutagesMessages(t *testing.T) {
	title := Say("engine.title.down")
	cause := Say("engine.cause.withdrawn", Str("Vendor", "OpenAI"))
	fallback := Say("engine.fallback.line", Str("Alternatives", "Anthropic is operational"))
	o := Outage{ID: "o1", Title: "Down", TitleSaid: &title, Related: Related{
		Cause: "Withdrawn: ...", CauseSaid: &cause, Fallback: "Fallback: ...", FallbackSaid: &fallback,
	}}
	ev := o.Event(Opened, time.Unix(0, 0), "")
	if !reflect.DeepEqual(ev.NotesSaid, []Text{cause, fallback}) || len(ev.Notes) != 2 {
		t.Errorf("notes %q said as %+v", ev.Notes, ev.NotesSaid)
	}
	if ev.TitleSaid == nil || !reflect.DeepEqual(*ev.TitleSaid, title) || ev.TitleSaid == o.TitleSaid {
		t.Errorf("title said as %+v: want a copy of %+v", ev.TitleSaid, title)
	}

	o.Related.Affects = "Affects our chatbot" // stored before the catalog: no message
	if ev := o.Event(Updated, time.Unix(0, 0), ""); ev.NotesSaid != nil || len(ev.Notes) != 3 {
		t.Errorf("notes %q said as %+v, want no messages", ev.Notes, ev.NotesSaid)
	}
}
