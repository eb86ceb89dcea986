package cachet

import (
	"bytes"
	"flag"
	goldenfile "github.com/outagebot/outagebot/internal/golden"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/sources"
)

var update = flag.Bool("update", false, "rewrite the expected.golden files")

const fixtureBase = "https://status.wolkig.de"

var (
	testNow = time.Date(2026, 9, 4, 20, 0, 0, 0, time.UTC)
	cest    = time.FixedZone("CEST", 2*3600)
)

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

// documents reads a fixture folder: components.json, incidents.json and,
// where present, groups.json, schedules.json and updates-<id>.json.
func documents(t testing.TB, name string) Documents {
	t.Helper()
	read := func(file string) []byte {
		data, err := os.ReadFile(filepath.Join("testdata", name, file))
		if err != nil {
			return nil
		}
		return data
	}
	d := Documents{Components: read("components.json"), Incidents: read("incidents.json"), Groups: read("groups.json"), Schedules: read("schedules.json")}
	ups, _ := filepath.Glob(filepath.Join("testdata", name, "updates-*.json"))
	for _, p := range ups {
		id, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "updates-"), ".json"))
		if d.Updates == nil {
			d.Updates = map[int][]byte{}
		}
		d.Updates[id] = read(filepath.Base(p))
	}
	return d
}

func golden(t *testing.T, path string, v any) {
	t.Helper()
	goldenfile.JSONAt(t, path, v, *update)
}

