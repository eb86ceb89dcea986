package config

import (
	"github.com/outagebot/outagebot/catalog"
	"github.com/outagebot/outagebot/i18n"

	"strconv"
	"time"
)

// Defaults. Each applies when its key is absent from the file; a key that is
// written is validated as written (so workers = 0 is an error, not 64).
const (
	DefaultState          = "outagebot.db"
	DefaultListen         = "127.0.0.1:8080"
	DefaultLogLevel       = "info"
	DefaultLogFormat      = "text"
	DefaultWorkers        = 64
	DefaultMaxBodySize    = 5 << 20 // 5MiB
	DefaultMaxDeliveryAge = 24 * time.Hour

	DefaultFeedInterval         = time.Minute
	DefaultProbeInterval        = 30 * time.Second
	DefaultTimeout              = 10 * time.Second // or the interval, when shorter
	DefaultUnreachableThreshold = 3
	DefaultMethod               = "GET"
	DefaultDigestWindow         = 24 * time.Hour
	DefaultStormThreshold       = 5
	DefaultStormWindow          = 2 * time.Minute
	DefaultNetworkDownMin       = 2
	DefaultTelegramAPIURL       = "https://api.telegram.org"
	// DefaultMentionMinSeverity: a partial outage is worth waking a
	// team for; degraded performance is not.
	DefaultMentionMinSeverity = "partial_outage"
)

// Failure and success thresholds: vendor feeds say themselves when something
// is broken; probes wait for a pattern.
const (
	DefaultFeedFailureThreshold  = 1
	DefaultFeedSuccessThreshold  = 1
	DefaultProbeFailureThreshold = 3
	DefaultProbeSuccessThreshold = 2
)

// applyDefaults fills in the keys absent from the document. Keys rejected
// while decoding count as absent, so that later checks see sane values.
func applyDefaults(cfg *Config, ix *docIndex, c *collector) {
	has := func(path ...string) bool { return ix.present(path) && !c.isBad(path) }

	b := &cfg.Bot
	if !has("bot", "state") {
		b.State = DefaultState
	}
	if !has("bot", "listen") {
		b.Listen = DefaultListen
	}
	if !has("bot", "log_level") {
		b.LogLevel = DefaultLogLevel
	}
	if !has("bot", "log_format") {
		b.LogFormat = DefaultLogFormat
	}
	if !has("bot", "locale") {
		b.Locale = i18n.Default
	}
	if !has("bot", "workers") {
		b.Workers = DefaultWorkers
	}
	if !has("bot", "max_body_size") {
		b.MaxBodySize = DefaultMaxBodySize
	}
	if !has("bot", "max_delivery_age") {
		b.MaxDeliveryAge.Duration = DefaultMaxDeliveryAge
	}
	if !has("bot", "storm_threshold") {
		b.StormThreshold = DefaultStormThreshold
	}
	if !has("bot", "storm_window") {
		b.StormWindow.Duration = DefaultStormWindow
	}
	if !has("bot", "network_down_min_targets") {
		b.NetworkDownMinTargets = DefaultNetworkDownMin
	}
	if !has("bot", "chat_subscriptions") {
		b.ChatSubscriptions = true
	}

	applyWebDefaults(cfg, has)

	for i := range cfg.Channels {
		cfg.Channels[i].Line = ix.line([]string{"channel", strconv.Itoa(i + 1)})
		if !has("channel", strconv.Itoa(i+1), "mention_min_severity") {
			cfg.Channels[i].MentionMinSeverity = DefaultMentionMinSeverity
		}
	}
	for i := range cfg.Targets {
		t := &cfg.Targets[i]
		n := strconv.Itoa(i + 1)
		set := func(key string) bool { return has("target", n, key) }
		t.Line = ix.line([]string{"target", n})
		if v, ok := catalog.Lookup(t.Vendor); ok && t.Vendor != "" {
			if !set("type") {
				t.Type = v.Type
			}
			if !set("url") {
				t.URL = v.URL
			}
			if !set("name") {
				t.Name = v.Title
			}
			if !set("components") && len(v.Components) > 0 {
				t.Components = v.Components
			}
		}
		probe := t.IsProbe()
		if !set("interval") {
			t.Interval.Duration = DefaultFeedInterval
			if probe {
				t.Interval.Duration = DefaultProbeInterval
			}
		}
		if !set("timeout") {
			t.Timeout.Duration = min(DefaultTimeout, t.Interval.Duration)
		}
		if !set("failure_threshold") {
			t.FailureThreshold = DefaultFeedFailureThreshold
			if probe {
				t.FailureThreshold = DefaultProbeFailureThreshold
			}
		}
		if !set("success_threshold") {
			t.SuccessThreshold = DefaultFeedSuccessThreshold
			if probe {
				t.SuccessThreshold = DefaultProbeSuccessThreshold
			}
		}
		if !set("maintenance_notice") {
			t.MaintenanceNotice.Duration = time.Hour
		}
		if !set("unreachable_threshold") {
			t.UnreachableThreshold = DefaultUnreachableThreshold
		}
		if t.AnnounceExisting == nil {
			yes := true
			t.AnnounceExisting = &yes
		}
		if !set("method") && takes(t.Type, "method") {
			t.Method = DefaultMethod
		}
		if !set("quorum") {
			t.Quorum = DefaultQuorum(len(t.Locations))
		}
		if !set("follow_redirects") && takes(t.Type, "follow_redirects") {
			t.FollowRedirects = RedirectsSameHost
		}
	}

	if cfg.Telegram != nil && !has("telegram", "api_url") {
		cfg.Telegram.APIURL = DefaultTelegramAPIURL
	}

	for i := range cfg.Digests {
		if !has("digest", strconv.Itoa(i+1), "window") {
			cfg.Digests[i].Window.Duration = DefaultDigestWindow
		}
		if cfg.Digests[i].Chart == nil {
			yes := true
			cfg.Digests[i].Chart = &yes
		}
	}
}

// takes reports whether targets of type typ accept the type-specific key.
func takes(typ, key string) bool {
	for _, k := range targetTypes[typ].keys {
		if k == key {
			return true
		}
	}
	return false
}
