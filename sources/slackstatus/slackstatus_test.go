package slackstatus

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestParseGolden(t *testing.T) {
	for _, name := range []string{"ok", "active"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			obs, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.MarshalIndent(obs, "", "  ")
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
				t.Errorf("mismatch with %s (run with -update to accept):\n%s", golden, got)
			}
		})
	}
}

func TestParseActive(t *testing.T) {
	data, _ := os.ReadFile("testdata/active.json")
	obs, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(obs.Incidents) != 2 {
		t.Fatalf("incidents = %d", len(obs.Incidents))
	}
	in := obs.Incidents[0]
	if in.Impact != sources.PartialOutage || len(in.Updates) != 2 || !strings.HasPrefix(in.Updates[0].Body, "We're investigating") {
		t.Errorf("incident = %+v", in)
	}
	status := map[string]sources.Status{}
	for _, c := range obs.Components {
		status[c.Name] = c.Status
	}
	if status["Huddles"] != sources.MajorOutage || status["Messaging"] != sources.PartialOutage || status["Search"] != sources.Operational {
		t.Errorf("components = %v", status)
	}
}

func TestParseBadInput(t *testing.T) {
	for name, body := range map[string]string{
		"html":      "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>",
		"invalid":   `{"status": ok}`,
		"truncated": `{"status": "active", "active_incidents": [{"id": 1,`,
		"not slack": `{"page": {}}`,
		"array":     `[]`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse([]byte(body)); err == nil || !strings.Contains(err.Error(), "not Slack status JSON") {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestPollConditional(t *testing.T) {
	var hits, notModified atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/api/v2.0.0/current" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("If-None-Match") == `"v1"` {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/json")
		data, _ := os.ReadFile("testdata/active.json")
		_, _ = w.Write(data)
	}))
	defer srv.Close()
	s := New(srv.URL, fetch.New(fetch.Options{}))
	first, err := s.Poll(context.Background())
	if err != nil || first.NotModified || len(first.Incidents) != 2 {
		t.Fatalf("first poll: %+v, %v", first, err)
	}
	second, err := s.Poll(context.Background())
	if err != nil || !second.NotModified || len(second.Incidents) != 2 {
		t.Fatalf("second poll: %+v, %v", second, err)
	}
	if notModified.Load() != 1 {
		t.Errorf("conditional requests answered 304: %d", notModified.Load())
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"ok", "active"} {
		data, _ := os.ReadFile(filepath.Join("testdata", name+".json"))
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Parse(data)
	})
}
