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
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/uptime"
)

// historyGenKey is the meta row that counts changes to the history (an
// outage written, a target first seen), so readers that cache it know
// when to read again, whichever replica wrote.
const historyGenKey = "history_gen"

// TargetHistory is what the store knows of a target's past at a glance.
type TargetHistory struct {
	// FirstSeen is when the bot first committed anything about it.
	FirstSeen time.Time
	// LastResolved is when its last outage ended (zero: none has).
	LastResolved time.Time
}

// execer is a transaction or the database.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// recordHistory keeps the daily rollup and target_history in step with a
// commit: the days spanned by the outages it wrote are rolled up again
// from every outage of the target that touches them.
func (s *Store) recordHistory(ctx context.Context, tx *sql.Tx, c Commit, at time.Time) error {
	res, err := tx.ExecContext(ctx, s.q(`INSERT INTO target_history (target, first_seen_at) VALUES (?, ?) ON CONFLICT (target) DO NOTHING`),
		c.Target, at.UnixMilli())
	if err != nil {
		return fmt.Errorf("record the history of %s: %w", c.Target, err)
	}
	newTarget := false
	if n, _ := res.RowsAffected(); n > 0 {
		newTarget = true
	}
	type span struct{ from, to time.Time }
	spans := map[string]span{}
	for _, o := range c.Outages {
		end := o.ResolvedAt
		if end.IsZero() || end.Before(at) {
			// An open outage counts until now; a resolved one's old rows
			// were written while it ran, up to a commit no later than now.
			end = at
		}
		sp, ok := spans[o.Target]
		if !ok || o.OpenedAt.Before(sp.from) {
			sp.from = o.OpenedAt
		}
		if end.After(sp.to) {
			sp.to = end
		}
		spans[o.Target] = sp
		if !o.ResolvedAt.IsZero() {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO target_history (target, first_seen_at, last_resolved_at) VALUES (?, ?, ?)
				ON CONFLICT (target) DO UPDATE SET last_resolved_at = CASE
					WHEN target_history.last_resolved_at IS NULL OR target_history.last_resolved_at < excluded.last_resolved_at
					THEN excluded.last_resolved_at ELSE target_history.last_resolved_at END`),
				o.Target, o.OpenedAt.UnixMilli(), o.ResolvedAt.UnixMilli()); err != nil {
				return fmt.Errorf("record the history of %s: %w", o.Target, err)
			}
		}
	}
	if !newTarget && len(spans) == 0 {
		return nil
	}
	gen, err := s.bumpHistory(ctx, tx)
	if err != nil {
		return err
	}
	for target, sp := range spans {
		if err := s.rollUp(ctx, tx, target, sp.from, sp.to, at, gen); err != nil {
			return err
		}
	}
	return nil
}

// bumpHistory counts a history change and returns the new generation.
func (s *Store) bumpHistory(ctx context.Context, tx *sql.Tx) (int64, error) {
	var v string
	if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO meta (k, v) VALUES (?, '1')
		ON CONFLICT (k) DO UPDATE SET v = CAST(CAST(meta.v AS BIGINT) + 1 AS TEXT) RETURNING v`), historyGenKey).Scan(&v); err != nil {
		return 0, fmt.Errorf("count the history change: %w", err)
	}
	gen, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("count the history change: %q: %w", v, err)
	}
	return gen, nil
}

// rollUp rewrites target's rollup rows for the UTC days from from to to
// (both included) from its outages and coverage gaps that touch them.
func (s *Store) rollUp(ctx context.Context, tx execer, target string, from, to, now time.Time, gen int64) error {
	first, last := uptime.Midnight(from), uptime.Midnight(to)
	outs, err := s.overlapping(ctx, tx, target, first, last.Add(uptime.DayLength))
	if err != nil {
		return err
	}
	var seen sql.NullInt64
	if err := tx.QueryRowContext(ctx, s.q(`SELECT first_seen_at FROM target_history WHERE target = ?`), target).Scan(&seen); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("roll up the days of %s: %w", target, err)
	}
	if seen.Valid {
		// Uptime is measured from first-seen: a backdated incident's
		// earlier hours must not count as down on the first day.
		outs = uptime.Since(outs, time.UnixMilli(seen.Int64).UTC())
	}
	gaps, err := s.gaps(ctx, tx, target, first, last.Add(uptime.DayLength))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM daily_rollup WHERE target = ? AND day >= ? AND day <= ?`),
		target, first.UnixMilli(), last.UnixMilli()); err != nil {
		return fmt.Errorf("roll up the days of %s: %w", target, err)
	}
	for _, d := range uptime.Days(target, outs, gaps[target], first, last, now) {
		list, err := json.Marshal(d.Outages)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO daily_rollup (target, day, worst, down_ms, maintenance_ms, unknown_ms, outages, computed_at, gen)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			target, d.Date.UnixMilli(), string(d.Worst), d.Down.Milliseconds(), d.Maintenance.Milliseconds(), d.Unknown.Milliseconds(),
			string(list), now.UnixMilli(), gen); err != nil {
			return fmt.Errorf("roll up %s on %s: %w", target, d.Date.Format(time.DateOnly), err)
		}
	}
	return nil
}

// overlapping lists target's outages that were open at some time within
// [from, to), oldest first. It reads through outages_by_target.
func (s *Store) overlapping(ctx context.Context, q execer, target string, from, to time.Time) ([]outage.Outage, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT data FROM outages WHERE target = ? AND opened_at < ? AND (resolved_at IS NULL OR resolved_at >= ?)
		ORDER BY opened_at, id`), target, to.UnixMilli(), from.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("read the outages of %s: %w", target, err)
	}
	return scanOutages(rows)
}

