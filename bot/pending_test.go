package bot

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outagebot/outagebot/sources"
)

// An outage that opens, changes and ends while the store is down is still
// announced once the store is back: every event once, in order. Rolling the
// engine back on a failed commit (as the runner once did) would have
// announced nothing at all, since the target is healthy again by then.
func TestStoreOutageQueuesEveryStepInOrder(t *testing.T) {
	f := newRunnerFixture(t, "A", "B")
	var logs bytes.Buffer
	f.r.Log = slog.New(slog.NewTextHandler(&logs, nil))
	fs := &flakyStore{Store: f.st, down: true}
	f.r.Store = fs
	ctx := context.Background()

	f.poll(t, "A", sources.MajorOutage)
	f.poll(t, "B", sources.MajorOutage)
	for range 3 {
		f.poll(t, "A", sources.MajorOutage)
	}
	if s := f.r.Snapshot("A"); s.Status != sources.MajorOutage {
		t.Errorf("the live view went stale while the store is down: %s", s.Status)
	}
	f.poll(t, "A", sources.Degraded)
	f.poll(t, "A", sources.Operational)
	f.poll(t, "B", sources.Operational)
	if err := f.r.Flush(ctx); err == nil {
		t.Fatal("Flush succeeded while the store is down")
	}
	err := f.r.Health()
	if err == nil || !strings.Contains(err.Error(), "held in memory") || !strings.Contains(err.Error(), "database is locked") {
		t.Errorf("health while the store is down: %v", err)
	}
	if got := value(t, f.r.Metrics.StoreFailing); got != 1 {
		t.Errorf("outagebot_store_failing = %v while down, want 1", got)
	}
	// Steady polls fold into the queue's tip instead of growing it.
	if n := f.r.Pending(); n < 5 || n > 7 {
		t.Errorf("%d steps queued for 5 events, want 5 to 7", n)
	}
	if got := value(t, f.r.Metrics.Pending); got != float64(f.r.Pending()) {
		t.Errorf("outagebot_store_pending_steps = %v, want %d", got, f.r.Pending())
	}
	if n := strings.Count(logs.String(), "cannot store poll results"); n != 1 {
		t.Errorf("logged the store failure %d times, want once:\n%s", n, logs.String())
	}
	if got := f.queued(t); len(got) != 0 {
		t.Fatalf("queued while the store is down: %v", got)
	}

	fs.down = false
	// A poll does not write while the store is failing (it would wait on a
	// hung database): Retry does.
	f.poll(t, "A", sources.Operational)
	if err := f.r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// In order per target (targets are independent).
	perTarget := map[string][]string{}
	for _, q := range f.queued(t) {
		perTarget[q[:1]] = append(perTarget[q[:1]], q)
	}
	if got, want := fmt.Sprint(perTarget), "map[A:[A:opened A:updated A:resolved] B:[B:opened B:resolved]]"; got != want {
		t.Errorf("after the store came back: %s, want %s", got, want)
	}
	if err := f.r.Health(); err != nil || f.r.Pending() != 0 || value(t, f.r.Metrics.StoreFailing) != 0 {
		t.Errorf("after the store came back: health %v, %d pending", err, f.r.Pending())
	}
	if !strings.Contains(logs.String(), "storing poll results works again") {
		t.Errorf("recovery not logged:\n%s", logs.String())
	}
	// Back to normal: a poll commits at once.
	f.poll(t, "A", sources.MajorOutage)
	if got := f.queued(t); len(got) != 1 {
		t.Errorf("first poll after recovery queued %v, want its one event", got)
	}
}

