package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/outagebot/outagebot/internal/pgtest"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/internal/fakeslack"
	"github.com/outagebot/outagebot/notifier"
)

// These tests run the bot as child processes of the test binary (it runs
// itself again with replicaEnv set, and TestReplicaProcess becomes the
// bot), so that a replica can really be killed with SIGKILL.

const (
	replicaEnv    = "OUTAGEBOT_TEST_REPLICA_CONFIG"
	replicaTTLEnv = "OUTAGEBOT_TEST_REPLICA_TTL"
	replicaAddr   = "REPLICA_ADDR "
	slackChannel  = "C0123456789"
	signingSecret = "8f742231b10e8888abcd99yyyzzz85a5"
)

// TestReplicaProcess is the bot inside a child process; it does nothing in
// a normal test run.
func TestReplicaProcess(t *testing.T) {
	path := os.Getenv(replicaEnv)
	if path == "" {
		t.Skip("helper: the failover and crash-loop tests run this as a child process")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(path, data, os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	ttl, err := time.ParseDuration(os.Getenv(replicaTTLEnv))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.New(context.Background(), cfg, app.Options{
		Log:      log,
		LeaseTTL: ttl,
		// A claimed delivery whose process died comes back after
		// AttemptTimeout+5s: keep that short.
		Dispatch: notifier.Options{BaseBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Idle: 50 * time.Millisecond, AttemptTimeout: time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Listen(); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%s%s\n", replicaAddr, a.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// replica is one bot process.
type replica struct {
	name string
	cmd  *exec.Cmd
	addr string
	logs *syncBuffer
	done chan struct{}
}

// addrWatcher passes the child's stdout on to its log and picks out the
// address line.
type addrWatcher struct {
	logs *syncBuffer
	mu   sync.Mutex
	line []byte
	addr chan string
}

func (w *addrWatcher) Write(p []byte) (int, error) {
	_, _ = w.logs.Write(p)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.line = append(w.line, p...)
	for {
		i := bytes.IndexByte(w.line, '\n')
		if i < 0 {
			return len(p), nil
		}
		if l := string(w.line[:i]); strings.HasPrefix(l, replicaAddr) {
			select {
			case w.addr <- strings.TrimPrefix(l, replicaAddr):
			default:
			}
		}
		w.line = w.line[i+1:]
	}
}

func startReplica(t *testing.T, name, cfgPath string, ttl time.Duration) *replica {
	t.Helper()
	r, err := spawnReplica(t, name, cfgPath, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// spawnReplica starts a bot process and waits until it serves HTTP. It may
// run outside the test's goroutine.
func spawnReplica(t *testing.T, name, cfgPath string, ttl time.Duration) (*replica, error) {
	r := &replica{name: name, logs: &syncBuffer{}, done: make(chan struct{})}
	r.cmd = exec.Command(os.Args[0], "-test.run=^TestReplicaProcess$")
	r.cmd.Env = append(os.Environ(), replicaEnv+"="+cfgPath, replicaTTLEnv+"="+ttl.String(),
		"SLACK_BOT_TOKEN=xoxb-test-token", "SLACK_SIGNING_SECRET="+signingSecret)
	w := &addrWatcher{logs: r.logs, addr: make(chan string, 1)}
	r.cmd.Stdout, r.cmd.Stderr = w, r.logs
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		_ = r.cmd.Wait()
		close(r.done)
	}()
	t.Cleanup(func() {
		r.kill()
		if t.Failed() {
			t.Logf("--- log of replica %s ---\n%s", r.name, r.logs.String())
		}
	})
	select {
	case r.addr = <-w.addr:
		return r, nil
	case <-r.done:
		return nil, fmt.Errorf("replica %s exited before serving:\n%s", name, r.logs.String())
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("replica %s did not start:\n%s", name, r.logs.String())
	}
}

// kill is kill -9.
func (r *replica) kill() {
	_ = r.cmd.Process.Kill()
	<-r.done
}

// health returns the replica's /healthz status code and role (0 when it does
// not answer).
func (r *replica) health() (int, string) {
	c := http.Client{Timeout: time.Second}
	resp, err := c.Get("http://" + r.addr + "/healthz")
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	var h struct {
		Role string `json:"role"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&h)
	return resp.StatusCode, h.Role
}

func (r *replica) metrics(t *testing.T) string {
	t.Helper()
	resp, err := http.Get("http://" + r.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// slash sends a signed /status command and returns the answer.
func (r *replica) slash(t *testing.T, text string) string {
	t.Helper()
	_, body := slashCommand(t, r.addr, signingSecret, slackChannel, text)
	return body
}

// TestMain says once, not only under -v, that the PostgreSQL tests are
// skipped. (go test ./... keeps a passing package's output to itself; go
// test in the package's directory, -v and -json show the line.)
func TestMain(m *testing.M) {
	if os.Getenv("OUTAGEBOT_TEST_POSTGRES") == "" {
		fmt.Fprintln(os.Stderr, "app: PostgreSQL tests skipped: OUTAGEBOT_TEST_POSTGRES is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	os.Exit(m.Run())
}

// postgresSchema makes a schema of its own for one test, dropped afterwards,
// and returns the URL that points into it (skipping the test without
// OUTAGEBOT_TEST_POSTGRES).
func postgresSchema(t *testing.T) string {
	t.Helper()
	return pgtest.URL(t, "the replica tests")
}

// replicaConfig writes the replicas' configuration: one Slack channel, and a
// statuspage target per vendor page.
func replicaConfig(t *testing.T, state, instance, slackURL string, targets map[string]string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `
[bot]
state = %q
listen = "127.0.0.1:0"
instance = %q
[slack]
bot_token = "${SLACK_BOT_TOKEN}"
signing_secret = "${SLACK_SIGNING_SECRET}"
api_url = %q
[[channel]]
name = "ops"
slack = %q
`, state, instance, slackURL, slackChannel)
	names := make([]string, 0, len(targets))
	for name := range targets {
		names = append(names, name)
	}
	for _, name := range names {
		fmt.Fprintf(&b, `
[[target]]
name = %q
type = "statuspage"
url = %q
interval = "1s"
timeout = "1s"
`, name, targets[name])
	}
	path := filepath.Join(t.TempDir(), "outagebot.toml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := config.Parse(path, []byte(b.String()), func(k string) (string, bool) {
		return map[string]string{"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": signingSecret}[k], true
	}); err != nil {
		t.Fatal(err)
	}
	return path
}

// Two replicas on one PostgreSQL database; the leader is killed with
// SIGKILL in the middle of an outage; the standby takes over within 15 s,
// and the channel shows one root, every update once, one restoration.
func TestFailoverWhenTheLeaderIsKilled(t *testing.T) {
	state := postgresSchema(t)
	v, feed := newVendor(t, 0)
	slackAPI := newSlack(t, slackChannel)
	cfg := replicaConfig(t, state, "", slackAPI.URL(), map[string]string{"OpenAI": feed})
	const ttl = 2 * time.Second

	a := startReplica(t, "a", cfg, ttl)
	waitFor(t, "a to lead", func() bool { code, role := a.health(); return code == 200 && role == "leader" })
	b := startReplica(t, "b", cfg, ttl)
	waitFor(t, "b to stand by", func() bool { code, role := b.health(); return code == 200 && role == "standby" })
	if m := b.metrics(t); !strings.Contains(m, "outagebot_leader 0") {
		t.Errorf("standby's metrics lack outagebot_leader 0")
	}
	if m := a.metrics(t); !strings.Contains(m, "outagebot_leader 1") {
		t.Errorf("leader's metrics lack outagebot_leader 1")
	}

	msgs := func() []fakeslack.Message { return slackAPI.Messages(slackChannel) }
	v.phase.Store(1)
	waitFor(t, "the root", func() bool { return len(msgs()) == 1 })
	// The standby answers from the store what the leader saw.
	waitFor(t, "the standby to show the outage", func() bool {
		return strings.Contains(b.slash(t, "openai"), "Elevated error rates")
	})

	// The update happens; the leader dies somewhere around it: before the
	// poll, between commit and delivery, or after.
	v.phase.Store(2)
	time.Sleep(time.Duration(rand.Int64N(int64(1500 * time.Millisecond))))
	killed := time.Now()
	a.kill()
	waitFor(t, "b to take over", func() bool { code, role := b.health(); return code == 200 && role == "leader" })
	takeover := time.Since(killed)
	t.Logf("standby took over %s after the leader was killed (lease ttl %s)", takeover.Round(time.Millisecond), ttl)
	if takeover > 15*time.Second {
		t.Errorf("takeover took %s, want within 15s", takeover)
	}
	if m := b.metrics(t); !strings.Contains(m, "outagebot_leader 1") {
		t.Errorf("new leader's metrics lack outagebot_leader 1")
	}
	replies := func() int {
		m := msgs()
		if len(m) == 0 {
			return 0
		}
		return len(m[0].Replies)
	}
	waitFor(t, "the update", func() bool { return replies() == 1 })
	v.phase.Store(3)
	waitFor(t, "the restoration", func() bool { return replies() == 2 })
	waitPolls(t, v, 3)
	time.Sleep(300 * time.Millisecond) // anything doubled would be posted by now

	got := msgs()
	if len(got) != 1 {
		t.Fatalf("want one root, got %d", len(got))
	}
	root := got[0]
	if len(root.Replies) != 2 {
		t.Fatalf("want 2 replies (update, restoration), got %d", len(root.Replies))
	}
	if !strings.Contains(root.Replies[0].Text, "We have identified the cause") {
		t.Errorf("first reply is not the update: %q", root.Replies[0].Text)
	}
	if !strings.Contains(root.Replies[1].Text, "1h 12m") {
		t.Errorf("second reply is not the restoration: %q", root.Replies[1].Text)
	}
	if !strings.Contains(root.Text+string(root.Blocks)+string(root.Attachments), "lasted 1h 12m") {
		t.Errorf("final root does not say how long it lasted: %s", root.Text)
	}
}

// The bot is killed with SIGKILL at 50 random moments while four outages
// open, change and end, overlapping; every message reaches the channel
// exactly once, in order.
func TestCrashLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("crash loop: about a minute")
	}
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		crashLoop(t, filepath.Join(t.TempDir(), "state.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		crashLoop(t, postgresSchema(t))
	})
}

func crashLoop(t *testing.T, state string) {
	const kills = 50
	pages := map[string]*vendorPage{}
	urls := map[string]string{}
	names := []string{"T1", "T2", "T3", "T4"}
	for _, n := range names {
		pages[n], urls[n] = newVendor(t, 0)
	}
	slackAPI := newSlack(t, slackChannel)
	// Slack answers posts and edits slowly (after acting on them), so that
	// kills land between "posted" and "recorded".
	slow := newSlowAnswers(slackAPI.URL())
	t.Cleanup(slow.Close)
	// A stable instance name: a restarted bot resumes its own lease at once.
	cfg := replicaConfig(t, state, "crashloop", slow.URL+"/api/", urls)

	// Outages overlap: T1 opens, T2 opens, T1 is updated, ...
	script := []struct {
		target string
		phase  int32
	}{
		{"T1", 1}, {"T2", 1}, {"T1", 2}, {"T3", 1}, {"T2", 2}, {"T1", 3},
		{"T4", 1}, {"T3", 2}, {"T2", 3}, {"T4", 2}, {"T3", 3}, {"T4", 3},
	}
	posted := func() int {
		n := 0
		for _, m := range slackAPI.Messages(slackChannel) {
			n += 1 + len(m.Replies)
		}
		return n
	}

	// The killer: start the bot, let it live a random while, kill -9; kill
	// number k waits for its step of the script, so that the kills spread
	// over the whole lifecycle. Then one last bot runs to the end.
	var (
		step     atomic.Int32
		killed   atomic.Int32
		finished = make(chan struct{})
		last     = make(chan *replica, 1)
		failed   = make(chan error, 1)
	)
	allowed := func() int32 { return (step.Load() + 1) * kills / int32(len(script)) }
	go func() {
		for i := 0; i < kills; i++ {
			r, err := spawnReplica(t, fmt.Sprintf("run-%d", i), cfg, 2*time.Second)
			if err != nil {
				failed <- err
				return
			}
			time.Sleep(time.Duration(rand.Int64N(int64(900 * time.Millisecond))))
			for killed.Load() >= allowed() {
				select {
				case <-finished:
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
			if i%6 == 5 {
				// Every sixth kill waits for a post or edit that Slack has
				// made and not yet answered (a delivery that comes back
				// after the claim's lease, as possibly made).
				select {
				case <-slow.held:
				case <-time.After(1500 * time.Millisecond):
				}
			} else {
				time.Sleep(time.Duration(rand.Int64N(int64(300 * time.Millisecond))))
			}
			r.kill()
			killed.Add(1)
		}
		r, err := spawnReplica(t, "last", cfg, 2*time.Second)
		if err != nil {
			failed <- err
			return
		}
		last <- r
	}()
	defer close(finished)

	start := time.Now()
	for i, st := range script {
		step.Store(int32(i))
		pages[st.target].phase.Store(st.phase)
		deadline := time.Now().Add(60 * time.Second)
		for posted() < i+1 || killed.Load() < allowed() {
			select {
			case err := <-failed:
				t.Fatal(err)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("step %d (%s phase %d): %d messages posted, %d kills", i+1, st.target, st.phase, posted(), killed.Load())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	var final *replica
	select {
	case final = <-last:
	case err := <-failed:
		t.Fatal(err)
	case <-time.After(60 * time.Second):
		t.Fatal("the last bot did not start")
	}
	waitFor(t, "the last bot to lead", func() bool { _, role := final.health(); return role == "leader" })
	for _, n := range names {
		waitPolls(t, pages[n], 2)
	}
	time.Sleep(300 * time.Millisecond) // anything doubled would be posted by now
	t.Logf("%d kills across the lifecycle in %s; Slack saw %d posts, %d edits and %d look-ups for %d messages", killed.Load(), time.Since(start).Round(time.Millisecond),
		len(slackAPI.Calls("chat.postMessage")), len(slackAPI.Calls("chat.update")),
		len(slackAPI.Calls("conversations.history"))+len(slackAPI.Calls("conversations.replies")), posted())

	got := slackAPI.Messages(slackChannel)
	var story []string
	for _, m := range got {
		line := firstWord(m.Text)
		for _, r := range m.Replies {
			kind := "?"
			switch {
			case strings.Contains(r.Text, "We have identified the cause"):
				kind = "update"
			case strings.Contains(r.Text, "1h 12m"):
				kind = "restoration"
			}
			line += " " + kind
		}
		story = append(story, line)
	}
	want := []string{"T1 update restoration", "T2 update restoration", "T3 update restoration", "T4 update restoration"}
	if strings.Join(story, "\n") != strings.Join(want, "\n") {
		t.Errorf("channel:\n%s\nwant:\n%s", strings.Join(story, "\n"), strings.Join(want, "\n"))
	}
}

// firstWord names the target a root message is about.
func firstWord(text string) string {
	for _, n := range []string{"T1", "T2", "T3", "T4"} {
		if strings.Contains(text, n) {
			return n
		}
	}
	return "?"
}

// slowAnswers stands between the bot and the fake Slack: calls that post or
// edit are made at once and answered a random while later, and held tells
// who listens that such an answer is being held back.
type slowAnswers struct {
	*httptest.Server
	held chan struct{}
}

func newSlowAnswers(upstream string) *slowAnswers {
	s := &slowAnswers{held: make(chan struct{})}
	base := strings.TrimSuffix(upstream, "/api/")
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		// The call goes through even if the bot dies meanwhile.
		req, _ := http.NewRequestWithContext(context.WithoutCancel(r.Context()), r.Method, base+r.URL.RequestURI(), bytes.NewReader(body))
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		if strings.HasSuffix(r.URL.Path, "/chat.postMessage") || strings.HasSuffix(r.URL.Path, "/chat.update") {
			hold := time.NewTimer(time.Duration(100+rand.Int64N(300)) * time.Millisecond)
		wait:
			for {
				select {
				case s.held <- struct{}{}:
				case <-hold.C:
					break wait
				}
			}
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(answer)
	}))
	return s
}
