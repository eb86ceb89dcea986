package discord

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// defaultTimeout bounds one HTTP call when the caller gives no base client;
// the dispatcher's per-attempt context deadline is normally shorter.
const defaultTimeout = 30 * time.Second

// transport sits between discordgo and the network. It
//
//   - moves every request to the configured API origin (scheme, host, port;
//     paths stay /api/v9/...), because discordgo computes its endpoint
//     variables once at init and they must not be reassigned;
//   - hides Discord's X-RateLimit-* headers from discordgo, whose bucket
//     logic would otherwise time.Sleep before the next request, ignoring the
//     context. Instead the transport remembers an exhausted bucket and fails
//     a request to it at once with a *rateLimited error, so the dispatcher,
//     which owns all waiting and retrying, can schedule it;
//   - tells the caller the status and Retry-After of the answer (through
//     the request context), which discordgo does not keep for a 429 whose
//     body is not JSON.
type transport struct {
	base   http.RoundTripper
	scheme string // empty: leave requests where they are
	host   string
	now    func() time.Time

	mu      sync.Mutex
	blocked map[string]time.Time // bucket key -> until
	global  time.Time
}

func newTransport(base http.RoundTripper, origin *url.URL) *transport {
	if base == nil {
		base = http.DefaultTransport
	}
	t := &transport{base: base, now: time.Now, blocked: map[string]time.Time{}}
	if origin != nil {
		t.scheme, t.host = origin.Scheme, origin.Host
	}
	return t
}

// rateLimited is returned without any request made while Discord's answer to
// an earlier request says its bucket is empty.
type rateLimited struct {
	after time.Duration
}

func (e *rateLimited) Error() string {
	return fmt.Sprintf("rate limit bucket empty for another %s", e.after.Round(time.Millisecond))
}

// callInfo collects what the transport saw of one call's answer.
type callInfo struct {
	status     int
	retryAfter time.Duration // from the Retry-After header
}

type callInfoKey struct{}

// withCallInfo returns a context whose requests report their answer to info.
func withCallInfo(ctx context.Context) (context.Context, *callInfo) {
	info := &callInfo{}
	return context.WithValue(ctx, callInfoKey{}, info), info
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	key := bucketKey(req.Method, req.URL.Path)
	if wait := t.wait(key); wait > 0 {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &rateLimited{after: wait}
	}
	if t.host != "" {
		req = req.Clone(req.Context())
		req.URL.Scheme, req.URL.Host, req.Host = t.scheme, t.host, ""
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	t.observe(key, resp)
	if info, ok := req.Context().Value(callInfoKey{}).(*callInfo); ok {
		info.status = resp.StatusCode
		info.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), t.now())
	}
	return resp, nil
}

// wait is how long a request to key must wait for an empty bucket.
func (t *transport) wait(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	until := t.blocked[key]
	if t.global.After(until) {
		until = t.global
	}
	if !until.After(now) {
		return 0
	}
	return until.Sub(now)
}

// observe records an empty bucket from the rate-limit headers and removes
// them (https://discord.com/developers/docs/topics/rate-limits#header-format).
func (t *transport) observe(key string, resp *http.Response) {
	h := resp.Header
	remaining := h.Get("X-RateLimit-Remaining")
	resetAfter := h.Get("X-RateLimit-Reset-After")
	global := h.Get("X-RateLimit-Global") != "" || h.Get("X-RateLimit-Scope") == "global"
	for _, k := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Reset-After", "X-RateLimit-Global", "X-RateLimit-Bucket", "X-RateLimit-Scope"} {
		h.Del(k)
	}
	var after time.Duration
	if secs, err := strconv.ParseFloat(resetAfter, 64); err == nil && secs > 0 && (remaining == "0" || resp.StatusCode == http.StatusTooManyRequests) {
		after = seconds(secs)
	}
	if resp.StatusCode == http.StatusTooManyRequests && after == 0 {
		after = parseRetryAfter(h.Get("Retry-After"), t.now())
	}
	if after <= 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	until := now.Add(after)
	if global {
		t.global = until
	} else {
		t.blocked[key] = until
	}
	for k, u := range t.blocked {
		if !u.After(now) {
			delete(t.blocked, k)
		}
	}
}

// bucketKey approximates Discord's rate-limit bucket of a request: the route
// with its major parameter (channel, or webhook id and token) kept and other
// ids replaced. Over-grouping only makes the local check more careful.
func bucketKey(method, path string) string {
	if i := strings.Index(path, "/api/"); i >= 0 {
		path = path[i+len("/api/"):]
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) > 0 && len(segs[0]) > 1 && segs[0][0] == 'v' && isSnowflake(segs[0][1:]) {
		segs = segs[1:]
	}
	for i, s := range segs {
		major := i > 0 && (segs[i-1] == "channels" || segs[i-1] == "webhooks") || i > 1 && segs[i-2] == "webhooks"
		if !major && isSnowflake(s) {
			segs[i] = ":id"
		}
	}
	return method + " " + strings.Join(segs, "/")
}

// parseRetryAfter reads a Retry-After header: seconds (Discord sends a
// number, sometimes with a fraction) or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		return seconds(secs)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func seconds(s float64) time.Duration {
	if s <= 0 || math.IsNaN(s) || math.IsInf(s, 0) {
		return 0
	}
	return time.Duration(s * float64(time.Second))
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

// newSession builds a discordgo session for REST calls only (no gateway)
// whose requests go through a transport to origin (nil: Discord itself).
// discordgo's own retrying is switched off: its 429 handling sleeps, its 502
// handling re-posts, and both ignore the context. The dispatcher retries.
func newSession(authorization string, origin *url.URL, base *http.Client) *discordgo.Session {
	return newSessionAt(authorization, origin, base, nil)
}

// newSessionAt is newSession whose memory of exhausted rate-limit buckets
// runs on now (nil: the wall clock), so that the waits Discord asks for
// pass with the dispatcher's clock.
func newSessionAt(authorization string, origin *url.URL, base *http.Client, now func() time.Time) *discordgo.Session {
	// discordgo.New only fills in a struct; it makes no network call.
	s, _ := discordgo.New(authorization)
	s.StateEnabled = false
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 0
	// discordgo logs through the standard library logger; everything it
	// would say comes back as an error that we classify and the dispatcher
	// logs once.
	s.LogLevel = -1
	client := &http.Client{Timeout: defaultTimeout}
	if base != nil {
		c := *base
		client = &c
	}
	tr := newTransport(client.Transport, origin)
	if now != nil {
		tr.now = now
	}
	client.Transport = tr
	s.Client = client
	return s
}

// parseAPIURL checks api_url: scheme, host and optional port, no path.
// CheckAPIURL says what is wrong with a [discord] api_url, if anything:
// it replaces Discord's scheme, host and port, and the paths stay
// /api/v9/...; config checks it with the same rule the client applies.
func CheckAPIURL(raw string) error {
	_, err := parseAPIURL(raw)
	return err
}

func parseAPIURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, errors.New("discord api_url must be scheme://host[:port] with no path, like https://discord.com (paths stay /api/v9/...)")
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}
