package store_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/outagebot/outagebot/internal/pgtest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// TestMain says once, not only under -v, that the PostgreSQL tests are
// skipped. (go test ./... keeps a passing package's output to itself; go
// test in the package's directory, -v and -json show the line.)
func TestMain(m *testing.M) {
	if os.Getenv("OUTAGEBOT_TEST_POSTGRES") == "" {
		fmt.Fprintln(os.Stderr, "store: PostgreSQL tests skipped: OUTAGEBOT_TEST_POSTGRES is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	os.Exit(m.Run())
}

// stores opens every store implementation for one test. PostgreSQL runs when
// OUTAGEBOT_TEST_POSTGRES names a server, each test in a schema of its own.
func stores(t *testing.T) map[string]func(t *testing.T) *store.Store {
	return map[string]func(t *testing.T) *store.Store{
		"sqlite": func(t *testing.T) *store.Store {
			s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		"postgres": func(t *testing.T) *store.Store {
			dsn := os.Getenv("OUTAGEBOT_TEST_POSTGRES")
			if dsn == "" {
				t.Skip("OUTAGEBOT_TEST_POSTGRES is not set; set it to a PostgreSQL URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL store tests")
			}
			return PostgresStore(t, dsn)
		},
	}
}

// PostgresStore opens a store in a fresh schema that is dropped afterwards.
func PostgresStore(t *testing.T, dsn string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), PostgresSchema(t, dsn))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// PostgresSchema creates a fresh schema, dropped after the test, and returns
// dsn pointing into it (so several stores can share it).
func PostgresSchema(t testing.TB, dsn string) string {
	t.Helper()
	return pgtest.Schema(t, dsn)
}

var t0 = time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)

func lifecycle(id string) (outage.Outage, []outage.Event) {
	o := outage.Outage{ID: id, Target: "OpenAI", Key: "incident:1", Class: outage.Incident, Title: "Errors", Severity: sources.Degraded, OpenedAt: t0}
	e1 := o.Event(outage.Opened, t0, "Investigating.")
	e2 := o.Event(outage.Updated, t0.Add(time.Minute), "Identified.")
	o.ResolvedAt = t0.Add(72 * time.Minute)
	e3 := o.Event(outage.Resolved, o.ResolvedAt, "Resolved.")
	return o, []outage.Event{e1, e2, e3}
}

func TestStore(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("commit and reload state", func(t *testing.T) { testState(t, open(t)) })
			t.Run("outbox order per thread", func(t *testing.T) { testOutboxOrder(t, open(t)) })
			t.Run("retry holds the thread", func(t *testing.T) { testRetryHoldsThread(t, open(t)) })
			t.Run("gave up lets the thread continue", func(t *testing.T) { testGaveUp(t, open(t)) })
			t.Run("outages and events", func(t *testing.T) { testOutagesAndEvents(t, open(t)) })
			t.Run("commit is atomic", func(t *testing.T) { testAtomic(t, open(t)) })
			t.Run("mutes", func(t *testing.T) { testMutes(t, open(t)) })
			t.Run("claim", func(t *testing.T) { testClaim(t, open(t)) })
			t.Run("root edits: last state wins", func(t *testing.T) { testRootEdits(t, open(t)) })
			t.Run("ping", func(t *testing.T) {
				if err := open(t).Ping(context.Background()); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

func testState(t *testing.T, s *store.Store) {
	ctx := context.Background()
	for i, state := range []string{`{"v":1}`, `{"v":2}`} {
		if _, err := s.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(state), At: t0.Add(time.Duration(i) * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.LoadStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(got["OpenAI"]) != `{"v":2}` || len(got) != 1 {
		t.Fatalf("states = %q", got)
	}
}

func testOutboxOrder(t *testing.T, s *store.Store) {
	ctx := context.Background()
	o, evs := lifecycle("o1")
	saved, err := s.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o}, Events: evs, Dests: []string{"ops/slack", "ai/discord"}, At: t0})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range saved {
		if ev.ID == 0 {
			t.Fatal("event without id")
		}
	}
	for _, dest := range []string{"ops/slack", "ai/discord"} {
		var seqs []int
		for {
			due, err := s.Due(ctx, dest, t0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(due) == 0 {
				break
			}
			if len(due) != 1 {
				t.Fatalf("%s: %d items due for one thread, want only its head", dest, len(due))
			}
			it := due[0]
			if len(seqs) > 0 && it.Root != "root-"+dest {
				t.Errorf("%s: seq %d has root %q", dest, it.Event.Seq, it.Root)
			}
			seqs = append(seqs, it.Event.Seq)
			if err := s.Settle(ctx, store.Settlement{Item: it, Outcome: store.Delivered, Ref: "root-" + dest, At: t0}); err != nil {
				t.Fatal(err)
			}
		}
		if fmt.Sprint(seqs) != "[1 2 3]" {
			t.Errorf("%s delivered %v", dest, seqs)
		}
	}
	if n, _ := s.OutboxDepth(ctx); n != 0 {
		t.Errorf("depth = %d", n)
	}
}

func testRetryHoldsThread(t *testing.T, s *store.Store) {
	ctx := context.Background()
	o, evs := lifecycle("o1")
	if _, err := s.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o}, Events: evs, Dests: []string{"ops/slack"}, At: t0}); err != nil {
		t.Fatal(err)
	}
	due, _ := s.Due(ctx, "ops/slack", t0, 10)
	if err := s.Claim(ctx, due[0], t0, 35*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.Settle(ctx, store.Settlement{Item: due[0], Outcome: store.Retry, NextAt: t0.Add(time.Minute), Err: "HTTP 500"}); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.Due(ctx, "ops/slack", t0.Add(30*time.Second), 10); len(due) != 0 {
		t.Fatalf("update overtook its failing root: %+v", due)
	}
	due, _ = s.Due(ctx, "ops/slack", t0.Add(time.Minute), 10)
	if len(due) != 1 || due[0].Event.Seq != 1 || due[0].Attempts != 1 {
		t.Fatalf("after backoff: %+v", due)
	}
}

func testGaveUp(t *testing.T, s *store.Store) {
	ctx := context.Background()
	o, evs := lifecycle("o1")
	if _, err := s.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o}, Events: evs, Dests: []string{"ops/slack"}, At: t0}); err != nil {
		t.Fatal(err)
	}
	due, _ := s.Due(ctx, "ops/slack", t0, 10)
	if err := s.Settle(ctx, store.Settlement{Item: due[0], Outcome: store.GaveUp, Err: "channel_not_found"}); err != nil {
		t.Fatal(err)
	}
	due, _ = s.Due(ctx, "ops/slack", t0, 10)
	if len(due) != 1 || due[0].Event.Seq != 2 || due[0].Root != "" {
		t.Fatalf("after giving up on the root: %+v", due)
	}
}

