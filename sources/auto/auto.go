// Package auto recognises a status page's format from its URL, so that
// `type = "auto"` works for any page outagebot can read. Detection asks each
// format's well-known endpoint in turn (one request each, stopping at the
// first that answers in its format), logs the choice, and from then on the
// target behaves exactly as if that type had been configured.
package auto

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	neturl "net/url"
	"strings"
	"sync"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/awshealth"
	"github.com/outagebot/outagebot/sources/betterstack"
	"github.com/outagebot/outagebot/sources/cachet"
	"github.com/outagebot/outagebot/sources/feed"
	"github.com/outagebot/outagebot/sources/fetch"
	"github.com/outagebot/outagebot/sources/gcp"
	"github.com/outagebot/outagebot/sources/incidentio"
	"github.com/outagebot/outagebot/sources/instatus"
	"github.com/outagebot/outagebot/sources/pageurl"
	"github.com/outagebot/outagebot/sources/slackstatus"
	"github.com/outagebot/outagebot/sources/statusio"
	"github.com/outagebot/outagebot/sources/statuspage"
)

// Build makes the source of a detected type for a URL.
type Build func(typ, url string) (sources.Source, error)

// Source detects on its first poll, then delegates.
type Source struct {
	url    string
	client *fetch.Client
	build  Build
	log    *slog.Logger

	mu     sync.Mutex
	chosen sources.Source
}

var _ sources.Source = (*Source)(nil)

// New returns a Source for url.
func New(url string, client *fetch.Client, build Build, log *slog.Logger) *Source {
	return &Source{url: url, client: client, build: build, log: log}
}

// Poll detects the format if it is not known yet, then polls.
func (s *Source) Poll(ctx context.Context) (sources.Observation, error) {
	s.mu.Lock()
	chosen := s.chosen
	s.mu.Unlock()
	if chosen == nil {
		d, err := Detect(ctx, s.client, s.url)
		if err != nil {
			return sources.Observation{}, err
		}
		src, err := s.build(d.Type, d.URL)
		if err != nil {
			return sources.Observation{}, fmt.Errorf("detected %s at %s but cannot use it: %w", d.Type, pageurl.Display(d.URL), err)
		}
		s.log.Info("detected the status page's format", "type", d.Type, "url", pageurl.Display(d.URL))
		s.mu.Lock()
		s.chosen = src
		s.mu.Unlock()
		chosen = src
	}
	return chosen.Poll(ctx)
}

// Detection is what Detect found: the type to use and the URL to give it.
type Detection struct {
	Type string
	URL  string
}

// probe is one well-known endpoint and how to recognise its format.
type probe struct {
	typ  string
	path string // appended to the base URL; "" is the URL itself
	// url is what the detected type is configured with (the page's base
	// for most types, the document itself for feeds).
	useDoc bool
	accept string
	is     func(body []byte, contentType string) bool
}

const acceptJSON = "application/json"

var probes = []probe{
	// The URL itself may already be a feed or a JSON document.
	{typ: "feed", useDoc: true, accept: "application/rss+xml, application/atom+xml, application/xml, text/xml, */*", is: feed.Detect},
	{typ: "statuspage", path: "/api/v2/summary.json", accept: acceptJSON, is: isStatuspage},
	{typ: "incidentio", path: "/api/v1/summary", accept: acceptJSON, is: incidentio.Detect},
	{typ: "instatus", path: "/summary.json", accept: acceptJSON, is: instatus.Detect},
	{typ: "betterstack", path: "/index.json", accept: acceptJSON, is: betterstack.Detect},
	{typ: "gcp", path: "/incidents.json", accept: acceptJSON, is: gcp.Detect},
	{typ: "cachet", path: "/api/v1/components", accept: acceptJSON, is: cachet.Detect},
	{typ: "slackstatus", path: "/api/v2.0.0/current", accept: acceptJSON, is: isSlackStatus},
	{typ: "awshealth", path: "/public/currentevents", accept: acceptJSON, is: awshealth.Detect},
}

