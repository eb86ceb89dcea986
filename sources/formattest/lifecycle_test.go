// Package formattest_test drives every vendor feed format end to end: an
// httptest server steps a status page through an outage's lifecycle, the
// format's real Source polls it with the real fetch client, and the real
// engine turns each observation into events.
package formattest_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/awshealth"
	"github.com/outagebot/outagebot/sources/betterstack"
	"github.com/outagebot/outagebot/sources/cachet"
	"github.com/outagebot/outagebot/sources/feed"
	"github.com/outagebot/outagebot/sources/fetch"
	"github.com/outagebot/outagebot/sources/gcp"
	"github.com/outagebot/outagebot/sources/incidentio"
	"github.com/outagebot/outagebot/sources/instatus"
	"github.com/outagebot/outagebot/sources/slackstatus"
	"github.com/outagebot/outagebot/sources/statusio"
	"github.com/outagebot/outagebot/sources/statuspage"
)

// policy is the policy every lifecycle runs under.
var policy = bot.Policy{FailureThreshold: 1, SuccessThreshold: 1, UnreachableThreshold: 3, AnnounceExisting: true}

// phase is one state of the fake status page.
type phase struct {
	name string
	// at is the clock, for the Source and the engine, on the phase's first
	// poll; each further poll is a minute later (within the engine's blip
	// window, so an incident that merely vanished needs two polls).
	at time.Time
	// files maps a request path to the fixture served there, relative to
	// this directory; any other path is a 404.
	files map[string]string
	// polls is how many polls the phase gets (1 when 0).
	polls int
	// The events the phase must produce, summed over its polls.
	opened, updated, resolved int
}

