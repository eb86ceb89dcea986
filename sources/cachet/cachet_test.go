package cachet

import (
	"context"
	"crypto/sha256"
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
)

// fakeCachet serves a fixture folder as Cachet's API, with ETags. A file
// missing from the folder is a 404, as on a Cachet 2.3 without schedules.
type fakeCachet struct {
	mu   sync.Mutex
	dir  string
	hits map[string]int
	n304 int
}

func newFake(t *testing.T, dir string) (*fakeCachet, *httptest.Server) {
	c := &fakeCachet{dir: dir, hits: map[string]int{}}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return c, srv
}

func (c *fakeCachet) count(path string) int { c.mu.Lock(); defer c.mu.Unlock(); return c.hits[path] }

func (c *fakeCachet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hits[r.URL.Path]++
	var file string
	switch p := strings.TrimPrefix(r.URL.Path, "/api/v1"); {
	case p == "/components":
		file = "components.json"
	case p == "/components/groups":
		file = "groups.json"
	case p == "/incidents":
		if r.URL.Query().Get("sort") != "id" || r.URL.Query().Get("order") != "desc" {
			http.Error(w, "want newest first", http.StatusBadRequest)
			return
		}
		file = "incidents.json"
	case p == "/schedules":
		file = "schedules.json"
	case strings.HasPrefix(p, "/incidents/") && strings.HasSuffix(p, "/updates"):
		file = "updates-" + strings.TrimSuffix(strings.TrimPrefix(p, "/incidents/"), "/updates") + ".json"
	}
	data, err := os.ReadFile("testdata/" + c.dir + "/" + file)
	if file == "" || err != nil {
		http.NotFound(w, r)
		return
	}
	etag := fmt.Sprintf(`"%x"`, sha256.Sum256(data))
	if r.Header.Get("If-None-Match") == etag {
		c.n304++
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
	c, srv := newFake(t, "ongoing")
	now := testNow
	src := New(srv.URL, fetch.New(fetch.Options{}), WithNow(func() time.Time { return now }), WithLocation(cest))
	first := poll(t, src)
	if first.NotModified || len(first.Incidents) != 2 || len(first.Incidents[0].Updates) != 3 || !first.At.Equal(testNow) {
		t.Fatalf("first poll = %+v", first)
	}
	now = testNow.Add(time.Minute)
	second := poll(t, src)
	if !second.NotModified || !second.At.Equal(now) || &second.Components[0] != &first.Components[0] {
		t.Errorf("second poll = %+v", second)
	}
	// components, groups, incidents and the open incidents' updates all
	// answered 304 (incident 42 has none: 404); the missing schedules
	// endpoint is asked once.
	if c.count("/api/v1/schedules") != 1 || c.n304 != 4 {
		t.Errorf("hits = %v, 304s = %d", c.hits, c.n304)
	}
	c.mu.Lock()
	c.dir = "resolved"
	c.mu.Unlock()
	third := poll(t, src)
	if third.NotModified || third.Incidents[0].Status != sources.IncidentResolved {
		t.Errorf("third poll = %+v", third.Incidents)
	}
}

func TestPollSchedules(t *testing.T) {
	_, srv := newFake(t, "maintenance")
	obs := poll(t, New(srv.URL+"/", nil, WithNow(func() time.Time { return testNow }), WithLocation(cest)))
	if len(obs.Maintenances) != 4 || obs.Maintenances[1].Status != sources.MaintenanceInProgress || obs.Maintenances[3].Status != sources.MaintenanceCompleted {
		t.Errorf("maintenances = %+v", obs.Maintenances)
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
		{"html page", serve("text/html", "<html><body>Cachet</body></html>"), "/api/v1/components?per_page=REDACTED: got an HTML page instead of JSON (an error or login page?)"},
		{"invalid json", serve("application/json", `{"data": 'x'}`), "/api/v1: invalid JSON at byte 10: invalid character '\\'' looking for beginning of value"},
		{"wrong shape", serve("application/json", `{"page":{},"components":[]}`), `/api/v1: not a Cachet components list: no "data"`},
		{"http 404", http.NotFound, "/api/v1/components?per_page=REDACTED: HTTP 404 Not Found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			_, err := New(srv.URL, nil).Poll(context.Background())
			if want := "GET " + srv.URL + tc.want; err == nil || err.Error() != want {
				t.Errorf("error\n got %v\nwant %s", err, want)
			}
		})
	}
}
