package app

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Every form of a Discord webhook URL is served by the Discord webhook
// notifier, which posts Discord's JSON (an embed) to the webhook, never
// Slack's. Discord's hosts (discordapp.com, ptb., canary.) are in
// webhookurl's table test; here the URLs point at the local fake.
func TestDiscordWebhookForms(t *testing.T) {
	const channel = "1100000000000000001"
	fake := fakediscord.New()
	defer fake.Close()
	base := fake.AddWebhook(channel)
	versioned := strings.Replace(base, "/api/webhooks/", "/api/v10/webhooks/", 1)
	o := outage.Outage{ID: "o-1", Target: "OpenAI", Key: "inc-1", Class: outage.Incident, Title: "Elevated errors",
		Severity: sources.PartialOutage, OpenedAt: time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)}
	for i, c := range []struct{ name, url string }{
		{"unversioned", base},
		{"versioned", versioned},
		{"slack-compatible suffix", base + "/slack"},
		{"github-compatible suffix, versioned", versioned + "/github"},
		{"wait", versioned + "?wait=true"},
		{"slack suffix and wait", base + "/slack?wait=true"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := &config.Config{Channels: []config.Channel{{Name: "ops", WebhookURL: c.url}}}
			d := notifier.Destination{Channel: "ops", Platform: "webhook", Address: c.url}
			n, _, _, err := chatNotifier(cfg, d, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			ref, err := n.Deliver(ctx, notifier.Delivery{OutboxID: int64(i + 1), Destination: d, Event: o.Event(outage.Opened, o.OpenedAt, "Investigating")})
			if err != nil {
				t.Fatalf("deliver: %v", err)
			}
			msgs := fake.Messages(channel)
			if len(msgs) != i+1 {
				t.Fatalf("the channel holds %d messages, want %d", len(msgs), i+1)
			}
			if m := msgs[i]; string(ref) != m.ID || m.WebhookID == "" || len(m.Embeds) != 1 || !strings.Contains(m.Embeds[0].Title, "Elevated errors") {
				t.Errorf("posted %+v (ref %q), want the webhook's message with the outage's embed", m, ref)
			}
		})
	}
}
