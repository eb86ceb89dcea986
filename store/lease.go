package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// leaseName is the one lease replicas compete for: whoever holds it polls,
// dispatches and sends digests.
const leaseName = "main"

// ErrNotLeader is returned by a fenced write (Commit, Claim, Settle) when
// this store's holder no longer holds the lease with the token it was given:
// another replica has taken over, and this one must stop writing.
var ErrNotLeader = errors.New("not the leader: another replica holds the lease")

// Lease is the current state of the leader lease.
type Lease struct {
	Holder    string
	Token     int64
	ExpiresAt time.Time
	// Host and PID are the host name and process id that took it (empty
	// and 0 for a lease taken before they were recorded).
	Host string
	PID  int
}

// fence is what fenced writes check against the leader row.
type fence struct {
	holder string
	// token 0 means deposed: every fenced write fails at once.
	token int64
}

// Acquire takes or renews the leader lease for holder until now+ttl. It
// succeeds when the lease is free, expired or already held by holder; the
// token grows by one whenever the lease passes to a different holder or
// process, and stays the same when holder renews from the same process (even
// after its lease lapsed unclaimed). ok is false, with no error, when another
// holder's lease is still running.
//
// On SQLite, whose replicas all run on one host, a lease taken by a process
// of this host that no longer exists is taken at once, expired or not: a
// restarted bot does not wait out its dead predecessor's lease. And a lease
// held under holder's name by another live process of this host (two bots
// started with one name) is not taken from it until it expires.
//
// Times are the callers' clocks: replicas' clocks should agree to well
// within ttl. Safety does not depend on it (writes are fenced by token),
// only how soon a dead leader is replaced.
func (s *Store) Acquire(ctx context.Context, holder string, ttl time.Duration, now time.Time) (token int64, ok bool, err error) {
	if holder == "" {
		return 0, false, errors.New("acquire the leader lease: empty holder")
	}
	if s.d.name == "postgres" {
		// One statement, so taking the lease is atomic. The conflicting
		// row is locked first, which waits for the fenced transactions of
		// the current holder (they hold it FOR SHARE): a new leader starts
		// only after the old one's last write. Process ids say nothing
		// across the hosts (and containers) of PostgreSQL replicas.
		token, ok, err = s.upsertLease(ctx, s.db, holder, ttl, now, false, false)
		if err != nil {
			return 0, false, fmt.Errorf("acquire the leader lease: %w", err)
		}
		return token, ok, nil
	}
	// SQLite: the transaction holds the write lock from its start (BEGIN
	// IMMEDIATE), so the lease read here is the one the upsert replaces.
	err = s.tx(ctx, func(tx *sql.Tx) error {
		cur, err := readLease(ctx, tx, s)
		var dead, twin bool
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		default:
			here := s.proc.host != "" && cur.Host == s.proc.host && cur.PID > 0 && cur.PID != s.proc.pid
			gone := here && s.gone(cur.PID)
			dead = gone
			twin = here && !gone && cur.Holder == holder
		}
		token, ok, err = s.upsertLease(ctx, tx, holder, ttl, now, dead, twin)
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("acquire the leader lease: %w", err)
	}
	return token, ok, nil
}

// upsertLease takes or renews the lease in one statement. dead takes it
// whoever holds it; twin refuses holder's own unexpired lease (another live
// process holds it under the same name).
func (s *Store) upsertLease(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, holder string, ttl time.Duration, now time.Time, dead, twin bool) (int64, bool, error) {
	var token int64
	err := q.QueryRowContext(ctx, s.q(`INSERT INTO leader (name, holder, token, expires_at, host, pid) VALUES (?, ?, 1, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET
			token = CASE WHEN leader.holder = excluded.holder AND leader.host = excluded.host AND leader.pid = excluded.pid
				THEN leader.token ELSE leader.token + 1 END,
			holder = excluded.holder,
			expires_at = excluded.expires_at,
			host = excluded.host,
			pid = excluded.pid
		WHERE (leader.holder = excluded.holder AND ? = 0) OR leader.expires_at <= ? OR ? = 1
		RETURNING token`), leaseName, holder, now.Add(ttl).UnixMilli(), s.proc.host, s.proc.pid,
		boolInt(twin), now.UnixMilli(), boolInt(dead)).Scan(&token)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return token, true, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Release ends holder's lease at once (a clean shutdown), so that a standby
// takes over on its next try instead of waiting for the lease to expire. The
// token is kept: the next holder increments it.
func (s *Store) Release(ctx context.Context, holder string, token int64) error {
	if _, err := s.db.ExecContext(ctx, s.q(`UPDATE leader SET expires_at = 0 WHERE name = ? AND holder = ? AND token = ?`),
		leaseName, holder, token); err != nil {
		return fmt.Errorf("release the leader lease: %w", err)
	}
	return nil
}

// CurrentLease reads the lease (ErrNotFound if no replica ever took it).
func (s *Store) CurrentLease(ctx context.Context) (Lease, error) {
	l, err := readLease(ctx, s.db, s)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Lease{}, fmt.Errorf("read the leader lease: %w", err)
	}
	return l, err
}

func readLease(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, s *Store) (Lease, error) {
	var (
		l       Lease
		expires int64
	)
	err := q.QueryRowContext(ctx, s.q(`SELECT holder, token, expires_at, host, pid FROM leader WHERE name = ?`), leaseName).
		Scan(&l.Holder, &l.Token, &expires, &l.Host, &l.PID)
	if errors.Is(err, sql.ErrNoRows) {
		return Lease{}, ErrNotFound
	}
	if err != nil {
		return Lease{}, err
	}
	l.ExpiresAt = time.UnixMilli(expires)
	return l, nil
}

// SetFence makes every later Commit, Claim and Settle verify, inside its own
// transaction, that holder still holds the lease with token, and fail with
// ErrNotLeader otherwise. Token 0 marks this store deposed: fenced writes
// fail at once, without asking the database. A store that was never fenced
// (a single bot without leader election, `once`, tests) writes unchecked;
// once fenced it stays fenced.
func (s *Store) SetFence(holder string, token int64) {
	s.fence.Store(&fence{holder: holder, token: token})
}

// checkFence verifies the fence inside tx. On PostgreSQL the leader row is
// read FOR SHARE: fenced transactions do not block each other, but a
// replica taking the lease waits until they are done, so a write either
// lands before the new leader starts (which then reads it) or fails. SQLite
// transactions take the write lock up front, which serializes them anyway.
func (s *Store) checkFence(ctx context.Context, tx *sql.Tx) error {
	f := s.fence.Load()
	if f == nil {
		return nil
	}
	if f.token == 0 {
		return ErrNotLeader
	}
	query := `SELECT holder, token FROM leader WHERE name = ?`
	if s.d.name == "postgres" {
		query += ` FOR SHARE`
	}
	var (
		holder string
		token  int64
	)
	err := tx.QueryRowContext(ctx, s.q(query), leaseName).Scan(&holder, &token)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotLeader
	}
	if err != nil {
		return fmt.Errorf("check the leader lease: %w", err)
	}
	if holder != f.holder || token != f.token {
		return fmt.Errorf("%w (%s, token %d; this replica had token %d)", ErrNotLeader, holder, token, f.token)
	}
	return nil
}
