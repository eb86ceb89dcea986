package uptime_test

import (
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/uptime"
)

func TestWindowOf(t *testing.T) {
	now := base.Add(10 * time.Hour) // Nov 22 10:00
	for _, tc := range []struct {
		typed time.Duration
		want  uptime.Window
		start time.Time
	}{
		{24 * time.Hour, uptime.Last24h, now.Add(-24 * time.Hour)},
		{12 * time.Hour, uptime.Window{Last: 12 * time.Hour}, now.Add(-12 * time.Hour)},
		{36 * time.Hour, uptime.Window{Last: 36 * time.Hour}, now.Add(-36 * time.Hour)},
		{2 * 24 * time.Hour, uptime.Window{Days: 2}, base.Add(-24 * time.Hour)},
		{3 * 24 * time.Hour, uptime.Window{Days: 3}, base.Add(-2 * 24 * time.Hour)},
		{7 * 24 * time.Hour, uptime.Last7d, base.Add(-6 * 24 * time.Hour)},
		{14 * 24 * time.Hour, uptime.Window{Days: 14}, base.Add(-13 * 24 * time.Hour)},
	} {
		w := uptime.WindowOf(tc.typed)
		if w != tc.want || !w.Start(now).Equal(tc.start) {
			t.Errorf("%s: %+v from %s, want %+v from %s", tc.typed, w, w.Start(now), tc.want, tc.start)
		}
	}
}

func TestOf(t *testing.T) {
	now := base.Add(10 * time.Hour)
	down := span(outage.Incident, 8, 9)
	maint := span(outage.MaintenanceWork, 1, 3)
	for _, tc := range []struct {
		name string
		obs  uptime.Observed
		want float64
		ok   bool
	}{
		{"never seen", uptime.Observed{Outages: []outage.Outage{down}}, 0, false},
		{"seen before the window", uptime.Observed{Seen: true, FirstSeen: base.Add(-48 * time.Hour), Outages: []outage.Outage{down}}, 1 - 1.0/24, true},
		{"maintenance on neither side", uptime.Observed{Seen: true, FirstSeen: base.Add(-48 * time.Hour), Outages: []outage.Outage{down, maint}}, 1 - 1.0/22, true},
		{"a gap on neither side", uptime.Observed{Seen: true, FirstSeen: base.Add(-48 * time.Hour), Outages: []outage.Outage{down},
			Gaps: []uptime.Gap{{From: base.Add(-4 * time.Hour), To: base}}}, 1 - 1.0/20, true},
		{"only from first seen", uptime.Observed{Seen: true, FirstSeen: base.Add(6 * time.Hour), Outages: []outage.Outage{down}}, 1 - 1.0/4, true},
		{"all of it maintenance", uptime.Observed{Seen: true, FirstSeen: base.Add(time.Hour), Outages: []outage.Outage{span(outage.MaintenanceWork, 0, -1)}}, 0, false},
		{"first seen now", uptime.Observed{Seen: true, FirstSeen: now}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := uptime.Of(uptime.Last24h, tc.obs, now)
			if m.OK != tc.ok || (tc.ok && abs(m.Up-tc.want) > 1e-12) {
				t.Errorf("%+v, want %v ok %v", m, tc.want, tc.ok)
			}
		})
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
