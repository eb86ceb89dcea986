// Package webhookurl tells which chat platform a channel's webhook_url
// belongs to, and takes a Discord webhook URL apart. It is the one place
// that knows the URL forms, for the configuration check, the routing of
// deliveries and the Discord notifier alike.
//
// A webhook URL is a secret (its token posts to the channel): nothing here
// puts one in an error, and Redacted is the form to show.
package webhookurl

import (
	"errors"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// Platforms a webhook URL can belong to.
const (
	Slack   = "slack"
	Discord = "discord"
)

// URL is a parsed webhook URL.
type URL struct {
	// Platform is Slack or Discord.
	Platform string
	// Scheme and Host are where requests go (a local fake in tests).
	Scheme, Host string
	// Discord only: the webhook's id and token, the thread or forum post
	// to post in (?thread_id=), the API version in the path ("v10", or
	// "" for none), and the compatibility suffix ("slack" or "github")
	// the URL had. outagebot always posts Discord's own JSON, to the
	// URL without the suffix.
	ID, Token, ThreadID, Version, Suffix string

	redacted string
}

// discordPath is Discord's Execute Webhook path, with or without an API
// version, optionally ending in the Slack- or GitHub-compatible suffix
// (https://discord.com/developers/docs/resources/webhook#execute-webhook).
// No Slack webhook path looks like it, so it decides on any host.
var discordPath = regexp.MustCompile(`^/api(?:/(v[0-9]{1,3}))?/webhooks/([0-9]{1,20})/([A-Za-z0-9_.\-]{1,200})(?:/(slack|github))?/?$`)

// discordHosts are Discord's web hosts; the ptb. and canary. clients hand
// out webhook URLs on their own host.
var discordHosts = map[string]bool{
	"discord.com": true, "discordapp.com": true,
	"ptb.discord.com": true, "ptb.discordapp.com": true,
	"canary.discord.com": true, "canary.discordapp.com": true,
	"www.discord.com": true, "www.discordapp.com": true,
}

// ChatHost reports whether host (a URL's Hostname) hands out Slack's or
// Discord's incoming webhooks: a URL there pasted where another service's
// belongs (a Teams workflow's) is a mistake to name.
func ChatHost(host string) bool {
	host = strings.ToLower(host)
	return host == "hooks.slack.com" || discordHosts[host]
}

// Loopback reports whether host (a URL's Hostname) is this machine, where
// plain http is allowed (tests, a local relay).
func Loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

const wantDiscord = "a Discord webhook URL looks like https://discord.com/api/webhooks/{id}/{token}"

// Parse classifies rawURL. A URL with Discord's webhook path, on any host,
// is Discord's; any other URL on a Discord host is an error (it cannot be
// posted to); everything else is taken for a Slack incoming webhook, which
// is what hooks.slack.com hands out and what outagebot assumed before
// Discord webhooks were known.
func Parse(rawURL string) (URL, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		// url.Error repeats the URL: do not wrap it.
		return URL{}, errors.New("does not parse as a URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.User != nil {
		return URL{}, errors.New("must be an http(s) URL with a host and no user")
	}
	out := URL{Scheme: u.Scheme, Host: u.Host}
	host := strings.ToLower(u.Hostname())
	m := discordPath.FindStringSubmatch(u.Path)
	if m == nil {
		if discordHosts[host] {
			return URL{}, errors.New("is a Discord URL but not a webhook's; " + wantDiscord)
		}
		out.Platform = Slack
		out.redacted = redactSlack(u)
		return out, nil
	}
	out.Platform = Discord
	out.Version, out.ID, out.Token, out.Suffix = m[1], m[2], m[3], m[4]
	out.ThreadID = u.Query().Get("thread_id")
	if out.ThreadID != "" && !isSnowflake(out.ThreadID) {
		return URL{}, errors.New("has a thread_id that is not a Discord channel id")
	}
	out.redacted = redactDiscord(out)
	return out, nil
}

// PlatformName is the platform's name for people: "Slack" or "Discord".
func (u URL) PlatformName() string {
	if u.Platform == Discord {
		return "Discord"
	}
	return "Slack"
}

// Redacted is the URL with its secret part replaced, to show.
func (u URL) Redacted() string { return u.redacted }

func redactDiscord(u URL) string {
	s := u.Scheme + "://" + u.Host + "/api/"
	if u.Version != "" {
		s += u.Version + "/"
	}
	s += "webhooks/" + u.ID + "/[redacted]"
	if u.Suffix != "" {
		s += "/" + u.Suffix
	}
	if u.ThreadID != "" {
		s += "?thread_id=" + u.ThreadID
	}
	return s
}

// redactSlack keeps the workspace and app ids of a
// /services/T.../B.../secret URL, which help tell webhooks apart, and
// nothing of any other path or the query.
func redactSlack(u *url.URL) string {
	s := u.Scheme + "://" + u.Host
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) == 4 && parts[0] == "services" {
		return s + "/services/" + parts[1] + "/" + parts[2] + "/[redacted]"
	}
	return s + "/[redacted]"
}

func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
