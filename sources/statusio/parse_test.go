package statusio

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

const (
	fixturePage   = "https://status.nimbus.dev"
	fixturePageID = "5b36dc6502d06804c08349f7"
)

func cases(t testing.TB) []string {
	paths, err := filepath.Glob("testdata/*/status.json")
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
	data, err := os.ReadFile(filepath.Join("testdata", name, "status.json"))
	if err != nil {
		t.Fatal(err)
	}
	obs, err := Parse(data, fixturePage, fixturePageID)
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
	if len(op.Components) != 2 || op.Incidents != nil || op.Maintenances != nil || op.Page != fixturePage {
		t.Errorf("operational = %+v", op)
	}
	cs := byID(op.Components)
	if c := cs["66a807c7b62d59d808000010"]; c.Name != "Website" || c.IsGroup || c.Group != "" || c.Status != sources.Operational || c.Detail != "" {
		t.Errorf("component with containers = %+v", c)
	}

	// Website runs in US-West and US-East, and only US-East is down: the
	// component says so. API runs in US-East alone: no detail to add.
	on := parseFixture(t, "ongoing")
	cs = byID(on.Components)
	if c := cs["66a807c7b62d59d808000010"]; c.Name != "Website" || c.Status != sources.PartialOutage || c.Detail != "partial outage on US-East" {
		t.Errorf("website = %+v", c)
	}
	if c := cs["66a807c7b62d59d808000020"]; c.Name != "API" || c.Status != sources.MajorOutage || c.Detail != "" {
		t.Errorf("api = %+v", c)
	}
	inc := on.Incidents[0]
	if inc.Status != sources.IncidentIdentified || inc.Impact != sources.MajorOutage || len(inc.Updates) != 2 || inc.Updates[0].Status != sources.IncidentInvestigating {
		t.Errorf("incident = %+v", inc)
	}
	if inc.URL != fixturePage+"/pages/incident/"+fixturePageID+"/66d8a1f0e3e33c05d23d5301" {
		t.Errorf("URL = %s", inc.URL)
	}
	if got := strings.Join(inc.ComponentIDs, ","); got != "66a807c7b62d59d808000010,66a807c7b62d59d808000020" {
		t.Errorf("ComponentIDs = %s", got)
	}

	// A maintenance announced on 1 September for 19:00-21:00 on 4
	// September began when its first update in the window was posted.
	m := parseFixture(t, "maintenance")
	if len(m.Maintenances) != 2 {
		t.Fatalf("maintenances = %+v", m.Maintenances)
	}
	now, next := m.Maintenances[0], m.Maintenances[1]
	if now.Status != sources.MaintenanceInProgress || now.Impact != sources.Maintenance ||
		!now.StartedAt.Equal(time.Date(2026, 9, 4, 19, 0, 12, 0, time.UTC)) ||
		!now.ScheduledFor.Equal(time.Date(2026, 9, 4, 19, 0, 0, 0, time.UTC)) ||
		!now.ScheduledUntil.Equal(time.Date(2026, 9, 4, 21, 0, 0, 0, time.UTC)) ||
		now.Updates[0].Status != sources.MaintenanceScheduled || now.Updates[1].Status != sources.MaintenanceInProgress {
		t.Errorf("in progress = %+v", now)
	}
	if c := byID(m.Components)["66a807c7b62d59d808000020"]; c.Name != "API" || c.Status != sources.Maintenance {
		t.Errorf("component under maintenance = %+v", c)
	}
	if next.Status != sources.MaintenanceScheduled || next.Impact != sources.Maintenance || !next.StartedAt.IsZero() ||
		next.URL != fixturePage+"/pages/maintenance/"+fixturePageID+"/66d80000e3e33c05d23d5400" {
		t.Errorf("upcoming = %+v", next)
	}

	odd := parseFixture(t, "odd")
	cs = byID(odd.Components)
	if cs["5a89ef6740eba40d1c3bb4a8"].Status != sources.Degraded || cs["5a89ef6740eba40d1c3bb4a9"].Status != sources.Unknown || cs["5a89ef6740eba40d1c3bb4aa"].Status != sources.Degraded {
		t.Errorf("string codes / unknown code / security event = %+v", odd.Components)
	}
	x, y := odd.Incidents[0], odd.Incidents[1]
	if x.ID != "66d8b000e3e33c05d23d5500" || x.Status != sources.IncidentMonitoring || x.Updates[1].Body != "Die Latenzen sind wieder normal. Wir beobachten die Lage." || !x.StartedAt.Equal(time.Date(2026, 9, 4, 19, 5, 0, 0, time.UTC)) {
		t.Errorf("odd incident = %+v", x)
	}
	for _, u := range x.Updates {
		if u.At.Location() != time.UTC {
			t.Errorf("update time %v is not in UTC", u.At)
		}
	}
	if y.Status != sources.IncidentInvestigating || y.Impact != sources.Degraded || y.Updates != nil {
		t.Errorf("message-less incident = %+v", y)
	}
	if unlinked, _ := Parse([]byte(`{"result":{"status":[],"incidents":[{"_id":"a"}]}}`), "", "x"); unlinked.Incidents[0].URL != "" {
		t.Errorf("link without a page: %s", unlinked.Incidents[0].URL)
	}
}

