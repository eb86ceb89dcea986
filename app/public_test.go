package app_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/config"
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
	return parseConfig(t, text)
}

// signedSlash is a /status request signed once, as Slack signs it, so that
// it can be sent again as a replay.
type signedSlash struct {
	form    string
	headers map[string]string
}

func newSignedSlash(text string, at time.Time) signedSlash {
	form := slashForm("U1", slackChannel, text)
	form.Set("trigger_id", "1.2.3")
	body := form.Encode()
	return signedSlash{form: body, headers: slackHeaders(signingSecret, at, formType, body)}
}

func (s signedSlash) send(t *testing.T, addr string) (int, string) {
	t.Helper()
	return httpPost(t, "http://"+addr+"/slack/commands", s.form, s.headers)
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
	_, feed := newVendor(t, 0)
	slackAPI := newSlack(t, slackChannel)
	b := start(t, publicConfig(t, filepath.Join(t.TempDir(), "state.db"), slackAPI.URL(), feed, "127.0.0.1:0"))
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
	_, feed := newVendor(t, 0)
	slackAPI := newSlack(t, slackChannel)
	b := start(t, publicConfig(t, filepath.Join(t.TempDir(), "state.db"), slackAPI.URL(), feed, ""))
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
			_, feed := newVendor(t, 0)
			slackAPI := newSlack(t, slackChannel)
			// Two replicas in one process: their own names, or both
			// would hold the one lease.
			replica := func(instance string) *runningBot {
				cfg := publicConfig(t, st, slackAPI.URL(), feed, "")
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
