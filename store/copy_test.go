package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// copyPairs are the directions Copy is tested in: SQLite to SQLite always,
// and to and from PostgreSQL when OUTAGEBOT_TEST_POSTGRES names a server.
func copyPairs() []struct{ name, from, to string } {
	return []struct{ name, from, to string }{
		{"sqlite to sqlite", "sqlite", "sqlite"},
		{"sqlite to postgres", "sqlite", "postgres"},
		{"postgres to sqlite", "postgres", "sqlite"},
	}
}

func openDSN(t *testing.T, dsn string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Slack ts and Discord message ids as the platforms write them.
const (
	slackRoot   = "1795356000.000100"
	discordRoot = "1311579826435223602"
)

// seed gives s what a bot leaves behind: a resolved outage whose thread is
// all delivered, an open one whose root went to Slack and Discord and whose
// update waits in the outbox for both, a mute, a digest sent and a quiet
// one skipped, an answered signed request, an armed digest and a released
// leader lease.
func seed(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	dests := []string{"ops/slack", "ops/discord"}
	if err := s.SetBoard(ctx, "ops/discord", "1200000000000000001", t0); err != nil {
		t.Fatal(err)
	}
	commit := func(o outage.Outage, evs ...outage.Event) {
		t.Helper()
		if _, err := s.Commit(ctx, store.Commit{Target: o.Target, State: []byte(`{"outages":["` + o.ID + `"]}`), Outages: []outage.Outage{o}, Events: evs, Dests: dests, At: evs[0].At}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	deliver := func(at time.Time) {
		t.Helper()
		for _, dest := range dests {
			for {
				due, err := s.Due(ctx, dest, at, 10)
				if err != nil {
					t.Fatal(err)
				}
				if len(due) == 0 {
					break
				}
				for _, it := range due {
					n++
					ref := fmt.Sprintf("1795350000.%06d", n)
					if dest == "ops/discord" {
						ref = fmt.Sprintf("13115798264352%05d", n)
					}
					if it.Event.Kind == outage.Opened && it.Event.OutageID == "0b0b0b0b" {
						ref = map[string]string{"ops/slack": slackRoot, "ops/discord": discordRoot}[dest]
					}
					if err := s.Settle(ctx, store.Settlement{Item: it, Outcome: store.Delivered, Ref: ref, At: at}); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}

	old, evs := lifecycle("0a0a0a0a")
	commit(old, evs...)
	deliver(t0.Add(2 * time.Hour))

	open := outage.Outage{ID: "0b0b0b0b", Target: "OpenAI", Key: "incident:2", Class: outage.Incident, Title: "Elevated errors", Severity: sources.PartialOutage, OpenedAt: t0.Add(3 * time.Hour)}
	commit(open, open.Event(outage.Opened, open.OpenedAt, "Investigating."))
	deliver(open.OpenedAt)
	commit(open, open.Event(outage.Updated, open.OpenedAt.Add(10*time.Minute), "We have identified the cause."))
	if _, _, err := s.Acknowledge(ctx, open.ID, outage.Ack{UserID: "U123", Name: "alice", Platform: "slack", At: open.OpenedAt.Add(12 * time.Minute)}); err != nil {
		t.Fatal(err)
	}

	// Observed, then a gap within the outages' day, then observed again.
	if err := s.Cover(ctx, []store.Coverage{{Target: "OpenAI", From: t0, To: t0.Add(4 * time.Hour), Grace: 3 * time.Minute}}, t0.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Cover(ctx, []store.Coverage{{Target: "OpenAI", From: t0.Add(5 * time.Hour), To: t0.Add(6 * time.Hour), Grace: 3 * time.Minute}}, t0.Add(6*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveMute(ctx, store.MuteRow{Target: "Anthropic", Until: t0.Add(48 * time.Hour), By: "U123", Reason: "known flapping"}); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.Subscribe(ctx, store.Subscription{Platform: "slack", Channel: "C0SUB", Kind: store.SubVendor, Name: "github", CreatedBy: "<@U123>", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CommitDigest(ctx, store.DigestSend{Key: "1-daily", ScheduledAt: t0, Event: digestEvent("1-daily", t0), Dests: []string{"ops/slack"}, At: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CommitDigest(ctx, store.DigestSend{Key: "1-daily", ScheduledAt: t0.Add(24 * time.Hour), At: t0.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Remember(ctx, "v0=8f742231b10e8888abcd", t0, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DigestArmed(ctx, "1-daily", t0); err != nil {
		t.Fatal(err)
	}
	tok, ok, err := s.Acquire(ctx, "old-bot", 10*time.Second, t0)
	if err != nil || !ok {
		t.Fatalf("acquire: %v %v", ok, err)
	}
	if err := s.Release(ctx, "old-bot", tok); err != nil {
		t.Fatal(err)
	}
}

// wantCounts are seed's rows per copied table.
var wantCounts = []store.TableCount{
	{Table: "target_state", Source: 1, Target: 1},
	{Table: "outages", Source: 2, Target: 2},
	{Table: "events", Source: 7, Target: 7},
	{Table: "threads", Source: 4, Target: 4},
	{Table: "outbox", Source: 13, Target: 13},
	{Table: "root_edits", Source: 0, Target: 0},
	{Table: "mutes", Source: 1, Target: 1},
	{Table: "acknowledgements", Source: 1, Target: 1},
	{Table: "digests_sent", Source: 2, Target: 2},
	{Table: "seen_requests", Source: 1, Target: 1},
	{Table: "daily_rollup", Source: 1, Target: 1},
	{Table: "target_history", Source: 1, Target: 1},
	{Table: "target_coverage", Source: 2, Target: 2},
	{Table: "boards", Source: 1, Target: 1},
	{Table: "subscriptions", Source: 1, Target: 1},
	// The heartbeat and the history's change count.
	{Table: "meta", Source: 2, Target: 2},
	{Table: "poll_results", Source: 0, Target: 0},
}

// dump reads a table as sorted lines of column=value, columns by name.
func dump(t *testing.T, dsn, table string) []string {
	t.Helper()
	rows, err := rawDB(t, dsn).Query(`SELECT * FROM ` + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fields := make([]string, len(cols))
		for i, c := range cols {
			v := vals[i]
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			fields[i] = fmt.Sprintf("%s=%v", c, v)
		}
		slices.Sort(fields)
		out = append(out, strings.Join(fields, " "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// Every row of every copied table arrives unchanged, ids included; the
// counts are reported; the leader lease stays behind; and the target hands
// out new ids after the copied ones, so the bot continues where it was.
func TestCopy(t *testing.T) {
	dbs := emptyDatabases()
	for _, p := range copyPairs() {
		t.Run(p.name, func(t *testing.T) {
			fromDSN, toDSN := dbs[p.from](t), dbs[p.to](t)
			from, to := openDSN(t, fromDSN), openDSN(t, toDSN)
			seed(t, from)
			ctx := context.Background()

			rep, err := store.Copy(ctx, to, from, t0.Add(72*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if rep.SchemaVersion != store.SchemaVersion {
				t.Errorf("schema version %d, want %d", rep.SchemaVersion, store.SchemaVersion)
			}
			if !slices.Equal(rep.Tables, wantCounts) {
				t.Errorf("counts:\n got %v\nwant %v", rep.Tables, wantCounts)
			}
			copied, skipped := store.CopyTables()
			if !slices.Equal(rep.Skipped, skipped) {
				t.Errorf("skipped %v, want %v", rep.Skipped, skipped)
			}
			for _, table := range copied {
				src, dst := dump(t, fromDSN, table), dump(t, toDSN, table)
				if !slices.Equal(src, dst) {
					t.Errorf("%s differs:\nsource %q\ntarget %q", table, src, dst)
				}
			}
			if got := dump(t, toDSN, "leader"); len(got) != 0 {
				t.Errorf("the leader lease was copied: %q", got)
			}

			// The open outage's update is due under the roots posted before.
			due := pending(t, to, t0.Add(72*time.Hour))
			if len(due) != 2 {
				t.Fatalf("due on the target: %+v, want the update for Slack and Discord", due)
			}
			if it := due["ops/slack"]; it.Root != slackRoot || it.Event.Kind != outage.Updated || it.Attempts != 0 {
				t.Errorf("slack: %+v", it)
			}
			if it := due["ops/discord"]; it.Root != discordRoot || it.Event.Kind != outage.Updated {
				t.Errorf("discord: %+v", it)
			}
			wantOutboxIDs := map[string]int64{}
			for dest, it := range due {
				wantOutboxIDs[dest] = it.ID
			}
			for dest, it := range pending(t, from, t0.Add(72*time.Hour)) {
				if wantOutboxIDs[dest] != it.ID {
					t.Errorf("%s: outbox id %d on the target, %d on the source", dest, wantOutboxIDs[dest], it.ID)
				}
			}

			// New rows take ids after the copied ones.
			open := outage.Outage{ID: "0b0b0b0b", Target: "OpenAI", Key: "incident:2", Class: outage.Incident, Title: "Elevated errors", Severity: sources.PartialOutage, OpenedAt: t0.Add(3 * time.Hour), Seq: 2}
			open.ResolvedAt = open.OpenedAt.Add(time.Hour)
			evs, err := to.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{open},
				Events: []outage.Event{open.Event(outage.Resolved, open.ResolvedAt, "Resolved.")}, Dests: []string{"ops/slack"}, At: open.ResolvedAt})
			if err != nil {
				t.Fatalf("a new event after the copy: %v", err)
			}
			if evs[0].ID != 8 {
				t.Errorf("new event id %d, want 8 (after the 7 copied)", evs[0].ID)
			}
			var maxOutbox int64
			if err := rawDB(t, toDSN).QueryRow(`SELECT MAX(id) FROM outbox`).Scan(&maxOutbox); err != nil {
				t.Fatal(err)
			}
			if maxOutbox != 14 {
				t.Errorf("new outbox row id %d, want 14 (after the 13 copied)", maxOutbox)
			}
		})
	}
}

// pending is the open outage's due delivery per destination.
func pending(t *testing.T, s *store.Store, now time.Time) map[string]store.OutboxItem {
	t.Helper()
	out := map[string]store.OutboxItem{}
	for _, dest := range []string{"ops/slack", "ops/discord"} {
		items, err := s.Due(context.Background(), dest, now, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.Event.OutageID == "0b0b0b0b" {
				out[dest] = it
			}
		}
	}
	return out
}

// A target that holds any row in any copied table is refused, untouched.
func TestCopyRefusesNonEmptyTarget(t *testing.T) {
	dbs := emptyDatabases()
	for _, p := range copyPairs() {
		t.Run(p.name, func(t *testing.T) {
			fromDSN, toDSN := dbs[p.from](t), dbs[p.to](t)
			from, to := openDSN(t, fromDSN), openDSN(t, toDSN)
			seed(t, from)
			ctx := context.Background()
			if err := to.SaveMute(ctx, store.MuteRow{Target: "GitHub", Until: t0.Add(time.Hour), By: "U9"}); err != nil {
				t.Fatal(err)
			}
			if _, err := to.Remember(ctx, "v0=1", t0, time.Minute); err != nil {
				t.Fatal(err)
			}
			_, err := store.Copy(ctx, to, from, t0)
			if !errors.Is(err, store.ErrTargetNotEmpty) {
				t.Fatalf("err = %v, want ErrTargetNotEmpty", err)
			}
			want := "the target database is not empty (mutes has 1 row, seen_requests has 1 row): the copy goes only into a database no bot has used"
			if err.Error() != want {
				t.Errorf("error:\n got %q\nwant %q", err, want)
			}
			for _, table := range []string{"outages", "events", "outbox", "threads"} {
				if got := dump(t, toDSN, table); len(got) != 0 {
					t.Errorf("%s written on a refused copy: %q", table, got)
				}
			}
			if got := dump(t, toDSN, "mutes"); len(got) != 1 {
				t.Errorf("target's mutes changed: %q", got)
			}
		})
	}
}

// A copy that fails half-way leaves the target as empty as it was: it is
// one transaction. The target here refuses mutes, which come after the
// outages, events, threads and outbox.
func TestCopyIsAllOrNothing(t *testing.T) {
	dbs := emptyDatabases()
	for _, p := range copyPairs() {
		t.Run(p.name, func(t *testing.T) {
			fromDSN, toDSN := dbs[p.from](t), dbs[p.to](t)
			from, to := openDSN(t, fromDSN), openDSN(t, toDSN)
			seed(t, from)
			db := rawDB(t, toDSN)
			if p.to == "postgres" {
				for _, stmt := range []string{
					`CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'mutes refused'; END $$ LANGUAGE plpgsql`,
					`CREATE TRIGGER refuse BEFORE INSERT ON mutes FOR EACH ROW EXECUTE FUNCTION refuse()`,
				} {
					if _, err := db.Exec(stmt); err != nil {
						t.Fatal(err)
					}
				}
			} else if _, err := db.Exec(`CREATE TRIGGER refuse BEFORE INSERT ON mutes BEGIN SELECT RAISE(ABORT, 'mutes refused'); END`); err != nil {
				t.Fatal(err)
			}
			_, err := store.Copy(context.Background(), to, from, t0)
			if err == nil || !strings.Contains(err.Error(), "copy mutes: insert: ") || !strings.Contains(err.Error(), "mutes refused") {
				t.Fatalf("err = %v, want the refused insert into mutes", err)
			}
			copied, _ := store.CopyTables()
			for _, table := range copied {
				if got := dump(t, toDSN, table); len(got) != 0 {
					t.Errorf("%s kept %d rows of a failed copy", table, len(got))
				}
			}
		})
	}
}

// A table that the copy neither copies nor skips on purpose stops it: its
// rows would be lost without a word.
func TestCopyRefusesUnknownTable(t *testing.T) {
	dbs := emptyDatabases()
	fromDSN := dbs["sqlite"](t)
	from, to := openDSN(t, fromDSN), openDSN(t, dbs["sqlite"](t))
	if _, err := rawDB(t, fromDSN).Exec(`CREATE TABLE silences (id TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	_, err := store.Copy(context.Background(), to, from, t0)
	want := `the source has a table "silences" that the copy does not know: refusing to leave its rows behind`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

// Every table of the schema is either copied or skipped with a reason, and
// the two lists do not overlap: a migration that adds a table must say
// which.
func TestCopyAccountsForEveryTable(t *testing.T) {
	for name, empty := range emptyDatabases() {
		t.Run(name, func(t *testing.T) {
			dsn := empty(t)
			openDSN(t, dsn)
			query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
			if name == "postgres" {
				query = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
			}
			rows, err := rawDB(t, dsn).Query(query)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			copied, skipped := store.CopyTables()
			for rows.Next() {
				var table string
				if err := rows.Scan(&table); err != nil {
					t.Fatal(err)
				}
				isSkipped := slices.ContainsFunc(skipped, func(s store.SkippedTable) bool { return s.Table == table && s.Why != "" })
				if slices.Contains(copied, table) == isSkipped {
					t.Errorf("table %s: copied %v, skipped %v; it must be exactly one", table, slices.Contains(copied, table), isSkipped)
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// While a bot holds the leader lease on either side the copy is refused;
// once the lease has run out it goes ahead.
func TestCopyRefusesWhileABotRuns(t *testing.T) {
	dbs := emptyDatabases()
	for _, side := range []string{"source", "target"} {
		t.Run(side, func(t *testing.T) {
			fromDSN, toDSN := dbs["sqlite"](t), dbs["sqlite"](t)
			from, to := openDSN(t, fromDSN), openDSN(t, toDSN)
			seed(t, from)
			dsn := map[string]string{"source": fromDSN, "target": toDSN}[side]
			// A bot on another host, whose process this one cannot see.
			if _, err := rawDB(t, dsn).Exec(`INSERT INTO leader (name, holder, token, expires_at, host, pid) VALUES ('main', 'bot-a', 3, ?, 'other-host', 4242)
				ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = excluded.token, expires_at = excluded.expires_at, host = excluded.host, pid = excluded.pid`,
				t0.Add(10*time.Second).UnixMilli()); err != nil {
				t.Fatal(err)
			}
			_, err := store.Copy(context.Background(), to, from, t0)
			if !errors.Is(err, store.ErrBotRunning) {
				t.Fatalf("err = %v, want ErrBotRunning", err)
			}
			want := "a bot is still running on the " + side + ": bot-a on host other-host, pid 4242 holds its leader lease until 2026-11-22T14:00:10Z; stop every bot first"
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error:\n got %q\nwant %q…", err, want)
			}
			if _, err := store.Copy(context.Background(), to, from, t0.Add(10*time.Second)); err != nil {
				t.Fatalf("after the lease ran out: %v", err)
			}
		})
	}
}

// Both databases must be at this binary's schema version.
func TestCopyRefusesOtherSchemaVersion(t *testing.T) {
	dbs := emptyDatabases()
	fromDSN := dbs["sqlite"](t)
	from, to := openDSN(t, fromDSN), openDSN(t, dbs["sqlite"](t))
	if _, err := rawDB(t, fromDSN).Exec(`DELETE FROM schema_migrations WHERE version LIKE ?`, pad4(store.SchemaVersion)+`_%`); err != nil {
		t.Fatal(err)
	}
	_, err := store.Copy(context.Background(), to, from, t0)
	if !errors.Is(err, store.ErrSchemaMismatch) {
		t.Fatalf("err = %v, want ErrSchemaMismatch", err)
	}
	want := fmt.Sprintf("schema version differs from this binary's: the source is at version %d, this binary at %d", previousVersion(t), store.SchemaVersion)
	if err.Error() != want {
		t.Errorf("error:\n got %q\nwant %q", err, want)
	}
}

// previousVersion is the number of the migration before the last one.
func previousVersion(t *testing.T) int {
	t.Helper()
	files, err := os.ReadDir(filepath.Join("migrations", "sqlite"))
	if err != nil || len(files) < 2 {
		t.Fatalf("migrations: %d, %v", len(files), err)
	}
	v, err := strconv.Atoi(strings.SplitN(files[len(files)-2].Name(), "_", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	return v
}
