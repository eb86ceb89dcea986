// Package statusio reads status.io pages through the Public Status API,
// https://api.status.io/1.0/status/<page id>: the overall status, each
// component with its containers (where it is hosted: "Google Compute
// Engine", "US-East"), the active incidents and the active and upcoming
// maintenances, each with its messages.
//
// Each status.io component is one component under its own name; its
// containers, which many components share, only add a Detail when some of
// them are affected and others not. The API lists no completed
// maintenances and no resolved incidents: a maintenance that ends simply
// leaves the list, with no last words to report.
//
// The API's URL is configured as is (status.io's, or a local fake in
// tests); the page's human URL, for links, is an option.
package statusio

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

const acceptJSON = "application/json"

var _ sources.Source = (*Source)(nil)

// Source polls one status.io page.
type Source struct {
	url    string
	page   string
	pageID string
	client *fetch.Client
	now    func() time.Time

	mu   sync.Mutex // Poll is sequential per source; this makes sure
	val  fetch.Validators
	last sources.Observation
	have bool
}

// Option configures a Source.
type Option func(*Source)

// WithNow sets the clock (tests).
func WithNow(now func() time.Time) Option { return func(s *Source) { s.now = now } }

// WithPage sets the status page's own URL (like "https://status.gitlab.com"):
// the observation's Page, and the base of incident links.
func WithPage(url string) Option {
	return func(s *Source) { s.page = strings.TrimRight(url, "/") }
}

// New returns a Source for the Public Status API at url (like
// "https://api.status.io/1.0/status/5b36dc6502d06804c08349f7"). A nil
// client gets a default fetch.Client.
func New(url string, client *fetch.Client, opts ...Option) *Source {
	url = strings.TrimRight(url, "/")
	s := &Source{url: url, pageID: url[strings.LastIndexByte(url, '/')+1:], client: client, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if s.client == nil {
		s.client = fetch.New(fetch.Options{})
	}
	return s
}

// Poll reads the page's status. An unchanged answer costs a conditional
// request and no parsing. The returned observation's slices must not be
// modified.
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
	if notModified {
		obs := s.last
		obs.At = s.now()
		obs.NotModified = true
		return obs, nil
	}
	obs, err := Parse(body, s.page, s.pageID)
	if err != nil {
		return sources.Observation{}, &ParseError{URL: fetch.Redact(s.url), Err: err}
	}
	obs.At = s.now()
	s.val, s.last, s.have = val, obs, true
	return obs, nil
}

// ParseError is a body that was fetched but is not a status.io status.
type ParseError struct {
	URL string
	Err error
}

func (e *ParseError) Error() string { return "GET " + e.URL + ": " + e.Err.Error() }
func (e *ParseError) Unwrap() error { return e.Err }
