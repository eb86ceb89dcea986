// Package store keeps target state, outages, events and the delivery outbox
// in SQLite (the default, one file) or PostgreSQL. Both run the same SQL
// through database/sql; only the connection, the migrations' id columns and
// the placeholder style differ.
//
// The engine's new state, the outages it touched, its events and one outbox
// row per (event, destination) are written in one transaction, so an event is
// either announced eventually or never happened.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/outagebot/outagebot/outage"
)

// dialect holds what differs between the SQL engines.
type dialect struct {
	name string
	// dollar placeholders ($1) instead of ?.
	dollar bool
}

// Store is a handle on the database. It is safe for concurrent use.
type Store struct {
	db *sql.DB
	d  dialect
	// fence, once set, is checked by every write that matters (see
	// SetFence).
	fence atomic.Pointer[fence]
	// proc is who takes leases; gone tells whether a pid of this host has
	// ended (see Acquire).
	proc process
	gone func(pid int) bool
}

// Open connects to dsn: a postgres:// or postgresql:// URL, else a SQLite
// file path. It creates the schema on first use.
func Open(ctx context.Context, dsn string) (*Store, error) {
	var (
		s   *Store
		err error
	)
	if IsPostgres(dsn) {
		s, err = openPostgres(ctx, dsn)
	} else {
		s, err = openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	s.proc, s.gone = thisProcess(), processGone
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// IsPostgres reports whether dsn names a PostgreSQL database (rather than
// a SQLite file).
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// q rewrites ? placeholders for the dialect.
func (s *Store) q(query string) string {
	if !s.d.dollar {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Ping checks that the store answers and accepts writes.
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO meta (k, v) VALUES ('heartbeat', ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`),
		strconv.FormatInt(time.Now().UnixMilli(), 10))
	if err != nil {
		return fmt.Errorf("store not writable: %w", err)
	}
	return nil
}

// LoadStates returns every target's last committed engine state.
func (s *Store) LoadStates(ctx context.Context) (map[string][]byte, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT target, state FROM target_state`)
	if err != nil {
		return nil, fmt.Errorf("load target states: %w", err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var target, state string
		if err := rows.Scan(&target, &state); err != nil {
			return nil, fmt.Errorf("load target states: %w", err)
		}
		out[target] = []byte(state)
	}
	return out, rows.Err()
}

// LoadState returns one target's committed engine state (nil if none).
func (s *Store) LoadState(ctx context.Context, target string) ([]byte, error) {
	var state string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT state FROM target_state WHERE target = ?`), target).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load state of %s: %w", target, err)
	}
	return []byte(state), nil
}

// Commit is one engine step to persist atomically.
type Commit struct {
	Target string
	// State is the engine's serialized TargetState after the step.
	State   []byte
	Outages []outage.Outage
	Events  []outage.Event
	// Dests are the outbox destinations ("ops/slack") every event goes to.
	Dests []string
	// DestsFor, when set, routes each event instead of Dests (routes with a
	// minimum severity). A destination that already has part of the
	// outage's thread gets the rest of it too.
	DestsFor func(outage.Event) []string
	// Quiet lists outages whose events are stored but not queued (a muted
	// target's new outages).
	Quiet []string
	At    time.Time
	// Follow, when set, also sends each event to the chat channels
	// subscribed to the target (see subscribers).
	Follow *Following
}

// Commit writes the step in one transaction and returns the events with the
// ids the store gave them. A fenced store (SetFence) fails with ErrNotLeader
// once this replica no longer holds the leader lease.
func (s *Store) Commit(ctx context.Context, c Commit) ([]outage.Event, error) {
	at := c.At
	if at.IsZero() {
		at = time.Now()
	}
	events := append([]outage.Event(nil), c.Events...)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkFence(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO target_state (target, state, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (target) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`),
			c.Target, string(c.State), at.UnixMilli()); err != nil {
			return fmt.Errorf("save state of %s: %w", c.Target, err)
		}
		for _, o := range c.Outages {
			data, err := json.Marshal(o)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO outages (id, target, outage_key, class, title, severity, opened_at, resolved_at, data)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET title = excluded.title, severity = excluded.severity,
					resolved_at = excluded.resolved_at, data = excluded.data`),
				o.ID, o.Target, o.Key, string(o.Class), o.Title, string(o.Severity), o.OpenedAt.UnixMilli(), nullTime(o.ResolvedAt), string(data)); err != nil {
				return fmt.Errorf("save outage %s: %w", o.ID, err)
			}
		}
		if err := s.recordHistory(ctx, tx, c, at); err != nil {
			return err
		}
		if err := s.attachAcks(ctx, tx, events); err != nil {
			return err
		}
		for i := range events {
			ev := &events[i]
			if err := s.insertEvent(ctx, tx, ev, false); err != nil {
				return err
			}
			if slices.Contains(c.Quiet, ev.OutageID) {
				continue
			}
			dests := c.Dests
			if c.DestsFor != nil {
				var err error
				if dests, err = s.routeEvent(ctx, tx, c.DestsFor, *ev); err != nil {
					return err
				}
			}
			if c.Follow != nil {
				var err error
				if dests, err = s.subscribers(ctx, tx, c.Follow, *ev, dests); err != nil {
					return err
				}
			}
			if err := s.queue(ctx, tx, *ev, dests, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return events, nil
}

// insertEvent stores ev and sets its id. With orSkip, an event already
// stored (same outage and seq) is left alone and ev.ID stays 0.
func (s *Store) insertEvent(ctx context.Context, tx *sql.Tx, ev *outage.Event, orSkip bool) error {
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	ev.ID = 0
	query := `INSERT INTO events (outage_id, seq, kind, at, data) VALUES (?, ?, ?, ?, ?)`
	if orSkip {
		query += ` ON CONFLICT (outage_id, seq) DO NOTHING`
	}
	err = tx.QueryRowContext(ctx, s.q(query+` RETURNING id`), ev.OutageID, ev.Seq, string(ev.Kind), ev.At.UnixMilli(), string(data)).Scan(&ev.ID)
	if orSkip && errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("save event %s#%d: %w", ev.OutageID, ev.Seq, err)
	}
	return nil
}

// queue puts a stored event in the outbox of each destination, in its
// thread's queue.
func (s *Store) queue(ctx context.Context, tx *sql.Tx, ev outage.Event, dests []string, at time.Time) error {
	for _, dest := range dests {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO outbox (event_id, outage_id, dest, next_at, created_at) VALUES (?, ?, ?, ?, ?)`),
			ev.ID, ev.ThreadKey(), dest, at.UnixMilli(), at.UnixMilli()); err != nil {
			return fmt.Errorf("queue event %s#%d for %s: %w", ev.OutageID, ev.Seq, dest, err)
		}
	}
	return nil
}

