package gcp

import (
	"flag"
	"fmt"
	goldenfile "github.com/outagebot/outagebot/internal/golden"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/sources"
)

var update = flag.Bool("update", false, "rewrite the expected.golden files")

const fixtureBase = "https://status.cloud.google.com"

var testNow = time.Date(2026, 6, 24, 12, 0, 0, 0, time.UTC)

func cases(t testing.TB) []string {
	paths, err := filepath.Glob("testdata/*/incidents.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var out []string
	for _, p := range paths {
		out = append(out, filepath.Base(filepath.Dir(p)))
	}
	return out
}

func golden(t *testing.T, path string, v any) {
	t.Helper()
	goldenfile.JSONAt(t, path, v, *update)
}

func parseFixture(t *testing.T, name string) sources.Observation {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name, "incidents.json"))
	if err != nil {
		t.Fatal(err)
	}
	obs, err := Parse(data, fixtureBase, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return obs
}

func TestParseGolden(t *testing.T) {
	for _, c := range cases(t) {
		t.Run(c, func(t *testing.T) {
			golden(t, filepath.Join("testdata", c, "expected.golden"), parseFixture(t, c))
		})
	}
}

// TestParseMapping checks the rules the goldens encode, so that an -update
// cannot quietly bless a regression.
func TestParseMapping(t *testing.T) {
	if obs := parseFixture(t, "operational"); len(obs.Incidents) != 0 || len(obs.Components) != 0 || obs.Page != fixtureBase+"/" {
		t.Errorf("operational = %+v", obs)
	}

	obs := parseFixture(t, "ongoing")
	if len(obs.Incidents) != 2 {
		t.Fatalf("incidents = %d, want 2 (the May one ended long ago)", len(obs.Incidents))
	}
	inc := obs.Incidents[0]
	if inc.Status != sources.IncidentInvestigating || inc.Impact != sources.PartialOutage || !inc.ResolvedAt.IsZero() {
		t.Errorf("open incident = %s/%s", inc.Status, inc.Impact)
	}
	if inc.URL != fixtureBase+"/incidents/aB4nQ7wEr2TyU9iOp3Lk" {
		t.Errorf("URL = %s", inc.URL)
	}
	if len(inc.Updates) != 3 || !inc.Updates[0].At.Before(inc.Updates[2].At) || !strings.Contains(inc.Updates[2].Body, "Mitigation work") {
		t.Errorf("updates not oldest first: %+v", inc.Updates)
	}
	if got := strings.Join(inc.ComponentIDs, ","); got != "L3ggmi3Jy4xJmgodFA9K,9D7d2iNBQWN24zc1VamE,oW4vJ7VNqyxTWNzSHopX" {
		t.Errorf("ComponentIDs = %s", got)
	}
	status := map[string]sources.Status{}
	for _, c := range obs.Components {
		status[c.Name] = c.Status
	}
	want := map[string]sources.Status{
		"Google Compute Engine":  sources.PartialOutage,
		"Cloud Run":              sources.MajorOutage, // the worse of two open incidents
		"Google Cloud Functions": sources.PartialOutage,
	}
	if fmt.Sprint(status) != fmt.Sprint(want) {
		t.Errorf("components = %v, want %v", status, want)
	}

	res := parseFixture(t, "resolved")
	if len(res.Incidents) != 1 || res.Incidents[0].Status != sources.IncidentResolved || res.Incidents[0].ResolvedAt.IsZero() {
		t.Fatalf("resolved = %+v", res.Incidents)
	}
	if last, _ := res.Incidents[0].Latest(); last.Status != sources.IncidentResolved || !strings.HasPrefix(last.Body, "The issue with Google Compute Engine") {
		t.Errorf("final words = %+v", last)
	}
	for _, c := range res.Components {
		if c.Status != sources.Operational {
			t.Errorf("component %s = %s after the incident ended", c.Name, c.Status)
		}
	}
	if len(res.Components) != 3 {
		t.Errorf("components = %+v", res.Components)
	}
	// A week later it is gone.
	data, _ := os.ReadFile("testdata/resolved/incidents.json")
	later, err := Parse(data, fixtureBase, testNow.Add(8*24*time.Hour))
	if err != nil || len(later.Incidents) != 0 || len(later.Components) != 0 {
		t.Errorf("a week later: %+v, %v", later, err)
	}

	odd := parseFixture(t, "odd")
	if len(odd.Incidents) != 3 {
		t.Fatalf("odd incidents = %d", len(odd.Incidents))
	}
	gmail, gemini, bq := odd.Incidents[0], odd.Incidents[1], odd.Incidents[2]
	if gmail.Title != "Gmail Android App users on the latest release may experience sync delays" || gmail.Impact != sources.Degraded {
		t.Errorf("workspace title/impact = %q %s", gmail.Title, gmail.Impact)
	}
	if !gmail.UpdatedAt.Equal(time.Date(2026, 6, 22, 21, 35, 44, 0, time.UTC)) {
		t.Errorf("offset not honoured: %v", gmail.UpdatedAt)
	}
	if gemini.Status != sources.IncidentMonitoring || gemini.ComponentIDs[0] != "Z0FZJAMvEB4j3NbCJs6B" || gemini.URL != fixtureBase+"/incidents/Xq2wE4rT6yU8iO0pA1sD" {
		t.Errorf("gemini = %+v", gemini)
	}
	if bq.Impact != sources.MajorOutage || len(bq.Updates) != 1 || len(bq.ComponentIDs) != 1 || bq.UpdatedAt.IsZero() {
		t.Errorf("bigquery = %+v", bq)
	}
}

