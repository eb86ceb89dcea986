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
	base       string
	summaryURL string
	client     *fetch.Client
	now        func() time.Time

	mu         sync.Mutex // Poll is sequential per source; this makes sure
	summaryVal fetch.Validators
	last       sources.Observation
	haveLast   bool
	resolved   history // incidents.json
	completed  history // scheduled-maintenances.json
}

// history is a list of recent incidents or maintenances in every phase,
// kept between polls so that an unchanged one costs a conditional request.
type history struct {
	url    string
	parse  func(data []byte, base string) ([]sources.Incident, error)
	val    fetch.Validators
	list   []sources.Incident
	loaded bool
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
		base:       base,
		summaryURL: base + "/api/v2/summary.json",
		resolved:   history{url: base + "/api/v2/incidents.json", parse: ParseIncidents},
		completed:  history{url: base + "/api/v2/scheduled-maintenances.json", parse: ParseMaintenances},
		client:     client,
		now:        time.Now,
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
	obs.Incidents = s.recentlyDone(ctx, &s.resolved, obs.Incidents)
	obs.Maintenances = s.recentlyDone(ctx, &s.completed, obs.Maintenances)
	obs.At = s.now()
	s.summaryVal, s.last, s.haveLast = val, obs, true
	return obs, nil
}

// recentlyDone adds what a history document (incidents.json or
// scheduled-maintenances.json) shows over within RecentlyResolved and the
// summary no longer lists, so a restoration carries the vendor's last words.
// Failing to read the history is not an error: the summary is
// authoritative.
func (s *Source) recentlyDone(ctx context.Context, h *history, listedNow []sources.Incident) []sources.Incident {
	if ctx.Err() != nil {
		return listedNow
	}
	val := h.val
	if !h.loaded {
		val = fetch.Validators{}
	}
	body, notModified, err := s.client.Get(ctx, h.url, &val, acceptJSON)
	if err != nil {
		return listedNow
	}
	if !notModified {
		all, err := h.parse(body, s.base)
		if err != nil {
			return listedNow
		}
		h.list, h.val, h.loaded = all, val, true
	}
	cutoff := s.now().Add(-RecentlyResolved)
	out := listedNow
	for _, inc := range h.list {
		if !inc.Status.Done() {
			continue
		}
		at := inc.ResolvedAt
		if at.IsZero() {
			at = inc.UpdatedAt
		}
		if at.Before(cutoff) || listed(listedNow, inc.ID) {
			continue
		}
		out = append(out, inc)
	}
	return out
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
