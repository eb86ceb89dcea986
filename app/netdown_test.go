package app_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/internal/fakeslack"
)

// freePort returns a loopback address nothing listens on (yet).
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// When every target's connection is refused at once, the bot says its own
// network looks down, once, instead of announcing an outage of each; when
// the targets answer again it says it is back online, once, with no
// restorations. With the rule turned off the same failures announce each
// target.
func TestNetworkDownIsOneNotice(t *testing.T) {
	for _, tc := range []struct {
		name      string
		setting   string
		offline   int
		perTarget int // OPENED and UNKNOWN lines
	}{
		{"rule on (default)", "", 1, 0},
		{"rule off", "network_down_min_targets = 0", 0, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db1, db2, page := freePort(t), freePort(t), freePort(t)
			text := fmt.Sprintf(`
[bot]
state = %q
listen = ""
%s

[[target]]
name = "Database"
type = "tcp"
address = %q
timeout = "1s"
failure_threshold = 2
success_threshold = 1

[[target]]
name = "Cache"
type = "tcp"
address = %q
timeout = "1s"
failure_threshold = 2
success_threshold = 1

[[target]]
name = "OpenAI"
type = "statuspage"
url = "http://%s"
timeout = "1s"
`, filepath.Join(t.TempDir(), "state.db"), tc.setting, db1, db2, page)
			cfg := parseConfig(t, text)
			now := time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)
			out := &syncBuffer{}
			a := newApp(t, cfg, app.Options{Stdout: out, Now: func() time.Time { return now }})
			ctx := context.Background()
			round := func() {
				for _, j := range a.Runner().Jobs() {
					a.Runner().Poll(ctx, j)
				}
				a.Drain(ctx)
				now = now.Add(time.Minute)
			}

			for range 4 {
				round()
			}
			lines := out.Lines()
			if got := count(lines, "OFFLINE"); got != tc.offline {
				t.Errorf("%d OFFLINE notices, want %d:\n%s", got, tc.offline, strings.Join(lines, "\n"))
			}
			if got := count(lines, "OPENED") + count(lines, "UNKNOWN"); got != tc.perTarget {
				t.Errorf("%d per-target notices, want %d:\n%s", got, tc.perTarget, strings.Join(lines, "\n"))
			}
			if tc.offline == 0 {
				return
			}

			// The network is back: every target answers.
			serveAgain(t, db1, db2, page)
			for range 3 {
				round()
			}
			lines = out.Lines()
			if got := count(lines, "ONLINE"); got != 1 {
				t.Errorf("%d ONLINE notices, want 1:\n%s", got, strings.Join(lines, "\n"))
			}
			if got := count(lines, "RESOLVED") + count(lines, "READABLE") + count(lines, "OPENED") + count(lines, "UNKNOWN"); got != 0 {
				t.Errorf("%d per-target notices around the network's return, want none:\n%s", got, strings.Join(lines, "\n"))
			}
			if len(lines) != 2 {
				t.Errorf("want the notice and its end, got:\n%s", strings.Join(lines, "\n"))
			}
		})
	}
}

// In chat too: one root message says the network is down, its thread gets
// the return; the targets post nothing.
func TestNetworkDownIsOneSlackMessage(t *testing.T) {
	slackAPI := newSlack(t, "C0123456789")
	db1, db2, page := freePort(t), freePort(t), freePort(t)
	text := fmt.Sprintf(`
[bot]
state = %q
listen = ""
[slack]
bot_token = "${SLACK_BOT_TOKEN}"
api_url = %q
[[channel]]
name = "ops"
slack = "C0123456789"

[[target]]
name = "Database"
type = "tcp"
address = %q
timeout = "1s"
failure_threshold = 2

[[target]]
name = "Cache"
type = "tcp"
address = %q
timeout = "1s"
failure_threshold = 2

[[target]]
name = "OpenAI"
type = "statuspage"
url = "http://%s"
timeout = "1s"
`, filepath.Join(t.TempDir(), "state.db"), slackAPI.URL(), db1, db2, page)
	cfg := parseConfigEnv(t, text, map[string]string{"SLACK_BOT_TOKEN": "xoxb-test-token"})
	now := time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)
	a := newApp(t, cfg, app.Options{Now: func() time.Time { return now }, Dispatch: fastRetries})
	ctx := context.Background()
	round := func() {
		for _, j := range a.Runner().Jobs() {
			a.Runner().Poll(ctx, j)
		}
		a.Drain(ctx)
		now = now.Add(time.Minute)
	}
	for range 4 {
		round()
	}
	msgs := slackAPI.Messages("C0123456789")
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Attachments), "network looks down") {
		t.Fatalf("want one message about our network, got %d: %+v", len(msgs), texts(msgs))
	}

	serveAgain(t, db1, db2, page)
	for range 3 {
		round()
	}
	msgs = slackAPI.Messages("C0123456789")
	if len(msgs) != 1 || len(msgs[0].Replies) != 1 || !strings.Contains(string(msgs[0].Replies[0].Blocks)+string(msgs[0].Replies[0].Attachments), "Back online") {
		t.Fatalf("want the return as the one reply, got %d messages: %+v", len(msgs), texts(msgs))
	}
}

func texts(msgs []fakeslack.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text+" "+string(m.Attachments))
		for _, r := range m.Replies {
			out = append(out, "  reply: "+r.Text+" "+string(r.Blocks)+string(r.Attachments))
		}
	}
	return out
}

// serveAgain brings the targets' closed ports back: the two TCP probes'
// and the vendor page's, until the test ends.
func serveAgain(t *testing.T, db1, db2, page string) {
	t.Helper()
	for _, addr := range []string{db1, db2} {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Skipf("could not listen on %s again: %v", addr, err)
		}
		t.Cleanup(func() { l.Close() })
		go acceptAll(l)
	}
	l, err := net.Listen("tcp", page)
	if err != nil {
		t.Skipf("could not listen on %s again: %v", page, err)
	}
	srv := &http.Server{Handler: &vendorPage{}, ReadHeaderTimeout: time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
}
