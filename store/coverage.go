package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/outagebot/outagebot/uptime"
)

// Coverage is a span of time during which the bot observed a target
// without a break longer than Grace.
type Coverage struct {
	Target   string
	From, To time.Time
	// Grace is the longest break between observations that is not a gap:
	// a span that starts within Grace of the end of the target's latest
	// stored one continues it.
	Grace time.Duration
}

// Cover records spans of observation in one transaction, each one
// statement when it continues its target's latest stored span (the
// steady case). A span that starts after a gap is stored as a new one,
// and the days the gap touched are rolled up again with it as unknown
// time. A fenced store (SetFence) fails with ErrNotLeader once this
// replica no longer holds the leader lease: only the writer of poll
// results writes coverage.
func (s *Store) Cover(ctx context.Context, spans []Coverage, now time.Time) error {
	if len(spans) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkFence(ctx, tx); err != nil {
			return err
		}
		var gen int64
		for _, c := range spans {
			g, err := s.cover(ctx, tx, c)
			if err != nil {
				return err
			}
			if g == nil {
				continue
			}
			if gen == 0 {
				if gen, err = s.bumpHistory(ctx, tx); err != nil {
					return err
				}
			}
			if err := s.rollUp(ctx, tx, c.Target, g.From, g.To, now, gen); err != nil {
				return err
			}
		}
		return nil
	})
}

// cover stores one span and returns the gap before it, if it opened one.
func (s *Store) cover(ctx context.Context, tx *sql.Tx, c Coverage) (*uptime.Gap, error) {
	from, to := c.From.UnixMilli(), c.To.UnixMilli()
	res, err := tx.ExecContext(ctx, s.q(`UPDATE target_coverage SET to_at = CASE WHEN to_at < ? THEN ? ELSE to_at END
		WHERE target = ? AND to_at >= ? AND from_at = (SELECT MAX(from_at) FROM target_coverage WHERE target = ?)`),
		to, to, c.Target, from-c.Grace.Milliseconds(), c.Target)
	if err != nil {
		return nil, fmt.Errorf("extend the coverage of %s: %w", c.Target, err)
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		return nil, nil
	}
	var lastFrom, lastTo int64
	err = tx.QueryRowContext(ctx, s.q(`SELECT from_at, to_at FROM target_coverage WHERE target = ? ORDER BY from_at DESC LIMIT 1`), c.Target).
		Scan(&lastFrom, &lastTo)
	found := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read the coverage of %s: %w", c.Target, err)
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO target_coverage (target, from_at, to_at) VALUES (?, ?, ?)
		ON CONFLICT (target, from_at) DO UPDATE SET to_at = CASE WHEN target_coverage.to_at < excluded.to_at THEN excluded.to_at ELSE target_coverage.to_at END`),
		c.Target, from, to); err != nil {
		return nil, fmt.Errorf("record the coverage of %s: %w", c.Target, err)
	}
	// A target's first span opens no gap (before it, time counts as
	// observed), nor does a span older than the latest (a late write).
	if !found || from <= lastFrom || from <= lastTo {
		return nil, nil
	}
	return &uptime.Gap{From: time.UnixMilli(lastTo).UTC(), To: time.UnixMilli(from).UTC()}, nil
}

// Gaps returns the gaps in the coverage of target (every target when
// target is "") that end after since, oldest first per target.
func (s *Store) Gaps(ctx context.Context, target string, since time.Time) (map[string][]uptime.Gap, error) {
	return s.gaps(ctx, s.db, target, since, time.Time{})
}

// gaps reads the gaps of target ("" for every target) that end after from
// and, unless to is zero, begin before to. A gap is the time between a
// span and the latest end of the spans that began before it; it is found
// through the span that ends it (target_coverage_by_from).
func (s *Store) gaps(ctx context.Context, q execer, target string, from, to time.Time) (map[string][]uptime.Gap, error) {
	query := `SELECT c.target, c.from_at,
		(SELECT MAX(p.to_at) FROM target_coverage p WHERE p.target = c.target AND p.from_at < c.from_at)
		FROM target_coverage c WHERE c.from_at > ?`
	args := []any{from.UnixMilli()}
	if target != "" {
		query += ` AND c.target = ?`
		args = append(args, target)
	}
	rows, err := q.QueryContext(ctx, s.q(query+` ORDER BY c.target, c.from_at`), args...)
	if err != nil {
		return nil, fmt.Errorf("read the coverage gaps: %w", err)
	}
	defer rows.Close()
	out := map[string][]uptime.Gap{}
	for rows.Next() {
		var (
			t     string
			start int64
			prev  sql.NullInt64
		)
		if err := rows.Scan(&t, &start, &prev); err != nil {
			return nil, fmt.Errorf("read the coverage gaps: %w", err)
		}
		if !prev.Valid || prev.Int64 >= start {
			continue
		}
		g := uptime.Gap{From: time.UnixMilli(prev.Int64).UTC(), To: time.UnixMilli(start).UTC()}
		if !to.IsZero() && !g.From.Before(to) {
			continue
		}
		out[t] = append(out[t], g)
	}
	return out, rows.Err()
}

// PruneCoverage deletes the coverage that says nothing about the time
// since before: of each target, the spans before its latest one that
// began before then. That span stays, so a gap that ends after before is
// still known, and a target's latest span is never deleted. It returns
// how many spans it deleted.
func (s *Store) PruneCoverage(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM target_coverage WHERE from_at <
		(SELECT MAX(n.from_at) FROM target_coverage n WHERE n.target = target_coverage.target AND n.from_at < ?)`), before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("prune the coverage: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune the coverage: %w", err)
	}
	return n, nil
}
