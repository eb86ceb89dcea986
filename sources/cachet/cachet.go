// Package cachet reads self-hosted Cachet status pages (2.3 and 2.4)
// through their public JSON API: /api/v1/components, /api/v1/components/groups,
// /api/v1/incidents (newest first), and on Cachet 2.4 /api/v1/schedules and
// each open incident's /api/v1/incidents/<id>/updates.
//
// Cachet writes times as "2026-09-04 19:31:00" in the page's own time zone,
// which the API does not name: WithLocation says what it is (UTC if unset).
package cachet

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

// RecentlyResolved is how long a fixed incident is still reported.
const RecentlyResolved = 7 * 24 * time.Hour

// Request sizes and bounds.
const (
	perPage = 100
	// maxUpdateFetches bounds the per-incident requests of one poll.
	maxUpdateFetches = 10
)

const acceptJSON = "application/json"

var _ sources.Source = (*Source)(nil)

// Source polls one Cachet page.
type Source struct {
	base   string
	client *fetch.Client
	now    func() time.Time
	loc    *time.Location

	mu          sync.Mutex // Poll is sequential per source; this makes sure
	docs        map[string]*cached
	noSchedules bool // the page has no /api/v1/schedules (Cachet 2.3)
	noUpdates   bool // the page has no incident updates endpoint (Cachet 2.3)
	last        sources.Observation
	have        bool
}

type cached struct {
	val  fetch.Validators
	body []byte
}

// Option configures a Source.
type Option func(*Source)

// WithNow sets the clock (tests).
func WithNow(now func() time.Time) Option { return func(s *Source) { s.now = now } }

// WithLocation sets the page's time zone, in which Cachet writes its times.
func WithLocation(loc *time.Location) Option { return func(s *Source) { s.loc = loc } }

// New returns a Source for the Cachet page at baseURL (like
// "https://status.example.com"). A nil client gets a default fetch.Client.
func New(baseURL string, client *fetch.Client, opts ...Option) *Source {
	s := &Source{base: strings.TrimRight(baseURL, "/"), client: client, now: time.Now, loc: time.UTC, docs: map[string]*cached{}}
	for _, o := range opts {
		o(s)
	}
	if s.client == nil {
		s.client = fetch.New(fetch.Options{})
	}
	if s.loc == nil {
		s.loc = time.UTC
	}
	return s
}

func (s *Source) url(path string) string { return s.base + "/api/v1" + path }

// get fetches url conditionally, keeping the last body: it returns the
// current body and whether it changed.
func (s *Source) get(ctx context.Context, url string) ([]byte, bool, error) {
	c := s.docs[url]
	if c == nil {
		c = &cached{}
	}
	val := c.val
	if c.body == nil {
		val = fetch.Validators{}
	}
	body, notModified, err := s.client.Get(ctx, url, &val, acceptJSON)
	if err != nil {
		return nil, false, err
	}
	if notModified {
		return c.body, false, nil
	}
	c.val, c.body = val, body
	s.docs[url] = c
	return body, true, nil
}

func isNotFound(err error) bool {
	var fe *fetch.Error
	return errors.As(err, &fe) && fe.StatusCode == http.StatusNotFound
}

// Poll reads the page. When nothing changed since the last poll it returns
// the previous observation with NotModified set, without parsing. The
// returned observation's slices must not be modified.
func (s *Source) Poll(ctx context.Context) (sources.Observation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	var (
		d       Documents
		changed bool
		err     error
		ch      bool
	)
	compURL := s.url("/components?per_page=" + strconv.Itoa(perPage))
	if d.Components, ch, err = s.get(ctx, compURL); err != nil {
		return sources.Observation{}, err
	}
	changed = changed || ch
	incURL := s.url("/incidents?sort=id&order=desc&per_page=" + strconv.Itoa(perPage))
	if d.Incidents, ch, err = s.get(ctx, incURL); err != nil {
		return sources.Observation{}, err
	}
	changed = changed || ch
	// Optional documents: their failure costs detail, not the poll.
	if body, ch, err := s.get(ctx, s.url("/components/groups?per_page="+strconv.Itoa(perPage))); err == nil {
		d.Groups, changed = body, changed || ch
	}
	if !s.noSchedules {
		body, ch, err := s.get(ctx, s.url("/schedules?per_page="+strconv.Itoa(perPage)))
		switch {
		case isNotFound(err):
			s.noSchedules = true
		case err == nil:
			d.Schedules, changed = body, changed || ch
		}
	}
	if !s.noUpdates {
		ids, _ := openIncidents(d.Incidents, s.loc, s.now(), RecentlyResolved)
		for i, id := range ids {
			if i == maxUpdateFetches {
				break
			}
			body, ch, err := s.get(ctx, s.url("/incidents/"+strconv.Itoa(id)+"/updates"))
			if isNotFound(err) && i == 0 {
				s.noUpdates = true
				break
			}
			if err == nil {
				if d.Updates == nil {
					d.Updates = map[int][]byte{}
				}
				d.Updates[id], changed = body, changed || ch
			}
		}
	}

	now := s.now()
	if !changed && s.have {
		obs := s.last
		obs.At = now
		obs.NotModified = true
		return obs, nil
	}
	obs, err := Parse(d, s.base, s.loc, now)
	if err != nil {
		// Forget the bodies, so that the next poll fetches them whole.
		s.docs = map[string]*cached{}
		return sources.Observation{}, &ParseError{URL: fetch.Redact(s.base + "/api/v1"), Err: err}
	}
	obs.At = now
	s.last, s.have = obs, true
	return obs, nil
}

// ParseError is a body that was fetched but is not a Cachet document.
type ParseError struct {
	URL string
	Err error
}

func (e *ParseError) Error() string { return "GET " + e.URL + ": " + e.Err.Error() }
func (e *ParseError) Unwrap() error { return e.Err }
