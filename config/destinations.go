package config

import (
	"errors"
	"strings"

	"github.com/outagebot/outagebot/notifier/pagerduty"
	"github.com/outagebot/outagebot/notifier/teams"
	"github.com/outagebot/outagebot/notifier/webhook"
)

// WebhookDest is a channel's signed generic webhook:
// webhook = { url = "...", secret = "${HOOK_SECRET}" }.
type WebhookDest struct {
	URL string `toml:"url"`
	// Secret signs every request (X-Outagebot-Signature).
	Secret string `toml:"secret"`
	// Template, if set, is a Go text/template over the event's fields
	// that renders the body instead of the outagebot.event/v1 JSON.
	Template string `toml:"template"`
	// ContentType of the body. Default application/json.
	ContentType string `toml:"content_type"`
}

// TeamsDest is a Microsoft Teams channel's Workflows webhook:
// teams = { url = "${TEAMS_WEBHOOK_URL}" }.
type TeamsDest struct {
	URL string `toml:"url"`
}

// PagerDutyDest is a PagerDuty service's Events API v2 integration:
// pagerduty = { routing_key = "${PD_ROUTING_KEY}" }.
type PagerDutyDest struct {
	RoutingKey string `toml:"routing_key"`
	// APIURL replaces https://events.pagerduty.com/v2/enqueue.
	APIURL string `toml:"api_url"`
}

// moreDestinations reports whether ch has a webhook, teams or pagerduty
// destination.
func (ch Channel) moreDestinations() bool {
	return ch.Webhook != nil || ch.Teams != nil || ch.PagerDuty != nil
}

// writtenDestination reports whether the channel at path has a webhook,
// teams or pagerduty key, even one rejected (and reported) for a bad key
// inside it.
func writtenDestination(ix *docIndex, path []string) bool {
	for _, k := range []string{"webhook", "teams", "pagerduty"} {
		if ix.present(append(clonePath(path), k)) {
			return true
		}
	}
	return false
}

// checkDestinations checks a channel's webhook, teams and pagerduty keys.
// at names a key of the channel. It never quotes a URL, secret or key.
func checkDestinations(ch Channel, at func(key ...string) []string, c *collector) {
	if w := ch.Webhook; w != nil {
		if w.URL == "" {
			c.add(at("webhook", "url"), "must be set: the https URL events are POSTed to")
		} else if !isWebhookURL(strings.TrimSpace(w.URL)) {
			c.add(at("webhook", "url"), "must be an absolute https URL (http only for localhost)")
		}
		if w.Secret == "" {
			c.add(at("webhook", "secret"), `must be set: the shared secret requests are signed with, like "${HOOK_SECRET}" (16 characters or more)`)
		} else if len(w.Secret) < 16 {
			c.add(at("webhook", "secret"), "must be 16 characters or more")
		}
		if ct := w.ContentType; ct != "" && (!strings.Contains(ct, "/") || strings.ContainsAny(ct, "\r\n")) {
			c.add(at("webhook", "content_type"), `must be a media type, like "application/json" or "text/plain"`)
		} else if w.ContentType != "" && !webhook.IsJSON(w.ContentType) && w.Template == "" {
			c.add(at("webhook", "content_type"), "is not JSON, but without a template the body is JSON: set a template or leave content_type out")
		}
		if w.Template != "" {
			if _, err := webhook.ParseTemplate(w.Template, w.ContentType); err != nil {
				c.add(at("webhook", "template"), "invalid template: "+err.Error())
			}
		}
	}
	if t := ch.Teams; t != nil {
		if t.URL == "" {
			c.add(at("teams", "url"), `must be set: the HTTP POST URL of the channel's Workflows webhook, like "${TEAMS_WEBHOOK_URL}"`)
		} else if err := teams.CheckURL(t.URL); err != nil {
			c.add(at("teams", "url"), err.Error())
		}
	}
	if p := ch.PagerDuty; p != nil {
		switch k := strings.TrimSpace(p.RoutingKey); {
		case k == "":
			c.add(at("pagerduty", "routing_key"), `must be set: the Integration Key of an Events API v2 integration, like "${PD_ROUTING_KEY}"`)
		default:
			if err := pagerduty.CheckRoutingKey(k, p.APIURL); err != nil {
				c.add(at("pagerduty", "routing_key"), err.Error())
			}
		}
		if p.APIURL != "" && !isHTTPURL(p.APIURL) {
			c.add(at("pagerduty", "api_url"), "must be an absolute http or https URL, like "+pagerduty.DefaultAPIURL)
		}
	}
}

// errNoDestination is the problem of a channel that goes nowhere.
var errNoDestination = errors.New("needs at least one of slack, discord, telegram, webhook_url, webhook, teams or pagerduty")
