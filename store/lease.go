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
}

// fence is what fenced writes check against the leader row.
type fence struct {
	holder string
	// token 0 means deposed: every fenced write fails at once.
	token int64
}

// Acquire takes or renews the leader lease for holder until now+ttl. It
// succeeds when the lease is free, expired or already held by holder; the
// token grows by one whenever the lease passes to a different holder, and
// stays the same when holder renews (even after its lease lapsed unclaimed).
// ok is false, with no error, when another holder's lease is still running.
//
// Times are the callers' clocks: replicas' clocks should agree to well
// within ttl. Safety does not depend on it (writes are fenced by token),
// only how soon a dead leader is replaced.
func (s *Store) Acquire(ctx context.Context, holder string, ttl time.Duration, now time.Time) (token int64, ok bool, err error) {
	if holder == "" {
		return 0, false, errors.New("acquire the leader lease: empty holder")
	}
	// One statement, so taking the lease is atomic on both engines. On
	// PostgreSQL the conflicting row is locked first, which waits for the
	// fenced transactions of the current holder (they hold it FOR SHARE):
	// a new leader starts only after the old one's last write.
	err = s.db.QueryRowContext(ctx, s.q(`INSERT INTO leader (name, holder, token, expires_at) VALUES (?, ?, 1, ?)
		ON CONFLICT (name) DO UPDATE SET
			token = CASE WHEN leader.holder = excluded.holder THEN leader.token ELSE leader.token + 1 END,
			holder = excluded.holder,
			expires_at = excluded.expires_at
		WHERE leader.holder = excluded.holder OR leader.expires_at <= ?
		RETURNING token`), leaseName, holder, now.Add(ttl).UnixMilli(), now.UnixMilli()).Scan(&token)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("acquire the leader lease: %w", err)
	}
	return token, true, nil
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
	var (
		l       Lease
		expires int64
	)
	err := s.db.QueryRowContext(ctx, s.q(`SELECT holder, token, expires_at FROM leader WHERE name = ?`), leaseName).Scan(&l.Holder, &l.Token, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Lease{}, ErrNotFound
	}
	if err != nil {
		return Lease{}, fmt.Errorf("read the leader lease: %w", err)
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