func parseFixture(t *testing.T, name string) sources.Observation {
	t.Helper()
	obs, err := Parse(documents(t, name), fixtureBase, cest, testNow)
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
	if len(op.Components) != 3 || op.Incidents != nil || op.Components[2].Group != "Websites" || op.Components[0].ID != "1" {
		t.Errorf("operational = %+v", op)
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
	if a.Status != sources.IncidentIdentified || a.Impact != sources.MajorOutage || len(a.Updates) != 3 || a.URL != "https://status.wolkig.de/incidents/43" {
		t.Errorf("2.4 incident = %+v", a)
	}
	if !a.StartedAt.Equal(time.Date(2026, 9, 4, 18, 40, 0, 0, time.UTC)) || a.Updates[0].Status != sources.IncidentInvestigating || a.Updates[2].ID != "43/8" {
		t.Errorf("times in the page's zone / updates: %v %+v", a.StartedAt, a.Updates)
	}
	if b.Status != sources.IncidentIdentified || b.Impact != sources.PartialOutage || len(b.Updates) != 1 || b.URL != fixtureBase+"/incidents/42" {
		t.Errorf("2.3 incident = %+v", b)
	}

	res := parseFixture(t, "resolved").Incidents[0]
	if res.Status != sources.IncidentResolved || !res.ResolvedAt.Equal(time.Date(2026, 9, 4, 19, 48, 0, 0, time.UTC)) || res.Impact != sources.Degraded {
		t.Errorf("resolved = %+v", res)
	}

	m := parseFixture(t, "maintenance")
	if len(m.Maintenances) != 4 || len(m.Incidents) != 0 {
		t.Fatalf("maintenances = %+v", m.Maintenances)
	}
	legacy, now, next, done := m.Maintenances[0], m.Maintenances[1], m.Maintenances[2], m.Maintenances[3]
	if legacy.Status != sources.MaintenanceScheduled || legacy.Impact != sources.Maintenance || !legacy.ScheduledFor.Equal(time.Date(2026, 9, 10, 0, 0, 0, 0, time.UTC)) || !legacy.StartedAt.IsZero() {
		t.Errorf("2.3 scheduled incident = %+v", legacy)
	}
	// Announced on 1 September, due at 02:00 CEST on 10 September: under
	// way, it began when it was due, not when it was announced.
	later, err := Parse(documents(t, "maintenance"), fixtureBase, cest, time.Date(2026, 9, 10, 0, 30, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if l := later.Maintenances[0]; l.Status != sources.MaintenanceInProgress || !l.StartedAt.Equal(time.Date(2026, 9, 10, 0, 0, 0, 0, time.UTC)) || l.Impact != sources.Maintenance {
		t.Errorf("2.3 maintenance under way = %+v", l)
	}
	// Marked complete at 04:12 CEST, before its planned end: reported as
	// completed, ending then, with its text as its last words.
	if last, _ := done.Latest(); done.ID != "schedule-4" || done.Status != sources.MaintenanceCompleted || done.Impact != sources.Maintenance ||
		!done.ResolvedAt.Equal(time.Date(2026, 9, 2, 2, 12, 0, 0, time.UTC)) || !done.StartedAt.Equal(time.Date(2026, 9, 2, 2, 0, 0, 0, time.UTC)) ||
		last.Body != "Rotation finished early.\n\nAll endpoints serve the new certificates & chains." {
		t.Errorf("completed schedule = %+v", done)
	}
	// A 2.3 maintenance never ends: long past its time, it is history.
	if long, _ := Parse(documents(t, "maintenance"), fixtureBase, cest, time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC)); len(long.Maintenances) != 0 && long.Maintenances[0].ID == "44" {
		t.Errorf("2.3 maintenance ten days past its time = %+v", long.Maintenances[0])
	}
	// The schedule under way sets the Dashboard to "performance issues":
	// under maintenance, not broken. Worse than that is news.
	if c := m.Components[2]; c.ID != "3" || c.Status != sources.Maintenance {
		t.Errorf("component in a schedule under way = %+v", c)
	}
	worse := documents(t, "maintenance")
	worse.Components = bytes.Replace(worse.Components, []byte(`"status": 2`), []byte(`"status": 4`), 1)
	if w, _ := Parse(worse, fixtureBase, cest, testNow); w.Components[2].Status != sources.MajorOutage {
		t.Errorf("component worse than its schedule says = %+v", w.Components[2])
	}
	weekLater, _ := Parse(documents(t, "maintenance"), fixtureBase, cest, time.Date(2026, 9, 10, 0, 0, 0, 0, time.UTC))
	for _, x := range weekLater.Maintenances {
		if x.ID == "schedule-4" {
			t.Errorf("schedule completed over a week ago still reported: %+v", x)
		}
	}
	if now.Status != sources.MaintenanceInProgress || now.ID != "schedule-5" || !now.ScheduledUntil.Equal(time.Date(2026, 9, 4, 21, 0, 0, 0, time.UTC)) || now.ComponentIDs[0] != "3" {
		t.Errorf("in progress = %+v", now)
	}
	if next.Status != sources.MaintenanceScheduled || !next.StartedAt.IsZero() {
		t.Errorf("upcoming = %+v", next)
	}

	odd := parseFixture(t, "odd")
	if len(odd.Components) != 2 || odd.Components[0].Status != sources.PartialOutage || odd.Components[1].Status != sources.Unknown || odd.Components[0].Group != "" {
		t.Errorf("string numbers / disabled / unknown = %+v", odd.Components)
	}
	if len(odd.Incidents) != 2 {
		t.Fatalf("odd incidents = %+v (the invisible one is not reported)", odd.Incidents)
	}
	x, y := odd.Incidents[0], odd.Incidents[1]
	if x.Status != sources.IncidentMonitoring || x.Impact != sources.PartialOutage || !x.UpdatedAt.Equal(time.Date(2026, 9, 4, 19, 40, 0, 0, time.UTC)) {
		t.Errorf("odd incident = %+v", x)
	}
	if y.Updates != nil || y.Status != sources.IncidentInvestigating || y.Impact != sources.Degraded {
		t.Errorf("empty incident = %+v", y)
	}
}

func TestParseErrors(t *testing.T) {
	good := documents(t, "ongoing")
	for _, tc := range []struct {
		name string
		edit func(*Documents)
		want string
	}{
		{"no components", func(d *Documents) { d.Components = nil }, "not a Cachet components list: the body is empty"},
		{"array", func(d *Documents) { d.Components = []byte("[]") }, "not a Cachet components list: the document is an array, not an object"},
		{"no data", func(d *Documents) { d.Incidents = []byte(`{"page":{}}`) }, `not a Cachet incidents list: no "data"`},
		{"data object", func(d *Documents) { d.Incidents = []byte(`{"data":{"id":1}}`) }, `not a Cachet incidents list: "data" is an object, want an array`},
		{"wrong field", func(d *Documents) { d.Incidents = []byte(`{"data":[{"name":["x"]}]}`) }, `not a Cachet incidents list: "data.name" is an array, want a string`},
		{"entry not an object", func(d *Documents) { d.Components = []byte(`{"data":[1]}`) }, `not a Cachet components list: "data" is a number, want an object`},
		{"data null", func(d *Documents) { d.Components = []byte(`{"data":null}`) }, `not a Cachet components list: no "data"`},
		{"data string", func(d *Documents) { d.Groups = []byte(`{"data":"none"}`) }, `not a Cachet component groups list: "data" is a string, want an array`},
		{"schedule components", func(d *Documents) { d.Schedules = []byte(`{"data":[{"components":{"id":1}}]}`) }, `not a Cachet schedules list: "data.components" is an object, want an array`},
		{"update message", func(d *Documents) { d.Updates[43] = []byte(`{"data":[{"message":{"text":"x"}}]}`) }, `not a Cachet incident updates list: "data.message" is an object, want a string`},
		{"bool name", func(d *Documents) { d.Components = []byte(`{"data":[{"name":true}]}`) }, `not a Cachet components list: "data.name" is a boolean, want a string`},
		{"bad number", func(d *Documents) { d.Components = []byte(`{"data":[{"status":"green"}]}`) }, `not a Cachet components list: bad number "green"`},
		{"bad time", func(d *Documents) { d.Incidents = []byte(`{"data":[{"created_at":"yesterday"}]}`) }, `not a Cachet document: bad time "yesterday"`},
		{"bad updates", func(d *Documents) { d.Updates[43] = []byte(`{}`) }, `not a Cachet incident updates list: no "data"`},
		{"invalid", func(d *Documents) { d.Components = []byte(`{"data": nope}`) }, "invalid JSON at byte 11: invalid character 'o' in literal null (expecting 'u')"},
		{"truncated", func(d *Documents) { d.Incidents = d.Incidents[:100] }, "invalid JSON: the document ends early (truncated at 100 bytes?)"},
		{"html", func(d *Documents) { d.Components = []byte("<!DOCTYPE html>") }, "invalid JSON at byte 1: invalid character '<' looking for beginning of value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := good
			d.Updates = map[int][]byte{43: good.Updates[43]}
			tc.edit(&d)
			_, err := Parse(d, fixtureBase, cest, testNow)
			if err == nil || err.Error() != tc.want {
				t.Errorf("err\n got %v\nwant %s", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "Go ") {
				t.Errorf("error names a Go type: %v", err)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	for _, c := range cases(t) {
		d := documents(t, c)
		if !Detect(d.Components, "application/json") {
			t.Errorf("Detect(%s components) = false", c)
		}
	}
	for _, doc := range []string{"", "[]", "{}", `{"page":{},"components":[]}`, `{"data":{"type":"status_page"}}`} {
		if Detect([]byte(doc), "application/json") {
			t.Errorf("Detect(%q) = true", doc)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range cases(f) {
		d := documents(f, c)
		f.Add(d.Components, d.Incidents, d.Schedules)
	}
	f.Fuzz(func(t *testing.T, comps, incs, scheds []byte) {
		obs, err := Parse(Documents{Components: comps, Incidents: incs, Schedules: scheds, Updates: map[int][]byte{1: incs}}, fixtureBase, cest, testNow)
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
