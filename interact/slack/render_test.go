package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/internal/fakeslack"
	notifyslack "github.com/outagebot/outagebot/notifier/slack"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestRenderGolden renders testdata/render/<case>/input.json (a
// bot.Answer) and compares it with expected.golden.
func TestRenderGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/render/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join(dir, "input.json"))
			if err != nil {
				t.Fatal(err)
			}
			var a bot.Answer
			if err := json.Unmarshal(in, &a); err != nil {
				t.Fatal(err)
			}
			got := marshal(t, Render(a))
			golden := filepath.Join(dir, "expected.golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("rendered:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// marshal is the JSON the handler writes, indented.
func marshal(t *testing.T, r Response) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func lines(n int, format string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(format, i)
	}
	return out
}

// checkLimits fails when r breaks one of Slack's Block Kit limits.
func checkLimits(t *testing.T, r Response) {
	t.Helper()
	blocks := decode(t, marshal(t, r))
	if len(blocks.Blocks) > notifyslack.MaxBlocks {
		t.Errorf("%d blocks", len(blocks.Blocks))
	}
	for i, b := range blocks.Blocks {
		limit := notifyslack.MaxSectionText
		if b.Type == "header" {
			limit = notifyslack.MaxHeaderText
		}
		if text := blocks.texts()[i]; text == "" || utf8.RuneCountInString(text) > limit {
			t.Errorf("block %d (%s): %d runes", i, b.Type, utf8.RuneCountInString(text))
		}
	}
	if n := utf8.RuneCountInString(r.Text); n > notifyslack.MaxFallbackText {
		t.Errorf("fallback text: %d runes", n)
	}
}

func TestRenderSplitsLongSections(t *testing.T) {
	in := lines(400, "🟢 *Target %03d*: operational — checked 1m ago, latency 42ms")
	r := Render(bot.Answer{Title: "Status of 400 targets", Sections: []bot.Section{{Heading: "Operational", Lines: in}}})
	checkLimits(t, r)
	texts := decode(t, marshal(t, r)).texts()
	if len(texts) < 3 {
		t.Fatalf("not split: %d blocks", len(texts))
	}
	if !strings.HasPrefix(texts[1], "*Operational*\n") {
		t.Errorf("the heading does not lead: %.40q", texts[1])
	}
	// Every line is there once, in order, never cut across blocks.
	got := strings.Split(strings.TrimPrefix(strings.Join(texts[1:], "\n"), "*Operational*\n"), "\n")
	if strings.Join(got, "\n") != strings.Join(in, "\n") {
		t.Errorf("lines changed in splitting: %d lines, want %d", len(got), len(in))
	}
}

func TestRenderCapsBlocks(t *testing.T) {
	// 100 sections of 2 lines: 1 header + 100 sections, capped to 50.
	var secs []bot.Section
	for i := range 100 {
		secs = append(secs, bot.Section{Lines: []string{fmt.Sprintf("line %d.a", i), fmt.Sprintf("line %d.b", i)}})
	}
	r := Render(bot.Answer{Title: "Big", Sections: secs})
	checkLimits(t, r)
	texts := decode(t, marshal(t, r)).texts()
	if len(texts) != notifyslack.MaxBlocks {
		t.Fatalf("%d blocks, want %d", len(texts), notifyslack.MaxBlocks)
	}
	// Header + 48 sections shown: 52 sections (104 lines) left out.
	if last := texts[len(texts)-1]; last != "…and 104 more lines, left out to fit in Slack. Ask about one target for its details." {
		t.Errorf("last block = %q", last)
	}
	if texts[48] != "line 47.a\nline 47.b" {
		t.Errorf("block 48 = %q", texts[48])
	}
}

