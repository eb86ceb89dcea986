package config

import (
	"github.com/outagebot/outagebot/catalog"
	"github.com/outagebot/outagebot/i18n"

	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/outagebot/outagebot/internal/webhookurl"
	"github.com/outagebot/outagebot/notifier/tmpl"
	"github.com/outagebot/outagebot/sources/pageurl"

	"github.com/outagebot/outagebot/notifier/discord"
)

// Limits checked at load.
const (
	MaxWorkers        = 10000
	MaxThreshold      = 100
	MinInterval       = time.Second
	MaxStormThreshold = 1000
)

var (
	logLevels   = []string{"debug", "info", "warn", "error"}
	logFormats  = []string{"text", "json"}
	httpMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

	// Slack promises no length for its ids (they grew from 9 characters
	// to 11 and more); older and test workspaces have shorter ones. The
	// check is there to catch a #name or a lower-case channel name, which
	// a prefix letter and upper-case alphanumerics already rule out.
	slackChannelID = regexp.MustCompile(`^[CGD][A-Z0-9]{6,}$`)
	hexKey         = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
)

// ParseSchedule parses a digest schedule: five cron fields or a descriptor
// like @daily, optionally prefixed with CRON_TZ=Zone. Unlike
// cron.ParseStandard it never panics.
func ParseSchedule(spec string) (s cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("cannot parse %q", clip(spec))
		}
	}()
	return cron.ParseStandard(spec)
}

