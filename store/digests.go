package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/outagebot/outagebot/outage"
)

// DigestSend is one run of a scheduled digest.
type DigestSend struct {
	// Key identifies the digest; with ScheduledAt it identifies the run.
	Key         string
	ScheduledAt time.Time
	// Event is the digest's message, queued for every one of Dests. Nil
	// records the run without posting anything (a quiet digest skipped).
	Event *outage.Event
	Dests []string
	// At is when the run was made (default now).
	At time.Time
}

// errDigestSent rolls back a run that was recorded before.
var errDigestSent = errors.New("digest already sent")

// CommitDigest records a digest run and queues its event in one
// transaction. It reports false, without error and without queueing
// anything, when the run was recorded before: a digest is posted once
// however often it is attempted.
func (s *Store) CommitDigest(ctx context.Context, d DigestSend) (bool, error) {
	at := d.At
	if at.IsZero() {
		at = time.Now()
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkFence(ctx, tx); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO digests_sent (digest_key, scheduled_at, sent_at) VALUES (?, ?, ?)
			ON CONFLICT (digest_key, scheduled_at) DO NOTHING`),
			d.Key, d.ScheduledAt.UnixMilli(), at.UnixMilli())
		if err != nil {
			return fmt.Errorf("record digest %s at %s: %w", d.Key, d.ScheduledAt.UTC().Format(time.RFC3339), err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("record digest %s: %w", d.Key, err)
		} else if n == 0 {
			return errDigestSent
		}
		if d.Event == nil {
			return nil
		}
		ev := *d.Event
		if err := s.insertEvent(ctx, tx, &ev, false); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE digests_sent SET event_id = ? WHERE digest_key = ? AND scheduled_at = ?`),
			ev.ID, d.Key, d.ScheduledAt.UnixMilli()); err != nil {
			return fmt.Errorf("record digest %s: %w", d.Key, err)
		}
		return s.queue(ctx, tx, ev, d.Dests, at)
	})
	if errors.Is(err, errDigestSent) {
		return false, nil
	}
	return err == nil, err
}

// DigestArmed returns when the digest key was first scheduled, recording now
// when it never was. A run scheduled before then was not missed: the digest
// did not exist yet.
func (s *Store) DigestArmed(ctx context.Context, key string, now time.Time) (time.Time, error) {
	k := "digest_armed:" + key
	if _, err := s.db.ExecContext(ctx, s.q(`INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING`),
		k, strconv.FormatInt(now.UnixMilli(), 10)); err != nil {
		return time.Time{}, fmt.Errorf("record digest %s: %w", key, err)
	}
	var v string
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT v FROM meta WHERE k = ?`), k).Scan(&v); err != nil {
		return time.Time{}, fmt.Errorf("read digest %s: %w", key, err)
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("read digest %s: bad time %q", key, v)
	}
	return time.UnixMilli(ms), nil
}
