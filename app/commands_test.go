package app_test

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/internal/fakeslack"
)

// Slash commands and Discord interactions reach the bot's commands through
// the real HTTP server, Socket Mode through the fake Slack; forged requests
// are refused.
func TestChatCommandsThroughTheApp(t *testing.T) {
	v := &vendorPage{}
	v.phase.Store(1)
	vendor := httptest.NewServer(v)
	defer vendor.Close()
	slackAPI := fakeslack.New()
	defer slackAPI.Close()
	slackAPI.AddChannel("C0123456789")
	// The token checks at start call Discord too: keep them on loopback.
	discordAPI := fakediscord.New()
	defer discordAPI.Close()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	const secret = "8f742231b10e8888abcd99yyyzzz85a5"

	text := fmt.Sprintf(`
[bot]
state = %q
listen = "127.0.0.1:0"
[slack]
bot_token = "xoxb-test"
signing_secret = %q
app_token = "xapp-1-test"
api_url = %q
[discord]
bot_token = "discord-test"
public_key = %q
api_url = %q
[[channel]]
name = "ops"
slack = "C0123456789"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
`, filepath.Join(t.TempDir(), "state.db"), secret, slackAPI.URL(), hex.EncodeToString(pub), discordAPI.URL(), vendor.URL)
	cfg, err := config.Parse("test.toml", []byte(text), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, app.Options{Dispatch: fastRetries})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- a.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "first poll", func() bool { return !a.Runner().Snapshot("OpenAI").CheckedAt.IsZero() })
	base := "http://" + a.Addr()

	post := func(path, body string, headers map[string]string) (int, string) {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	// Slack over HTTP.
	form := url.Values{"command": {"/status"}, "text": {"openai"}, "user_id": {"U1"}, "channel_id": {"C0123456789"}, "team_id": {"T1"}}.Encode()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, form)
	signed := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + hex.EncodeToString(mac.Sum(nil))}
	if code, body := post("/slack/commands", form, signed); code != 200 || !strings.Contains(body, "OpenAI") || !strings.Contains(body, "Elevated error rates") {
		t.Errorf("signed slash command: %d %s", code, body)
	}
	signed["X-Slack-Signature"] = "v0=" + strings.Repeat("0", 64)
	if code, _ := post("/slack/commands", form, signed); code != 401 {
		t.Errorf("forged slash command: %d, want 401", code)
	}

	// Slack over Socket Mode.
	ack, err := slackAPI.SendSlashCommand(map[string]string{"command": "/status", "text": "help", "user_id": "U1", "channel_id": "C0123456789"})
	if err != nil || !strings.Contains(string(ack), "outagebot commands") {
		t.Errorf("socket mode: %v %s", err, ack)
	}

	// Discord over HTTP.
	sign := func(body string) map[string]string {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		return map[string]string{"Content-Type": "application/json", "X-Signature-Timestamp": ts,
			"X-Signature-Ed25519": hex.EncodeToString(ed25519.Sign(priv, []byte(ts+body)))}
	}
	ping := `{"id":"1","application_id":"2","type":1,"token":"t","version":1}`
	if code, body := post("/discord/interactions", ping, sign(ping)); code != 200 || strings.TrimSpace(body) != `{"type":1}` {
		t.Errorf("signed ping: %d %s", code, body)
	}
	cmd := `{"id":"3","application_id":"2","type":2,"token":"t","version":1,"member":{"user":{"id":"42","username":"alice"}},"data":{"id":"9","name":"status","type":1,"options":[{"name":"target","type":3,"value":"openai"}]}}`
	code, body := post("/discord/interactions", cmd, sign(cmd))
	var resp struct {
		Type int `json:"type"`
		Data struct {
			Embeds []struct {
				Title string `json:"title"`
			} `json:"embeds"`
		} `json:"data"`
	}
	_ = json.Unmarshal([]byte(body), &resp)
	if code != 200 || resp.Type != 4 || len(resp.Data.Embeds) == 0 || !strings.Contains(resp.Data.Embeds[0].Title, "OpenAI") {
		t.Errorf("signed /status: %d %s", code, body)
	}
	forged := sign(cmd)
	if code, _ := post("/discord/interactions", strings.Replace(cmd, "openai", "github", 1), forged); code != 401 {
		t.Errorf("altered interaction: %d, want 401", code)
	}
}