// lifecycle is one format's outage, from all operational to resolved.
type lifecycle struct {
	name string
	// source builds the format's Source for the fake page at base.
	source func(base string, client *fetch.Client, now func() time.Time) sources.Source
	// title is the title of the outage when it is opened.
	title string
	// restoration, when set, is text the resolved event's body must hold:
	// the vendor's last words.
	restoration string
	phases      []phase
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// Fixture roots: the format packages' own fixtures, and the extra phases
// kept here.
const (
	pkg  = "../"
	here = "testdata/"
)

var lifecycles = []lifecycle{
	{
		name: "statuspage",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return statuspage.New(base, c, statuspage.WithNow(now))
		},
		title: "Elevated error rates on Chat Completions",
		phases: []phase{
			// incidents.json is a 404 until the end: the summary is
			// authoritative, and the source must get by without it.
			{name: "operational", at: at("2024-06-04T14:30:00Z"), files: map[string]string{
				"/api/v2/summary.json": pkg + "statuspage/testdata/operational/summary.json",
			}},
			{name: "investigating", at: at("2024-06-04T14:45:00Z"), opened: 1, files: map[string]string{
				"/api/v2/summary.json": pkg + "statuspage/testdata/degraded/summary.json",
			}},
			{name: "identified", at: at("2024-06-04T15:05:00Z"), updated: 1, files: map[string]string{
				"/api/v2/summary.json": pkg + "statuspage/testdata/identified/summary.json",
			}},
			// The summary drops the incident; incidents.json has it resolved
			// with a monitoring update and the resolution, both unseen.
			{name: "resolved", at: at("2024-06-04T16:20:00Z"), polls: 2, updated: 1, resolved: 1, files: map[string]string{
				"/api/v2/summary.json":   pkg + "statuspage/testdata/resolved/summary.json",
				"/api/v2/incidents.json": pkg + "statuspage/testdata/resolved/incidents.json",
			}},
		},
	},
	{
		// incident.io's widget API (the Statuspage-compatible API is a 404).
		name: "incidentio",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return incidentio.New(base, c, incidentio.WithNow(now))
		},
		title: "Elevated error rates on the Responses API",
		phases: []phase{
			{name: "operational", at: at("2026-09-04T18:30:00Z"), files: map[string]string{
				"/api/v1/summary": pkg + "incidentio/testdata/operational/widget.json",
			}},
			{name: "investigating", at: at("2026-09-04T18:50:00Z"), opened: 1, files: map[string]string{
				"/api/v1/summary": here + "incidentio/investigating/widget.json",
			}},
			{name: "identified", at: at("2026-09-04T19:35:00Z"), updated: 1, files: map[string]string{
				"/api/v1/summary": here + "incidentio/identified/widget.json",
			}},
			{name: "resolved", at: at("2026-09-04T20:00:00Z"), polls: 2, resolved: 1, files: map[string]string{
				"/api/v1/summary": pkg + "incidentio/testdata/resolved/widget.json",
			}},
		},
	},
	{
		// A Statuspage history feed: one entry per incident, every update
		// in its body.
		name: "feed/statuspage",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return feed.New(base+"/history.atom", c, feed.WithNow(now))
		},
		title: "Partial outage of the REST API in eu-west",
		phases: []phase{
			{name: "operational", at: at("2026-09-04T18:30:00Z"), files: map[string]string{
				"/history.atom": here + "feed/statuspage/operational.atom",
			}},
			{name: "identified", at: at("2026-09-04T19:05:00Z"), opened: 1, files: map[string]string{
				"/history.atom": here + "feed/statuspage/identified.atom",
			}},
			{name: "update", at: at("2026-09-04T19:35:00Z"), updated: 1, files: map[string]string{
				"/history.atom": pkg + "feed/testdata/ongoing/feed.atom",
			}},
			{name: "resolved", at: at("2026-09-04T20:10:00Z"), polls: 2, resolved: 1, files: map[string]string{
				"/history.atom": here + "feed/statuspage/resolved.atom",
			}},
		},
	},
	{
		// A feed with one entry per update.
		name: "feed/perupdate",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return feed.New(base+"/feed.rss", c, feed.WithNow(now))
		},
		title: "Object storage: partial outage in fra1",
		phases: []phase{
			{name: "operational", at: at("2026-09-04T18:00:00Z"), files: map[string]string{
				"/feed.rss": here + "feed/perupdate/operational.xml",
			}},
			{name: "investigating", at: at("2026-09-04T18:35:00Z"), opened: 1, files: map[string]string{
				"/feed.rss": here + "feed/perupdate/investigating.xml",
			}},
			{name: "identified", at: at("2026-09-04T18:55:00Z"), updated: 1, files: map[string]string{
				"/feed.rss": here + "feed/perupdate/identified.xml",
			}},
			{name: "monitoring", at: at("2026-09-04T19:25:00Z"), updated: 1, files: map[string]string{
				"/feed.rss": pkg + "feed/testdata/perupdate/feed.xml",
			}},
			{name: "resolved", at: at("2026-09-04T19:50:00Z"), polls: 2, resolved: 1, files: map[string]string{
				"/feed.rss": here + "feed/perupdate/resolved.xml",
			}},
		},
	},
	{
		// incident.io's history feed: one entry per incident showing only
		// its latest update.
		name: "feed/incidentio",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return feed.New(base+"/feed.atom", c, feed.WithNow(now))
		},
		title: "Video generation unavailable",
		phases: []phase{
			{name: "operational", at: at("2026-09-04T19:00:00Z"), files: map[string]string{
				"/feed.atom": here + "feed/incidentio/operational.atom",
			}},
			{name: "investigating", at: at("2026-09-04T19:45:00Z"), opened: 1, files: map[string]string{
				"/feed.atom": pkg + "feed/testdata/incidentio/feed.atom",
			}},
			{name: "identified", at: at("2026-09-04T20:00:00Z"), updated: 1, files: map[string]string{
				"/feed.atom": here + "feed/incidentio/identified.atom",
			}},
			{name: "resolved", at: at("2026-09-04T20:25:00Z"), polls: 2, resolved: 1, files: map[string]string{
				"/feed.atom": here + "feed/incidentio/resolved.atom",
			}},
		},
	},
	{
		// incident.io's RSS feed: one item per incident showing only its
		// latest update, with its components' states listed under it.
		name: "feed/incidentio-rss",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return feed.New(base+"/feed.rss", c, feed.WithNow(now))
		},
		title: "Partial Disruption of Workspace Connector Write Actions",
		phases: []phase{
			{name: "operational", at: at("2026-09-04T19:00:00Z"), files: map[string]string{
				"/feed.rss": here + "feed/incidentio-rss/operational.xml",
			}},
			{name: "investigating", at: at("2026-09-04T19:25:00Z"), opened: 1, files: map[string]string{
				"/feed.rss": here + "feed/incidentio-rss/investigating.xml",
			}},
			{name: "identified", at: at("2026-09-04T19:55:00Z"), updated: 1, files: map[string]string{
				"/feed.rss": here + "feed/incidentio-rss/identified.xml",
			}},
			{name: "resolved", at: at("2026-09-04T20:35:00Z"), polls: 2, resolved: 1, files: map[string]string{
				"/feed.rss": here + "feed/incidentio-rss/resolved.xml",
			}},
		},
	},
	{
		name: "gcp",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return gcp.New(base, c, gcp.WithNow(now))
		},
		title: "Google Compute Engine is experiencing elevated error rates in us-central1",
		phases: []phase{
			// Only incidents that ended weeks ago: outside the window.
			{name: "operational", at: at("2026-06-24T08:00:00Z"), files: map[string]string{
				"/incidents.json": pkg + "gcp/testdata/operational/incidents.json",
			}},
			{name: "disruption", at: at("2026-06-24T08:35:00Z"), opened: 1, files: map[string]string{
				"/incidents.json": here + "gcp/disruption/incidents.json",
			}},
			// Two updates posted since the last poll: one event each.
			{name: "mitigation", at: at("2026-06-24T11:15:00Z"), updated: 2, files: map[string]string{
				"/incidents.json": here + "gcp/mitigation/incidents.json",
			}},
			{name: "resolved", at: at("2026-06-24T14:00:00Z"), polls: 2, resolved: 1, files: map[string]string{
				"/incidents.json": here + "gcp/resolved/incidents.json",
			}},
		},
	},
	{
		// Slack lists active incidents only: a resolved one just goes away.
		name: "slackstatus",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return slackstatus.New(base, c, slackstatus.WithNow(now))
		},
		title: "Some users may be having trouble loading messages",
		phases: []phase{
			{name: "operational", at: at("2026-11-22T13:30:00Z"), files: map[string]string{
				"/api/v2.0.0/current": pkg + "slackstatus/testdata/ok.json",
			}},
			{name: "investigating", at: at("2026-11-22T14:00:00Z"), opened: 1, files: map[string]string{
				"/api/v2.0.0/current": here + "slackstatus/investigating/current.json",
			}},
			{name: "identified", at: at("2026-11-22T14:35:00Z"), updated: 1, files: map[string]string{
				"/api/v2.0.0/current": here + "slackstatus/identified/current.json",
			}},
			// Gone five minutes after it was last listed: one poll may be a
			// stale copy, so the engine waits for a second.
			{name: "vanished", at: at("2026-11-22T14:40:00Z"), files: map[string]string{
				"/api/v2.0.0/current": pkg + "slackstatus/testdata/ok.json",
			}},
			{name: "still gone", at: at("2026-11-22T14:41:00Z"), resolved: 1, files: map[string]string{
				"/api/v2.0.0/current": pkg + "slackstatus/testdata/ok.json",
			}},
		},
	},
	{
		// Instatus's summary has neither updates nor affected components:
		// the phase change is the only news.
		name: "instatus",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return instatus.New(base, c, instatus.WithNow(now))
		},
		title: "Elevated API error rates",
		phases: []phase{
			{name: "operational", at: at("2026-09-04T18:30:00Z"), files: map[string]string{
				"/summary.json":       pkg + "instatus/testdata/operational/summary.json",
				"/v3/components.json": pkg + "instatus/testdata/operational/components.json",
			}},
			{name: "investigating", at: at("2026-09-04T18:45:00Z"), opened: 1, files: map[string]string{
				"/summary.json":       here + "instatus/investigating/summary.json",
				"/v3/components.json": here + "instatus/investigating/components.json",
			}},
			{name: "identified", at: at("2026-09-04T19:35:00Z"), updated: 1, files: map[string]string{
				"/summary.json":       here + "instatus/identified/summary.json",
				"/v3/components.json": here + "instatus/investigating/components.json",
			}},
			{name: "resolved", at: at("2026-09-04T19:55:00Z"), polls: 2, resolved: 1, files: map[string]string{
				"/summary.json":       pkg + "instatus/testdata/resolved/summary.json",
				"/v3/components.json": pkg + "instatus/testdata/resolved/components.json",
			}},
		},
	},
	{
		name: "betterstack",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return betterstack.New(base, c, betterstack.WithNow(now))
		},
		title: "API requests failing in the EU region",
		phases: []phase{
			// The August report is resolved and outside the window.
			{name: "operational", at: at("2026-09-04T18:30:00Z"), files: map[string]string{
				"/index.json": pkg + "betterstack/testdata/operational/index.json",
			}},
			{name: "identified", at: at("2026-09-04T19:05:00Z"), opened: 1, files: map[string]string{
				"/index.json": here + "betterstack/identified/index.json",
			}},
			{name: "update", at: at("2026-09-04T19:35:00Z"), updated: 1, files: map[string]string{
				"/index.json": pkg + "betterstack/testdata/ongoing/index.json",
			}},
			{name: "resolved", at: at("2026-09-04T19:55:00Z"), polls: 2, resolved: 1, files: map[string]string{
				"/index.json": pkg + "betterstack/testdata/resolved/index.json",
			}},
		},
	},
	{
		// status.io lists active incidents only: a resolved one just goes
		// away.
		name: "statusio",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return statusio.New(base+"/1.0/status/5b36dc6502d06804c08349f7", c,
				statusio.WithNow(now), statusio.WithPage("https://status.nimbus.dev"))
		},
		title: "API and website errors in US-East",
		phases: []phase{
			{name: "operational", at: at("2026-09-04T18:30:00Z"), files: map[string]string{
				"/1.0/status/5b36dc6502d06804c08349f7": pkg + "statusio/testdata/operational/status.json",
			}},
			{name: "investigating", at: at("2026-09-04T18:50:00Z"), opened: 1, files: map[string]string{
				"/1.0/status/5b36dc6502d06804c08349f7": here + "statusio/investigating/status.json",
			}},
			{name: "identified", at: at("2026-09-04T19:35:00Z"), updated: 1, files: map[string]string{
				"/1.0/status/5b36dc6502d06804c08349f7": pkg + "statusio/testdata/ongoing/status.json",
			}},
			{name: "vanished", at: at("2026-09-04T19:40:00Z"), files: map[string]string{
				"/1.0/status/5b36dc6502d06804c08349f7": pkg + "statusio/testdata/operational/status.json",
			}},
			{name: "still gone", at: at("2026-09-04T19:41:00Z"), resolved: 1, files: map[string]string{
				"/1.0/status/5b36dc6502d06804c08349f7": pkg + "statusio/testdata/operational/status.json",
			}},
		},
	},
	{
		// Cachet 2.4 (with incident updates; no schedules: a 404).
		name: "cachet",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return cachet.New(base, c, cachet.WithNow(now))
		},
		title: "API errors in Frankfurt",
		phases: []phase{
			{name: "operational", at: at("2026-09-04T20:30:00Z"), files: map[string]string{
				"/api/v1/components":        pkg + "cachet/testdata/operational/components.json",
				"/api/v1/components/groups": pkg + "cachet/testdata/operational/groups.json",
				"/api/v1/incidents":         pkg + "cachet/testdata/operational/incidents.json",
			}},
			{name: "identified", at: at("2026-09-04T21:05:00Z"), opened: 1, files: map[string]string{
				"/api/v1/components":           here + "cachet/identified/components.json",
				"/api/v1/components/groups":    pkg + "cachet/testdata/ongoing/groups.json",
				"/api/v1/incidents":            here + "cachet/identified/incidents.json",
				"/api/v1/incidents/43/updates": here + "cachet/identified/updates-43.json",
			}},
			{name: "update", at: at("2026-09-04T21:35:00Z"), updated: 1, files: map[string]string{
				"/api/v1/components":           here + "cachet/identified/components.json",
				"/api/v1/components/groups":    pkg + "cachet/testdata/ongoing/groups.json",
				"/api/v1/incidents":            here + "cachet/update/incidents.json",
				"/api/v1/incidents/43/updates": pkg + "cachet/testdata/ongoing/updates-43.json",
			}},
			{name: "resolved", at: at("2026-09-04T21:50:00Z"), polls: 2, resolved: 1, files: map[string]string{
				"/api/v1/components":           pkg + "cachet/testdata/resolved/components.json",
				"/api/v1/components/groups":    pkg + "cachet/testdata/resolved/groups.json",
				"/api/v1/incidents":            pkg + "cachet/testdata/resolved/incidents.json",
				"/api/v1/incidents/43/updates": pkg + "cachet/testdata/resolved/updates-43.json",
			}},
		},
	},
	{
		// AWS lists open events only, as UTF-16: when the event drops off
		// the list, the history has its closing words.
		name: "awshealth",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return awshealth.New(base, c, awshealth.WithNow(now), awshealth.WithHistoryURL(base+"/historyevents.json"))
		},
		title:       "Amazon Elastic Compute Cloud (us-east-1): Increased API Error Rates",
		restoration: "The issue has been resolved and the service is operating normally.",
		phases: []phase{
			// No history yet: a 404, which the source gets by without.
			{name: "operational", at: at("2026-12-03T13:50:00Z"), files: map[string]string{
				"/public/currentevents": pkg + "awshealth/testdata/operational/currentevents.json",
			}},
			{name: "investigating", at: at("2026-12-03T14:05:00Z"), opened: 1, files: map[string]string{
				"/public/currentevents": pkg + "awshealth/testdata/investigating/currentevents.json",
			}},
			{name: "identified", at: at("2026-12-03T14:40:00Z"), updated: 1, files: map[string]string{
				"/public/currentevents": here + "awshealth/identified/currentevents.json",
			}},
			{name: "still identified", at: at("2026-12-03T16:38:00Z"), files: map[string]string{
				"/public/currentevents": here + "awshealth/identified/currentevents.json",
			}},
			// Gone four minutes after it was last listed, which alone the
			// engine would take for a stale copy: the history settles it on
			// the first poll, with AWS's words.
			{name: "resolved", at: at("2026-12-03T16:42:00Z"), resolved: 1, files: map[string]string{
				"/public/currentevents": pkg + "awshealth/testdata/operational/currentevents.json",
				"/historyevents.json":   pkg + "awshealth/testdata/history/historyevents.json",
			}},
		},
	},
	{
		// The event stays listed with AWS's closing entry (and in UTF-8):
		// resolved on the poll that sees it, with no history to read.
		name: "awshealth/closing",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return awshealth.New(base, c, awshealth.WithNow(now), awshealth.WithHistoryURL(""))
		},
		title:       "Amazon Elastic Compute Cloud (us-east-1): Increased API Error Rates",
		restoration: "The issue has been resolved and the service is operating normally.",
		phases: []phase{
			{name: "operational", at: at("2026-12-03T13:50:00Z"), files: map[string]string{
				"/public/currentevents": pkg + "awshealth/testdata/operational/currentevents.json",
			}},
			{name: "investigating", at: at("2026-12-03T14:05:00Z"), opened: 1, files: map[string]string{
				"/public/currentevents": pkg + "awshealth/testdata/investigating/currentevents.json",
			}},
			{name: "identified", at: at("2026-12-03T16:38:00Z"), updated: 1, files: map[string]string{
				"/public/currentevents": here + "awshealth/identified/currentevents.json",
			}},
			{name: "closing", at: at("2026-12-03T16:42:00Z"), resolved: 1, files: map[string]string{
				"/public/currentevents": here + "awshealth/closing/currentevents.json",
			}},
		},
	},
}