func testOutagesAndEvents(t *testing.T, s *store.Store) {
	ctx := context.Background()
	o, evs := lifecycle("o1")
	open := o
	open.ResolvedAt = time.Time{}
	if _, err := s.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{open}, Events: evs[:2], At: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o}, Events: evs[2:], At: t0}); err != nil {
		t.Fatal(err)
	}
	outs, err := s.Outages(ctx, t0.Add(24*time.Hour), "")
	if err != nil || len(outs) != 0 {
		t.Fatalf("outages after it ended = %v, %v", outs, err)
	}
	outs, err = s.Outages(ctx, t0, "OpenAI")
	if err != nil || len(outs) != 1 || outs[0].ResolvedAt.IsZero() {
		t.Fatalf("outages = %+v, %v", outs, err)
	}
	got, err := s.Events(ctx, "o1")
	if err != nil || len(got) != 3 || got[2].Duration() != 72*time.Minute || got[0].Body != "Investigating." {
		t.Fatalf("events = %+v, %v", got, err)
	}
}

// A commit that fails half-way leaves nothing behind: no state, no event,
// no outbox row.
func testAtomic(t *testing.T, s *store.Store) {
	ctx := context.Background()
	o, evs := lifecycle("o1")
	dup := []outage.Event{evs[0], evs[0]} // the second violates UNIQUE(outage_id, seq)
	if _, err := s.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(`{"v":1}`), Outages: []outage.Outage{o}, Events: dup, Dests: []string{"ops/slack"}, At: t0}); err == nil {
		t.Fatal("commit of a duplicate event succeeded")
	}
	states, _ := s.LoadStates(ctx)
	depth, _ := s.OutboxDepth(ctx)
	outs, _ := s.Outages(ctx, time.Time{}, "")
	if len(states) != 0 || depth != 0 || len(outs) != 0 {
		t.Fatalf("a failed commit left states=%v depth=%d outages=%v", states, depth, outs)
	}
}