// A commit that lands but whose acknowledgement is lost, with the store
// going down at once (so the runner cannot check then), is not written
// again when the store is back.
func TestLostAcknowledgementInAStoreOutageIsNotWrittenTwice(t *testing.T) {
	f := newRunnerFixture(t, "A")
	fs := &flakyStore{Store: f.st, lostAck: true, lostAckDown: true}
	f.r.Store = fs
	f.poll(t, "A", sources.MajorOutage) // lands, reported failed, store down
	f.poll(t, "A", sources.MajorOutage)
	f.poll(t, "A", sources.Operational)
	fs.down = false
	if err := f.r.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(f.queued(t)); got != "[A:opened A:resolved]" {
		t.Errorf("queued %s, want one opened and one resolved", got)
	}
	// The landed step, then the steady poll's state, then the restoration:
	// writing the landed step again would fail on the events' unique key
	// and hold the queue up for good.
	if fs.commits != 3 {
		t.Errorf("%d commits, want 3 (the landed one is not written again)", fs.commits)
	}
}

// At the bound, newer steps are not kept: the engine goes back to the last
// queued state and derives their events again once the store is back.
// What was queued is written; nothing is lost, only later.
func TestPendingBound(t *testing.T) {
	f := newRunnerFixture(t, "A")
	var logs bytes.Buffer
	f.r.Log = slog.New(slog.NewTextHandler(&logs, nil))
	f.r.MaxPending = 1
	fs := &flakyStore{Store: f.st, down: true}
	f.r.Store = fs
	f.poll(t, "A", sources.MajorOutage)
	f.poll(t, "A", sources.Operational) // not kept
	f.poll(t, "A", sources.Operational) // not kept
	if n := f.r.Pending(); n != 1 {
		t.Errorf("%d pending, want the bound, 1", n)
	}
	if n := len(f.r.OpenOutages()); n != 1 {
		t.Errorf("%d open outages in memory, want the queued one", n)
	}
	if n := strings.Count(logs.String(), "too many poll results"); n != 1 {
		t.Errorf("logged the bound %d times, want once:\n%s", n, logs.String())
	}
	if got := value(t, f.r.Metrics.PendingDropped.WithLabelValues("full")); got != 2 {
		t.Errorf("outagebot_store_pending_dropped_total{reason=full} = %v, want 2", got)
	}
	fs.down = false
	if err := f.r.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.poll(t, "A", sources.Operational)
	if got := fmt.Sprint(f.queued(t)); got != "[A:opened A:resolved]" {
		t.Errorf("queued %s, want one opened and one resolved", got)
	}
}

// A replica that is no longer the leader writes none of its queue: the
// new leader derives the same events from the store and its own polls.
func TestDeposedLeaderDropsItsQueue(t *testing.T) {
	for _, how := range []string{"refused commit", "DropPending"} {
		t.Run(how, func(t *testing.T) {
			f := newRunnerFixture(t, "A")
			fs := &flakyStore{Store: f.st, down: true}
			f.r.Store = fs
			f.poll(t, "A", sources.MajorOutage)
			f.poll(t, "A", sources.Degraded)
			fs.down = false
			if how == "DropPending" {
				if n := f.r.DropPending(); n != 2 {
					t.Errorf("dropped %d, want 2", n)
				}
			} else {
				f.st.SetFence("me", 0)
				if err := f.r.Flush(context.Background()); err == nil {
					t.Fatal("a deposed leader's flush succeeded")
				}
			}
			if got := f.queued(t); len(got) != 0 {
				t.Errorf("a deposed leader queued %v", got)
			}
			if f.r.Pending() != 0 || f.r.Health() != nil || len(f.r.OpenOutages()) != 0 {
				t.Errorf("after dropping: %d pending, health %v, %d open outages in memory", f.r.Pending(), f.r.Health(), len(f.r.OpenOutages()))
			}
			if got := value(t, f.r.Metrics.PendingDropped.WithLabelValues("not_leader")); got != 2 {
				t.Errorf("outagebot_store_pending_dropped_total{reason=not_leader} = %v, want 2", got)
			}
		})
	}
}

// value reads one metric's value.
func value(t *testing.T, c prometheus.Collector) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	v := 0.0
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			v += m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
	}
	return v
}
