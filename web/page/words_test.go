package page

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/report"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/statusview"
)

// bannerPage is a page of one target whose state is the whole page's,
// with the open outage of class c that put it there (none for an
// operational target).
func bannerPage(s sources.Status, c outage.Class) statusview.Page {
	t := statusview.Target{Name: "Stripe", Type: "statuspage", Status: s, CheckedAt: t0, Reachable: s != sources.Unknown,
		Uptime: statusview.Uptime{Day: pct(1), Week: pct(0.99999), Month: pct(0.9995), Quarter: pct(0.999)}, Days: days(nil)}
	p := statusview.Page{Title: "Acme status", Generated: t0, Overall: s, Groups: []statusview.Group{{Name: "Payments", Targets: []statusview.Target{t}}}}
	if s == sources.Operational {
		return p
	}
	p.Groups[0].Targets[0].Since = t0.Add(-25 * time.Minute)
	p.Groups[0].Targets[0].OpenOutages = []string{"o-stripe-1"}
	p.Open = []statusview.Outage{{ID: "o-stripe-1", Target: "Stripe", Group: "Payments", Title: "Stripe", Class: c, Severity: s, Started: t0.Add(-25 * time.Minute)}}
	return p
}

// TestStatusPageStatesGolden shows the banner and the open outages of a
// page that is all good, under maintenance, and unable to read a feed.
func TestStatusPageStatesGolden(t *testing.T) {
	for _, locale := range Locales() {
		for _, tc := range []struct {
			name   string
			status sources.Status
			class  outage.Class
		}{
			{"ok", sources.Operational, ""},
			{"maintenance", sources.Maintenance, outage.MaintenanceWork},
			{"unknown", sources.Unknown, outage.Unreachable},
		} {
			t.Run(locale+"/"+tc.name, func(t *testing.T) {
				h := newHandler(t, locale, bannerPage(tc.status, tc.class), fixtureStore(0))
				golden.Text(t, locale+"-banner-"+tc.name, get(t, h, "/?part=main").Body.String(), *update)
			})
		}
	}
}

// brokenStore cannot list outages.
type brokenStore struct{ *memStore }

func (brokenStore) Outages(context.Context, time.Time, string) ([]outage.Outage, error) {
	return nil, errors.New("disk full")
}

// TestErrorPagesGolden shows the pages a reader gets when the status
// picture cannot be read and when the stored outages cannot.
func TestErrorPagesGolden(t *testing.T) {
	failing := ViewsFunc(func(context.Context) (statusview.Page, error) { return statusview.Page{}, errors.New("store down") })
	for _, locale := range Locales() {
		for _, tc := range []struct {
			name string
			h    http.Handler
			url  string
			code int
		}{
			{"unavailable", newHandlerViews(t, locale, failing), "/", http.StatusServiceUnavailable},
			{"error", newHandlerStore(t, locale, brokenStore{fixtureStore(0)}), "/history", http.StatusInternalServerError},
		} {
			rec := get(t, tc.h, tc.url)
			if rec.Code != tc.code {
				t.Fatalf("%s %s: %d, want %d", locale, tc.name, rec.Code, tc.code)
			}
			golden.Text(t, locale+"-"+tc.name, assetNames.ReplaceAllString(rec.Body.String(), "/assets/$1.HASH."), *update)
		}
	}
}

