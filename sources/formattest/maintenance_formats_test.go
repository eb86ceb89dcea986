package formattest_test

import (
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/betterstack"
	"github.com/outagebot/outagebot/sources/cachet"
	"github.com/outagebot/outagebot/sources/fetch"
	"github.com/outagebot/outagebot/sources/instatus"
	"github.com/outagebot/outagebot/sources/statusio"
	"github.com/outagebot/outagebot/sources/statuspage"
)

// maintenanceCase is one format's maintenance seen under way and then
// over: the outage it opens must start when the work began (not when it was
// announced) and end with the vendor's last words where the format has
// them.
type maintenanceCase struct {
	name   string
	source func(base string, client *fetch.Client, now func() time.Time) sources.Source
	// underWay and over are the page while the work goes on and after.
	underWay, over phase
	// openedAt is when the work began; lasted how long it took.
	openedAt time.Time
	lasted   time.Duration
	// last is the restoration's text.
	last string
	// incidents is how many outages the page's own incidents open (none may
	// come from components that are only under maintenance).
	incidents int
}

var maintenanceCases = []maintenanceCase{
	{
		// Statuspage as it really publishes one: announced three days
		// ahead with impact "major" (started_at is the announcement), put
		// in progress by the schedule, and completed after it left
		// summary.json, so its last words are only in
		// scheduled-maintenances.json.
		name: "statuspage",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return statuspage.New(base, c, statuspage.WithNow(now))
		},
		underWay: phase{name: "under way", at: at("2024-06-04T09:01:00Z"), files: map[string]string{
			"/api/v2/summary.json": pkg + "statuspage/testdata/maintenance-major/summary.json",
		}},
		over: phase{name: "over", at: at("2024-06-04T10:32:00Z"), files: map[string]string{
			"/api/v2/summary.json":                pkg + "statuspage/testdata/maintenance-major/completed.json",
			"/api/v2/scheduled-maintenances.json": pkg + "statuspage/testdata/maintenance-major/scheduled-maintenances.json",
		}},
		openedAt: at("2024-06-04T09:00:05.06Z"),
		lasted:   at("2024-06-04T10:31:12.39Z").Sub(at("2024-06-04T09:00:05.06Z")),
		last:     "The scheduled maintenance has been completed. Uploads and downloads are available again.",
	},
	{
		// Announced on 28 November for 08:00-09:30 on 1 December. The
		// Public Status API lists no finished maintenances: it just goes.
		name: "statusio",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return statusio.New(base+"/1.0/status/5b36dc6502d06804c08349f7", c,
				statusio.WithNow(now), statusio.WithPage("https://status.gitlab.com"))
		},
		underWay: phase{name: "under way", at: at("2026-12-01T08:10:00Z"), files: map[string]string{
			"/1.0/status/5b36dc6502d06804c08349f7": pkg + "statusio/testdata/gitlab/status.json",
		}},
		over: phase{name: "over", at: at("2026-12-01T09:32:00Z"), polls: 2, files: map[string]string{
			"/1.0/status/5b36dc6502d06804c08349f7": here + "statusio/gitlab-after/status.json",
		}},
		openedAt:  at("2026-12-01T08:02:11.102Z"),
		lasted:    time.Date(2026, 12, 1, 9, 32, 0, 0, time.UTC).Sub(at("2026-12-01T08:02:11.102Z")),
		last:      "The maintenance is no longer listed on the status page.",
		incidents: 1, // the Git incident

	},
	{
		// Announced on 1 September, begun at 19:00:30, closed early at
		// 19:45 with a last update.
		name: "betterstack",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return betterstack.New(base, c, betterstack.WithNow(now))
		},
		underWay: phase{name: "under way", at: at("2026-09-04T19:10:00Z"), files: map[string]string{
			"/index.json": pkg + "betterstack/testdata/maintenance/index.json",
		}},
		over: phase{name: "over", at: at("2026-09-04T19:50:00Z"), files: map[string]string{
			"/index.json": pkg + "betterstack/testdata/completed/index.json",
		}},
		openedAt: at("2026-09-04T19:00:30Z"),
		lasted:   44*time.Minute + 30*time.Second,
		last:     "The upgrade is complete & the web app is writable again.\n\nThanks for your patience.",
	},
	{
		// A Cachet 2.4 schedule for 04:00-04:30 CEST, marked complete at
		// 04:12 with its message rewritten.
		name: "cachet",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return cachet.New(base, c, cachet.WithNow(now), cachet.WithLocation(time.FixedZone("CEST", 2*3600)))
		},
		underWay: phase{name: "under way", at: at("2026-09-02T02:05:00Z"), files: map[string]string{
			"/api/v1/components":        pkg + "cachet/testdata/maintenance/components.json",
			"/api/v1/components/groups": pkg + "cachet/testdata/maintenance/groups.json",
			"/api/v1/incidents":         pkg + "cachet/testdata/maintenance/incidents.json",
			"/api/v1/schedules":         here + "cachet/maintenance-under-way/schedules.json",
		}},
		over: phase{name: "over", at: at("2026-09-02T02:20:00Z"), files: map[string]string{
			"/api/v1/components":        pkg + "cachet/testdata/maintenance/components.json",
			"/api/v1/components/groups": pkg + "cachet/testdata/maintenance/groups.json",
			"/api/v1/incidents":         pkg + "cachet/testdata/maintenance/incidents.json",
			"/api/v1/schedules":         here + "cachet/maintenance-done/schedules.json",
		}},
		openedAt: at("2026-09-02T02:00:00Z"),
		lasted:   12 * time.Minute,
		last:     "Rotation finished early.\n\nAll endpoints serve the new certificates & chains.",
	},
	{
		// Instatus still lists it, completed; its summary has no updates.
		name: "instatus",
		source: func(base string, c *fetch.Client, now func() time.Time) sources.Source {
			return instatus.New(base, c, instatus.WithNow(now))
		},
		underWay: phase{name: "under way", at: at("2026-09-04T19:10:00Z"), files: map[string]string{
			"/summary.json":       pkg + "instatus/testdata/maintenance/summary.json",
			"/v3/components.json": pkg + "instatus/testdata/maintenance/components.json",
		}},
		over: phase{name: "over", at: at("2026-09-04T21:05:00Z"), files: map[string]string{
			"/summary.json":       here + "instatus/maintenance-done/summary.json",
			"/v3/components.json": pkg + "instatus/testdata/maintenance/components.json",
		}},
		openedAt: at("2026-09-04T19:00:00Z"),
		lasted:   2*time.Hour + 2*time.Minute,
		last:     "The vendor marked the maintenance completed.",
	},
}