func TestRenderTruncates(t *testing.T) {
	long := strings.Repeat("é", 5000)
	r := Render(bot.Answer{
		Title:    strings.Repeat("T", 200),
		Announce: strings.Repeat("a", 4000),
		Sections: []bot.Section{{Lines: []string{"short", long, "after & " + strings.Repeat("&", 3000)}}},
	})
	checkLimits(t, r)
	texts := decode(t, marshal(t, r)).texts()
	if n := utf8.RuneCountInString(texts[1]); n != notifyslack.MaxHeaderText || !strings.HasSuffix(texts[1], "…") {
		t.Errorf("header: %d runes %q", n, texts[1][len(texts[1])-5:])
	}
	// "short" fits with nothing; the long line is cut to a block of its own.
	if texts[2] != "short" || !strings.HasSuffix(texts[3], "é…") {
		t.Errorf("blocks: %.20q %.20q", texts[2], texts[3])
	}
	// An escaped line is not cut inside an entity.
	if !strings.HasSuffix(texts[4], "&amp;…") {
		t.Errorf("cut inside an entity: %q", texts[4][len(texts[4])-12:])
	}
}

func TestRenderEscapes(t *testing.T) {
	r := Render(bot.Answer{
		Title:    "A & B <x>",
		Announce: "🔕 <@U123ABC> muted A & B: <!channel> <https://evil.example|click>",
		Sections: []bot.Section{{Heading: "<b>", Lines: []string{"by <@W999> and <@nobody>"}}},
	})
	texts := decode(t, marshal(t, r)).texts()
	want := []string{
		"🔕 <@U123ABC> muted A &amp; B: &lt;!channel&gt; &lt;https://evil.example|click&gt;",
		"A & B <x>", // plain text: not mrkdwn, nothing to escape
		"*&lt;b&gt;*\nby <@W999> and &lt;@nobody&gt;",
	}
	if fmt.Sprint(texts) != fmt.Sprint(want) {
		t.Errorf("got  %q\nwant %q", texts, want)
	}
	if strings.Contains(r.Text, "<!channel>") || !strings.Contains(r.Text, "<@U123ABC>") {
		t.Errorf("fallback = %q", r.Text)
	}
}

func TestFitSocketLimit(t *testing.T) {
	small := Render(bot.Help())
	if got := small.fit(maxSocketAck); fmt.Sprint(got) != fmt.Sprint(small) {
		t.Error("a small answer was changed")
	}
	big := Render(bot.Answer{Title: "Status of 1000 targets", Sections: []bot.Section{{Heading: "Operational", Lines: lines(1000, "🟢 *Target %04d*: operational")}}})
	if size(big) < maxSocketAck {
		t.Fatalf("test answer too small: %d bytes", size(big))
	}
	got := big.fit(maxSocketAck)
	if n := size(got); n >= maxSocketAck || n < maxSocketAck/2 {
		t.Errorf("fitted answer: %d bytes", n)
	}
	checkLimits(t, got)
	texts := decode(t, marshal(t, got)).texts()
	if texts[0] != "Status of 1000 targets" || !strings.HasPrefix(texts[len(texts)-1], "…the answer was shortened") {
		t.Errorf("fitted blocks: first %q, last %q", texts[0], texts[len(texts)-1])
	}
}

// TestRenderAcceptedByFake posts rendered answers through slack-go to the
// fake Slack, which refuses blocks Slack would refuse.
func TestRenderAcceptedByFake(t *testing.T) {
	s := fakeslack.New()
	defer s.Close()
	s.AddChannel("C1")
	api := slack.New("xoxb-test", slack.OptionAPIURL(s.URL()), slack.OptionHTTPClient(s.Client()))
	answers := []bot.Answer{
		bot.Help(),
		{Title: "Big", Sections: []bot.Section{{Heading: "H", Lines: lines(2000, "🟠 *Target %d*: partial outage — Elevated errors & timeouts <5xx>")}}},
		{Title: strings.Repeat("t", 300), Announce: strings.Repeat("<", 5000), Sections: []bot.Section{{Lines: []string{strings.Repeat("x", 9000)}}}},
		{Title: "only title"},
		{},
		{Title: "blank lines", Sections: []bot.Section{{Lines: []string{"", " "}}, {Heading: "H"}}},
	}
	for i, a := range answers {
		r := Render(a)
		checkLimits(t, r)
		if _, _, err := api.PostMessageContext(context.Background(), "C1", slack.MsgOptionText(r.Text, false), slack.MsgOptionBlocks(r.Blocks.BlockSet...)); err != nil {
			t.Errorf("answer %d refused: %v", i, err)
		}
	}
}
