// Package config loads and validates outagebot's TOML configuration.
//
// Loading is strict: an unknown key is an error, every value is checked, and
// every problem is reported with the file, line and key so that
// `outagebot check` can print them all at once (see [Problems]).
//
// The steps, in order: the TOML is parsed; every key is decoded into
// [Config] (unknown keys and wrongly typed values are problems); ${VAR}
// references in string values are replaced from the environment; defaults
// are applied to keys that are absent from the file; every value is
// validated.
package config

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Config is a validated configuration with defaults applied and ${ENV}
// references expanded.
type Config struct {
	// Path is the file the configuration was read from.
	Path string `toml:"-"`
	// Warnings are "FILE:LINE: key: warning: ..." lines about a valid
	// configuration that may not do what was meant; check prints them.
	Warnings []string  `toml:"-"`
	Bot      Bot       `toml:"bot"`
	Slack    *Slack    `toml:"slack"`
	Discord  *Discord  `toml:"discord"`
	Telegram *Telegram `toml:"telegram"`
	Channels []Channel `toml:"channel"`
	Targets  []Target  `toml:"target"`
	Digests  []Digest  `toml:"digest"`
	Routes   []Route   `toml:"route"`
	Silences []Silence `toml:"silence"`
	// Web is the status page, the HTTP API and the badges (web.go).
	Web Web `toml:"web"`
}

// Bot holds process-wide settings.
type Bot struct {
	// State is a SQLite file path, or a postgres:// URL. Default
	// "outagebot.db".
	State string `toml:"state"`
	// Listen is the address of the HTTP server (health, metrics, commands).
	// Default "127.0.0.1:8080"; an explicit empty string disables it.
	Listen string `toml:"listen"`
	// PublicListen, when set, is a second address that serves only the chat
	// platforms' command callbacks (the ones Slack and Discord must reach
	// from the internet); Listen then keeps health, metrics and everything
	// else private. Default "": the callbacks are served on Listen.
	PublicListen string `toml:"public_listen"`
	// LogLevel is debug, info, warn or error. Default "info".
	LogLevel string `toml:"log_level"`
	// LogFormat is text or json. Default "text".
	LogFormat string `toml:"log_format"`
	// Locale is the language of everything the bot writes: chat messages,
	// command answers, digests, the status board and page (en or de).
	// A channel's own locale, and [web] locale for the pages, override it.
	// Default "en".
	Locale string `toml:"locale"`
	// Workers bounds how many polls run at once. Default 64.
	Workers int `toml:"workers"`
	// MaxBodySize bounds a feed or probe response, like "5MiB" (the
	// default).
	MaxBodySize ByteSize `toml:"max_body_size"`
	// MaxDeliveryAge is how long a failing delivery is retried before it is
	// given up (logged and counted, never silently). Default 24h.
	MaxDeliveryAge Duration `toml:"max_delivery_age"`
	// Instance names this replica in the leader lease (see app/leader.go).
	// Default on SQLite: the host name and a hash of the state file's path,
	// stable across restarts, so a restarted bot resumes its lease at once
	// (a lease whose process is gone from this host is taken at once
	// whatever its name). Default on PostgreSQL: host name, process id and a
	// random suffix, unique per run, so a restarted replica waits for its
	// predecessor's lease to expire. A stable name unique to each replica (a
	// Kubernetes pod name) lets a restarted replica resume its own lease at
	// once; two replicas on different hosts with the same name would both
	// lead.
	Instance string `toml:"instance"`
	// ReportOnResolve posts the post-outage report in an outage's thread
	// once every outage in the thread is over. Default false.
	ReportOnResolve bool `toml:"report_on_resolve"`
	// StormThreshold: when more than this many outages open within
	// StormWindow for one channel, the ones due together are announced in
	// one grouped message instead of a message each. Default 5; 0 turns
	// storm control off.
	StormThreshold int `toml:"storm_threshold"`
	// StormWindow is the span storm control counts openings over. Default
	// 2m.
	StormWindow Duration `toml:"storm_window"`
	// WatchConfig reloads the configuration when its file changes, as
	// SIGHUP and POST /-/reload do. Default false.
	WatchConfig bool `toml:"watch_config"`
	// NetworkDownMinTargets: when at least this many targets are configured
	// and every one fails in the same round without reaching its server
	// (DNS or connect), one notice says the bot's own network looks down
	// instead of announcing an outage of each. Default 2; 0 turns it off.
	NetworkDownMinTargets int `toml:"network_down_min_targets"`
	// Location names where this replica probes from ("eu-west"). Set on
	// every replica of a fleet sharing one PostgreSQL state, it runs each
	// probe from every location and opens an outage when a quorum of them
	// fails (see package fleet). Default "": one location, as before.
	Location string `toml:"location"`
	// Shard divides the vendor feeds and single-location probes among the
	// live replicas instead of leaving them all to the leader. Needs a
	// PostgreSQL state. Default false.
	Shard bool `toml:"shard"`
	// ChatSubscriptions lets Slack and Discord channels subscribe from
	// chat (/status subscribe) to targets, groups and catalog vendors.
	// Default true; false ignores stored subscriptions.
	ChatSubscriptions bool `toml:"chat_subscriptions"`
}

