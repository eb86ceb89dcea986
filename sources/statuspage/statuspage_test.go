package statuspage

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outagebot/outagebot/internal/budgettest"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

var testNow = time.Date(2024, 6, 4, 17, 0, 0, 0, time.UTC)

// fakePage serves a fixture folder the way statuspage.io does: with an ETag,
// answering If-None-Match with 304.
type fakePage struct {
	mu             sync.Mutex
	dir            string
	summaryHits    atomic.Int32
	summary304     atomic.Int32
	incidentsHits  atomic.Int32
	incidents304   atomic.Int32
	incidentsError bool
	files          sync.Map // path -> servedFile
}

type servedFile struct {
	data []byte
	etag string
}

// file reads a fixture once, so that benchmarks measure the client.
func (p *fakePage) file(path string) (servedFile, error) {
	if f, ok := p.files.Load(path); ok {
		return f.(servedFile), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return servedFile{}, err
	}
	f := servedFile{data: data, etag: fmt.Sprintf(`W/"%x"`, sha256.Sum256(data))}
	p.files.Store(path, f)
	return f, nil
}

func (p *fakePage) set(dir string) { p.mu.Lock(); p.dir = dir; p.mu.Unlock() }

func (p *fakePage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	dir, incErr := p.dir, p.incidentsError
	p.mu.Unlock()
	var hits, notMod *atomic.Int32
	switch r.URL.Path {
	case "/api/v2/summary.json":
		hits, notMod = &p.summaryHits, &p.summary304
	case "/api/v2/incidents.json":
		hits, notMod = &p.incidentsHits, &p.incidents304
		if incErr {
			hits.Add(1)
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
	default:
		http.NotFound(w, r)
		return
	}
	hits.Add(1)
	f, err := p.file(filepath.Join("testdata", dir, filepath.Base(r.URL.Path)))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	data, etag := f.data, f.etag
	if r.Header.Get("If-None-Match") == etag {
		notMod.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(data)
}

func newFake(t testing.TB, dir string) (*fakePage, *Source) {
	p := &fakePage{dir: dir}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, New(srv.URL, fetch.New(fetch.Options{}), WithNow(func() time.Time { return testNow }))
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
	page, src := newFake(t, "degraded")
	first := poll(t, src)
	if first.NotModified || len(first.Incidents) != 1 || first.Incidents[0].Status != sources.IncidentInvestigating {
		t.Fatalf("first poll = %+v", first)
	}
	if !first.At.Equal(testNow) {
		t.Errorf("At = %v", first.At)
	}
	// degraded/ has no incidents.json: a 404 there is no error.
	if page.incidentsHits.Load() != 1 {
		t.Errorf("incidents.json hits = %d", page.incidentsHits.Load())
	}

	later := testNow.Add(time.Minute)
	src.now = func() time.Time { return later }
	second := poll(t, src)
	if !second.NotModified || !second.At.Equal(later) {
		t.Errorf("second poll NotModified=%v At=%v", second.NotModified, second.At)
	}
	if page.summary304.Load() != 1 || page.summaryHits.Load() != 2 {
		t.Errorf("summary hits=%d 304s=%d", page.summaryHits.Load(), page.summary304.Load())
	}
	if page.incidentsHits.Load() != 1 {
		t.Errorf("a 304 summary fetched incidents.json")
	}
	// Nothing was parsed: the same backing arrays came back.
	if &second.Components[0] != &first.Components[0] || len(second.Incidents) != 1 {
		t.Errorf("304 did not return the previous observation")
	}

	// A change is seen.
	page.set("identified")
	third := poll(t, src)
	if third.NotModified || len(third.Incidents[0].Updates) != 2 || third.Incidents[0].Status != sources.IncidentIdentified {
		t.Errorf("third poll = %+v", third.Incidents)
	}
}

func TestPollMergesRecentlyResolved(t *testing.T) {
	page, src := newFake(t, "degraded")
	poll(t, src)
	page.set("resolved")
	obs := poll(t, src)
	var ids []string
	for _, inc := range obs.Incidents {
		ids = append(ids, inc.ID+":"+string(inc.Status))
	}
	// The incident that left the summary, with its final words, and the
	// postmortem from three days ago; not the one from May.
	if got, want := strings.Join(ids, " "), "ctrsv3lwd797:resolved 0x7hd2lbq4mz:postmortem"; got != want {
		t.Fatalf("incidents = %s, want %s", got, want)
	}
	last, _ := obs.Incidents[0].Latest()
	if !strings.HasPrefix(last.Body, "This incident has been resolved.") || len(obs.Incidents[0].Updates) != 4 {
		t.Errorf("final words = %q (%d updates)", last.Body, len(obs.Incidents[0].Updates))
	}

	// The summary changes but incidents.json does not: its cached parse is used.
	page.set("resolved")
	src.summaryVal = fetch.Validators{} // force a fresh summary
	obs = poll(t, src)
	if len(obs.Incidents) != 2 || page.incidents304.Load() != 1 {
		t.Errorf("with incidents.json 304: %d incidents, %d 304s", len(obs.Incidents), page.incidents304.Load())
	}

	// A week later the resolved incidents are no longer reported.
	src.now = func() time.Time { return testNow.Add(8 * 24 * time.Hour) }
	src.summaryVal = fetch.Validators{}
	if obs = poll(t, src); len(obs.Incidents) != 0 {
		t.Errorf("a week later: %+v", obs.Incidents)
	}
}

func TestPollIncidentsFailureIsNotAnError(t *testing.T) {
	page, src := newFake(t, "identified")
	page.incidentsError = true
	obs := poll(t, src)
	if len(obs.Incidents) != 1 || obs.Incidents[0].ID != "ctrsv3lwd797" {
		t.Errorf("incidents = %+v", obs.Incidents)
	}
}

func TestPollBadInput(t *testing.T) {
	summary, err := os.ReadFile("testdata/identified/summary.json")
	if err != nil {
		t.Fatal(err)
	}
	serve := func(ct string, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ct)
			fmt.Fprint(w, body)
		}
	}
	for _, tc := range []struct {
		name    string
		h       http.HandlerFunc
		maxBody int64
		timeout time.Duration
		want    string // the error after "GET <url>: "
	}{
		{"html error page", serve("text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>"), 0, 0,
			"got an HTML page instead of JSON (an error or login page?)"},
		{"html labelled json", serve("application/json", "<html><body>Please sign in</body></html>"), 0, 0,
			"got an HTML page instead of JSON (an error or login page?)"},
		{"invalid json", serve("application/json", `{"page": {"id": 'x'}}`), 0, 0,
			"invalid JSON at byte 17: invalid character '\\'' looking for beginning of value"},
		{"truncated json", serve("application/json", string(summary[:1000])), 0, 0,
			"invalid JSON: the document ends early (truncated at 1000 bytes?)"},
		{"empty object", serve("application/json", "{}"), 0, 0,
			`not a Statuspage summary: no "page" or "components"`},
		{"body over limit", serve("application/json", string(summary)), 1 << 10, 0,
			"response body exceeds the 1.0 KiB limit"},
		{"http 500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", 500) }, 0, 0,
			"HTTP 500 Internal Server Error"},
		{"never answers", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, 0, 300 * time.Millisecond,
			"timed out after 300ms"},
		{"redirect loop", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/api/v2/summary.json?again", http.StatusMovedPermanently)
		}, 0, 0, "stopped after 5 redirects (a redirect loop?)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			src := New(srv.URL+"/", fetch.New(fetch.Options{MaxBody: tc.maxBody}))
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			start := time.Now()
			obs, err := src.Poll(ctx)
			if err == nil {
				t.Fatalf("Poll = %+v, nil; want an error", obs)
			}
			if d := time.Since(start); d > timeout+2*time.Second {
				t.Errorf("Poll took %v", d)
			}
			if want := "GET " + srv.URL + "/api/v2/summary.json: " + tc.want; budgettest.Normalize(err.Error(), timeout) != want {
				t.Errorf("error\n got %s\nwant %s", err, want)
			}
		})
	}
}