// validate checks every value of cfg; defaults are already applied. It
// never quotes a secret (tokens, signing secret, webhook URLs, header
// values, URLs that may carry credentials).
func validate(cfg *Config, ix *docIndex, c *collector) {
	p := func(parts ...string) []string { return parts }

	// [bot]
	b := cfg.Bot
	if b.State == "" {
		c.add(p("bot", "state"), "must not be empty: a SQLite file or a postgres:// URL")
	}
	if b.Listen != "" {
		if msg := checkHostPort(b.Listen); msg != "" {
			c.add(p("bot", "listen"), msg)
		}
	}
	if b.PublicListen != "" {
		checkPublicListen(cfg, func(msg string) { c.add(p("bot", "public_listen"), msg) })
	}
	if !slices.Contains(logLevels, b.LogLevel) {
		c.add(p("bot", "log_level"), "must be one of "+strings.Join(logLevels, ", "))
	}
	if !i18n.Known(b.Locale) {
		c.add(p("bot", "locale"), "must be one of "+strings.Join(i18n.Languages, ", "))
	}
	if !slices.Contains(logFormats, b.LogFormat) {
		c.add(p("bot", "log_format"), "must be one of "+strings.Join(logFormats, ", "))
	}
	if b.Workers < 1 || b.Workers > MaxWorkers {
		c.add(p("bot", "workers"), fmt.Sprintf("must be from 1 to %d", MaxWorkers))
	}
	if b.MaxBodySize <= 0 {
		c.add(p("bot", "max_body_size"), `must be more than 0, like "5MiB"`)
	}
	if b.MaxDeliveryAge.Duration <= 0 {
		c.add(p("bot", "max_delivery_age"), `must be more than 0, like "24h"`)
	}
	if b.StormThreshold < 0 || b.StormThreshold > MaxStormThreshold {
		c.add(p("bot", "storm_threshold"), fmt.Sprintf("must be from 0 (off) to %d", MaxStormThreshold))
	}
	if n := b.NetworkDownMinTargets; n < 0 || n == 1 {
		c.add(p("bot", "network_down_min_targets"), "must be 0 (off) or 2 or more: one target failing says nothing about the network")
	}
	if w := b.StormWindow.Duration; w < time.Second || w > time.Hour {
		c.add(p("bot", "storm_window"), `must be from 1s to 1h, like "2m"`)
	}

	// [slack]
	if s := cfg.Slack; s != nil {
		switch {
		case s.BotToken == "":
			c.add(p("slack", "bot_token"), "must be set: a bot token starting with xoxb-")
		case !strings.HasPrefix(s.BotToken, "xoxb-"):
			c.add(p("slack", "bot_token"), "must be a bot token starting with xoxb-")
		}
		if s.AppToken != "" && !strings.HasPrefix(s.AppToken, "xapp-") {
			c.add(p("slack", "app_token"), "must be an app-level token starting with xapp-")
		}
		if s.APIURL != "" && !isHTTPURL(s.APIURL) {
			c.add(p("slack", "api_url"), "must be an absolute http or https URL, like https://slack.com/api/")
		}
	}

	// [discord]
	if d := cfg.Discord; d != nil {
		if d.BotToken == "" {
			c.add(p("discord", "bot_token"), "must be set")
		} else if strings.ContainsAny(d.BotToken, " \t\r\n") {
			c.add(p("discord", "bot_token"), `must be the token alone, with no spaces (no "Bot " prefix)`)
		}
		if d.ApplicationID != "" && !isSnowflake(d.ApplicationID) {
			c.add(p("discord", "application_id"), "must be a numeric id")
		}
		if d.GuildID != "" && !isSnowflake(d.GuildID) {
			c.add(p("discord", "guild_id"), "must be a numeric id")
		}
		if d.PublicKey != "" && !hexKey.MatchString(d.PublicKey) {
			c.add(p("discord", "public_key"), "must be 64 hex characters (the application's public key)")
		}
		switch {
		case d.APIURL == "":
		case !isHTTPURL(d.APIURL):
			c.add(p("discord", "api_url"), "must be an absolute http or https URL, like https://discord.com")
		case discord.CheckAPIURL(d.APIURL) != nil:
			// The client's own rule: it replaces only scheme, host and
			// port and keeps Discord's /api/v9/... paths, so a path here
			// would be dropped or doubled. Said now rather than when run
			// starts.
			c.add(p("discord", "api_url"), "must be scheme://host[:port] with no path, like https://discord.com (requests keep their /api/v9/... paths)")
		}
	}

	checkTelegram(cfg, c)

	// A chat section without a channel would send every notification
	// nowhere, silently.
	if len(cfg.Channels) == 0 {
		for _, sec := range []string{"slack", "discord", "telegram"} {
			if ix.present(p(sec)) {
				c.add(p(sec), "is set but no [[channel]] is defined, so notifications would go nowhere: add a [[channel]] (see config.example.toml), or remove ["+sec+"] to print them to the console")
			}
		}
	}

	// [[channel]]
	channelNames := make([]string, 0, len(cfg.Channels))
	firstChannel := map[string]int{}
	for i, ch := range cfg.Channels {
		n := strconv.Itoa(i + 1)
		at := func(key string) []string { return p("channel", n, key) }
		channelNames = append(channelNames, ch.Name)
		if ch.Name == "" {
			c.add(at("name"), "must be set")
		} else if first, dup := firstChannel[strings.ToLower(ch.Name)]; dup {
			c.add(at("name"), fmt.Sprintf("duplicate channel name (also at line %d)", first))
		} else {
			firstChannel[strings.ToLower(ch.Name)] = ix.line(at("name"))
		}
		if ch.Slack == "" && ch.Discord == "" && ch.Telegram == "" && ch.WebhookURL == "" && !ch.moreDestinations() && !writtenDestination(ix, p("channel", n)) {
			c.add(p("channel", n), errNoDestination.Error())
		}
		checkDestinations(ch, func(key ...string) []string { return append(p("channel", n), key...) }, c)
		checkTelegramChannel(cfg, ch, at, c)
		if ch.Slack != "" {
			if !slackChannelID.MatchString(ch.Slack) {
				c.add(at("slack"), "must be a Slack channel ID like C0123456789 (not a #name)")
			}
			if cfg.Slack == nil {
				c.add(at("slack"), "needs a [slack] section with bot_token")
			}
		}
		if ch.Discord != "" {
			if !isSnowflake(ch.Discord) {
				c.add(at("discord"), "must be a numeric Discord channel id")
			}
			if cfg.Discord == nil {
				c.add(at("discord"), "needs a [discord] section with bot_token")
			}
		}
		if ch.StatusBoard && ch.Discord == "" {
			c.add(at("status_board"), "needs discord = \"<channel id>\" in this channel: the board is a pinned Discord message (Slack users see it in the App Home tab)")
		}
		if ch.WebhookURL != "" && !isWebhookURL(ch.WebhookURL) {
			c.add(at("webhook_url"), "must be an absolute https URL (http only for localhost)")
		} else if ch.WebhookURL != "" {
			// Which platform it is decides the JSON posted to it: a URL
			// on Discord that is no webhook must not pass for Slack's.
			if _, err := webhookurl.Parse(ch.WebhookURL); err != nil {
				c.add(at("webhook_url"), err.Error())
			}
		}
		if ch.Locale != "" && !i18n.Known(ch.Locale) {
			c.add(at("locale"), "must be one of "+strings.Join(i18n.Languages, ", "))
		} else if ch.Templated() {
			if _, err := tmpl.New(ch.Locale, ch.TitleTemplate, ""); err != nil {
				c.add(at("title_template"), "invalid template: "+strings.TrimPrefix(err.Error(), "title: "))
			}
			if _, err := tmpl.New(ch.Locale, "", ch.BodyTemplate); err != nil {
				c.add(at("body_template"), "invalid template: "+strings.TrimPrefix(err.Error(), "body: "))
			}
		}
	}
	checkRefs := func(path []string, refs []string) {
		for j, ref := range refs {
			if slices.ContainsFunc(channelNames, func(n string) bool { return n != "" && strings.EqualFold(n, ref) }) {
				continue
			}
			msg := fmt.Sprintf("no channel named %q", clip(ref))
			if s := closest(ref, channelNames); s != "" {
				msg += " (did you mean " + s + "?)"
			}
			c.add(append(clonePath(path), strconv.Itoa(j+1)), msg)
		}
	}

	// [[target]]
	if len(cfg.Targets) == 0 && !ix.present(p("target")) {
		c.add(p("target"), "no targets: add at least one [[target]]")
	}
	firstTarget := map[string]int{}
	for i := range cfg.Targets {
		t := &cfg.Targets[i]
		n := strconv.Itoa(i + 1)
		at := func(key string) []string { return p("target", n, key) }
		if t.Vendor != "" {
			if _, ok := catalog.Lookup(t.Vendor); !ok {
				msg := fmt.Sprintf("unknown vendor %q (run `outagebot vendors` for the list)", clip(t.Vendor))
				if s := closest(strings.ToLower(t.Vendor), catalog.Names()); s != "" {
					msg = fmt.Sprintf("unknown vendor %q (did you mean %s?)", clip(t.Vendor), s)
				}
				c.add(at("vendor"), msg)
				continue
			}
		}

		if t.Name == "" {
			c.add(at("name"), "must be set")
		} else if first, dup := firstTarget[strings.ToLower(t.Name)]; dup {
			c.add(at("name"), fmt.Sprintf("duplicate target name (also at line %d)", first))
		} else {
			firstTarget[strings.ToLower(t.Name)] = ix.line(at("name"))
		}

		tt, known := targetTypes[t.Type]
		// Type-specific values are checked only where the type takes them
		// (or when the type is unknown): elsewhere the key is the problem.
		applies := func(key string) bool { return !known || slices.Contains(tt.keys, key) }
		switch {
		case t.Type == "":
			c.add(at("type"), "must be set: one of "+strings.Join(Types(), ", "))
		case !known:
			msg := fmt.Sprintf("unknown type %q (known: %s)", clip(t.Type), strings.Join(Types(), ", "))
			if s := closest(t.Type, Types()); s != "" {
				msg = fmt.Sprintf("unknown type %q (did you mean %s?)", clip(t.Type), s)
			}
			c.add(at("type"), msg)
		default:
			for _, k := range typeSpecificKeys {
				if ix.present(at(k)) && !slices.Contains(tt.keys, k) {
					c.add(at(k), fmt.Sprintf("not used by %s targets (only by %s)", t.Type, strings.Join(typesTaking(k), ", ")))
				}
			}
		}

		switch {
		case known && tt.address:
			if ix.present(at("url")) {
				c.add(at("url"), fmt.Sprintf("not used by %s targets: set address instead", t.Type))
			}
			checkAddress(t, at, c)
		case ix.present(at("address")) && known:
			c.add(at("address"), fmt.Sprintf("not used by %s targets: set url instead", t.Type))
		case t.URL == "":
			c.add(at("url"), "must be set")
		case !isHTTPURL(t.URL):
			c.add(at("url"), "must be an absolute http or https URL, like https://status.example.com")
		case known && pageurl.Handles(t.Type):
			// A vendor feed's url must say which page it is in a form the
			// type can poll from (a status.io page's bare address does not).
			var pe *pageurl.Error
			if _, err := pageurl.Normalize(t.Type, t.URL); errors.As(err, &pe) {
				c.add(at("url"), pe.Msg)
			}
		}
		if applies("body_regex") && t.BodyRegex != "" {
			if _, err := regexp.Compile(t.BodyRegex); err != nil {
				c.add(at("body_regex"), "is not a valid regular expression: "+strings.TrimPrefix(err.Error(), "error parsing regexp: "))
			}
		}
		if applies("json_equals") && t.JSONEquals != "" && t.JSONPath == "" {
			c.add(at("json_equals"), "needs json_path (the value to compare, like \"status.indicator\")")
		}
		if applies("retries") && (t.Retries < 0 || t.Retries > 10) {
			c.add(at("retries"), "must be from 0 to 10")
		}
		if t.Interval.Duration < MinInterval {
			c.add(at("interval"), "must be at least "+shortDuration(MinInterval))
		}
		switch {
		case t.Timeout.Duration <= 0:
			c.add(at("timeout"), `must be more than 0, like "10s"`)
		case t.Timeout.Duration > t.Interval.Duration && t.Interval.Duration >= MinInterval && !c.isBad(at("interval")):
			c.add(at("timeout"), fmt.Sprintf("must not be longer than the interval (%s)", shortDuration(t.Interval.Duration)))
		}
		for _, th := range []struct {
			key string
			v   int
		}{
			{"failure_threshold", t.FailureThreshold},
			{"success_threshold", t.SuccessThreshold},
			{"unreachable_threshold", t.UnreachableThreshold},
		} {
			if th.v < 1 || th.v > MaxThreshold {
				c.add(at(th.key), fmt.Sprintf("must be from 1 to %d", MaxThreshold))
			}
		}
		for j, code := range t.ExpectStatus {
			if !applies("expect_status") {
				break
			}
			if code < 100 || code > 599 {
				c.add(append(at("expect_status"), strconv.Itoa(j+1)), "must be an HTTP status code from 100 to 599")
			}
		}
		if t.Method != "" && applies("method") {
			t.Method = strings.ToUpper(t.Method)
			if !slices.Contains(httpMethods, t.Method) {
				c.add(at("method"), "must be one of "+strings.Join(httpMethods, ", "))
			} else if t.Method == "HEAD" && t.BodyContains != "" {
				c.add(at("body_contains"), "cannot be checked: HEAD responses have no body")
			}
		}
		if d := t.DegradedLatency.Duration; applies("degraded_latency") && d > 0 && t.Timeout.Duration > 0 && d >= t.Timeout.Duration {
			c.add(at("degraded_latency"), fmt.Sprintf("must be shorter than the timeout (%s)", shortDuration(t.Timeout.Duration)))
		}
		for _, name := range slices.Sorted(maps.Keys(t.Headers)) {
			if !applies("headers") {
				break
			}
			value := t.Headers[name]
			if !isToken(name) {
				c.add(append(at("headers"), name), "is not a valid header name")
			} else if strings.ContainsAny(value, "\r\n\x00") {
				c.add(append(at("headers"), name), "value must not contain line breaks")
			}
		}
		for j, comp := range t.Components {
			if !applies("components") {
				break
			}
			if strings.TrimSpace(comp) == "" {
				c.add(append(at("components"), strconv.Itoa(j+1)), "must not be empty")
			}
		}
		checkRefs(at("channels"), t.Channels)
	}
	checkRelations(cfg, c)

	validateWeb(cfg, c)

	// [[route]]
	for i, r := range cfg.Routes {
		n := strconv.Itoa(i + 1)
		at := func(key string) []string { return p("route", n, key) }
		if len(r.Channels) == 0 {
			c.add(at("channels"), "must name at least one channel")
		}
		checkRefs(at("channels"), r.Channels)
		if _, ok := severityRank[r.MinSeverity]; r.MinSeverity != "" && !ok {
			c.add(at("min_severity"), "must be degraded, partial_outage or major_outage")
		}
		for j, name := range r.Targets {
			if _, ok := cfg.FindTarget(name); !ok {
				c.add(append(at("targets"), strconv.Itoa(j+1)), fmt.Sprintf("no target is called %q", clip(name)))
			}
		}
	}
	if len(cfg.Routes) > 0 && cfg.Chat() {
		for i, t := range cfg.Targets {
			if t.Name != "" && len(cfg.DeliveriesFor(t)) == 0 {
				c.add(p("target", strconv.Itoa(i+1)), "reaches no channel: no [[route]] matches it and it names no channels")
			}
		}
	}

	// [[digest]]
	for i, d := range cfg.Digests {
		n := strconv.Itoa(i + 1)
		at := func(key string) []string { return p("digest", n, key) }
		spec := d.Spec()
		if d.Timezone != "" {
			if msg := checkZone(d.Timezone); msg != "" {
				c.add(at("timezone"), msg)
				spec = d.Schedule
			} else if hasZone(d.Schedule) {
				c.add(at("timezone"), "the schedule already names its zone with CRON_TZ=: set one of them")
			}
		}
		if strings.TrimSpace(d.Schedule) == "" {
			c.add(at("schedule"), `must be set, like "0 9 * * MON-FRI"`)
		} else if _, err := ParseSchedule(spec); err != nil {
			c.add(at("schedule"), "invalid cron schedule: "+err.Error())
		}
		checkTargetRefs(cfg, at("targets"), d.Targets, c)
		if d.Window.Duration <= 0 {
			c.add(at("window"), `must be more than 0, like "24h"`)
		}
		checkRefs(at("channels"), d.Channels)
	}

	checkSilences(cfg, ix, c)
	checkLocations(cfg, ix, c)
}

