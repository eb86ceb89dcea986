package page

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/statusview"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func newHandler(t testing.TB, locale string, p statusview.Page, st *memStore) http.Handler {
	t.Helper()
	h, err := New(Options{
		Views:  ViewsFunc(func(context.Context) (statusview.Page, error) { return p, nil }),
		Store:  st,
		Locale: locale,
		Now:    func() time.Time { return t0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for pattern, handler := range h.Routes() {
		mux.Handle(pattern, handler)
	}
	return mux
}

func get(t testing.TB, h http.Handler, url string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// assetNames hides the content hashes in asset URLs, so a change of style
// does not rewrite every golden.
var assetNames = regexp.MustCompile(`/assets/(\w+)\.[0-9a-f]{12}\.`)

func TestPagesGolden(t *testing.T) {
	for _, locale := range Locales() {
		h := newHandler(t, locale, fixturePage(), fixtureStore(3))
		for _, tc := range []struct{ name, url string }{
			{"status", "/"},
			{"status-part", "/?part=main"},
			{"report", "/outages/o-openai-1"},
			{"history", "/history?window=90d"},
			{"history-filtered", "/history?target=OpenAI&window=30d"},
			{"notfound", "/outages/nope"},
		} {
			t.Run(locale+"/"+tc.name, func(t *testing.T) {
				rec := get(t, h, tc.url)
				want := http.StatusOK
				if tc.name == "notfound" {
					want = http.StatusNotFound
				}
				if rec.Code != want {
					t.Fatalf("GET %s: %d, want %d", tc.url, rec.Code, want)
				}
				golden.Text(t, locale+"-"+tc.name, assetNames.ReplaceAllString(rec.Body.String(), "/assets/$1.HASH."), *update)
			})
		}
	}
}

// TestVendorTextIsInert: a vendor title or update with markup shows as
// text, never as markup, wherever it appears (banner list, open outage,
// bar tooltip and screen-reader text, report, history).
func TestVendorTextIsInert(t *testing.T) {
	h := newHandler(t, "en", fixturePage(), fixtureStore(0))
	for _, url := range []string{"/", "/outages/o-openai-1", "/history?window=90d"} {
		body := get(t, h, url).Body.String()
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<b>elevated") {
			t.Errorf("GET %s: vendor markup is live in the page", url)
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("GET %s: the escaped vendor title is missing", url)
		}
	}
}

// TestKeptWordsSayTheSame renders every page in every locale with the
// words and phrases the locale keeps and with the catalog's templates
// written each time: they must not differ by a byte.
func TestKeptWordsSayTheSame(t *testing.T) {
	for _, name := range Locales() {
		serve := func(slow bool) http.Handler {
			st := fixtureStore(60)
			h, err := New(Options{Views: ViewsFunc(func(context.Context) (statusview.Page, error) { return fixturePage(), nil }), Store: st, Locale: name, Now: func() time.Time { return t0 }})
			if err != nil {
				t.Fatal(err)
			}
			h.l.slow = slow
			mux := http.NewServeMux()
			for pattern, handler := range h.Routes() {
				mux.Handle(pattern, handler)
			}
			return mux
		}
		fast, slow := serve(false), serve(true)
		for _, url := range []string{"/", "/outages/o-openai-1", "/outages/o-openai-0", "/history?window=90d&page=2", "/outages/no%0Asuch"} {
			// Twice: the first view keeps the words, the second uses them.
			for range 2 {
				if got, want := get(t, fast, url).Body.String(), get(t, slow, url).Body.String(); got != want {
					t.Errorf("%s %s: the kept words differ from the catalog's:\n%s\nwant\n%s", name, url, got, want)
				}
			}
		}
		fastL, _ := newLocale(name)
		slowL, _ := newLocale(name)
		slowL.slow = true
		for what, rep := range reports() {
			for range 2 {
				if got, want := fastL.report(rep, nil), slowL.report(rep, nil); !reflect.DeepEqual(got, want) {
					t.Errorf("%s report %s: the kept words differ from the catalog's:\n%+v\nwant\n%+v", name, what, got, want)
				}
			}
		}
	}
}

func TestUnknownLocale(t *testing.T) {
	_, err := New(Options{Views: ViewsFunc(nil), Store: &memStore{}, Locale: "fr"})
	if err == nil || !strings.Contains(err.Error(), `"fr"`) || !strings.Contains(err.Error(), "en, de") {
		t.Fatalf("New with locale fr: %v, want an error naming it and the accepted ones", err)
	}
}

func TestHeadersETagAndGzip(t *testing.T) {
	h := newHandler(t, "en", fixturePage(), fixtureStore(0))
	first := get(t, h, "/")
	hdr := first.Header()
	for name, want := range map[string]string{
		"Content-Security-Policy": csp,
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
		"Content-Type":            "text/html; charset=utf-8",
		"Cache-Control":           "no-cache",
	} {
		if got := hdr.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(first.Body.String(), "<script>") || strings.Contains(first.Body.String(), " style=") {
		t.Error("inline script or style: the CSP would block it")
	}
	etag := hdr.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if rec := get(t, h, "/", "If-None-Match", etag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match with the ETag: %d with %d bytes, want 304 and none", rec.Code, rec.Body.Len())
	}
	if rec := get(t, h, "/", "If-None-Match", `"other"`); rec.Code != http.StatusOK {
		t.Errorf("If-None-Match with another ETag: %d, want 200", rec.Code)
	}

	zipped := get(t, h, "/", "Accept-Encoding", "gzip, deflate, br")
	if zipped.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Accept-Encoding gzip: Content-Encoding %q", zipped.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(plain, first.Body.Bytes()) {
		t.Errorf("the gzip body is not the page (%v)", err)
	}
	zetag := zipped.Header().Get("ETag")
	if zetag == etag {
		t.Error("the gzip variant shares the plain ETag")
	}
	if rec := get(t, h, "/", "Accept-Encoding", "gzip", "If-None-Match", zetag); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match with the gzip ETag: %d, want 304", rec.Code)
	}
	if rec := get(t, h, "/", "Accept-Encoding", "gzip;q=0"); rec.Header().Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 still got gzip")
	}
}

