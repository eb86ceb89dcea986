package notifier_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// scripted is a notifier whose answers the test sets, per call.
type scripted struct {
	mu    sync.Mutex
	calls []notifier.Delivery
	// fail returns the error for a delivery, nil to succeed.
	fail func(d notifier.Delivery, n int) error
}

func (s *scripted) Deliver(_ context.Context, d notifier.Delivery) (notifier.RemoteRef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, d)
	if s.fail != nil {
		if err := s.fail(d, len(s.calls)); err != nil {
			return "", err
		}
	}
	return notifier.RemoteRef(fmt.Sprintf("msg-%d", d.OutboxID)), nil
}

func (s *scripted) delivered() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, d := range s.calls {
		out = append(out, fmt.Sprintf("%s#%d", d.Event.OutageID, d.Event.Seq))
	}
	return out
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

var t0 = time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// commitLifecycle queues opened, updated, resolved of one outage.
func commitLifecycle(t *testing.T, s *store.Store, id string, dests ...string) {
	t.Helper()
	o := outage.Outage{ID: id, Target: "OpenAI", Key: id, Class: outage.Incident, Title: "Errors", Severity: sources.Degraded, OpenedAt: t0}
	evs := []outage.Event{o.Event(outage.Opened, t0, "a"), o.Event(outage.Updated, t0, "b")}
	o.ResolvedAt = t0.Add(time.Hour)
	evs = append(evs, o.Event(outage.Resolved, t0, "c"))
	if _, err := s.Commit(context.Background(), store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o}, Events: evs, Dests: dests, At: t0}); err != nil {
		t.Fatal(err)
	}
}

func dest(name string) notifier.Destination {
	return notifier.Destination{Channel: name, Platform: "slack", Address: "C" + strings.ToUpper(name)}
}

func TestDispatcherDeliversInOrderWithRoots(t *testing.T) {
	s := openStore(t)
	commitLifecycle(t, s, "o1", "ops/slack")
	commitLifecycle(t, s, "o2", "ops/slack")
	n := &scripted{}
	clk := &clock{t: t0}
	d := notifier.NewDispatcher(s, []notifier.Route{{Destination: dest("ops"), Notifier: n}}, slog.New(slog.DiscardHandler), notifier.Options{Now: clk.Now})
	d.Drain(context.Background())

	got := n.delivered()
	if len(got) != 6 {
		t.Fatalf("delivered %v", got)
	}
	last := map[string]int{}
	for i, call := range n.calls {
		id, seq := call.Event.OutageID, call.Event.Seq
		if seq != last[id]+1 {
			t.Errorf("%s delivered out of order: %v", id, got)
		}
		last[id] = seq
		if seq > 1 && call.Root == "" {
			t.Errorf("call %d (%s#%d) has no root", i, id, seq)
		}
	}
}

func TestDispatcherRetriesWithoutLossOrDuplicates(t *testing.T) {
	s := openStore(t)
	commitLifecycle(t, s, "o1", "ops/slack")
	clk := &clock{t: t0}
	n := &scripted{fail: func(d notifier.Delivery, call int) error {
		if call <= 3 { // the first three attempts fail
			return errors.New("HTTP 500")
		}
		return nil
	}}
	d := notifier.NewDispatcher(s, []notifier.Route{{Destination: dest("ops"), Notifier: n}}, slog.New(slog.DiscardHandler),
		notifier.Options{Now: clk.Now, BaseBackoff: time.Second, MaxBackoff: time.Minute})
	for range 20 {
		d.Drain(context.Background())
		clk.Advance(time.Minute)
	}
	if got := fmt.Sprint(n.delivered()); got != "[o1#1 o1#1 o1#1 o1#1 o1#2 o1#3]" {
		t.Errorf("attempts = %s", got)
	}
	if depth, _ := s.OutboxDepth(context.Background()); depth != 0 {
		t.Errorf("depth = %d", depth)
	}
}

