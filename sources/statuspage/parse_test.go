package statuspage

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

const fixtureBase = "https://status.nimbus.dev"

// cases are the fixture folders under testdata with a summary.json.
func cases(t testing.TB) []string {
	dirs, err := filepath.Glob("testdata/*/summary.json")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var out []string
	for _, d := range dirs {
		out = append(out, filepath.Base(filepath.Dir(d)))
	}
	return out
}

func golden(t *testing.T, path string, v any) {
	t.Helper()
	goldenfile.JSONAt(t, path, v, *update)
}

func TestParseSummaryGolden(t *testing.T) {
	for _, c := range cases(t) {
		t.Run(c, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", c, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			obs, err := ParseSummary(data, fixtureBase)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", c, "expected.golden"), obs)

			if inc, err := os.ReadFile(filepath.Join("testdata", c, "incidents.json")); err == nil {
				incs, err := ParseIncidents(inc, fixtureBase)
				if err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata", c, "incidents.golden"), incs)
			}
			if m, err := os.ReadFile(filepath.Join("testdata", c, "scheduled-maintenances.json")); err == nil {
				ms, err := ParseMaintenances(m, fixtureBase)
				if err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata", c, "maintenances.golden"), ms)
			}
		})
	}
}

// TestParseSummaryMapping checks the rules the goldens encode, so that an
// -update cannot quietly bless a regression.
func TestParseSummaryMapping(t *testing.T) {
	obs := parseFixture(t, "groups")
	byName := map[string]sources.Component{}
	for _, c := range obs.Components {
		byName[c.Name] = c
	}
	for name, want := range map[string]struct {
		status  sources.Status
		group   string
		isGroup bool
	}{
		"Compute":              {sources.MajorOutage, "", true},
		"us-west-2":            {sources.MajorOutage, "Compute", false},
		"ap-southeast-1":       {sources.Degraded, "Compute", false},
		"Billing":              {sources.Maintenance, "Console", false}, // group listed after it
		"Console":              {sources.Maintenance, "", true},
		"DNS":                  {sources.PartialOutage, "", false},
		"Status notifications": {sources.Operational, "", true},
	} {
		c, ok := byName[name]
		if !ok {
			t.Errorf("component %q missing", name)
			continue
		}
		if c.Status != want.status || c.Group != want.group || c.IsGroup != want.isGroup {
			t.Errorf("%s = %+v, want %+v", name, c, want)
		}
	}
	if len(obs.Incidents) != 2 {
		t.Fatalf("incidents = %d, want 2", len(obs.Incidents))
	}
	inc := obs.Incidents[0]
	if inc.Impact != sources.MajorOutage || inc.Status != sources.IncidentInvestigating {
		t.Errorf("impact/status = %s/%s", inc.Impact, inc.Status)
	}
	// The incident's components first, then each update's, oldest first.
	if got, want := strings.Join(inc.ComponentIDs, ","), "5hn1w8c9zsd0,n8t3w5k0j6ha,w3k8m0t5r2gu"; got != want {
		t.Errorf("ComponentIDs = %s, want %s", got, want)
	}
	if len(inc.Updates) != 2 || !inc.Updates[0].At.Before(inc.Updates[1].At) {
		t.Errorf("updates not oldest first: %+v", inc.Updates)
	}
	if inc.URL != "https://stspg.io/k0f7m3q9w2xe" {
		t.Errorf("URL = %s", inc.URL)
	}
	noLink := obs.Incidents[1]
	if noLink.URL != fixtureBase+"/incidents/8k4d1s7f0a3g" {
		t.Errorf("URL without shortlink = %s", noLink.URL)
	}
	if noLink.Impact != sources.Degraded || !noLink.StartedAt.Equal(mustTime(t, "2024-06-04T04:02:10.110-07:00")) {
		t.Errorf("impact none / started_at fallback: %+v", noLink)
	}
	if len(obs.Maintenances) != 1 || obs.Maintenances[0].Status != sources.MaintenanceVerifying ||
		obs.Maintenances[0].Impact != sources.Maintenance || obs.Maintenances[0].ScheduledUntil.IsZero() {
		t.Errorf("maintenances = %+v", obs.Maintenances)
	}
	if obs.Page != "https://status.nimbus.dev" {
		t.Errorf("Page = %s", obs.Page)
	}

	m := parseFixture(t, "maintenance")
	if len(m.Maintenances) != 2 || m.Maintenances[0].Status != sources.MaintenanceInProgress ||
		m.Maintenances[1].Status != sources.MaintenanceScheduled || m.Maintenances[1].Impact != sources.Maintenance {
		t.Errorf("maintenances = %+v", m.Maintenances)
	}
	if !m.Maintenances[0].ScheduledFor.Equal(mustTime(t, "2024-06-05T09:00:00Z")) {
		t.Errorf("ScheduledFor = %v", m.Maintenances[0].ScheduledFor)
	}
}