// documentProbes recognise a JSON document given directly as the URL.
var documentProbes = []probe{
	{typ: "statuspage", is: isStatuspage},
	{typ: "gcp", useDoc: true, is: gcp.Detect},
	{typ: "statusio", useDoc: true, is: statusio.Detect},
	{typ: "instatus", is: instatus.Detect},
	{typ: "betterstack", is: betterstack.Detect},
	{typ: "cachet", is: cachet.Detect},
	{typ: "slackstatus", is: isSlackStatus},
	{typ: "awshealth", is: awshealth.Detect},
}

// knownHosts are pages recognised by their host alone, because their
// documents cannot tell: AWS's event list is an empty array whenever all is
// well.
var knownHosts = map[string]string{
	"health.aws.amazon.com": "awshealth",
}

func isStatuspage(body []byte, _ string) bool {
	_, err := statuspage.ParseSummary(body, "")
	return err == nil
}

func isSlackStatus(body []byte, _ string) bool {
	_, err := slackstatus.Parse(body)
	return err == nil
}

// ErrUnrecognised is returned when every endpoint answered but none in a
// format outagebot reads.
var ErrUnrecognised = errors.New("not a status feed outagebot recognises")

// Detect finds the format of the status page at url. An HTML page with no
// known feed behind it is refused with an error saying what to do.
func Detect(ctx context.Context, client *fetch.Client, url string) (Detection, error) {
	if u, err := neturl.Parse(url); err == nil {
		if typ, ok := knownHosts[strings.ToLower(u.Hostname())]; ok {
			return Detection{Type: typ, URL: url}, nil
		}
	}
	// The well-known endpoints live under the page's base, which an API
	// URL (or a query) must not end up in front of.
	base, err := pageurl.Base(url)
	if err != nil {
		return Detection{}, fmt.Errorf("detecting the format: %w", err)
	}
	var tried []string
	html := false
	reached := false
	for _, p := range probes {
		target := url
		if p.path != "" {
			target = pageurl.Join(base, p.path)
		}
		body, _, err := client.Get(ctx, target, nil, p.accept)
		if err != nil {
			if ctx.Err() != nil {
				return Detection{}, fmt.Errorf("detecting the format of %s: %w", pageurl.Display(url), ctx.Err())
			}
			if errors.Is(err, fetch.ErrHTML) {
				html = true
			}
			tried = append(tried, p.typ)
			continue
		}
		reached = true
		if p.path == "" {
			if looksHTML(body) {
				html = true
			} else if feed.Detect(body, "") {
				return Detection{Type: "feed", URL: url}, nil
			} else {
				for _, d := range documentProbes {
					if d.is(body, "") {
						if d.useDoc {
							return Detection{Type: d.typ, URL: url}, nil
						}
						return Detection{Type: d.typ, URL: baseOf(url, d.typ)}, nil
					}
				}
			}
			tried = append(tried, "the URL itself")
			continue
		}
		if p.is(body, "") {
			return Detection{Type: p.typ, URL: base}, nil
		}
		tried = append(tried, p.typ)
	}
	switch {
	case !reached && !html:
		return Detection{}, fmt.Errorf("detecting the format of %s: no endpoint could be read (tried %s)", pageurl.Display(url), strings.Join(tried, ", "))
	case html:
		return Detection{}, fmt.Errorf("%s is a web page, not a status feed outagebot recognises: set type (see `outagebot vendors` for examples), or point url at the page's feed (often /history.rss or /api/v2/summary.json): %w", pageurl.Display(url), ErrUnrecognised)
	}
	return Detection{}, fmt.Errorf("%s: %w (tried %s)", pageurl.Display(url), ErrUnrecognised, strings.Join(tried, ", "))
}

// baseOf turns a document URL into the base its type's source expects.
func baseOf(url, typ string) string {
	if n, err := pageurl.Normalize(typ, url); err == nil {
		return n.URL
	}
	return url
}

func looksHTML(body []byte) bool {
	head := strings.ToLower(strings.TrimSpace(string(body[:min(len(body), 512)])))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html") || strings.Contains(head, "<head")
}
