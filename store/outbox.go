package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/outagebot/outagebot/outage"
)

// OutboxItem is a queued delivery of one event to one destination.
type OutboxItem struct {
	ID    int64
	Dest  string
	Event outage.Event
	Root  string // the destination's root message of the outage's thread, if posted
	// RootOwner is the outage that posted Root (for roots recorded before
	// owners were, the thread's own outage).
	RootOwner string
	Attempts  int
	// CreatedAt is when the event was committed; deliveries older than the
	// maximum delivery age are given up.
	CreatedAt time.Time
}

// Due returns the head of every (outage, dest) queue of one destination that
// is due at now, oldest first. Later items of a queue wait until its head is
// settled, which keeps each thread in order.
func (s *Store) Due(ctx context.Context, dest string, now time.Time, limit int) ([]OutboxItem, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`
		SELECT o.id, o.dest, o.attempts, o.created_at, e.id, e.data, COALESCE(t.root_ref, ''), COALESCE(NULLIF(t.owner, ''), t.outage_id, '')
		FROM outbox o
		JOIN events e ON e.id = o.event_id
		LEFT JOIN threads t ON t.outage_id = o.outage_id AND t.dest = o.dest
		WHERE o.dest = ? AND o.state = 'pending' AND o.next_at <= ?
		  AND o.id = (SELECT MIN(o2.id) FROM outbox o2
		              WHERE o2.outage_id = o.outage_id AND o2.dest = o.dest AND o2.state = 'pending')
		ORDER BY o.id
		LIMIT ?`), dest, now.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxItem
	for rows.Next() {
		var (
			it      OutboxItem
			created int64
			data    string
		)
		if err := rows.Scan(&it.ID, &it.Dest, &it.Attempts, &created, &it.Event.ID, &data, &it.Root, &it.RootOwner); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		id := it.Event.ID
		if err := json.Unmarshal([]byte(data), &it.Event); err != nil {
			return nil, fmt.Errorf("decode event %d: %w", id, err)
		}
		it.Event.ID = id
		it.CreatedAt = time.UnixMilli(created)
		out = append(out, it)
	}
	return out, rows.Err()
}

