// Package pgtest gives tests a PostgreSQL schema of their own on the server
// that OUTAGEBOT_TEST_POSTGRES names, so tests that run at once never see
// each other's rows.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// Env names the variable that holds the test server's URL.
const Env = "OUTAGEBOT_TEST_POSTGRES"

// URL returns the test server's URL pointing into a fresh schema, dropped
// after the test, or skips the test, saying that what (like "the replica
// tests") needs the server.
func URL(t testing.TB, what string) string {
	t.Helper()
	dsn := os.Getenv(Env)
	if dsn == "" {
		t.Skip(Env + " is not set; set it to a PostgreSQL URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run " + what + " on PostgreSQL")
	}
	return Schema(t, dsn)
}

// Schema creates a fresh schema on the server at dsn, dropped after the
// test, and returns dsn pointing into it (so several stores can share it).
func Schema(t testing.TB, dsn string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema on %s: %v", redact(dsn), err)
	}
	t.Cleanup(func() {
		if a, err := sql.Open("pgx", dsn); err == nil {
			_, _ = a.Exec("DROP SCHEMA " + schema + " CASCADE")
			a.Close()
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// redact hides the password of a server URL in a failure message.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "the test server"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
