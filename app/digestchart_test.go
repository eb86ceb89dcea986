package app_test

import (
	"bytes"
	"fmt"
	"image/png"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/internal/fakeslack"
)

// A digest's chart is shown once however the upload breaks: the bot is
// stopped while the completion of the upload fails (the file was uploaded
// but never shared), or while every completion shares the file and loses
// the answer (shared, not recorded). After a restart the channel holds one
// digest and one chart.
func TestDigestChartOnceAcrossRestart(t *testing.T) {
	cases := map[string]fakeslack.Fault{
		"completion fails":             {Status: http.StatusInternalServerError},
		"completion's answer is lost":  {Drop: true},
		"completion's answer is a 500": {Drop: true, Status: http.StatusInternalServerError},
	}
	for name, fault := range cases {
		t.Run(name, func(t *testing.T) {
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
window = "24h"
`, filepath.Join(t.TempDir(), "state.db"), slackAPI.URL(), feed))
			logs := &syncBuffer{}
			log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			due := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			start := func(at time.Time) (stop func()) {
				t.Helper()
				real := time.Now()
				return startWith(t, cfg, app.Options{Log: log, Dispatch: fastRetries, Now: func() time.Time { return at.Add(time.Since(real)) }}, nil).stop
			}
			completions := func() int { return len(slackAPI.Calls("files.completeUploadExternal")) }

			slackAPI.Inject("files.completeUploadExternal", -1, fault)
			stop := start(due.Add(-time.Second))
			// Stopped once a completion failed: whether the retry ran
			// before the stop or runs after the restart, it must find
			// what an earlier attempt did.
			waitFor(t, "a failed completion", func() bool {
				return completions() >= 1 && strings.Contains(logs.String(), "delivery failed; will retry")
			})
			stop()
			slackAPI.ClearFaults()
			stop = start(due.Add(10 * time.Second))
			waitFor(t, "the chart", func() bool {
				msgs := slackAPI.Messages("C0123456789")
				return len(msgs) == 1 && len(msgs[0].Replies) == 1 && strings.Contains(logs.String(), "digest already sent")
			})
			// Another restart finds nothing left to do.
			stop()
			stop = start(due.Add(20 * time.Second))
			waitFor(t, "the start-up check", func() bool { return strings.Count(logs.String(), "digest already sent") >= 2 })
			stop()

			msgs := slackAPI.Messages("C0123456789")
			if len(msgs) != 1 || len(msgs[0].Replies) != 1 || len(msgs[0].Replies[0].Files) != 1 {
				t.Fatalf("messages %+v: want the digest and its chart", msgs)
			}
			var shared []fakeslack.File
			for _, f := range slackAPI.Files() {
				if f.Channel != "" {
					shared = append(shared, f)
				}
			}
			if len(shared) != 1 {
				t.Fatalf("%d charts shared, want 1", len(shared))
			}
			f := shared[0]
			if f.ThreadTS != msgs[0].TS || !strings.HasPrefix(f.AltText, "Uptime from Mar 1 09:00 to Mar 2 09:00 UTC (24h): OpenAI: 100%") {
				t.Errorf("chart %s in thread %q, alt text %q", f.ID, f.ThreadTS, f.AltText)
			}
			if _, err := png.Decode(bytes.NewReader(f.Data)); err != nil {
				t.Errorf("the chart is not a PNG: %v", err)
			}
		})
	}
}
