package config

import "testing"

func TestTelegramDefaults(t *testing.T) {
	data := []byte(`
[telegram]
bot_token = "${TELEGRAM_BOT_TOKEN}"

[[channel]]
name = "ops"
telegram = "@ops_status"

[[target]]
name = "OpenAI"
type = "statuspage"
url = "https://status.openai.com"
`)
	cfg, err := Parse("t.toml", data, fakeEnv(map[string]string{"TELEGRAM_BOT_TOKEN": "123456:AAHabcdefghijklmnopqrstuvwxyz"}))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Chat() || cfg.Telegram.APIURL != DefaultTelegramAPIURL || cfg.Telegram.AllowAnyChat || cfg.Telegram.WebhookSecret != "" {
		t.Errorf("telegram = %+v, chat %v", cfg.Telegram, cfg.Chat())
	}
	if ch := cfg.Channels[0]; ch.Telegram != "@ops_status" || ch.TelegramTopics {
		t.Errorf("channel = %+v", ch)
	}
}
