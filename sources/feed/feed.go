// Package feed reads RSS 2.0 and Atom incident-history feeds (Statuspage's
// /history.rss and /history.atom, incident.io's /feed.rss and /feed.atom,
// Instatus's /history.rss and any other status feed) with
// github.com/mmcdole/gofeed.
//
// A feed is history, not state. Its entries are grouped into incidents by
// their link (else GUID, else title): some feeds publish one entry per
// incident whose body holds every update, newest first ("<strong>Resolved
// </strong> - text" paragraphs, as Statuspage writes them, or "Status:
// Resolved" as incident.io does); others one entry per update. The newest
// update decides an incident's phase, from its marker or, failing one, from
// words like "resolved" or "investigating".
//
// Times come from the entries' machine-readable dates. The times printed
// in a body ("Oct 28, 14:48 PST") are read in the zone of the entry's date,
// never by their label, which pages get wrong.
//
// incident.io lists the affected components under each update with their
// states ("API (Degraded performance)"): they become the incident's
// components, named by their names, and its impact. Words set the impact
// only where a feed has no such list.
//
// Only incidents updated within a window (DefaultWindow) are reported, open
// or resolved, so that the engine sees a resolution and then forgets it.
package feed

import (
	"context"
	"sync"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

// DefaultWindow is how long after its last update an incident is reported.
const DefaultWindow = 7 * 24 * time.Hour

// accept asks for a feed, but takes what comes: many servers label feeds
// text/xml or even text/html.
const accept = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"

var _ sources.Source = (*Source)(nil)

// Source polls one feed.
type Source struct {
	url    string
	client *fetch.Client
	now    func() time.Time
	window time.Duration

	mu   sync.Mutex // Poll is sequential per source; this makes sure
	val  fetch.Validators
	doc  *parsed // last parse, filtered by the window on every poll
	have bool
}

// Option configures a Source.
type Option func(*Source)

// WithNow sets the clock (tests).
func WithNow(now func() time.Time) Option { return func(s *Source) { s.now = now } }

// WithWindow sets how long after its last update an incident is reported
// (DefaultWindow when 0 or less).
func WithWindow(d time.Duration) Option { return func(s *Source) { s.window = d } }

// New returns a Source for the feed at url (like
// "https://www.githubstatus.com/history.atom"). A nil client gets a default
// fetch.Client.
func New(url string, client *fetch.Client, opts ...Option) *Source {
	s := &Source{url: url, client: client, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if s.client == nil {
		s.client = fetch.New(fetch.Options{})
	}
	if s.window <= 0 {
		s.window = DefaultWindow
	}
	return s
}

// Poll reads the feed. When it has not changed since the last poll the
// previous parse is reused (no parsing) and NotModified is set; the window
// still moves with the clock. The returned observation's slices must not be
// modified.
func (s *Source) Poll(ctx context.Context) (sources.Observation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	val := s.val
	if !s.have {
		val = fetch.Validators{}
	}
	body, notModified, err := s.client.Get(ctx, s.url, &val, accept)
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
	doc, err := parse(body, s.url, now)
	if err != nil {
		return sources.Observation{}, &ParseError{URL: fetch.Redact(s.url), Err: err}
	}
	s.val, s.doc, s.have = val, doc, true
	obs := doc.observation(now, s.window)
	obs.At = now
	return obs, nil
}

// ParseError is a body that was fetched but is not a feed.
type ParseError struct {
	URL string
	Err error
}

func (e *ParseError) Error() string { return "GET " + e.URL + ": " + e.Err.Error() }
func (e *ParseError) Unwrap() error { return e.Err }