func TestDispatcherHonoursRetryAfter(t *testing.T) {
	s := openStore(t)
	commitLifecycle(t, s, "o1", "ops/slack")
	clk := &clock{t: t0}
	n := &scripted{fail: func(d notifier.Delivery, call int) error {
		if call == 1 {
			return &notifier.RetryAfterError{Err: errors.New("ratelimited"), After: 30 * time.Second}
		}
		return nil
	}}
	d := notifier.NewDispatcher(s, []notifier.Route{{Destination: dest("ops"), Notifier: n}}, slog.New(slog.DiscardHandler), notifier.Options{Now: clk.Now})
	d.Drain(context.Background())
	clk.Advance(29 * time.Second)
	d.Drain(context.Background())
	if len(n.calls) != 1 {
		t.Fatalf("retried before Retry-After: %v", n.delivered())
	}
	clk.Advance(2 * time.Second)
	d.Drain(context.Background())
	if got := fmt.Sprint(n.delivered()); got != "[o1#1 o1#1 o1#2 o1#3]" {
		t.Errorf("attempts = %s", got)
	}
}

func TestPermanentErrorBlocksOnlyItsChannel(t *testing.T) {
	s := openStore(t)
	commitLifecycle(t, s, "o1", "ops/slack", "ai/slack")
	clk := &clock{t: t0}
	var logs bytes.Buffer
	broken := &scripted{fail: func(notifier.Delivery, int) error {
		return &notifier.PermanentError{Err: errors.New("channel_not_found"), Fix: "invite the bot to the channel"}
	}}
	fine := &scripted{}
	d := notifier.NewDispatcher(s, []notifier.Route{
		{Destination: dest("ops"), Notifier: broken},
		{Destination: dest("ai"), Notifier: fine},
	}, slog.New(slog.NewTextHandler(&logs, nil)), notifier.Options{Now: clk.Now, PermanentBackoff: 10 * time.Minute, MaxAge: time.Hour})
	for range 5 {
		d.Drain(context.Background())
		clk.Advance(10*time.Minute + time.Second)
	}
	if len(fine.calls) != 3 {
		t.Errorf("healthy channel got %v", fine.delivered())
	}
	if len(broken.calls) != 5 {
		t.Errorf("broken channel: %d attempts in 50 minutes, want one per 10 minutes", len(broken.calls))
	}
	if c := strings.Count(logs.String(), "delivery failed"); c != 1 {
		t.Errorf("a repeating failure was logged %d times, want once:\n%s", c, logs.String())
	}
	if !strings.Contains(logs.String(), "invite the bot to the channel") || !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("permanent failure not logged as an error with its fix:\n%s", logs.String())
	}
}

func TestDispatcherGivesUpAfterMaxAgeAndMovesOn(t *testing.T) {
	s := openStore(t)
	// The opened event at t0; the update and restoration an hour later.
	o := outage.Outage{ID: "o1", Target: "OpenAI", Key: "o1", Class: outage.Incident, Title: "Errors", Severity: sources.Degraded, OpenedAt: t0}
	opened := o.Event(outage.Opened, t0, "a")
	if _, err := s.Commit(context.Background(), store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o}, Events: []outage.Event{opened}, Dests: []string{"ops/slack"}, At: t0}); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(61 * time.Minute)
	upd := o.Event(outage.Updated, later, "b")
	o.ResolvedAt = later
	res := o.Event(outage.Resolved, later, "c")
	if _, err := s.Commit(context.Background(), store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o}, Events: []outage.Event{upd, res}, Dests: []string{"ops/slack"}, At: later}); err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: t0}
	var logs bytes.Buffer
	var outcomes []store.Outcome
	n := &scripted{fail: func(d notifier.Delivery, call int) error {
		if d.Event.Seq == 1 {
			return errors.New("HTTP 503")
		}
		return nil
	}}
	d := notifier.NewDispatcher(s, []notifier.Route{{Destination: dest("ops"), Notifier: n}}, slog.New(slog.NewTextHandler(&logs, nil)),
		notifier.Options{Now: clk.Now, MaxAge: time.Hour, MaxBackoff: 20 * time.Minute,
			Observe: func(_ string, o store.Outcome, _ error) { outcomes = append(outcomes, o) }})
	for range 10 {
		d.Drain(context.Background())
		clk.Advance(20 * time.Minute)
	}
	calls := n.delivered()
	if calls[len(calls)-2] != "o1#2" || calls[len(calls)-1] != "o1#3" {
		t.Fatalf("the thread did not move on after giving up: %v", calls)
	}
	// With the root given up, the first update is posted on its own and
	// becomes the thread's root for what follows.
	first, second := n.calls[len(n.calls)-2], n.calls[len(n.calls)-1]
	if first.Root != "" || second.Root != notifier.RemoteRef(fmt.Sprintf("msg-%d", first.OutboxID)) {
		t.Errorf("roots after giving up: update %q, restoration %q", first.Root, second.Root)
	}
	if !strings.Contains(logs.String(), "older than the maximum delivery age") {
		t.Errorf("giving up was not logged:\n%s", logs.String())
	}
	gaveUp := 0
	for _, o := range outcomes {
		if o == store.GaveUp {
			gaveUp++
		}
	}
	if gaveUp != 1 {
		t.Errorf("gave up %d times", gaveUp)
	}
}

