package app_test

import (
	"context"
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
	v, feed := newVendor(t, 0)
	state := filepath.Join(t.TempDir(), "state.db")
	cfg := testConfig(t, state, feed)
	const ttl = 600 * time.Millisecond
	out := &syncBuffer{}
	a := startWith(t, cfg, app.Options{Stdout: out, Dispatch: fastRetries, LeaseTTL: ttl}, nil).app
	ctx := context.Background()
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

// A bot on SQLite that was killed leaves its lease running; the next bot
// started on the same file takes it at once, because that lease's process is
// gone from this host, instead of standing by until it runs out.
func TestRestartOnSQLiteTakesTheDeadPredecessorsLeaseAtOnce(t *testing.T) {
	_, vendor := newVendor(t, 0)
	slackAPI := newSlack(t, slackChannel)
	state := filepath.Join(t.TempDir(), "state.db")
	// Far longer than the test waits: only the dead process lets the lease go.
	const ttl = time.Hour
	// The predecessor ran under a name of its own (an older build named
	// each run uniquely); its successor uses the default.
	old := startReplica(t, "old", replicaConfig(t, state, "outagebot-old-run", slackAPI.URL(), map[string]string{"OpenAI": vendor}), ttl)
	waitFor(t, "the first bot leads", func() bool { _, role := old.health(); return role == app.RoleLeader })
	old.kill()

	next := startReplica(t, "next", replicaConfig(t, state, "", slackAPI.URL(), map[string]string{"OpenAI": vendor}), ttl)
	waitFor(t, "the restarted bot leads", func() bool { _, role := next.health(); return role == app.RoleLeader })
}

// The default instance name is stable per host and SQLite file, and unique
// per run on PostgreSQL.
func TestDefaultInstanceName(t *testing.T) {
	_, feed := newVendor(t, 0)
	instance := func(state string) string {
		a, err := app.New(context.Background(), testConfig(t, state, feed), app.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		return a.Instance()
	}
	one, other := filepath.Join(t.TempDir(), "one.db"), filepath.Join(t.TempDir(), "other.db")
	if a, b := instance(one), instance(one); a != b {
		t.Errorf("two runs on one SQLite file: %q and %q, want one name", a, b)
	}
	if a, b := instance(one), instance(other); a == b {
		t.Errorf("two SQLite files share the name %q", a)
	}
	t.Run("postgres", func(t *testing.T) {
		pg := postgresSchema(t)
		if a, b := instance(pg), instance(pg); a == b {
			t.Errorf("two runs on PostgreSQL share the name %q", a)
		}
	})
}
