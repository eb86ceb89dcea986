// Package betterstack reads Better Stack (formerly Better Uptime) status
// pages through their public JSON:API document, <page>/index.json: the page,
// its sections and resources (monitors, with a current status) and its
// recent status reports with their updates.
//
// Better Stack has no incident phases: an unresolved report is
// "investigating" until it is resolved. Reports of type "maintenance" are
// maintenances, scheduled or in progress by their window.
package betterstack

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

// RecentlyResolved is how long a resolved report is still reported, so that
// the engine sees it resolve with the vendor's last words.
const RecentlyResolved = 7 * 24 * time.Hour

const acceptJSON = "application/vnd.api+json, application/json"

var _ sources.Source = (*Source)(nil)

// Source polls one Better Stack status page.
type Source struct {
	base   string
	url    string
	client *fetch.Client
	now    func() time.Time
	window time.Duration

	mu   sync.Mutex // Poll is sequential per source; this makes sure
	val  fetch.Validators
	doc  *parsed // last parse, evaluated against the clock on every poll
	have bool
}

// Option configures a Source.
type Option func(*Source)

// WithNow sets the clock (tests).
func WithNow(now func() time.Time) Option { return func(s *Source) { s.now = now } }

// WithWindow sets how long resolved reports are reported (RecentlyResolved
// when 0 or less).
func WithWindow(d time.Duration) Option { return func(s *Source) { s.window = d } }

// New returns a Source for the status page at baseURL (like
// "https://status.example.com" or "https://example.betteruptime.com"); a URL
// ending in /index.json is taken as is. A nil client gets a default
// fetch.Client.
func New(baseURL string, client *fetch.Client, opts ...Option) *Source {
	base := strings.TrimRight(baseURL, "/")
	url := base + "/index.json"
	if strings.HasSuffix(base, "/index.json") {
		url, base = base, strings.TrimSuffix(base, "/index.json")
	}
	s := &Source{base: base, url: url, client: client, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if s.client == nil {
		s.client = fetch.New(fetch.Options{})
	}
	if s.window <= 0 {
		s.window = RecentlyResolved
	}
	return s
}

// Poll reads the page. When index.json has not changed since the last poll
// the previous parse is reused (no parsing) and NotModified is set; which
// maintenances are upcoming or in progress, and which resolved reports are
// still recent, follows the clock all the same. The returned observation's
// slices must not be modified.
func (s *Source) Poll(ctx context.Context) (sources.Observation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	val := s.val
	if !s.have {
		val = fetch.Validators{}
	}
	body, notModified, err := s.client.Get(ctx, s.url, &val, acceptJSON)
	if err != nil {
		return sources.Observation{}, err
	}
	now := s.now()
	if notModified {
		obs := s.doc.observation(now, s.window)
		obs.At = now
		obs.NotModified = true
		return obs, nil
	}
	doc, err := parse(body, s.base)
	if err != nil {
		return sources.Observation{}, &ParseError{URL: fetch.Redact(s.url), Err: err}
	}
	s.val, s.doc, s.have = val, doc, true
	obs := doc.observation(now, s.window)
	obs.At = now
	return obs, nil
}

// ParseError is a body that was fetched but is not a Better Stack page.
type ParseError struct {
	URL string
	Err error
}

func (e *ParseError) Error() string { return "GET " + e.URL + ": " + e.Err.Error() }
func (e *ParseError) Unwrap() error { return e.Err }
