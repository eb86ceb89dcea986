package app_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/internal/faketelegram"
)

// The whole pipeline into Telegram: a root per outage, a reply per update,
// the root edited to each state and to the restoration with its duration;
// a server error on the first send is retried. The webhook on the public
// listener answers a command with the secret token and refuses one
// without.
func TestTelegramLifecycleEndToEnd(t *testing.T) {
	const (
		chat   = "-1001234567890"
		token  = "7000001:AAH-test-token-for-the-app"
		secret = "hook-secret_1"
	)
	v, feed := newVendor(t, 0)
	api := faketelegram.New(token)
	t.Cleanup(api.Close)
	api.AddChat(chat, "supergroup", false)
	api.FailNext("sendMessage", faketelegram.Fault{Status: 500, Description: "Internal Server Error"})

	cfg := parseConfigEnv(t, fmt.Sprintf(`
[bot]
state = %q
listen = "127.0.0.1:0"
public_listen = "127.0.0.1:0"
[telegram]
bot_token = "${TELEGRAM_BOT_TOKEN}"
api_url = %q
webhook_secret = "${TELEGRAM_WEBHOOK_SECRET}"
[[channel]]
name = "ops"
telegram = %q
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
`, filepath.Join(t.TempDir(), "state.db"), api.URL(), chat, feed), map[string]string{"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_WEBHOOK_SECRET": secret})
	b := startWith(t, cfg, app.Options{Dispatch: fastRetries}, nil)
	a := b.app

	waitPolls(t, v, 1)
	for phase := 1; phase < len(phases); phase++ {
		v.phase.Store(int32(phase))
		waitFor(t, "telegram messages for "+phases[phase], func() bool { return len(api.Messages(chat)) >= phase })
	}
	waitPolls(t, v, 2)

	waitFor(t, "the public listener", func() bool { return a.PublicAddr() != "" })
	post := func(header string, id int) int {
		body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":9000,"text":"/status","chat":{"id":%s,"type":"supergroup"},"from":{"id":1,"username":"ada"}}}`, id, chat)
		req, _ := http.NewRequest(http.MethodPost, "http://"+a.PublicAddr()+"/telegram/webhook", strings.NewReader(body))
		if header != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("wrong", 1); code != http.StatusUnauthorized {
		t.Errorf("forged update: %d", code)
	}
	if code := post(secret, 2); code != http.StatusOK {
		t.Errorf("signed update: %d", code)
	}
	b.stop()

	msgs := api.Messages(chat)
	if len(msgs) != 4 {
		t.Fatalf("want root + update + restoration + command answer, got %d messages: %+v", len(msgs), msgs)
	}
	root := msgs[0]
	for i, m := range msgs[1:3] {
		if m.ReplyTo != root.ID {
			t.Errorf("message %d is not a reply to the root", i+2)
		}
	}
	if !strings.Contains(root.Text, "lasted 1h 12m") || root.Edits != 2 {
		t.Errorf("root after restoration (%d edits): %s", root.Edits, root.Text)
	}
	if !strings.Contains(msgs[2].Text, "Restored after 1h 12m") {
		t.Errorf("restoration reply: %s", msgs[2].Text)
	}
	if msgs[3].ReplyTo != 9000 || !strings.Contains(msgs[3].Text, "OpenAI") {
		t.Errorf("command answer: %+v", msgs[3])
	}
}

// check --online asks getMe for the token and getChat, getChatMember for
// each chat; a chat that removed the bot is reported with the fix.
func TestTelegramCheckOnline(t *testing.T) {
	const token = "7000001:AAH-test-token-for-the-app"
	api := faketelegram.New(token)
	defer api.Close()
	api.AddChat("-1001", "supergroup", false)
	api.AddChat("-1002", "supergroup", false)
	api.Block("-1002", "Forbidden: bot was kicked from the supergroup chat")
	cfg := parseConfig(t, fmt.Sprintf(`
[telegram]
bot_token = %q
api_url = %q
[[channel]]
name = "ops"
telegram = "-1001"
[[channel]]
name = "gone"
telegram = "-1002"
[[target]]
name = "OpenAI"
type = "statuspage"
url = "https://status.openai.com"
`, token, api.URL()))
	r, err := app.CheckChat(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Platforms) != 1 || r.Platforms[0].Platform != "telegram" || r.Platforms[0].State != app.ChatReady || !strings.Contains(r.Platforms[0].User, "outagebot_test_bot") {
		t.Fatalf("report %+v", r)
	}
	chans := r.Platforms[0].Channels
	if len(chans) != 2 || chans[0].State != "reachable" || chans[1].State != "unreachable" || !strings.Contains(chans[1].Detail, "add the bot to the chat") {
		t.Errorf("channels %+v", chans)
	}
	if strings.Contains(fmt.Sprint(r), token) {
		t.Error("the report shows the token")
	}
}
