package betterstack

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

// fakePage serves a fixture the way Better Stack does: with an ETag,
// answering If-None-Match with 304.
type fakePage struct {
	mu    sync.Mutex
	dir   string
	hits  atomic.Int32
	n304  atomic.Int32
	paths sync.Map
}

func (d *fakePage) set(dir string) { d.mu.Lock(); d.dir = dir; d.mu.Unlock() }

func (d *fakePage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.paths.Store(r.URL.Path, true)
	if r.URL.Path != "/index.json" {
		http.NotFound(w, r)
		return
	}
	d.hits.Add(1)
	d.mu.Lock()
	dir := d.dir
	d.mu.Unlock()
	data, err := os.ReadFile("testdata/" + dir + "/index.json")
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
	d := &fakePage{dir: "ongoing"}
	srv := httptest.NewServer(d)
	defer srv.Close()
	now := testNow
	src := New(srv.URL+"/", fetch.New(fetch.Options{}), WithNow(func() time.Time { return now }))

	first := poll(t, src)
	if first.NotModified || len(first.Incidents) != 1 || !first.At.Equal(testNow) || first.Page != srv.URL {
		t.Fatalf("first poll = %+v", first)
	}
	if first.Incidents[0].URL != srv.URL+"/incident/1190502" {
		t.Errorf("URL = %s", first.Incidents[0].URL)
	}
	now = testNow.Add(time.Minute)
	second := poll(t, src)
	if !second.NotModified || !second.At.Equal(now) || len(second.Incidents) != 1 || &second.Components[0] != &first.Components[0] {
		t.Errorf("second poll = %+v", second)
	}
	if d.hits.Load() != 2 || d.n304.Load() != 1 {
		t.Errorf("hits=%d 304s=%d", d.hits.Load(), d.n304.Load())
	}

	// A maintenance starts while the document does not change.
	d.set("maintenance")
	now = time.Date(2026, 9, 4, 18, 0, 0, 0, time.UTC)
	third := poll(t, src)
	if third.NotModified || len(third.Maintenances) != 2 || third.Maintenances[0].Status != sources.MaintenanceScheduled {
		t.Fatalf("third poll = %+v", third.Maintenances)
	}
	now = time.Date(2026, 9, 4, 19, 30, 0, 0, time.UTC)
	fourth := poll(t, src)
	if !fourth.NotModified || fourth.Maintenances[0].Status != sources.MaintenanceInProgress {
		t.Errorf("fourth poll = %+v", fourth.Maintenances)
	}
}

func TestNewURL(t *testing.T) {
	for in, want := range map[string][2]string{
		"https://status.nimbus.dev/":           {"https://status.nimbus.dev/index.json", "https://status.nimbus.dev"},
		"https://nimbus.betteruptime.com":      {"https://nimbus.betteruptime.com/index.json", "https://nimbus.betteruptime.com"},
		"https://status.nimbus.dev/index.json": {"https://status.nimbus.dev/index.json", "https://status.nimbus.dev"},
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
		{"html as json", serve("application/json", "<!doctype html><p>SPA shell</p>"), "got an HTML page instead of JSON (an error or login page?)"},
		{"invalid json", serve("application/json", `{"data": 'x'}`), `invalid JSON at byte 10: invalid character '\'' looking for beginning of value`},
		{"wrong shape", serve("application/json", `{"page":{},"components":[]}`), `not a Better Stack status page: no "data"`},
		{"http 404", http.NotFound, "HTTP 404 Not Found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			_, err := New(srv.URL, nil).Poll(context.Background())
			if want := "GET " + srv.URL + "/index.json: " + tc.want; err == nil || err.Error() != want {
				t.Errorf("error\n got %v\nwant %s", err, want)
			}
		})
	}
}
