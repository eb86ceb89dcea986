package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/sources"
)

// With SnapshotEvery, a steady target's view is still stored now and then,
// so that a standby answering from the store shows when it was checked.
func TestSnapshotIsStoredEvery(t *testing.T) {
	commits := func(every time.Duration) (*runnerFixture, int) {
		f := newRunnerFixture(t, "A")
		fs := &flakyStore{Store: f.st}
		f.r.Store = fs
		f.r.SnapshotEvery = every
		for range 20 {
			f.poll(t, "A", sources.Operational)
		}
		return f, fs.commits
	}
	_, material := commits(0)
	f, n := commits(5 * time.Minute)
	if extra := n - material; extra < 3 || extra > 4 {
		t.Errorf("%d commits over 20 steady polls a minute apart, %d of them material: want 3 or 4 more (one per 5 minutes)", n, material)
	}
	data, err := f.st.LoadState(context.Background(), "A")
	if err != nil {
		t.Fatal(err)
	}
	var st TargetState
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	if age := f.now.Sub(st.Snapshot.CheckedAt); age >= 5*time.Minute {
		t.Errorf("stored snapshot is %s old, want under 5m", age)
	}
}

// A commit refused because another replica leads is rolled back quietly:
// nothing is queued, nothing logged as a store failure, and once this
// replica leads again the same events are derived and queued once.
func TestRefusedCommitOfADeposedLeader(t *testing.T) {
	f := newRunnerFixture(t, "A")
	var logs bytes.Buffer
	f.r.Log = slog.New(slog.NewTextHandler(&logs, nil))
	f.st.SetFence("me", 0)
	f.poll(t, "A", sources.MajorOutage)
	if got := f.queued(t); len(got) != 0 {
		t.Fatalf("a deposed leader queued %v", got)
	}
	if strings.Contains(logs.String(), "cannot store") {
		t.Errorf("a refused commit was logged as a store failure:\n%s", logs.String())
	}
	tok, ok, err := f.st.Acquire(context.Background(), "me", time.Minute, f.now)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	f.st.SetFence("me", tok)
	f.poll(t, "A", sources.MajorOutage)
	if got := fmt.Sprint(f.queued(t)); got != "[A:opened]" {
		t.Errorf("after taking the lease: %s", got)
	}
}
