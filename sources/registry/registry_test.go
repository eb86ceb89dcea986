package registry

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/awshealth"
	"github.com/outagebot/outagebot/sources/fetch"
	"github.com/outagebot/outagebot/sources/probe"
	"github.com/outagebot/outagebot/sources/statuspage"
)

func TestNew(t *testing.T) {
	var gotUA string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA = r.UserAgent()
		if r.URL.Path == "/api/v2/summary.json" {
			data, _ := os.ReadFile("../statuspage/testdata/degraded/summary.json")
			w.Write(data)
			return
		}
		if r.URL.Path == "/healthz" && r.Method == "HEAD" {
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	d := Deps{UserAgent: "outagebot/9.9", MaxBody: 1 << 20}

	src, err := New(config.Target{Name: "Nimbus", Type: "statuspage", URL: srv.URL}, d)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := src.(*statuspage.Source); !ok {
		t.Errorf("statuspage target built a %T", src)
	}
	obs, err := src.Poll(context.Background())
	if err != nil || len(obs.Incidents) != 1 {
		t.Fatalf("statuspage poll: %+v, %v", obs, err)
	}
	if gotUA != "outagebot/9.9" {
		t.Errorf("User-Agent = %q", gotUA)
	}

	tgt := config.Target{Name: "API", Type: "http", URL: srv.URL + "/healthz", Method: "HEAD",
		ExpectStatus: []int{200}, DegradedLatency: config.Duration{Duration: time.Second}}
	src, err = New(tgt, Deps{Client: fetch.New(fetch.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := src.(*probe.HTTP); !ok {
		t.Errorf("http target built a %T", src)
	}
	obs, err = src.Poll(context.Background())
	if err != nil || obs.Components[0].Status != sources.Operational || obs.Components[0].Name != "API" {
		t.Fatalf("http poll: %+v, %v", obs, err)
	}
}

// An awshealth target reads AWS's UTF-16 event list through the shared
// client.
func TestNewAWSHealth(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/public/currentevents" {
			http.NotFound(w, r)
			return
		}
		data, _ := os.ReadFile("../awshealth/testdata/ongoing/currentevents.json")
		w.Header().Set("Content-Type", "application/json;charset=utf-16")
		w.Write(data)
	}))
	defer srv.Close()
	src, err := New(config.Target{Name: "AWS", Type: "awshealth", URL: srv.URL}, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := src.(*awshealth.Source); !ok {
		t.Errorf("awshealth target built a %T", src)
	}
	obs, err := src.Poll(context.Background())
	if err != nil || len(obs.Incidents) != 2 || len(obs.Components) != 3 {
		t.Fatalf("awshealth poll: %+v, %v", obs, err)
	}
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		t    config.Target
		want string
	}{
		{config.Target{Name: "x", Type: "gopher"}, `target "x": unknown type "gopher" (known: ` + strings.Join(Types(), ", ") + ")"},
		{config.Target{Name: "x", Type: ""}, `target "x": unknown type "" (known: ` + strings.Join(Types(), ", ") + ")"},
		{config.Target{Name: "x", Type: "statuspage", URL: "status.example.com"}, `target "x": url "status.example.com": must start with https:// or http://, like https://status.example.com`},
		{config.Target{Name: "x", Type: "http", URL: "ftp://example.com"}, `target "x": http probe "x": url "ftp://example.com" must start with http:// or https://`},
	} {
		_, err := New(tc.t, Deps{})
		if err == nil || err.Error() != tc.want {
			t.Errorf("New(%+v) = %v, want %s", tc.t, err, tc.want)
		}
	}
}

// TestTypesInStepWithConfig: the config package validates `type` with its
// own list; every type it accepts must build here, and no more.
func TestTypesInStepWithConfig(t *testing.T) {
	if got, want := Types(), config.Types(); !slices.Equal(got, want) {
		t.Errorf("registry types %v, config types %v: keep the two in step", got, want)
	}
}

// TestFeedRedirects serves a statuspage feed whose URL redirects to another
// server (another port on the loopback address: another host). By default
// the poll fails, saying where the redirect pointed, and the other host is
// never asked; follow_redirects = "any" follows it.
func TestFeedRedirects(t *testing.T) {
	summary, err := os.ReadFile("../statuspage/testdata/degraded/summary.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		policy     config.Redirects
		otherHits  int
		wantErr    string // with OTHER for the other server's URL
		wantIncLen int
	}{
		{policy: "", wantErr: `GET HOME/api/v2/summary.json: redirected to OTHER/api/v2/summary.json: another port, not followed (follow_redirects = "any" would follow it)`},
		{policy: config.RedirectsSameHost, wantErr: `GET HOME/api/v2/summary.json: redirected to OTHER/api/v2/summary.json: another port, not followed (follow_redirects = "any" would follow it)`},
		{policy: config.RedirectsNone, wantErr: `GET HOME/api/v2/summary.json: HTTP 302 Found, redirected to OTHER/api/v2/summary.json`},
		{policy: config.RedirectsAny, otherHits: 1, wantIncLen: 1},
	}
	for _, tc := range tests {
		name := string(tc.policy)
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			var otherHits atomic.Int32
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/api/v2/summary.json" {
					http.NotFound(w, r)
					return
				}
				otherHits.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.Write(summary)
			}))
			defer other.Close()
			home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
			}))
			defer home.Close()

			src, err := New(config.Target{Name: "Nimbus", Type: "statuspage", URL: home.URL, FollowRedirects: tc.policy}, Deps{})
			if err != nil {
				t.Fatal(err)
			}
			obs, err := src.Poll(context.Background())
			if tc.wantErr != "" {
				want := strings.NewReplacer("HOME", home.URL, "OTHER", other.URL).Replace(tc.wantErr)
				if err == nil || err.Error() != want {
					t.Fatalf("Poll error = %v\nwant %s", err, want)
				}
				var fe *fetch.Error
				if !errors.As(err, &fe) {
					t.Errorf("Poll error is a %T, want a *fetch.Error (an unreachable poll)", err)
				}
			} else if err != nil || len(obs.Incidents) != tc.wantIncLen {
				t.Fatalf("Poll = %+v, %v", obs, err)
			}
			if got := int(otherHits.Load()); got != tc.otherHits {
				t.Errorf("the other host was asked %d times, want %d", got, tc.otherHits)
			}
		})
	}
}
