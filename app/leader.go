package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/outagebot/outagebot/store"
)

// Leader election. Every replica on one store competes for a lease row
// (store.Acquire). The holder is the leader: it polls, dispatches and sends
// digests (App.work). The others stand by: they answer commands from the
// store, refreshing their view of it every ttl/3, and try the lease as often.
//
// A dead leader's lease runs out within ttl of its last renewal, and a
// standby tries every ttl/3, so it takes over within ttl+ttl/3 (13.3 s with
// the default 10 s). Writes that matter (commits, delivery claims and
// outcomes) are fenced by the lease's token inside their own transaction: a
// deposed leader cannot write after its successor has started, whether it
// knows it was deposed or not, and the successor reads its last commit
// before polling.
//
// A leader that cannot renew its lease because the store does not answer
// keeps polling (its lease lapses, but its token stays valid until another
// replica takes the lease, and every write is fenced by it): poll results
// wait in memory (bot/pending.go) and it reports itself unhealthy. If it
// renews with the same token (the store never let another replica take
// over), it writes them through; if another replica took the lease
// meanwhile, it drops them and steps down: the new leader derives those
// events from the store and its own polls.

// DefaultLeaseTTL is how long a leader's lease lasts without renewal.
const DefaultLeaseTTL = 10 * time.Second

// Roles, as /healthz names them.
const (
	RoleLeader  = "leader"
	RoleStandby = "standby"
)

// role values in App.role.
const (
	roleStarting int32 = iota
	roleStandby
	roleLeader
)

// Role is this replica's current role: "leader", "standby", or "" before
// Run has tried the lease.
func (a *App) Role() string {
	switch a.role.Load() {
	case roleLeader:
		return RoleLeader
	case roleStandby:
		return RoleStandby
	}
	return ""
}

// Instance is the name this replica holds the lease under.
func (a *App) Instance() string { return a.instance }