// Slack configures the Slack integration. When the section is present,
// BotToken is required.
type Slack struct {
	// BotToken is the xoxb- token used to post.
	BotToken string `toml:"bot_token"`
	// SigningSecret verifies /slack/commands requests.
	SigningSecret string `toml:"signing_secret"`
	// AppToken (xapp-) turns on Socket Mode for commands.
	AppToken string `toml:"app_token"`
	// APIURL replaces the Web API base, like https://slack.com/api/.
	APIURL string `toml:"api_url"`
	// BroadcastResolved also shows restorations in the channel, not only in
	// the outage's thread.
	BroadcastResolved bool `toml:"broadcast_resolved"`
	// Admins may mute, unmute and acknowledge: user ids (U123) and user
	// group ids (S456). Empty: everyone may.
	Admins []string `toml:"admins"`
}

// Discord configures the Discord integration. When the section is present,
// BotToken is required.
type Discord struct {
	BotToken string `toml:"bot_token"`
	// ApplicationID is the numeric application (snowflake) id.
	ApplicationID string `toml:"application_id"`
	// PublicKey is the hex Ed25519 key that verifies /discord/interactions.
	PublicKey string `toml:"public_key"`
	// GuildID, when set, registers commands in that guild only.
	GuildID string `toml:"guild_id"`
	// APIURL replaces https://discord.com (scheme, host and port).
	APIURL string `toml:"api_url"`
	// AdminRoles may mute, unmute and acknowledge (role ids; members with
	// the Administrator permission always may). Empty: everyone may.
	AdminRoles []string `toml:"admin_roles"`
}

// Channel is a named place that notifications go to. At least one of Slack,
// Discord, Telegram and WebhookURL is set.
type Channel struct {
	Name string `toml:"name"`
	// Slack is a Slack channel ID like C0123456789 (needs [slack]).
	Slack string `toml:"slack"`
	// Discord is a Discord channel id (needs [discord]).
	Discord string `toml:"discord"`
	// WebhookURL is a Slack or Discord incoming webhook.
	WebhookURL string `toml:"webhook_url"`
	// DiscordThreads posts updates in a thread started from the outage's
	// message instead of as replies.
	DiscordThreads bool `toml:"discord_threads"`
	// StatusBoard keeps one pinned message in the Discord channel showing
	// every target routed to it, edited in place (package board).
	StatusBoard bool `toml:"status_board"`
	// Telegram is a Telegram chat id (needs [telegram]); TelegramTopics
	// opens a forum topic per outage there. See telegram.go.
	Telegram       string `toml:"telegram"`
	TelegramTopics bool   `toml:"telegram_topics"`
	// Locale is the language of what the bot writes to this channel:
	// outage messages, digests, command answers (en or de). Default ""
	// ([bot] locale).
	Locale string `toml:"locale"`
	// TitleTemplate and BodyTemplate are Go text/template overrides of an
	// outage message's title and body (fields: package notifier/tmpl).
	// Setting either renders the channel's outage messages from templates.
	TitleTemplate string `toml:"title_template"`
	BodyTemplate  string `toml:"body_template"`
	// Webhook, Teams and PagerDuty are more destinations (destinations.go).
	Webhook   *WebhookDest   `toml:"webhook"`
	Teams     *TeamsDest     `toml:"teams"`
	PagerDuty *PagerDutyDest `toml:"pagerduty"`
	// Mention is who a new outage at or above MentionMinSeverity notifies:
	// on Slack a user group id (S123), @here or @channel; on Discord a role
	// id or @here. Never on updates, edits or restorations.
	Mention string `toml:"mention"`
	// MentionMinSeverity is the least severity that mentions. Default
	// partial_outage.
	MentionMinSeverity string `toml:"mention_min_severity"`
	// Line is where the channel's table starts in the file, for messages.
	Line int `toml:"-"`
}

