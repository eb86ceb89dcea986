package app

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/outagebot/outagebot/config"
	telegramcmd "github.com/outagebot/outagebot/interact/telegram"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/telegram"
	"github.com/outagebot/outagebot/notifier/tmpl"
)

// Telegram's limits (core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
// "avoid sending more than one message per second" in one chat, and "in a
// group, bots are not able to send more than 20 messages per minute". The
// overall 30 messages a second across chats takes more than 30 configured
// chats to reach; past it Telegram's 429 retry_after is honoured.
var (
	telegramGroupRate   = rate.Every(3 * time.Second)
	telegramGroupBurst  = 3
	telegramDirectRate  = rate.Limit(1)
	telegramDirectBurst = 2
)

func telegramNotifier(cfg *config.Config, d notifier.Destination, t *tmpl.Renderer, log *slog.Logger) (notifier.Notifier, rate.Limit, int, error) {
	topics := false
	for _, ch := range cfg.Channels {
		if strings.EqualFold(ch.Name, d.Channel) {
			topics = ch.TelegramTopics
		}
	}
	n, err := telegram.New(telegram.Options{Token: cfg.Telegram.BotToken, APIURL: cfg.Telegram.APIURL, Log: log, Topics: topics, Templates: t,
		Lang: channelLang(cfg, d.Channel)})
	if err != nil {
		return nil, 0, 0, err
	}
	// Groups, supergroups and channels have negative ids or an @name;
	// a private chat's id is positive.
	if strings.HasPrefix(d.Address, "-") || strings.HasPrefix(d.Address, "@") {
		return n, telegramGroupRate, telegramGroupBurst, nil
	}
	return n, telegramDirectRate, telegramDirectBurst, nil
}

const telegramPath = telegramcmd.Path

// telegramCommands serves commands at POST /telegram/webhook when
// [telegram] webhook_secret is set; nil otherwise. Commands are answered
// in the configured channels' chats (or any, with allow_any_chat), and the
// update ids it handled are remembered in the store, so a replayed or
// re-sent update runs once across replicas and restarts.
func (a *App) telegramCommands() http.Handler {
	tg := a.cfg.Telegram
	if tg == nil || tg.WebhookSecret == "" {
		return nil
	}
	c, err := telegram.NewClient(tg.BotToken, tg.APIURL, nil)
	if err != nil {
		a.log.Error("cannot serve Telegram commands", "err", err)
		return nil
	}
	var chats []string
	for _, ch := range a.cfg.Channels {
		if ch.Telegram != "" {
			chats = append(chats, ch.Telegram)
		}
	}
	return telegramcmd.NewHandler(telegramcmd.HandlerOptions{
		Secret:       tg.WebhookSecret,
		Commands:     a.commands,
		API:          c,
		Chats:        chats,
		AllowAnyChat: tg.AllowAnyChat,
		Log:          a.log.With("component", "telegram-commands"),
		Seen:         a.store,
		Lang:         a.chatLang("telegram"),
	})
}
