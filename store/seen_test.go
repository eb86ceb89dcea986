package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/outagebot/outagebot/store"
)

// A request key is accepted once however many replicas see it, until it
// expires; pruning removes only what expired.
func TestSeenRequests(t *testing.T) {
	ctx := context.Background()
	ttl := 10 * time.Minute
	for name, pair := range storePairs() {
		t.Run(name, func(t *testing.T) {
			a, b := pair(t)
			steps := []struct {
				replica string
				key     string
				at      time.Duration
				want    bool
			}{
				{"a", "slack:v0=1", 0, true},
				{"a", "slack:v0=1", time.Second, false},       // replayed to the same replica
				{"b", "slack:v0=1", 2 * time.Second, false},   // replayed to the other replica
				{"b", "discord:1", 3 * time.Second, true},     // another key
				{"a", "discord:1", ttl + time.Second, false},  // not expired yet
				{"a", "slack:v0=1", ttl, true},                // expired (not pruned yet)
				{"b", "slack:v0=1", ttl + time.Minute, false}, // remembered again
			}
			for i, s := range steps {
				st := a
				if s.replica == "b" {
					st = b
				}
				got, err := st.Remember(ctx, s.key, t0.Add(s.at), ttl)
				if err != nil {
					t.Fatal(err)
				}
				if got != s.want {
					t.Errorf("step %d: Remember(%q) at +%v on %s = %v, want %v", i, s.key, s.at, s.replica, got, s.want)
				}
			}
			// discord:1 expires at +ttl+3s; slack:v0=1 at +2ttl.
			n, err := a.PruneSeen(ctx, t0.Add(ttl+3*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("pruned %d, want 1", n)
			}
			if got, _ := b.Remember(ctx, "discord:1", t0.Add(ttl+4*time.Second), ttl); !got {
				t.Error("a pruned key is still refused")
			}
			if got, _ := b.Remember(ctx, "slack:v0=1", t0.Add(ttl+4*time.Second), ttl); got {
				t.Error("pruning removed a key that had not expired")
			}
		})
	}
}

// BenchmarkRemember is the replay check a slash command pays: one insert on
// a primary key.
func BenchmarkRemember(b *testing.B) {
	dsns := map[string]func(b *testing.B) string{
		"sqlite": func(b *testing.B) string { return filepath.Join(b.TempDir(), "state.db") },
		"postgres": func(b *testing.B) string {
			dsn := os.Getenv("OUTAGEBOT_TEST_POSTGRES")
			if dsn == "" {
				b.Skip("OUTAGEBOT_TEST_POSTGRES is not set")
			}
			return PostgresSchema(b, dsn)
		},
	}
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			s, err := store.Open(context.Background(), dsns[name](b))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			i := 0
			for b.Loop() {
				i++
				if ok, err := s.Remember(context.Background(), "slack:"+strconv.Itoa(i), t0, 10*time.Minute); err != nil || !ok {
					b.Fatal(ok, err)
				}
			}
		})
	}
}
