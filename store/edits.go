package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/outagebot/outagebot/outage"
)

// RootEdit is pending work to show a thread's root message in the state of
// one of its outage's events. There is at most one per (destination, root):
// a newer state replaces an older one still pending.
type RootEdit struct {
	Dest string
	Root string
	// Event is the state the root is to show.
	Event    outage.Event
	Attempts int
	// CreatedAt is when Event was committed; an edit older than the
	// maximum delivery age is given up, like a delivery.
	CreatedAt time.Time
}

// queueEdit asks for st.Item's root to show st.Item.Event, replacing a
// pending edit to an older state. An acknowledged event shows the state of
// the event before it (the same seq) plus the ack: the later event id wins
// that tie. It runs in the transaction that settles
// the reply, so the edit is owed from the moment the reply is recorded,
// whatever happens to the process after.
func (s *Store) queueEdit(ctx context.Context, tx *sql.Tx, st Settlement, at time.Time) error {
	it := st.Item
	if it.Root == "" || it.Event.ID == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO root_edits (dest, root_ref, outage_id, seq, event_id, next_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (dest, root_ref) DO UPDATE SET outage_id = excluded.outage_id, seq = excluded.seq, event_id = excluded.event_id,
			state = 'pending', attempts = 0, next_at = excluded.next_at, created_at = excluded.created_at, settled_at = NULL, last_error = ''
		WHERE root_edits.seq < excluded.seq OR (root_edits.seq = excluded.seq AND root_edits.event_id < excluded.event_id)`),
		it.Dest, it.Root, it.Event.OutageID, it.Event.Seq, it.Event.ID, at.UnixMilli(), it.CreatedAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("queue the root edit of %s on %s: %w", it.Event.OutageID, it.Dest, err)
	}
	return nil
}

// DueEdits returns the root edits of one destination that are due at now,
// the longest waiting first.
func (s *Store) DueEdits(ctx context.Context, dest string, now time.Time, limit int) ([]RootEdit, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`
		SELECT r.root_ref, r.attempts, r.created_at, e.id, e.data
		FROM root_edits r JOIN events e ON e.id = r.event_id
		WHERE r.dest = ? AND r.state = 'pending' AND r.next_at <= ?
		ORDER BY r.next_at, r.root_ref
		LIMIT ?`), dest, now.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("read root edits: %w", err)
	}
	defer rows.Close()
	var out []RootEdit
	for rows.Next() {
		var (
			e       = RootEdit{Dest: dest}
			created int64
			data    string
		)
		if err := rows.Scan(&e.Root, &e.Attempts, &created, &e.Event.ID, &data); err != nil {
			return nil, fmt.Errorf("read root edits: %w", err)
		}
		id := e.Event.ID
		if err := json.Unmarshal([]byte(data), &e.Event); err != nil {
			return nil, fmt.Errorf("decode event %d: %w", id, err)
		}
		e.Event.ID = id
		e.CreatedAt = time.UnixMilli(created)
		out = append(out, e)
	}
	return out, rows.Err()
}

// ClaimEdit records that an attempt on e is about to be made; e is not due
// again until lease has passed (a crash during the call retries it then).
// It is fenced like Claim. It fails with ErrNotFound when e is no longer
// the pending edit of its root.
func (s *Store) ClaimEdit(ctx context.Context, e RootEdit, now time.Time, lease time.Duration) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkFence(ctx, tx); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE root_edits SET attempts = attempts + 1, next_at = ?
			WHERE dest = ? AND root_ref = ? AND event_id = ? AND state = 'pending' AND attempts = ?`),
			now.Add(lease).UnixMilli(), e.Dest, e.Root, e.Event.ID, e.Attempts)
		if err != nil {
			return fmt.Errorf("claim the root edit of %s on %s: %w", e.Event.OutageID, e.Dest, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return fmt.Errorf("claim the root edit of %s on %s: %w", e.Event.OutageID, e.Dest, ErrNotFound)
		}
		return nil
	})
}

// EditSettlement records how an attempt to edit a root ended.
type EditSettlement struct {
	Edit    RootEdit
	Outcome Outcome
	NextAt  time.Time
	Err     string
	At      time.Time
}

// SettleEdit records the outcome of an edit attempt. An edit to a newer
// state queued meanwhile is left pending: last state wins.
func (s *Store) SettleEdit(ctx context.Context, st EditSettlement) error {
	at := st.At
	if at.IsZero() {
		at = time.Now()
	}
	e := st.Edit
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkFence(ctx, tx); err != nil {
			return err
		}
		const which = ` WHERE dest = ? AND root_ref = ? AND event_id = ? AND state = 'pending'`
		var err error
		switch st.Outcome {
		case Delivered:
			_, err = tx.ExecContext(ctx, s.q(`UPDATE root_edits SET state = 'done', settled_at = ?, last_error = ''`+which),
				at.UnixMilli(), e.Dest, e.Root, e.Event.ID)
		case Retry:
			_, err = tx.ExecContext(ctx, s.q(`UPDATE root_edits SET next_at = ?, last_error = ?`+which),
				st.NextAt.UnixMilli(), st.Err, e.Dest, e.Root, e.Event.ID)
		case GaveUp:
			_, err = tx.ExecContext(ctx, s.q(`UPDATE root_edits SET state = 'dead', settled_at = ?, last_error = ?`+which),
				at.UnixMilli(), st.Err, e.Dest, e.Root, e.Event.ID)
		}
		if err != nil {
			return fmt.Errorf("settle the root edit of %s on %s: %w", e.Event.OutageID, e.Dest, err)
		}
		return nil
	})
}

// PendingEdits counts root edits not yet made.
func (s *Store) PendingEdits(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM root_edits WHERE state = 'pending'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count root edits: %w", err)
	}
	return n, nil
}
