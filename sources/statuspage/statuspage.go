// Package statuspage reads Atlassian Statuspage pages (status.openai.com,
// www.githubstatus.com and thousands more) through their public v2 API.
//
// A poll costs one conditional request for summary.json; only when the
// summary changed does it parse it and also read incidents.json, to carry
// the vendor's final words on incidents that have just left the summary.
package statuspage

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

// RecentlyResolved is how far back a resolved incident from incidents.json is
// still reported.
const RecentlyResolved = 7 * 24 * time.Hour

const acceptJSON = "application/json"

var _ sources.Source = (*Source)(nil)

// Source polls one Statuspage page.
type Source struct {
	base         string
	summaryURL   string
	incidentsURL string
	client       *fetch.Client
	now          func() time.Time

	mu           sync.Mutex // Poll is sequential per source; this makes sure
	summaryVal   fetch.Validators
	incidentsVal fetch.Validators
	last         sources.Observation
	haveLast     bool
	incidents    []sources.Incident // last parsed incidents.json
}

// Option configures a Source.
type Option func(*Source)

// WithNow sets the clock (tests).
func WithNow(now func() time.Time) Option { return func(s *Source) { s.now = now } }

// New returns a Source for the page at baseURL (like
// "https://status.openai.com"). A nil client gets a default fetch.Client.
func New(baseURL string, client *fetch.Client, opts ...Option) *Source {
	base := strings.TrimRight(baseURL, "/")
	s := &Source{
		base:         base,
		summaryURL:   base + "/api/v2/summary.json",
		incidentsURL: base + "/api/v2/incidents.json",
		client:       client,
		now:          time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	if s.client == nil {
		s.client = fetch.New(fetch.Options{})
	}
	return s
}

// Poll reads the page. When the summary has not changed since the last poll
// it returns the previous observation with NotModified set, without parsing
// anything. The returned observation's slices are shared with the Source's
// cache: callers must not modify them.
func (s *Source) Poll(ctx context.Context) (sources.Observation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	val := s.summaryVal
	if !s.haveLast {
		val = fetch.Validators{}
	}
	body, notModified, err := s.client.Get(ctx, s.summaryURL, &val, acceptJSON)
	if err != nil {
		return sources.Observation{}, err
	}
	if notModified {
		obs := s.last
		obs.At = s.now()
		obs.NotModified = true
		return obs, nil
	}
	obs, err := ParseSummary(body, s.base)
	if err != nil {
		return sources.Observation{}, &ParseError{URL: fetch.Redact(s.summaryURL), Err: err}
	}
	obs.Incidents = s.withRecentlyResolved(ctx, obs.Incidents)
	obs.At = s.now()
	s.summaryVal, s.last, s.haveLast = val, obs, true
	return obs, nil
}

// withRecentlyResolved adds the incidents that incidents.json shows resolved
// within RecentlyResolved and that the summary no longer lists. Failing to
// read incidents.json is not an error: the summary is authoritative.
func (s *Source) withRecentlyResolved(ctx context.Context, open []sources.Incident) []sources.Incident {
	if ctx.Err() != nil {
		return open
	}
	val := s.incidentsVal
	if s.incidents == nil {
		val = fetch.Validators{}
	}
	body, notModified, err := s.client.Get(ctx, s.incidentsURL, &val, acceptJSON)
	if err != nil {
		return open
	}
	if !notModified {
		all, err := ParseIncidents(body, s.base)
		if err != nil {
			return open
		}
		s.incidents, s.incidentsVal = all, val
	}
	cutoff := s.now().Add(-RecentlyResolved)
	for _, inc := range s.incidents {
		if !inc.Status.Done() {
			continue
		}
		at := inc.ResolvedAt
		if at.IsZero() {
			at = inc.UpdatedAt
		}
		if at.Before(cutoff) || listed(open, inc.ID) {
			continue
		}
		open = append(open, inc)
	}
	return open
}

func listed(incs []sources.Incident, id string) bool {
	for i := range incs {
		if incs[i].ID == id {
			return true
		}
	}
	return false
}

// ParseError is a body that was fetched but is not a Statuspage document.
type ParseError struct {
	URL string
	Err error
}

func (e *ParseError) Error() string { return "GET " + e.URL + ": " + e.Err.Error() }
func (e *ParseError) Unwrap() error { return e.Err }