// Run delivers as soon as it is woken, without waiting for its idle tick.
func TestDispatcherWakes(t *testing.T) {
	s := openStore(t)
	n := &scripted{}
	// The events are from t0: the dispatcher's clock must agree, or they
	// are older than the maximum delivery age and never sent.
	clk := &clock{t: t0}
	d := notifier.NewDispatcher(s, []notifier.Route{{Destination: dest("ops"), Notifier: n}}, slog.New(slog.DiscardHandler), notifier.Options{Idle: time.Hour, Now: clk.Now})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	time.Sleep(20 * time.Millisecond) // let the worker reach its idle wait
	commitLifecycle(t, s, "o1", "ops/slack")
	d.Wake()
	deadline := time.Now().Add(5 * time.Second)
	for len(n.delivered()) < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if len(n.delivered()) != 3 {
		t.Fatalf("delivered %v after a wake", n.delivered())
	}
}

// failingSettle makes the store lose the outcome of the next attempt, as a
// crash between posting and recording would.
type failingSettle struct {
	*store.Store
	fail bool
}

func (f *failingSettle) Settle(ctx context.Context, s store.Settlement) error {
	if f.fail {
		f.fail = false
		return errors.New("disk I/O error")
	}
	return f.Store.Settle(ctx, s)
}

func TestLostOutcomeComesBackAsPossiblyDelivered(t *testing.T) {
	s := openStore(t)
	commitLifecycle(t, s, "o1", "ops/slack")
	clk := &clock{t: t0}
	n := &scripted{}
	fs := &failingSettle{Store: s, fail: true}
	d := notifier.NewDispatcher(fs, []notifier.Route{{Destination: dest("ops"), Notifier: n}}, slog.New(slog.DiscardHandler), notifier.Options{Now: clk.Now})
	d.Drain(context.Background())
	if len(n.calls) != 1 || n.calls[0].Attempt != 0 {
		t.Fatalf("first pass: %+v", n.calls)
	}
	clk.Advance(time.Minute) // past the claim's lease
	d.Drain(context.Background())
	if len(n.calls) < 2 || n.calls[1].Event.Seq != 1 || n.calls[1].Attempt != 1 {
		t.Fatalf("the retry of an unrecorded delivery must say it may have been posted: %+v", n.calls)
	}
}

func TestRejectedMessageIsGivenUpAtOnce(t *testing.T) {
	s := openStore(t)
	commitLifecycle(t, s, "o1", "ops/slack")
	clk := &clock{t: t0}
	n := &scripted{fail: func(d notifier.Delivery, _ int) error {
		if d.Event.Seq == 2 {
			return &notifier.PermanentError{Err: errors.New("msg_too_long"), Fix: "report it", Rejected: true}
		}
		return nil
	}}
	d := notifier.NewDispatcher(s, []notifier.Route{{Destination: dest("ops"), Notifier: n}}, slog.New(slog.DiscardHandler), notifier.Options{Now: clk.Now})
	d.Drain(context.Background())
	if got := fmt.Sprint(n.delivered()); got != "[o1#1 o1#2 o1#3]" {
		t.Errorf("a rejected update must not hold up the restoration: %s", got)
	}
}

// An event older than the maximum age is not sent at all: a channel that
// comes back after days gets no stale alerts.
func TestStaleEventIsNotSent(t *testing.T) {
	s := openStore(t)
	commitLifecycle(t, s, "o1", "ops/slack")
	clk := &clock{t: t0.Add(25 * time.Hour)}
	n := &scripted{}
	d := notifier.NewDispatcher(s, []notifier.Route{{Destination: dest("ops"), Notifier: n}}, slog.New(slog.DiscardHandler), notifier.Options{Now: clk.Now})
	d.Drain(context.Background())
	if len(n.calls) != 0 {
		t.Errorf("sent stale events: %v", n.delivered())
	}
	if depth, _ := s.OutboxDepth(context.Background()); depth != 0 {
		t.Errorf("stale events left queued: %d", depth)
	}
}
