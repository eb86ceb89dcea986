// Package hooktest runs the webhook-style notifiers' tests through the real
// dispatcher and a real SQLite store: a whole outage's life, a crash
// between a send and its record, a refusing destination beside a working
// one.
package hooktest

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// T0 is when the sample outage opens.
var T0 = time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)

// Clock is a settable clock for the dispatcher.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock is a clock at T0.
func NewClock() *Clock { return &Clock{t: T0} }

// Now is the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock on.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// OpenStore opens a SQLite store in a temporary directory.
func OpenStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Outage is the sample: a vendor incident on OpenAI's API.
func Outage(id string) outage.Outage {
	return outage.Outage{ID: id, Target: "OpenAI", Key: "inc-" + id, Class: outage.Incident, Title: "Elevated errors on the API",
		Severity: sources.PartialOutage, Phase: sources.IncidentInvestigating, URL: "https://status.openai.com/incidents/" + id,
		Components: []outage.ComponentState{{Name: "API", Status: sources.PartialOutage}}, OpenedAt: T0}
}

// Lifecycle is the sample's events: opened (partial outage), updated with
// the same severity, updated to a major outage, resolved after 72 minutes.
func Lifecycle(id string) []outage.Event {
	o := Outage(id)
	evs := []outage.Event{o.Event(outage.Opened, T0, "We are investigating elevated error rates.")}
	o.Phase = sources.IncidentIdentified
	evs = append(evs, o.Event(outage.Updated, T0.Add(10*time.Minute), "The cause is identified; a fix is being rolled out."))
	o.Severity = sources.MajorOutage
	o.Components[0].Status = sources.MajorOutage
	evs = append(evs, o.Event(outage.Updated, T0.Add(20*time.Minute), "The API is unavailable for most requests."))
	o.Phase = sources.IncidentResolved
	o.ResolvedAt = T0.Add(72 * time.Minute)
	evs = append(evs, o.Event(outage.Resolved, o.ResolvedAt, "This incident has been resolved."))
	return evs
}

// Commit queues evs for dests, as the engine does.
func Commit(t *testing.T, s *store.Store, evs []outage.Event, dests ...string) {
	t.Helper()
	o := Outage(evs[0].OutageID)
	if _, err := s.Commit(context.Background(), store.Commit{Target: o.Target, State: []byte(`{}`), Outages: []outage.Outage{o}, Events: evs, Dests: dests, At: T0}); err != nil {
		t.Fatal(err)
	}
}

// Dispatcher makes a dispatcher over outbox with the clock clk.
func Dispatcher(outbox notifier.Outbox, clk *Clock, routes ...notifier.Route) *notifier.Dispatcher {
	return notifier.NewDispatcher(outbox, routes, slog.New(slog.DiscardHandler), notifier.Options{Now: clk.Now, AttemptTimeout: 5 * time.Second})
}

// Pending is how many deliveries are still queued.
func Pending(t *testing.T, s *store.Store) int {
	t.Helper()
	n, err := s.OutboxDepth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Crash is the store until the process dies after the next send and
// before its outcome is recorded: that Settle fails, as a crash there
// would lose it.
type Crash struct {
	*store.Store
	mu      sync.Mutex
	crashed bool
}

// ErrCrashed is what the lost record returns.
var ErrCrashed = errors.New("the process died here")

// Settle loses the first outcome.
func (c *Crash) Settle(ctx context.Context, st store.Settlement) error {
	c.mu.Lock()
	first := !c.crashed
	c.crashed = true
	c.mu.Unlock()
	if first {
		return ErrCrashed
	}
	return c.Store.Settle(ctx, st)
}

// DrainAfterCrash delivers what is due with a dispatcher that crashes
// after its first send, then with a fresh one (the restarted process) once
// the first one's claim has run out, until nothing is due.
func DrainAfterCrash(t *testing.T, s *store.Store, clk *Clock, route notifier.Route) {
	t.Helper()
	ctx := context.Background()
	Dispatcher(&Crash{Store: s}, clk, route).Drain(ctx)
	clk.Advance(time.Minute)
	DrainUntilDone(t, s, clk, route)
}

// DrainUntilDone drains, moving the clock past each retry's wait, until
// nothing is queued (or 20 rounds: a failing test, not a hang).
func DrainUntilDone(t *testing.T, s *store.Store, clk *Clock, routes ...notifier.Route) {
	t.Helper()
	d := Dispatcher(s, clk, routes...)
	for range 20 {
		d.Drain(context.Background())
		if Pending(t, s) == 0 {
			return
		}
		clk.Advance(10 * time.Minute)
	}
	t.Fatalf("%d deliveries still queued after 20 rounds", Pending(t, s))
}
