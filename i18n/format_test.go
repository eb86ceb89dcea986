package i18n

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

func TestFormats(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 5, 0, 0, time.UTC)
	tests := []struct {
		lang, got, want string
	}{
		{"en", For("en").Duration(72 * time.Minute), "1h 12m"},
		{"de", For("de").Duration(72 * time.Minute), "1 Std. 12 Min."},
		{"en", For("en").Duration(51 * time.Hour), "2d 3h"},
		{"de", For("de").Duration(51 * time.Hour), "2 T. 3 Std."},
		{"en", For("en").Duration(45 * time.Second), "45s"},
		{"de", For("de").Duration(0), "0 Sek."},
		{"en", For("en").Duration(-time.Hour), "0s"},
		{"en", For("en").Date(at), "Mar 2 09:05 UTC"},
		{"de", For("de").Date(at), "2. März 09:05 UTC"},
		{"en", For("en").Date(time.Time{}), ""},
		{"en", For("en").Day(at), "Mar 2"},
		{"de", For("de").Day(at), "2. März"},
		{"en", For("en").Percent(99.95), "99.95%"},
		{"de", For("de").Percent(99.95), "99,95 %"},
		{"en", For("en").Percent(100), "100%"},
		{"en", For("en").Percent(99.99999), "99.999%"},
		{"de", For("de").Number(1.5, 1), "1,5"},
		{"en", For("en").Status(sources.MajorOutage), "Major outage"},
		{"de", For("de").Status(sources.MajorOutage), "Schwerer Ausfall"},
		{"en", For("en").StatusInline(sources.PartialOutage), "partial outage"},
		{"de", For("de").Phase(sources.IncidentIdentified), "Ursache gefunden"},
		{"en", For("en").Phase(""), ""},
		{"en", For("en").Class(outage.Unreachable), "no status data"},
		{"en", For("en").List([]string{"a", "b", "c"}), "a, b and c"},
		{"de", For("de").List([]string{"a", "b"}), "a und b"},
		{"de", For("de").List([]string{"a"}), "a"},
		{"en", For("xx").Lang(), "en"},
		{"en", For("en").Latency(80 * time.Millisecond), "80ms"},
		{"en", For("en").Latency(1500 * time.Millisecond), "1.5s"},
		{"en", For("en").Latency(120 * time.Microsecond), "120µs"},
		{"en", For("en").Latency(2 * time.Second), "2s"},
		{"de", For("de").Latency(1500 * time.Millisecond), "1,5 s"},
		{"de", For("de").Latency(80 * time.Millisecond), "80 ms"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d (%s): got %q, want %q", i, tt.lang, tt.got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		asked []string
		want  string
	}{
		{[]string{"de"}, "de"},
		{[]string{"de-AT"}, "de"},
		{[]string{"de_CH"}, "de"},
		{[]string{"en-US"}, "en"},
		{[]string{"en-GB"}, "en"},
		{[]string{"pt-BR"}, ""},
		{[]string{"ja", "de"}, "de"},
		{[]string{""}, ""},
		{nil, ""},
		{[]string{"not a tag!"}, ""},
	}
	for _, tt := range tests {
		if got := Match(tt.asked...); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.asked, got, tt.want)
		}
	}
}

// A stored Text survives the store's JSON and is written in each reader's
// language, nested messages and plural forms included.
func TestTextRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 5, 0, 0, time.UTC)
	// The catalog's own format messages stand in for outage messages here,
	// so this test does not depend on another package's catalog file.
	in := outage.Say("format.list",
		outage.Str("Head", "GitHub"),
		outage.Nested("Last", outage.Say("format.date", outage.Str("Day", "2"), outage.Str("Month", "x"), outage.Clock("Clock", at), outage.Str("Zone", "UTC"))))
	buf, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out outage.Text
	if err := json.Unmarshal(buf, &out); err != nil {
		t.Fatal(err)
	}
	if got, want := For("en").Text(out), "GitHub and x 2 09:05 UTC"; got != want {
		t.Errorf("en: %q, want %q", got, want)
	}
	if got, want := For("de").Text(out), "GitHub und 2. x 09:05 UTC"; got != want {
		t.Errorf("de: %q, want %q", got, want)
	}
	args := []outage.Arg{outage.Dur("D", time.Hour), outage.At("T", at), outage.StatusArg("S", sources.MajorOutage),
		outage.PhaseArg("P", sources.IncidentIdentified), outage.Count("Count", 3), outage.List("L", []string{"a", "b"})}
	want := map[string][]any{
		"en": {"1h", "Mar 2 09:05 UTC", "major outage", "identified", int64(3), "a and b"},
		"de": {"1 Std.", "2. März 09:05 UTC", "schwerer Ausfall", "Ursache gefunden", int64(3), "a und b"},
	}
	for lang, w := range want {
		for i, a := range args {
			if got := For(lang).arg(a); got != w[i] {
				t.Errorf("%s %s: %v, want %v", lang, a.Kind, got, w[i])
			}
		}
	}
	if got := For("en").Text(outage.Text{}); got != "" {
		t.Errorf("zero text: %q", got)
	}
}

// A message no catalog has is written as its id, so the reader sees
// something and the catalog test names it.
func TestUnknownMessage(t *testing.T) {
	if got := For("de").T("no.such.message", nil); got != "no.such.message" {
		t.Errorf("got %q", got)
	}
}

func TestEventWords(t *testing.T) {
	said := outage.Say("class.unreachable")
	ev := outage.Event{Class: outage.Incident, Title: "Vendor's title", Body: "English body", Said: &said,
		Notes: []string{"a"}, NotesSaid: []outage.Text{outage.Say("status.major_outage")}}
	de := For("de")
	if got := de.Body(ev); got != "keine Statusdaten" {
		t.Errorf("body: %q", got)
	}
	if got := de.Title(ev); got != "Vendor's title" {
		t.Errorf("vendor title: %q", got)
	}
	if got := de.Notes(ev); len(got) != 1 || got[0] != "Schwerer Ausfall" {
		t.Errorf("notes: %q", got)
	}
	ev.Title, ev.Said, ev.NotesSaid = " ", nil, nil
	if got := de.Title(ev); got != "Ausfall" {
		t.Errorf("untitled: %q", got)
	}
	ev.TitleSaid = &said
	if got := de.Title(ev); got != "keine Statusdaten" {
		t.Errorf("bot's title: %q", got)
	}
	if got := de.Body(ev); got != "English body" {
		t.Errorf("vendor body: %q", got)
	}
	if got := de.Notes(ev); len(got) != 1 || got[0] != "a" {
		t.Errorf("notes without texts: %q", got)
	}
}
