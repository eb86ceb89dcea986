package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/board"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/internal/fakeslack"
	"github.com/outagebot/outagebot/sources"
)

// boardCases are boards of every kind: all operational (one target and
// several), one or several targets needing attention (an open outage
// with and without a title, a status without an outage yet), and more
// targets than a Home tab holds.
func boardCases() map[string][]board.Line {
	since := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	ok := func(name string) board.Line { return board.Line{Target: name, Status: sources.Operational} }
	var many []board.Line
	for i := range 120 {
		many = append(many, ok(fmt.Sprintf("Target %03d", i+1)))
	}
	many[0] = board.Line{Target: "Target 001", Status: sources.MajorOutage, Since: since, Title: "API <down> & out"}
	return map[string][]board.Line{
		"one-operational": {ok("OpenAI")},
		"operational":     {ok("OpenAI"), ok("GitHub")},
		"one-attention": {
			{Target: "OpenAI", Status: sources.PartialOutage, Since: since, Title: "Elevated errors"},
			ok("GitHub"), ok("Slack"),
		},
		"attention": {
			{Target: "OpenAI", Status: sources.MajorOutage, Since: since, Title: "Elevated errors"},
			{Target: "Probe", Status: sources.Degraded, Since: since},
			{Target: "Stripe", Status: sources.Unknown},
			ok("GitHub"),
		},
		"many": many,
	}
}

// The Home tab is golden in every language: board-<case>.<lang>.golden.
func TestRenderHomeGolden(t *testing.T) {
	for _, lang := range i18n.Languages {
		for name, lines := range boardCases() {
			t.Run(lang+"/"+name, func(t *testing.T) {
				v := RenderHome(i18n.For(lang), lines)
				if n := len(v.Blocks.BlockSet); n > maxHomeBlocks {
					t.Errorf("%d blocks", n)
				}
				checkGolden(t, "board-"+name+"."+lang, v)
			})
		}
	}
}

// English is the board as it always was.
func TestRenderHomeEnglish(t *testing.T) {
	v := RenderHome(i18n.For("en"), boardCases()["attention"])
	var raw string
	for _, b := range v.Blocks.BlockSet {
		buf, _ := json.Marshal(b)
		var x struct {
			Text struct{ Text string } `json:"text"`
		}
		_ = json.Unmarshal(buf, &x)
		raw += x.Text.Text + "\n"
	}
	for _, want := range []string{"Status board", "3 of 4 targets need attention", "*OpenAI*: major outage since <!date^1772440200^{date_short_pretty} {time}|2026-03-02 08:30 UTC> — Elevated errors", "*Probe*: degraded performance since <!date^"} {
		if !strings.Contains(raw, want) {
			t.Errorf("no %q in %s", want, raw)
		}
	}
}

// Every board publishes: views.publish at the fake checks the view as
// Slack does (type home, at most 100 valid blocks, a user).
func TestPublishHomeAcceptedByFake(t *testing.T) {
	fs := fakeslack.New()
	defer fs.Close()
	n := New(Options{Token: "xoxb-test", APIURL: fs.URL(), HTTPClient: fs.Client()})
	for _, lang := range i18n.Languages {
		for name, lines := range boardCases() {
			if err := n.Home(lang).PublishHome(context.Background(), "U0123ABCD", lines); err != nil {
				t.Errorf("%s/%s: %v", lang, name, err)
			}
		}
	}
	calls := fs.Calls("views.publish")
	if len(calls) == 0 {
		t.Fatal("nothing published")
	}
	var body struct {
		Type   string            `json:"type"`
		Blocks []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(calls[0].Params.Get("view")), &body); err != nil || body.Type != "home" || calls[0].Params.Get("user_id") != "U0123ABCD" {
		t.Errorf("views.publish params %v (%v)", calls[0].Params, err)
	}
}