func TestAssetsAreHashedAndCachedLong(t *testing.T) {
	h := newHandler(t, "en", fixturePage(), fixtureStore(0))
	body := get(t, h, "/").Body.String()
	urls := regexp.MustCompile(`(?:href|src)="(/assets/[^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(urls) != 3 {
		t.Fatalf("the page links %d assets, want 3 (icon, style and script)", len(urls))
	}
	for _, u := range urls {
		rec := get(t, h, u[1])
		if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: %d, Cache-Control %q", u[1], rec.Code, rec.Header().Get("Cache-Control"))
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/css") && !strings.HasPrefix(ct, "text/javascript") && ct != "image/svg+xml" {
			t.Errorf("GET %s: Content-Type %q", u[1], ct)
		}
	}
	if rec := get(t, h, "/assets/style.000000000000.css"); rec.Code != http.StatusNotFound {
		t.Errorf("an asset under a stale hash: %d, want 404", rec.Code)
	}
}

func TestHistoryFiltersAndPaging(t *testing.T) {
	h := newHandler(t, "en", fixturePage(), fixtureStore(120))
	rows := regexp.MustCompile(`<a href="/outages/([^"]+)">`)
	ids := func(url string) []string {
		var out []string
		for _, m := range rows.FindAllStringSubmatch(get(t, h, url).Body.String(), -1) {
			out = append(out, m[1])
		}
		return out
	}
	for _, tc := range []struct {
		url       string
		n         int
		first     string
		wantOlder bool
	}{
		// Newest first: the open OpenAI outage, then Anthropic's every 7h,
		// with OpenAI's old one (29 days ago) between 098 and 099.
		{"/history?window=90d", 50, "o-openai-1", true},
		{"/history?window=90d&page=3", 22, "o-openai-0", false},
		{"/history?window=90d&page=99", 22, "o-openai-0", false},
		{"/history?window=24h", 4, "o-openai-1", false},
		{"/history?window=90d&target=OpenAI", 2, "o-openai-1", false},
		{"/history?window=90d&group=AI+vendors&page=2", 50, "o-anthropic-049", true},
		{"/history?window=90d&group=nosuch", 0, "", false},
		{"/history?window=bogus", 25, "o-openai-1", false}, // the default, 7 days
	} {
		got := ids(tc.url)
		if len(got) != tc.n || (tc.n > 0 && got[0] != tc.first) {
			first := ""
			if len(got) > 0 {
				first = got[0]
			}
			t.Errorf("GET %s: %d outages from %q, want %d from %q", tc.url, len(got), first, tc.n, tc.first)
		}
		if older := strings.Contains(get(t, h, tc.url).Body.String(), `rel="next"`); older != tc.wantOlder {
			t.Errorf("GET %s: link to older %v, want %v", tc.url, older, tc.wantOlder)
		}
	}
}

