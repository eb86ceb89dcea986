package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/store"
)

// storePairs opens two handles on one database per store implementation:
// two replicas sharing their state.
func storePairs() map[string]func(t *testing.T) (*store.Store, *store.Store) {
	open := func(t *testing.T, dsn string) *store.Store {
		t.Helper()
		s, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	return map[string]func(t *testing.T) (*store.Store, *store.Store){
		"sqlite": func(t *testing.T) (*store.Store, *store.Store) {
			path := filepath.Join(t.TempDir(), "state.db")
			return open(t, path), open(t, path)
		},
		"postgres": func(t *testing.T) (*store.Store, *store.Store) {
			dsn := os.Getenv("OUTAGEBOT_TEST_POSTGRES")
			if dsn == "" {
				t.Skip("OUTAGEBOT_TEST_POSTGRES is not set; set it to a PostgreSQL URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL lease tests")
			}
			schema := PostgresSchema(t, dsn)
			return open(t, schema), open(t, schema)
		},
	}
}

func TestLease(t *testing.T) {
	for name, pair := range storePairs() {
		t.Run(name, func(t *testing.T) {
			t.Run("take renew expire", func(t *testing.T) { testLeaseSemantics(t, pair) })
			t.Run("deposed leader cannot write", func(t *testing.T) { testDeposedCannotWrite(t, pair) })
			// SQLite serializes writers anyway (and slowly under this
			// contention); PostgreSQL needs the rounds to hit the window.
			rounds := map[string]int{"sqlite": 3, "postgres": 20}[name]
			t.Run("takeover waits for the old leader's last write", func(t *testing.T) { testTakeoverSeesLastWrite(t, pair, rounds) })
		})
	}
}

func acquire(t *testing.T, s *store.Store, holder string, at time.Time) (int64, bool) {
	t.Helper()
	tok, ok, err := s.Acquire(context.Background(), holder, 10*time.Second, at)
	if err != nil {
		t.Fatal(err)
	}
	return tok, ok
}

func testLeaseSemantics(t *testing.T, pair func(t *testing.T) (*store.Store, *store.Store)) {
	a, b := pair(t)
	ctx := context.Background()
	if _, err := a.CurrentLease(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("lease before anyone took it: %v", err)
	}
	steps := []struct {
		s      *store.Store
		holder string
		at     time.Duration
		ok     bool
		token  int64
	}{
		{a, "a", 0, true, 1},                 // free: taken
		{b, "b", 5 * time.Second, false, 0},  // a's lease runs until 10s
		{a, "a", 5 * time.Second, true, 1},   // renewed until 15s, same token
		{b, "b", 14 * time.Second, false, 0}, // still a's
		{b, "b", 15 * time.Second, true, 2},  // expired: b takes it, new token
		{a, "a", 16 * time.Second, false, 0}, // a is deposed
		{b, "b", 30 * time.Second, true, 2},  // b's own lapsed lease, unclaimed: same token
		{a, "a", 45 * time.Second, true, 3},  // and a takes it back once it lapses
	}
	for i, st := range steps {
		tok, ok := acquire(t, st.s, st.holder, t0.Add(st.at))
		if ok != st.ok || tok != st.token {
			t.Fatalf("step %d: %s at +%s: token %d ok %v, want %d %v", i, st.holder, st.at, tok, ok, st.token, st.ok)
		}
	}
	l, err := b.CurrentLease(ctx)
	if err != nil || l.Holder != "a" || l.Token != 3 || !l.ExpiresAt.Equal(t0.Add(55*time.Second)) {
		t.Fatalf("lease = %+v, %v", l, err)
	}
	// A clean shutdown hands over at once.
	if err := a.Release(ctx, "a", 3); err != nil {
		t.Fatal(err)
	}
	if tok, ok := acquire(t, b, "b", t0.Add(46*time.Second)); !ok || tok != 4 {
		t.Fatalf("after release: token %d ok %v", tok, ok)
	}
	// A stale release (old token) does not free the new holder's lease.
	if err := a.Release(ctx, "a", 3); err != nil {
		t.Fatal(err)
	}
	if _, ok := acquire(t, a, "a", t0.Add(47*time.Second)); ok {
		t.Fatal("a stale release freed the lease")
	}
}

func testDeposedCannotWrite(t *testing.T, pair func(t *testing.T) (*store.Store, *store.Store)) {
	a, b := pair(t)
	ctx := context.Background()
	tokA, _ := acquire(t, a, "a", t0)
	a.SetFence("a", tokA)
	o, evs := lifecycle("o1")
	if _, err := a.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(`{"v":1}`), Outages: []outage.Outage{o}, Events: evs, Dests: []string{"ops/slack"}, At: t0}); err != nil {
		t.Fatalf("leader's commit: %v", err)
	}
	due, err := a.Due(ctx, "ops/slack", t0, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due = %v, %v", due, err)
	}
	if err := a.Claim(ctx, due[0], t0, time.Second); err != nil {
		t.Fatalf("leader's claim: %v", err)
	}
	due[0].Attempts++

	// a stalls past its lease; b takes over.
	tokB, ok := acquire(t, b, "b", t0.Add(11*time.Second))
	if !ok || tokB != tokA+1 {
		t.Fatalf("takeover: token %d ok %v", tokB, ok)
	}
	b.SetFence("b", tokB)

	if _, err := a.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(`{"v":2}`), At: t0}); !errors.Is(err, store.ErrNotLeader) {
		t.Errorf("deposed leader's commit: %v, want ErrNotLeader", err)
	}
	if err := a.Settle(ctx, store.Settlement{Item: due[0], Outcome: store.Delivered, Ref: "ts-1"}); !errors.Is(err, store.ErrNotLeader) {
		t.Errorf("deposed leader's settle: %v, want ErrNotLeader", err)
	}
	again, _ := a.Due(ctx, "ops/slack", t0.Add(2*time.Second), 10)
	if len(again) != 1 {
		t.Fatalf("due after the claim's lease: %+v", again)
	}
	if err := a.Claim(ctx, again[0], t0.Add(2*time.Second), time.Second); !errors.Is(err, store.ErrNotLeader) {
		t.Errorf("deposed leader's claim: %v, want ErrNotLeader", err)
	}
	// Marked deposed: refused without asking the database.
	a.SetFence("a", 0)
	if _, err := a.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(`{"v":3}`), At: t0}); !errors.Is(err, store.ErrNotLeader) {
		t.Errorf("commit after stepping down: %v, want ErrNotLeader", err)
	}

	// Nothing of a's late writes landed; b carries on.
	if st, _ := b.LoadState(ctx, "OpenAI"); string(st) != `{"v":1}` {
		t.Errorf("state = %s, want the last one the leader wrote", st)
	}
	if err := b.Claim(ctx, again[0], t0.Add(2*time.Second), time.Second); err != nil {
		t.Fatalf("new leader's claim: %v", err)
	}
	again[0].Attempts++
	if err := b.Settle(ctx, store.Settlement{Item: again[0], Outcome: store.Delivered, Ref: "ts-1"}); err != nil {
		t.Fatalf("new leader's settle: %v", err)
	}
	if _, err := b.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(`{"v":4}`), At: t0}); err != nil {
		t.Fatalf("new leader's commit: %v", err)
	}
}

