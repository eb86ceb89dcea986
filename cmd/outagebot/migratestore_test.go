package main

import (
	"context"
	"fmt"
	"github.com/outagebot/outagebot/internal/pgtest"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/internal/fakeslack"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/store"
)

// postgresState makes a schema of its own for one test on the server
// OUTAGEBOT_TEST_POSTGRES names (skipping the test without it), dropped
// afterwards, and returns the URL that points into it.
func postgresState(t *testing.T) string {
	t.Helper()
	return pgtest.URL(t, "the migrate-store tests")
}

// migratePhases are a Statuspage incident's pages as the vendor moves it
// on: investigating, identified (the lifecycle fixtures shared with the
// app's tests) and monitoring.
var migratePhases = []string{
	filepath.Join(fixtures, "2-investigating"),
	filepath.Join(fixtures, "3-identified"),
	filepath.Join("testdata", "migrate-store", "4-monitoring"),
}

// phasedVendor serves one of migratePhases; the test moves it on.
type phasedVendor struct {
	phase atomic.Int32
	polls atomic.Int32
}

func (v *phasedVendor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := filepath.Base(r.URL.Path)
	if name != "summary.json" && name != "incidents.json" {
		http.NotFound(w, r)
		return
	}
	if name == "summary.json" {
		v.polls.Add(1)
	}
	data, err := os.ReadFile(filepath.Join(migratePhases[v.phase.Load()], name))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
}

const migrateChannel = "C0MIGRATE01"

// migrateConfig is a bot on state that posts the vendor's outages to one
// Slack channel.
func migrateConfig(t *testing.T, state, slackURL, vendorURL string) *config.Config {
	t.Helper()
	text := fmt.Sprintf(`
[bot]
state = %q
listen = ""
[slack]
bot_token = "xoxb-test"
api_url = %q
[[channel]]
name = "ops"
slack = %q
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
timeout = "1s"
`, state, slackURL, migrateChannel, vendorURL)
	cfg, err := config.Parse("test.toml", []byte(text), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// fixtureClock runs from 15:00 UTC on the fixtures' day, as fast as the
// wall clock: the incident is always half an hour old, whatever the date.
func fixtureClock() func() time.Time {
	base := time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC)
	start := time.Now()
	return func() time.Time { return base.Add(time.Since(start)) }
}

var migrateDispatch = notifier.Options{BaseBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Idle: 50 * time.Millisecond}

// runBot runs the bot until the returned stop is called.
func runBot(t *testing.T, cfg *config.Config, now func() time.Time) (stop func()) {
	t.Helper()
	a, err := app.New(context.Background(), cfg, app.Options{Now: now, Dispatch: migrateDispatch})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}
	t.Cleanup(stop)
	return stop
}

