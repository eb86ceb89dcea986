// Package instatus reads Instatus status pages through their public JSON:
// <page>/summary.json (the page's status, active incidents and active or
// upcoming maintenances) and <page>/v3/components.json (the components; the
// older /v2/components.json is used where v3 is missing).
//
// The summary is authoritative: when the components cannot be read the
// poll still succeeds, with the components last seen (or none). Instatus's
// summary lists neither incident updates nor affected components, so
// incidents carry only their phase, impact and link.
package instatus

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

const acceptJSON = "application/json"

// componentPaths are tried in order; the first that is not a 404 is kept.
var componentPaths = []string{"/v3/components.json", "/v2/components.json"}

var _ sources.Source = (*Source)(nil)

// Source polls one Instatus page.
type Source struct {
	base       string
	summaryURL string
	client     *fetch.Client
	now        func() time.Time

	mu         sync.Mutex // Poll is sequential per source; this makes sure
	summaryVal fetch.Validators
	summary    *summary // last parsed summary
	compPath   int      // index into componentPaths; len means none exists
	compVal    fetch.Validators
	components []sources.Component // last parsed components
	last       sources.Observation
}

// Option configures a Source.
type Option func(*Source)

// WithNow sets the clock (tests).
func WithNow(now func() time.Time) Option { return func(s *Source) { s.now = now } }

// New returns a Source for the page at baseURL (like
// "https://status.example.com"). A nil client gets a default fetch.Client.
func New(baseURL string, client *fetch.Client, opts ...Option) *Source {
	base := strings.TrimRight(baseURL, "/")
	base = strings.TrimSuffix(base, "/summary.json")
	s := &Source{base: base, summaryURL: base + "/summary.json", client: client, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if s.client == nil {
		s.client = fetch.New(fetch.Options{})
	}
	return s
}

// Poll reads the summary and the components. When neither changed since the
// last poll it returns the previous observation with NotModified set,
// without parsing anything. The returned observation's slices must not be
// modified.
func (s *Source) Poll(ctx context.Context) (sources.Observation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	val := s.summaryVal
	if s.summary == nil {
		val = fetch.Validators{}
	}
	body, summaryNM, err := s.client.Get(ctx, s.summaryURL, &val, acceptJSON)
	if err != nil {
		return sources.Observation{}, err
	}
	sum := s.summary
	if !summaryNM {
		sum, err = parseSummary(body)
		if err != nil {
			return sources.Observation{}, &ParseError{URL: fetch.Redact(s.summaryURL), Err: err}
		}
	}
	compsChanged := s.pollComponents(ctx)
	s.summaryVal, s.summary = val, sum

	now := s.now()
	if summaryNM && !compsChanged {
		obs := s.last
		obs.At = now
		obs.NotModified = true
		return obs, nil
	}
	obs := sum.observation(s.base, s.components)
	obs.At = now
	s.last = obs
	return obs, nil
}

// pollComponents refreshes s.components and reports whether they changed.
// Failing to read them is not an error: the summary is authoritative.
func (s *Source) pollComponents(ctx context.Context) bool {
	for s.compPath < len(componentPaths) && ctx.Err() == nil {
		url := s.base + componentPaths[s.compPath]
		val := s.compVal
		if s.components == nil {
			val = fetch.Validators{}
		}
		body, notModified, err := s.client.Get(ctx, url, &val, acceptJSON)
		var fe *fetch.Error
		switch {
		case errors.As(err, &fe) && fe.StatusCode == http.StatusNotFound:
			s.compPath++
			s.compVal, s.components = fetch.Validators{}, nil
			continue
		case err != nil || notModified:
			return false
		}
		comps, err := ParseComponents(body)
		if err != nil {
			return false
		}
		if comps == nil {
			comps = []sources.Component{}
		}
		s.compVal, s.components = val, comps
		return true
	}
	return false
}

// ParseError is a body that was fetched but is not an Instatus summary.
type ParseError struct {
	URL string
	Err error
}

func (e *ParseError) Error() string { return "GET " + e.URL + ": " + e.Err.Error() }
func (e *ParseError) Unwrap() error { return e.Err }