func TestOutageOfHiddenTargetIsNotFound(t *testing.T) {
	p := fixturePage()
	p.Groups = slices.Delete(p.Groups, 0, 1) // OpenAI is not shown
	h := newHandler(t, "en", p, fixtureStore(0))
	if rec := get(t, h, "/outages/o-openai-1"); rec.Code != http.StatusNotFound {
		t.Errorf("the outage of a target the page does not show: %d, want 404", rec.Code)
	}
}

func TestViewsFailing(t *testing.T) {
	h, err := New(Options{Views: ViewsFunc(func(context.Context) (statusview.Page, error) { return statusview.Page{}, errors.New("store down") }), Store: &memStore{}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.serveStatus(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusServiceUnavailable || strings.Contains(rec.Body.String(), "store down") {
		t.Errorf("views failing: %d, body shows the error: %v", rec.Code, strings.Contains(rec.Body.String(), "store down"))
	}
}

// TestEveryValueHasWords fails when a status, outage class, event kind,
// phase, confirmation or history window that the pages name has no
// message, or a locale lacks its words: the catalog's own tests see only
// the ids the code names, not the values that reach them.
func TestEveryValueHasWords(t *testing.T) {
	ids := map[string]string{}
	add := func(table map[string]string, values ...string) {
		for _, v := range values {
			id, ok := table[v]
			if !ok {
				t.Errorf("no message names %q", v)
			}
			ids[v] = id
		}
	}
	add(classWords, string(outage.Incident), string(outage.MaintenanceWork), string(outage.Unreachable))
	add(kindWords, string(outage.Opened), string(outage.Updated), string(outage.Resolved))
	add(confirmWords, string(outage.Confirmed), string(outage.Unconfirmed), string(outage.Withdrawn))
	for _, ph := range []sources.IncidentStatus{sources.IncidentInvestigating, sources.IncidentIdentified, sources.IncidentMonitoring, sources.IncidentResolved,
		sources.IncidentPostmortem, sources.MaintenanceScheduled, sources.MaintenanceInProgress, sources.MaintenanceVerifying, sources.MaintenanceCompleted} {
		ids["phase "+string(ph)] = "phase_inline." + string(ph)
	}
	for _, w := range windows {
		ids["window "+w.Key] = w.Label
	}
	for _, name := range Locales() {
		l, err := newLocale(name)
		if err != nil {
			t.Fatal(err)
		}
		for v, id := range ids {
			if got := l.T(id, nil); got == id {
				t.Errorf("%s: %s (%s) has no words", name, v, id)
			}
		}
		for _, s := range []sources.Status{sources.Operational, sources.Maintenance, sources.Degraded, sources.PartialOutage, sources.MajorOutage, sources.Unknown} {
			if got := l.badge(s).Label; got == "" || strings.Contains(got, ".") {
				t.Errorf("%s: status %s shows %q", name, s, got)
			}
		}
	}
}

// TestFormats pins the pages' dates, durations and percentages in each
// locale, the edge cases the fixture does not reach among them.
func TestFormats(t *testing.T) {
	at := time.Date(2025, 1, 2, 9, 5, 0, 0, time.UTC)
	for _, tc := range []struct {
		locale                    string
		date, stamp, clock, other string
		dur                       string
		pct                       [3]string
	}{
		{"en", "Jan 2, 2025", "2025-01-02 09:05", "09:05 UTC", "2025-01-02 09:05 UTC", "1d 2h", [3]string{"99.90%", "99.99%", "100%"}},
		{"de", "02.01.2025", "02.01.2025 09:05", "09:05 UTC", "02.01.2025 09:05 UTC", "1 T. 2 Std.", [3]string{"99,90 %", "99,99 %", "100 %"}},
	} {
		l, err := newLocale(tc.locale)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{l.Date(at), l.Stamp(at), l.Clock(at, at.Add(time.Hour)), l.Clock(at, at.AddDate(0, 0, 1)), l.Duration(26 * time.Hour),
			l.Percent(0.999), l.Percent(0.99999), l.Percent(1)}
		want := []string{tc.date, tc.stamp, tc.clock, tc.other, tc.dur, tc.pct[0], tc.pct[1], tc.pct[2]}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", tc.locale, got, want)
		}
	}
}