// checkSilences validates the [[silence]] windows.
func checkSilences(cfg *Config, ix *docIndex, c *collector) {
	for i, s := range cfg.Silences {
		n := strconv.Itoa(i + 1)
		at := func(key string) []string { return []string{"silence", n, key} }
		loc, spec := time.UTC, s.Spec()
		if s.Timezone != "" {
			if msg := checkZone(s.Timezone); msg != "" {
				c.add(at("timezone"), msg)
				spec = s.Schedule
			} else {
				loc, _ = time.LoadLocation(s.Timezone)
			}
		}
		fixed := ix.present(at("start")) || ix.present(at("end"))
		switch {
		case s.Schedule != "" && fixed:
			c.add([]string{"silence", n}, "set either schedule and duration, or start and end, not both")
		case strings.TrimSpace(s.Schedule) != "":
			checkSilenceSchedule(s, spec, at, c)
		case fixed:
			var bounds [2]time.Time
			for j, key := range []string{"start", "end"} {
				v := []string{s.Start, s.End}[j]
				if v == "" {
					c.add(at(key), `must be set, like "2026-12-24 18:00"`)
					continue
				}
				t, err := ParseTime(v, loc)
				if err != nil {
					c.add(at(key), err.Error()+`: write RFC 3339 ("2026-12-24T18:00:00Z") or a time in the silence's timezone ("2026-12-24 18:00")`)
					continue
				}
				bounds[j] = t
			}
			if !bounds[0].IsZero() && !bounds[1].IsZero() && !bounds[1].After(bounds[0]) {
				c.add(at("end"), "must be after start")
			}
			if ix.present(at("duration")) {
				c.add(at("duration"), "is for a scheduled silence: a silence with start and end lasts until end")
			}
		default:
			c.add([]string{"silence", n}, `needs schedule and duration (like "0 2 * * SUN" and "2h") or start and end`)
		}
		checkTargetRefs(cfg, at("targets"), s.Targets, c)
	}
}