// Claim records that an attempt on it is about to be made, before the
// platform is called: if the process dies during the call, the item comes
// back with Attempts > 0, which tells the notifier that it may already have
// been posted. The item is not due again until lease has passed. Like
// Settle, it is fenced (see SetFence): a deposed leader can neither start
// nor record a delivery.
func (s *Store) Claim(ctx context.Context, it OutboxItem, now time.Time, lease time.Duration) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkFence(ctx, tx); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE outbox SET attempts = attempts + 1, next_at = ? WHERE id = ? AND state = 'pending' AND attempts = ?`),
			now.Add(lease).UnixMilli(), it.ID, it.Attempts)
		if err != nil {
			return fmt.Errorf("claim outbox item %d: %w", it.ID, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return fmt.Errorf("claim outbox item %d: %w", it.ID, ErrNotFound)
		}
		return nil
	})
}

// Outcome is how a delivery attempt ended.
type Outcome int

// Outcomes.
const (
	// Delivered: done; Ref is the platform's message reference.
	Delivered Outcome = iota
	// Retry: failed; try again at NextAt.
	Retry
	// GaveUp: failed for longer than the maximum delivery age.
	GaveUp
)

// Settlement records an attempt's outcome.
type Settlement struct {
	Item    OutboxItem
	Outcome Outcome
	Ref     string
	NextAt  time.Time
	Err     string
	At      time.Time
	// EditRoot, with a Delivered or GaveUp outcome, also queues an edit of
	// the item's root to the item's event (see RootEdit), in the same
	// transaction.
	EditRoot bool
}

// Settle records the outcome of a delivery attempt. A delivered opened event
// stores its message as the root of the outage's thread on that destination.
func (s *Store) Settle(ctx context.Context, st Settlement) error {
	return s.SettleAll(ctx, []Settlement{st})
}

// SettleAll records several outcomes in one transaction: the items of one
// grouped message are recorded together or not at all, so a retry finds
// them all still pending, never some.
func (s *Store) SettleAll(ctx context.Context, sts []Settlement) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkFence(ctx, tx); err != nil {
			return err
		}
		for _, st := range sts {
			if err := s.settle(ctx, tx, st); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) settle(ctx context.Context, tx *sql.Tx, st Settlement) error {
	at := st.At
	if at.IsZero() {
		at = time.Now()
	}
	var err error
	switch st.Outcome {
	case Delivered:
		_, err = tx.ExecContext(ctx, s.q(`UPDATE outbox SET state = 'delivered', settled_at = ?, ref = ? WHERE id = ? AND state = 'pending'`),
			at.UnixMilli(), st.Ref, st.Item.ID)
		if err == nil && st.Ref != "" && st.Item.Root == "" && st.Item.Event.Kind != outage.Report {
			_, err = tx.ExecContext(ctx, s.q(`INSERT INTO threads (outage_id, dest, root_ref, owner) VALUES (?, ?, ?, ?) ON CONFLICT (outage_id, dest) DO NOTHING`),
				st.Item.Event.ThreadKey(), st.Item.Dest, st.Ref, st.Item.Event.OutageID)
		}
	case Retry:
		_, err = tx.ExecContext(ctx, s.q(`UPDATE outbox SET next_at = ?, last_error = ? WHERE id = ? AND state = 'pending'`),
			st.NextAt.UnixMilli(), st.Err, st.Item.ID)
	case GaveUp:
		_, err = tx.ExecContext(ctx, s.q(`UPDATE outbox SET state = 'dead', settled_at = ?, last_error = ? WHERE id = ? AND state = 'pending'`),
			at.UnixMilli(), st.Err, st.Item.ID)
	}
	if err != nil {
		return fmt.Errorf("settle outbox item %d: %w", st.Item.ID, err)
	}
	if st.EditRoot && st.Outcome != Retry {
		return s.queueEdit(ctx, tx, st, at)
	}
	return nil
}

// OutboxDepth counts deliveries not yet made.
func (s *Store) OutboxDepth(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE state = 'pending'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count outbox: %w", err)
	}
	return n, nil
}

// Orphan takes pending deliveries to destinations that are not in known (a
// channel removed from the configuration) out of the queue, and returns how
// many there were per destination. They are kept, marked 'orphaned', not
// deleted.
func (s *Store) Orphan(ctx context.Context, known []string, now time.Time) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT dest, COUNT(*) FROM outbox WHERE state = 'pending' GROUP BY dest`)
	if err != nil {
		return nil, fmt.Errorf("count pending deliveries: %w", err)
	}
	orphans := map[string]int{}
	for rows.Next() {
		var dest string
		var n int
		if err := rows.Scan(&dest, &n); err != nil {
			rows.Close()
			return nil, err
		}
		if !slices.Contains(known, dest) {
			orphans[dest] = n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for dest := range orphans {
		if _, err := s.db.ExecContext(ctx, s.q(`UPDATE outbox SET state = 'orphaned', settled_at = ?, last_error = 'destination no longer configured' WHERE state = 'pending' AND dest = ?`),
			now.UnixMilli(), dest); err != nil {
			return nil, fmt.Errorf("orphan deliveries to %s: %w", dest, err)
		}
	}
	return orphans, nil
}

// Joined reports whether the item's root belongs to another outage: the
// item replies in that thread and must not edit its root.
func (it OutboxItem) Joined() bool {
	return it.Root != "" && it.RootOwner != "" && it.RootOwner != it.Event.OutageID
}

// QueueInThread stores ev and queues it for every destination that carries
// the thread it belongs to (ev.Thread), after the thread's earlier
// messages. An event already stored (the same OutageID and Seq) is not
// queued again: queued is false. Like Commit, it is fenced.
func (s *Store) QueueInThread(ctx context.Context, ev outage.Event, at time.Time) (queued bool, err error) {
	if ev.Thread == "" {
		return false, fmt.Errorf("queue event %s#%d: no thread", ev.OutageID, ev.Seq)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkFence(ctx, tx); err != nil {
			return err
		}
		if err := s.insertEvent(ctx, tx, &ev, true); err != nil || ev.ID == 0 {
			return err // an error, or stored before: queued already
		}
		rows, err := tx.QueryContext(ctx, s.q(`SELECT DISTINCT dest FROM outbox WHERE outage_id = ?`), ev.Thread)
		if err != nil {
			return fmt.Errorf("read the destinations of thread %s: %w", ev.Thread, err)
		}
		var dests []string
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				rows.Close()
				return err
			}
			dests = append(dests, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := s.queue(ctx, tx, ev, dests, at); err != nil {
			return err
		}
		queued = len(dests) > 0
		return nil
	})
	return queued, err
}
