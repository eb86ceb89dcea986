package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/store"
)

// deliverHead settles the head of the destination's queue as delivered,
// asking for a root edit, and returns it.
func deliverHead(t *testing.T, s *store.Store, at time.Time) store.OutboxItem {
	t.Helper()
	ctx := context.Background()
	due, err := s.Due(ctx, "ops/slack", at, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due: %+v, %v", due, err)
	}
	it := due[0]
	if err := s.Settle(ctx, store.Settlement{Item: it, Outcome: store.Delivered, Ref: "ref-" + string(it.Event.Kind), At: at, EditRoot: true}); err != nil {
		t.Fatal(err)
	}
	return it
}

func testRootEdits(t *testing.T, s *store.Store) {
	ctx := context.Background()
	o, evs := lifecycle("o1")
	if _, err := s.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o}, Events: evs, Dests: []string{"ops/slack"}, At: t0}); err != nil {
		t.Fatal(err)
	}
	deliverHead(t, s, t0) // the root: nothing to edit
	if n, _ := s.PendingEdits(ctx); n != 0 {
		t.Fatalf("%d edits pending after the root was posted", n)
	}

	deliverHead(t, s, t0.Add(time.Second))
	edits, err := s.DueEdits(ctx, "ops/slack", t0.Add(time.Second), 10)
	if err != nil || len(edits) != 1 || edits[0].Root != "ref-opened" || edits[0].Event.Seq != 2 || !edits[0].CreatedAt.Equal(t0) {
		t.Fatalf("after the update: %+v, %v", edits, err)
	}
	old := edits[0]
	if err := s.ClaimEdit(ctx, old, t0.Add(time.Second), 35*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.SettleEdit(ctx, store.EditSettlement{Edit: old, Outcome: store.Retry, NextAt: t0.Add(time.Hour), Err: "HTTP 500"}); err != nil {
		t.Fatal(err)
	}
	if edits, _ := s.DueEdits(ctx, "ops/slack", t0.Add(time.Minute), 10); len(edits) != 0 {
		t.Fatalf("a failed edit is due before its retry: %+v", edits)
	}

	// The restoration replaces the failing edit, due at once.
	deliverHead(t, s, t0.Add(2*time.Second))
	edits, _ = s.DueEdits(ctx, "ops/slack", t0.Add(2*time.Second), 10)
	if len(edits) != 1 || edits[0].Event.Kind != outage.Resolved || edits[0].Attempts != 0 {
		t.Fatalf("after the restoration: %+v", edits)
	}
	if err := s.ClaimEdit(ctx, old, t0.Add(2*time.Second), time.Second); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("claiming the replaced edit: %v, want ErrNotFound", err)
	}
	// Settling the replaced edit leaves the newer one pending.
	if err := s.SettleEdit(ctx, store.EditSettlement{Edit: old, Outcome: store.Delivered}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.PendingEdits(ctx); n != 1 {
		t.Fatalf("%d edits pending, want the restoration's", n)
	}
	if err := s.SettleEdit(ctx, store.EditSettlement{Edit: edits[0], Outcome: store.Delivered, At: t0.Add(3 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.PendingEdits(ctx); n != 0 {
		t.Fatalf("%d edits pending after the last one was made", n)
	}
}
