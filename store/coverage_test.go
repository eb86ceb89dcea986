package store_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/uptime"
)

const grace = 3 * time.Minute

func cover(t *testing.T, s *store.Store, target string, from, to time.Time) {
	t.Helper()
	if err := s.Cover(context.Background(), []store.Coverage{{Target: target, From: from, To: to, Grace: grace}}, to); err != nil {
		t.Fatal(err)
	}
}

func gapsOf(t *testing.T, s *store.Store, target string, since time.Time) []uptime.Gap {
	t.Helper()
	g, err := s.Gaps(context.Background(), target, since)
	if err != nil {
		t.Fatal(err)
	}
	return g[target]
}

// A span that starts within the grace of the latest one continues it
// (one row, no gap, nothing for a cache to re-read); one that starts
// later opens a gap, which is rolled up as unknown time.
func TestCoverage(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			cover(t, s, "A", at(0, 8, 0), at(0, 8, 0))
			gen0, _ := s.HistoryGeneration(ctx)
			// The same span again, longer; then one within the grace.
			cover(t, s, "A", at(0, 8, 0), at(0, 9, 0))
			cover(t, s, "A", at(0, 9, 2), at(0, 10, 0))
			// An older end never shortens it.
			cover(t, s, "A", at(0, 9, 2), at(0, 9, 30))
			if g := gapsOf(t, s, "A", day1); len(g) != 0 {
				t.Fatalf("gaps %v within the grace", g)
			}
			if gen, _ := s.HistoryGeneration(ctx); gen != gen0 {
				t.Errorf("history generation moved from %d to %d while coverage only went on", gen0, gen)
			}
			if rolled, _ := s.Rollups(ctx, day1); len(rolled) != 0 {
				t.Errorf("rolled up %+v without a gap", rolled)
			}

			// Stopped at 10:00, back at 13:00.
			cover(t, s, "A", at(0, 13, 0), at(0, 13, 5))
			want := []uptime.Gap{{From: at(0, 10, 0), To: at(0, 13, 0)}}
			if g := gapsOf(t, s, "A", day1); !reflect.DeepEqual(g, want) {
				t.Fatalf("gaps %v, want %v", g, want)
			}
			if gen, _ := s.HistoryGeneration(ctx); gen <= gen0 {
				t.Errorf("history generation %d after a gap, was %d", gen, gen0)
			}
			rolled, err := s.Rollups(ctx, day1)
			if err != nil {
				t.Fatal(err)
			}
			assertDays(t, rolled, []uptime.Day{{Target: "A", Date: day1, Worst: sources.Unknown, Unknown: 3 * time.Hour}})
			// It goes on from the new span.
			cover(t, s, "A", at(0, 13, 0), at(0, 14, 0))
			if g := gapsOf(t, s, "A", day1); len(g) != 1 {
				t.Errorf("gaps %v, want the one", g)
			}
			// Gaps that ended before since are not read; other targets'
			// are their own.
			if g := gapsOf(t, s, "A", at(0, 13, 0)); len(g) != 0 {
				t.Errorf("gaps %v that ended before since", g)
			}
			cover(t, s, "B", at(0, 12, 0), at(0, 12, 0))
			all, err := s.Gaps(ctx, "", day1)
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 1 || len(all["A"]) != 1 {
				t.Errorf("every target's gaps: %v", all)
			}
		})
	}
}

// A gap across midnight rolls up both days; outages open across it count
// through it (down stays down), and the gap is unknown only where no
// outage was open.
func TestCoverageGapAcrossDaysWithOpenOutage(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			o := outage.Outage{ID: "o1", Target: "A", Key: "k", Class: outage.Incident, Title: "Errors", Severity: sources.MajorOutage, OpenedAt: at(0, 20, 0)}
			cover(t, s, "A", at(0, 18, 0), at(0, 21, 0))
			if _, err := s.Commit(ctx, store.Commit{Target: "A", State: []byte(`{}`), Outages: []outage.Outage{o}, At: o.OpenedAt}); err != nil {
				t.Fatal(err)
			}
			// The bot stops at 21:00 with the outage open, comes back at
			// 03:00 the next day, and resolves the outage at 04:00.
			cover(t, s, "A", at(1, 3, 0), at(1, 4, 0))
			o.ResolvedAt = at(1, 4, 0)
			if _, err := s.Commit(ctx, store.Commit{Target: "A", State: []byte(`{}`), Outages: []outage.Outage{o}, At: o.ResolvedAt}); err != nil {
				t.Fatal(err)
			}
			rolled, err := s.Rollups(ctx, day1)
			if err != nil {
				t.Fatal(err)
			}
			assertDays(t, rolled, []uptime.Day{
				{Target: "A", Date: day1, Worst: sources.MajorOutage, Down: 4 * time.Hour,
					Outages: []uptime.DayOutage{{ID: "o1", Title: "Errors", Severity: sources.MajorOutage, Class: outage.Incident, Duration: 4 * time.Hour}}},
				{Target: "A", Date: day1.Add(24 * time.Hour), Worst: sources.MajorOutage, Down: 4 * time.Hour,
					Outages: []uptime.DayOutage{{ID: "o1", Title: "Errors", Severity: sources.MajorOutage, Class: outage.Incident, Duration: 4 * time.Hour}}},
			})

			// Without an open outage the same gap is unknown on both days.
			cover(t, s, "B", at(0, 18, 0), at(0, 21, 0))
			cover(t, s, "B", at(1, 3, 0), at(1, 4, 0))
			rolled, err = s.Rollups(ctx, day1)
			if err != nil {
				t.Fatal(err)
			}
			var b []uptime.Day
			for _, d := range rolled {
				if d.Target == "B" {
					b = append(b, d)
				}
			}
			assertDays(t, b, []uptime.Day{
				{Target: "B", Date: day1, Worst: sources.Unknown, Unknown: 3 * time.Hour},
				{Target: "B", Date: day1.Add(24 * time.Hour), Worst: sources.Unknown, Unknown: 3 * time.Hour},
			})
		})
	}
}

