package auto

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

// page serves one fixture at one path, like a vendor's status site; every
// other path answers 404 (or an HTML page, when html is set).
func page(t *testing.T, path, fixture, contentType string, html bool) *httptest.Server {
	t.Helper()
	var body []byte
	if fixture != "" {
		var err error
		if body, err = os.ReadFile(fixture); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fixture != "" && r.URL.Path == path {
			w.Header().Set("Content-Type", contentType)
			_, _ = w.Write(body)
			return
		}
		if html {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<!DOCTYPE html><html><head><title>Status</title></head><body>All good</body></html>"))
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDetectEveryFormat(t *testing.T) {
	tests := []struct {
		typ, path, fixture, contentType string
		// urlPath is appended to the server URL to make the configured url.
		urlPath string
	}{
		{"statuspage", "/api/v2/summary.json", "../statuspage/testdata/degraded/summary.json", "application/json", ""},
		{"incidentio", "/api/v1/summary", "../incidentio/testdata/ongoing/widget.json", "application/json", ""},
		{"instatus", "/summary.json", "../instatus/testdata/ongoing/summary.json", "application/json", ""},
		{"betterstack", "/index.json", "../betterstack/testdata/ongoing/index.json", "application/json", ""},
		{"gcp", "/incidents.json", "../gcp/testdata/ongoing/incidents.json", "application/json", ""},
		{"cachet", "/api/v1/components", "../cachet/testdata/ongoing/components.json", "application/json", ""},
		{"slackstatus", "/api/v2.0.0/current", "../slackstatus/testdata/active.json", "application/json", ""},
		{"feed", "/history.atom", "../feed/testdata/ongoing/feed.atom", "application/atom+xml", "/history.atom"},
		{"statusio", "/1.0/status/abc123", "../statusio/testdata/ongoing/status.json", "application/json", "/1.0/status/abc123"},
		{"gcp", "/incidents.json", "../gcp/testdata/ongoing/incidents.json", "application/json", "/incidents.json"},
		{"statuspage", "/api/v2/summary.json", "../statuspage/testdata/degraded/summary.json", "application/json", "/api/v2/summary.json"},
		// AWS's event list is UTF-16 with a byte order mark.
		{"awshealth", "/public/currentevents", "../awshealth/testdata/ongoing/currentevents.json", "application/json;charset=utf-16", ""},
		{"awshealth", "/public/currentevents", "../awshealth/testdata/ongoing/currentevents.json", "application/json;charset=utf-16", "/public/currentevents"},
	}
	for _, tt := range tests {
		t.Run(tt.typ+tt.urlPath, func(t *testing.T) {
			srv := page(t, tt.path, tt.fixture, tt.contentType, true)
			d, err := Detect(context.Background(), fetch.New(fetch.Options{}), srv.URL+tt.urlPath)
			if err != nil {
				t.Fatal(err)
			}
			if d.Type != tt.typ {
				t.Errorf("detected %q, want %q", d.Type, tt.typ)
			}
			if (tt.urlPath == "/api/v2/summary.json" || tt.urlPath == "/public/currentevents") && d.URL != srv.URL {
				t.Errorf("a document URL should become its page's base: %s", d.URL)
			}
		})
	}
}

type refuse struct{ t *testing.T }

func (r refuse) RoundTrip(req *http.Request) (*http.Response, error) {
	r.t.Errorf("requested %s", req.URL)
	return nil, errors.New("no requests")
}

// AWS's event list is "[]" whenever all is well, which says nothing of its
// format: the dashboard is known by its host, without a request.
func TestDetectKnownHost(t *testing.T) {
	c := fetch.New(fetch.Options{Transport: refuse{t}})
	for _, u := range []string{"https://health.aws.amazon.com", "https://health.aws.amazon.com/health/status", "https://Health.AWS.amazon.com/public/currentevents"} {
		d, err := Detect(context.Background(), c, u)
		if err != nil || d.Type != "awshealth" || d.URL != u {
			t.Errorf("Detect(%s) = %+v, %v", u, d, err)
		}
	}
}

func TestDetectRefusesHTMLPage(t *testing.T) {
	srv := page(t, "", "", "", true)
	_, err := Detect(context.Background(), fetch.New(fetch.Options{}), srv.URL)
	if !errors.Is(err, ErrUnrecognised) || !strings.Contains(err.Error(), "is a web page, not a status feed outagebot recognises: set type") {
		t.Fatalf("err = %v", err)
	}
}

func TestDetectUnreachable(t *testing.T) {
	srv := page(t, "", "", "", false)
	srv.Close()
	_, err := Detect(context.Background(), fetch.New(fetch.Options{}), srv.URL)
	if err == nil || errors.Is(err, ErrUnrecognised) || !strings.Contains(err.Error(), "no endpoint could be read") {
		t.Fatalf("err = %v", err)
	}
}

// The auto source detects once, says so, and then polls as the detected
// type.
func TestSourceDetectsOnceThenDelegates(t *testing.T) {
	srv := page(t, "/api/v2/summary.json", "../statuspage/testdata/degraded/summary.json", "application/json", false)
	built := 0
	var logs strings.Builder
	s := New(srv.URL, fetch.New(fetch.Options{}), func(typ, url string) (sources.Source, error) {
		built++
		if typ != "statuspage" || url != srv.URL {
			t.Errorf("build(%q, %q)", typ, url)
		}
		return fixed{}, nil
	}, slog.New(slog.NewTextHandler(&logs, nil)))
	for range 3 {
		if _, err := s.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if built != 1 || strings.Count(logs.String(), "detected the status page's format") != 1 || !strings.Contains(logs.String(), "type=statuspage") {
		t.Errorf("built %d times; log:\n%s", built, logs.String())
	}
}

type fixed struct{}

func (fixed) Poll(context.Context) (sources.Observation, error) { return sources.Observation{}, nil }

// Configured with any of a page's API URLs, or its base with a query or a
// trailing slash, auto finds the format under the page's base and hands the
// type that base (a page hosted under a path keeps its path).
func TestDetectFromAPIURL(t *testing.T) {
	tests := []struct {
		typ, path, fixture, urlPath, want string
	}{
		{"statuspage", "/api/v2/summary.json", "../statuspage/testdata/degraded/summary.json", "/api/v2/incidents.json", ""},
		{"statuspage", "/api/v2/summary.json", "../statuspage/testdata/degraded/summary.json", "/api/v2/components.json", ""},
		{"statuspage", "/api/v2/summary.json", "../statuspage/testdata/degraded/summary.json", "/api/v2/status.json", ""},
		{"statuspage", "/api/v2/summary.json", "../statuspage/testdata/degraded/summary.json", "/api/v2/summary.json?utm_source=chat", ""},
		{"statuspage", "/api/v2/summary.json", "../statuspage/testdata/degraded/summary.json", "/api/v2/summary.json/", ""},
		{"statuspage", "/api/v2/summary.json", "../statuspage/testdata/degraded/summary.json", "/?utm_source=chat", ""},
		{"statuspage", "/api/v2/summary.json", "../statuspage/testdata/degraded/summary.json", "/history.atom", ""},
		{"statuspage", "/status/api/v2/summary.json", "../statuspage/testdata/degraded/summary.json", "/status/api/v2/incidents.json", "/status"},
		{"incidentio", "/api/v1/summary", "../incidentio/testdata/ongoing/widget.json", "/proxy/status.example.com", ""},
		{"instatus", "/summary.json", "../instatus/testdata/ongoing/summary.json", "/v2/components.json", ""},
		{"cachet", "/api/v1/components", "../cachet/testdata/ongoing/components.json", "/api/v1/incidents?per_page=100", ""},
		{"slackstatus", "/api/v2.0.0/current", "../slackstatus/testdata/active.json", "/api/v2.0.0/history", ""},
		{"gcp", "/incidents.json", "../gcp/testdata/ongoing/incidents.json", "/products.json", ""},
	}
	for _, tt := range tests {
		t.Run(tt.typ+tt.urlPath, func(t *testing.T) {
			srv := page(t, tt.path, tt.fixture, "application/json", false)
			d, err := Detect(context.Background(), fetch.New(fetch.Options{}), srv.URL+tt.urlPath)
			if err != nil {
				t.Fatal(err)
			}
			if d.Type != tt.typ || d.URL != srv.URL+tt.want {
				t.Errorf("detected %s at %s, want %s at %s", d.Type, d.URL, tt.typ, srv.URL+tt.want)
			}
		})
	}
}
