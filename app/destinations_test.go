package app

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/internal/fakehook"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// A channel with a signed webhook, a Teams workflow and a PagerDuty
// service gets a route to each, without storm grouping (none of them can
// thread), and each delivers to its local fake.
func TestMoreDestinations(t *testing.T) {
	const secret, key = "0123456789abcdef-secret", "PDr0ut1ngKEY0123456789abcdef0000"
	hook := fakehook.New(fakehook.Webhook, secret)
	defer hook.Close()
	tm := fakehook.New(fakehook.Teams, "")
	defer tm.Close()
	pd := fakehook.New(fakehook.PagerDuty, key)
	defer pd.Close()
	cfg := &config.Config{
		Bot:     config.Bot{StormThreshold: 5, StormWindow: config.Duration{Duration: time.Minute}},
		Targets: []config.Target{{Name: "OpenAI", Group: "ai"}},
		Channels: []config.Channel{{Name: "ops",
			Webhook:   &config.WebhookDest{URL: hook.URL(), Secret: secret},
			Teams:     &config.TeamsDest{URL: tm.URL()},
			PagerDuty: &config.PagerDutyDest{RoutingKey: key, APIURL: pd.URL()},
		}},
	}
	routes, err := buildRoutes(cfg, Options{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	o := outage.Outage{ID: "o-1", Target: "OpenAI", Key: "inc-1", Class: outage.Incident, Title: "Errors", Severity: sources.MajorOutage,
		OpenedAt: time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)}
	ev := o.Event(outage.Opened, o.OpenedAt, "Investigating")
	var dests []string
	for _, r := range routes {
		dests = append(dests, r.Destination.String())
		if r.Storm.Threshold != 0 || r.Limit <= 0 {
			t.Errorf("%s: storm %+v, limit %v", r.Destination, r.Storm, r.Limit)
		}
		if r.Destination.Address != "" {
			t.Errorf("%s: address %q: the URL or key must stay out of the outbox key and logs", r.Destination, r.Destination.Address)
		}
		if _, err := r.Notifier.Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Destination: r.Destination, Event: ev}); err != nil {
			t.Errorf("%s: %v", r.Destination, err)
		}
	}
	if got := len(dests); got != 3 || dests[0] != "ops/signed-webhook" || dests[1] != "ops/teams" || dests[2] != "ops/pagerduty" {
		t.Errorf("routes %v", dests)
	}
	if len(hook.Taken()) != 1 || len(tm.Taken()) != 1 || pd.Alerts()["o-1"].Severity != "critical" {
		t.Errorf("webhook %d, teams %d, pagerduty %+v", len(hook.Taken()), len(tm.Taken()), pd.Alerts())
	}
}
