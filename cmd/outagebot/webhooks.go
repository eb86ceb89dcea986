package main

import (
	"fmt"
	"io"

	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/internal/webhookurl"
)

// printWebhooks says, for each channel with a webhook_url, which platform
// it is taken for (that decides the JSON posted to it), with the URL's
// token redacted. Load has checked the URLs.
func printWebhooks(cfg *config.Config, stdout io.Writer) {
	for _, ch := range cfg.Channels {
		if ch.WebhookURL == "" {
			continue
		}
		if u, err := webhookurl.Parse(ch.WebhookURL); err == nil {
			fmt.Fprintf(stdout, "%s:%d: channel %q: webhook_url is a %s webhook (%s)\n", cfg.Path, ch.Line, ch.Name, u.PlatformName(), u.Redacted())
		}
	}
}
