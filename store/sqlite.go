package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create state directory %s: %w", dir, err)
		}
	}
	// WAL lets status queries read while a poll commits; immediate
	// transactions take the write lock up front, so two writers wait on
	// busy_timeout instead of failing half-way.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+uriPath(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open SQLite state %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open SQLite state %s: %w", path, err)
	}
	if err := useWAL(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open SQLite state %s: %w", path, err)
	}
	return &Store{db: db, d: dialect{name: "sqlite"}}, nil
}

// useWAL switches the file to write-ahead logging, which then sticks to the
// file for every connection. The switch takes an exclusive lock, and SQLite
// answers SQLITE_BUSY at once, without waiting out busy_timeout, while
// another process opening the same new file holds it: that is retried here.
func useWAL(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		var mode string
		err := db.QueryRowContext(ctx, `PRAGMA journal_mode=WAL`).Scan(&mode)
		if err == nil {
			return nil
		}
		if !isBusy(err) || time.Now().After(deadline) {
			return fmt.Errorf("switch to WAL: %w", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("switch to WAL: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// isBusy reports whether err is SQLITE_BUSY (primary code 5).
func isBusy(err error) bool {
	e, ok := errors.AsType[*sqlite.Error](err)
	return ok && e.Code()&0xff == 5
}
