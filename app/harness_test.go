package app_test

// The setup the end-to-end tests share: configurations, running bots, the
// fakes they talk to, and requests signed as Slack and Discord sign them.
// Everything a helper starts is stopped by t.Cleanup; cleanups run last in,
// first out, so a fake or vendor page made before a bot outlives it.

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/internal/fakeslack"
)

// parseConfig parses a test configuration with an empty environment, so
// that no variable of the machine running the tests can leak into it.
func parseConfig(t *testing.T, text string) *config.Config {
	t.Helper()
	return parseConfigEnv(t, text, nil)
}

// parseConfigEnv parses a test configuration whose ${VAR} references are
// resolved from env alone, for the tests of secrets given that way.
func parseConfigEnv(t *testing.T, text string, env map[string]string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("test.toml", []byte(text), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// newApp builds a bot that is not run, closed when the test ends: the tests
// that poll and drain it themselves need no clock or scheduler.
func newApp(t *testing.T, cfg *config.Config, opts app.Options) *app.App {
	t.Helper()
	a, err := app.New(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// runningBot is one run of the app until stop is called.
type runningBot struct {
	app *app.App
	// out is the console when start made it, else nil.
	out  *syncBuffer
	stop func()
}

// start runs the common bot: its console in out, deliveries retried
// promptly.
func start(t *testing.T, cfg *config.Config) *runningBot {
	t.Helper()
	out := &syncBuffer{}
	b := startWith(t, cfg, app.Options{Stdout: out, Dispatch: fastRetries}, nil)
	b.out = out
	return b
}

// startWith runs a bot on cfg with opts until stop is called or the test
// ends, and fails the test if Run returns an error. before, if not nil, runs
// between New and Run, for what must be set before the bot starts (such as
// SetBoards). The listeners are opened before Run, so Addr is known at once.
// stop may be called more than once: a test stops a bot to look at what it
// left, or to start another on the same store.
func startWith(t *testing.T, cfg *config.Config, opts app.Options, before func(*app.App)) *runningBot {
	t.Helper()
	a, err := app.New(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if before != nil {
		before(a)
	}
	if err := a.Listen(); err != nil {
		a.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	b := &runningBot{app: a}
	var once sync.Once
	b.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run: %v", err)
			}
		})
	}
	t.Cleanup(b.stop)
	return b
}

// newVendor serves the lifecycle fixtures, from phase on, until the test
// ends; it returns the page (to move it on and count its polls) and its URL.
func newVendor(t *testing.T, phase int32) (*vendorPage, string) {
	t.Helper()
	v := &vendorPage{}
	v.phase.Store(phase)
	srv := httptest.NewServer(v)
	t.Cleanup(srv.Close)
	return v, srv.URL
}

// newSlack is a fake Slack with the bot in channels, until the test ends.
func newSlack(t *testing.T, channels ...string) *fakeslack.Server {
	t.Helper()
	s := fakeslack.New()
	t.Cleanup(s.Close)
	if len(channels) > 0 {
		s.AddChannel(channels...)
	}
	return s
}

// newDiscord is a fake Discord with the bot in channels, until the test ends.
func newDiscord(t *testing.T, channels ...string) *fakediscord.Server {
	t.Helper()
	d := fakediscord.New()
	t.Cleanup(d.Close)
	for _, c := range channels {
		d.AddChannel(c)
	}
	return d
}

// chatFixture is what a bot with Slack and Discord commands talks to: both
// fakes, the Slack signing secret and the key Discord signs interactions
// with, and a state file of its own.
type chatFixture struct {
	slack   *fakeslack.Server
	discord *fakediscord.Server
	secret  string
	key     ed25519.PrivateKey
	state   string
}

func newChatFixture(t *testing.T) *chatFixture {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &chatFixture{
		slack:   newSlack(t),
		discord: newDiscord(t),
		secret:  "8f742231b10e8888abcd99yyyzzz85a5",
		key:     key,
		state:   filepath.Join(t.TempDir(), "state.db"),
	}
}

// header is the start of the bot's configuration: [bot] with its state, a
// listener on loopback and the lines in bot, then [slack] (Socket Mode too)
// and [discord] against the fakes. The test writes what follows.
func (f *chatFixture) header(bot string) string {
	return fmt.Sprintf(`
[bot]
state = %q
listen = "127.0.0.1:0"
%s
[slack]
bot_token = "xoxb-test"
signing_secret = %q
app_token = "xapp-1-test"
api_url = %q
[discord]
bot_token = "discord-test"
public_key = %q
api_url = %q
`, f.state, bot, f.secret, f.slack.URL(), hex.EncodeToString(f.key.Public().(ed25519.PublicKey)), f.discord.URL())
}

// formType is how Slack posts slash commands and interactions.
const formType = "application/x-www-form-urlencoded"

// slashForm is the form Slack posts for /status text, typed by user in
// channel.
func slashForm(user, channel, text string) url.Values {
	return url.Values{"command": {"/status"}, "text": {text}, "user_id": {user}, "channel_id": {channel}, "team_id": {"T1"}}
}

// slackHeaders are the headers of a request Slack signed with secret at at:
// the v0 HMAC-SHA256 of "v0:timestamp:body".
func slackHeaders(secret string, at time.Time, contentType, body string) map[string]string {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	return map[string]string{"Content-Type": contentType, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + hex.EncodeToString(mac.Sum(nil))}
}

// discordHeaders are the headers of an interaction Discord signed with key
// at at: the ed25519 signature of timestamp+body.
func discordHeaders(key ed25519.PrivateKey, at time.Time, body string) map[string]string {
	ts := strconv.FormatInt(at.Unix(), 10)
	return map[string]string{"Content-Type": "application/json", "X-Signature-Timestamp": ts,
		"X-Signature-Ed25519": hex.EncodeToString(ed25519.Sign(key, []byte(ts+body)))}
}

// postSlack posts body to base+path as Slack does, signed now with secret,
// and returns the status and the answer.
func postSlack(t *testing.T, base, path, secret, contentType, body string) (int, string) {
	t.Helper()
	return httpPost(t, base+path, body, slackHeaders(secret, time.Now(), contentType, body))
}

// postDiscord posts an interaction to base as Discord does, signed now with
// key, and returns the status and the answer.
func postDiscord(t *testing.T, base string, key ed25519.PrivateKey, body string) (int, string) {
	t.Helper()
	return httpPost(t, base+"/discord/interactions", body, discordHeaders(key, time.Now(), body))
}

// slashCommand sends a /status command to the bot at addr, signed with
// secret as Slack signs it, and returns the status and the answer.
func slashCommand(t *testing.T, addr, secret, channel, text string) (int, string) {
	t.Helper()
	return postSlack(t, "http://"+addr, "/slack/commands", secret, formType, slashForm("U1", channel, text).Encode())
}

// httpPost posts body to url with headers and returns the status and the
// answer; a request that gets no answer fails the test.
func httpPost(t *testing.T, url, body string, headers map[string]string) (int, string) {
	t.Helper()
	code, answer, err := tryPost(url, body, headers)
	if err != nil {
		t.Fatal(err)
	}
	return code, answer
}

// tryPost is httpPost for a bot that may be gone (killed on purpose): the
// error is the caller's to judge.
func tryPost(url, body string, headers map[string]string) (int, string, error) {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}
