package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/internal/fakehook"
	"github.com/outagebot/outagebot/internal/faketelegram"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

const langTestTelegramToken = "7000001:AAH-lang-test-token"

// langFakes are one of each destination's fakes, shared by the channels.
type langFakes struct {
	discord  *fakediscord.Server
	telegram *faketelegram.Server
}

func newLangFakes(t *testing.T) *langFakes {
	t.Helper()
	f := &langFakes{discord: fakediscord.New(), telegram: faketelegram.New(langTestTelegramToken)}
	t.Cleanup(f.discord.Close)
	t.Cleanup(f.telegram.Close)
	return f
}

// langHooks are a channel's webhook, Teams workflow and PagerDuty service.
type langHooks struct{ webhook, teams, pagerduty *fakehook.Server }

const langTestSecret, langTestKey = "0123456789abcdef-secret", "PDr0ut1ngKEY0123456789abcdef0000"

func newLangHooks(t *testing.T) langHooks {
	t.Helper()
	h := langHooks{fakehook.New(fakehook.Webhook, langTestSecret), fakehook.New(fakehook.Teams, ""), fakehook.New(fakehook.PagerDuty, langTestKey)}
	t.Cleanup(h.webhook.Close)
	t.Cleanup(h.teams.Close)
	t.Cleanup(h.pagerduty.Close)
	return h
}

// channel is a channel on every platform, its chats added to the fakes.
func (f *langFakes) channel(name, locale, discordID, telegramID string, h langHooks) config.Channel {
	f.discord.AddChannel(discordID)
	f.telegram.AddChat(telegramID, "supergroup", false)
	return config.Channel{Name: name, Locale: locale, Discord: discordID, Telegram: telegramID,
		Webhook:   &config.WebhookDest{URL: h.webhook.URL(), Secret: langTestSecret},
		Teams:     &config.TeamsDest{URL: h.teams.URL()},
		PagerDuty: &config.PagerDutyDest{RoutingKey: langTestKey, APIURL: h.pagerduty.URL()},
	}
}

func (f *langFakes) config(bot config.Bot, channels ...config.Channel) *config.Config {
	return &config.Config{
		Bot:      bot,
		Discord:  &config.Discord{BotToken: "test-discord-token", APIURL: f.discord.URL()},
		Telegram: &config.Telegram{BotToken: langTestTelegramToken, APIURL: f.telegram.URL()},
		Targets:  []config.Target{{Name: "OpenAI"}},
		Channels: channels,
	}
}

// deliverOutage sends an outage's opening and restoration down every
// route, replies under the root and edits it as the dispatcher does.
func deliverOutage(t *testing.T, routes []notifier.Route) {
	t.Helper()
	t0 := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	o := outage.Outage{ID: "o-1", Target: "OpenAI", Key: "inc-1", Class: outage.Incident, Title: "Errors", Severity: sources.PartialOutage,
		Phase: sources.IncidentIdentified, OpenedAt: t0, URL: "https://status.openai.com/incidents/1"}
	opened := o.Event(outage.Opened, t0, "Investigating")
	o.ResolvedAt = t0.Add(72 * time.Minute)
	resolved := o.Event(outage.Resolved, o.ResolvedAt, "Resolved")
	ctx := context.Background()
	for _, r := range routes {
		root, err := r.Notifier.Deliver(ctx, notifier.Delivery{OutboxID: 1, Destination: r.Destination, Event: opened})
		if err != nil {
			t.Fatalf("%s: %v", r.Destination, err)
		}
		d := notifier.Delivery{OutboxID: 2, Destination: r.Destination, Event: resolved, Root: root}
		if _, err := r.Notifier.Deliver(ctx, d); err != nil {
			t.Fatalf("%s: %v", r.Destination, err)
		}
		if ed, ok := r.Notifier.(notifier.RootEditor); ok && root != "" {
			if err := ed.EditRoot(ctx, notifier.RootEdit{Destination: r.Destination, Root: root, Event: resolved}); err != nil {
				t.Fatalf("%s: edit: %v", r.Destination, err)
			}
		}
	}
}

// discordText is what a Discord channel holds, as JSON to search.
func (f *langFakes) discordText(channel string) string {
	var b strings.Builder
	for _, m := range f.discord.Messages(channel) {
		raw, _ := json.Marshal(m)
		b.Write(raw)
	}
	return b.String()
}

