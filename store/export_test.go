package store

import (
	"context"
	"strings"
)

// ExplainOutagePage is SQLite's plan for OutagePage's query, one line per
// step.
func (s *Store) ExplainOutagePage(ctx context.Context, q OutageQuery) (string, error) {
	query, args := outagePageQuery(q)
	rows, err := s.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return "", err
		}
		lines = append(lines, detail)
	}
	return strings.Join(lines, "\n"), rows.Err()
}
