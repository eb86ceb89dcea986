package store

import (
	"context"
	"fmt"
	"time"
)

// MuteRow is a stored mute.
type MuteRow struct {
	Target string
	Until  time.Time
	By     string
	Reason string
}

// SaveMute creates or replaces the mute of a target.
func (s *Store) SaveMute(ctx context.Context, m MuteRow) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO mutes (target, until_at, muted_by, reason, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (target) DO UPDATE SET until_at = excluded.until_at, muted_by = excluded.muted_by, reason = excluded.reason, created_at = excluded.created_at`),
		m.Target, m.Until.UnixMilli(), m.By, m.Reason, time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("save mute of %s: %w", m.Target, err)
	}
	return nil
}

// DeleteMute removes a target's mute and reports whether there was one.
func (s *Store) DeleteMute(ctx context.Context, target string) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM mutes WHERE target = ?`), target)
	if err != nil {
		return false, fmt.Errorf("delete mute of %s: %w", target, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Mutes lists mutes that have not ended at now.
func (s *Store) Mutes(ctx context.Context, now time.Time) ([]MuteRow, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT target, until_at, muted_by, reason FROM mutes WHERE until_at > ? ORDER BY target`), now.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("list mutes: %w", err)
	}
	defer rows.Close()
	var out []MuteRow
	for rows.Next() {
		var m MuteRow
		var until int64
		if err := rows.Scan(&m.Target, &until, &m.By, &m.Reason); err != nil {
			return nil, fmt.Errorf("list mutes: %w", err)
		}
		m.Until = time.UnixMilli(until)
		out = append(out, m)
	}
	return out, rows.Err()
}
