package store_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/outagebot/outagebot/store"
)

// deadPID is the id of a process of this host that has ended: a short-lived
// child that was waited for.
func deadPID(t *testing.T) int {
	t.Helper()
	child := exec.Command(os.Args[0], "-test.run=^$")
	if err := child.Run(); err != nil {
		t.Fatalf("run a short-lived child: %v", err)
	}
	return child.ProcessState.Pid()
}

// On SQLite a lease whose process is gone from this host is taken at once,
// not after it runs out; one whose process lives, or that another host (or
// a build that did not record its process) took, runs out first.
func TestLeaseOfDeadProcess(t *testing.T) {
	ctx := context.Background()
	host, err := os.Hostname()
	if err != nil || host == "" {
		t.Skipf("no host name: %v", err)
	}
	dead := deadPID(t)
	alive := os.Getppid() // the go command that runs this test
	now := time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)
	cases := []struct {
		name      string
		holder    string // of the stored lease
		host      string
		pid       int
		expiresIn time.Duration
		acquirer  string
		wantOK    bool
	}{
		{"dead predecessor under another name", "web-1-1234-abcdef", host, dead, 10 * time.Second, "web-1-5678-123456", true},
		{"dead predecessor under the same name", "web-1-state", host, dead, 10 * time.Second, "web-1-state", true},
		{"live process of this host", "other", host, alive, 10 * time.Second, "me", false},
		{"live process of this host under our name", "me", host, alive, 10 * time.Second, "me", false},
		{"live process of this host, lease expired", "other", host, alive, -time.Second, "me", true},
		{"dead pid of another host", "other", "elsewhere", dead, 10 * time.Second, "me", false},
		{"lease recorded without its process", "other", "", 0, 10 * time.Second, "me", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			s, err := store.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			// The lease as the earlier process left it.
			db := rawDB(t, path)
			if _, err := db.Exec(`INSERT INTO leader (name, holder, token, expires_at, host, pid) VALUES ('main', ?, 7, ?, ?, ?)`,
				c.holder, now.Add(c.expiresIn).UnixMilli(), c.host, c.pid); err != nil {
				t.Fatal(err)
			}
			token, ok, err := s.Acquire(ctx, c.acquirer, 10*time.Second, now)
			if err != nil {
				t.Fatal(err)
			}
			if ok != c.wantOK {
				t.Fatalf("acquired = %v, want %v", ok, c.wantOK)
			}
			l, err := s.CurrentLease(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				if l.Holder != c.holder || l.Token != 7 || l.PID != c.pid {
					t.Errorf("the lease changed: %+v", l)
				}
				return
			}
			// A new process is a new term, whatever its name: the
			// predecessor's late writes are fenced off.
			if token != 8 || l.Holder != c.acquirer || l.Host != host || l.PID != os.Getpid() {
				t.Errorf("token %d, lease %+v: want token 8, held by %s as %s/%d", token, l, c.acquirer, host, os.Getpid())
			}
			// Renewing from the same process keeps the token.
			if again, ok, err := s.Acquire(ctx, c.acquirer, 10*time.Second, now.Add(time.Second)); err != nil || !ok || again != token {
				t.Errorf("renewal: token %d ok %v err %v, want %d", again, ok, err, token)
			}
		})
	}
}