// telegramText is the text of a Telegram chat's messages.
func (f *langFakes) telegramText(chat string) string {
	var b strings.Builder
	for _, m := range f.telegram.Messages(chat) {
		b.WriteString(m.Text + "\n")
	}
	return b.String()
}

// hookText is the bodies a fake receiver took.
func hookText(s *fakehook.Server) string {
	var b strings.Builder
	for _, r := range s.Taken() {
		b.Write(r.Body)
	}
	return b.String()
}

// A channel with locale = "de" and one without, in the same run: each
// destination of the German channel (Discord, Telegram, the webhook's
// text, the Teams card, the PagerDuty summary) is written in German, the
// English channel's in English.
func TestChannelLanguagePerDestination(t *testing.T) {
	f := newLangFakes(t)
	de, en := newLangHooks(t), newLangHooks(t)
	cfg := f.config(config.Bot{Locale: "en"},
		f.channel("ops-de", "de", "1100000000000000011", "-1001000000011", de),
		f.channel("ops-en", "", "1100000000000000012", "-1001000000012", en))
	routes, err := buildRoutes(cfg, Options{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	deliverOutage(t, routes)
	for _, c := range []struct {
		where, got, want, not string
	}{
		{"discord ops-de", f.discordText("1100000000000000011"), "Wiederhergestellt nach 1 Std. 12 Min.", "Restored after"},
		{"discord ops-en", f.discordText("1100000000000000012"), "Restored after 1h 12m", "Wiederhergestellt"},
		{"telegram ops-de", f.telegramText("-1001000000011"), "Wiederhergestellt nach 1 Std. 12 Min.", "Restored after"},
		{"telegram ops-en", f.telegramText("-1001000000012"), "Restored after 1h 12m", "Wiederhergestellt"},
		{"webhook ops-de", hookText(de.webhook), `"text":"OpenAI: Errors (behoben nach 1 Std. 12 Min.)"`, "resolved after"},
		{"webhook ops-en", hookText(en.webhook), `"text":"OpenAI: Errors (resolved after 1h 12m)"`, "behoben"},
		{"teams ops-de", hookText(de.teams), `"Behoben: OpenAI"`, "Resolved: OpenAI"},
		{"teams ops-en", hookText(en.teams), `"Resolved: OpenAI"`, "Behoben: OpenAI"},
		{"pagerduty ops-de", de.pagerduty.Alerts()["o-1"].Summary, "OpenAI: Errors (Teilausfall)", "partial outage"},
		{"pagerduty ops-en", en.pagerduty.Alerts()["o-1"].Summary, "OpenAI: Errors (partial outage)", "Teilausfall"},
	} {
		if !strings.Contains(c.got, c.want) || strings.Contains(c.got, c.not) {
			t.Errorf("%s: want %q and no %q in:\n%s", c.where, c.want, c.not, c.got)
		}
	}
}

// A channel without a locale of its own writes in [bot] locale: in German,
// Discord's embed and Telegram's message are the built-in ones (fields,
// components, the status page link), not a template's.
func TestChannelLanguageFromBotLocale(t *testing.T) {
	f := newLangFakes(t)
	cfg := f.config(config.Bot{Locale: "de"}, f.channel("ops", "", "1100000000000000021", "-1001000000021", newLangHooks(t)))
	routes, err := buildRoutes(cfg, Options{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	deliverOutage(t, routes)
	d, tg := f.discordText("1100000000000000021"), f.telegramText("-1001000000021")
	for _, want := range []string{`"name":"Dauer"`, `"value":"Behoben, Dauer 1 Std. 12 Min."`, "Wiederhergestellt nach 1 Std. 12 Min.", `"label":"Bericht"`} {
		if !strings.Contains(d, want) {
			t.Errorf("discord: no %s in %s", want, d)
		}
	}
	for _, want := range []string{">Status-Seite</a>", "<b>Behoben</b>, Dauer 1 Std. 12 Min.", "Wiederhergestellt nach 1 Std. 12 Min."} {
		if !strings.Contains(tg, want) {
			t.Errorf("telegram: no %s in %s", want, tg)
		}
	}
}
