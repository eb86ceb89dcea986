package app_test

import (
	"crypto/hmac"
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
	"testing"
	"time"

	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/internal/fakeslack"
)

// publicConfig is a bot with Slack commands on state, with or without a
// public listener.
func publicConfig(t *testing.T, state, slackURL, feedURL, publicListen string) *config.Config {
	t.Helper()
	text := fmt.Sprintf(`
[bot]
state = %q
listen = "127.0.0.1:0"
public_listen = %q
[slack]
bot_token = "xoxb-test-token"
signing_secret = %q
api_url = %q
[[channel]]
name = "ops"
slack = %q
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
`, state, publicListen, signingSecret, slackURL, slackChannel, feedURL)
	cfg, err := config.Parse("test.toml", []byte(text), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// signedSlash is a /status request to addr signed at ts, as Slack signs it.
type signedSlash struct {
	form, ts, sig string
}

func newSignedSlash(text string, at time.Time) signedSlash {
	form := url.Values{"command": {"/status"}, "text": {text}, "user_id": {"U1"}, "channel_id": {slackChannel}, "team_id": {"T1"}, "trigger_id": {"1.2.3"}}.Encode()
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(signingSecret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, form)
	return signedSlash{form: form, ts: ts, sig: "v0=" + hex.EncodeToString(mac.Sum(nil))}
}

func (s signedSlash) send(t *testing.T, addr string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/slack/commands", strings.NewReader(s.form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", s.ts)
	req.Header.Set("X-Slack-Signature", s.sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func getStatus(t *testing.T, addr, path string) int {
	t.Helper()
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// With public_listen the command endpoint is served there alone, and health
// and metrics only on listen.
func TestPublicListenServesOnlyCommands(t *testing.T) {
	feed := httptest.NewServer(&vendorPage{})
	defer feed.Close()
	slackAPI := fakeslack.New()
	defer slackAPI.Close()
	slackAPI.AddChannel(slackChannel)
	b := start(t, publicConfig(t, filepath.Join(t.TempDir(), "state.db"), slackAPI.URL(), feed.URL, "127.0.0.1:0"))
	public, private := b.app.PublicAddr(), b.app.Addr()
	if public == "" || private == "" || public == private {
		t.Fatalf("public %q, private %q: want two listeners", public, private)
	}
	waitFor(t, "healthy", func() bool { return getStatus(t, private, "/healthz") == http.StatusOK })

	cases := []struct {
		addr, method, path string
		want               int
	}{
		{public, "GET", "/healthz", http.StatusNotFound},
		{public, "GET", "/readyz", http.StatusNotFound},
		{public, "GET", "/livez", http.StatusNotFound},
		{public, "GET", "/metrics", http.StatusNotFound},
		{private, "GET", "/healthz", http.StatusOK},
		{private, "GET", "/metrics", http.StatusOK},
	}
	for _, c := range cases {
		if got := getStatus(t, c.addr, c.path); got != c.want {
			where := "private"
			if c.addr == public {
				where = "public"
			}
			t.Errorf("%s %s on the %s listener: %d, want %d", c.method, c.path, where, got, c.want)
		}
	}
	req := newSignedSlash("status", time.Now())
	if code, body := req.send(t, private); code != http.StatusNotFound {
		t.Errorf("/slack/commands on the private listener: %d %s, want 404", code, body)
	}
	if code, body := req.send(t, public); code != http.StatusOK || !strings.Contains(body, "OpenAI") {
		t.Errorf("/slack/commands on the public listener: %d %s", code, body)
	}
	if code, body := req.send(t, public); code != http.StatusUnauthorized || body != "unauthorized\n" {
		t.Errorf("replayed: %d %q, want 401 \"unauthorized\"", code, body)
	}
}

// Without public_listen everything stays on listen, as before.
func TestWithoutPublicListenCommandsStayOnListen(t *testing.T) {
	feed := httptest.NewServer(&vendorPage{})
	defer feed.Close()
	slackAPI := fakeslack.New()
	defer slackAPI.Close()
	slackAPI.AddChannel(slackChannel)
	b := start(t, publicConfig(t, filepath.Join(t.TempDir(), "state.db"), slackAPI.URL(), feed.URL, ""))
	if b.app.PublicAddr() != "" {
		t.Fatalf("a public listener without public_listen: %s", b.app.PublicAddr())
	}
	waitFor(t, "healthy", func() bool { return getStatus(t, b.app.Addr(), "/healthz") == http.StatusOK })
	if code, body := newSignedSlash("status", time.Now()).send(t, b.app.Addr()); code != http.StatusOK {
		t.Errorf("/slack/commands: %d %s", code, body)
	}
}

// A signed request answered by one replica is refused by the other, and by
// a replica started after the first one stopped: the memory of answered
// requests is in the store they share.
func TestReplayRefusedByOtherReplicaAndAfterRestart(t *testing.T) {
	for name, state := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "state.db") },
		"postgres": postgresSchema,
	} {
		t.Run(name, func(t *testing.T) {
			st := state(t)
			feed := httptest.NewServer(&vendorPage{})
			defer feed.Close()
			slackAPI := fakeslack.New()
			defer slackAPI.Close()
			slackAPI.AddChannel(slackChannel)
			// Two replicas in one process: their own names, or both
			// would hold the one lease.
			replica := func(instance string) *runningBot {
				cfg := publicConfig(t, st, slackAPI.URL(), feed.URL, "")
				cfg.Bot.Instance = instance
				return start(t, cfg)
			}
			a, b := replica("a"), replica("b")
			req := newSignedSlash("status", time.Now())
			if code, body := req.send(t, a.app.Addr()); code != http.StatusOK {
				t.Fatalf("first: %d %s", code, body)
			}
			if code, body := req.send(t, b.app.Addr()); code != http.StatusUnauthorized {
				t.Errorf("replayed to the other replica: %d %s", code, body)
			}
			a.stop()
			b.stop()
			c := replica("c")
			if code, body := req.send(t, c.app.Addr()); code != http.StatusUnauthorized {
				t.Errorf("replayed after a restart: %d %s", code, body)
			}
		})
	}
}