// scanOutages decodes rows of one data column and closes them.
func scanOutages(rows *sql.Rows) ([]outage.Outage, error) {
	defer rows.Close()
	var out []outage.Outage
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("read outages: %w", err)
		}
		var o outage.Outage
		if err := json.Unmarshal([]byte(data), &o); err != nil {
			return nil, fmt.Errorf("decode outage: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// TargetOutages lists target's outages that were open at some time within
// [from, to), oldest first.
func (s *Store) TargetOutages(ctx context.Context, target string, from, to time.Time) ([]outage.Outage, error) {
	return s.overlapping(ctx, s.db, target, from, to)
}

// Rollups returns the daily rollup of every target from since's UTC day
// on: only days with some outage or gap time have a row.
func (s *Store) Rollups(ctx context.Context, since time.Time) ([]uptime.Day, error) {
	return s.rollups(ctx, `SELECT target, day, worst, down_ms, maintenance_ms, unknown_ms, outages FROM daily_rollup WHERE day >= ? ORDER BY target, day`,
		uptime.Midnight(since).UnixMilli())
}

// RollupsChanged returns, like Rollups, every day of the targets whose
// rollup changed after history generation gen, and those targets: what a
// reader holding generation gen reads to catch up. It reads along the
// daily_rollup_by_gen index.
func (s *Store) RollupsChanged(ctx context.Context, gen int64, since time.Time) ([]uptime.Day, []string, error) {
	// No DISTINCT: it lets the planner walk the primary key through every
	// row instead of the few rows of later generations.
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT target FROM daily_rollup WHERE gen > ?`), gen)
	if err != nil {
		return nil, nil, fmt.Errorf("read the daily rollup: %w", err)
	}
	var targets []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("read the daily rollup: %w", err)
		}
		if !slices.Contains(targets, t) {
			targets = append(targets, t)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read the daily rollup: %w", err)
	}
	var days []uptime.Day
	for _, t := range targets {
		d, err := s.rollups(ctx, `SELECT target, day, worst, down_ms, maintenance_ms, unknown_ms, outages FROM daily_rollup WHERE target = ? AND day >= ? ORDER BY day`,
			t, uptime.Midnight(since).UnixMilli())
		if err != nil {
			return nil, nil, err
		}
		days = append(days, d...)
	}
	return days, targets, nil
}

func (s *Store) rollups(ctx context.Context, query string, args ...any) ([]uptime.Day, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("read the daily rollup: %w", err)
	}
	defer rows.Close()
	var out []uptime.Day
	for rows.Next() {
		var (
			d               uptime.Day
			day, dn, mn, un int64
			worst, list     string
		)
		if err := rows.Scan(&d.Target, &day, &worst, &dn, &mn, &un, &list); err != nil {
			return nil, fmt.Errorf("read the daily rollup: %w", err)
		}
		d.Date = time.UnixMilli(day).UTC()
		d.Worst = sources.Status(worst)
		d.Down, d.Maintenance, d.Unknown = time.Duration(dn)*time.Millisecond, time.Duration(mn)*time.Millisecond, time.Duration(un)*time.Millisecond
		if err := json.Unmarshal([]byte(list), &d.Outages); err != nil {
			return nil, fmt.Errorf("decode the rollup of %s: %w", d.Target, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// TargetHistories returns every target's history at a glance.
func (s *Store) TargetHistories(ctx context.Context) (map[string]TargetHistory, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT target, first_seen_at, last_resolved_at FROM target_history`)
	if err != nil {
		return nil, fmt.Errorf("read target history: %w", err)
	}
	defer rows.Close()
	out := map[string]TargetHistory{}
	for rows.Next() {
		var (
			target string
			first  int64
			last   sql.NullInt64
		)
		if err := rows.Scan(&target, &first, &last); err != nil {
			return nil, fmt.Errorf("read target history: %w", err)
		}
		h := TargetHistory{FirstSeen: time.UnixMilli(first).UTC()}
		if last.Valid {
			h.LastResolved = time.UnixMilli(last.Int64).UTC()
		}
		out[target] = h
	}
	return out, rows.Err()
}

// HistoryGeneration counts changes to the history (outages written,
// targets first seen): a reader that caches what it read may keep it
// while the number stays the same.
func (s *Store) HistoryGeneration(ctx context.Context) (int64, error) {
	var v string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT v FROM meta WHERE k = ?`), historyGenKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read the history generation: %w", err)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("read the history generation %q: %w", v, err)
	}
	return n, nil
}

// backfillRollup rolls up the outages stored before the rollup existed.
// It runs once per database, inside the transaction of the migration that
// creates the rollup (migrate.go afterMigration); a new database has
// nothing to roll up and stays empty.
func (s *Store) backfillRollup(ctx context.Context, tx *sql.Tx) error {
	var found bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM outages) OR EXISTS (SELECT 1 FROM target_state)`).Scan(&found); err != nil {
		return fmt.Errorf("backfill the daily rollup: %w", err)
	}
	if !found {
		return nil
	}
	now := time.Now()
	gen, err := s.bumpHistory(ctx, tx)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT target, MIN(opened_at), MAX(COALESCE(resolved_at, opened_at)), MAX(resolved_at) FROM outages GROUP BY target`)
	if err != nil {
		return fmt.Errorf("backfill the daily rollup: %w", err)
	}
	type span struct {
		target       string
		from, to     int64
		lastResolved sql.NullInt64
	}
	var spans []span
	for rows.Next() {
		var sp span
		if err := rows.Scan(&sp.target, &sp.from, &sp.to, &sp.lastResolved); err != nil {
			rows.Close()
			return fmt.Errorf("backfill the daily rollup: %w", err)
		}
		spans = append(spans, sp)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("backfill the daily rollup: %w", err)
	}
	for _, sp := range spans {
		to := now
		if err := s.rollUp(ctx, tx, sp.target, time.UnixMilli(sp.from), to, now, gen); err != nil {
			return fmt.Errorf("backfill the daily rollup: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO target_history (target, first_seen_at, last_resolved_at) VALUES (?, ?, ?) ON CONFLICT (target) DO NOTHING`),
			sp.target, sp.from, sp.lastResolved); err != nil {
			return fmt.Errorf("backfill the daily rollup: %w", err)
		}
	}
	// Targets polled but never down are watched since their state was
	// first stored; the stored time is the last change, the best there is.
	if _, err := tx.ExecContext(ctx, `INSERT INTO target_history (target, first_seen_at)
		SELECT target, updated_at FROM target_state WHERE target NOT IN (SELECT target FROM target_history)`); err != nil {
		return fmt.Errorf("backfill the daily rollup: %w", err)
	}
	return nil
}

