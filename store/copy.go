package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// copiedTables are the tables Copy carries over, every row and column of
// them: what the bot announced and where (state, outages, events, threads
// with their Slack ts and Discord message ids, the outbox with its ids,
// which are the idempotency keys of deliveries in flight), and what its
// commands and schedules remember.
var copiedTables = []string{
	"target_state",
	"outages",
	"events",
	"threads",
	"outbox",
	// Root edits still owed (and those done, so an older state never
	// comes back).
	"root_edits",
	"mutes",
	// Who acknowledged which outage: the first click stays the only one.
	"acknowledgements",
	"digests_sent",
	"seen_requests",
	// The status page's history: per-day rollups and when each target
	// was first seen.
	"daily_rollup",
	"target_history",
	// When the bot was observing each target: the gaps between are
	// unknown time, rolled up above.
	"target_coverage",
	// The status boards' message ids, so the copy edits the same ones.
	"boards",
	// Chat subscriptions (runtime vendor targets are derived from them).
	"subscriptions",
	// Digest arming times (digest_armed:*) and the health check's
	// heartbeat.
	"meta",
	// Each location's latest probe result with its streaks and verdict,
	// so that a quorum carries on where it stood.
	"poll_results",
}

// skippedTables are the tables Copy leaves alone, with the reason.
var skippedTables = map[string]string{
	"schema_migrations": "each database records its own migrations; both are at the same schema version",
	"leader":            "the leader lease belongs to the bots of the old database; the first bot on the new one takes a fresh lease",
	"replicas":          "the registered replicas are the bots of the old database; those on the new one register themselves",
}

// isInternalTable reports whether a table is the database engine's own
// (SQLite's sqlite_sequence keeps AUTOINCREMENT counters and moves on by
// itself when rows are inserted with their ids).
func isInternalTable(name string) bool { return strings.HasPrefix(name, "sqlite_") }

// ErrTargetNotEmpty is returned by Copy when the target already holds rows.
var ErrTargetNotEmpty = errors.New("the target database is not empty")

// ErrBotRunning is returned by Copy when a bot still holds the leader lease
// on one of the two databases.
var ErrBotRunning = errors.New("a bot is still running")

// ErrSchemaMismatch is returned by Copy when a database's schema is not the
// version this binary writes.
var ErrSchemaMismatch = errors.New("schema version differs from this binary's")

// TableCount is one copied table's row count in the source and, after the
// copy, in the target.
type TableCount struct {
	Table          string
	Source, Target int64
}

// SkippedTable is a table Copy leaves alone, and why.
type SkippedTable struct {
	Table, Why string
}

// CopyReport says what Copy did.
type CopyReport struct {
	SchemaVersion int
	Tables        []TableCount
	Skipped       []SkippedTable
}

// CopyTables lists the tables Copy copies, in the order it copies them, and
// those it skips with the reason.
func CopyTables() (copied []string, skipped []SkippedTable) {
	for name, why := range skippedTables {
		skipped = append(skipped, SkippedTable{Table: name, Why: why})
	}
	slices.SortFunc(skipped, func(a, b SkippedTable) int { return strings.Compare(a.Table, b.Table) })
	return slices.Clone(copiedTables), skipped
}

