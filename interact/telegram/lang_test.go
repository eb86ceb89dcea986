package telegram

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/internal/golden"
)

// germanChat is configured with locale = "de"; ops is English.
const germanChat = "-100777"

func chatLangs(chat string) string {
	if chat == germanChat {
		return "de"
	}
	return "en"
}

// updateFrom is a message update from a user whose Telegram app is set to
// lang ("" sends no language_code); with no user it is a channel post.
func updateFrom(id int64, chat int64, text, lang string, user bool) string {
	msg := map[string]any{
		"message_id": 55, "date": now.Unix(), "text": text,
		"chat": map[string]any{"id": chat, "type": "supergroup", "title": "Ops"},
	}
	key := "channel_post"
	if user {
		from := map[string]any{"id": 4242, "is_bot": false, "first_name": "Ada", "username": "ada"}
		if lang != "" {
			from["language_code"] = lang
		}
		msg["from"], key = from, "message"
	}
	b, _ := json.Marshal(map[string]any{"update_id": id, key: msg})
	return string(b)
}

// A reply is in the sender's Telegram language when the catalog has it,
// else in the chat's.
func TestRepliesFollowTheSendersLanguage(t *testing.T) {
	cases := []struct {
		name, chat, lang string
		user             bool
		text, want       string
	}{
		{"de sender, English chat", ops, "de", true, "/status", "Status aller Ziele (2)"},
		{"pt-br sender, English chat", ops, "pt-br", true, "/status", "Status of 2 targets"},
		{"no language, German chat", germanChat, "", true, "/status", "Status aller Ziele (2)"},
		{"en sender, German chat", germanChat, "en", true, "/help", "outagebot commands"},
		{"a channel post in a German chat is announced in German", germanChat, "", false, "/mute github 1h", "🔕 Kanal-Admin hat GitHub für 1 Stunde stummgeschaltet"},
		{"de sender mutes in an English chat: the chat reads English", ops, "de", true, "/mute github 1h", "🔕 @ada muted GitHub for 1h"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, HandlerOptions{Chats: []string{ops, germanChat}, Lang: chatLangs})
			id, err := strconv.ParseInt(tc.chat, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			if w := e.post(updateFrom(int64(100+i), id, tc.text, tc.lang, tc.user), secret); w.Code != 200 {
				t.Fatalf("status %d", w.Code)
			}
			msgs := e.fake.Messages(tc.chat)
			if len(msgs) != 1 || !strings.Contains(msgs[0].Text, tc.want) {
				t.Errorf("replies %+v, want one with %q", msgs, tc.want)
			}
		})
	}
}

// TestRenderGoldenInEveryLanguage keeps the answers of TestRenderGolden,
// and Render's own words, in every language but the default, whose goldens
// TestRenderGolden keeps.
func TestRenderGoldenInEveryLanguage(t *testing.T) {
	cmds := newCommands()
	for _, lang := range i18n.Languages[1:] {
		for _, tc := range []string{"status", "status openai", "help"} {
			a := cmds.Run(context.Background(), bot.Request{Text: tc, User: "@ada", Lang: lang})
			golden.Text(t, strings.ReplaceAll(tc, " ", "-")+"."+lang, Render(a)+"\n", *updateGolden)
		}
	}
	for _, lang := range i18n.Languages {
		golden.Text(t, "empty."+lang, Render(bot.Answer{Lang: lang})+"\n", *updateGolden)
	}
}
