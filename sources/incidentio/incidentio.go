// Package incidentio reads incident.io status pages (status.openai.com,
// linearstatus.com and many more).
//
// incident.io pages serve two public JSON documents:
//
//   - a Statuspage-compatible API, <page>/api/v2/summary.json (with
//     incidents.json beside it), read here by package statuspage: it has
//     every component and each incident's full update history;
//   - the "widget API", <page>/api/v1/summary, which the page's owner may
//     switch on: ongoing incidents, in-progress and scheduled maintenances,
//     each with its last update and affected components only.
//
// A Source tries the Statuspage-compatible API first and falls back to the
// widget API when that answers 404, an HTML page or a body that is not a
// Statuspage summary. It remembers which worked, and probes again only if
// that endpoint later disappears (404).
package incidentio

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
	"github.com/outagebot/outagebot/sources/statuspage"
)

// Endpoint names the API a Source reads.
type Endpoint int

// Endpoints.
const (
	// Unknown: not probed yet (or the last endpoint disappeared).
	Unknown Endpoint = iota
	// StatuspageCompat is <page>/api/v2/summary.json.
	StatuspageCompat
	// Widget is <page>/api/v1/summary.
	Widget
)

func (e Endpoint) String() string {
	switch e {
	case StatuspageCompat:
		return "statuspage"
	case Widget:
		return "widget"
	}
	return "unknown"
}

const acceptJSON = "application/json"

var _ sources.Source = (*Source)(nil)

// Source polls one incident.io status page.
type Source struct {
	base      string
	widgetURL string
	client    *fetch.Client
	now       func() time.Time
	sp        *statuspage.Source

	mu        sync.Mutex // Poll is sequential per source; this makes sure
	endpoint  Endpoint
	widgetVal fetch.Validators
	last      sources.Observation // last widget observation
	haveLast  bool
}

// Option configures a Source.
type Option func(*Source)

// WithNow sets the clock (tests).
func WithNow(now func() time.Time) Option { return func(s *Source) { s.now = now } }

// New returns a Source for the page at baseURL (like
// "https://status.openai.com"). A nil client gets a default fetch.Client.
func New(baseURL string, client *fetch.Client, opts ...Option) *Source {
	base := strings.TrimRight(baseURL, "/")
	s := &Source{base: base, widgetURL: base + "/api/v1/summary", client: client, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if s.client == nil {
		s.client = fetch.New(fetch.Options{})
	}
	s.sp = statuspage.New(base, s.client, statuspage.WithNow(func() time.Time { return s.now() }))
	return s
}

// Endpoint reports which API the Source reads (Unknown before the first
// successful poll).
func (s *Source) Endpoint() Endpoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.endpoint
}

// Poll reads the page through the endpoint that worked last, or finds one.
// An unchanged document costs one conditional request and no parsing. The
// returned observation's slices must not be modified.
func (s *Source) Poll(ctx context.Context) (sources.Observation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	switch s.endpoint {
	case StatuspageCompat:
		obs, err := s.sp.Poll(ctx)
		if isGone(err) {
			s.endpoint = Unknown
		}
		return obs, err
	case Widget:
		obs, err := s.pollWidget(ctx)
		if isGone(err) {
			s.endpoint = Unknown
		}
		return obs, err
	}

	obs, err := s.sp.Poll(ctx)
	if err == nil {
		s.endpoint = StatuspageCompat
		return obs, nil
	}
	if !tryWidget(err) || ctx.Err() != nil {
		return sources.Observation{}, err
	}
	obs, werr := s.pollWidget(ctx)
	if werr != nil {
		return sources.Observation{}, &ProbeError{Statuspage: err, Widget: werr}
	}
	s.endpoint = Widget
	return obs, nil
}

func (s *Source) pollWidget(ctx context.Context) (sources.Observation, error) {
	val := s.widgetVal
	if !s.haveLast {
		val = fetch.Validators{}
	}
	body, notModified, err := s.client.Get(ctx, s.widgetURL, &val, acceptJSON)
	if err != nil {
		return sources.Observation{}, err
	}
	if notModified {
		obs := s.last
		obs.At = s.now()
		obs.NotModified = true
		return obs, nil
	}
	obs, err := ParseWidget(body, s.base)
	if err != nil {
		return sources.Observation{}, &ParseError{URL: fetch.Redact(s.widgetURL), Err: err}
	}
	obs.At = s.now()
	s.widgetVal, s.last, s.haveLast = val, obs, true
	return obs, nil
}

// isGone reports whether err says the endpoint is not there (any more).
func isGone(err error) bool {
	var fe *fetch.Error
	return errors.As(err, &fe) && (fe.StatusCode == http.StatusNotFound || fe.StatusCode == http.StatusGone)
}

// tryWidget reports whether the Statuspage-compatible API's failure means
// the page may not have it, rather than that the page is unreachable.
func tryWidget(err error) bool {
	var pe *statuspage.ParseError
	return isGone(err) || errors.Is(err, fetch.ErrHTML) || errors.As(err, &pe)
}

// ProbeError is a first poll on which neither API worked.
type ProbeError struct {
	Statuspage error // from <page>/api/v2/summary.json
	Widget     error // from <page>/api/v1/summary
}

func (e *ProbeError) Error() string {
	return "no incident.io API answered: " + e.Statuspage.Error() + "; " + e.Widget.Error()
}

// Unwrap returns both causes, for errors.Is and errors.As.
func (e *ProbeError) Unwrap() []error { return []error{e.Statuspage, e.Widget} }

// ParseError is a body that was fetched but is not a widget API summary.
type ParseError struct {
	URL string
	Err error
}

func (e *ParseError) Error() string { return "GET " + e.URL + ": " + e.Err.Error() }
func (e *ParseError) Unwrap() error { return e.Err }
