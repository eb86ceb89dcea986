// Package awshealth reads the AWS Health Dashboard
// (https://health.aws.amazon.com/health/status) through the JSON behind it:
// https://health.aws.amazon.com/public/currentevents, a list of the events
// that are open now, served as UTF-16 with a byte order mark. An empty list
// ([]) means every service is operational.
//
// Components are the services events name, per region ("Amazon Elastic
// Compute Cloud (us-east-1)", id "ec2-us-east-1", group "us-east-1"), so a
// target can watch one region by naming it in components. The endpoint lists
// no others.
//
// The list holds open events only. AWS closes an event by adding a last
// event_log entry with status 0 (and an end_time); while such an event is
// still listed it is reported resolved with those words. When an event simply
// drops off the list, the dashboard's history
// (https://history-events-us-west-2-prod.s3.amazonaws.com/historyevents.json,
// the same events keyed by service) is read for its last words, as it is on
// the first poll, so that an event that ended while the bot was down resolves
// with AWS's words too.
package awshealth

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

// Defaults.
const (
	// DefaultURL is the dashboard's list of current events.
	DefaultURL = "https://health.aws.amazon.com/public/currentevents"
	// DefaultHistoryURL is the dashboard's event history, which the
	// dashboard itself reads (confirmed in public pollers, 2026; replicas
	// exist in other regions, such as eu-west-1 and ap-northeast-1).
	DefaultHistoryURL = "https://history-events-us-west-2-prod.s3.amazonaws.com/historyevents.json"
	// RecentlyResolved is how long an event that ended is still reported
	// from the history, so that the engine sees it resolve with AWS's last
	// words after a restart.
	RecentlyResolved = 24 * time.Hour
	// HistoryPatience is how long the history is read again on each poll
	// for an event that dropped off the list without appearing in it.
	HistoryPatience = 30 * time.Minute

	currentPath = "/public/currentevents"
	awsHost     = "health.aws.amazon.com"
	acceptJSON  = "application/json"
)

var _ sources.Source = (*Source)(nil)

// Source polls the AWS Health Dashboard.
type Source struct {
	url     string
	base    string // the dashboard, for links
	history string // "" reads no history
	client  *fetch.Client
	now     func() time.Time
	window  time.Duration
	log     *slog.Logger

	mu      sync.Mutex // Poll is sequential per source; this makes sure
	val     fetch.Validators
	cur     *parsed // last parse of the current events
	have    bool
	hval    fetch.Validators
	hist    *parsed // last parse of the history
	polled  bool
	open    map[string]bool      // events listed open on the last poll
	missing map[string]time.Time // events gone from the list, not yet in the history: since when
	histErr string               // the last history failure, logged once
}

// Option configures a Source.
type Option func(*Source)

// WithNow sets the clock (tests).
func WithNow(now func() time.Time) Option { return func(s *Source) { s.now = now } }

// WithWindow sets how long ended events are reported from the history
// (RecentlyResolved when 0 or less).
func WithWindow(d time.Duration) Option { return func(s *Source) { s.window = d } }

// WithHistoryURL sets where the event history is read; "" reads none.
func WithHistoryURL(u string) Option { return func(s *Source) { s.history = u } }

// WithLogger sets where a failure to read the history is logged.
func WithLogger(l *slog.Logger) Option { return func(s *Source) { s.log = l } }

