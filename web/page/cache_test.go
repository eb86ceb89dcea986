package page

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/statusview"
)

// TestRowCacheAndETagFollowTheState renders the fixture page, changes one
// shown value, and renders again on the same handler: the page and its
// ETag must equal what a fresh handler renders (no kept row is stale, and
// replicas agree) and its ETag must change; the unchanged page must keep
// its ETag.
func TestRowCacheAndETagFollowTheState(t *testing.T) {
	openai := func(p *statusview.Page) *statusview.Target { return &p.Groups[0].Targets[0] }
	anthropic := func(p *statusview.Page) *statusview.Target { return &p.Groups[0].Targets[1] }
	for _, tc := range []struct {
		name   string
		change func(p *statusview.Page)
	}{
		{"status", func(p *statusview.Page) { anthropic(p).Status = sources.MajorOutage }},
		{"since moves with the clock", func(p *statusview.Page) { p.Generated = p.Generated.Add(time.Minute) }},
		{"error", func(p *statusview.Page) { p.Groups[1].Targets[0].Error = "timeout" }},
		{"uptime", func(p *statusview.Page) { anthropic(p).Uptime.Week = pct(0.99) }},
		{"uptime unknown", func(p *statusview.Page) { anthropic(p).Uptime.Day = nil }},
		{"open outage ids", func(p *statusview.Page) { openai(p).OpenOutages = append(openai(p).OpenOutages, "o-openai-2") }},
		{"a day's outage grows", func(p *statusview.Page) {
			d := &openai(p).Days[89]
			d.Outages[0].Duration += time.Minute
		}},
		{"a versioned target's days with a new version", func(p *statusview.Page) {
			a := anthropic(p)
			a.DaysVersion = 2
			a.Days[70].Worst, a.Days[70].Down = sources.Degraded, time.Hour
		}},
		{"days of a new UTC day under the same version", func(p *statusview.Page) {
			a := anthropic(p)
			for i := range a.Days {
				a.Days[i].Date = a.Days[i].Date.AddDate(0, 0, 1)
			}
		}},
		{"a location's verdict", func(p *statusview.Page) {
			anthropic(p).Locations = []statusview.Location{{Name: "eu-west", Status: sources.MajorOutage, Failing: true, Error: "timeout"}}
		}},
		{"a location's latency as shown", func(p *statusview.Page) {
			anthropic(p).Locations = []statusview.Location{{Name: "eu-west", Status: sources.Operational, Latency: 42 * time.Millisecond}}
		}},
		{"group name", func(p *statusview.Page) { p.Groups[0].Name = "AI" }},
		{"banner", func(p *statusview.Page) { p.Overall = sources.MajorOutage }},
		{"vendor words", func(p *statusview.Page) { p.Open[0].Latest = "Fixed." }},
		{"title", func(p *statusview.Page) { p.Title = "Acme" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := fixturePage()
			// Anthropic's days come versioned, as the builder gives a
			// target with no open outage, with one day to show.
			anthropic(&page).DaysVersion = 1
			anthropic(&page).Days[50].Worst, anthropic(&page).Days[50].Maintenance = sources.Maintenance, time.Hour
			view := ViewsFunc(func(context.Context) (statusview.Page, error) { return page, nil })
			mux := newHandlerViews(t, "en", view)
			before := get(t, mux, "/")
			again := get(t, mux, "/")
			if again.Header().Get("ETag") != before.Header().Get("ETag") || again.Body.String() != before.Body.String() {
				t.Fatalf("the same state gave another page or ETag: %s, %s", before.Header().Get("ETag"), again.Header().Get("ETag"))
			}
			if get(t, mux, "/", "If-None-Match", before.Header().Get("ETag")).Code != http.StatusNotModified {
				t.Fatal("the same state is not 304 Not Modified")
			}
			tc.change(&page)
			after := get(t, mux, "/")
			fresh := get(t, newHandler(t, "en", page, fixtureStore(0)), "/")
			if after.Body.String() != fresh.Body.String() {
				t.Errorf("the changed page shows a kept row that is stale:\n%s\nwant\n%s", after.Body.String(), fresh.Body.String())
			}
			// Another handler is another replica, or this one after a
			// restart: one page, one ETag, or If-None-Match misses.
			if after.Header().Get("ETag") != fresh.Header().Get("ETag") {
				t.Errorf("one page, two ETags: %s on a handler that kept rows, %s on a fresh one", after.Header().Get("ETag"), fresh.Header().Get("ETag"))
			}
			if after.Body.String() == before.Body.String() {
				t.Errorf("the change shows nothing on the page")
			}
			if after.Header().Get("ETag") == before.Header().Get("ETag") {
				t.Errorf("the changed page kept its ETag %s", before.Header().Get("ETag"))
			}
		})
	}
}

// TestRowCacheKeysByLocale renders one target into one cache in English
// and German: a kept row of one locale is never shown in the other.
func TestRowCacheKeysByLocale(t *testing.T) {
	var rows rowCache
	p := fixturePage()
	for _, tc := range []struct{ locale, want, not string }{
		{"en", "Operational", "In Betrieb"},
		{"de", "In Betrieb", "Operational"},
	} {
		l, err := newLocale(tc.locale)
		if err != nil {
			t.Fatal(err)
		}
		h, err := New(Options{Views: ViewsFunc(func(context.Context) (statusview.Page, error) { return p, nil }), Store: fixtureStore(0), Locale: tc.locale})
		if err != nil {
			t.Fatal(err)
		}
		d, err := l.status(p, &rows, h.row, newEtagger(""))
		if err != nil {
			t.Fatal(err)
		}
		row := string(d.Groups[0].Targets[1].Row)
		if !strings.Contains(row, tc.want) || strings.Contains(row, tc.not) {
			t.Errorf("%s row of Anthropic: %s", tc.locale, row)
		}
	}
}

// newHandlerViews is newHandler with the views given.
func newHandlerViews(t testing.TB, locale string, views Views) http.Handler {
	t.Helper()
	h, err := New(Options{Views: views, Store: fixtureStore(0), Locale: locale, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for pattern, handler := range h.Routes() {
		mux.Handle(pattern, handler)
	}
	return mux
}
