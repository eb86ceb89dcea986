package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/outagebot/outagebot/store"
)

// emptyDatabases gives each store implementation an empty database that
// several stores can open at once.
func emptyDatabases() map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string { return filepath.Join(t.TempDir(), "state.db") },
		"postgres": func(t *testing.T) string {
			dsn := os.Getenv("OUTAGEBOT_TEST_POSTGRES")
			if dsn == "" {
				t.Skip("OUTAGEBOT_TEST_POSTGRES is not set; set it to a PostgreSQL URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL migration tests")
			}
			return PostgresSchema(t, dsn)
		},
	}
}

// Replicas started together on an empty database all migrate it: one
// creates the schema, the others wait for it and find it done.
func TestConcurrentMigration(t *testing.T) {
	for name, empty := range emptyDatabases() {
		t.Run(name, func(t *testing.T) {
			dsn := empty(t)
			const replicas = 6
			var (
				wg     sync.WaitGroup
				start  = make(chan struct{})
				errs   = make([]error, replicas)
				stores = make([]*store.Store, replicas)
			)
			for i := range replicas {
				wg.Go(func() {
					<-start
					stores[i], errs[i] = store.Open(context.Background(), dsn)
				})
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("replica %d: %v", i, err)
					continue
				}
				defer stores[i].Close()
			}
			if t.Failed() {
				return
			}
			v, err := stores[0].SchemaVersion(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if v != store.SchemaVersion {
				t.Errorf("schema version %d after migrating, want %d", v, store.SchemaVersion)
			}
			// Every store works on the one schema.
			for i, s := range stores {
				if err := s.Ping(context.Background()); err != nil {
					t.Errorf("replica %d: %v", i, err)
				}
			}
		})
	}
}

// Opening an already migrated database again changes nothing.
func TestMigrationIsIdempotent(t *testing.T) {
	for name, empty := range emptyDatabases() {
		t.Run(name, func(t *testing.T) {
			dsn := empty(t)
			for range 3 {
				s, err := store.Open(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				s.Close()
			}
			db := rawDB(t, dsn)
			var n int
			if err := db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			// One row per migration file; numbers may skip one that
			// another line of work holds.
			files, err := os.ReadDir(filepath.Join("migrations", name))
			if err != nil {
				t.Fatal(err)
			}
			if n != len(files) {
				t.Errorf("%d migrations recorded, want %d", n, len(files))
			}
		})
	}
}

// A binary older than the database's schema refuses to start rather than
// write rows a newer schema does not expect.
func TestNewerSchemaIsRefused(t *testing.T) {
	for name, empty := range emptyDatabases() {
		t.Run(name, func(t *testing.T) {
			dsn := empty(t)
			s, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			newer := store.SchemaVersion + 2
			db := rawDB(t, dsn)
			if _, err := db.Exec(`INSERT INTO schema_migrations (version) VALUES ('` + pad4(newer) + `_from_the_future.sql')`); err != nil {
				t.Fatal(err)
			}
			s, err = store.Open(context.Background(), dsn)
			if err == nil {
				s.Close()
				t.Fatal("a schema newer than the binary was accepted")
			}
			want := "the database schema is version " + itoa(newer) + ", newer than this binary understands (" + itoa(store.SchemaVersion) + "): upgrade outagebot"
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q\ndoes not say %q", err, want)
			}
		})
	}
}

func rawDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	driver, source := "sqlite", dsn
	if store.IsPostgres(dsn) {
		driver = "pgx"
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func itoa(n int) string { return fmt.Sprint(n) }

func pad4(n int) string { return fmt.Sprintf("%04d", n) }
