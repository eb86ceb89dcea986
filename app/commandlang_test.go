package app_test

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
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/internal/fakeslack"
)

// Command answers follow the locale of the [[channel]] they were asked in
// (else [bot] locale), over Slack's HTTP endpoint, Socket Mode and Discord's
// endpoint; Discord's own user locale wins for what only the asker sees.
func TestCommandAnswersFollowTheChannelsLocale(t *testing.T) {
	v := &vendorPage{}
	v.phase.Store(1)
	vendor := httptest.NewServer(v)
	defer vendor.Close()
	slackAPI := fakeslack.New()
	defer slackAPI.Close()
	slackAPI.AddChannel("C0DE000001")
	slackAPI.AddChannel("C0EN000001")
	discordAPI := fakediscord.New()
	defer discordAPI.Close()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	const secret = "8f742231b10e8888abcd99yyyzzz85a5"

	text := fmt.Sprintf(`
[bot]
state = %q
listen = "127.0.0.1:0"
locale = "en"
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
name = "ops-de"
slack = "C0DE000001"
discord = "1100000000000000002"
locale = "de"
[[channel]]
name = "ops-en"
slack = "C0EN000001"
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
	base := "http://" + a.Addr()

	post := func(path, body string, headers map[string]string) string {
		t.Helper()
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
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	slash := func(channel string) string {
		form := url.Values{"command": {"/status"}, "text": {"help"}, "user_id": {"U1"}, "channel_id": {channel}, "team_id": {"T1"}}.Encode()
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		mac := hmac.New(sha256.New, []byte(secret))
		fmt.Fprintf(mac, "v0:%s:%s", ts, form)
		return post("/slack/commands", form, map[string]string{"Content-Type": "application/x-www-form-urlencoded",
			"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + hex.EncodeToString(mac.Sum(nil))})
	}
	if body := slash("C0DE000001"); !strings.Contains(body, "outagebot-Befehle") {
		t.Errorf("Slack, German channel: %s", body)
	}
	if body := slash("C0EN000001"); !strings.Contains(body, "outagebot commands") {
		t.Errorf("Slack, English channel: %s", body)
	}

	ack, err := slackAPI.SendSlashCommand(map[string]string{"command": "/status", "text": "help", "user_id": "U1", "channel_id": "C0DE000001"})
	if err != nil || !strings.Contains(string(ack), "outagebot-Befehle") {
		t.Errorf("Socket Mode, German channel: %v %s", err, ack)
	}

	discord := func(id, locale string) string {
		body := fmt.Sprintf(`{"id":%q,"application_id":"2","type":2,"token":"t","version":1,"channel_id":"1100000000000000002","locale":%q,`+
			`"member":{"user":{"id":"42","username":"alice"}},"data":{"id":"9","name":"outagebot-help","type":1}}`, id, locale)
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		return post("/discord/interactions", body, map[string]string{"Content-Type": "application/json", "X-Signature-Timestamp": ts,
			"X-Signature-Ed25519": hex.EncodeToString(ed25519.Sign(priv, []byte(ts+body)))})
	}
	if body := discord("3", "pt-BR"); !strings.Contains(body, "outagebot-Befehle") {
		t.Errorf("Discord, German channel, a locale the catalog lacks: %s", body)
	}
	if body := discord("4", "en-US"); !strings.Contains(body, "outagebot commands") {
		t.Errorf("Discord, German channel, an English user: %s", body)
	}
}