func TestMaintenance(t *testing.T) {
	for _, mc := range maintenanceCases {
		t.Run(mc.name, func(t *testing.T) {
			t.Parallel()
			runMaintenance(t, mc)
		})
	}
}

func runMaintenance(t *testing.T, mc maintenanceCase) {
	d := newDriver(t, mc.source)
	var (
		evs    []outage.Event
		others int
	)
	for _, ph := range []phase{mc.underWay, mc.over} {
		for _, ev := range d.phase(ph) {
			if ev.Class == outage.MaintenanceWork {
				evs = append(evs, ev)
			} else if ev.Kind == outage.Opened {
				others++
			}
		}
	}
	if others != mc.incidents {
		t.Errorf("%d other outages opened, want %d", others, mc.incidents)
	}
	if len(evs) != 2 || evs[0].Kind != outage.Opened || evs[1].Kind != outage.Resolved || evs[0].OutageID != evs[1].OutageID {
		t.Fatalf("events %s, want one maintenance opened and resolved", kinds(evs))
	}
	open, done := evs[0], evs[1]
	if open.Class != outage.MaintenanceWork || done.Class != outage.MaintenanceWork || open.Severity != sources.Maintenance {
		t.Errorf("class %s, %s and severity %s, want maintenance", open.Class, done.Class, open.Severity)
	}
	if !open.OpenedAt.Equal(mc.openedAt) {
		t.Errorf("opened at %v, want %v (when the work began)", open.OpenedAt, mc.openedAt)
	}
	if d := done.Duration(); d != mc.lasted {
		t.Errorf("lasted %v, want %v", d, mc.lasted)
	}
	if done.Body != mc.last {
		t.Errorf("restoration says %q, want %q", done.Body, mc.last)
	}
}
