package incidentio

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
	"github.com/outagebot/outagebot/sources/statuspage"
)

var testNow = time.Date(2026, 9, 4, 20, 0, 0, 0, time.UTC)

// fakePage serves the Statuspage-compatible API, the widget API, both or
// neither, with ETags, and counts requests per path.
type fakePage struct {
	mu      sync.Mutex
	compat  string // file served at /api/v2/summary.json; "" is 404, "html" an SPA shell
	widget  string // file served at /api/v1/summary; "" is 404
	hits    map[string]int
	n304    map[string]int
	lastINM map[string]string
}

func newFake(t *testing.T, compat, widget string) (*fakePage, *httptest.Server) {
	p := &fakePage{compat: compat, widget: widget, hits: map[string]int{}, n304: map[string]int{}, lastINM: map[string]string{}}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv
}

func (p *fakePage) count(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits[path]
}

func (p *fakePage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hits[r.URL.Path]++
	var file string
	switch r.URL.Path {
	case "/api/v2/summary.json":
		file = p.compat
	case "/api/v1/summary":
		file = p.widget
	}
	if file == "html" {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!doctype html><div id=root></div>")
		return
	}
	if file == "" {
		http.NotFound(w, r)
		return
	}
	data, err := os.ReadFile(file)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	etag := fmt.Sprintf(`"%x"`, sha256.Sum256(data))
	if r.Header.Get("If-None-Match") == etag {
		p.n304[r.URL.Path]++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/json")
	w.Write(data)
}

func poll(t *testing.T, s *Source) sources.Observation {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	obs, err := s.Poll(ctx)
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	return obs
}

func clock() func() time.Time { return func() time.Time { return testNow } }

func TestPollStatuspageCompat(t *testing.T) {
	page, srv := newFake(t, "testdata/compat/summary.json", "testdata/ongoing/widget.json")
	src := New(srv.URL, fetch.New(fetch.Options{}), WithNow(clock()))
	first := poll(t, src)
	if src.Endpoint() != StatuspageCompat || len(first.Incidents) != 1 || len(first.Incidents[0].Updates) != 2 || !first.At.Equal(testNow) {
		t.Fatalf("first poll (%s) = %+v", src.Endpoint(), first)
	}
	second := poll(t, src)
	if !second.NotModified || page.count("/api/v1/summary") != 0 {
		t.Errorf("second poll NotModified=%v, widget hits %d", second.NotModified, page.count("/api/v1/summary"))
	}
	// incidents.json (404 here) is asked for on the first poll only.
	if page.count("/api/v2/incidents.json") != 1 {
		t.Errorf("incidents.json hits = %d", page.count("/api/v2/incidents.json"))
	}
}

func TestPollWidgetFallback(t *testing.T) {
	for _, compat := range []string{"", "html", "testdata/ongoing/widget.json"} {
		t.Run("compat="+compat, func(t *testing.T) {
			page, srv := newFake(t, compat, "testdata/ongoing/widget.json")
			src := New(srv.URL+"/", nil, WithNow(clock()))
			first := poll(t, src)
			if src.Endpoint() != Widget || len(first.Incidents) != 2 || first.NotModified {
				t.Fatalf("first poll (%s) = %+v", src.Endpoint(), first)
			}
			second := poll(t, src)
			if !second.NotModified || !second.At.Equal(testNow) || &second.Components[0] != &first.Components[0] {
				t.Errorf("second poll = %+v", second)
			}
			// The working endpoint is remembered.
			if page.count("/api/v2/summary.json") != 1 || page.count("/api/v1/summary") != 2 || page.n304["/api/v1/summary"] != 1 {
				t.Errorf("hits = %v, 304s = %v", page.hits, page.n304)
			}
		})
	}
}

func TestPollReprobes(t *testing.T) {
	page, srv := newFake(t, "", "testdata/ongoing/widget.json")
	src := New(srv.URL, nil, WithNow(clock()))
	poll(t, src)
	// The page moves to the Statuspage-compatible API only.
	page.mu.Lock()
	page.compat, page.widget = "testdata/compat/summary.json", ""
	page.mu.Unlock()
	if _, err := src.Poll(context.Background()); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
		t.Fatalf("err = %v, want the widget's 404", err)
	}
	if src.Endpoint() != Unknown {
		t.Errorf("endpoint = %s after a 404", src.Endpoint())
	}
	obs := poll(t, src)
	if src.Endpoint() != StatuspageCompat || len(obs.Incidents[0].Updates) != 2 {
		t.Errorf("after re-probing: %s %+v", src.Endpoint(), obs)
	}
}

func TestPollErrors(t *testing.T) {
	_, srv := newFake(t, "", "")
	_, err := New(srv.URL, nil).Poll(context.Background())
	want := "no incident.io API answered: GET " + srv.URL + "/api/v2/summary.json: HTTP 404 Not Found; GET " + srv.URL + "/api/v1/summary: HTTP 404 Not Found"
	if err == nil || err.Error() != want {
		t.Errorf("error\n got %v\nwant %s", err, want)
	}
	var pe *ProbeError
	if !errors.As(err, &pe) || !errors.Is(err, fetch.ErrStatus) {
		t.Errorf("error %T does not unwrap", err)
	}

	// A body that is neither.
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data":{"type":"status_page"}}`)
	}))
	defer bad.Close()
	_, err = New(bad.URL, nil).Poll(context.Background())
	var spe *statuspage.ParseError
	if err == nil || !errors.As(err, &spe) || !strings.Contains(err.Error(), `/api/v1/summary: not an incident.io widget summary: no "ongoing_incidents"`) {
		t.Errorf("err = %v", err)
	}

	// An unreachable host is not probed twice.
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL
	dead.Close()
	_, err = New(url, nil).Poll(context.Background())
	if err == nil || !strings.HasSuffix(err.Error(), "/api/v2/summary.json: connection refused") {
		t.Errorf("err = %v", err)
	}
}