// New returns a Source for url: the dashboard ("https://health.aws.amazon.com",
// ".../health/status") or its event list (".../public/currentevents"). An
// empty url is DefaultURL. The history is DefaultHistoryURL for AWS's own
// host and none for any other (a mirror says where its copy is with
// WithHistoryURL). A nil client gets a default fetch.Client.
func New(rawURL string, client *fetch.Client, opts ...Option) *Source {
	if rawURL == "" {
		rawURL = DefaultURL
	}
	listURL, base := resolve(rawURL)
	s := &Source{url: listURL, base: base, client: client, now: time.Now}
	if u, err := url.Parse(listURL); err == nil && strings.EqualFold(u.Hostname(), awsHost) {
		s.history = DefaultHistoryURL
	}
	for _, o := range opts {
		o(s)
	}
	if s.client == nil {
		s.client = fetch.New(fetch.Options{})
	}
	if s.window <= 0 {
		s.window = RecentlyResolved
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// resolve turns what the user configured into the event list's URL and the
// dashboard's base URL.
func resolve(raw string) (listURL, base string) {
	u := strings.TrimRight(raw, "/")
	for _, suffix := range []string{currentPath, "/health/status", "/health/home"} {
		if strings.HasSuffix(strings.ToLower(u), suffix) {
			b := u[:len(u)-len(suffix)]
			return b + currentPath, b
		}
	}
	return u + currentPath, u
}

// Poll reads the current events and, when an event it saw has dropped off
// the list (or on the first poll), the history. When the list has not
// changed since the last poll the previous parse is reused (no parsing) and
// NotModified is set unless the history brought news. The returned
// observation's slices must not be modified.
func (s *Source) Poll(ctx context.Context) (sources.Observation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	val := s.val
	if !s.have {
		val = fetch.Validators{}
	}
	body, ctype, notModified, err := s.client.GetTyped(ctx, s.url, &val, acceptJSON)
	if err != nil {
		return sources.Observation{}, err
	}
	now := s.now()
	if !notModified {
		cur, err := parseCurrent(body, ctype, s.base)
		if err != nil {
			return sources.Observation{}, &ParseError{URL: fetch.Redact(s.url), Err: err}
		}
		s.val, s.cur, s.have = val, cur, true
	}

	s.track(now)
	histNews := false
	if s.history != "" && (!s.polled || len(s.missing) > 0) {
		histNews = s.readHistory(ctx)
		s.found()
	}
	s.polled = true

	obs := observation(s.base, s.cur, s.hist, now, s.window)
	obs.At = now
	obs.NotModified = notModified && !histNews
	return obs, nil
}

// track notes which events are open and which of those seen open before
// have dropped off the list without a closing entry.
func (s *Source) track(now time.Time) {
	open := map[string]bool{}
	listed := map[string]bool{}
	for _, e := range s.cur.events {
		listed[e.inc.ID] = true
		if !e.inc.Status.Done() {
			open[e.inc.ID] = true
		}
	}
	for id := range s.open {
		if !listed[id] {
			if s.missing == nil {
				s.missing = map[string]time.Time{}
			}
			s.missing[id] = now
		}
	}
	for id, since := range s.missing {
		if listed[id] || now.Sub(since) > HistoryPatience {
			delete(s.missing, id)
		}
	}
	s.open = open
}

// found forgets the missing events the history now has.
func (s *Source) found() {
	if s.hist == nil {
		return
	}
	for _, e := range s.hist.events {
		delete(s.missing, e.inc.ID)
	}
}

// readHistory refreshes the history and reports whether it changed. The
// history only adds AWS's last words: when it cannot be read the poll goes
// on without them, and the failure is logged once.
func (s *Source) readHistory(ctx context.Context) bool {
	val := s.hval
	if s.hist == nil {
		val = fetch.Validators{}
	}
	body, ctype, notModified, err := s.client.GetTyped(ctx, s.history, &val, acceptJSON)
	if err == nil && !notModified {
		var h *parsed
		if h, err = parseHistory(body, ctype, s.base); err != nil {
			err = &ParseError{URL: fetch.Redact(s.history), Err: err}
		} else {
			s.hval, s.hist = val, h
		}
	}
	if err != nil {
		if msg := err.Error(); msg != s.histErr {
			s.histErr = msg
			s.log.Warn("cannot read the AWS Health event history; events that end are resolved without AWS's last words", "err", err)
		}
		return false
	}
	if s.histErr != "" {
		s.histErr = ""
		s.log.Info("the AWS Health event history can be read again")
	}
	return !notModified
}

// ParseError is a body that was fetched but is not the AWS Health
// Dashboard's event list or history.
type ParseError struct {
	URL string
	Err error
}

func (e *ParseError) Error() string { return "GET " + e.URL + ": " + e.Err.Error() }
func (e *ParseError) Unwrap() error { return e.Err }