// TestParsePlainText: titles and updates reach chat as plain text: Google's
// Markdown keeps its lines, without \r, and entities are decoded.
func TestParsePlainText(t *testing.T) {
	obs := parseFixture(t, "markdown")
	if len(obs.Incidents) != 1 {
		t.Fatalf("incidents = %+v", obs.Incidents)
	}
	inc := obs.Incidents[0]
	if inc.Title != "Google Chat & Google Meet users may see delayed messages" {
		t.Errorf("title = %q", inc.Title)
	}
	if len(inc.Updates) != 2 {
		t.Fatalf("updates = %+v", inc.Updates)
	}
	want := "**Summary:**\nGoogle Chat & Google Meet users may see delayed messages\n\n**Description:**\nMitigation work is underway. We will provide an update by Wednesday, 2026-06-24 03:30 US/Pacific.\n\n**Diagnosis:**\nMessages may take up to 10 minutes to arrive.\n\n**Workaround:**\nNone at this time."
	if got := inc.Updates[1].Body; got != want {
		t.Errorf("body\n got %q\nwant %q", got, want)
	}
	if got := inc.Updates[0].Body; strings.Contains(got, "&amp;") || !strings.Contains(got, "\n\nWe will provide an update") {
		t.Errorf("first body = %q", got)
	}
}

func TestParseErrors(t *testing.T) {
	ok, err := os.ReadFile("testdata/ongoing/incidents.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, doc, want string }{
		{"empty", "", "not a Google Cloud incident feed: the body is empty"},
		{"object", "{}", "not a Google Cloud incident feed: the document is an object, not an array"},
		{"null", "null", "not a Google Cloud incident feed: the document is null, not an array"},
		{"strings", `["a"]`, "not a Google Cloud incident feed: an incident is a string, not an object"},
		{"no id", `[{"begin":"2026-06-24T09:00:00Z"}]`, `not a Google Cloud incident feed: incident 0 has no "id"`},
		{"wrong type", `[{"id":"x","updates":{}}]`, `not a Google Cloud incident feed: "updates" is an object, want an array`},
		{"bad time", `[{"id":"x","begin":"yesterday"}]`, `not a Google Cloud incident feed: bad time "yesterday"`},
		{"invalid", `[{"id": nope}]`, "invalid JSON at byte 10: invalid character 'o' in literal null (expecting 'u')"},
		{"truncated", string(ok[:len(ok)/2]), fmt.Sprintf("invalid JSON: the document ends early (truncated at %d bytes?)", len(ok)/2)},
		{"html", "<!DOCTYPE html><html></html>", "not a Google Cloud incident feed: got an HTML page instead of JSON (an error or login page?)"},
		{"xml", "\n<?xml version=\"1.0\"?><feed/>", "not a Google Cloud incident feed: got an HTML page instead of JSON (an error or login page?)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), fixtureBase, testNow)
			if err == nil || err.Error() != tc.want {
				t.Errorf("err\n got %v\nwant %s", err, tc.want)
			}
		})
	}
	obs, err := Parse([]byte(" [] "), fixtureBase, testNow)
	if err != nil || len(obs.Incidents) != 0 {
		t.Errorf("empty feed: %+v, %v", obs, err)
	}
}

func TestDetect(t *testing.T) {
	for _, c := range cases(t) {
		data, _ := os.ReadFile(filepath.Join("testdata", c, "incidents.json"))
		if !Detect(data, "application/json") {
			t.Errorf("Detect(%s) = false", c)
		}
	}
	for _, doc := range []string{"", "[]", "{}", `{"page":{},"components":[]}`, "<rss></rss>", `[{"id":"a"}]`} {
		if Detect([]byte(doc), "application/json") {
			t.Errorf("Detect(%q) = true", doc)
		}
	}
}

func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*/*.json")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`[{"id":"x","most_recent_update":{"status":"AVAILABLE"},"updates":[{"status":"AVAILABLE"}]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		obs, err := Parse(data, fixtureBase, testNow)
		if err != nil {
			return
		}
		for _, c := range obs.Components {
			if !c.Status.Valid() || c.ID == "" {
				t.Errorf("bad component %+v", c)
			}
		}
		for _, inc := range obs.Incidents {
			if !inc.Impact.Valid() || inc.Status == "" {
				t.Errorf("bad incident %+v", inc)
			}
			for i := 1; i < len(inc.Updates); i++ {
				if inc.Updates[i].At.Before(inc.Updates[i-1].At) {
					t.Errorf("updates out of order")
				}
			}
		}
	})
}