// Templated reports whether the channel's outage messages are rendered from
// templates: a title or body template is set. A locale alone only picks
// the language of the built-in rendering.
func (ch Channel) Templated() bool {
	return ch.TitleTemplate != "" || ch.BodyTemplate != ""
}

// Target is one watched vendor status page or internal endpoint.
type Target struct {
	Name string `toml:"name"`
	// Vendor names a catalog entry ("github"), which fills in Type, URL and
	// (when empty) Name and Components.
	Vendor string `toml:"vendor"`
	// Type selects the source: statuspage, http, ... (see [Types]).
	Type string `toml:"type"`
	URL  string `toml:"url"`
	// Interval between polls. Default 1m for vendor feeds, 30s for probes.
	Interval Duration `toml:"interval"`
	// Timeout of one poll. Default 10s, or the interval when shorter.
	Timeout Duration `toml:"timeout"`
	// Components filters a vendor's components by name or id.
	Components []string `toml:"components"`
	// Channels the target's notifications go to; empty means all channels.
	Channels []string `toml:"channels"`
	// Group tags the target for routes ("ai", "payments").
	Group string `toml:"group"`

	// FailureThreshold and SuccessThreshold are the consecutive bad and
	// good polls that open and resolve an outage: 1 and 1 for vendor feeds,
	// 3 and 2 for probes by default.
	FailureThreshold int `toml:"failure_threshold"`
	SuccessThreshold int `toml:"success_threshold"`
	// UnreachableThreshold is the consecutive failed polls after which the
	// target is reported unreachable. Default 3.
	UnreachableThreshold int `toml:"unreachable_threshold"`
	// AnnounceExisting announces incidents already open on the first poll.
	// Default true; read it with [Target.Announce].
	AnnounceExisting *bool `toml:"announce_existing"`
	// RemindEvery posts a "still down" reply in an open outage's thread
	// after this long without news (default off).
	RemindEvery Duration `toml:"remind_every"`
	// MaintenanceNotice announces scheduled vendor maintenance this long
	// before it starts (default 1h; "0s" announces it only when it starts).
	MaintenanceNotice Duration `toml:"maintenance_notice"`

	// HTTP probe options.

	// Method is the request method. Default GET.
	Method string `toml:"method"`
	// ExpectStatus lists the healthy status codes; empty means any 2xx or
	// 3xx.
	ExpectStatus []int `toml:"expect_status"`
	// BodyContains, when set, must appear in the response body.
	BodyContains string `toml:"body_contains"`
	// DegradedLatency, when set, marks a slower answer degraded.
	DegradedLatency Duration          `toml:"degraded_latency"`
	Headers         map[string]string `toml:"headers"`
	// FreshConnection makes every probe open a new connection, which proves
	// that new clients can connect, at the price of a handshake per probe.
	FreshConnection bool `toml:"fresh_connection"`
	// BodyRegex must match the body; JSONPath (like "status.indicator" or
	// "checks.0.state") must hold JSONEquals.
	BodyRegex  string `toml:"body_regex"`
	JSONPath   string `toml:"json_path"`
	JSONEquals string `toml:"json_equals"`
	// FollowRedirects says which redirects a feed or an http probe
	// follows: "same-host" (default) only those that keep the URL's
	// scheme, host and port, "any" every one (a probe's headers still go
	// only to its own host), "none" no redirect (a probe's 3xx is then
	// judged by expect_status).
	FollowRedirects Redirects `toml:"follow_redirects"`
	// InsecureSkipVerify turns TLS certificate checks off for this probe.
	InsecureSkipVerify bool `toml:"insecure_skip_verify"`
	// Retries retries a failed check within one poll (probes).
	Retries int `toml:"retries"`

	// Address is what tcp, dns and tlscert probes check: host:port for tcp,
	// host[:port] for tlscert (443 by default), the name to resolve for dns.
	Address string `toml:"address"`
	// DNS probe options.
	RecordType string   `toml:"record_type"`
	Resolver   string   `toml:"resolver"`
	Expect     []string `toml:"expect"`
	// TLS certificate probe options.
	WarnDays   int    `toml:"warn_days"`
	ServerName string `toml:"server_name"`

	// DependsOn names the vendors (other targets) this one relies on, and
	// optionally which of their components: when this target fails while
	// one of them reports trouble, both are told as one story in one
	// thread; when it fails and they report nothing, the outage is marked
	// unconfirmed until they admit it.
	DependsOn []Dependency `toml:"depends_on"`
	// Alternatives are targets that can stand in for this one: its outage
	// messages say which of them work right now.
	Alternatives []string `toml:"alternatives"`

	// Locations are where a probe runs from ([bot] location of the
	// replicas); default every live location. Quorum is how many of them
	// must fail for an outage: default a majority of them.
	Locations []string `toml:"locations"`
	Quorum    int      `toml:"quorum"`

	// Line is where the target's table starts in the file, for messages.
	Line int `toml:"-"`
}

