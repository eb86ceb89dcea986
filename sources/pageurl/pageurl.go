// Package pageurl turns the url a feed target is configured with into the
// URL its source is built from. Users copy whatever address they have at
// hand: the page itself (https://status.openai.com), one of its API
// documents (.../api/v2/summary.json), an RSS link, a URL with a tracking
// query. Each source type builds its endpoints from the page's base URL, so
// a document URL must lose its document part first, or the source polls
// .../summary.json/api/v2/summary.json.
//
// Normalize knows, per type, the paths its vendor serves (confirmed against
// the vendors' public APIs) and cuts them off, keeping any path prefix of a
// page hosted under a path. The query and the fragment are dropped for
// types whose source builds endpoints from a base: none of those vendor
// APIs takes a query (private Statuspage and Cachet pages authenticate with
// a header), and a base URL also becomes the root of the incident links
// posted to chat, where a query could carry a secret. A feed URL is the
// document itself and is kept as it is.
package pageurl

import (
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/outagebot/outagebot/sources/fetch"
)

// StatusioAPI is status.io's Public Status API, which serves every
// status.io page by its id.
const StatusioAPI = "https://api.status.io/1.0/status/"

// Result is what a configured url normalises to.
type Result struct {
	// Type is the source type the url was normalised for.
	Type string
	// URL is what the source is built from: the page's base URL for most
	// types, the document itself for feed and statusio.
	URL string
	// Page is the page's own URL when it differs from URL and the source
	// wants it for links (statusio configured with a page URL); else "".
	Page string
	// From is the url as configured.
	From string
	// DroppedQuery is set when the configured url had a query that the
	// source does not send.
	DroppedQuery bool
}

// Changed reports whether the source uses another URL than the one
// configured.
func (r Result) Changed() bool { return r.URL != r.From }

// Error is a url that cannot be used for its type. Msg does not quote the
// url, so that config problems can name the key and line instead.
type Error struct {
	// URL is the configured url with its secrets redacted.
	URL string
	Msg string
}

func (e *Error) Error() string { return "url " + strconv.Quote(e.URL) + ": " + e.Msg }

// ErrUnknownType is returned for a type that has no url to normalise
// (probes, auto, or a type outagebot does not know).
var ErrUnknownType = errors.New("no url normalisation for this type")

// rules say which trailing parts of a path are a vendor's documents rather
// than the page. Segments compare case-insensitively.
type rules struct {
	// cut: where these segments appear in a row, they and everything after
	// them are the API (like api/v2 in /api/v2/incidents/abc.json).
	cut [][]string
	// suffix: these segments at the very end are a document.
	suffix [][]string
}

func segs(paths ...string) [][]string {
	out := make([][]string, len(paths))
	for i, p := range paths {
		out[i] = strings.Split(strings.Trim(p, "/"), "/")
	}
	return out
}

// Statuspage's public v2 API (summary, status, components, incidents,
// incidents/unresolved, scheduled-maintenances and its upcoming and active
// lists, one incident by id) lives under /api/v2; /api is the page that
// documents it, and /history.rss and /history.atom are its feeds.
var statuspageRules = rules{
	cut:    segs("/api/v2"),
	suffix: segs("/api", "/history", "/history.rss", "/history.atom"),
}

