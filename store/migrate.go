package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
)

//go:embed migrations
var migrations embed.FS

// SchemaVersion is the newest schema this binary creates and understands:
// the number of its last migration (migrations/<dialect>/NNNN_name.sql).
const SchemaVersion = 16

// migrationLockKey is the PostgreSQL advisory lock migrations run under. Any
// fixed number works as long as every version of outagebot uses the same one;
// this one spells "outagebt".
const migrationLockKey int64 = 0x6f75746167656274

// migration is one embedded SQL file.
type migration struct {
	version int
	name    string // file name, as recorded in schema_migrations
}

// ErrSchemaTooNew is returned by Open when the database was migrated by a
// newer outagebot than this one.
var ErrSchemaTooNew = errors.New("database schema too new")

// migrate brings the schema up to SchemaVersion. It runs under a lock that
// every replica's migration takes (a PostgreSQL advisory lock, SQLite's write
// lock), so replicas started together on an empty database do not race to
// create the same tables: the first migrates, the others wait and then find
// nothing left to do.
func (s *Store) migrate(ctx context.Context) error {
	files, err := migrationFiles(s.d.name)
	if err != nil {
		return err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate the schema: %w", err)
	}
	defer conn.Close()
	if s.d.name == "postgres" {
		return s.migratePostgres(ctx, conn, files)
	}
	return s.migrateSQLite(ctx, conn, files)
}

// migrateSQLite runs every step in one immediate transaction (BEGIN
// IMMEDIATE, from the connection's _txlock): it holds the write lock from the
// start, so another process opening the file waits for it (busy_timeout).
func (s *Store) migrateSQLite(ctx context.Context, conn *sql.Conn, files []migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate the schema: lock the database: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := s.applyMissing(ctx, tx, files, func(f func(*sql.Tx) error) error { return f(tx) }); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate the schema: commit: %w", err)
	}
	return nil
}

// migratePostgres holds a session-level advisory lock on one connection for
// the whole migration; each migration commits in a transaction of its own.
func (s *Store) migratePostgres(ctx context.Context, conn *sql.Conn, files []migration) (err error) {
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockKey); err != nil {
		return fmt.Errorf("migrate the schema: wait for the migration lock: %w", err)
	}
	defer func() {
		// The lock belongs to the session, which outlives conn.Close (it
		// goes back to the pool): unlock it, or drop the connection.
		if _, uerr := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLockKey); uerr != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	return s.applyMissing(ctx, conn, files, func(f func(*sql.Tx) error) error {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		if err := f(tx); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	})
}

// querier is a connection or a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// applyMissing applies, in order, the migrations not yet recorded in
// schema_migrations, each through within (which gives it a transaction);
// it refuses a schema newer than this binary.
func (s *Store) applyMissing(ctx context.Context, q querier, files []migration, within func(func(*sql.Tx) error) error) error {
	if _, err := q.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("migrate the schema: create schema_migrations: %w", err)
	}
	applied, newest, err := appliedMigrations(ctx, q)
	if err != nil {
		return err
	}
	if newest > SchemaVersion {
		return fmt.Errorf("%w: the database schema is version %d, newer than this binary understands (%d): upgrade outagebot", ErrSchemaTooNew, newest, SchemaVersion)
	}
	for _, m := range files {
		if applied[m.name] {
			continue
		}
		body, err := migrations.ReadFile("migrations/" + s.d.name + "/" + m.name)
		if err != nil {
			return err
		}
		if err := within(func(tx *sql.Tx) error { return s.apply(ctx, tx, m.name, string(body)) }); err != nil {
			return fmt.Errorf("apply migration %s: %w", m.name, err)
		}
	}
	return nil
}

// apply runs one migration's statements and records it.
func (s *Store) apply(ctx context.Context, tx *sql.Tx, name, body string) error {
	// Comments go first: a ';' in one must not split a statement.
	// (Migrations use no ';' inside string literals.)
	for _, stmt := range strings.Split(stripComments(body), ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%w in %q", err, strings.TrimSpace(stmt))
		}
	}
	if v, err := migrationVersion(name); err == nil && afterMigration[v] != nil {
		if err := afterMigration[v](s, ctx, tx); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version) VALUES (?)`), name)
	return err
}

// afterMigration are steps in Go that finish a migration, in its
// transaction: what SQL alone cannot derive.
var afterMigration = map[int]func(s *Store, ctx context.Context, tx *sql.Tx) error{
	10: (*Store).backfillRollup,
	16: (*Store).rerollFirstDays,
}

// appliedMigrations reads schema_migrations: the file names recorded and
// the highest version among them.
func appliedMigrations(ctx context.Context, q querier) (map[string]bool, int, error) {
	rows, err := q.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, 0, fmt.Errorf("migrate the schema: read schema_migrations: %w", err)
	}
	defer rows.Close()
	applied := map[string]bool{}
	newest := 0
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, 0, fmt.Errorf("migrate the schema: read schema_migrations: %w", err)
		}
		v, err := migrationVersion(name)
		if err != nil {
			return nil, 0, fmt.Errorf("migrate the schema: schema_migrations records %q, which no outagebot wrote: %w", name, err)
		}
		applied[name] = true
		newest = max(newest, v)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("migrate the schema: read schema_migrations: %w", err)
	}
	return applied, newest, nil
}

// SchemaVersion is the version the database's schema was migrated to.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	_, v, err := appliedMigrations(ctx, s.db)
	return v, err
}

// migrationFiles lists the dialect's migrations in order.
func migrationFiles(dialect string) ([]migration, error) {
	entries, err := fs.ReadDir(migrations, "migrations/"+dialect)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		v, err := migrationVersion(e.Name())
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		out = append(out, migration{version: v, name: e.Name()})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	return out, nil
}

// migrationVersion is the number a migration's file name starts with.
func migrationVersion(name string) (int, error) {
	num, _, ok := strings.Cut(name, "_")
	v, err := strconv.Atoi(num)
	if !ok || err != nil || v <= 0 {
		return 0, errors.New("the name does not start with a version number and '_'")
	}
	return v, nil
}

func stripComments(stmt string) string {
	var out []string
	for _, line := range strings.Split(stmt, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