// Dependency is one entry of a target's depends_on.
type Dependency struct {
	// Target is the depended-on target, by name or catalog vendor.
	Target string `toml:"target"`
	// Components limits the dependency to these components, by the name
	// the vendor's page gives them; empty means the whole target.
	Components []string `toml:"components"`
}

// Route sends the outages of matching targets to channels. A target's
// notifications go to its own channels, plus every route that matches it;
// a target with neither goes to all channels.
type Route struct {
	// Targets and Groups match targets by name or group (ignoring case);
	// both empty matches every target.
	Targets []string `toml:"targets"`
	Groups  []string `toml:"groups"`
	// MinSeverity is the least severity that is sent: degraded,
	// partial_outage or major_outage (default: everything).
	MinSeverity string   `toml:"min_severity"`
	Channels    []string `toml:"channels"`
	Line        int      `toml:"-"`
}

// Matches reports whether the route takes target t.
func (r Route) Matches(t Target) bool {
	if len(r.Targets) == 0 && len(r.Groups) == 0 {
		return true
	}
	for _, n := range r.Targets {
		if strings.EqualFold(n, t.Name) {
			return true
		}
	}
	for _, g := range r.Groups {
		if t.Group != "" && strings.EqualFold(g, t.Group) {
			return true
		}
	}
	return false
}

// matchesNameOrGroup reports whether one of refs is t's name or group,
// ignoring case.
func matchesNameOrGroup(refs []string, t Target) bool {
	return slices.ContainsFunc(refs, func(r string) bool {
		return strings.EqualFold(r, t.Name) || t.Group != "" && strings.EqualFold(r, t.Group)
	})
}

// DigestIncludes reports whether digest d covers target t.
func DigestIncludes(d Digest, t Target) bool {
	return len(d.Targets) == 0 || matchesNameOrGroup(d.Targets, t)
}

// Digest is a scheduled summary.
type Digest struct {
	// Schedule is a cron spec (5 fields or a descriptor like @daily),
	// optionally prefixed with CRON_TZ=Zone. See [ParseSchedule].
	Schedule string `toml:"schedule"`
	// Window is the period summarised. Default 24h.
	Window Duration `toml:"window"`
	// Channels the digest goes to; empty means all channels.
	Channels []string `toml:"channels"`
	// SkipIfQuiet leaves out a digest when nothing happened in the window
	// and nothing is down. Default false.
	SkipIfQuiet bool `toml:"skip_if_quiet"`
	// Targets limits the digest to these targets, by name or group
	// (ignoring case); empty means every target.
	Targets []string `toml:"targets"`
	// Timezone is the IANA zone of a schedule without CRON_TZ=, and the
	// zone the digest's times are written in. Default UTC.
	Timezone string `toml:"timezone"`
	// Chart attaches a picture to the digest: uptime per target and its
	// outages on a time axis. Default true.
	Chart *bool `toml:"chart"`
}