// TestParseGitLab reads a page shaped like status.gitlab.com's: every
// component hosted in the same container, two of them broken at once.
func TestParseGitLab(t *testing.T) {
	obs := parseFixture(t, "gitlab")
	names := map[string]bool{}
	for _, c := range obs.Components {
		if c.Name == "Google Compute Engine" || c.Name == "AWS" || c.IsGroup || c.Group != "" || names[c.Name] {
			t.Errorf("component %+v: want one leaf per status.io component, under its own name", c)
		}
		names[c.Name] = true
	}
	if len(obs.Components) != 13 {
		t.Errorf("%d components, want 13", len(obs.Components))
	}
	cs := byID(obs.Components)
	git, registry := cs["5d2f74932676bc45e4927ead"], cs["5b36e07afc1f0804be9d754d"]
	if git.Name != "Git Operations" || git.Status != sources.PartialOutage || registry.Name != "Container Registry" || registry.Status != sources.Degraded {
		t.Errorf("broken components = %+v, %+v", git, registry)
	}

	inc := obs.Incidents[0]
	if got := strings.Join(inc.ComponentIDs, ","); got != "5d2f74932676bc45e4927ead,5b36e07afc1f0804be9d754d" {
		t.Errorf("ComponentIDs = %s", got)
	}
	var affected []string
	for _, id := range inc.ComponentIDs {
		affected = append(affected, cs[id].Name)
	}
	if got := strings.Join(affected, ", "); got != "Git Operations, Container Registry" {
		t.Errorf("affected components read %q", got)
	}
	if inc.Title != "Git push & pull over SSH failing for some users" || inc.Impact != sources.PartialOutage || inc.Status != sources.IncidentIdentified {
		t.Errorf("incident = %+v", inc)
	}
	if got, want := inc.Updates[0].Body, "We are investigating reports of failing git push and git pull over SSH. HTTPS is not affected.\nMore details: https://gitlab.com/gitlab-com/gl-infra/production/-/issues/19847"; got != want {
		t.Errorf("first update\n got %q\nwant %q", got, want)
	}
	if got := inc.Updates[1].Body; !strings.Contains(got, "draining it.\n\nContainer Registry") {
		t.Errorf("second update lost its paragraphs: %q", got)
	}

	// Announced on 28 November for 08:00-09:30 on 1 December: it began at
	// 08:02, not when it was announced, and lasts 90 minutes, not 3 days.
	m := obs.Maintenances[0]
	if !m.StartedAt.Equal(time.Date(2026, 12, 1, 8, 2, 11, 102e6, time.UTC)) || m.Impact != sources.Maintenance || m.Status != sources.MaintenanceInProgress {
		t.Errorf("active maintenance = %+v", m)
	}
	if d := m.ScheduledUntil.Sub(m.StartedAt); d > 90*time.Minute {
		t.Errorf("maintenance spans %v", d)
	}
	if got := strings.Join(m.ComponentIDs, ","); got != "5b36e06c633e9004b3d624ad,60a6dc9479914205363d3b09" {
		t.Errorf("maintenance ComponentIDs = %s", got)
	}
	if up := obs.Maintenances[1]; up.Status != sources.MaintenanceScheduled || !up.StartedAt.IsZero() || up.Impact != sources.Maintenance {
		t.Errorf("upcoming maintenance = %+v", up)
	}
	for _, inc := range append(obs.Incidents, obs.Maintenances...) {
		for _, u := range inc.Updates {
			if strings.ContainsAny(u.Body, "\r<>") || strings.Contains(u.Body, "&amp;") || strings.Contains(u.Body, "&nbsp;") {
				t.Errorf("update body %q is not plain text", u.Body)
			}
		}
	}
}

