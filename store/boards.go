package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Board returns the message id of dest's status board ("" when none is
// recorded).
func (s *Store) Board(ctx context.Context, dest string) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT message_id FROM boards WHERE dest = ?`), dest).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the status board of %s: %w", dest, err)
	}
	return id, nil
}

// SetBoard records messageID as dest's status board, replacing any other.
func (s *Store) SetBoard(ctx context.Context, dest, messageID string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO boards (dest, message_id, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (dest) DO UPDATE SET message_id = excluded.message_id, updated_at = excluded.updated_at`),
		dest, messageID, at.UnixMilli())
	if err != nil {
		return fmt.Errorf("record the status board of %s: %w", dest, err)
	}
	return nil
}

// ForgetBoard removes dest's status board record (its message is gone).
func (s *Store) ForgetBoard(ctx context.Context, dest string) error {
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM boards WHERE dest = ?`), dest); err != nil {
		return fmt.Errorf("forget the status board of %s: %w", dest, err)
	}
	return nil
}
