package instatus

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

var testNow = time.Date(2026, 9, 4, 20, 0, 0, 0, time.UTC)

// fakePage serves a fixture folder the way Instatus does, with ETags. The
// components are served at compPath; other component paths are 404.
type fakePage struct {
	mu        sync.Mutex
	dir       string
	compPath  string
	compError bool
	hits      map[string]int
	n304      map[string]int
}

func newFake(t *testing.T, dir, compPath string) (*fakePage, *httptest.Server) {
	p := &fakePage{dir: dir, compPath: compPath, hits: map[string]int{}, n304: map[string]int{}}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv
}

func (p *fakePage) set(dir string) { p.mu.Lock(); p.dir = dir; p.mu.Unlock() }

func (p *fakePage) count(m map[string]int, path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return m[path]
}

func (p *fakePage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hits[r.URL.Path]++
	file := ""
	switch r.URL.Path {
	case "/summary.json":
		file = "summary.json"
	case p.compPath:
		if p.compError {
			http.Error(w, "boom", http.StatusBadGateway)
			return
		}
		file = "components.json"
	default:
		http.NotFound(w, r)
		return
	}
	data, err := os.ReadFile("testdata/" + p.dir + "/" + file)
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
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
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

func TestPollConditional(t *testing.T) {
	page, srv := newFake(t, "ongoing", "/v3/components.json")
	now := testNow
	src := New(srv.URL, fetch.New(fetch.Options{}), WithNow(func() time.Time { return now }))

	first := poll(t, src)
	if first.NotModified || len(first.Incidents) != 2 || len(first.Components) != 3 || !first.At.Equal(testNow) {
		t.Fatalf("first poll = %+v", first)
	}
	now = testNow.Add(time.Minute)
	second := poll(t, src)
	if !second.NotModified || !second.At.Equal(now) || &second.Components[0] != &first.Components[0] {
		t.Errorf("second poll = %+v", second)
	}
	if page.count(page.n304, "/summary.json") != 1 || page.count(page.n304, "/v3/components.json") != 1 {
		t.Errorf("304s = %v", page.n304)
	}

	// Only the components change: a new observation.
	page.set("maintenance")
	third := poll(t, src)
	if third.NotModified || third.Components[2].Status != sources.Maintenance || len(third.Maintenances) != 3 {
		t.Errorf("third poll = %+v", third)
	}
}

func TestPollComponentsFallback(t *testing.T) {
	page, srv := newFake(t, "odd", "/v2/components.json")
	src := New(srv.URL+"/", nil)
	obs := poll(t, src)
	if len(obs.Components) != 5 || obs.Components[1].Name != "Rechenzentren" {
		t.Fatalf("components = %+v", obs.Components)
	}
	poll(t, src)
	// v3 is asked once; v2 is remembered.
	if page.count(page.hits, "/v3/components.json") != 1 || page.count(page.hits, "/v2/components.json") != 2 {
		t.Errorf("hits = %v", page.hits)
	}
}

func TestPollComponentsFailing(t *testing.T) {
	page, srv := newFake(t, "ongoing", "/v3/components.json")
	src := New(srv.URL, nil)
	poll(t, src)
	page.mu.Lock()
	page.compError = true
	page.mu.Unlock()
	page.set("resolved")
	obs := poll(t, src)
	// The summary is authoritative; the components last seen stay.
	if obs.NotModified || obs.Incidents[0].Status != sources.IncidentResolved || obs.Components[0].Status != sources.MajorOutage {
		t.Errorf("with components failing: %+v", obs)
	}

	// No components anywhere: still a good poll.
	_, bare := newFake(t, "operational", "/nowhere")
	obs = poll(t, New(bare.URL, nil))
	if len(obs.Components) != 0 || obs.Page != "https://status.nimbus.dev" {
		t.Errorf("without components: %+v", obs)
	}
}

func TestPollErrors(t *testing.T) {
	serve := func(ct, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ct)
			fmt.Fprint(w, body)
		}
	}
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		want string
	}{
		{"html page", serve("text/html", "<html><body>Sign in</body></html>"), "got an HTML page instead of JSON (an error or login page?)"},
		{"invalid json", serve("application/json", `{"page": 'x'}`), `invalid JSON at byte 10: invalid character '\'' looking for beginning of value`},
		{"wrong shape", serve("application/json", `{"data":{"type":"status_page"}}`), `not an Instatus summary: no "page"`},
		{"http 500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "x", 500) }, "HTTP 500 Internal Server Error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			_, err := New(srv.URL, nil).Poll(context.Background())
			if want := "GET " + srv.URL + "/summary.json: " + tc.want; err == nil || err.Error() != want {
				t.Errorf("error\n got %v\nwant %s", err, want)
			}
		})
	}
}
