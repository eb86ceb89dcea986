package betterstack

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

var testNow = time.Date(2026, 9, 4, 20, 0, 0, 0, time.UTC)

func cases(t testing.TB) []string {
	paths, err := filepath.Glob("testdata/*/index.json")
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
	data, err := os.ReadFile(filepath.Join("testdata", name, "index.json"))
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

func byID(cs []sources.Component) map[string]sources.Component {
	m := map[string]sources.Component{}
	for _, c := range cs {
		m[c.ID] = c
	}
	return m
}

// TestParseMapping checks the rules the goldens encode, so that an -update
// cannot quietly bless a regression.
func TestParseMapping(t *testing.T) {
	op := parseFixture(t, "operational")
	if len(op.Incidents) != 0 || len(op.Maintenances) != 0 || len(op.Components) != 4 || op.Page != fixtureBase {
		t.Errorf("operational = %+v", op)
	}
	cs := byID(op.Components)
	if c := cs["5501003"]; c.Group != "Dashboard" || c.Name != "Web app" || c.Status != sources.Operational {
		t.Errorf("section name not trimmed or wrong: %+v", c)
	}
	if cs["5501004"].Status != sources.Unknown {
		t.Errorf("not_monitored = %s", cs["5501004"].Status)
	}

	on := parseFixture(t, "ongoing")
	cs = byID(on.Components)
	if cs["5501001"].Status != sources.MajorOutage || cs["5501002"].Status != sources.Degraded {
		t.Errorf("components = %+v", on.Components)
	}
	if len(on.Incidents) != 1 {
		t.Fatalf("incidents = %+v", on.Incidents)
	}
	inc := on.Incidents[0]
	if inc.Status != sources.IncidentInvestigating || inc.Impact != sources.MajorOutage || inc.URL != fixtureBase+"/incident/1190502" {
		t.Errorf("incident = %+v", inc)
	}
	if len(inc.Updates) != 3 || inc.Updates[0].ID != "6188102" || inc.Updates[2].ID != "6188131" {
		t.Errorf("updates not oldest first: %+v", inc.Updates)
	}
	if got := strings.Join(inc.ComponentIDs, ","); got != "5501001,5501002" {
		t.Errorf("ComponentIDs = %s", got)
	}

	res := parseFixture(t, "resolved")
	inc = res.Incidents[0]
	if inc.Status != sources.IncidentResolved || !inc.ResolvedAt.Equal(time.Date(2026, 9, 4, 19, 48, 0, 0, time.UTC)) {
		t.Errorf("resolved = %s at %v (ends_at is null: the last update is when)", inc.Status, inc.ResolvedAt)
	}
	if last, _ := inc.Latest(); last.Status != sources.IncidentResolved {
		t.Errorf("last update = %+v", last)
	}
	if inc.Impact != sources.MajorOutage {
		t.Errorf("impact of a resolved report = %s, want the worst it had", inc.Impact)
	}

	m := parseFixture(t, "maintenance")
	if len(m.Maintenances) != 2 || len(m.Incidents) != 0 {
		t.Fatalf("maintenances = %+v", m.Maintenances)
	}
	now, next := m.Maintenances[0], m.Maintenances[1]
	if now.Status != sources.MaintenanceInProgress || now.Impact != sources.Maintenance || now.ScheduledUntil.IsZero() {
		t.Errorf("in progress = %+v", now)
	}
	if now.Updates[0].Status != sources.MaintenanceScheduled || now.Updates[1].Status != sources.MaintenanceInProgress {
		t.Errorf("maintenance update phases = %+v", now.Updates)
	}
	if next.Status != sources.MaintenanceScheduled || !next.ScheduledFor.Equal(time.Date(2026, 9, 9, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("upcoming = %+v", next)
	}
	data, _ := os.ReadFile("testdata/maintenance/index.json")
	after, _ := Parse(data, fixtureBase, time.Date(2026, 9, 4, 21, 0, 0, 0, time.UTC))
	if len(after.Maintenances) != 2 || after.Maintenances[1].ID != "1191090" {
		t.Fatalf("at the end of the window: %+v", after.Maintenances)
	}
	if over := after.Maintenances[0]; over.Status != sources.MaintenanceCompleted || !over.ResolvedAt.Equal(time.Date(2026, 9, 4, 21, 0, 0, 0, time.UTC)) {
		t.Errorf("maintenance at the end of its window = %+v", over)
	}
	// Announced on 1 September for 19:00: it began with the update posted
	// at 19:00:30, not at the announcement.
	if !now.StartedAt.Equal(time.Date(2026, 9, 4, 19, 0, 30, 0, time.UTC)) || !next.StartedAt.IsZero() {
		t.Errorf("started at %v / upcoming started at %v", now.StartedAt, next.StartedAt)
	}
	weekLater, _ := Parse(data, fixtureBase, time.Date(2026, 9, 12, 0, 0, 0, 0, time.UTC))
	for _, m := range weekLater.Maintenances {
		if m.ID == "1191001" {
			t.Errorf("maintenance over for a week still reported: %+v", m)
		}
	}

	// Closed early by the vendor: completed, ending with the vendor's
	// last update, in plain text.
	done := parseFixture(t, "completed")
	if len(done.Maintenances) != 2 {
		t.Fatalf("completed fixture maintenances = %+v", done.Maintenances)
	}
	over := done.Maintenances[0]
	last, _ := over.Latest()
	if over.Status != sources.MaintenanceCompleted || over.Impact != sources.Maintenance || !over.ResolvedAt.Equal(time.Date(2026, 9, 4, 19, 45, 0, 0, time.UTC)) ||
		last.Status != sources.MaintenanceCompleted || last.Body != "The upgrade is complete & the web app is writable again.\n\nThanks for your patience." {
		t.Errorf("completed maintenance = %+v", over)
	}

	odd := parseFixture(t, "odd")
	cs = byID(odd.Components)
	if c := cs["700001"]; c.Group != "Rechenzentren" || c.Status != sources.Degraded {
		t.Errorf("numeric id / section ref = %+v", c)
	}
	if c := cs["700002"]; c.Name != "api.wolkig.de" || c.Group != "" {
		t.Errorf("resource_name fallback = %+v", c)
	}
	if c := cs["700003"]; c.Name != "Resource 700003" || c.Status != sources.Unknown {
		t.Errorf("nameless, unknown status = %+v", c)
	}
	if len(odd.Incidents) != 2 || len(odd.Maintenances) != 1 {
		t.Fatalf("odd = %+v", odd)
	}
	inc = odd.Incidents[0]
	if inc.Status != sources.IncidentMonitoring || len(inc.Updates) != 2 || inc.Updates[1].Status != sources.IncidentMonitoring {
		t.Errorf("back-referenced updates / monitoring = %+v", inc)
	}
	if got := strings.Join(inc.ComponentIDs, ","); got != "700001" {
		t.Errorf("ComponentIDs = %s (not_affected is not affected)", got)
	}
	if !inc.StartedAt.Equal(time.Date(2026, 9, 4, 19, 5, 0, 0, time.UTC)) {
		t.Errorf("offset: %v", inc.StartedAt)
	}
	if odd.Incidents[1].Status != sources.IncidentResolved || odd.Incidents[1].Impact != sources.Degraded {
		t.Errorf("empty operational report = %+v", odd.Incidents[1])
	}
	if m := odd.Maintenances[0]; m.Status != sources.MaintenanceInProgress || !m.ScheduledFor.Equal(time.Date(2026, 9, 4, 18, 0, 0, 0, time.UTC)) ||
		m.ScheduledFor.Location() != time.UTC || m.Impact != sources.Maintenance {
		t.Errorf("open-ended maintenance = %+v", m)
	}
}

func TestParseErrors(t *testing.T) {
	ok, err := os.ReadFile("testdata/ongoing/index.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, doc, want string }{
		{"empty", "", "not a Better Stack status page: the body is empty"},
		{"object", "{}", `not a Better Stack status page: no "data"`},
		{"array", "[]", "not a Better Stack status page: the document is an array, not an object"},
		{"statuspage", `{"page":{},"components":[]}`, `not a Better Stack status page: no "data"`},
		{"other jsonapi", `{"data":{"id":"1","type":"monitor"}}`, `not a Better Stack status page: "data" is a "monitor", want a "status_page"`},
		{"wrong type", `{"data":{"type":"status_page"},"included":{}}`, `not a Better Stack status page: "included" is an object, want an array`},
		{"bad time", `{"data":{"type":"status_page"},"included":[{"id":"7","type":"status_report","attributes":{"starts_at":"soon"}}]}`, `not a Better Stack status page: status_report 7: bad time "soon"`},
		{"data array", `{"data":[]}`, `not a Better Stack status page: "data" is an array, want an object`},
		{"attributes array", `{"data":{"type":"status_page","attributes":[]}}`, `not a Better Stack status page: status_page: "attributes" is an array, want an object`},
		{"attributes string", `{"data":{"type":"status_page"},"included":[{"id":"9","type":"status_report","attributes":"x"}]}`, `not a Better Stack status page: status_report 9: "attributes" is a string, want an object`},
		{"affected object", `{"data":{"type":"status_page"},"included":[{"id":"9","type":"status_report","attributes":{"affected_resources":{}}}]}`, `not a Better Stack status page: status_report 9: "attributes.affected_resources" is an object, want an array`},
		{"relationship object", `{"data":{"type":"status_page"},"included":[{"type":"status_report","relationships":{"status_updates":{"data":{"id":1}}}}]}`, `not a Better Stack status page: "included.relationships.status_updates.data" is an object, want an array`},
		{"bad attribute", `{"data":{"type":"status_page"},"included":[{"id":"8","type":"status_page_resource","attributes":{"status":3}}]}`, `not a Better Stack status page: status_page_resource 8: "attributes.status" is a number, want a string`},
		{"unknown type", `{"data":{"type":"status_page"},"included":[{"id":"9","type":"widget","attributes":{"status":3}}]}`, ""},
		{"bad id", `{"data":{"type":"status_page","id":true}}`, `not a Better Stack status page: bad id true`},
		{"invalid", `{"data": nope}`, "invalid JSON at byte 11: invalid character 'o' in literal null (expecting 'u')"},
		{"truncated", string(ok[:len(ok)/2]), fmt.Sprintf("invalid JSON: the document ends early (truncated at %d bytes?)", len(ok)/2)},
		{"html", "<!DOCTYPE html><html></html>", "invalid JSON at byte 1: invalid character '<' looking for beginning of value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), fixtureBase, testNow)
			if tc.want == "" {
				if err != nil {
					t.Errorf("err = %v, want none", err)
				}
				return
			}
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
		data, _ := os.ReadFile(filepath.Join("testdata", c, "index.json"))
		if !Detect(data, "application/json") {
			t.Errorf("Detect(%s) = false", c)
		}
	}
	for _, doc := range []string{"", "[]", "{}", `{"page":{},"components":[],"status":{"indicator":"none"}}`, "<rss></rss>"} {
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
	f.Add([]byte(`{"data":{"type":"status_page"},"included":[{"id":1,"type":"status_report","attributes":{"aggregate_state":"resolved"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		obs, err := Parse(data, fixtureBase, testNow)
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
			for i := 1; i < len(inc.Updates); i++ {
				if inc.Updates[i].At.Before(inc.Updates[i-1].At) {
					t.Errorf("updates out of order")
				}
			}
		}
	})
}
