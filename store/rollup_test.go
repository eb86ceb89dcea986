package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/uptime"
)

var day1 = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func at(d, h, m int) time.Time {
	return day1.Add(time.Duration(d)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

// rollupStory is a target's two days: an outage across midnight, another
// overlapping it, maintenance partly inside down time, and the feed
// unreachable since 10:00 and still so at the last commit.
func rollupStory() []store.Commit {
	o1 := outage.Outage{ID: "o1", Target: "A", Key: "k1", Class: outage.Incident, Title: "Errors", Severity: sources.MajorOutage, OpenedAt: at(0, 22, 0)}
	o2 := outage.Outage{ID: "o2", Target: "A", Key: "k2", Class: outage.Incident, Title: "Slow", Severity: sources.Degraded, OpenedAt: at(1, 1, 0)}
	o3 := outage.Outage{ID: "o3", Target: "A", Key: "k3", Class: outage.MaintenanceWork, Title: "Upgrade", Severity: sources.Maintenance, OpenedAt: at(1, 2, 30)}
	o4 := outage.Outage{ID: "o4", Target: "A", Key: "k4", Class: outage.Unreachable, Title: "Feed unreachable", Severity: sources.Unknown, OpenedAt: at(1, 10, 0)}
	var cs []store.Commit
	step := func(when time.Time, os ...outage.Outage) {
		cs = append(cs, store.Commit{Target: "A", State: []byte(`{}`), Outages: os, At: when})
	}
	step(at(0, 21, 0)) // first poll: all fine
	step(o1.OpenedAt, o1)
	step(o2.OpenedAt, o2)
	o1.ResolvedAt = at(1, 2, 0)
	step(o1.ResolvedAt, o1)
	step(o3.OpenedAt, o3)
	o2.ResolvedAt = at(1, 3, 0)
	step(o2.ResolvedAt, o2)
	o3.ResolvedAt = at(1, 4, 0)
	step(o3.ResolvedAt, o3)
	step(o4.OpenedAt, o4)
	step(at(1, 12, 0), o4)
	return cs
}

func wantStoryDays() []uptime.Day {
	return []uptime.Day{
		{Target: "A", Date: day1, Worst: sources.MajorOutage, Down: 2 * time.Hour,
			Outages: []uptime.DayOutage{{ID: "o1", Title: "Errors", Severity: sources.MajorOutage, Class: outage.Incident, Duration: 2 * time.Hour}}},
		{Target: "A", Date: day1.Add(24 * time.Hour), Worst: sources.MajorOutage,
			// The union 00:00-03:00, not the sum of 2h and 2h.
			Down:        3 * time.Hour,
			Maintenance: time.Hour, // 03:00-04:00: its first half hour was down
			Unknown:     2 * time.Hour,
			Outages: []uptime.DayOutage{
				{ID: "o1", Title: "Errors", Severity: sources.MajorOutage, Class: outage.Incident, Duration: 2 * time.Hour},
				{ID: "o2", Title: "Slow", Severity: sources.Degraded, Class: outage.Incident, Duration: 2 * time.Hour},
				{ID: "o3", Title: "Upgrade", Severity: sources.Maintenance, Class: outage.MaintenanceWork, Duration: 90 * time.Minute},
				{ID: "o4", Title: "Feed unreachable", Severity: sources.Unknown, Class: outage.Unreachable, Duration: 2 * time.Hour},
			}},
	}
}

func TestDailyRollup(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			gen0, err := s.HistoryGeneration(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range rollupStory() {
				if _, err := s.Commit(ctx, c); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.Rollups(ctx, day1.Add(-48*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			assertDays(t, got, wantStoryDays())

			h, err := s.TargetHistories(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := (store.TargetHistory{FirstSeen: at(0, 21, 0), LastResolved: at(1, 4, 0)}); h["A"] != want {
				t.Errorf("history %+v, want %+v", h["A"], want)
			}
			gen, err := s.HistoryGeneration(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if gen <= gen0 {
				t.Errorf("history generation %d after the story, was %d", gen, gen0)
			}
			// A commit without outages of a known target changes nothing
			// a cache holds.
			if _, err := s.Commit(ctx, store.Commit{Target: "A", State: []byte(`{}`), At: at(1, 13, 0)}); err != nil {
				t.Fatal(err)
			}
			if g, _ := s.HistoryGeneration(ctx); g != gen {
				t.Errorf("history generation moved from %d to %d on a commit without outages", gen, g)
			}
			// Outages open at some time since 03:30 of day 2: o4 (open) and
			// o3 (resolved at 04:00), newest first.
			recent, err := s.RecentOutages(ctx, at(1, 3, 30))
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(recent); strings.Join(got, ",") != "o4,o3" {
				t.Errorf("recent outages %v, want o4, o3", got)
			}
			// Only the days asked for.
			got, err = s.Rollups(ctx, day1.Add(24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			assertDays(t, got, wantStoryDays()[1:])
			// A reader at generation gen catches up on B alone (watched
			// since day 1, so its outage was observed).
			if _, err := s.Commit(ctx, store.Commit{Target: "B", State: []byte(`{}`), At: at(0, 0, 0)}); err != nil {
				t.Fatal(err)
			}
			b1 := outage.Outage{ID: "b1", Target: "B", Key: "b", Class: outage.Incident, Title: "B down", Severity: sources.Degraded, OpenedAt: at(1, 5, 0), ResolvedAt: at(1, 6, 0)}
			if _, err := s.Commit(ctx, store.Commit{Target: "B", State: []byte(`{}`), Outages: []outage.Outage{b1}, At: at(1, 14, 0)}); err != nil {
				t.Fatal(err)
			}
			changed, targets, err := s.RollupsChanged(ctx, gen, day1)
			if err != nil {
				t.Fatal(err)
			}
			if len(targets) != 1 || targets[0] != "B" || len(changed) != 1 || changed[0].Down != time.Hour {
				t.Errorf("changed after %d: %v %+v", gen, targets, changed)
			}
		})
	}
}

// Outages stored before the rollup existed are rolled up by the migration
// that creates it.
func TestDailyRollupBackfill(t *testing.T) {
	for name, empty := range emptyDatabases() {
		t.Run(name, func(t *testing.T) {
			dsn := empty(t)
			ctx := context.Background()
			s, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			db := rawDB(t, dsn)
			// What an older outagebot wrote: outages alone.
			for _, c := range rollupStory() {
				for _, o := range c.Outages {
					data, _ := json.Marshal(o)
					var resolved any
					if !o.ResolvedAt.IsZero() {
						resolved = o.ResolvedAt.UnixMilli()
					}
					q := `INSERT INTO outages (id, target, outage_key, class, title, severity, opened_at, resolved_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
						ON CONFLICT (id) DO UPDATE SET resolved_at = excluded.resolved_at, data = excluded.data`
					if store.IsPostgres(dsn) {
						q = `INSERT INTO outages (id, target, outage_key, class, title, severity, opened_at, resolved_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
						ON CONFLICT (id) DO UPDATE SET resolved_at = excluded.resolved_at, data = excluded.data`
					}
					if _, err := db.Exec(q, o.ID, o.Target, o.Key, string(o.Class), o.Title, string(o.Severity), o.OpenedAt.UnixMilli(), resolved, string(data)); err != nil {
						t.Fatal(err)
					}
				}
			}
			// ... at schema version 9: before the rollup existed.
			for _, stmt := range []string{`DROP TABLE daily_rollup`, `DROP TABLE target_history`, `DROP INDEX outages_by_resolved`,
				`DROP INDEX outages_page`, `DROP INDEX outages_target_page`, `DELETE FROM meta`,
				`DELETE FROM schema_migrations WHERE version = '0010_daily_rollup.sql'`} {
				if _, err := db.Exec(stmt); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()

			s = openDSN(t, dsn)
			got, err := s.Rollups(ctx, day1)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) < 2 {
				t.Fatalf("backfilled %d days, want at least 2: %+v", len(got), got)
			}
			// The unreachable outage is still open: it counts until the
			// backfill ran (now), so only the closed days are fixed.
			assertDays(t, got[:1], wantStoryDays()[:1])
			d := got[1]
			if d.Down != 3*time.Hour || d.Maintenance != time.Hour || d.Unknown != 14*time.Hour {
				t.Errorf("day 2: down %v maintenance %v unknown %v, want 3h, 1h, 14h (unreachable since 10:00 until the day ended)", d.Down, d.Maintenance, d.Unknown)
			}
			h, err := s.TargetHistories(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := (store.TargetHistory{FirstSeen: at(0, 22, 0), LastResolved: at(1, 4, 0)}); h["A"] != want {
				t.Errorf("history %+v, want %+v", h["A"], want)
			}
		})
	}
}

func assertDays(t *testing.T, got, want []uptime.Day) {
	t.Helper()
	g, _ := json.MarshalIndent(got, "", " ")
	w, _ := json.MarshalIndent(want, "", " ")
	if string(g) != string(w) {
		t.Errorf("days:\n got %s\nwant %s", g, w)
	}
}

// A database whose rollup counted a backdated incident from the vendor's
// start (before the bot first saw the target) is mended by the upgrade:
// the first-seen day is rolled up again from first-seen on.
func TestFirstDayRerolledOnUpgrade(t *testing.T) {
	for name, empty := range emptyDatabases() {
		t.Run(name, func(t *testing.T) {
			dsn := empty(t)
			ctx := context.Background()
			s, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			// First seen at 10:00 during an incident the vendor dates 06:00;
			// it ends at 11:00: one observed hour down.
			o := outage.Outage{ID: "o1", Target: "A", Key: "k", Class: outage.Incident, Title: "Down", Severity: sources.MajorOutage, OpenedAt: at(0, 6, 0)}
			for _, c := range []store.Commit{
				{Target: "A", State: []byte(`{}`), Outages: []outage.Outage{o}, At: at(0, 10, 0)},
				{Target: "A", State: []byte(`{}`), Outages: []outage.Outage{func() outage.Outage { o.ResolvedAt = at(0, 11, 0); return o }()}, At: at(0, 11, 0)},
			} {
				if _, err := s.Commit(ctx, c); err != nil {
					t.Fatal(err)
				}
			}
			if got := downOn(t, s, day1); got != time.Hour {
				t.Fatalf("down %v on the first day, want the observed hour", got)
			}
			s.Close()
			// ... as an older version rolled it up: five hours down, at
			// schema version 15.
			db := rawDB(t, dsn)
			for _, stmt := range []string{
				`UPDATE daily_rollup SET down_ms = 18000000 WHERE target = 'A'`,
				`DELETE FROM schema_migrations WHERE version = '0016_first_day.sql'`,
			} {
				if _, err := db.Exec(stmt); err != nil {
					t.Fatal(err)
				}
			}
			s = openDSN(t, dsn)
			if got := downOn(t, s, day1); got != time.Hour {
				t.Errorf("down %v on the first day after the upgrade, want the observed hour", got)
			}
		})
	}
}

func downOn(t *testing.T, s *store.Store, day time.Time) time.Duration {
	t.Helper()
	days, err := s.Rollups(context.Background(), day)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range days {
		if d.Date.Equal(day) {
			return d.Down
		}
	}
	return 0
}
