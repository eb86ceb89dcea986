// Package gcp reads the Google Cloud status dashboard's incident history,
// https://status.cloud.google.com/incidents.json: one JSON array of every
// recent incident, open or closed. The Google Workspace dashboard
// (https://www.google.com/appsstatus/dashboard/incidents.json) serves the
// same format and works too.
//
// The feed is history, not state: an incident is open while it has no "end".
// Components are the products named by open and recently resolved
// incidents, since the feed lists no others.
package gcp

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

// DefaultURL is Google Cloud's incident feed.
const DefaultURL = "https://status.cloud.google.com/incidents.json"

// RecentlyResolved is how long an ended incident is still reported, so that
// the engine sees it resolve with Google's last words.
const RecentlyResolved = 7 * 24 * time.Hour

const acceptJSON = "application/json"

var _ sources.Source = (*Source)(nil)

// Source polls one Google status dashboard.
type Source struct {
	url    string
	base   string
	client *fetch.Client
	now    func() time.Time
	window time.Duration

	mu   sync.Mutex // Poll is sequential per source; this makes sure
	val  fetch.Validators
	doc  *parsed // last parse, filtered by window on every poll
	have bool
}

// Option configures a Source.
type Option func(*Source)

// WithNow sets the clock (tests).
func WithNow(now func() time.Time) Option { return func(s *Source) { s.now = now } }

// WithWindow sets how long ended incidents are reported (RecentlyResolved
// when 0 or less).
func WithWindow(d time.Duration) Option { return func(s *Source) { s.window = d } }

// New returns a Source for url: the dashboard ("https://status.cloud.google.com")
// or its feed (".../incidents.json"). An empty url is DefaultURL. A nil client
// gets a default fetch.Client.
func New(url string, client *fetch.Client, opts ...Option) *Source {
	if url == "" {
		url = DefaultURL
	}
	feedURL, base := resolve(url)
	s := &Source{url: feedURL, base: base, client: client, now: time.Now}
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

// resolve splits what the user configured into the feed's URL and the
// dashboard's base URL, against which incident links ("incidents/abc") are
// resolved.
func resolve(url string) (feedURL, base string) {
	u := strings.TrimRight(url, "/")
	if strings.HasSuffix(strings.ToLower(u), ".json") {
		return u, u[:strings.LastIndexByte(u, '/')]
	}
	return u + "/incidents.json", u
}

// Poll reads the feed. When it has not changed since the last poll the
// previous parse is reused (no parsing) and NotModified is set; the window
// of recently resolved incidents still moves with the clock. The returned
// observation's slices must not be modified.
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

// ParseError is a body that was fetched but is not a Google incident feed.
type ParseError struct {
	URL string
	Err error
}

func (e *ParseError) Error() string { return "GET " + e.URL + ": " + e.Err.Error() }
func (e *ParseError) Unwrap() error { return e.Err }