// defaultInstance names this replica when [bot] instance is not set.
//
// On SQLite the name is stable per host and state file, so a restarted bot
// (a new pid, or pid 1 again in a restarted container) resumes its own lease
// at once; a lease left by another name is taken at once too when its
// process is gone from this host (store.Acquire), and a second live bot on
// the same file and name is refused by the same check.
//
// On PostgreSQL the replicas run on several hosts whose process ids mean
// nothing to each other, and two of them may share a host name, so the name
// stays unique per run: host, process and a random suffix.
func defaultInstance(state string) string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "outagebot"
	}
	if !store.IsPostgres(state) {
		if abs, err := filepath.Abs(state); err == nil {
			state = abs
		}
		sum := sha256.Sum256([]byte(state))
		return fmt.Sprintf("%s-%s", host, hex.EncodeToString(sum[:4]))
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// lead runs this replica's role until ctx ends. It tries the lease at once
// and then every ttl/3; while it holds the lease it runs work and renews the
// lease, and it stops work the moment the lease is lost. A standby refreshes
// its view of the store between tries.
func (a *App) lead(ctx context.Context, work func(context.Context)) {
	every := a.leaseTTL / 3
	storeTrouble := false
	for {
		now := time.Now()
		token, ok, err := a.acquire(ctx, now)
		switch {
		case err != nil && ctx.Err() == nil:
			if !storeTrouble {
				a.log.Error("cannot reach the leader lease; standing by until the store answers", "err", err)
				storeTrouble = true
			}
		case ok:
			storeTrouble = false
			a.leadTerm(ctx, token, now, work)
		default:
			storeTrouble = false
		}
		if ctx.Err() != nil {
			return
		}
		if a.role.Swap(roleStandby) != roleStandby {
			if l, err := a.store.CurrentLease(ctx); err == nil && l.Holder != a.instance {
				a.log.Info("standing by: another replica polls and delivers", "instance", a.instance, "leader", l.Holder)
			}
		}
		a.refresh(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// acquire tries to take or renew the lease, bounded so that a hung store
// cannot hold the loop past a renewal.
func (a *App) acquire(ctx context.Context, now time.Time) (int64, bool, error) {
	actx, cancel := context.WithTimeout(ctx, a.leaseTTL/3)
	defer cancel()
	return a.store.Acquire(actx, a.instance, a.leaseTTL, now)
}

// leadTerm leads from taking the lease with token at acquiredAt until the
// lease is lost or ctx ends.
func (a *App) leadTerm(ctx context.Context, token int64, acquiredAt time.Time, work func(context.Context)) {
	log := a.log.With("instance", a.instance, "token", token)
	a.store.SetFence(a.instance, token)
	if err := a.catchUp(ctx); err != nil {
		// Polling from a stale state would announce again what the last
		// leader announced: keep the lease and try again on the next turn.
		a.store.SetFence(a.instance, 0)
		if ctx.Err() == nil {
			log.Error("took the leader lease but cannot read the state; not polling yet", "err", err)
		}
		return
	}
	log.Info("leading: polling and delivering")
	// The scheduler starts on the work's goroutine, after the gateway and
	// the boards; until then this leader is starting, not stopped.
	a.sched.Arm()
	a.role.Store(roleLeader)
	tctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		work(tctx)
	}()

	every := a.leaseTTL / 3
	deadline := acquiredAt.Add(a.leaseTTL)
	tick := time.NewTicker(every)
	lost, warned := false, false
	for !lost && ctx.Err() == nil {
		select {
		case <-ctx.Done():
			continue
		case <-done:
			log.Error("polling and delivery stopped on their own; giving up the lead")
			lost = true
			continue
		case <-tick.C:
		}
		now := time.Now()
		got, ok, err := a.acquire(ctx, now)
		switch {
		case err != nil && ctx.Err() != nil:
		case err != nil:
			// Renewals are tried every ttl/3. Once the lease may run out
			// before the next try, this replica says so (health) but polls
			// on, keeping what it cannot store in memory: its token stays
			// valid until another replica takes the lease, and from then
			// on every write it tries is refused.
			if !now.Add(every).Before(deadline) {
				if !a.lapsed.Swap(true) {
					log.Error("cannot renew the leader lease before it runs out; polling on and keeping results in memory until the store answers (dropped if another replica takes over meanwhile)", "err", err)
				}
			} else if !warned {
				log.Warn("cannot renew the leader lease; retrying", "err", err)
				warned = true
			}
		case !ok || got != token:
			log.Warn("another replica holds the leader lease now; stepping down")
			lost = true
		default:
			if a.lapsed.Swap(false) {
				log.Info("renewed the leader lease: no other replica led meanwhile", "pending", a.runner.Pending())
			}
			deadline, warned = now.Add(a.leaseTTL), false
			if err := a.mutes.Reload(ctx, a.now()); err != nil && ctx.Err() == nil {
				log.Warn("cannot reload mutes", "err", err)
			}
		}
	}
	tick.Stop()
	if lost {
		// Refuse every further write before anything else: the new leader
		// may be starting.
		a.store.SetFence(a.instance, 0)
	}
	a.lapsed.Store(false)
	a.role.Store(roleStandby)
	stop()
	<-done // polls in flight finish (their commits are refused if lost)
	if lost {
		if n := a.runner.DropPending(); n > 0 {
			log.Warn("dropped poll results that were waiting for the store: another replica leads and derives them itself", "dropped", n)
		}
		return
	}
	if a.runner.Pending() > 0 {
		// Shutting down: one more try, else they are lost with the
		// process (the next start carries on from the stored state).
		if err := a.runner.Flush(ctx); err != nil {
			log.Warn("shutting down with poll results not stored; their events are derived again from the stored state on the next start, unless the outage ended meanwhile", "pending", a.runner.Pending(), "err", err)
		}
	}
	// Shutting down: hand the lease over at once rather than make a standby
	// wait for it to run out.
	a.store.SetFence(a.instance, 0)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := a.store.Release(rctx, a.instance, token); err != nil {
		log.Warn("could not release the leader lease; a standby takes over when it runs out", "err", err)
	}
}

// catchUp brings a new leader up to date with the store: the state its
// predecessor committed and mutes set through any replica.
func (a *App) catchUp(ctx context.Context) error {
	if err := a.runner.Load(ctx, a.store); err != nil {
		return fmt.Errorf("load state: %w", err)
	}
	if err := a.mutes.Reload(ctx, a.now()); err != nil {
		return fmt.Errorf("load mutes: %w", err)
	}
	// Runtime targets of chat subscriptions are polled from the start.
	if err := a.syncSubscriptions(ctx, false); err != nil {
		return fmt.Errorf("load chat subscriptions: %w", err)
	}
	// Deliveries to channels no longer configured are set aside when the
	// leader's work starts (startGeneration), as on every reload.
	return nil
}

// refresh reloads a standby's view from the store, so that its answers to
// commands show what the leader last stored.
func (a *App) refresh(ctx context.Context) {
	err := a.runner.Load(ctx, a.store)
	if err == nil {
		err = a.mutes.Reload(ctx, a.now())
	}
	if err == nil {
		err = a.syncSubscriptions(ctx, false)
	}
	switch {
	case err != nil && ctx.Err() == nil && !a.staleView:
		a.log.Warn("cannot read the store; answers to commands may be out of date", "err", err)
		a.staleView = true
	case err == nil && a.staleView:
		a.log.Info("reading the store works again")
		a.staleView = false
	}
}

// errNotRunning is the health of a replica whose Run has not started.
var errNotRunning = errors.New("not running")

// isShared reports whether the state lives in a database that several
// replicas can share (PostgreSQL).
func isShared(dsn string) bool { return store.IsPostgres(dsn) }