// Pruning keeps each target's latest span and the one a gap into the
// kept time begins after; a fenced store writes no coverage.
func TestCoveragePruneAndFence(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			cover(t, s, "A", at(0, 0, 0), at(0, 1, 0))
			cover(t, s, "A", at(0, 2, 0), at(0, 3, 0))
			cover(t, s, "A", at(0, 4, 0), at(0, 5, 0))
			cover(t, s, "A", at(0, 10, 0), at(0, 11, 0))
			cover(t, s, "B", at(0, 0, 0), at(0, 1, 0))
			n, err := s.PruneCoverage(ctx, at(0, 6, 0))
			if err != nil {
				t.Fatal(err)
			}
			if n != 2 {
				t.Errorf("pruned %d spans, want 2 (A's first two)", n)
			}
			want := []uptime.Gap{{From: at(0, 5, 0), To: at(0, 10, 0)}}
			if g := gapsOf(t, s, "A", day1); !reflect.DeepEqual(g, want) {
				t.Errorf("gaps after pruning %v, want %v (the gap into the kept time)", g, want)
			}
			// B's only span is its latest: kept, and it goes on.
			cover(t, s, "B", at(0, 1, 1), at(0, 12, 0))
			if g := gapsOf(t, s, "B", day1); len(g) != 0 {
				t.Errorf("B: gaps %v after pruning", g)
			}

			// A replica that lost the lead writes nothing.
			s.SetFence("old", 0)
			err = s.Cover(ctx, []store.Coverage{{Target: "A", From: at(0, 20, 0), To: at(0, 21, 0), Grace: grace}}, at(0, 21, 0))
			if err == nil {
				t.Fatal("a fenced store without the lease wrote coverage")
			}
		})
	}
}

// A database from before coverage was kept has none: its past stays as
// it was (observed), and coverage starts with the first span written
// after the upgrade, without a gap before it.
func TestCoverageUpgrade(t *testing.T) {
	for name, empty := range emptyDatabases() {
		t.Run(name, func(t *testing.T) {
			dsn := empty(t)
			ctx := context.Background()
			s, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range rollupStory() {
				if _, err := s.Commit(ctx, c); err != nil {
					t.Fatal(err)
				}
			}
			before, err := s.Rollups(ctx, day1)
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			// ... at schema version 14: before coverage was kept.
			db := rawDB(t, dsn)
			for _, stmt := range []string{`DROP TABLE target_coverage`, `DELETE FROM schema_migrations WHERE version = '0015_coverage.sql'`} {
				if _, err := db.Exec(stmt); err != nil {
					t.Fatal(err)
				}
			}

			s = openDSN(t, dsn)
			if v, err := s.SchemaVersion(ctx); err != nil || v != store.SchemaVersion {
				t.Fatalf("schema version %d %v after the upgrade", v, err)
			}
			// Days after the last commit, the upgraded bot polls again.
			cover(t, s, "A", at(5, 0, 0), at(5, 1, 0))
			if g := gapsOf(t, s, "A", day1); len(g) != 0 {
				t.Errorf("gaps %v before the first span kept", g)
			}
			after, err := s.Rollups(ctx, day1)
			if err != nil {
				t.Fatal(err)
			}
			assertDays(t, after, before)
		})
	}
}

// BenchmarkCover is the leader's write of a minute's observation: every
// target's span extended, 1,000 steady targets in one transaction.
func BenchmarkCover(b *testing.B) {
	dsns := map[string]func(b *testing.B) string{
		"sqlite": func(b *testing.B) string { return filepath.Join(b.TempDir(), "state.db") },
		"postgres": func(b *testing.B) string {
			dsn := os.Getenv("OUTAGEBOT_TEST_POSTGRES")
			if dsn == "" {
				b.Skip("OUTAGEBOT_TEST_POSTGRES is not set")
			}
			return PostgresSchema(b, dsn)
		},
	}
	const targets = 1000
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			s, err := store.Open(context.Background(), dsns[name](b))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			spans := make([]store.Coverage, targets)
			for i := range spans {
				spans[i] = store.Coverage{Target: "target-" + strconv.Itoa(i), From: day1, To: day1, Grace: grace}
			}
			now := day1
			for b.Loop() {
				now = now.Add(time.Minute)
				for i := range spans {
					spans[i].To = now
				}
				if err := s.Cover(context.Background(), spans, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