// page is the fake status page: it serves the current phase's fixtures with
// an ETag and answers a matching If-None-Match with 304, as vendors' CDNs do.
type page struct {
	mu    sync.Mutex
	files map[string]string
}

func (p *page) set(files map[string]string) {
	p.mu.Lock()
	p.files = files
	p.mu.Unlock()
}

func (p *page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	file, ok := p.files[r.URL.Path]
	p.mu.Unlock()
	if !ok || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	data, err := os.ReadFile(file)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	etag := fmt.Sprintf(`"%x"`, sha256.Sum256(data))
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", contentType(file))
	w.Write(data)
}

func contentType(file string) string {
	switch filepath.Ext(file) {
	case ".atom":
		return "application/atom+xml; charset=utf-8"
	case ".xml", ".rss":
		return "application/rss+xml; charset=utf-8"
	}
	return mime.TypeByExtension(".json")
}

// clock is the time the Source and the engine share.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func kinds(evs []outage.Event) string {
	var b strings.Builder
	for i, ev := range evs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(ev.Kind))
	}
	return "[" + b.String() + "]"
}

func TestLifecycle(t *testing.T) {
	for _, lc := range lifecycles {
		t.Run(lc.name, func(t *testing.T) {
			t.Parallel()
			runLifecycle(t, lc)
		})
	}
}

