package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// The bot's own words are stored as catalog messages beside their English
// (outage.Text): a restart must give each destination the same message to
// write in its language, and events stored before there were messages
// still read as their English.
func TestSaidWordsSurviveTheStore(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("messages round-trip", func(t *testing.T) { testSaidRoundTrip(t, open(t)) })
			t.Run("records without messages", func(t *testing.T) { testUnsaid(t, open(t)) })
		})
	}
}

// saidOutage is an outage the bot titled, with notes, and its opening:
// every kind of argument a message can have.
func saidOutage() (outage.Outage, outage.Event) {
	title := outage.Say("engine.title.component", outage.Nested("Status", outage.Text{ID: "status.degraded"}), outage.Str("Component", "API"))
	cause := outage.Say("engine.cause.confirmed_lag", outage.Str("Vendor", "OpenAI"), outage.Nested("Title", title), outage.Dur("Lag", 12*time.Minute))
	affects := outage.Say("engine.affects.working", outage.Count("Count", 2), outage.List("Services", []string{"Search", "Batch"}))
	fallback := outage.Say("engine.fallback.line", outage.Nested("Alternatives", outage.Say("engine.fallback.operational", outage.Str("Name", "Anthropic"))))
	o := outage.Outage{ID: "o1", Target: "OpenAI", Key: "health", Class: outage.Incident, Title: "Degraded performance on API", TitleSaid: &title,
		Severity: sources.Degraded, OpenedAt: t0,
		Related: outage.Related{
			Cause: "Confirmed by OpenAI: Degraded performance on API (12m after we detected it)", CauseSaid: &cause,
			Affects: "Search and Batch work", AffectsSaid: &affects,
			Fallback: "Fallback: Anthropic is operational", FallbackSaid: &fallback,
		},
		Link: &outage.Link{Vendor: "OpenAI", Confirm: outage.Confirmed, VendorTitle: "Degraded performance on API", VendorTitleSaid: &title},
	}
	body := outage.Say("engine.maintenance.starts_ends", outage.At("Start", t0.Add(time.Hour)), outage.Dur("In", time.Hour), outage.At("End", t0.Add(2*time.Hour)))
	ev := o.Event(outage.Opened, t0, i18n.For("en").Text(body))
	ev.Said = &body
	ev.Components = []outage.ComponentState{{Name: "API", Status: sources.Degraded}}
	return o, ev
}

func testSaidRoundTrip(t *testing.T, s *store.Store) {
	ctx := context.Background()
	o, ev := saidOutage()
	if len(ev.NotesSaid) != 3 || ev.TitleSaid == nil {
		t.Fatalf("the event does not carry the outage's messages: %+v", ev)
	}
	if _, err := s.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o}, Events: []outage.Event{ev}, Dests: []string{"ops/slack"}, At: t0}); err != nil {
		t.Fatal(err)
	}
	evs, err := s.Events(ctx, "o1")
	if err != nil || len(evs) != 1 {
		t.Fatalf("events = %+v, %v", evs, err)
	}
	due, err := s.Due(ctx, "ops/slack", t0, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("outbox = %+v, %v", due, err)
	}
	for where, got := range map[string]outage.Event{"events": evs[0], "outbox": due[0].Event} {
		if !reflect.DeepEqual(got.Said, ev.Said) || !reflect.DeepEqual(got.TitleSaid, ev.TitleSaid) || !reflect.DeepEqual(got.NotesSaid, ev.NotesSaid) {
			t.Errorf("%s: the messages changed in the store:\n got %+v %+v %+v\nwant %+v %+v %+v", where, got.Said, got.TitleSaid, got.NotesSaid, ev.Said, ev.TitleSaid, ev.NotesSaid)
		}
		de := i18n.For("de")
		if body := de.Body(got); body != "Geplante Wartung beginnt am 22. Nov. 15:00 UTC (in 1 Std.) und soll am 22. Nov. 16:00 UTC enden." {
			t.Errorf("%s: body in German = %q", where, body)
		}
		if title := de.Title(got); title != "Eingeschränkte Leistung bei API" {
			t.Errorf("%s: title in German = %q", where, title)
		}
	}
	stored, err := s.Outage(ctx, "o1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stored.TitleSaid, o.TitleSaid) || !reflect.DeepEqual(stored.Related, o.Related) || !reflect.DeepEqual(stored.Link, o.Link) {
		t.Errorf("outage's messages changed in the store:\n got %+v %+v %+v\nwant %+v %+v %+v", stored.TitleSaid, stored.Related, stored.Link, o.TitleSaid, o.Related, o.Link)
	}
	// Later events of the stored outage carry its messages on.
	next := stored.Event(outage.Updated, t0.Add(time.Minute), "Looking.")
	if !reflect.DeepEqual(next.TitleSaid, o.TitleSaid) || !reflect.DeepEqual(next.NotesSaid, ev.NotesSaid) {
		t.Errorf("a later event lost the outage's messages: %+v %+v", next.TitleSaid, next.NotesSaid)
	}
}

func testUnsaid(t *testing.T, s *store.Store) {
	ctx := context.Background()
	o, evs := lifecycle("o1")
	o.Related = outage.Related{Cause: "Likely caused by OpenAI: Elevated errors (since 14:02 UTC)"}
	ev := o.Event(outage.Updated, t0, "Still degraded performance after 1h.")
	ev.Seq = len(evs) + 1
	if _, err := s.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o}, Events: append(evs, ev), At: t0}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Events(ctx, "o1")
	if err != nil || len(got) != 4 {
		t.Fatalf("events = %+v, %v", got, err)
	}
	last := got[3]
	if last.Said != nil || last.TitleSaid != nil || last.NotesSaid != nil {
		t.Fatalf("messages out of nowhere: %+v", last)
	}
	de := i18n.For("de")
	if de.Body(last) != last.Body || de.Title(last) != "Errors" || len(de.Notes(last)) != 1 || de.Notes(last)[0] != o.Related.Cause {
		t.Errorf("a record without messages reads %q / %q / %q", de.Title(last), de.Body(last), de.Notes(last))
	}
}
