package app

import (
	"errors"
	"log/slog"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/pagerduty"
	"github.com/outagebot/outagebot/notifier/teams"
	"github.com/outagebot/outagebot/notifier/webhook"
)

// Platforms of the destinations beyond chat. "webhook" stays the Slack or
// Discord webhook_url it always named in the outbox.
const (
	platformSignedWebhook = "signed-webhook"
	platformTeams         = "teams"
	platformPagerDuty     = "pagerduty"
)

// Per-destination rates.
var (
	// A generic receiver documents no limit; this keeps a storm from
	// flooding it while letting a burst of openings through at once.
	webhookRate, webhookBurst = rate.Limit(5), 10
	// Teams throttles a webhook sending more than 4 requests in a second
	// (learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook);
	// a workflow's own Power Automate quotas make a slower pace wiser.
	teamsRate, teamsBurst = rate.Limit(1), 4
	// PagerDuty: "approximately 120 calls/minute per integration key",
	// counted over a 60 s window
	// (developer.pagerduty.com/docs/events-API-v2/rate-limits).
	pagerDutyRate, pagerDutyBurst = rate.Every(500 * time.Millisecond), 20
)

// moreDestinationsOf lists ch's webhook, teams and pagerduty destinations.
// Their addresses are not the secret URLs or keys: those are read from the
// configuration when the notifier is built.
func moreDestinationsOf(ch config.Channel) []notifier.Destination {
	var out []notifier.Destination
	if ch.Webhook != nil {
		out = append(out, notifier.Destination{Channel: ch.Name, Platform: platformSignedWebhook})
	}
	if ch.Teams != nil {
		out = append(out, notifier.Destination{Channel: ch.Name, Platform: platformTeams})
	}
	if ch.PagerDuty != nil {
		out = append(out, notifier.Destination{Channel: ch.Name, Platform: platformPagerDuty})
	}
	return out
}

// groups reports whether a platform can announce a storm of outages in
// one grouped message and thread their updates under it.
func groups(platform string) bool {
	return platform == "slack" || platform == "discord" || platform == "telegram"
}

// moreNotifier builds the notifier of a webhook, teams or pagerduty
// destination; ok is false for other platforms.
func moreNotifier(cfg *config.Config, d notifier.Destination, log *slog.Logger) (n notifier.Notifier, limit rate.Limit, burst int, ok bool, err error) {
	var ch config.Channel
	for _, c := range cfg.Channels {
		if strings.EqualFold(c.Name, d.Channel) {
			ch = c
		}
	}
	group := targetGroups(cfg)
	switch d.Platform {
	case platformSignedWebhook:
		if ch.Webhook == nil {
			return nil, 0, 0, true, errors.New("no webhook")
		}
		w, err := webhook.New(webhook.Options{URL: ch.Webhook.URL, Secret: ch.Webhook.Secret, Template: ch.Webhook.Template,
			ContentType: ch.Webhook.ContentType, Group: group, Log: log, Lang: cfg.LocaleOf(ch)})
		return w, webhookRate, webhookBurst, true, err
	case platformTeams:
		if ch.Teams == nil {
			return nil, 0, 0, true, errors.New("no teams url")
		}
		t, err := teams.New(teams.Options{URL: ch.Teams.URL, Log: log, Lang: cfg.LocaleOf(ch)})
		return t, teamsRate, teamsBurst, true, err
	case platformPagerDuty:
		if ch.PagerDuty == nil {
			return nil, 0, 0, true, errors.New("no pagerduty routing_key")
		}
		p, err := pagerduty.New(pagerduty.Options{RoutingKey: ch.PagerDuty.RoutingKey, APIURL: ch.PagerDuty.APIURL, Group: group, Log: log,
			Lang: cfg.LocaleOf(ch)})
		return p, pagerDutyRate, pagerDutyBurst, true, err
	}
	return nil, 0, 0, false, nil
}

// targetGroups returns each target's group by name.
func targetGroups(cfg *config.Config) func(string) string {
	m := map[string]string{}
	for _, t := range cfg.Targets {
		m[strings.ToLower(t.Name)] = t.Group
	}
	return func(target string) string { return m[strings.ToLower(target)] }
}
