package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/outagebot/outagebot/store"
)

func TestFleet(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			t.Run("registry", func(t *testing.T) { testRegistry(t, s) })
			t.Run("streaks", func(t *testing.T) { testStreaks(t, s) })
		})
	}
}

func testRegistry(t *testing.T, s *store.Store) {
	ctx := context.Background()
	lease := 10 * time.Second
	for _, r := range []struct{ id, loc string }{{"b", "us-east"}, {"a", "eu-west"}} {
		if err := s.Heartbeat(ctx, r.id, r.loc, lease, t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Heartbeat(ctx, "a", "eu-west", lease, t0.Add(8*time.Second)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at   time.Duration
		want []string
	}{
		{9 * time.Second, []string{"a", "b"}},
		{10 * time.Second, []string{"a"}}, // b's lease ran out
		{18 * time.Second, nil},
	}
	for _, tt := range tests {
		live, err := s.LiveReplicas(ctx, t0.Add(tt.at))
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range live {
			ids = append(ids, r.ID)
		}
		if len(ids) != len(tt.want) || (len(ids) > 0 && ids[0] != tt.want[0]) || (len(ids) > 1 && ids[1] != tt.want[1]) {
			t.Errorf("at +%s: live %v, want %v", tt.at, ids, tt.want)
		}
	}
	if err := s.Heartbeat(ctx, "a", "eu-west", lease, t0.Add(20*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.Deregister(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if live, _ := s.LiveReplicas(ctx, t0.Add(21*time.Second)); len(live) != 0 {
		t.Errorf("deregistered replica still live: %v", live)
	}
}

// testStreaks: a location's verdict follows the target's thresholds on its
// consecutive results, and holds between them.
func testStreaks(t *testing.T, s *store.Store) {
	ctx := context.Background()
	steps := []struct {
		ok          bool
		fail, good  int
		wantVerdict string
	}{
		{true, 0, 1, ""},
		{true, 0, 2, store.VerdictOK},
		{false, 1, 0, store.VerdictOK},
		{false, 2, 0, store.VerdictOK},
		{false, 3, 0, store.VerdictFailing},
		{true, 0, 1, store.VerdictFailing},
		{false, 1, 0, store.VerdictFailing},
		{true, 0, 1, store.VerdictFailing},
		{true, 0, 2, store.VerdictOK},
	}
	var last int64
	for i, st := range steps {
		r := store.PollResult{Target: "api", Location: "eu-west", Replica: "a", At: t0.Add(time.Duration(i) * time.Second), OK: st.ok, Status: "operational", Latency: 1500 * time.Microsecond}
		if err := s.PutResult(ctx, r, 3, 2); err != nil {
			t.Fatal(err)
		}
		got, err := s.ResultsSince(ctx, last, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("step %d: %d changed results, want 1", i, len(got))
		}
		g := got[0]
		last = g.Seq
		if g.FailStreak != st.fail || g.OKStreak != st.good || g.Verdict != st.wantVerdict || g.Latency != r.Latency || g.OK != st.ok {
			t.Errorf("step %d: streaks %d/%d verdict %q (ok %v), want %d/%d %q", i, g.FailStreak, g.OKStreak, g.Verdict, g.OK, st.fail, st.good, st.wantVerdict)
		}
	}
	// An older result (another replica of the location, late) is ignored.
	if err := s.PutResult(ctx, store.PollResult{Target: "api", Location: "eu-west", Replica: "b", At: t0}, 3, 2); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ResultsSince(ctx, last, 10); len(got) != 0 {
		t.Errorf("a late result replaced a newer one: %+v", got)
	}
	if n, err := s.PruneResults(ctx, t0.Add(time.Hour)); err != nil || n != 1 {
		t.Errorf("prune: %d, %v", n, err)
	}
}