// A write of the old leader that passed its fence check before the takeover
// must be visible to the new leader as soon as it holds the lease: the new
// leader loads state right after taking over, and a write landing later
// would be derived and announced a second time.
func testTakeoverSeesLastWrite(t *testing.T, pair func(t *testing.T) (*store.Store, *store.Store), rounds int) {
	ctx := context.Background()
	for round := range rounds {
		a, b := pair(t)
		tokA, _, err := a.Acquire(ctx, "a", time.Second, t0)
		if err != nil {
			t.Fatal(err)
		}
		a.SetFence("a", tokA)
		last := make(chan int)
		go func() {
			ok := 0
			for v := 1; ; v++ {
				_, err := a.Commit(ctx, store.Commit{Target: "T", State: []byte(strconv.Itoa(v)), At: t0})
				if err != nil {
					if !errors.Is(err, store.ErrNotLeader) {
						t.Errorf("commit %d: %v", v, err)
					}
					last <- ok
					return
				}
				ok = v
			}
		}()
		time.Sleep(time.Duration(round%5) * time.Millisecond)
		if _, ok, err := b.Acquire(ctx, "b", time.Second, t0.Add(2*time.Second)); err != nil || !ok {
			t.Fatalf("takeover: %v %v", ok, err)
		}
		seen, err := b.LoadState(ctx, "T")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(seen), fmt.Sprint(<-last); got != want && !(seen == nil && want == "0") {
			t.Fatalf("round %d: new leader saw state %s at takeover, but the old leader's last successful write was %s", round, got, want)
		}
	}
}
