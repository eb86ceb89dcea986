package config

import (
	"regexp"
)

// Telegram configures the Telegram integration (a bot made with
// @BotFather). When the section is present, BotToken is required.
type Telegram struct {
	// BotToken is the token @BotFather gave, like "123456:ABC-DEF...".
	BotToken string `toml:"bot_token"`
	// APIURL is the Bot API's base. Default https://api.telegram.org;
	// methods are called at {api_url}/bot{token}/{method}.
	APIURL string `toml:"api_url"`
	// WebhookSecret is the secret_token given to setWebhook; Telegram
	// sends it in X-Telegram-Bot-Api-Secret-Token with every update.
	// Setting it serves commands at POST /telegram/webhook.
	WebhookSecret string `toml:"webhook_secret"`
	// AllowAnyChat answers commands from chats that no [[channel]]
	// names. Default false: commands from other chats are refused.
	AllowAnyChat bool `toml:"allow_any_chat"`
}

var (
	// telegramToken is BotFather's form: the bot's numeric id, a colon,
	// and a secret of letters, digits, - and _.
	telegramToken = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{20,}$`)
	// telegramChat is a chat id (negative for groups and channels) or a
	// public @username (5-32 characters).
	telegramChat = regexp.MustCompile(`^(-?[1-9][0-9]{0,18}|@[A-Za-z][A-Za-z0-9_]{3,31})$`)
	// telegramSecret is what setWebhook accepts as secret_token: "1-256
	// characters. Only characters A-Z, a-z, 0-9, _ and - are allowed."
	telegramSecret = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

// checkTelegram validates the [telegram] section. It never quotes the
// token or the secret.
func checkTelegram(cfg *Config, c *collector) {
	t := cfg.Telegram
	if t == nil {
		return
	}
	at := func(key string) []string { return []string{"telegram", key} }
	switch {
	case t.BotToken == "":
		c.add(at("bot_token"), `must be set: the token @BotFather gave, like "123456:ABC-DEF…" (usually "${TELEGRAM_BOT_TOKEN}")`)
	case !telegramToken.MatchString(t.BotToken):
		c.add(at("bot_token"), `must be the token @BotFather gave: digits, a colon, then letters, digits, - and _ (no "bot" prefix, no spaces)`)
	}
	if !isHTTPURL(t.APIURL) {
		c.add(at("api_url"), "must be an absolute http or https URL, like "+DefaultTelegramAPIURL)
	}
	if t.WebhookSecret != "" && !telegramSecret.MatchString(t.WebhookSecret) {
		c.add(at("webhook_secret"), "must be 1 to 256 characters of A-Z, a-z, 0-9, _ and - (what setWebhook accepts as secret_token)")
	}
	if t.AllowAnyChat && t.WebhookSecret == "" {
		c.add(at("allow_any_chat"), "has no effect without webhook_secret: commands come in only through the webhook")
	}
}

// checkTelegramChannel validates a channel's telegram keys.
func checkTelegramChannel(cfg *Config, ch Channel, at func(string) []string, c *collector) {
	if ch.Telegram == "" {
		if ch.TelegramTopics {
			c.add(at("telegram_topics"), "needs telegram = \"<chat id>\" in the same [[channel]]")
		}
		return
	}
	if !telegramChat.MatchString(ch.Telegram) {
		c.add(at("telegram"), `must be a Telegram chat id: a number (negative for groups, like "-1001234567890") or a public "@channelname"`)
	} else if ch.TelegramTopics && ch.Telegram[0] != '-' && ch.Telegram[0] != '@' {
		c.add(at("telegram_topics"), "needs a forum supergroup (its id starts with -100), not a private chat")
	}
	if cfg.Telegram == nil {
		c.add(at("telegram"), "needs a [telegram] section with bot_token")
	}
}
