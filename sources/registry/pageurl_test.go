package registry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/sources/fetch"
)

// vendor serves fixtures at a vendor's paths and records every request.
type vendor struct {
	files map[string]string // path -> fixture
	mu    sync.Mutex
	got   []string // path?query of each request
}

func (v *vendor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v.mu.Lock()
	v.got = append(v.got, r.URL.RequestURI())
	v.mu.Unlock()
	file, ok := v.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	data, err := os.ReadFile(file)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if strings.HasSuffix(file, ".atom") {
		w.Header().Set("Content-Type", "application/atom+xml")
	} else {
		w.Header().Set("Content-Type", "application/json")
	}
	_, _ = w.Write(data)
}

func (v *vendor) requests() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.got)
}

// Configured with one of its API URLs (with a query, on a page hosted
// under /status), each feed type polls the vendor's own endpoints under the
// page's base, and never sends the query.
func TestPollFromAPIURL(t *testing.T) {
	const sp, ii, is, bs, gc, ca, sl, su, fe = "../statuspage/testdata/", "../incidentio/testdata/", "../instatus/testdata/",
		"../betterstack/testdata/", "../gcp/testdata/", "../cachet/testdata/", "../slackstatus/testdata/", "../statusio/testdata/", "../feed/testdata/"
	tests := []struct {
		name, typ string
		// url is appended to the server's URL and /status.
		url   string
		files map[string]string
		// want must each be requested; every request must be in want,
		// allow, or under allowUnder.
		want, allow []string
		allowUnder  string
	}{
		{name: "statuspage incidents.json", typ: "statuspage", url: "/api/v2/incidents.json?utm_source=chat",
			files: map[string]string{"/status/api/v2/summary.json": sp + "degraded/summary.json"},
			want:  []string{"/status/api/v2/summary.json"}, allow: []string{"/status/api/v2/incidents.json", "/status/api/v2/scheduled-maintenances.json"}},
		{name: "statuspage summary.json", typ: "statuspage", url: "/api/v2/summary.json",
			files: map[string]string{"/status/api/v2/summary.json": sp + "degraded/summary.json"},
			want:  []string{"/status/api/v2/summary.json"}, allow: []string{"/status/api/v2/incidents.json", "/status/api/v2/scheduled-maintenances.json"}},
		{name: "incidentio proxy", typ: "incidentio", url: "/proxy/status.example.com?x=1",
			files: map[string]string{"/status/api/v2/summary.json": ii + "compat/summary.json"},
			want:  []string{"/status/api/v2/summary.json"}, allow: []string{"/status/api/v2/incidents.json", "/status/api/v2/scheduled-maintenances.json"}},
		{name: "incidentio widget", typ: "incidentio", url: "/api/v1/summary",
			files: map[string]string{"/status/api/v1/summary": ii + "ongoing/widget.json"},
			want:  []string{"/status/api/v2/summary.json", "/status/api/v1/summary"}},
		{name: "slackstatus current", typ: "slackstatus", url: "/api/v2.0.0/current?t=1",
			files: map[string]string{"/status/api/v2.0.0/current": sl + "active.json"},
			want:  []string{"/status/api/v2.0.0/current"}},
		{name: "gcp products.json", typ: "gcp", url: "/products.json",
			files: map[string]string{"/status/incidents.json": gc + "ongoing/incidents.json"},
			want:  []string{"/status/incidents.json"}},
		{name: "gcp incidents.json with a query", typ: "gcp", url: "/incidents.json?hl=en",
			files: map[string]string{"/status/incidents.json": gc + "ongoing/incidents.json"},
			want:  []string{"/status/incidents.json"}},
		{name: "instatus components", typ: "instatus", url: "/v2/components.json",
			files: map[string]string{"/status/summary.json": is + "ongoing/summary.json", "/status/v3/components.json": is + "ongoing/components.json"},
			want:  []string{"/status/summary.json", "/status/v3/components.json"}},
		{name: "betterstack index.json", typ: "betterstack", url: "/index.json?x=1",
			files: map[string]string{"/status/index.json": bs + "ongoing/index.json"},
			want:  []string{"/status/index.json"}},
		{name: "statusio API", typ: "statusio", url: "/1.0/status/5b36dc6502d06804c08349f7/?x=1",
			files: map[string]string{"/status/1.0/status/5b36dc6502d06804c08349f7": su + "ongoing/status.json"},
			want:  []string{"/status/1.0/status/5b36dc6502d06804c08349f7"}},
		{name: "cachet incidents", typ: "cachet", url: "/api/v1/incidents?x=1",
			files: map[string]string{
				"/status/api/v1/components":           ca + "ongoing/components.json",
				"/status/api/v1/components/groups":    ca + "ongoing/groups.json",
				"/status/api/v1/incidents":            ca + "ongoing/incidents.json",
				"/status/api/v1/incidents/43/updates": ca + "ongoing/updates-43.json",
			},
			want:       []string{"/status/api/v1/components?per_page=100", "/status/api/v1/incidents?sort=id&order=desc&per_page=100"},
			allowUnder: "/status/api/v1/"},
		// auto reads the URL itself first, then the well-known endpoints
		// under the page's base.
		{name: "auto from a Statuspage API URL", typ: "auto", url: "/api/v2/incidents.json",
			files: map[string]string{"/status/api/v2/summary.json": sp + "degraded/summary.json"},
			want:  []string{"/status/api/v2/incidents.json", "/status/api/v2/summary.json"}, allowUnder: "/status/api/v2/"},
		{name: "feed", typ: "feed", url: "/history.atom",
			files: map[string]string{"/status/history.atom": fe + "ongoing/feed.atom"},
			want:  []string{"/status/history.atom"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &vendor{files: tt.files}
			srv := httptest.NewServer(v)
			defer srv.Close()
			src, err := New(config.Target{Name: "Nimbus", Type: tt.typ, URL: srv.URL + "/status" + tt.url}, Deps{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := src.Poll(context.Background()); err != nil {
				t.Fatalf("poll: %v (requests %q)", err, v.requests())
			}
			got := v.requests()
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("never requested %s; requests: %q", w, got)
				}
			}
			for _, g := range got {
				path, _, _ := strings.Cut(g, "?")
				ok := slices.Contains(tt.want, g) || slices.Contains(tt.allow, g) ||
					(tt.allowUnder != "" && strings.HasPrefix(path, tt.allowUnder))
				if !ok || strings.Contains(g, "x=1") || strings.Contains(g, "utm_source") || strings.Contains(g, "t=1") || strings.Contains(g, "hl=en") {
					t.Errorf("unexpected request %s; requests: %q", g, got)
				}
			}
		})
	}
}

