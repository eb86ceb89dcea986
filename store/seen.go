package store

import (
	"context"
	"fmt"
	"time"
)

// Remember records key (a signed request's signature or id) as seen at now
// until now+ttl, in one insert on its primary key. It reports whether key is
// new: false means a request with the same key was already accepted, by this
// replica or another, before or after a restart, and has not expired.
func (s *Store) Remember(ctx context.Context, key string, now time.Time, ttl time.Duration) (bool, error) {
	// An expired row that PruneSeen has not removed yet counts as unseen.
	res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO seen_requests (request_key, expires_at) VALUES (?, ?)
		ON CONFLICT (request_key) DO UPDATE SET expires_at = excluded.expires_at
		WHERE seen_requests.expires_at <= ?`), key, now.Add(ttl).UnixMilli(), now.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("record a signed request as seen: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record a signed request as seen: %w", err)
	}
	return n == 1, nil
}

// PruneSeen deletes the seen requests that expired by now and returns how
// many.
func (s *Store) PruneSeen(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM seen_requests WHERE expires_at <= ?`), now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("prune seen requests: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune seen requests: %w", err)
	}
	return n, nil
}
