package app_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/internal/fakeslack"
	"github.com/outagebot/outagebot/internal/golden"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

const (
	slackToken   = "xoxb-right-SeCrEt-1"
	discordToken = "MTA5.right-discord.SeCrEt-2"
)

// chatEnv is a bot with Slack and Discord configured against the fakes, and
// an HTTP server for its health and metrics.
type chatEnv struct {
	slack   *fakeslack.Server
	discord *fakediscord.Server
	app     *app.App
	logs    *syncBuffer
	step    *stepper
	base    string
	stop    func()
}

// stepper replaces the checks' sleep: each wait is handed to the test,
// which lets it end, so no test sleeps for real or depends on timing.
type stepper struct {
	waits   chan time.Duration
	release chan struct{}
}

func newStepper() *stepper {
	return &stepper{waits: make(chan time.Duration), release: make(chan struct{})}
}

func (s *stepper) sleep(ctx context.Context, d time.Duration) error {
	select {
	case s.waits <- d:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-s.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// next waits for the checks to wait, and returns how long they asked for.
func (s *stepper) next(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-s.waits:
		return d
	case <-time.After(15 * time.Second):
		t.Fatal("the checks never waited")
		return 0
	}
}

// newChatEnv configures Slack channels ops (C0000OPS1, the bot is a member)
// and alerts (C00ALERTS, it is not), a Discord channel ops, and a webhook
// channel; tokens are what the bot is given, setup prepares the fakes.
func newChatEnv(t *testing.T, slackTok, discordTok string, setup func(*fakeslack.Server, *fakediscord.Server)) *chatEnv {
	t.Helper()
	fs := fakeslack.New()
	t.Cleanup(fs.Close)
	fs.RequireToken(slackToken)
	fs.AddChannel("C0000OPS1")
	fs.SetChannelInfo("C0000OPS1", fakeslack.ChannelInfo{Name: "ops"})
	fs.SetChannelInfo("C00ALERTS", fakeslack.ChannelInfo{Name: "alerts"})
	fs.SetChannelError("C00ALERTS", "not_in_channel")
	fd := fakediscord.New()
	t.Cleanup(fd.Close)
	fd.RequireToken(discordToken)
	fd.SetChannelSpec("1200000000000000001", fakediscord.ChannelSpec{Name: "ops"})
	if setup != nil {
		setup(fs, fd)
	}
	_, vendor := newVendor(t, 0)

	cfg := parseConfigEnv(t, fmt.Sprintf(`
[bot]
state = %q
listen = "127.0.0.1:0"
[slack]
bot_token = "${SLACK_BOT_TOKEN}"
api_url = %q
[discord]
bot_token = "${DISCORD_BOT_TOKEN}"
api_url = %q
[[channel]]
name = "ops"
slack = "C0000OPS1"
discord = "1200000000000000001"
[[channel]]
name = "alerts"
slack = "C00ALERTS"
[[channel]]
name = "hooks"
webhook_url = "https://hooks.slack.com/services/T0000/B0000/XXXXsecretXXXX"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1h"
channels = ["ops"]
`, filepath.Join(t.TempDir(), "state.db"), fs.URL(), fd.URL(), vendor), map[string]string{"SLACK_BOT_TOKEN": slackTok, "DISCORD_BOT_TOKEN": discordTok})
	logs := &syncBuffer{}
	step := newStepper()
	b := startWith(t, cfg, app.Options{
		Dispatch:  fastRetries,
		Log:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		ChatCheck: app.ChatCheckOptions{Backoff: func(n int) time.Duration { return time.Duration(n+1) * time.Second }, Sleep: step.sleep},
	}, nil)
	e := &chatEnv{slack: fs, discord: fd, app: b.app, logs: logs, step: step, base: "http://" + b.app.Addr(), stop: b.stop}
	// The log is read once the bot has stopped writing it.
	t.Cleanup(func() {
		e.stop()
		for _, secret := range []string{slackToken, discordToken, slackTok, discordTok, "XXXXsecretXXXX"} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("a secret is in the log:\n%s", logs)
			}
		}
	})
	return e
}