func TestContainerDetail(t *testing.T) {
	k := func(name string, code int) string {
		return fmt.Sprintf(`{"id":%q,"name":%q,"status_code":%d}`, name, name, code)
	}
	for _, tt := range []struct {
		name       string
		code       int
		containers []string
		status     sources.Status
		detail     string
	}{
		{"one container", 400, []string{k("AWS", 400)}, sources.PartialOutage, ""},
		{"only some affected", 300, []string{k("Google Compute Engine", 100), k("AWS", 300)}, sources.Degraded, "degraded performance on AWS"},
		{"all alike", 500, []string{k("US-East", 500), k("US-West", 500)}, sources.MajorOutage, ""},
		{"affected differently", 500, []string{k("US-East", 500), k("US-West", 300), k("EU", 300), k("APAC", 100)}, sources.MajorOutage, "major outage on US-East; degraded performance on US-West, EU"},
		{"maintenance on one", 200, []string{k("US-East", 200), k("US-West", 100)}, sources.Maintenance, "under maintenance on US-East"},
		{"no status of its own", 0, []string{k("US-East", 400), k("US-West", 100)}, sources.PartialOutage, "partial outage on US-East"},
		{"unknown codes", 700, []string{k("US-East", 700), k("US-West", 100)}, sources.Operational, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := fmt.Sprintf(`{"result":{"status":[{"id":"c","name":"Git Operations","status_code":%d,"containers":[%s]}]}}`, tt.code, strings.Join(tt.containers, ","))
			obs, err := Parse([]byte(doc), "", "")
			if err != nil {
				t.Fatal(err)
			}
			if c := obs.Components[0]; c.Name != "Git Operations" || c.Status != tt.status || c.Detail != tt.detail {
				t.Errorf("component = %+v, want %s with detail %q", c, tt.status, tt.detail)
			}
		})
	}
}

// TestMaintenanceStart: with no update posted in its window yet, an active
// maintenance began at its planned start, never at its announcement.
func TestMaintenanceStart(t *testing.T) {
	doc := `{"result":{"status":[],"maintenance":{"active":[{"_id":"m1","name":"Upgrade",
		"datetime_open":"2026-11-28T08:15:24.530Z","datetime_planned_start":"2026-12-01T08:00:00.000Z","datetime_planned_end":"2026-12-01T09:30:00.000Z",
		"messages":[{"details":"Planned.","state":100,"status":500,"datetime":"2026-11-28T08:15:24.561Z"}]}]}}}`
	obs, err := Parse([]byte(doc), fixturePage, fixturePageID)
	if err != nil {
		t.Fatal(err)
	}
	m := obs.Maintenances[0]
	if !m.StartedAt.Equal(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)) || m.Impact != sources.Maintenance {
		t.Errorf("maintenance = %+v", m)
	}
}

func TestParseErrors(t *testing.T) {
	ok, err := os.ReadFile("testdata/ongoing/status.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, doc, want string }{
		{"empty", "", "not a status.io status: the body is empty"},
		{"object", "{}", `not a status.io status: no "result"`},
		{"array", "[]", "not a status.io status: the document is an array, not an object"},
		{"error answer", `{"result":{}}`, `not a status.io status: no "status_overall" or "status"`},
		{"wrong shape", `{"result":{"status":{}}}`, `not a status.io status: "result.status" is an object, want an array`},
		{"result array", `{"result":[]}`, `not a status.io status: "result" is an array, want an object`},
		{"result string", `{"result":"error"}`, `not a status.io status: "result" is a string, want an object`},
		{"maintenance array", `{"result":{"status":[],"maintenance":[]}}`, `not a status.io status: "result.maintenance" is an array, want an object`},
		{"component id number", `{"result":{"status":[{"id":5}]}}`, `not a status.io status: "result.status.id" is a number, want a string`},
		{"containers object", `{"result":{"status":[{"containers":{}}]}}`, `not a status.io status: "result.status.containers" is an object, want an array`},
		{"message details bool", `{"result":{"status":[],"incidents":[{"messages":[{"details":false}]}]}}`, `not a status.io status: "result.incidents.messages.details" is a boolean, want a string`},
		{"affected not objects", `{"result":{"status":[],"incidents":[{"components_affected":["x"]}]}}`, `not a status.io status: "result.incidents.components_affected" is a string, want an object`},
		{"bad code", `{"result":{"status":[{"status_code":"green"}]}}`, `not a status.io status: bad status code "green"`},
		{"bad time", `{"result":{"status":[],"incidents":[{"datetime_open":"soon"}]}}`, `not a status.io status: bad time "soon"`},
		{"invalid", `{"result": nope}`, "invalid JSON at byte 13: invalid character 'o' in literal null (expecting 'u')"},
		{"truncated", string(ok[:len(ok)/2]), fmt.Sprintf("invalid JSON: the document ends early (truncated at %d bytes?)", len(ok)/2)},
		{"html", "<!DOCTYPE html><html></html>", "invalid JSON at byte 1: invalid character '<' looking for beginning of value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), fixturePage, fixturePageID)
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
		data, _ := os.ReadFile(filepath.Join("testdata", c, "status.json"))
		if !Detect(data, "application/json") {
			t.Errorf("Detect(%s) = false", c)
		}
	}
	for _, doc := range []string{"", "[]", "{}", `{"page":{},"components":[]}`, "<rss></rss>", `{"result":[]}`} {
		if Detect([]byte(doc), "application/json") {
			t.Errorf("Detect(%q) = true", doc)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range cases(f) {
		data, err := os.ReadFile(filepath.Join("testdata", c, "status.json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		obs, err := Parse(data, fixturePage, fixturePageID)
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
