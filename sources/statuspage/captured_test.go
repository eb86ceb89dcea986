package statuspage

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/outagebot/outagebot/sources"
)

// TestParseCapturedIncidents reads an incidents list captured from a live
// Statuspage page (trimmed to five incidents, fields as served). It carries
// what synthetic fixtures miss: no "started_at" and no "components" on
// incidents, "affected_components": null, affected components whose status
// did not change, and placeholder entries with a name and no code ("No
// components were affected by this update.") that must not become
// component IDs.
func TestParseCapturedIncidents(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "captured-incidents", "incidents.json"))
	if err != nil {
		t.Fatal(err)
	}
	incs, err := ParseIncidents(data, "https://status.myemma.com")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "captured-incidents", "incidents.golden"), incs)

	cdt := time.FixedZone("CDT", -5*3600)
	cst := time.FixedZone("CST", -6*3600)
	for i, tc := range []struct {
		id             string
		impact         sources.Status
		started, ended time.Time
		url            string
		components     []string // first ones, in order of involvement
		ncomponents    int
		phases         []sources.IncidentStatus
	}{
		{
			id: "x0ljvc9m1wxj", impact: sources.Degraded, // impact "none"
			started: time.Date(2019, 2, 20, 12, 0, 19, 418e6, cst), ended: time.Date(2019, 2, 20, 13, 40, 58, 572e6, cst),
			url:    "http://stspg.io/7a0d3a4d2",
			phases: []sources.IncidentStatus{sources.IncidentInvestigating, sources.IncidentIdentified, sources.IncidentMonitoring, sources.IncidentResolved},
		},
		{
			id: "x9wt6q4wbbvn", impact: sources.Degraded, // "minor"
			started: time.Date(2019, 2, 18, 7, 28, 41, 270e6, cst), ended: time.Date(2019, 2, 18, 7, 56, 37, 241e6, cst),
			url:        "http://stspg.io/ea1556ef0",
			components: []string{"1v7mxlx6kxtz", "lydc2shnqc22"}, ncomponents: 2,
			phases: []sources.IncidentStatus{sources.IncidentInvestigating, sources.IncidentMonitoring, sources.IncidentResolved},
		},
		{
			id: "gm8jc9315cyk", impact: sources.PartialOutage, // "major"
			started: time.Date(2018, 10, 22, 23, 57, 26, 169e6, cdt), ended: time.Date(2018, 10, 23, 1, 30, 33, 671e6, cdt),
			url:        "http://stspg.io/78b84c3e9",
			components: []string{"1v7mxlx6kxtz", "trq8tq0jv86p"}, ncomponents: 20,
			phases: []sources.IncidentStatus{sources.IncidentInvestigating, sources.IncidentIdentified, sources.IncidentMonitoring, sources.IncidentResolved},
		},
		{
			id: "3c9vy8mv1gd9", impact: sources.Degraded,
			started: time.Date(2018, 9, 13, 11, 35, 29, 925e6, cdt), ended: time.Date(2018, 9, 13, 11, 53, 36, 730e6, cdt),
			url:        "http://stspg.io/c3d36919c",
			components: []string{"s787581xg7md"}, ncomponents: 1,
			phases: []sources.IncidentStatus{sources.IncidentIdentified, sources.IncidentResolved},
		},
		{
			id: "3m89ls8svt0r", impact: sources.Degraded,
			started: time.Date(2017, 6, 23, 8, 8, 0, 0, cdt), ended: time.Date(2017, 6, 23, 16, 41, 0, 0, cdt),
			url: "http://stspg.io/164adbb6d",
			phases: []sources.IncidentStatus{
				sources.IncidentInvestigating, sources.IncidentIdentified, sources.IncidentMonitoring, sources.IncidentInvestigating,
				sources.IncidentInvestigating, sources.IncidentIdentified, sources.IncidentMonitoring, sources.IncidentResolved,
			},
		},
	} {
		if i >= len(incs) {
			t.Fatalf("%d incidents, want at least %d", len(incs), i+1)
		}
		inc := incs[i]
		if inc.ID != tc.id || inc.Status != sources.IncidentResolved || inc.Impact != tc.impact || inc.URL != tc.url {
			t.Errorf("%s: got %s %s %s %s", tc.id, inc.ID, inc.Status, inc.Impact, inc.URL)
		}
		if !inc.StartedAt.Equal(tc.started) || !inc.ResolvedAt.Equal(tc.ended) || inc.StartedAt.Location() != time.UTC {
			t.Errorf("%s: started %v resolved %v", tc.id, inc.StartedAt, inc.ResolvedAt)
		}
		if len(inc.ComponentIDs) != tc.ncomponents || !slices.Equal(inc.ComponentIDs[:len(tc.components)], tc.components) {
			t.Errorf("%s: components %v", tc.id, inc.ComponentIDs)
		}
		var phases []sources.IncidentStatus
		for j, u := range inc.Updates {
			phases = append(phases, u.Status)
			if j > 0 && u.At.Before(inc.Updates[j-1].At) || u.Body == "" || u.ID == "" {
				t.Errorf("%s: update %d = %+v", tc.id, j, u)
			}
		}
		if !slices.Equal(phases, tc.phases) {
			t.Errorf("%s: phases %v, want %v", tc.id, phases, tc.phases)
		}
	}
	if len(incs) != 5 {
		t.Errorf("%d incidents, want 5", len(incs))
	}
}

// TestParseCapturedMaintenance reads a summary captured from a live page
// (CloudAMQP's) during planned work: status.indicator "maintenance", one
// component under_maintenance, one maintenance in_progress with impact
// "maintenance", no incidents. Nothing in it may read as an outage.
func TestParseCapturedMaintenance(t *testing.T) {
	obs := parseFixture(t, "captured-maintenance")
	if len(obs.Incidents) != 0 || obs.Page != "https://status.cloudamqp.com" || len(obs.Components) != 23 {
		t.Fatalf("obs = %+v", obs)
	}
	for _, c := range obs.Components {
		want := sources.Operational
		if c.Name == "Shared servers" {
			want = sources.Maintenance
		}
		if c.Status != want || c.Status.IsProblem() {
			t.Errorf("component %s = %s, want %s", c.Name, c.Status, want)
		}
	}
	if len(obs.Maintenances) != 1 {
		t.Fatalf("maintenances = %+v", obs.Maintenances)
	}
	m := obs.Maintenances[0]
	if m.ID != "qy6n39trpl7l" || m.Status != sources.MaintenanceInProgress || m.Impact != sources.Maintenance ||
		!m.ScheduledFor.Equal(time.Date(2020, 7, 16, 21, 0, 0, 0, time.UTC)) || m.ScheduledUntil.IsZero() ||
		!m.StartedAt.Equal(time.Date(2020, 7, 16, 21, 10, 37, 506e6, time.UTC)) {
		t.Errorf("maintenance = %+v", m)
	}
}