// checkZone checks an IANA time zone name, returning a message or "".
func checkZone(tz string) string {
	if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
		return fmt.Sprintf("unknown time zone %q: use an IANA name like \"Europe/Berlin\"", clip(tz))
	}
	return ""
}

// checkTargetRefs checks that each of refs names a target or a group.
func checkTargetRefs(cfg *Config, path []string, refs []string, c *collector) {
	for j, ref := range refs {
		if !slices.ContainsFunc(cfg.Targets, func(t Target) bool { return matchesNameOrGroup([]string{ref}, t) }) {
			c.add(append(clonePath(path), strconv.Itoa(j+1)), fmt.Sprintf("no target or group is called %q", clip(ref)))
		}
	}
}

// checkSilenceSchedule validates a scheduled silence's schedule, duration
// and timezone.
func checkSilenceSchedule(s Silence, spec string, at func(string) []string, c *collector) {
	if s.Timezone != "" && hasZone(s.Schedule) {
		c.add(at("timezone"), "the schedule already names its zone with CRON_TZ=: set one of them")
	}
	if strings.HasPrefix(strings.TrimSpace(s.Schedule), "@every") {
		c.add(at("schedule"), "@every has no fixed start times: use five cron fields or @daily, @weekly, ...")
	} else if _, err := ParseSchedule(spec); err != nil {
		c.add(at("schedule"), "invalid cron schedule: "+err.Error())
	}
	if s.Duration.Duration <= 0 {
		c.add(at("duration"), `must be set and more than 0, like "2h"`)
	}
}