// A bot on SQLite announces an outage in Slack and stops with the vendor's
// next update committed but not yet posted. The state moves to PostgreSQL;
// the bot started there posts that update, and the one after it, as
// replies under the root posted from SQLite, and never posts a root again.
func TestMigrateStoreRoundTrip(t *testing.T) {
	pg := postgresState(t)
	sqlitePath := filepath.Join(t.TempDir(), "state.db")
	v := &phasedVendor{}
	vendor := httptest.NewServer(v)
	defer vendor.Close()
	slackAPI := fakeslack.New()
	defer slackAPI.Close()
	slackAPI.AddChannel(migrateChannel)
	now := fixtureClock()
	msgs := func() []fakeslack.Message { return slackAPI.Messages(migrateChannel) }

	// On SQLite: the root.
	onSQLite := migrateConfig(t, sqlitePath, slackAPI.URL(), vendor.URL)
	stop := runBot(t, onSQLite, now)
	waitUntil(t, func() bool { return len(msgs()) == 1 })
	stop()
	root := msgs()[0]

	// The vendor's update is committed; the bot "stops" before posting it.
	v.phase.Store(1)
	a, err := app.New(context.Background(), onSQLite, app.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	a.Runner().Poll(context.Background(), a.Runner().Jobs()[0])
	if n, err := a.Store().OutboxDepth(context.Background()); err != nil || n != 1 {
		t.Fatalf("outbox depth before the move = %d (%v), want the update pending", n, err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := runCLI("migrate-store", "--from", sqlitePath, "--to", pg)
	if code != 0 {
		t.Fatalf("migrate-store: exit %d\n%s%s", code, stdout, stderr)
	}
	golden(t, "migrate-store.golden", strings.NewReplacer(sqlitePath, "FROM", pg, "TO").Replace(stdout))

	// On PostgreSQL: the pending update, then the next one, in the thread.
	polls := v.polls.Load()
	stop = runBot(t, migrateConfig(t, pg, slackAPI.URL(), vendor.URL), now)
	replies := func() int { return len(msgs()[0].Replies) }
	waitUntil(t, func() bool { return replies() == 1 })
	waitUntil(t, func() bool { return v.polls.Load() >= polls+2 })
	v.phase.Store(2)
	waitUntil(t, func() bool { return replies() == 2 })
	polls = v.polls.Load()
	waitUntil(t, func() bool { return v.polls.Load() >= polls+3 })
	stop()

	got := msgs()
	if len(got) != 1 {
		t.Fatalf("%d top-level messages, want the one root posted from SQLite", len(got))
	}
	if got[0].TS != root.TS {
		t.Fatalf("root ts %s, want %s", got[0].TS, root.TS)
	}
	wants := []string{
		"We have identified the cause as a faulty deployment and are rolling it back.",
		"The rollback is complete and error rates are recovering. We are monitoring the results.",
	}
	if len(got[0].Replies) != len(wants) {
		t.Fatalf("%d replies, want %d", len(got[0].Replies), len(wants))
	}
	for i, r := range got[0].Replies {
		if r.ThreadTS != root.TS {
			t.Errorf("reply %d in thread %q, want %q", i+1, r.ThreadTS, root.TS)
		}
		if !strings.Contains(r.Text+string(r.Blocks)+string(r.Attachments), wants[i]) {
			t.Errorf("reply %d lacks %q: %s", i+1, wants[i], r.Text)
		}
	}
	roots := 0
	for _, c := range slackAPI.Calls("chat.postMessage") {
		if c.Params.Get("thread_ts") == "" {
			roots++
		}
	}
	if roots != 1 {
		t.Errorf("chat.postMessage without thread_ts %d times, want once (the root, from SQLite)", roots)
	}
}

// A target that a bot has used already is refused with the tables that
// hold rows, and left as it was.
func TestMigrateStoreRefusesNonEmptyTarget(t *testing.T) {
	for _, to := range []string{"sqlite", "postgres"} {
		t.Run(to, func(t *testing.T) {
			from := filepath.Join(t.TempDir(), "from.db")
			target := filepath.Join(t.TempDir(), "to.db")
			if to == "postgres" {
				target = postgresState(t)
			}
			ctx := context.Background()
			for _, state := range []string{from, target} {
				s, err := store.Open(ctx, state)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.SaveMute(ctx, store.MuteRow{Target: "OpenAI", Until: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), By: "U1"}); err != nil {
					t.Fatal(err)
				}
				s.Close()
			}
			code, stdout, stderr := runCLI("migrate-store", "--from", from, "--to", target)
			if code != 1 {
				t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
			}
			want := "outagebot migrate-store: nothing was copied: the target database is not empty (mutes has 1 row): the copy goes only into a database no bot has used\n"
			if stderr != want || stdout != "" {
				t.Errorf("stdout %q\nstderr %q\nwant stderr %q", stdout, stderr, want)
			}
		})
	}
}

// Wrong arguments are refused before anything is opened or created.
func TestMigrateStoreArguments(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no target", []string{"--from", "a.db"}, 64,
			"outagebot migrate-store: give --from STATE and --to STATE (a SQLite file or a postgres:// URL)\n" +
				"Usage: outagebot migrate-store [flags]\n" +
				"Run 'outagebot migrate-store --help' for its flags and an example.\n"},
		{"same file", []string{"--from", filepath.Join(dir, "a.db"), "--to", filepath.Join(dir, ".", "a.db")}, 1,
			"outagebot migrate-store: --from and --to name the same database (" + filepath.Join(dir, "a.db") + ")\n"},
		{"no such source", []string{"--from", missing, "--to", filepath.Join(dir, "b.db")}, 1,
			"outagebot migrate-store: cannot read the source: stat " + missing + ": no such file or directory\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(append([]string{"migrate-store"}, tt.args...)...)
			if code != tt.code || stderr != tt.stderr || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q\nwant exit %d, stderr %q", code, stdout, stderr, tt.code, tt.stderr)
			}
		})
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("a missing source was created: %v", err)
	}
}

// A PostgreSQL password never appears in what the command prints, whether
// the copy works or fails.
func TestMigrateStoreHidesPasswords(t *testing.T) {
	const secret = "s3cr3t-pw-7f2a"
	from := filepath.Join(t.TempDir(), "from.db")
	s, err := store.Open(context.Background(), from)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	unreachable := "postgres://outagebot:" + secret + "@127.0.0.1:1/outagebot?sslmode=disable&connect_timeout=5"
	targets := map[string]string{
		"unreachable":       unreachable,
		"password in query": "postgres://outagebot@127.0.0.1:1/outagebot?sslmode=disable&connect_timeout=5&password=" + secret,
	}
	if dsn := os.Getenv("OUTAGEBOT_TEST_POSTGRES"); dsn != "" {
		// The test server trusts loopback connections: the password is
		// carried but not checked.
		u, err := url.Parse(postgresState(t))
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword(u.User.Username(), secret)
		targets["copied"] = u.String()
	}
	for name, to := range targets {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runCLI("migrate-store", "--from", from, "--to", to)
			if strings.Contains(stdout+stderr, secret) {
				t.Errorf("exit %d; the password shows:\n%s%s", code, stdout, stderr)
			}
			if name == "copied" && (code != 0 || !strings.Contains(stdout, ":xxxxx@127.0.0.1:5432")) {
				t.Errorf("exit %d:\n%s%s", code, stdout, stderr)
			}
			if name != "copied" && code != 1 {
				t.Errorf("exit %d, want 1:\n%s%s", code, stdout, stderr)
			}
		})
	}
}
