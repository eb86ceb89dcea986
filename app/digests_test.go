package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/internal/fakeslack"
)

// A [[digest]] reaches Slack once, at its time, as a top-level message, and
// a restart does not send it again. The bot's clock is set to two seconds
// before 09:00 in Berlin, the digest's zone, which its times are written in.
func TestDigestEndToEnd(t *testing.T) {
	_, feed := newVendor(t, 0)
	slackAPI := newSlack(t, "C0123456789")

	cfg := parseConfig(t, fmt.Sprintf(`
[bot]
state = %q
listen = ""
[slack]
bot_token = "xoxb-test-token"
api_url = %q
[[channel]]
name = "ops"
slack = "C0123456789"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
[[digest]]
schedule = "0 9 * * *"
timezone = "Europe/Berlin"
window = "24h"
channels = ["ops"]
targets = ["openai"]
`, filepath.Join(t.TempDir(), "state.db"), slackAPI.URL(), feed))
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 3, 2, 9, 0, 0, 0, berlin)
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	start := func(at time.Time) (stop func()) {
		t.Helper()
		real := time.Now()
		b := startWith(t, cfg, app.Options{Log: log, Dispatch: fastRetries, Now: func() time.Time { return at.Add(time.Since(real)) }}, nil)
		return func() {
			// `digest now` answers from the same code.
			ans := b.app.Commands().Run(context.Background(), bot.Request{Text: "digest now"})
			if !strings.HasPrefix(ans.Title, "Daily digest: no outages in the last 24h") || ans.Problem {
				t.Errorf("digest now: %+v", ans)
			}
			b.stop()
		}
	}
	digests := func() []fakeslack.Message {
		var out []fakeslack.Message
		for _, m := range slackAPI.Messages("C0123456789") {
			if strings.Contains(m.Text, "digest") {
				out = append(out, m)
			}
		}
		return out
	}

	stop := start(due.Add(-time.Second))
	waitFor(t, "the digest", func() bool { return len(digests()) > 0 })
	time.Sleep(time.Second) // nothing more arrives
	stop()
	// Restarted after 09:00, twice: the run is on record, nothing is sent
	// again.
	for i := range 2 {
		stop = start(due.Add(time.Duration(10+i) * time.Second))
		waitFor(t, "the start-up check", func() bool { return strings.Count(logs.String(), "digest already sent") == i+1 })
		stop()
	}

	msgs := digests()
	if len(msgs) != 1 {
		t.Fatalf("%d digests, want 1", len(msgs))
	}
	m := msgs[0]
	if m.ThreadTS != "" || len(m.Edits) != 0 {
		t.Errorf("the digest was threaded or edited: %+v", m)
	}
	// Its chart is the one reply in its thread.
	if len(m.Replies) != 1 || len(m.Replies[0].Files) != 1 || len(slackAPI.Files()) != 1 {
		t.Errorf("replies %+v, files %d: want the chart alone", m.Replies, len(slackAPI.Files()))
	}
	if !strings.Contains(m.Text, "Daily digest: no outages in the last 24h") || !strings.Contains(string(m.Blocks), "Uptime over the last 24h") ||
		!strings.Contains(string(m.Blocks), "OpenAI: 100%") || !strings.Contains(string(m.Blocks), "Mar 1 09:00 – Mar 2 09:00 CET (24h)") {
		t.Errorf("digest message: %s\n%s", m.Text, m.Blocks)
	}
	if m.Metadata == nil || m.Metadata.EventType != "outagebot_event" || m.Metadata.EventPayload["outage_id"] != "digest:"+app.DigestKey(0, cfg.Digests[0])+":1772438400" {
		t.Errorf("metadata %+v", m.Metadata)
	}
	if n := len(slackAPI.Messages("C0123456789")); n != 1 {
		t.Errorf("%d messages in the channel, want only the digest", n)
	}
}