// newHandlerStore is newHandler with the fixture page and the store given.
func newHandlerStore(t testing.TB, locale string, st report.Store) http.Handler {
	t.Helper()
	h, err := New(Options{Views: ViewsFunc(func(context.Context) (statusview.Page, error) { return fixturePage(), nil }), Store: st, Locale: locale, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for pattern, handler := range h.Routes() {
		mux.Handle(pattern, handler)
	}
	return mux
}

// TestHistoryPagesGolden shows a window without outages and a page of a
// long history between newer and older ones.
func TestHistoryPagesGolden(t *testing.T) {
	for _, locale := range Locales() {
		h := newHandler(t, locale, fixturePage(), fixtureStore(110))
		for name, url := range map[string]string{
			"history-empty": "/history?window=24h&target=checkout",
			"history-paged": "/history?window=90d&page=2",
		} {
			rec := get(t, h, url+"&part=main")
			golden.Text(t, locale+"-"+name, rec.Body.String(), *update)
		}
	}
}

// reports are outage reports in each state the facts can take: resolved
// after the vendor acknowledged it late and dated it earlier, with our
// services confirmed, withdrawn and unconfirmed; ongoing with the
// vendor first; ongoing and resolved without a word from the vendor.
func reports() map[string]report.Report {
	failed := t0.Add(-2 * time.Hour)
	svc := func(name string, restored time.Duration, c outage.Confirmation) report.Service {
		s := report.Service{Name: name, OutageID: "o-" + name, FailedAt: failed, Duration: restored, Confirm: c, Severity: sources.MajorOutage}
		if restored > 0 {
			s.RestoredAt = failed.Add(restored)
		} else {
			s.Duration = t0.Sub(failed)
		}
		return s
	}
	timeline := []report.Entry{
		{At: failed, Target: "checkout", OutageID: "o-checkout", Kind: outage.Opened, Severity: sources.MajorOutage, Text: "connection refused"},
		{At: failed.Add(20 * time.Minute), Target: "Stripe", OutageID: "o-stripe", Kind: outage.Updated, Severity: sources.MajorOutage, Phase: sources.IncidentMonitoring, Text: "A fix is in place."},
		{At: failed.Add(90 * time.Minute), Target: "Stripe", OutageID: "o-stripe", Kind: outage.Resolved, Severity: sources.Operational, Phase: sources.IncidentResolved, Text: "Resolved."},
	}
	vendor := func(lag time.Duration) *report.Vendor {
		return &report.Vendor{Name: "Stripe", Title: "Payments failing", URL: "https://status.stripe.com/incidents/x", AckAt: failed.Add(lag), Lag: lag, StartedAt: failed.Add(-30 * time.Minute)}
	}
	return map[string]report.Report{
		"resolved": {ID: "o-stripe", Target: "Stripe", Title: "Payments failing", Severity: sources.MajorOutage, DetectedAt: failed, DetectedBy: "checkout",
			Vendor: vendor(12 * time.Minute), RestoredAt: failed.Add(90 * time.Minute), Duration: 90 * time.Minute, Components: []string{"API", "Checkout"},
			Services: []report.Service{svc("checkout", 85*time.Minute, outage.Confirmed), svc("billing", 3*time.Minute, outage.Withdrawn), svc("invoices", 30*time.Minute, outage.Unconfirmed)},
			Timeline: timeline},
		"vendor-first": {ID: "o-stripe", Target: "Stripe", Title: "Payments failing", Severity: sources.MajorOutage, Ongoing: true, DetectedAt: failed, DetectedBy: "checkout",
			Vendor: &report.Vendor{Name: "Stripe", Title: "Payments failing", AckAt: failed, StartedAt: failed}, Duration: t0.Sub(failed),
			Services: []report.Service{svc("checkout", 0, "")}, Timeline: timeline[:2]},
		"vendor-not-yet": {ID: "o-checkout", Target: "checkout", Title: "checkout", Severity: sources.MajorOutage, Ongoing: true, DetectedAt: failed, DetectedBy: "checkout",
			Duration: t0.Sub(failed), Services: []report.Service{svc("checkout", 0, outage.Unconfirmed)}, Timeline: timeline[:1]},
		"vendor-never": {ID: "o-checkout", Target: "checkout", Title: "checkout", Severity: sources.MajorOutage, DetectedAt: failed, DetectedBy: "checkout",
			RestoredAt: failed.Add(time.Hour), Duration: time.Hour, Services: []report.Service{svc("checkout", time.Hour, outage.Unconfirmed)}, Timeline: timeline[:1]},
	}
}

// TestReportStatesGolden shows the facts of an outage report in each
// state, as the outage page writes them.
func TestReportStatesGolden(t *testing.T) {
	for _, locale := range Locales() {
		h, err := New(Options{Views: ViewsFunc(nil), Store: &memStore{}, Locale: locale, Now: func() time.Time { return t0 }})
		if err != nil {
			t.Fatal(err)
		}
		for name, rep := range reports() {
			t.Run(locale+"/"+name, func(t *testing.T) {
				f := h.frame(statusview.Page{Title: "Acme status", Generated: t0}, "", h.l.T("page.report.title", nil), h.l.report(rep, nil))
				var b strings.Builder
				if err := h.report.ExecuteTemplate(&b, "main", f); err != nil {
					t.Fatal(err)
				}
				golden.Text(t, locale+"-report-"+name, b.String(), *update)
			})
		}
	}
}

// An outage the bot named and described itself (a feed it cannot read)
// reads in the page's language; a vendor's words stay as written.
func TestBotWordsInThePagesLanguage(t *testing.T) {
	title := outage.Say("class.unreachable")
	latest := outage.Say("chat.state.offline")
	for _, tc := range []struct {
		locale, title, latest string
	}{
		{"en", "no status data", "Offline"},
		{"de", "keine Statusdaten", "Offline"},
	} {
		p := bannerPage(sources.Unknown, outage.Unreachable)
		p.Open[0].Title, p.Open[0].TitleSaid = "English title", &title
		p.Open[0].Latest, p.Open[0].LatestSaid, p.Open[0].LatestAt = "English body", &latest, t0
		body := get(t, newHandler(t, tc.locale, p, fixtureStore(0)), "/?part=main").Body.String()
		if !strings.Contains(body, tc.title) || strings.Contains(body, "English title") {
			t.Errorf("%s: the bot's title is not %q:\n%s", tc.locale, tc.title, body)
		}
		if strings.Contains(body, "English body") {
			t.Errorf("%s: the bot's latest words are in English:\n%s", tc.locale, body)
		}
	}
	// Vendor words have no message and stay as the vendor wrote them.
	p := bannerPage(sources.MajorOutage, outage.Incident)
	p.Open[0].Title = "Elevated errors"
	if body := get(t, newHandler(t, "de", p, fixtureStore(0)), "/?part=main").Body.String(); !strings.Contains(body, "Elevated errors") {
		t.Errorf("the vendor's title is missing:\n%s", body)
	}
}
