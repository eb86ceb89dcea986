package feed

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

// fakeFeed serves a fixture with Last-Modified, answering
// If-Modified-Since with 304, as static feed hosts do.
type fakeFeed struct {
	mu   sync.Mutex
	file string
	mod  time.Time
	hits atomic.Int32
	n304 atomic.Int32
}

func (f *fakeFeed) set(file string, mod time.Time) {
	f.mu.Lock()
	f.file, f.mod = file, mod
	f.mu.Unlock()
}

func (f *fakeFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.hits.Add(1)
	f.mu.Lock()
	file, mod := f.file, f.mod
	f.mu.Unlock()
	data, err := os.ReadFile(file)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !mod.After(ims) {
		f.n304.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Last-Modified", mod.UTC().Format(http.TimeFormat))
	w.Header().Set("ETag", fmt.Sprintf(`"%x"`, sha256.Sum256(data)))
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
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
	f := &fakeFeed{file: "testdata/ongoing/feed.atom", mod: testNow.Add(-time.Hour)}
	srv := httptest.NewServer(f)
	defer srv.Close()
	now := testNow
	src := New(srv.URL+"/history.atom", fetch.New(fetch.Options{}), WithNow(func() time.Time { return now }))

	first := poll(t, src)
	if first.NotModified || len(first.Incidents) != 2 || !first.At.Equal(testNow) {
		t.Fatalf("first poll = %+v", first)
	}
	now = testNow.Add(time.Minute)
	second := poll(t, src)
	if !second.NotModified || !second.At.Equal(now) || len(second.Incidents) != 2 || f.n304.Load() != 1 {
		t.Errorf("second poll = %+v (304s %d)", second, f.n304.Load())
	}

	// The feed changes: the incident is resolved.
	f.set("testdata/resolved/feed.xml", testNow)
	third := poll(t, src)
	if third.NotModified || len(third.Incidents) != 1 || third.Incidents[0].Status != sources.IncidentResolved {
		t.Errorf("third poll = %+v", third.Incidents)
	}
	// A week on, the unchanged feed (304) no longer reports it: the window
	// moves with the clock without a parse.
	now = testNow.Add(8 * 24 * time.Hour)
	fourth := poll(t, src)
	if !fourth.NotModified || len(fourth.Incidents) != 0 {
		t.Errorf("a week later = %+v", fourth)
	}
}

func TestPollWindowOption(t *testing.T) {
	f := &fakeFeed{file: "testdata/ongoing/feed.atom", mod: testNow}
	srv := httptest.NewServer(f)
	defer srv.Close()
	src := New(srv.URL, nil, WithNow(func() time.Time { return testNow }), WithWindow(2*time.Hour))
	if obs := poll(t, src); len(obs.Incidents) != 1 {
		t.Errorf("2h window: %d incidents, want the one updated 29 minutes ago", len(obs.Incidents))
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
		{"html page", serve("text/html", "<!DOCTYPE html><html><body>Sign in</body></html>"), "not an RSS or Atom feed: got an HTML page (an error or login page?)"},
		{"invalid xml", serve("application/rss+xml", "<rss><channel><item>"), "not an RSS or Atom feed: the XML ends early, on line 1 (truncated?)"},
		{"json", serve("application/json", `{"page":{},"components":[]}`), "not an RSS or Atom feed: the document is JSON"},
		{"other xml", serve("text/xml", `<urlset><url/></urlset>`), "not an RSS or Atom feed: the root element is <urlset>, want <rss> or <feed>"},
		{"http 503", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "x", http.StatusServiceUnavailable) }, "HTTP 503 Service Unavailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			_, err := New(srv.URL+"/feed.rss", nil).Poll(context.Background())
			if want := "GET " + srv.URL + "/feed.rss: " + tc.want; err == nil || err.Error() != want {
				t.Errorf("error\n got %v\nwant %s", err, want)
			}
		})
	}
}