// Without chat, the digest is printed on the console.
func TestDigestConsole(t *testing.T) {
	_, feed := newVendor(t, 0)
	cfg := parseConfig(t, fmt.Sprintf(`
[bot]
state = %q
listen = ""
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
[[digest]]
schedule = "0 9 * * *"
`, filepath.Join(t.TempDir(), "state.db"), feed))
	at, real := time.Date(2026, 3, 2, 8, 59, 59, 0, time.Local), time.Now()
	out := &syncBuffer{}
	b := startWith(t, cfg, app.Options{Stdout: out, Dispatch: fastRetries, Now: func() time.Time { return at.Add(time.Since(real)) }}, nil)
	waitFor(t, "the digest on the console", func() bool { return strings.Contains(out.String(), "DIGEST     Daily digest") })
	b.stop()
	if !strings.Contains(out.String(), "\n    Uptime over the last 24h\n      OpenAI: 100%\n") {
		t.Errorf("console:\n%s", out.String())
	}
}

// One digest for two channels that speak different languages: each gets it
// in its own, chart included. The English channel follows [bot] locale.
func TestDigestInEachChannelsLanguage(t *testing.T) {
	_, feed := newVendor(t, 0)
	slackAPI := newSlack(t, "C0000000001", "C0000000002")
	cfg := parseConfig(t, fmt.Sprintf(`
[bot]
state = %q
listen = ""
locale = "en"
[slack]
bot_token = "xoxb-test-token"
api_url = %q
[[channel]]
name = "ops"
slack = "C0000000001"
[[channel]]
name = "team"
slack = "C0000000002"
locale = "de"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
[[digest]]
schedule = "0 9 * * *"
window = "24h"
`, filepath.Join(t.TempDir(), "state.db"), slackAPI.URL(), feed))
	at, real := time.Date(2026, 3, 2, 8, 59, 59, 0, time.UTC), time.Now()
	b := startWith(t, cfg, app.Options{Dispatch: fastRetries, Now: func() time.Time { return at.Add(time.Since(real)) }}, nil)
	waitFor(t, "both digests with their charts", func() bool { return len(slackAPI.Files()) == 2 })
	b.stop()
	for ch, want := range map[string][]string{
		"C0000000001": {"Daily digest: no outages in the last 24h", "Uptime over the last 24h", "OpenAI: 100%", "Mar 1 09:00 – Mar 2 09:00 UTC (24h)"},
		"C0000000002": {"Täglicher Digest: keine Ausfälle in den letzten 24 Stunden", "Verfügbarkeit in den letzten 24 Stunden", "OpenAI: 100 %", "1. März 09:00 – 2. März 09:00 UTC (24 Stunden)"},
	} {
		msgs := slackAPI.Messages(ch)
		if len(msgs) != 1 {
			t.Fatalf("%s: %d messages", ch, len(msgs))
		}
		all := msgs[0].Text + string(msgs[0].Blocks)
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: no %q in %s", ch, w, all)
			}
		}
	}
	for _, f := range slackAPI.Files() {
		want := map[string]string{"C0000000001": "Uptime and outages, ", "C0000000002": "Verfügbarkeit und Ausfälle, "}[f.Channel]
		if want == "" || !strings.HasPrefix(f.Title, want) {
			t.Errorf("chart in %s titled %q", f.Channel, f.Title)
		}
	}
}

// `digest now` and `report` answer in the asker's language, which the
// commands pass on to the builders.
func TestDigestAndReportAnswerInTheAskersLanguage(t *testing.T) {
	_, feed := newVendor(t, 1)
	a := start(t, parseConfig(t, fmt.Sprintf(`
[bot]
state = %q
listen = ""
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
`, filepath.Join(t.TempDir(), "state.db"), feed))).app
	var id []string
	waitFor(t, "the outage", func() bool {
		id = regexp.MustCompile("`([0-9a-f]{8})`").FindStringSubmatch(a.Commands().Run(context.Background(), bot.Request{Text: "incidents"}).Text())
		return id != nil
	})
	for _, c := range []struct{ text, lang, want string }{
		{"digest now", "de", "Täglicher Digest: 1 Ausfall in den letzten 24 Stunden"},
		{"digest now", "en", "Daily digest: 1 outage in the last 24h"},
		{"report " + id[1], "de", "Bericht: OpenAI: "},
		{"report " + id[1], "en", "Report: OpenAI: "},
		{"report " + id[1] + " markdown", "de", "Bericht " + id[1] + " als Markdown"},
	} {
		ans := a.Commands().Run(context.Background(), bot.Request{Text: c.text, Lang: c.lang})
		if !strings.HasPrefix(ans.Title, c.want) || ans.Problem {
			t.Errorf("%s in %s: %q, want %q…", c.text, c.lang, ans.Title, c.want)
		}
	}
}