// A status.io page URL that names its page polls the Public Status API for
// that page, and links incidents to the page.
func TestStatusioFromPageURL(t *testing.T) {
	v := &vendor{files: map[string]string{"/1.0/status/5b36dc6502d06804c08349f7": "../statusio/testdata/ongoing/status.json"}}
	srv := httptest.NewServer(v)
	defer srv.Close()
	// api.status.io is answered by the local server.
	client := fetch.New(fetch.Options{Transport: rewriteHost{to: strings.TrimPrefix(srv.URL, "http://")}})
	src, err := New(config.Target{Name: "GitLab", Type: "statusio", URL: "https://status.gitlab.com/pages/history/5b36dc6502d06804c08349f7"}, Deps{Client: client})
	if err != nil {
		t.Fatal(err)
	}
	obs, err := src.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := v.requests(); !slices.Equal(got, []string{"/1.0/status/5b36dc6502d06804c08349f7"}) {
		t.Errorf("requests %q", got)
	}
	if obs.Page != "https://status.gitlab.com" || len(obs.Incidents) == 0 || !strings.HasPrefix(obs.Incidents[0].URL, "https://status.gitlab.com/") {
		t.Errorf("page %q, incidents %+v", obs.Page, obs.Incidents)
	}
}

// rewriteHost sends every https request to a local plain-HTTP server.
type rewriteHost struct{ to string }

func (r rewriteHost) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != "api.status.io" {
		return nil, &url404{req.URL.Host}
	}
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = "http", r.to
	return http.DefaultTransport.RoundTrip(req)
}

type url404 struct{ host string }

func (e *url404) Error() string { return "test transport: unexpected host " + e.host }
