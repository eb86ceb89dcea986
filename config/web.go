package config

import (
	"fmt"
	"github.com/outagebot/outagebot/i18n"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// Web configures the status page, the HTTP API and the badges, served on
// [bot] listen.
type Web struct {
	// Enabled serves them. Default true when [bot] listen is set.
	Enabled bool `toml:"enabled"`
	// Title heads the page. Default "Status".
	Title string `toml:"title"`
	// Targets and Groups choose the targets shown, by name and by group
	// (ignoring case); both empty shows every target.
	Targets []string `toml:"targets"`
	Groups  []string `toml:"groups"`
	// BaseURL is where users reach the pages, like
	// "https://status.example.com"; when set, outage messages in chat link
	// to <base_url>/outages/<id>.
	BaseURL string `toml:"base_url"`
	// Locale is the pages' language: en or de. Default: [bot] locale.
	Locale string `toml:"locale"`
	// BasicAuthUsers, when set, protects the pages, the API and the
	// badges with HTTP Basic authentication: user name to bcrypt hash.
	BasicAuthUsers map[string]string `toml:"basic_auth_users"`
	// Token, when set, protects them with a bearer token (Authorization:
	// Bearer <token>).
	Token string `toml:"token"`
	// PublicBadges serves the badges without protection.
	PublicBadges bool `toml:"public_badges"`
}

// Web defaults.
const (
	DefaultWebTitle = "Status"
	// MinWebToken is the shortest bearer token accepted.
	MinWebToken = 16
)

// Protected reports whether the pages need credentials.
func (w Web) Protected() bool { return len(w.BasicAuthUsers) > 0 || w.Token != "" }

// Shows reports whether the pages show t.
func (w Web) Shows(t Target) bool {
	if len(w.Targets) == 0 && len(w.Groups) == 0 {
		return true
	}
	for _, n := range w.Targets {
		if strings.EqualFold(n, t.Name) {
			return true
		}
	}
	for _, g := range w.Groups {
		if t.Group != "" && strings.EqualFold(g, t.Group) {
			return true
		}
	}
	return false
}

// OutageURL is the page of an outage, or "" without base_url.
func (w Web) OutageURL(id string) string {
	if w.BaseURL == "" || id == "" {
		return ""
	}
	return strings.TrimRight(w.BaseURL, "/") + "/outages/" + url.PathEscape(id)
}

func applyWebDefaults(cfg *Config, has func(path ...string) bool) {
	w := &cfg.Web
	if !has("web", "enabled") {
		w.Enabled = cfg.Bot.Listen != ""
	}
	if !has("web", "title") {
		w.Title = DefaultWebTitle
	}
	if !has("web", "locale") {
		// A bad [bot] locale is reported once, there.
		w.Locale = i18n.Default
		if i18n.Known(cfg.Bot.Locale) {
			w.Locale = cfg.Bot.Locale
		}
	}
}

// validateWeb checks [web]. It never quotes a password hash or the token.
func validateWeb(cfg *Config, c *collector) {
	w := cfg.Web
	at := func(parts ...string) []string { return append([]string{"web"}, parts...) }
	if w.Enabled && cfg.Bot.Listen == "" {
		c.add(at("enabled"), "needs [bot] listen: the pages, the API and the badges are served there (set listen, or enabled = false)")
	}
	if strings.TrimSpace(w.Title) == "" {
		c.add(at("title"), "must not be empty")
	}
	for i, name := range w.Targets {
		if _, ok := cfg.FindTarget(name); !ok {
			c.add(at("targets", fmt.Sprint(i+1)), fmt.Sprintf("no target is called %q", clip(name)))
		}
	}
	for i, g := range w.Groups {
		if !slices.ContainsFunc(cfg.Targets, func(t Target) bool { return t.Group != "" && strings.EqualFold(t.Group, g) }) {
			c.add(at("groups", fmt.Sprint(i+1)), fmt.Sprintf("no target has group %q", clip(g)))
		}
	}
	if w.BaseURL != "" {
		u, err := url.Parse(w.BaseURL)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			c.add(at("base_url"), "must be an absolute http:// or https:// URL, like \"https://status.example.com\"")
		case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
			c.add(at("base_url"), "must have no user, query or fragment: outage links are <base_url>/outages/<id>")
		}
	}
	if !i18n.Known(w.Locale) {
		c.add(at("locale"), "must be one of "+strings.Join(i18n.Languages, ", "))
	}
	users := make([]string, 0, len(w.BasicAuthUsers))
	for u := range w.BasicAuthUsers {
		users = append(users, u)
	}
	slices.Sort(users)
	for _, u := range users {
		switch {
		case u == "" || strings.Contains(u, ":"):
			c.add(at("basic_auth_users"), "user names must be non-empty and contain no ':'")
		case !isBcrypt(w.BasicAuthUsers[u]):
			c.add(at("basic_auth_users", u), fmt.Sprintf("user %q: must be a bcrypt hash (starting $2a$, $2b$ or $2y$, like the output of htpasswd -nbB %s PASSWORD), never a plain password", clip(u), clip(u)))
		}
	}
	if w.Token != "" && len(w.Token) < MinWebToken {
		c.add(at("token"), fmt.Sprintf("must be at least %d characters (a long random string, like the output of openssl rand -hex 32)", MinWebToken))
	}
	if w.PublicBadges && !w.Protected() {
		c.add(at("public_badges"), "has no effect: nothing is protected (set basic_auth_users or token, or remove it)")
	}
}

func isBcrypt(h string) bool {
	_, err := bcrypt.Cost([]byte(h))
	return err == nil
}