// driver runs one format's real Source against the fake page and feeds
// what it sees to the real engine, phase by phase.
type driver struct {
	t   *testing.T
	p   *page
	clk *clock
	src sources.Source
	eng *bot.Engine
	st  *bot.TargetState
}

func newDriver(t *testing.T, source func(base string, client *fetch.Client, now func() time.Time) sources.Source) *driver {
	p := &page{}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	clk := &clock{}
	n := 0
	return &driver{t: t, p: p, clk: clk, src: source(srv.URL, fetch.New(fetch.Options{}), clk.now),
		eng: &bot.Engine{NewID: func() string { n++; return fmt.Sprintf("outage-%d", n) }},
		st:  &bot.TargetState{Target: "Vendor"}}
}

// phase serves ph's files and polls ph.polls times, a minute apart,
// returning the events of every poll.
func (d *driver) phase(ph phase) []outage.Event {
	d.t.Helper()
	d.p.set(ph.files)
	var evs []outage.Event
	for i := range max(ph.polls, 1) {
		now := ph.at.Add(time.Duration(i) * time.Minute)
		d.clk.set(now)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		obs, err := d.src.Poll(ctx)
		cancel()
		if err != nil {
			d.t.Fatalf("%s: poll %d: %v", ph.name, i+1, err)
		}
		ch := d.eng.Apply(d.st, policy, obs, nil, now)
		for _, ev := range ch.Events {
			d.t.Logf("%s poll %d: %s %s #%d %q (%s, %s, class %s): %.80q", ph.name, i+1, ev.Kind, ev.OutageID, ev.Seq, ev.Title, ev.Severity, ev.Phase, ev.Class, ev.Body)
		}
		evs = append(evs, ch.Events...)
	}
	return evs
}