// TestPollBadBodyKeepsNoValidators: a body that did not parse must not make
// the next request conditional on it, or a 304 would hide the breakage.
func TestPollBadBodyKeepsNoValidators(t *testing.T) {
	var sawINM atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawINM.Store(r.Header.Get("If-None-Match"))
		w.Header().Set("ETag", `"bad"`)
		fmt.Fprint(w, `{"oops":true}`)
	}))
	defer srv.Close()
	src := New(srv.URL, nil)
	for range 2 {
		if _, err := src.Poll(context.Background()); err == nil {
			t.Fatal("want an error")
		}
	}
	if v := sawINM.Load(); v != "" {
		t.Errorf("second request sent If-None-Match %q", v)
	}
	var pe *ParseError
	_, err := src.Poll(context.Background())
	if !errors.As(err, &pe) {
		t.Errorf("error is %T, want *ParseError", err)
	}
}

// largeSummary is a deterministic summary.json of a big page: 200 components
// in 10 groups and 20 incidents with 5 updates each.
func largeSummary() []byte {
	type m = map[string]any
	stamp := func(min int) string {
		return time.Date(2024, 6, 4, 7, 0, 0, 178e6, time.FixedZone("", -7*3600)).Add(time.Duration(min) * time.Minute).Format("2006-01-02T15:04:05.000-07:00")
	}
	statuses := []string{"operational", "operational", "operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}
	var comps []any
	for g := range 10 {
		gid := fmt.Sprintf("grp%09d", g)
		var children []string
		for c := range 19 {
			children = append(children, fmt.Sprintf("cmp%05d%04d", g, c))
		}
		comps = append(comps, m{"id": gid, "name": fmt.Sprintf("Region %d", g), "status": "operational", "group": true,
			"group_id": nil, "components": children, "position": g, "created_at": stamp(0), "updated_at": stamp(1),
			"description": nil, "showcase": false, "start_date": nil, "page_id": "y2j98763l56x", "only_show_if_degraded": false})
		for c, id := range children {
			comps = append(comps, m{"id": id, "name": fmt.Sprintf("Service %d-%d", g, c), "status": statuses[(g+c)%len(statuses)],
				"group": false, "group_id": gid, "position": c, "created_at": stamp(0), "updated_at": stamp(c),
				"description": "A service of some importance", "showcase": false, "start_date": "2021-09-10", "page_id": "y2j98763l56x", "only_show_if_degraded": false})
		}
	}
	var incs []any
	for i := range 20 {
		id := fmt.Sprintf("inc%09d", i)
		var ups []any
		for u := 4; u >= 0; u-- {
			ups = append(ups, m{"id": fmt.Sprintf("upd%05d%04d", i, u), "status": []string{"investigating", "identified", "identified", "monitoring", "monitoring"}[u],
				"body": strings.Repeat("We are continuing to work on a fix for this issue. ", 3), "incident_id": id,
				"created_at": stamp(i*10 + u), "updated_at": stamp(i*10 + u), "display_at": stamp(i*10 + u),
				"affected_components":   []any{m{"code": fmt.Sprintf("cmp%05d%04d", i%10, u), "name": "Region - Service", "old_status": "operational", "new_status": "partial_outage"}},
				"deliver_notifications": true, "custom_tweet": nil, "tweet_id": nil})
		}
		incs = append(incs, m{"id": id, "name": fmt.Sprintf("Elevated errors %d", i), "status": "monitoring", "impact": []string{"minor", "major", "critical"}[i%3],
			"created_at": stamp(i * 10), "updated_at": stamp(i*10 + 4), "started_at": stamp(i * 10), "monitoring_at": stamp(i*10 + 3), "resolved_at": nil,
			"shortlink": "https://stspg.io/" + id, "page_id": "y2j98763l56x", "incident_updates": ups,
			"components": []any{m{"id": fmt.Sprintf("cmp%05d%04d", i%10, 0), "name": "Service", "status": "partial_outage"}}, "reminder_intervals": nil})
	}
	doc := m{"page": m{"id": "y2j98763l56x", "name": "Big", "url": "https://status.example.com", "time_zone": "Etc/UTC", "updated_at": stamp(300)},
		"status": m{"indicator": "major", "description": "Partial System Outage"}, "components": comps, "incidents": incs, "scheduled_maintenances": []any{}}
	data, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return data
}

func TestLargeSummary(t *testing.T) {
	obs, err := ParseSummary(largeSummary(), "https://status.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(obs.Components) != 200 || len(obs.Incidents) != 20 || len(obs.Incidents[7].Updates) != 5 {
		t.Fatalf("components %d incidents %d", len(obs.Components), len(obs.Incidents))
	}
	if obs.Components[1].Group != "Region 0" || obs.Components[199].Group != "Region 9" {
		t.Errorf("groups: %+v %+v", obs.Components[1], obs.Components[199])
	}
}

func BenchmarkParseSummary(b *testing.B) {
	data := largeSummary()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSummary(data, "https://status.example.com"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPollNotModified(b *testing.B) {
	_, src := newFake(b, "groups")
	ctx := context.Background()
	if _, err := src.Poll(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		obs, err := src.Poll(ctx)
		if err != nil || !obs.NotModified {
			b.Fatal(err, obs.NotModified)
		}
	}
}
