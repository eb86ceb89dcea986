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
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestParseGolden(t *testing.T) {
	// captured is an answer captured from Slack's API as served (escaped
	// slashes, numeric ids, one note per incident).
	for _, name := range []string{"ok", "active", "maintenance", "captured"} {
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

// TestParseCaptured checks what a real answer with two open incidents
// yields: both incidents, their services partially out, every other
// service operational, times in UTC, links unescaped.
func TestParseCaptured(t *testing.T) {
	data, err := os.ReadFile("testdata/captured.json")
	if err != nil {
		t.Fatal(err)
	}
	obs, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		id, title, url, service string
		started                 time.Time
	}{
		{"878", "We are investigating an issue with notification settings", "https://status.slack.com/2020-07/ea58a170d343b2ad", "Notifications", time.Date(2020, 7, 30, 22, 12, 34, 0, time.UTC)},
		{"879", "We're looking into an issue with certain API calls", "https://status.slack.com/2020-07/7d32ad54b0703c47", "Apps/Integrations/APIs", time.Date(2020, 7, 24, 17, 45, 8, 0, time.UTC)},
	} {
		if i >= len(obs.Incidents) {
			t.Fatalf("incidents = %+v", obs.Incidents)
		}
		inc := obs.Incidents[i]
		if inc.ID != want.id || inc.Title != want.title || inc.URL != want.url || inc.Status != sources.IncidentInvestigating ||
			inc.Impact != sources.PartialOutage || !inc.StartedAt.Equal(want.started) || inc.StartedAt.Location() != time.UTC ||
			len(inc.ComponentIDs) != 1 || inc.ComponentIDs[0] != want.service || len(inc.Updates) != 1 || inc.Updates[0].Body == "" {
			t.Errorf("incident %d = %+v", i, inc)
		}
	}
	if len(obs.Incidents) != 2 || len(obs.Maintenances) != 0 {
		t.Errorf("%d incidents, %d maintenances", len(obs.Incidents), len(obs.Maintenances))
	}
	for _, c := range obs.Components {
		want := sources.Operational
		if c.Name == "Notifications" || c.Name == "Apps/Integrations/APIs" {
			want = sources.PartialOutage
		}
		if c.Status != want {
			t.Errorf("component %s = %s, want %s", c.Name, c.Status, want)
		}
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

// TestParseBadInput: errors say what the document is and what was
// expected, never Go's types.
// TestParseMaintenance: Slack's times are UTC, its notes plain text with
// no \r, and maintenance that is scheduled or cancelled neither degrades
// its service nor is open.
func TestParseMaintenance(t *testing.T) {
	data, err := os.ReadFile("testdata/maintenance.json")
	if err != nil {
		t.Fatal(err)
	}
	obs, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(obs.Incidents) != 1 || len(obs.Maintenances) != 2 {
		t.Fatalf("incidents %d, maintenances %d", len(obs.Incidents), len(obs.Maintenances))
	}
	files := obs.Incidents[0]
	if files.ID != "3342" || !files.StartedAt.Equal(time.Date(2026, 7, 14, 15, 5, 0, 0, time.UTC)) || files.StartedAt.Location() != time.UTC {
		t.Errorf("incident %s started %v", files.ID, files.StartedAt)
	}
	want := "Technical Summary:\nA storage node in one region stopped accepting writes at 8:05am PT.\n\nWe moved traffic away from it at 9:10am PT and uploads are succeeding again for most users."
	if len(files.Updates) != 2 || files.Updates[1].Body != want || files.Updates[0].Body != "We're looking into reports that some users can't upload files." {
		t.Errorf("updates = %q", files.Updates)
	}
	for _, inc := range append(obs.Incidents, obs.Maintenances...) {
		for _, tm := range []time.Time{inc.StartedAt, inc.UpdatedAt, inc.ResolvedAt} {
			if tm.Location() != time.UTC {
				t.Errorf("%s: %v is not UTC", inc.Title, tm)
			}
		}
		for _, u := range inc.Updates {
			if u.At.Location() != time.UTC || strings.Contains(u.Body, "\r") {
				t.Errorf("%s: update %q at %v", inc.Title, u.Body, u.At)
			}
		}
	}
	wf, huddles := obs.Maintenances[0], obs.Maintenances[1]
	if wf.Status != sources.MaintenanceScheduled || wf.Impact != sources.Maintenance {
		t.Errorf("scheduled = %s %s", wf.Status, wf.Impact)
	}
	if !huddles.Status.Done() || huddles.ResolvedAt.IsZero() {
		t.Errorf("cancelled = %s, resolved at %v", huddles.Status, huddles.ResolvedAt)
	}
	status := map[string]sources.Status{}
	for _, c := range obs.Components {
		status[c.Name] = c.Status
	}
	if status["Files"] != sources.PartialOutage || status["Workflows"] != sources.Operational || status["Huddles"] != sources.Operational {
		t.Errorf("components = %v", status)
	}
}

func TestParseBadInput(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"html", "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "not Slack status JSON: got an HTML page instead of JSON (an error or login page?)"},
		{"empty", " ", "not Slack status JSON: the body is empty"},
		{"invalid", `{"status": ok}`, "invalid JSON at byte 12: invalid character 'o' looking for beginning of value"},
		{"truncated", `{"status": "active", "active_incidents": [{"id": 1,`, "invalid JSON: the document ends early (truncated at 51 bytes?)"},
		{"not slack", `{"page": {}}`, `not Slack status JSON: no "status" field`},
		{"array", `[]`, "not Slack status JSON: the document is an array, not an object"},
		{"incidents not a list", `{"status": "active", "active_incidents": {"id": 1}}`, `not Slack status JSON: "active_incidents" is an object, want an array`},
		{"notes not a list", `{"status": "active", "active_incidents": [{"id": 1, "notes": "x"}]}`, `not Slack status JSON: "active_incidents.notes" is a string, want an array`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.body))
			if err == nil || err.Error() != tc.want {
				t.Errorf("err\n got %v\nwant %s", err, tc.want)
			}
			if err != nil && (strings.Contains(err.Error(), "Go ") || strings.Contains(err.Error(), "slackstatus.")) {
				t.Errorf("err names Go types: %v", err)
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