// WantsChart reports whether the digest carries a chart.
func (d Digest) WantsChart() bool { return d.Chart == nil || *d.Chart }

// Spec is the digest's schedule with its timezone as a CRON_TZ= prefix.
func (d Digest) Spec() string { return zonedSpec(d.Schedule, d.Timezone) }

// Location is the digest's zone: its timezone key, else the schedule's
// CRON_TZ=, else UTC. The configuration was validated, so the zone exists.
func (d Digest) Location() *time.Location { return specLocation(d.Schedule, d.Timezone) }

// Silence is a configured window in which new outages of some targets are
// not announced, like a mute that nobody has to type: either a cron
// schedule with a duration (a weekly maintenance night) or fixed start and
// end times (a planned migration).
type Silence struct {
	// Schedule is when each window starts: a cron spec like a digest's,
	// optionally after CRON_TZ=Zone.
	Schedule string `toml:"schedule"`
	// Duration is how long each scheduled window lasts.
	Duration Duration `toml:"duration"`
	// Start and End bound a one-off window: RFC 3339 ("2026-12-24T18:00:00Z")
	// or a wall-clock time in Timezone ("2026-12-24 18:00").
	Start string `toml:"start"`
	End   string `toml:"end"`
	// Timezone is the IANA zone of a schedule without CRON_TZ= and of
	// wall-clock start and end times. Default UTC.
	Timezone string `toml:"timezone"`
	// Targets are target names or groups (ignoring case); empty silences
	// every target.
	Targets []string `toml:"targets"`
	// Reason is shown in /status while the window is in force.
	Reason string `toml:"reason"`
}

// Spec is the silence's schedule with its timezone as a CRON_TZ= prefix.
func (s Silence) Spec() string { return zonedSpec(s.Schedule, s.Timezone) }

// Times returns the bounds of a one-off silence. The configuration was
// validated, so they parse.
func (s Silence) Times() (start, end time.Time) {
	loc := specLocation("", s.Timezone)
	start, _ = ParseTime(s.Start, loc)
	end, _ = ParseTime(s.End, loc)
	return start, end
}

// Matches reports whether the silence covers target t.
func (s Silence) Matches(t Target) bool {
	return len(s.Targets) == 0 || matchesNameOrGroup(s.Targets, t)
}

// silenceTimeLayouts are the wall-clock forms of start and end, read in the
// silence's timezone.
var silenceTimeLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"}

// ParseTime reads an RFC 3339 time, or a wall-clock time in loc.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range silenceTimeLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a time", clip(s))
}

// hasZone reports whether a cron spec names its zone itself.
func hasZone(spec string) bool {
	spec = strings.TrimSpace(spec)
	return strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=")
}

func zonedSpec(spec, tz string) string {
	if tz == "" || hasZone(spec) {
		return spec
	}
	return "CRON_TZ=" + tz + " " + strings.TrimSpace(spec)
}

