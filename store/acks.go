package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/outagebot/outagebot/outage"
)

// ackEventSuffix keys an acknowledged event in the events table. The event
// shows the outage's state as of its last event (the same seq), so it needs
// a row of its own beside that event's; the engine, which numbers the
// outage's events, never learns of it, and its next event cannot collide.
const ackEventSuffix = "/ack"

// Acknowledge records that a acknowledged the outage outageID, unless
// someone did first: the first writer wins, on any replica. It returns the
// acknowledgement that stands and whether it is a's. A new one queues an
// acknowledged event, in the same transaction, for every destination the
// outage has reached, in its thread's queue after the messages before it.
//
// It is not fenced: any replica may take a click; only the leader
// delivers. The outage's row is locked first (PostgreSQL), so an engine
// commit on the outage either comes before (and the event shows its state)
// or after (and its events carry the ack, see Commit).
func (s *Store) Acknowledge(ctx context.Context, outageID string, a outage.Ack) (outage.Ack, bool, error) {
	a.At = a.At.UTC().Truncate(time.Millisecond)
	var (
		stands = a
		first  bool
	)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		lock := `SELECT data FROM outages WHERE id = ?`
		if s.d.name == "postgres" {
			lock += ` FOR UPDATE`
		}
		var data string
		err := tx.QueryRowContext(ctx, s.q(lock), outageID).Scan(&data)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("acknowledge outage %q: %w", outageID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("acknowledge outage %s: %w", outageID, err)
		}
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO acknowledgements (outage_id, user_id, user_name, platform, acked_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (outage_id) DO NOTHING`), outageID, a.UserID, a.Name, a.Platform, a.At.UnixMilli())
		if err != nil {
			return fmt.Errorf("acknowledge outage %s: %w", outageID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			got, ok, err := s.ackIn(ctx, tx, outageID)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("acknowledge outage %s: the acknowledgement is neither new nor stored", outageID)
			}
			stands = got
			return nil
		}
		first = true
		var o outage.Outage
		if err := json.Unmarshal([]byte(data), &o); err != nil {
			return fmt.Errorf("decode outage %s: %w", outageID, err)
		}
		return s.queueAck(ctx, tx, o, a)
	})
	if err != nil {
		return outage.Ack{}, false, err
	}
	return stands, first, nil
}

// queueAck stores the acknowledged event of o and queues it where o's own
// events went.
func (s *Store) queueAck(ctx context.Context, tx *sql.Tx, o outage.Outage, a outage.Ack) error {
	var (
		data string
		ev   outage.Event
	)
	err := tx.QueryRowContext(ctx, s.q(`SELECT data FROM events WHERE outage_id = ? ORDER BY seq DESC LIMIT 1`), o.ID).Scan(&data)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		ev = o.Event(outage.Acknowledged, a.At, "")
		ev.Seq = o.Seq
	case err != nil:
		return fmt.Errorf("read the last event of %s: %w", o.ID, err)
	default:
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			return fmt.Errorf("decode the last event of %s: %w", o.ID, err)
		}
	}
	ev.ID, ev.Kind, ev.At, ev.Body, ev.Ack = 0, outage.Acknowledged, a.At, "", &a
	raw, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO events (outage_id, seq, kind, at, data) VALUES (?, ?, ?, ?, ?) RETURNING id`),
		o.ID+ackEventSuffix, ev.Seq, string(ev.Kind), a.At.UnixMilli(), string(raw)).Scan(&ev.ID); err != nil {
		return fmt.Errorf("save the acknowledgement of %s: %w", o.ID, err)
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE acknowledgements SET event_id = ? WHERE outage_id = ?`), ev.ID, o.ID); err != nil {
		return fmt.Errorf("save the acknowledgement of %s: %w", o.ID, err)
	}
	dests, err := s.outageDests(ctx, tx, o.ID)
	if err != nil {
		return err
	}
	return s.queue(ctx, tx, ev, dests, a.At)
}

// outageDests are the destinations the outage's own events were queued
// for.
func (s *Store) outageDests(ctx context.Context, tx *sql.Tx, outageID string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT DISTINCT o.dest FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.outage_id = ? ORDER BY o.dest`), outageID)
	if err != nil {
		return nil, fmt.Errorf("read the destinations of %s: %w", outageID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Acknowledgement returns the outage's acknowledgement, if it has one.
func (s *Store) Acknowledgement(ctx context.Context, outageID string) (outage.Ack, bool, error) {
	var out outage.Ack
	var ok bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, ok, err = s.ackIn(ctx, tx, outageID)
		return err
	})
	return out, ok, err
}

func (s *Store) ackIn(ctx context.Context, tx *sql.Tx, outageID string) (outage.Ack, bool, error) {
	var (
		a  outage.Ack
		at int64
	)
	err := tx.QueryRowContext(ctx, s.q(`SELECT user_id, user_name, platform, acked_at FROM acknowledgements WHERE outage_id = ?`), outageID).
		Scan(&a.UserID, &a.Name, &a.Platform, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	if err != nil {
		return a, false, fmt.Errorf("read the acknowledgement of %s: %w", outageID, err)
	}
	a.At = time.UnixMilli(at).UTC()
	return a, true, nil
}

// attachAcks gives each event the acknowledgement of its outage, so the
// roots edited to its state keep saying who took the outage on.
func (s *Store) attachAcks(ctx context.Context, tx *sql.Tx, events []outage.Event) error {
	acks := map[string]*outage.Ack{}
	for i := range events {
		id := events[i].OutageID
		a, seen := acks[id]
		if !seen {
			got, ok, err := s.ackIn(ctx, tx, id)
			if err != nil {
				return err
			}
			if ok {
				a = &got
			}
			acks[id] = a
		}
		if a != nil {
			c := *a
			events[i].Ack = &c
		}
	}
	return nil
}