var byType = map[string]rules{
	"statuspage": statuspageRules,
	// incident.io serves a Statuspage-compatible /api/v2, its widget API at
	// /api/v1/summary, the page's own data under /proxy/<host>/... and
	// feeds at /feed.rss, /feed.atom and /history.atom.
	"incidentio": {
		cut:    append(segs("/api/v1", "/proxy"), statuspageRules.cut...),
		suffix: append(segs("/feed.rss", "/feed.atom"), statuspageRules.suffix...),
	},
	// Slack: /api/v2.0.0/current and /api/v2.0.0/history (and the retired
	// /api/v1.0.0/...); /feed/rss and /feed/atom.
	"slackstatus": {cut: segs("/api", "/feed")},
	// Google's dashboards: /incidents.json (what is polled), /products.json,
	// /incidents.schema.json, /feed.atom (also under /en), /summary and
	// /incidents/<id>.
	"gcp": {
		cut:    segs("/incidents"),
		suffix: segs("/incidents.json", "/products.json", "/incidents.schema.json", "/en/feed.atom", "/feed.atom", "/summary"),
	},
	// Instatus: /summary.json, /v3/components.json (older pages
	// /v2/components.json), /history.rss and /history.atom.
	"instatus": {
		suffix: segs("/summary.json", "/v3/components.json", "/v2/components.json", "/history", "/history.rss", "/history.atom"),
	},
	// Better Stack: the JSON:API document /index.json.
	"betterstack": {suffix: segs("/index.json")},
	// The AWS Health Dashboard: the page /health/status (and the console's
	// /health/home), the event list /public/currentevents. Suffixes, not
	// cuts: "public" and "health" are too common in other pages' paths.
	"awshealth": {suffix: segs("/public/currentevents", "/health/status", "/health/home")},
	// Cachet: everything under /api/v1 (components, components/groups,
	// incidents, schedules, ping, version), the /rss and /atom feeds and
	// the /incidents/<id> and /schedules/<id> pages.
	"cachet": {
		cut:    segs("/api/v1", "/rss", "/atom", "/incidents", "/schedules"),
		suffix: segs("/api"),
	},
}

