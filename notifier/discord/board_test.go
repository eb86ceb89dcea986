package discord

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/board"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/notifier"
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

// The board is pinned and found with Discord's current pin endpoints
// (PUT and GET /channels/{id}/messages/pins), every page of them: a board
// pinned before 60 other messages is found, where the deprecated list
// stops at the first 50 pins.
func TestBoardPins(t *testing.T) {
	e := newEnv(t, false)
	b := e.n.Boards()
	ctx := t.Context()
	board, err := b.PostBoard(ctx, testChannel, RenderBoard(i18n.For("en"), nil), "b1")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.PinBoard(ctx, testChannel, board); err != nil {
		t.Fatal(err)
	}
	// Another message of the bot's with the marker, but not pinned, and
	// 60 pinned messages after the board.
	if _, err := b.PostBoard(ctx, testChannel, RenderBoard(i18n.For("en"), nil), "b2"); err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		ref, err := e.n.send(ctx, nil, testChannel, &discordgo.MessageSend{Content: fmt.Sprintf("note %d", i)}, fmt.Sprintf("n%d", i))
		if err != nil {
			t.Fatal(err)
		}
		if err := b.PinBoard(ctx, testChannel, string(ref)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := b.FindBoard(ctx, testChannel)
	if err != nil || got != board {
		t.Fatalf("FindBoard = %q, %v; want %s", got, err, board)
	}
	if n := len(e.fake.Calls(fakediscord.RoutePinMessage)); n != 61 {
		t.Errorf("%d pins on the current route, want 61", n)
	}
	lists := e.fake.Calls(fakediscord.RoutePins)
	if len(lists) != 2 || lists[0].Query.Get("limit") != "50" || lists[0].Query.Get("before") != "" || lists[1].Query.Get("before") == "" {
		t.Errorf("pin lists %+v, want two pages of 50", lists)
	}
	if n := len(e.fake.Calls(fakediscord.RoutePinsDeprecated)) + len(e.fake.Calls(fakediscord.RoutePinMessageDeprecated)); n != 0 {
		t.Errorf("%d calls to the deprecated pin routes", n)
	}

	// No board among the pins: "", after reading them all.
	e.fake.DeleteMessage(board)
	if got, err := b.FindBoard(ctx, testChannel); err != nil || got != "" {
		t.Errorf("FindBoard without a board = %q, %v", got, err)
	}
}

// Without Pin Messages Discord refuses the pin, as it does since 23
// February 2026 even with Manage Messages; the error says what to grant.
func TestBoardPinRefused(t *testing.T) {
	e := newEnv(t, false)
	e.fake.SetPermissions(fakediscord.DefaultPermissions&^PermissionPinMessages|discordgo.PermissionManageMessages, 0)
	b := e.n.Boards()
	id, err := b.PostBoard(t.Context(), testChannel, RenderBoard(i18n.For("en"), nil), "b1")
	if err != nil {
		t.Fatal(err)
	}
	err = b.PinBoard(t.Context(), testChannel, id)
	if !notifier.IsPermanent(err) || apiCode(err) != codeMissingPermissions || !strings.Contains(err.Error(), "Pin Messages") {
		t.Errorf("pin without Pin Messages: %v", err)
	}
}