func (e *chatEnv) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(e.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// state is a platform's state in the report.
func (e *chatEnv) state(platform string) string {
	for _, p := range e.app.ChatReport().Platforms {
		if p.Platform == platform {
			return p.State
		}
	}
	return ""
}

// checked reports whether every platform and channel has an answer.
func (e *chatEnv) checked() bool {
	for _, p := range e.app.ChatReport().Platforms {
		if p.State == app.ChatChecking {
			return false
		}
		for _, c := range p.Channels {
			if c.State == app.ChatChecking {
				return false
			}
		}
	}
	return true
}

// metric returns the value of one exported series, "" when absent.
func (e *chatEnv) metric(t *testing.T, series string) string {
	t.Helper()
	_, body := e.get(t, "/metrics")
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

// healthDetail is the chat detail of /healthz, indented, for a golden file.
func healthDetail(t *testing.T, body string) any {
	t.Helper()
	var v struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Chat   json.RawMessage `json:"chat"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	var chat any
	if err := json.Unmarshal(v.Chat, &chat); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return map[string]any{"status": v.Status, "error": v.Error, "chat": chat}
}

// Good tokens: each platform is named in the log, every channel checked,
// the one the bot is not in reported with the fix, and the health detail
// and metrics say so.
func TestChatChecksAtStart(t *testing.T) {
	e := newChatEnv(t, slackToken, discordToken, nil)
	waitFor(t, "the chat checks", e.checked)
	// The checks run beside the start of leading; on a busy machine they
	// can finish before the bot has taken the lead and answers healthy.
	waitFor(t, "the bot to lead", func() bool { return e.app.Role() == "leader" })

	code, body := e.get(t, "/healthz")
	if code != 200 {
		t.Errorf("/healthz = %d %s: a channel the bot is not in must not make the bot unhealthy", code, body)
	}
	golden.JSON(t, "chat-health-good", healthDetail(t, body), false, *update)
	if code, body := e.get(t, "/readyz"); code != 200 {
		t.Errorf("/readyz = %d %s", code, body)
	}
	for series, want := range map[string]string{
		`outagebot_chat_ready{platform="slack"}`:                              "1",
		`outagebot_chat_ready{platform="discord"}`:                            "1",
		`outagebot_chat_channel_reachable{channel="ops",platform="slack"}`:    "1",
		`outagebot_chat_channel_reachable{channel="alerts",platform="slack"}`: "0",
		`outagebot_chat_channel_reachable{channel="ops",platform="discord"}`:  "1",
	} {
		if got := e.metric(t, series); got != want {
			t.Errorf("%s = %q, want %q", series, got, want)
		}
	}
	logs := e.logs.String()
	for _, want := range []string{
		`msg="Slack accepts the bot token" component=chat-check platform=slack workspace="Fake (T0FAKE)" bot_user="outagebot (U0BOT)"`,
		`msg="Discord accepts the bot token" component=chat-check platform=discord workspace="outagebot (1100000000000000003), in 1 servers" bot_user="outagebot (1000000000000000001)"`,
		`the bot is not a member of #alerts: invite the bot in the channel with /invite @outagebot`,
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

// A refused token is reported as such: /readyz fails (/healthz does not),
// the metric is 0, and the token is asked about again only after a long
// wait, not in a loop.
func TestChatChecksBadToken(t *testing.T) {
	const wrongSlack, wrongDiscord = "xoxb-wrong-SeCrEt-3", "MTA5.wrong-discord.SeCrEt-4"
	e := newChatEnv(t, wrongSlack, wrongDiscord, nil)
	// Both platforms wait, each once, for a quarter of an hour.
	for range 2 {
		if d := e.step.next(t); d != 15*time.Minute {
			t.Errorf("waited %s after a refused token, want 15m", d)
		}
	}
	if n := len(e.slack.Calls("auth.test")); n != 1 {
		t.Errorf("auth.test called %d times, want 1", n)
	}
	if n := len(e.discord.Calls(fakediscord.RouteCurrentUser)); n != 1 {
		t.Errorf("users/@me called %d times, want 1", n)
	}
	if n := len(e.slack.Calls("conversations.info")) + len(e.discord.Calls(fakediscord.RouteGetChannel)); n != 0 {
		t.Errorf("%d channel checks with a refused token", n)
	}
	waitFor(t, "the bot to lead", func() bool { return e.app.Role() == "leader" })
	// Leading comes a moment before the scheduler runs: wait for the bot
	// itself to be healthy, which a refused chat token must not prevent.
	var (
		code int
		body string
	)
	waitFor(t, "/healthz to answer 200 with refused chat tokens", func() bool {
		code, body = e.get(t, "/healthz")
		return code == 200
	})
	golden.JSON(t, "chat-health-unauthorized", healthDetail(t, body), false, *update)
	code, body = e.get(t, "/readyz")
	if code != 503 || !strings.Contains(body, "Slack does not accept the bot token: slack auth.test: invalid_auth") ||
		!strings.Contains(body, "Discord does not accept the bot token: discord: get the bot user: HTTP 401") {
		t.Errorf("/readyz = %d %s", code, body)
	}
	for _, secret := range []string{wrongSlack, wrongDiscord} {
		if strings.Contains(body, secret) {
			t.Errorf("/readyz shows the token: %s", body)
		}
	}
	for _, p := range []string{"slack", "discord"} {
		if got := e.metric(t, `outagebot_chat_ready{platform="`+p+`"}`); got != "0" {
			t.Errorf("%s ready = %q, want 0", p, got)
		}
	}
	if n := strings.Count(e.logs.String(), "refuses the bot token"); n != 2 {
		t.Errorf("%d log lines about the refused tokens, want 2:\n%s", n, e.logs)
	}
}

// While a platform answers 5xx the checks retry with growing waits; when it
// answers, the health detail and metrics flip to ready.
func TestChatChecksRetryUntilTheAPIAnswers(t *testing.T) {
	e := newChatEnv(t, slackToken, discordToken, func(fs *fakeslack.Server, fd *fakediscord.Server) {
		fs.FailNext("auth.test", 2)
		fd.SetChannelSpec("1200000000000000001", fakediscord.ChannelSpec{Name: "ops"})
	})
	// Discord answers at once; Slack fails twice.
	waitFor(t, "discord ready", func() bool { return e.state("discord") == app.ChatReady })
	if d := e.step.next(t); d != time.Second {
		t.Errorf("first wait %s, want the first backoff (1s)", d)
	}
	if s := e.state("slack"); s != app.ChatUnreachable {
		t.Errorf("slack state %q while failing, want unreachable", s)
	}
	if got := e.metric(t, `outagebot_chat_ready{platform="slack"}`); got != "0" {
		t.Errorf("slack ready = %q while failing", got)
	}
	if code, body := e.get(t, "/readyz"); code != 200 {
		t.Errorf("/readyz = %d %s: an unreachable chat API must not make the bot unready", code, body)
	}
	e.step.release <- struct{}{}
	if d := e.step.next(t); d != 2*time.Second {
		t.Errorf("second wait %s, want the second backoff (2s)", d)
	}
	e.step.release <- struct{}{}
	waitFor(t, "slack ready", e.checked)
	if s := e.state("slack"); s != app.ChatReady {
		t.Errorf("slack state %q after recovery", s)
	}
	if got := e.metric(t, `outagebot_chat_ready{platform="slack"}`); got != "1" {
		t.Errorf("slack ready = %q after recovery", got)
	}
	if got := e.metric(t, `outagebot_chat_channel_reachable{channel="ops",platform="slack"}`); got != "1" {
		t.Errorf("slack ops reachable = %q after recovery", got)
	}
	if n := len(e.slack.Calls("auth.test")); n != 3 {
		t.Errorf("auth.test called %d times, want 3", n)
	}
	if n := strings.Count(e.logs.String(), "cannot reach Slack"); n != 1 {
		t.Errorf("the outage was logged %d times, want once:\n%s", n, e.logs)
	}
}

// A channel check that fails for a moment is retried; the others keep their
// answers meanwhile.
func TestChatChecksRetryAChannel(t *testing.T) {
	e := newChatEnv(t, slackToken, discordToken, func(_ *fakeslack.Server, fd *fakediscord.Server) {
		fd.FailNext(fakediscord.RouteGetChannel, 1)
	})
	if d := e.step.next(t); d != time.Second {
		t.Errorf("wait %s, want 1s", d)
	}
	if got := e.metric(t, `outagebot_chat_channel_reachable{channel="ops",platform="discord"}`); got != "" {
		t.Errorf("discord ops reachable = %q while unknown, want absent", got)
	}
	e.step.release <- struct{}{}
	waitFor(t, "the chat checks", e.checked)
	if got := e.metric(t, `outagebot_chat_channel_reachable{channel="ops",platform="discord"}`); got != "1" {
		t.Errorf("discord ops reachable = %q", got)
	}
}

// A webhook URL of the wrong form is reported from its form, with no call
// (valid ones are asked about: webhookcheck_test.go), and the report never
// shows the secret part.
func TestCheckChatWebhooks(t *testing.T) {
	tests := []struct {
		name, url, state, id, detail string
	}{
		{"slack, cut short", "https://hooks.slack.com/services/T0000/XXXXsecret", app.WebhookInvalid, "https://hooks.slack.com/[redacted]", "looks like a Slack incoming webhook but is not"},
		{"neither", "https://example.com/hook/XXXXsecret", app.WebhookInvalid, "https://example.com/[redacted]", "neither a Slack incoming webhook"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := parseConfig(t, fmt.Sprintf("[bot]\nstate = %q\nlisten = \"\"\n[[channel]]\nname = \"hooks\"\nwebhook_url = %q\n[[target]]\nname = \"x\"\ntype = \"http\"\nurl = \"http://127.0.0.1:9/\"\n",
				filepath.Join(t.TempDir(), "s.db"), tt.url))
			r, err := app.CheckChat(t.Context(), cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Platforms) != 1 || len(r.Platforms[0].Channels) != 1 {
				t.Fatalf("report %+v", r)
			}
			c := r.Platforms[0].Channels[0]
			if c.State != tt.state || c.ID != tt.id || !strings.Contains(c.Detail, tt.detail) {
				t.Errorf("got %+v, want state %s, id %s, detail with %q", c, tt.state, tt.id, tt.detail)
			}
			if r.OK() != (tt.state == app.WebhookValid) {
				t.Errorf("OK() = %v", r.OK())
			}
			raw, _ := json.Marshal(r)
			if strings.Contains(string(raw), "XXXXsecret") || strings.Contains(string(raw), "tok-SECRET") {
				t.Errorf("the report shows the secret: %s", raw)
			}
		})
	}
}