// Types are the types Normalize knows, sorted.
func Types() []string {
	out := []string{"feed", "statusio"}
	for t := range byType {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// Handles reports whether typ has a url that Normalize knows.
func Handles(typ string) bool {
	_, ok := byType[typ]
	return ok || typ == "feed" || typ == "statusio"
}

// Normalize returns the URL the source of type typ is built from when it is
// configured with raw. Every error is an *Error, or ErrUnknownType.
func Normalize(typ, raw string) (Result, error) {
	if !Handles(typ) {
		return Result{}, ErrUnknownType
	}
	u, err := parse(raw)
	if err != nil {
		return Result{}, err
	}
	res := Result{Type: typ, From: raw}
	switch typ {
	case "feed":
		// The feed is the document: a query may be what selects it (or
		// authorises it), so the url is used exactly as written.
		res.URL = raw
		return res, nil
	case "statusio":
		return statusio(u, res)
	}
	res.DroppedQuery = u.RawQuery != "" || u.ForceQuery
	res.URL = stripped(u, byType[typ])
	return res, nil
}

// Base is a url's page base under any type's rules: what type = "auto"
// probes the well-known endpoints under.
func Base(raw string) (string, error) {
	u, err := parse(raw)
	if err != nil {
		return "", err
	}
	var all rules
	for _, typ := range Types() {
		r := byType[typ]
		all.cut = append(all.cut, r.cut...)
		all.suffix = append(all.suffix, r.suffix...)
	}
	// Longer suffixes first, so that /en/feed.atom goes whole.
	slices.SortStableFunc(all.suffix, func(a, b []string) int { return len(b) - len(a) })
	return stripped(u, all), nil
}

// Join returns base with path appended to its path, keeping base's query
// after the path where it belongs.
func Join(base, path string) string {
	u, err := url.Parse(base)
	if err != nil {
		return strings.TrimRight(base, "/") + path
	}
	return u.JoinPath(path).String()
}

// Display is raw as it may be printed: fetch.Redact's form, which hides
// credentials, every query value and token-like path segments.
func Display(raw string) string { return fetch.Redact(raw) }

// parse checks that raw is an absolute http(s) URL with a host, and
// returns it with the scheme and host in lower case.
func parse(raw string) (*url.URL, error) {
	fail := func(msg string) error { return &Error{URL: Display(raw), Msg: msg} }
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fail("is not a URL: " + urlErr(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fail("must start with https:// or http://, like https://status.example.com")
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fail("has no host, like https://status.example.com")
	}
	u.Host = strings.ToLower(u.Host)
	return u, nil
}

// urlErr is a url.Parse error without its repetition of the (unredacted)
// url.
func urlErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// stripped is u's base under r: no query, fragment or trailing slash, and
// the path cut before the first of r's API parts.
func stripped(u *url.URL, r rules) string {
	parts := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	if len(parts) == 1 && parts[0] == "" {
		parts = nil
	}
	n := len(parts)
	for _, c := range r.cut {
		if i := find(parts, c); i >= 0 && i < n {
			n = i
		}
	}
	parts = parts[:n]
	for _, s := range r.suffix {
		if len(s) <= len(parts) && equalFold(parts[len(parts)-len(s):], s) {
			parts = parts[:len(parts)-len(s)]
			break
		}
	}
	out := url.URL{Scheme: u.Scheme, User: u.User, Host: u.Host}
	if len(parts) > 0 {
		esc := "/" + strings.Join(parts, "/")
		p, err := url.PathUnescape(esc)
		if err != nil {
			p = esc
		}
		out.Path, out.RawPath = p, esc
	}
	return out.String()
}

// find is the index of the first run of segs in parts, or -1.
func find(parts, segs []string) int {
	for i := 0; i+len(segs) <= len(parts); i++ {
		if equalFold(parts[i:i+len(segs)], segs) {
			return i
		}
	}
	return -1
}

func equalFold(a, b []string) bool {
	return slices.EqualFunc(a, b, strings.EqualFold)
}

// statusioID is a status.io page id (a 24-digit hex object id).
var statusioID = regexp.MustCompile(`^[0-9a-fA-F]{24}$`)

// statusio takes the Public Status API URL (<api>/1.0/status/<id>) as it
// is, and turns a page URL that names the page's id (/pages/history/<id>,
// /pages/incident/<id>/<incident>, /pages/maintenance/<id>/<maintenance>,
// /pages/<id>/rss) into the API URL, keeping the page for links. A page's
// bare address does not say which page it is.
func statusio(u *url.URL, res Result) (Result, error) {
	parts := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	if i := find(parts, []string{"1.0", "status"}); i >= 0 && i+3 == len(parts) && parts[i+2] != "" {
		res.DroppedQuery = u.RawQuery != "" || u.ForceQuery
		res.URL = (&url.URL{Scheme: u.Scheme, User: u.User, Host: u.Host, Path: "/" + strings.Join(unescaped(parts), "/")}).String()
		return res, nil
	}
	if i := find(parts, []string{"pages"}); i >= 0 {
		var id string
		rest := parts[i+1:]
		switch {
		case len(rest) >= 2 && slices.ContainsFunc([]string{"history", "incident", "maintenance"}, func(s string) bool { return strings.EqualFold(s, rest[0]) }):
			id = rest[1]
		case len(rest) >= 1:
			id = rest[0]
		}
		if statusioID.MatchString(id) {
			page := url.URL{Scheme: u.Scheme, Host: u.Host}
			if i > 0 {
				page.Path = "/" + strings.Join(unescaped(parts[:i]), "/")
			}
			res.DroppedQuery = u.RawQuery != "" || u.ForceQuery
			res.URL = StatusioAPI + id
			res.Page = page.String()
			return res, nil
		}
	}
	return Result{}, &Error{URL: Display(res.From), Msg: "does not say which status.io page it is: use the page's Public Status API URL, " +
		StatusioAPI + "<page id>, or its history page, <page>/pages/history/<page id> (the id is in the page's links)"}
}

func unescaped(parts []string) []string {
	out := make([]string, len(parts))
	for i, p := range parts {
		if s, err := url.PathUnescape(p); err == nil {
			out[i] = s
		} else {
			out[i] = p
		}
	}
	return out
}