func runLifecycle(t *testing.T, lc lifecycle) {
	d := newDriver(t, lc.source)
	st := d.st

	var all []outage.Event
	opened := map[string]outage.Event{} // by outage id
	resolved := map[string]bool{}
	for _, ph := range lc.phases {
		evs := d.phase(ph)

		count := map[outage.Kind]int{}
		for _, ev := range evs {
			count[ev.Kind]++
			if ev.Target != "Vendor" {
				t.Errorf("%s: event for target %q", ph.name, ev.Target)
			}
			if ev.Class != outage.Incident {
				t.Errorf("%s: %s event of class %s (%q)", ph.name, ev.Kind, ev.Class, ev.Body)
			}
			if resolved[ev.OutageID] {
				t.Errorf("%s: %s event for outage %s after it was resolved", ph.name, ev.Kind, ev.OutageID)
			}
			switch ev.Kind {
			case outage.Opened:
				if prev, dup := opened[ev.OutageID]; dup {
					t.Errorf("%s: outage %s opened twice (first %q)", ph.name, ev.OutageID, prev.Title)
				}
				for id, prev := range opened {
					if prev.Title == ev.Title || prev.URL == ev.URL {
						t.Errorf("%s: incident %q opened again as %s (first as %s)", ph.name, ev.Title, ev.OutageID, id)
					}
				}
				opened[ev.OutageID] = ev
				if ev.Seq != 1 {
					t.Errorf("%s: opened event has seq %d", ph.name, ev.Seq)
				}
				if ev.Title != lc.title {
					t.Errorf("%s: opened %q, want %q", ph.name, ev.Title, lc.title)
				}
				if ev.OpenedAt.IsZero() || ev.OpenedAt.After(ev.At) {
					t.Errorf("%s: opened at %v, announced at %v", ph.name, ev.OpenedAt, ev.At)
				}
			case outage.Updated:
				if strings.TrimSpace(ev.Body) == "" {
					t.Errorf("%s: update without a body", ph.name)
				}
			case outage.Resolved:
				resolved[ev.OutageID] = true
				if d := ev.Duration(); d <= 0 {
					t.Errorf("%s: resolved with duration %v (opened %v, resolved %v)", ph.name, d, ev.OpenedAt, ev.ResolvedAt)
				}
				if ev.ResolvedAt.After(ev.At) {
					t.Errorf("%s: resolved at %v, after the poll at %v", ph.name, ev.ResolvedAt, ev.At)
				}
				if lc.restoration != "" && !strings.Contains(ev.Body, lc.restoration) {
					t.Errorf("%s: resolved with %q, want the vendor's words %q", ph.name, ev.Body, lc.restoration)
				}
			}
			if _, known := opened[ev.OutageID]; !known {
				t.Errorf("%s: %s event for outage %s that was never opened", ph.name, ev.Kind, ev.OutageID)
			}
		}
		if count[outage.Opened] != ph.opened || count[outage.Updated] != ph.updated || count[outage.Resolved] != ph.resolved {
			t.Errorf("%s: events %s: %d opened, %d updated, %d resolved; want %d, %d, %d",
				ph.name, kinds(evs), count[outage.Opened], count[outage.Updated], count[outage.Resolved],
				ph.opened, ph.updated, ph.resolved)
		}
		all = append(all, evs...)
	}

	// One incident, one thread: every event belongs to the one outage, in
	// sequence, from opened to resolved.
	if len(opened) != 1 {
		t.Errorf("%d outages opened over the lifecycle, want 1", len(opened))
	}
	for i, ev := range all {
		if ev.OutageID != all[0].OutageID {
			t.Errorf("event %d (%s) belongs to outage %s, want %s", i, ev.Kind, ev.OutageID, all[0].OutageID)
		}
		if ev.Seq != i+1 {
			t.Errorf("event %d (%s) has seq %d", i, ev.Kind, ev.Seq)
		}
	}
	if len(all) > 0 && all[len(all)-1].Kind != outage.Resolved {
		t.Errorf("last event is %s, want resolved", all[len(all)-1].Kind)
	}
	if len(st.Outages) != 0 {
		for key := range st.Outages {
			t.Errorf("outage %s still open at the end", key)
		}
	}
}
