package gcp

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

// fakeDashboard serves a fixture the way Google does: with an ETag,
// answering If-None-Match with 304.
type fakeDashboard struct {
	mu    sync.Mutex
	dir   string
	hits  atomic.Int32
	n304  atomic.Int32
	paths sync.Map
}

func (d *fakeDashboard) set(dir string) { d.mu.Lock(); d.dir = dir; d.mu.Unlock() }

func (d *fakeDashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.paths.Store(r.URL.Path, true)
	if r.URL.Path != "/incidents.json" {
		http.NotFound(w, r)
		return
	}
	d.hits.Add(1)
	d.mu.Lock()
	dir := d.dir
	d.mu.Unlock()
	data, err := os.ReadFile("testdata/" + dir + "/incidents.json")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	etag := fmt.Sprintf(`"%x"`, sha256.Sum256(data))
	if r.Header.Get("If-None-Match") == etag {
		d.n304.Add(1)
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
	d := &fakeDashboard{dir: "ongoing"}
	srv := httptest.NewServer(d)
	defer srv.Close()
	now := testNow
	src := New(srv.URL, fetch.New(fetch.Options{}), WithNow(func() time.Time { return now }))

	first := poll(t, src)
	if first.NotModified || len(first.Incidents) != 2 || !first.At.Equal(testNow) {
		t.Fatalf("first poll = %+v", first)
	}
	if first.Incidents[0].URL != srv.URL+"/incidents/aB4nQ7wEr2TyU9iOp3Lk" {
		t.Errorf("URL = %s", first.Incidents[0].URL)
	}
	now = testNow.Add(time.Minute)
	second := poll(t, src)
	if !second.NotModified || !second.At.Equal(now) || len(second.Incidents) != 2 {
		t.Errorf("second poll = %+v", second)
	}
	if d.hits.Load() != 2 || d.n304.Load() != 1 {
		t.Errorf("hits=%d 304s=%d", d.hits.Load(), d.n304.Load())
	}

	// The incident ends.
	d.set("resolved")
	third := poll(t, src)
	if third.NotModified || len(third.Incidents) != 1 || third.Incidents[0].Status != sources.IncidentResolved {
		t.Errorf("third poll = %+v", third.Incidents)
	}
	// A week on, an unchanged feed (304) still drops it: the window moves
	// with the clock without a parse.
	now = testNow.Add(8 * 24 * time.Hour)
	fourth := poll(t, src)
	if !fourth.NotModified || len(fourth.Incidents) != 0 {
		t.Errorf("a week later = %+v", fourth)
	}
}

func TestNewURL(t *testing.T) {
	for in, want := range map[string][2]string{
		"":                                 {DefaultURL, "https://status.cloud.google.com"},
		"https://status.cloud.google.com/": {DefaultURL, "https://status.cloud.google.com"},
		"https://www.google.com/appsstatus/dashboard/incidents.json": {
			"https://www.google.com/appsstatus/dashboard/incidents.json", "https://www.google.com/appsstatus/dashboard"},
	} {
		s := New(in, nil)
		if s.url != want[0] || s.base != want[1] {
			t.Errorf("New(%q) = %s %s, want %v", in, s.url, s.base, want)
		}
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
		{"invalid json", serve("application/json", `[{"id": 'x'}]`), `invalid JSON at byte 9: invalid character '\'' looking for beginning of value`},
		{"wrong shape", serve("application/json", `{"page":{},"components":[]}`), "not a Google Cloud incident feed: the document is an object, not an array"},
		{"http 404", http.NotFound, "HTTP 404 Not Found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			_, err := New(srv.URL, nil).Poll(context.Background())
			if want := "GET " + srv.URL + "/incidents.json: " + tc.want; err == nil || err.Error() != want {
				t.Errorf("error\n got %v\nwant %s", err, want)
			}
		})
	}
}