// checkPublicListen checks bot.public_listen, reporting each problem.
func checkPublicListen(cfg *Config, add func(string)) {
	b := cfg.Bot
	if _, _, err := net.SplitHostPort(b.PublicListen); err != nil {
		add(`must be host:port, like "0.0.0.0:8443" (or "" to serve the command endpoints on bot.listen)`)
		return
	}
	if msg := checkHostPort(b.PublicListen); msg != "" {
		add(msg)
		return
	}
	if _, port, _ := net.SplitHostPort(b.PublicListen); port != "0" && sameAddress(b.PublicListen, b.Listen) {
		add("must differ from bot.listen: the public address serves only the command endpoints, bot.listen keeps health and metrics private")
	}
	slackCmds := cfg.Slack != nil && cfg.Slack.SigningSecret != ""
	discordCmds := cfg.Discord != nil && cfg.Discord.PublicKey != ""
	telegramCmds := cfg.Telegram != nil && cfg.Telegram.WebhookSecret != ""
	if !slackCmds && !discordCmds && !telegramCmds {
		add("serves the command endpoints, but none is configured: set [slack] signing_secret, [discord] public_key or [telegram] webhook_secret, or remove public_listen")
	}
}

// sameAddress reports whether two host:port listen addresses are one.
func sameAddress(a, b string) bool {
	ha, pa, errA := net.SplitHostPort(a)
	hb, pb, errB := net.SplitHostPort(b)
	if errA != nil || errB != nil || pa != pb {
		return false
	}
	// ":8080" and "0.0.0.0:8080" listen on every interface: any host on that
	// port collides with them.
	wild := func(h string) bool { return h == "" || h == "0.0.0.0" || h == "::" }
	return strings.EqualFold(ha, hb) || wild(ha) || wild(hb)
}

