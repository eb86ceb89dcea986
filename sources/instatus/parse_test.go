package instatus

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

func cases(t testing.TB) []string {
	paths, err := filepath.Glob("testdata/*/summary.json")
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
	sum, err := os.ReadFile(filepath.Join("testdata", name, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	comps, _ := os.ReadFile(filepath.Join("testdata", name, "components.json"))
	obs, err := Parse(sum, comps, fixtureBase)
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
	op := parseFixture(t, "operational")
	if len(op.Incidents)+len(op.Maintenances) != 0 || len(op.Components) != 3 || op.Page != fixtureBase {
		t.Errorf("operational = %+v", op)
	}
	if c := op.Components[0]; c.Group != "Platform" || c.Status != sources.Operational || c.ID != "cm8q1v2xk0001lb03api00001" {
		t.Errorf("component = %+v", c)
	}

	on := parseFixture(t, "ongoing")
	want := []sources.Status{sources.MajorOutage, sources.Degraded, sources.PartialOutage}
	for i, c := range on.Components {
		if c.Status != want[i] {
			t.Errorf("%s = %s, want %s", c.Name, c.Status, want[i])
		}
	}
	if len(on.Incidents) != 2 {
		t.Fatalf("incidents = %+v", on.Incidents)
	}
	a, b := on.Incidents[0], on.Incidents[1]
	if a.Status != sources.IncidentIdentified || a.Impact != sources.MajorOutage || a.URL != "https://status.nimbus.dev/incident/cmf3k9z0w004xkq0bqj1n7r2d" {
		t.Errorf("incident = %+v", a)
	}
	if !b.StartedAt.Equal(time.Date(2026, 9, 4, 18, 55, 50, 0, time.UTC)) || !b.UpdatedAt.Equal(b.StartedAt) || b.Impact != sources.Degraded {
		t.Errorf("JavaScript date / no updatedAt: %+v", b)
	}

	res := parseFixture(t, "resolved")
	if r := res.Incidents[0]; r.Status != sources.IncidentResolved || r.ResolvedAt.IsZero() || res.Page != fixtureBase {
		t.Errorf("resolved = %+v (page %s)", r, res.Page)
	}

	m := parseFixture(t, "maintenance")
	if len(m.Maintenances) != 3 {
		t.Fatalf("maintenances = %+v", m.Maintenances)
	}
	now, next, done := m.Maintenances[0], m.Maintenances[1], m.Maintenances[2]
	// Still listed after it ended (times with a +02:00 offset): completed,
	// so that its restoration says so, ending when it was last updated.
	if done.Status != sources.MaintenanceCompleted || done.Impact != sources.Maintenance ||
		!done.ResolvedAt.Equal(time.Date(2026, 9, 4, 2, 27, 0, 0, time.UTC)) || done.ResolvedAt.Location() != time.UTC ||
		!done.StartedAt.Equal(time.Date(2026, 9, 4, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("completed = %+v", done)
	}
	if !now.StartedAt.Equal(time.Date(2026, 9, 4, 19, 0, 0, 0, time.UTC)) {
		t.Errorf("in progress started at %v, want its planned start", now.StartedAt)
	}
	if now.Status != sources.MaintenanceInProgress || !now.ScheduledUntil.Equal(time.Date(2026, 9, 4, 21, 0, 0, 0, time.UTC)) || now.Impact != sources.Maintenance {
		t.Errorf("in progress = %+v", now)
	}
	if next.Status != sources.MaintenanceScheduled || next.ScheduledUntil.Sub(next.ScheduledFor) != 90*time.Minute || !next.StartedAt.IsZero() {
		t.Errorf("upcoming = %+v", next)
	}
	if m.Components[2].Status != sources.Maintenance {
		t.Errorf("under maintenance = %s", m.Components[2].Status)
	}

	odd := parseFixture(t, "odd")
	if odd.Page != fixtureBase {
		t.Errorf("page = %s", odd.Page)
	}
	x, y := odd.Incidents[0], odd.Incidents[1]
	if x.ID != "cl4a8n3070721qtmzvts760c4" || x.Impact != sources.PartialOutage || x.Status != sources.IncidentMonitoring {
		t.Errorf("id from url / minor outage: %+v", x)
	}
	if !x.StartedAt.Equal(time.Date(2026, 9, 4, 18, 55, 50, 0, time.UTC)) || !x.UpdatedAt.Equal(time.UnixMilli(1788548400000)) {
		t.Errorf("times: %v %v", x.StartedAt, x.UpdatedAt)
	}
	if y.Title != "ログインの遅延" || y.Impact != sources.Degraded || y.Status != "verifying" {
		t.Errorf("odd incident = %+v", y)
	}
	if len(odd.Maintenances) != 1 || odd.Maintenances[0].ID != "Wartung" {
		t.Errorf("maintenance without id, url or start = %+v", odd.Maintenances)
	}
	got := map[string]sources.Component{}
	for _, c := range odd.Components {
		got[c.Name] = c
	}
	if c := got["Rechenzentren"]; !c.IsGroup || c.Status != sources.PartialOutage {
		t.Errorf("parent = %+v", c)
	}
	if c := got["東京"]; c.Group != "Rechenzentren" || c.Status != sources.Unknown {
		t.Errorf("child = %+v", c)
	}
	if c := got["Legacy widget"]; c.ID != "Legacy widget" || c.Status != sources.Unknown {
		t.Errorf("id-less = %+v", c)
	}
}

func TestParseErrors(t *testing.T) {
	ok, err := os.ReadFile("testdata/ongoing/summary.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, doc, want string }{
		{"empty", "", "not an Instatus summary: the body is empty"},
		{"object", "{}", `not an Instatus summary: no "page"`},
		{"array", "[]", "not an Instatus summary: the document is an array, not an object"},
		{"null", "null", `not an Instatus summary: the document is null, not an object`},
		{"statuspage", `{"page":{"id":"x","url":"https://x"},"components":[],"incidents":{}}`, ""},
		{"wrong shape", `{"page":{},"activeIncidents":{}}`, `not an Instatus summary: "activeIncidents" is an object, want an array`},
		{"page array", `{"page":[]}`, `not an Instatus summary: "page" is an array, want an object`},
		{"page name number", `{"page":{"name":5}}`, `not an Instatus summary: "page.name" is a number, want a string`},
		{"incident id bool", `{"page":{},"activeIncidents":[{"id":true}]}`, `not an Instatus summary: "activeIncidents.id" is a boolean, want a string`},
		{"incident not an object", `{"page":{},"activeIncidents":["x"]}`, `not an Instatus summary: "activeIncidents" is a string, want an object`},
		{"bad time", `{"page":{},"activeIncidents":[{"started":"yesterday"}]}`, `not an Instatus summary: bad time "yesterday"`},
		{"bad duration", `{"page":{},"activeMaintenances":[{"duration":"an hour"}]}`, `not an Instatus summary: bad duration "an hour"`},
		{"invalid", `{"page": nope}`, "invalid JSON at byte 11: invalid character 'o' in literal null (expecting 'u')"},
		{"truncated", string(ok[:len(ok)/2]), fmt.Sprintf("invalid JSON: the document ends early (truncated at %d bytes?)", len(ok)/2)},
		{"html", "<!DOCTYPE html><html></html>", "invalid JSON at byte 1: invalid character '<' looking for beginning of value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), nil, fixtureBase)
			if tc.want == "" {
				if err != nil {
					t.Errorf("err = %v, want none", err)
				}
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Errorf("err\n got %v\nwant %s", err, tc.want)
			}
		})
	}
	for doc, want := range map[string]string{
		"{}":                            `not an Instatus components list: no "components"`,
		`{"components":{}}`:             `not an Instatus components list: "components" is an object, want an array`,
		`"x"`:                           "not an Instatus components list: the document is a string, not an object",
		`[{"children":"no"}]`:           `not an Instatus components list: "children" is a string, want an array`,
		`[1]`:                           "not an Instatus components list: a component is a number, not an object",
		`{"components":[{"group":[]}]}`: `not an Instatus components list: "components.group" is an array, want an object`,
		`[{"isParent":"yes"}]`:          `not an Instatus components list: "isParent" is a string, want a boolean`,
	} {
		if _, err := ParseComponents([]byte(doc)); err == nil || err.Error() != want || strings.Contains(err.Error(), "Go ") {
			t.Errorf("ParseComponents(%s) err = %v, want %s", doc, err, want)
		}
	}
}

func TestDetect(t *testing.T) {
	for _, c := range cases(t) {
		data, _ := os.ReadFile(filepath.Join("testdata", c, "summary.json"))
		if !Detect(data, "application/json") {
			t.Errorf("Detect(%s) = false", c)
		}
	}
	for _, doc := range []string{"", "[]", "{}", `{"page":{"id":"x","url":"https://x","name":"X"},"components":[],"status":{"indicator":"none"}}`, "<rss></rss>", `{"page":{"status":"fine"}}`} {
		if Detect([]byte(doc), "application/json") {
			t.Errorf("Detect(%q) = true", doc)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range cases(f) {
		sum, err := os.ReadFile(filepath.Join("testdata", c, "summary.json"))
		if err != nil {
			f.Fatal(err)
		}
		comps, _ := os.ReadFile(filepath.Join("testdata", c, "components.json"))
		f.Add(sum, comps)
	}
	f.Add([]byte(`{"page":{},"activeMaintenances":[{"duration":1e30,"start":1}]}`), []byte(`[{"children":[{"children":[{"children":[{"children":[{"children":[{}]}]}]}]}]}]`))
	f.Fuzz(func(t *testing.T, sum, comps []byte) {
		obs, err := Parse(sum, comps, fixtureBase)
		if err != nil {
			return
		}
		for _, c := range obs.Components {
			if !c.Status.Valid() {
				t.Errorf("bad component %+v", c)
			}
		}
		for _, inc := range append(obs.Incidents, obs.Maintenances...) {
			if !inc.Impact.Valid() || inc.Status == "" {
				t.Errorf("bad incident %+v", inc)
			}
		}
	})
}