func testMutes(t *testing.T, s *store.Store) {
	ctx := context.Background()
	if err := s.SaveMute(ctx, store.MuteRow{Target: "GitHub", Until: t0.Add(time.Hour), By: "alice", Reason: "deploy"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveMute(ctx, store.MuteRow{Target: "GitHub", Until: t0.Add(2 * time.Hour), By: "bob"}); err != nil {
		t.Fatal(err)
	}
	ms, err := s.Mutes(ctx, t0)
	if err != nil || len(ms) != 1 || ms[0].By != "bob" || !ms[0].Until.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("mutes = %+v, %v", ms, err)
	}
	if ms, _ := s.Mutes(ctx, t0.Add(3*time.Hour)); len(ms) != 0 {
		t.Errorf("an ended mute is still listed: %+v", ms)
	}
	if was, err := s.DeleteMute(ctx, "GitHub"); !was || err != nil {
		t.Errorf("delete = %v, %v", was, err)
	}
	if was, _ := s.DeleteMute(ctx, "GitHub"); was {
		t.Error("deleted twice")
	}
}

// A claimed item is not due again until its lease ends, comes back marked as
// attempted, and cannot be claimed twice from the same read.
func testClaim(t *testing.T, s *store.Store) {
	ctx := context.Background()
	o, evs := lifecycle("o1")
	if _, err := s.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o}, Events: evs, Dests: []string{"ops/slack"}, At: t0}); err != nil {
		t.Fatal(err)
	}
	due, _ := s.Due(ctx, "ops/slack", t0, 10)
	if err := s.Claim(ctx, due[0], t0, 35*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.Claim(ctx, due[0], t0, 35*time.Second); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second claim from a stale read: %v", err)
	}
	if again, _ := s.Due(ctx, "ops/slack", t0.Add(30*time.Second), 10); len(again) != 0 {
		t.Errorf("claimed item due inside its lease: %+v", again)
	}
	// The process died during the call: after the lease it is due again,
	// marked as possibly delivered.
	again, _ := s.Due(ctx, "ops/slack", t0.Add(40*time.Second), 10)
	if len(again) != 1 || again[0].ID != due[0].ID || again[0].Attempts != 1 {
		t.Fatalf("after the lease: %+v", again)
	}
}

func TestOrphanedDestinations(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			o, evs := lifecycle("o1")
			if _, err := s.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o}, Events: evs, Dests: []string{"ops/slack", "old/discord"}, At: t0}); err != nil {
				t.Fatal(err)
			}
			got, err := s.Orphan(ctx, []string{"ops/slack"}, t0)
			if err != nil || len(got) != 1 || got["old/discord"] != 3 {
				t.Fatalf("orphans = %v, %v", got, err)
			}
			if due, _ := s.Due(ctx, "old/discord", t0, 10); len(due) != 0 {
				t.Errorf("orphaned deliveries still due: %d", len(due))
			}
			if depth, _ := s.OutboxDepth(ctx); depth != 3 {
				t.Errorf("depth = %d, want the 3 for ops/slack", depth)
			}
		})
	}
}

// A SQLite state path may hold characters that mean something in a URI
// ('?', '#', '%'): it still opens that very file, not one named by a prefix
// of the path (which a subtest named "#00" and its t.TempDir() share with
// every other run on the machine).
func TestSQLitePathWithURICharacters(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a#b.db", "c?d.db", "e%23f.db", "g%3fh#i?j.db"} {
		path := filepath.Join(dir, name)
		s, err := store.Open(context.Background(), path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := s.Ping(context.Background()); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		s.Close()
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: the state file is not where it was asked for: %v", name, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch strings.TrimSuffix(strings.TrimSuffix(e.Name(), "-wal"), "-shm") {
		case "a#b.db", "c?d.db", "e%23f.db", "g%3fh#i?j.db":
		default:
			t.Errorf("a file named by part of a state path was made: %s", e.Name())
		}
	}
}