// specLocation is tz, else the zone a spec's CRON_TZ= names, else UTC.
func specLocation(spec, tz string) *time.Location {
	if tz == "" && hasZone(spec) {
		spec = strings.TrimSpace(spec)
		tz, _, _ = strings.Cut(spec[strings.Index(spec, "=")+1:], " ")
	}
	if tz == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Duration is a time.Duration written as a string ("30s", "5m", "1h30m").
type Duration struct{ time.Duration }

// ByteSize is a size written as a string ("5MiB", "512KiB", "1048576").
type ByteSize int64

// Redirects is a target's follow_redirects: RedirectsSameHost,
// RedirectsAny or RedirectsNone. The earlier boolean values still read:
// true as "same-host", false as "none".
type Redirects string

// Redirect policies.
const (
	RedirectsSameHost Redirects = "same-host"
	RedirectsAny      Redirects = "any"
	RedirectsNone     Redirects = "none"
)

// IsProbe reports whether t is an internal probe (http, ...) rather than a
// vendor feed. It is false for an unknown type.
func (t Target) IsProbe() bool {
	return targetTypes[t.Type].probe
}

// Announce reports whether incidents already open on the first poll are
// announced (announce_existing, default true).
func (t Target) Announce() bool {
	return t.AnnounceExisting == nil || *t.AnnounceExisting
}

// Chat reports whether any chat is configured: a [slack], [discord] or
// [telegram] section, or a channel with a webhook_url, webhook, teams or
// pagerduty. Without chat, notifications go to
// the console.
func (c Config) Chat() bool {
	if c.Slack != nil || c.Discord != nil || c.Telegram != nil {
		return true
	}
	for _, ch := range c.Channels {
		if ch.WebhookURL != "" || ch.moreDestinations() {
			return true
		}
	}
	return false
}

// ChannelsFor returns the channels t's notifications go to: those it names,
// or every channel when it names none.
func (c Config) ChannelsFor(t Target) []Channel {
	return c.channelsNamed(t.Channels)
}

// Delivery is a channel a target's outages go to, and the least severity
// that channel hears about ("" for everything).
type Delivery struct {
	Channel     Channel
	MinSeverity string
}

// DeliveriesFor returns where t's notifications go: its own channels (all
// of its outages), plus the channels of every route that matches it (from
// the route's min_severity up). With no [[route]] at all, a target that
// names no channel goes to every channel. A channel reached twice keeps the
// lower threshold.
func (c Config) DeliveriesFor(t Target) []Delivery {
	if len(c.Routes) == 0 {
		var out []Delivery
		for _, ch := range c.ChannelsFor(t) {
			out = append(out, Delivery{Channel: ch})
		}
		return out
	}
	var out []Delivery
	add := func(names []string, min string) {
		if len(names) == 0 {
			return
		}
		for _, ch := range c.channelsNamed(names) {
			i := slices.IndexFunc(out, func(d Delivery) bool { return d.Channel.Name == ch.Name })
			switch {
			case i < 0:
				out = append(out, Delivery{Channel: ch, MinSeverity: min})
			case min == "" || (out[i].MinSeverity != "" && severityRank[min] < severityRank[out[i].MinSeverity]):
				out[i].MinSeverity = min
			}
		}
	}
	add(t.Channels, "")
	for _, r := range c.Routes {
		if r.Matches(t) {
			add(r.Channels, r.MinSeverity)
		}
	}
	return out
}

// severityRank orders the values of min_severity.
var severityRank = map[string]int{"degraded": 2, "partial_outage": 3, "major_outage": 4}

// ChannelsForDigest returns the channels d goes to: those it names, or every
// channel when it names none.
func (c Config) ChannelsForDigest(d Digest) []Channel {
	return c.channelsNamed(d.Channels)
}

func (c Config) channelsNamed(names []string) []Channel {
	if len(names) == 0 {
		return slices.Clone(c.Channels)
	}
	var out []Channel
	for _, ch := range c.Channels {
		if slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, ch.Name) }) {
			out = append(out, ch)
		}
	}
	return out
}

// FindTarget returns the target with the given name, ignoring case (names
// are unique regardless of case).
func (c Config) FindTarget(name string) (Target, bool) {
	for _, t := range c.Targets {
		if strings.EqualFold(t.Name, name) {
			return t, true
		}
	}
	return Target{}, false
}

// ResolveTarget finds a target by name or, failing that, by the catalog
// vendor it was made from ("openai" for a target named "OpenAI").
func (c Config) ResolveTarget(ref string) (Target, bool) {
	if t, ok := c.FindTarget(ref); ok {
		return t, true
	}
	for _, t := range c.Targets {
		if t.Vendor != "" && strings.EqualFold(t.Vendor, ref) {
			return t, true
		}
	}
	return Target{}, false
}

// LocaleOf is the language of what the bot writes to ch: its own locale,
// else [bot] locale.
func (c *Config) LocaleOf(ch Channel) string {
	if ch.Locale != "" {
		return ch.Locale
	}
	return c.Bot.Locale
}