// checkHostPort checks a listen address, returning a message or "".
func checkHostPort(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return `must be host:port, like "127.0.0.1:8080" (or "" to disable)`
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 || !isNumber(port) {
		return "port must be a number from 0 to 65535"
	}
	return ""
}

// isHTTPURL reports whether s is an absolute http or https URL with a host.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Hostname() != ""
}

// isWebhookURL reports whether s is an absolute https URL, or an http one
// to a loopback host (for tests).
func isWebhookURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		return webhookurl.Loopback(u.Hostname())
	}
	return false
}

// isSnowflake reports whether s is a Discord id: a decimal uint64.
func isSnowflake(s string) bool {
	if !isNumber(s) {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// isToken reports whether s is an HTTP token (RFC 9110), as header names
// must be.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// shortDuration writes d like time.Duration.String without the zero units
// at the end: "1m" rather than "1m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

var dnsRecordTypes = []string{"A", "AAAA", "CNAME", "MX", "TXT", "NS"}

// checkAddress validates the address of a tcp, dns or tlscert target and its
// type's own keys.
func checkAddress(t *Target, at func(string) []string, c *collector) {
	if t.Address == "" {
		c.add(at("address"), "must be set")
		return
	}
	if strings.Contains(t.Address, "/") {
		c.add(at("address"), "must be a host (and port), not a URL")
		return
	}
	switch t.Type {
	case "tcp":
		if _, port, err := net.SplitHostPort(t.Address); err != nil || port == "" {
			c.add(at("address"), `must be host:port, like "db.internal:5432"`)
		}
	case "tlscert":
		host := t.Address
		if h, _, err := net.SplitHostPort(t.Address); err == nil {
			host = h
		}
		if host == "" {
			c.add(at("address"), `must be host or host:port, like "example.com" or "example.com:8443"`)
		}
		if t.WarnDays < 0 || t.WarnDays > 365 {
			c.add(at("warn_days"), "must be from 1 to 365 (0 means the default, 14)")
		}
	case "dns":
		if t.Address == "" || strings.ContainsAny(t.Address, "/: ") {
			c.add(at("address"), `must be the name to resolve, like "example.com"`)
		}
		if t.RecordType != "" && !slices.Contains(dnsRecordTypes, strings.ToUpper(t.RecordType)) {
			c.add(at("record_type"), "must be one of "+strings.Join(dnsRecordTypes, ", "))
		}
		if t.Resolver != "" {
			if _, _, err := net.SplitHostPort(t.Resolver); err != nil && net.ParseIP(t.Resolver) == nil {
				c.add(at("resolver"), `must be an address like "1.1.1.1" or "10.0.0.2:53"`)
			}
		}
	}
}

// checkRelations checks depends_on and alternatives, and rewrites each
// reference to the target's own name, which is what the bot matches on.
func checkRelations(cfg *Config, c *collector) {
	names := make([]string, 0, len(cfg.Targets))
	for _, t := range cfg.Targets {
		names = append(names, t.Name)
	}
	resolve := func(path []string, self, ref string) (string, bool) {
		t, ok := cfg.ResolveTarget(ref)
		switch {
		case strings.TrimSpace(ref) == "":
			c.add(path, "must name a target")
		case !ok:
			msg := fmt.Sprintf("no target is called %q", clip(ref))
			if s := closest(ref, names); s != "" {
				msg += " (did you mean " + s + "?)"
			}
			c.add(path, msg)
		case strings.EqualFold(t.Name, self):
			c.add(path, "names the target itself")
		default:
			return t.Name, true
		}
		return "", false
	}
	for i := range cfg.Targets {
		t := &cfg.Targets[i]
		n := strconv.Itoa(i + 1)
		for j := range t.DependsOn {
			d := &t.DependsOn[j]
			at := []string{"target", n, "depends_on", strconv.Itoa(j + 1)}
			name, ok := resolve(append(clonePath(at), "target"), t.Name, d.Target)
			if !ok {
				continue
			}
			d.Target = name
			if path := dependencyPath(cfg, name, t.Name); path != nil {
				c.add(append(clonePath(at), "target"), fmt.Sprintf("%s depends on %s in turn (%s): a dependency must run one way",
					name, t.Name, strings.Join(append([]string{t.Name}, path...), " → ")))
			}
			for k, comp := range d.Components {
				if strings.TrimSpace(comp) == "" {
					c.add(append(clonePath(at), "components", strconv.Itoa(k+1)), "must not be empty")
				}
			}
		}
		for j, alt := range t.Alternatives {
			if name, ok := resolve([]string{"target", n, "alternatives", strconv.Itoa(j + 1)}, t.Name, alt); ok {
				t.Alternatives[j] = name
			}
		}
	}
}

// dependencyPath is a chain of depends_on from from to to (from first, to
// last), or nil when there is none.
func dependencyPath(cfg *Config, from, to string) []string {
	seen := map[string]bool{}
	var walk func(name string) []string
	walk = func(name string) []string {
		if strings.EqualFold(name, to) {
			return []string{name}
		}
		key := strings.ToLower(name)
		if seen[key] {
			return nil
		}
		seen[key] = true
		t, ok := cfg.FindTarget(name)
		if !ok {
			return nil
		}
		for _, d := range t.DependsOn {
			next, ok := cfg.ResolveTarget(d.Target)
			if !ok {
				continue
			}
			if rest := walk(next.Name); rest != nil {
				return append([]string{name}, rest...)
			}
		}
		return nil
	}
	return walk(from)
}