// RecentOutages lists the outages open at any time since since (open ones
// included), newest first, like Outages, but reads only those rows: each
// half of the query runs along outages_by_resolved.
func (s *Store) RecentOutages(ctx context.Context, since time.Time) ([]outage.Outage, error) {
	// Sorted here: an ORDER BY lets the planner walk the opening-time
	// index through every row instead.
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT data FROM outages WHERE resolved_at >= ?
		UNION ALL SELECT data FROM outages WHERE resolved_at IS NULL`), since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("list recent outages: %w", err)
	}
	out, err := scanOutages(rows)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b outage.Outage) int {
		if c := b.OpenedAt.Compare(a.OpenedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// rerollFirstDays rolls up again the first-seen day of every target that
// has a rollup row for it, in the migration's transaction: rows written
// before outages were clipped to first-seen (uptime.Since) counted a
// backdated incident's unobserved hours as down.
func (s *Store) rerollFirstDays(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT h.target, h.first_seen_at FROM target_history h
		WHERE EXISTS (SELECT 1 FROM daily_rollup r WHERE r.target = h.target AND r.day <= h.first_seen_at AND r.day > h.first_seen_at - 86400000)`)
	if err != nil {
		return fmt.Errorf("roll up first days again: %w", err)
	}
	type first struct {
		target string
		at     int64
	}
	var firsts []first
	for rows.Next() {
		var f first
		if err := rows.Scan(&f.target, &f.at); err != nil {
			rows.Close()
			return fmt.Errorf("roll up first days again: %w", err)
		}
		firsts = append(firsts, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("roll up first days again: %w", err)
	}
	if len(firsts) == 0 {
		return nil
	}
	gen, err := s.bumpHistory(ctx, tx)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, f := range firsts {
		day := time.UnixMilli(f.at).UTC()
		if err := s.rollUp(ctx, tx, f.target, day, day, now, gen); err != nil {
			return fmt.Errorf("roll up first days again: %w", err)
		}
	}
	return nil
}