// Copy copies the bot's state from src into dst, which must be empty (no
// row in any copied table), in one transaction on dst: all of it or
// nothing. Rows keep their ids; on PostgreSQL the identity sequences are
// moved past them so that new rows do not collide. After copying, inside
// the same transaction, it counts every table on both sides and commits
// only when the counts agree.
//
// Both stores must be at this binary's SchemaVersion (Open migrates older
// ones). Copy refuses to run while a bot holds the leader lease (unexpired
// at now) on either database: a bot still writing to src would lose what it
// writes after the copy, and one already running on dst would race it. On
// SQLite a lease left by a process of this host that has ended does not
// count.
func Copy(ctx context.Context, dst, src *Store, now time.Time) (CopyReport, error) {
	rep := CopyReport{SchemaVersion: SchemaVersion}
	if dst == src {
		return rep, errors.New("the source and the target are the same store")
	}
	for _, side := range []struct {
		name string
		s    *Store
	}{{"source", src}, {"target", dst}} {
		v, err := side.s.SchemaVersion(ctx)
		if err != nil {
			return rep, fmt.Errorf("read the %s's schema version: %w", side.name, err)
		}
		if v != SchemaVersion {
			return rep, fmt.Errorf("%w: the %s is at version %d, this binary at %d", ErrSchemaMismatch, side.name, v, SchemaVersion)
		}
	}
	if err := checkTablesKnown(ctx, src, "source"); err != nil {
		return rep, err
	}
	if err := checkTablesKnown(ctx, dst, "target"); err != nil {
		return rep, err
	}
	_, rep.Skipped = CopyTables()

	// The source is read in one transaction, so every table comes from the
	// same moment. On SQLite it is an immediate one: it holds the write
	// lock, and a bot that was not stopped after all cannot write midway.
	var opts *sql.TxOptions
	if src.d.name == "postgres" {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	stx, err := src.db.BeginTx(ctx, opts)
	if err != nil {
		return rep, fmt.Errorf("read the source: begin: %w", err)
	}
	defer func() { _ = stx.Rollback() }()
	if err := src.checkNoBot(ctx, stx, "source", now); err != nil {
		return rep, err
	}

	err = dst.tx(ctx, func(dtx *sql.Tx) error {
		if dst.d.name == "postgres" {
			// Nothing else writes these tables until the copy commits, so
			// the emptiness checked below still holds when it does.
			if _, err := dtx.ExecContext(ctx, `LOCK TABLE `+strings.Join(copiedTables, ", ")+` IN EXCLUSIVE MODE`); err != nil {
				return fmt.Errorf("lock the target's tables: %w", err)
			}
		}
		if err := dst.checkNoBot(ctx, dtx, "target", now); err != nil {
			return err
		}
		if err := checkEmpty(ctx, dtx); err != nil {
			return err
		}
		for _, table := range copiedTables {
			n, err := copyTable(ctx, dtx, dst, stx, table)
			if err != nil {
				return fmt.Errorf("copy %s: %w", table, err)
			}
			rep.Tables = append(rep.Tables, TableCount{Table: table, Source: n})
		}
		if dst.d.name == "postgres" {
			if err := advanceSequences(ctx, dtx); err != nil {
				return err
			}
		}
		return verifyCounts(ctx, stx, dtx, rep.Tables)
	})
	if err != nil {
		return rep, err
	}
	return rep, nil
}

// checkTablesKnown refuses a schema with a table Copy would neither copy nor
// skip knowingly: state would silently stay behind.
func checkTablesKnown(ctx context.Context, s *Store, side string) error {
	tables, err := s.tables(ctx)
	if err != nil {
		return fmt.Errorf("list the %s's tables: %w", side, err)
	}
	for _, t := range tables {
		if slices.Contains(copiedTables, t) || skippedTables[t] != "" || isInternalTable(t) {
			continue
		}
		return fmt.Errorf("the %s has a table %q that the copy does not know: refusing to leave its rows behind", side, t)
	}
	return nil
}

// tables lists the tables of the store's schema.
func (s *Store) tables(ctx context.Context) ([]string, error) {
	query := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if s.d.name == "postgres" {
		query = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	rows, err := s.db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	return out, rows.Err()
}

// checkNoBot fails with ErrBotRunning when the leader lease is held at now.
func (s *Store) checkNoBot(ctx context.Context, tx *sql.Tx, side string, now time.Time) error {
	l, err := readLease(ctx, tx, s)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the %s's leader lease: %w", side, err)
	}
	if !l.ExpiresAt.After(now) {
		return nil
	}
	if s.d.name == "sqlite" && l.Host != "" && l.Host == s.proc.host && l.PID > 0 && (l.PID == s.proc.pid || s.gone(l.PID)) {
		// Its process has ended (or the pid is ours now): no bot runs.
		return nil
	}
	who := l.Holder
	if l.Host != "" {
		who += fmt.Sprintf(" on host %s, pid %d", l.Host, l.PID)
	}
	return fmt.Errorf("%w on the %s: %s holds its leader lease until %s; stop every bot first (a bot stopped cleanly gives its lease up at once, a killed one's runs out within its ttl)",
		ErrBotRunning, side, who, l.ExpiresAt.UTC().Format(time.RFC3339))
}

// checkEmpty fails with ErrTargetNotEmpty, naming every copied table that
// holds rows.
func checkEmpty(ctx context.Context, tx *sql.Tx) error {
	var full []string
	for _, table := range copiedTables {
		n, err := countRows(ctx, tx, table)
		if err != nil {
			return fmt.Errorf("count the target's %s: %w", table, err)
		}
		if n > 0 {
			full = append(full, fmt.Sprintf("%s has %d %s", table, n, plural(n, "row", "rows")))
		}
	}
	if len(full) > 0 {
		return fmt.Errorf("%w (%s): the copy goes only into a database no bot has used", ErrTargetNotEmpty, strings.Join(full, ", "))
	}
	return nil
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func countRows(ctx context.Context, tx *sql.Tx, table string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
	return n, err
}

// copyBatch bounds the values of one INSERT: SQLite allows 32766 of them,
// PostgreSQL 65535.
const copyBatch = 5000

// copyTable streams one table from stx into dtx, every column by name, and
// returns how many rows it copied.
func copyTable(ctx context.Context, dtx *sql.Tx, dst *Store, stx *sql.Tx, table string) (int64, error) {
	cols, err := columns(ctx, stx, table)
	if err != nil {
		return 0, fmt.Errorf("read the source's columns: %w", err)
	}
	dcols, err := columns(ctx, dtx, table)
	if err != nil {
		return 0, fmt.Errorf("read the target's columns: %w", err)
	}
	if !sameSet(cols, dcols) {
		return 0, fmt.Errorf("the source has columns %v, the target %v", cols, dcols)
	}
	rows, err := stx.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table)
	if err != nil {
		return 0, fmt.Errorf("read: %w", err)
	}
	defer rows.Close()

	perInsert := max(1, copyBatch/len(cols))
	head := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES `
	tuple := `(` + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + `)`
	var (
		args   []any
		copied int64
	)
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		n := len(args) / len(cols)
		query := head + strings.TrimSuffix(strings.Repeat(tuple+", ", n), ", ")
		if _, err := dtx.ExecContext(ctx, dst.q(query), args...); err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		copied += int64(n)
		args = args[:0]
		return nil
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return copied, fmt.Errorf("read: %w", err)
		}
		for i, v := range vals {
			// Every column is TEXT or an integer; a driver may hand text
			// over as bytes, which PostgreSQL would take for bytea.
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		args = append(args, vals...)
		if len(args)/len(cols) >= perInsert {
			if err := flush(); err != nil {
				return copied, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return copied, fmt.Errorf("read: %w", err)
	}
	return copied, flush()
}

// columns lists a table's column names, as the database orders them.
func columns(ctx context.Context, tx *sql.Tx, table string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT * FROM `+table+` WHERE 1 = 0`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rows.Columns()
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// advanceSequences moves every identity (or serial) column's sequence of the
// copied tables past the largest id copied, so that the bot's next row takes
// the next id instead of colliding with a copied one. setval is not undone
// by a rollback; a copy that fails afterwards leaves the sequences of an
// empty database further on, which costs nothing but a gap in the ids.
func advanceSequences(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')
		ORDER BY table_name, column_name`)
	if err != nil {
		return fmt.Errorf("list the target's identity columns: %w", err)
	}
	type column struct{ table, name string }
	var idents []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.table, &c.name); err != nil {
			rows.Close()
			return fmt.Errorf("list the target's identity columns: %w", err)
		}
		if slices.Contains(copiedTables, c.table) {
			idents = append(idents, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list the target's identity columns: %w", err)
	}
	for _, c := range idents {
		// is_called false: the next value handed out is max+1 (1 for an
		// empty table).
		if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence(format('%I.%I', current_schema(), $1::text), $2),
			COALESCE((SELECT MAX(`+c.name+`) FROM `+c.table+`), 0) + 1, false)`, c.table, c.name); err != nil {
			return fmt.Errorf("advance the sequence of %s.%s: %w", c.table, c.name, err)
		}
	}
	return nil
}

// verifyCounts counts every copied table on both sides and fails unless
// the source, the rows copied and the target agree. It fills in the
// target counts.
func verifyCounts(ctx context.Context, stx, dtx *sql.Tx, counts []TableCount) error {
	var bad []string
	for i := range counts {
		c := &counts[i]
		src, err := countRows(ctx, stx, c.Table)
		if err != nil {
			return fmt.Errorf("count the source's %s: %w", c.Table, err)
		}
		dst, err := countRows(ctx, dtx, c.Table)
		if err != nil {
			return fmt.Errorf("count the target's %s: %w", c.Table, err)
		}
		copied := c.Source
		c.Source, c.Target = src, dst
		if src != dst || copied != src {
			bad = append(bad, fmt.Sprintf("%s: source %d, copied %d, target %d", c.Table, src, copied, dst))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("the counts differ after the copy, nothing was committed: %s", strings.Join(bad, "; "))
	}
	return nil
}
