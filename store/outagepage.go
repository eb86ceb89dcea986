package store

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/outagebot/outagebot/outage"
)

// OutageQuery asks for one page of outages, newest first.
type OutageQuery struct {
	// Targets limits the page to these targets; empty: every target.
	Targets []string
	// Since and Until keep outages open at some time within [Since,
	// Until); a zero bound is open.
	Since, Until time.Time
	// Limit is the page size (at least 1).
	Limit int
	// After continues a listing after the last outage of a previous page.
	After Cursor
}

// Cursor is a position in the newest-first listing: the last outage seen.
// Pages that follow it neither repeat nor skip an outage, whatever is
// written meanwhile.
type Cursor struct {
	OpenedAt time.Time
	ID       string
}

// IsZero reports whether the cursor is the start of the listing.
func (c Cursor) IsZero() bool { return c.ID == "" }

// String is the cursor as an opaque token.
func (c Cursor) String() string {
	if c.IsZero() {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.OpenedAt.UnixMilli(), 10) + ":" + c.ID))
}

// ErrBadCursor is returned by ParseCursor for a token it did not make.
var ErrBadCursor = errors.New("not a cursor from a previous page")

// ParseCursor reads a token made by Cursor.String.
func ParseCursor(s string) (Cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, ErrBadCursor
	}
	ms, id, ok := strings.Cut(string(raw), ":")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || id == "" {
		return Cursor{}, ErrBadCursor
	}
	return Cursor{OpenedAt: time.UnixMilli(n).UTC(), ID: id}, nil
}

// OutagePage returns up to q.Limit outages, newest first (by opening
// time, then id), and the cursor of the page after it (zero when this
// page is the last). It reads along outages_page or outages_target_page.
func (s *Store) OutagePage(ctx context.Context, q OutageQuery) ([]outage.Outage, Cursor, error) {
	query, args := outagePageQuery(q)
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, Cursor{}, fmt.Errorf("list outages: %w", err)
	}
	outs, err := scanOutages(rows)
	if err != nil {
		return nil, Cursor{}, err
	}
	var next Cursor
	if limit := max(q.Limit, 1); len(outs) > limit {
		outs = outs[:limit]
		last := outs[limit-1]
		next = Cursor{OpenedAt: last.OpenedAt, ID: last.ID}
	}
	return outs, next, nil
}

func outagePageQuery(q OutageQuery) (string, []any) {
	var (
		where []string
		args  []any
	)
	if len(q.Targets) > 0 {
		where = append(where, "target IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(q.Targets)), ", ")+")")
		for _, t := range q.Targets {
			args = append(args, t)
		}
	}
	if !q.Until.IsZero() {
		where = append(where, "opened_at < ?")
		args = append(args, q.Until.UnixMilli())
	}
	if !q.Since.IsZero() {
		where = append(where, "(resolved_at IS NULL OR resolved_at >= ?)")
		args = append(args, q.Since.UnixMilli())
	}
	if !q.After.IsZero() {
		ms := q.After.OpenedAt.UnixMilli()
		where = append(where, "(opened_at < ? OR (opened_at = ? AND id < ?))")
		args = append(args, ms, ms, q.After.ID)
	}
	query := "SELECT data FROM outages"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	limit := max(q.Limit, 1)
	// One more than asked tells whether another page follows.
	query += " ORDER BY opened_at DESC, id DESC LIMIT ?"
	args = append(args, limit+1)
	return query, args
}
