package discord

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/board"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/sources"
)

// The board's embed is golden in every language: board-<case>.<lang>.golden.
func TestRenderBoardGolden(t *testing.T) {
	since := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	ok := func(name string) board.Line { return board.Line{Target: name, Status: sources.Operational} }
	cases := map[string][]board.Line{
		"none":            nil,
		"one-operational": {ok("OpenAI")},
		"operational":     {ok("OpenAI"), ok("GitHub")},
		"one-attention": {
			{Target: "OpenAI", Status: sources.PartialOutage, Since: since, Title: "Elevated errors"},
			ok("GitHub"), ok("Slack"),
		},
		"attention": {
			{Target: "OpenAI", Status: sources.MajorOutage, Since: since, Title: "Elevated *errors*"},
			{Target: "Probe", Status: sources.Degraded, Since: since},
			{Target: "Stripe", Status: sources.Unknown},
			ok("GitHub"),
		},
	}
	for _, lang := range i18n.Languages {
		for name, lines := range cases {
			t.Run(lang+"/"+name, func(t *testing.T) {
				checkGolden(t, "board-"+name+"."+lang, RenderBoard(i18n.For(lang), lines))
			})
		}
	}
}

// English is the board as it always was, with the marker FindBoard looks
// for; every language's marker is a board's.
func TestRenderBoardEnglish(t *testing.T) {
	since := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	e := RenderBoard(i18n.For("en"), []board.Line{{Target: "OpenAI", Status: sources.MajorOutage, Since: since, Title: "Elevated errors"}})
	if want := fmt.Sprintf("🔴 **OpenAI**: major outage since <t:%d:R> — Elevated errors\n", since.Unix()); e.Description != want || e.Title != "1 of 1 targets need attention" {
		t.Errorf("%q %q", e.Title, e.Description)
	}
	if e.Footer.Text != BoardMarker {
		t.Errorf("footer %q", e.Footer.Text)
	}
	for _, lang := range i18n.Languages {
		if m := RenderBoard(i18n.For(lang), nil).Footer.Text; !isBoardMarker(m) || (lang != "en" && strings.EqualFold(m, BoardMarker)) {
			t.Errorf("%s marker %q", lang, m)
		}
	}
	if isBoardMarker("outagebot") {
		t.Error("any footer is a board's")
	}
}