func TestStatusWords(t *testing.T) {
	for word, want := range map[string]sources.Status{
		"operational": sources.Operational, "degraded_performance": sources.Degraded,
		"partial_outage": sources.PartialOutage, "major_outage": sources.MajorOutage,
		"under_maintenance": sources.Maintenance, "being_on_fire": sources.Unknown,
	} {
		doc := fmt.Sprintf(`{"page":{},"components":[{"id":"a","name":"A","status":%q}]}`, word)
		obs, err := ParseSummary([]byte(doc), "https://x")
		if err != nil || obs.Components[0].Status != want {
			t.Errorf("%s -> %v, %v; want %s", word, obs.Components, err, want)
		}
	}
	for word, want := range map[string]sources.Status{
		"none": sources.Degraded, "minor": sources.Degraded, "major": sources.PartialOutage,
		"critical": sources.MajorOutage, "maintenance": sources.Maintenance,
	} {
		doc := fmt.Sprintf(`{"page":{},"components":[],"incidents":[{"id":"i","name":"I","status":"identified","impact":%q}]}`, word)
		obs, err := ParseSummary([]byte(doc), "https://x/")
		if err != nil || obs.Incidents[0].Impact != want {
			t.Errorf("impact %s -> %v, %v; want %s", word, obs.Incidents, err, want)
		}
		if err == nil && (obs.Page != "https://x" || obs.Incidents[0].URL != "https://x/incidents/i") {
			t.Errorf("page/url = %s %s", obs.Page, obs.Incidents[0].URL)
		}
	}
	// Finished maintenances are not reported.
	doc := `{"page":{},"components":[],"scheduled_maintenances":[{"id":"m","status":"completed"},{"id":"n","status":"in_progress"}]}`
	obs, err := ParseSummary([]byte(doc), "https://x")
	if err != nil || len(obs.Maintenances) != 1 || obs.Maintenances[0].ID != "n" {
		t.Errorf("maintenances = %+v, %v", obs.Maintenances, err)
	}
}

func TestParseSummaryErrors(t *testing.T) {
	ok, err := os.ReadFile("testdata/degraded/summary.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, doc, want string }{
		{"empty", "", "not a Statuspage summary: the body is empty"},
		{"object", "{}", `not a Statuspage summary: no "page" or "components"`},
		{"array", "[]", "not a Statuspage summary: the document is an array, not an object"},
		{"string", `"ok"`, "not a Statuspage summary: the document is a string, not an object"},
		{"null", "null", "not a Statuspage summary: the document is null, not an object"},
		{"no components", `{"page":{"url":"https://x"}}`, `not a Statuspage summary: no "components"`},
		{"no page", `{"components":[]}`, `not a Statuspage summary: no "page"`},
		{"wrong shape", `{"page":{},"components":{"a":1}}`, `not a Statuspage summary: "components" is an object, want an array`},
		{"invalid", `{"page": nope}`, "invalid JSON at byte 11: invalid character 'o' in literal null (expecting 'u')"},
		{"truncated", string(ok[:len(ok)/2]), fmt.Sprintf("invalid JSON: the document ends early (truncated at %d bytes?)", len(ok)/2)},
		{"html", "<!DOCTYPE html><html></html>", "invalid JSON at byte 1: invalid character '<' looking for beginning of value"},
		{"bad time", `{"page":{},"components":[],"incidents":[{"id":"i","created_at":"yesterday"}]}`, `not a Statuspage summary: bad time "yesterday"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSummary([]byte(tc.doc), "https://x")
			if err == nil || err.Error() != tc.want {
				t.Errorf("err\n got %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestParseIncidentsErrors(t *testing.T) {
	for doc, want := range map[string]string{
		"{}":                   `not a Statuspage incidents list: no "incidents"`,
		"[]":                   "not a Statuspage incidents list: the document is an array, not an object",
		`{"incidents":"none"}`: `not a Statuspage incidents list: "incidents" is a string, want an array`,
	} {
		if _, err := ParseIncidents([]byte(doc), "https://x"); err == nil || err.Error() != want {
			t.Errorf("ParseIncidents(%s) err = %v, want %s", doc, err, want)
		}
	}
	incs, err := ParseIncidents([]byte(`{"incidents":[]}`), "https://x")
	if err != nil || len(incs) != 0 {
		t.Errorf("empty list: %v, %v", incs, err)
	}
}

func FuzzParseSummary(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*/*.json")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"page":{},"components":[{"group_id":"x","group":true,"id":"x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		obs, err := ParseSummary(data, "https://x")
		if err == nil {
			for _, c := range obs.Components {
				if !c.Status.Valid() {
					t.Errorf("invalid status %q", c.Status)
				}
			}
		}
		_, _ = ParseIncidents(data, "https://x")
	})
}

func parseFixture(t *testing.T, name string) sources.Observation {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	obs, err := ParseSummary(data, fixtureBase)
	if err != nil {
		t.Fatal(err)
	}
	return obs
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
