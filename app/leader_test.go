package app_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/store"
)

// A leader that finds another holder on the lease stops polling and
// delivering at once and stands by; it takes over again once that lease
// runs out, carries on from the store, and nothing is announced twice or
// lost in between.
func TestLeaderStepsDownWhenItLosesTheLease(t *testing.T) {
	v := &vendorPage{}
	srv := httptest.NewServer(v)
	defer srv.Close()
	state := filepath.Join(t.TempDir(), "state.db")
	cfg := testConfig(t, state, srv.URL)
	const ttl = 600 * time.Millisecond
	out := &syncBuffer{}
	a, err := app.New(context.Background(), cfg, app.Options{Stdout: out, Dispatch: fastRetries, LeaseTTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "leader", func() bool { return a.Role() == app.RoleLeader && a.Healthy(ctx) == nil })
	waitPolls(t, v, 1)

	// Another replica takes the lease (as if this one had stalled past it).
	other, err := store.Open(ctx, state)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	before, _ := other.CurrentLease(ctx)
	now := time.Now().Add(ttl + 100*time.Millisecond)
	if _, ok, err := other.Acquire(ctx, "intruder", 1500*time.Millisecond, now); err != nil || !ok {
		t.Fatalf("intruder's acquire: %v %v", ok, err)
	}
	lost := time.Now()
	waitFor(t, "standby", func() bool { return a.Role() == app.RoleStandby })
	if d := time.Since(lost); d > ttl {
		t.Errorf("stepped down %s after losing the lease, want within %s", d, ttl/3)
	}
	if err := a.Healthy(ctx); err != nil {
		t.Errorf("a standby is healthy: %v", err)
	}
	// Nothing is polled while standing by; the outage that starts now is
	// announced by whoever leads next.
	polls := v.polls.Load()
	v.phase.Store(1)
	time.Sleep(ttl / 2)
	if n := v.polls.Load(); n > polls+1 {
		t.Errorf("%d polls while standing by", n-polls)
	}
	if lines := out.Lines(); len(lines) != 0 {
		t.Fatalf("announced while standing by:\n%s", strings.Join(lines, "\n"))
	}

	waitFor(t, "leader again", func() bool { return a.Role() == app.RoleLeader })
	after, _ := other.CurrentLease(ctx)
	if after.Holder != a.Instance() || after.Token != before.Token+2 {
		t.Errorf("lease before %+v, after %+v: want our instance, token +2", before, after)
	}
	waitFor(t, "opened", func() bool { return len(out.Lines()) == 1 })
	v.phase.Store(2)
	waitFor(t, "updated", func() bool { return len(out.Lines()) == 2 })
	waitPolls(t, v, 2)
	if lines := out.Lines(); count(lines, "OPENED") != 1 || count(lines, "UPDATED") != 1 {
		t.Fatalf("want one opened, one updated:\n%s", strings.Join(lines, "\n"))
	}
}
