package registry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
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
