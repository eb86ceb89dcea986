package statusio

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

var testNow = time.Date(2026, 9, 4, 20, 0, 0, 0, time.UTC)

// fakeAPI serves a fixture at /1.0/status/<page id>, with ETags.
type fakeAPI struct {
	mu   sync.Mutex
	dir  string
	hits atomic.Int32
	n304 atomic.Int32
}

func (a *fakeAPI) set(dir string) { a.mu.Lock(); a.dir = dir; a.mu.Unlock() }

func (a *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/1.0/status/"+fixturePageID {
		http.NotFound(w, r)
		return
	}
	a.hits.Add(1)
	a.mu.Lock()
	dir := a.dir
	a.mu.Unlock()
	data, err := os.ReadFile("testdata/" + dir + "/status.json")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	etag := fmt.Sprintf(`"%x"`, sha256.Sum256(data))
	if r.Header.Get("If-None-Match") == etag {
		a.n304.Add(1)
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

func TestPollConditional(t *testing.T) {
	api := &fakeAPI{dir: "ongoing"}
	srv := httptest.NewServer(api)
	defer srv.Close()
	now := testNow
	src := New(srv.URL+"/1.0/status/"+fixturePageID, fetch.New(fetch.Options{}),
		WithNow(func() time.Time { return now }), WithPage("https://status.nimbus.dev/"))

	first := poll(t, src)
	if first.NotModified || len(first.Incidents) != 1 || !first.At.Equal(testNow) || first.Page != "https://status.nimbus.dev" {
		t.Fatalf("first poll = %+v", first)
	}
	if first.Incidents[0].URL != "https://status.nimbus.dev/pages/incident/"+fixturePageID+"/66d8a1f0e3e33c05d23d5301" {
		t.Errorf("URL = %s", first.Incidents[0].URL)
	}
	now = testNow.Add(time.Minute)
	second := poll(t, src)
	if !second.NotModified || !second.At.Equal(now) || &second.Components[0] != &first.Components[0] || api.n304.Load() != 1 {
		t.Errorf("second poll = %+v", second)
	}
	api.set("operational")
	if third := poll(t, src); third.NotModified || len(third.Incidents) != 0 {
		t.Errorf("third poll = %+v", third)
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
		{"html page", serve("text/html", "<html><body>Not found</body></html>"), "got an HTML page instead of JSON (an error or login page?)"},
		{"invalid json", serve("application/json", `{"result": 'x'}`), `invalid JSON at byte 12: invalid character '\'' looking for beginning of value`},
		{"wrong shape", serve("application/json", `{"page":{},"components":[]}`), `not a status.io status: no "result"`},
		{"http 404", http.NotFound, "HTTP 404 Not Found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			_, err := New(srv.URL+"/1.0/status/x", nil).Poll(context.Background())
			if want := "GET " + srv.URL + "/1.0/status/x: " + tc.want; err == nil || err.Error() != want {
				t.Errorf("error\n got %v\nwant %s", err, want)
			}
		})
	}
}
