package store_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/store"
)

func TestAcknowledge(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("first writer wins, queued in the thread, edits the root", func(t *testing.T) { testAckOnce(t, open(t)) })
			t.Run("later events carry the ack", func(t *testing.T) { testAckCarried(t, open(t)) })
			t.Run("unknown outage", func(t *testing.T) {
				_, _, err := open(t).Acknowledge(context.Background(), "nope", outage.Ack{UserID: "U1", Platform: "slack", At: t0})
				if !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("err = %v, want ErrNotFound", err)
				}
			})
		})
	}
}

// openOnly commits the opened and updated events of lifecycle("o1").
func openOnly(t *testing.T, s *store.Store) outage.Outage {
	t.Helper()
	o, evs := lifecycle("o1")
	o.ResolvedAt, o.Seq = time.Time{}, 2
	if _, err := s.Commit(context.Background(), store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o}, Events: evs[:2], Dests: []string{"ops/slack"}, At: t0}); err != nil {
		t.Fatal(err)
	}
	return o
}

func testAckOnce(t *testing.T, s *store.Store) {
	ctx := context.Background()
	openOnly(t, s)
	deliverHead(t, s, t0)                  // root
	deliverHead(t, s, t0.Add(time.Second)) // update, edits the root
	edits, _ := s.DueEdits(ctx, "ops/slack", t0.Add(time.Second), 10)
	if len(edits) != 1 {
		t.Fatalf("edits: %+v", edits)
	}
	if err := s.SettleEdit(ctx, store.EditSettlement{Edit: edits[0], Outcome: store.Delivered}); err != nil {
		t.Fatal(err)
	}

	// Two clicks at once, as on two replicas: one acknowledgement.
	at := t0.Add(5 * time.Minute)
	var wg sync.WaitGroup
	results := make([]bool, 2)
	stands := make([]outage.Ack, 2)
	for i, user := range []string{"U1", "U2"} {
		wg.Go(func() {
			a, first, err := s.Acknowledge(ctx, "o1", outage.Ack{UserID: user, Platform: "slack", At: at.Add(time.Duration(i) * time.Millisecond)})
			if err != nil {
				t.Error(err)
			}
			results[i], stands[i] = first, a
		})
	}
	wg.Wait()
	if results[0] == results[1] {
		t.Fatalf("first = %v: exactly one click must win", results)
	}
	if stands[0].UserID != stands[1].UserID {
		t.Fatalf("both clickers must be told the same acknowledger: %+v", stands)
	}
	got, ok, err := s.Acknowledgement(ctx, "o1")
	if err != nil || !ok || got.UserID != stands[0].UserID {
		t.Fatalf("stored: %+v %v %v", got, ok, err)
	}

	due, err := s.Due(ctx, "ops/slack", at.Add(time.Second), 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due after the ack: %+v %v", due, err)
	}
	ev := due[0].Event
	if ev.Kind != outage.Acknowledged || ev.OutageID != "o1" || ev.Seq != 2 || ev.Ack == nil || ev.Ack.UserID != got.UserID || due[0].Root != "ref-opened" {
		t.Fatalf("the ack event: %+v (root %q)", ev, due[0].Root)
	}
	if ev.Title != "Errors" || ev.Body != "" {
		t.Errorf("the ack event must carry the outage's state and no words of its own: %+v", ev)
	}
	if err := s.Settle(ctx, store.Settlement{Item: due[0], Outcome: store.Delivered, Ref: "ref-ack", At: at, EditRoot: true}); err != nil {
		t.Fatal(err)
	}
	// Same seq as the update whose edit is done: the later event wins.
	edits, _ = s.DueEdits(ctx, "ops/slack", at.Add(time.Second), 10)
	if len(edits) != 1 || edits[0].Event.Kind != outage.Acknowledged {
		t.Fatalf("the root must be edited to show the ack: %+v", edits)
	}
	if n, _ := s.OutboxDepth(ctx); n != 0 {
		t.Errorf("%d deliveries pending: the second click queued something", n)
	}
}

func testAckCarried(t *testing.T, s *store.Store) {
	ctx := context.Background()
	o := openOnly(t, s)
	if _, _, err := s.Acknowledge(ctx, "o1", outage.Ack{UserID: "U1", Name: "alice", Platform: "slack", At: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	o.ResolvedAt = t0.Add(time.Hour)
	ev := o.Event(outage.Resolved, o.ResolvedAt, "Resolved.")
	saved, err := s.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o}, Events: []outage.Event{ev}, Dests: []string{"ops/slack"}, At: o.ResolvedAt})
	if err != nil {
		t.Fatal(err)
	}
	if saved[0].Seq != 3 || saved[0].Ack == nil || saved[0].Ack.Name != "alice" {
		t.Fatalf("the restoration after the ack: %+v", saved[0])
	}
	evs, _ := s.Events(ctx, "o1")
	if len(evs) != 3 || evs[2].Ack == nil {
		t.Fatalf("stored events: %+v", evs)
	}
}

// Two replicas on one PostgreSQL database take a click each at the same
// moment: one acknowledgement, one event, both told the same name.
func TestAcknowledgeTwoReplicasPostgres(t *testing.T) {
	dsn := os.Getenv("OUTAGEBOT_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("OUTAGEBOT_TEST_POSTGRES is not set; set it to a PostgreSQL URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL replica test")
	}
	schema := PostgresSchema(t, dsn)
	var replicas [2]*store.Store
	for i := range replicas {
		s, err := store.Open(context.Background(), schema)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		replicas[i] = s
	}
	openOnly(t, replicas[0])
	ctx := context.Background()
	var wg sync.WaitGroup
	firsts := make([]bool, 2)
	names := make([]string, 2)
	for i, s := range replicas {
		wg.Go(func() {
			a, first, err := s.Acknowledge(ctx, "o1", outage.Ack{UserID: []string{"U1", "U2"}[i], Platform: "slack", At: t0.Add(time.Minute)})
			if err != nil {
				t.Error(err)
			}
			firsts[i], names[i] = first, a.UserID
		})
	}
	wg.Wait()
	if firsts[0] == firsts[1] || names[0] != names[1] {
		t.Fatalf("first %v, told %v: want exactly one winner, both told the same", firsts, names)
	}
	if n, _ := replicas[1].OutboxDepth(ctx); n != 3 {
		t.Errorf("outbox depth %d, want the two events and one acknowledgement", n)
	}
}