// routeEvent is the event's routed destinations plus those that already
// carry its outage's thread, so a thread never loses its later messages
// (an outage that de-escalates below a route's threshold still gets its
// restoration there).
func (s *Store) routeEvent(ctx context.Context, tx *sql.Tx, route func(outage.Event) []string, ev outage.Event) ([]string, error) {
	dests := slices.Clone(route(ev))
	if ev.Seq <= 1 {
		return dests, nil
	}
	// The outbox queues by thread (outbox.outage_id is the thread): the
	// destinations this outage itself reached are those of its own events.
	// A joined outage never follows its thread into channels its routes do
	// not send it to.
	rows, err := tx.QueryContext(ctx, s.q(`SELECT DISTINCT o.dest FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.outage_id = ?`), ev.OutageID)
	if err != nil {
		return nil, fmt.Errorf("read the thread destinations of %s: %w", ev.OutageID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		if !slices.Contains(dests, d) {
			dests = append(dests, d)
		}
	}
	return dests, rows.Err()
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// Outages lists outages that were open at any time since since (open ones
// included), newest first. An empty target lists all targets.
func (s *Store) Outages(ctx context.Context, since time.Time, target string) ([]outage.Outage, error) {
	query := `SELECT data FROM outages WHERE (resolved_at IS NULL OR resolved_at >= ?)`
	args := []any{since.UnixMilli()}
	if target != "" {
		query += ` AND target = ?`
		args = append(args, target)
	}
	query += ` ORDER BY opened_at DESC, id`
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("list outages: %w", err)
	}
	defer rows.Close()
	var out []outage.Outage
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("list outages: %w", err)
		}
		var o outage.Outage
		if err := json.Unmarshal([]byte(data), &o); err != nil {
			return nil, fmt.Errorf("decode outage: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Events lists an outage's events in order.
func (s *Store) Events(ctx context.Context, outageID string) ([]outage.Event, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, data FROM events WHERE outage_id = ? ORDER BY seq`), outageID)
	if err != nil {
		return nil, fmt.Errorf("list events of %s: %w", outageID, err)
	}
	defer rows.Close()
	var out []outage.Event
	for rows.Next() {
		var (
			id   int64
			data string
		)
		if err := rows.Scan(&id, &data); err != nil {
			return nil, err
		}
		var ev outage.Event
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			return nil, fmt.Errorf("decode event %d: %w", id, err)
		}
		ev.ID = id
		out = append(out, ev)
	}
	return out, rows.Err()
}

// Outage returns the outage whose id is id or starts with it (chat users
// type the first few characters). A prefix that fits several outages is an
// error that says so.
func (s *Store) Outage(ctx context.Context, id string) (outage.Outage, error) {
	var o outage.Outage
	if id == "" || strings.ContainsAny(id, "%_\\") {
		return o, fmt.Errorf("outage %q: %w", id, ErrNotFound)
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT data FROM outages WHERE id = ? OR id LIKE ? ORDER BY (id = ?) DESC, opened_at DESC LIMIT 2`), id, id+"%", id)
	if err != nil {
		return o, fmt.Errorf("read outage %s: %w", id, err)
	}
	defer rows.Close()
	var found []outage.Outage
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return o, fmt.Errorf("read outage %s: %w", id, err)
		}
		var x outage.Outage
		if err := json.Unmarshal([]byte(data), &x); err != nil {
			return o, fmt.Errorf("decode outage: %w", err)
		}
		found = append(found, x)
	}
	if err := rows.Err(); err != nil {
		return o, fmt.Errorf("read outage %s: %w", id, err)
	}
	switch {
	case len(found) == 0:
		return o, fmt.Errorf("outage %q: %w", id, ErrNotFound)
	case found[0].ID == id || len(found) == 1:
		return found[0], nil
	default:
		return o, fmt.Errorf("outage %q: %w: more than one outage id starts with it; give more of the id", id, ErrAmbiguous)
	}
}

// ErrAmbiguous is returned when an id prefix fits several rows.
var ErrAmbiguous = errors.New("ambiguous id")

// ErrNotFound is returned when a row does not exist.
var ErrNotFound = errors.New("not found")
