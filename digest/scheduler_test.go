package digest

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

const dest = "console/console"

// The scheduler tests run in a synctest bubble: time is virtual, so a week
// of schedule takes milliseconds, and each digest is built at exactly the
// instant the scheduler chose. The store is real SQLite.

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// logs is a log sink safe for concurrent writes.
type logs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// run runs a scheduler over st from the wall-clock time from for d of
// virtual time, like a bot started at from and stopped d later.
func run(t *testing.T, st *store.Store, inputs Inputs, jobs []Job, from time.Time, d time.Duration, log *logs) {
	t.Helper()
	start := time.Now()
	s := &Scheduler{
		Jobs: jobs, Inputs: inputs, Store: st,
		Now: func() time.Time { return from.Add(time.Since(start)) },
	}
	if log != nil {
		s.Log = slog.New(slog.NewTextHandler(log, nil))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		s.Run(ctx)
		close(done)
	}()
	time.Sleep(d)
	synctest.Wait()
	cancel()
	<-done
}

// sent lists the queued digests: for each, when it was scheduled and when
// it was built, in UTC.
func sent(t *testing.T, st *store.Store) (scheduled, built []string) {
	t.Helper()
	items, err := st.Due(context.Background(), dest, time.Now().Add(100*365*24*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].ID < items[j].ID })
	for _, it := range items {
		if it.Event.Kind != outage.Digest {
			continue
		}
		scheduled = append(scheduled, it.Event.OpenedAt.UTC().Format(time.RFC3339))
		built = append(built, it.Event.At.UTC().Format(time.RFC3339))
	}
	return scheduled, built
}

func quietInputs(st *store.Store) Inputs {
	return Inputs{View: &view{snaps: []bot.Snapshot{{Name: "GitHub", Status: sources.Operational}}}, History: st}
}

func job(t *testing.T, spec string, window time.Duration) Job {
	return Job{Key: "1-test", Schedule: mustSchedule(t, spec), Window: window, Dests: []string{dest}}
}

// Each run goes out once, at its time, including the one that falls into
// the hour skipped on the spring-forward day.
func TestSchedulerRunsOnTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
		defer st.Close()
		jobs := []Job{job(t, "CRON_TZ=Europe/Berlin 30 2 * * *", 24*time.Hour)}
		run(t, st, quietInputs(st), jobs, utc("2026-03-27T12:00:00Z"), 4*24*time.Hour, nil)
		scheduled, built := sent(t, st)
		want := []string{"2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"}
		if strings.Join(scheduled, " ") != strings.Join(want, " ") || strings.Join(built, " ") != strings.Join(want, " ") {
			t.Errorf("scheduled %v\nbuilt     %v\nwant      %v", scheduled, built, want)
		}
	})
}

// A digest missed while the bot was down is sent once on start, however
// often the bot restarts; one more than a window old is not; one scheduled
// before the digest was configured was not missed.
func TestSchedulerCatchUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
		defer st.Close()
		in := quietInputs(st)
		jobs := []Job{job(t, "CRON_TZ=Europe/Berlin 0 9 * * *", 24*time.Hour)}

		// Configured at 08:00 on Mar 2; the 09:00 run goes out.
		run(t, st, in, jobs, utc("2026-03-02T07:00:00Z"), 90*time.Minute, nil)
		// Down from 09:30 to 09:40 the next day: the 09:00 run was missed.
		run(t, st, in, jobs, utc("2026-03-03T08:40:00Z"), time.Minute, nil)
		// Restarted twice more: nothing new.
		run(t, st, in, jobs, utc("2026-03-03T08:50:00Z"), time.Minute, nil)
		run(t, st, in, jobs, utc("2026-03-03T09:10:00Z"), time.Minute, nil)
		scheduled, built := sent(t, st)
		if got, want := strings.Join(scheduled, " "), "2026-03-02T08:00:00Z 2026-03-03T08:00:00Z"; got != want {
			t.Fatalf("scheduled %s, want %s", got, want)
		}
		if built[1] != "2026-03-03T08:40:00Z" {
			t.Errorf("the missed run was built at %s, want on start at 08:40", built[1])
		}

		// With a 30-minute window, a run missed by 40 minutes is too old.
		late := []Job{job(t, "CRON_TZ=Europe/Berlin 0 9 * * *", 30*time.Minute)}
		late[0].Key = "2-test"
		run(t, st, in, late, utc("2026-03-03T07:00:00Z"), time.Minute, nil) // configured the day before
		run(t, st, in, late, utc("2026-03-04T08:40:00Z"), time.Minute, nil)
		if scheduled, _ := sent(t, st); len(scheduled) != 2 {
			t.Errorf("a run older than its window was sent: %v", scheduled)
		}

		// A digest configured at 09:30 does not send the 09:00 run.
		fresh := openStore(t, filepath.Join(t.TempDir(), "fresh.db"))
		defer fresh.Close()
		run(t, fresh, quietInputs(fresh), jobs, utc("2026-03-03T08:30:00Z"), time.Minute, nil)
		if scheduled, _ := sent(t, fresh); len(scheduled) != 0 {
			t.Errorf("a new digest sent a run from before it existed: %v", scheduled)
		}
	})
}

func TestSchedulerSkipIfQuiet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
		defer st.Close()
		v := &view{snaps: []bot.Snapshot{{Name: "GitHub", Status: sources.Operational}}}
		in := Inputs{View: v, History: st}
		skip := job(t, "CRON_TZ=UTC 0 9 * * *", 24*time.Hour)
		skip.SkipIfQuiet = true
		always := job(t, "CRON_TZ=UTC 0 9 * * *", 24*time.Hour)
		always.Key = "2-test"
		jobs := []Job{skip, always}

		// Mar 2: quiet. Only the digest without skip_if_quiet goes out.
		run(t, st, in, jobs, utc("2026-03-02T08:00:00Z"), 2*time.Hour, nil)
		if scheduled, _ := sent(t, st); len(scheduled) != 1 {
			t.Fatalf("quiet day: %d digests, want 1", len(scheduled))
		}
		// The skipped run is recorded: a restart does not send it late.
		run(t, st, in, jobs, utc("2026-03-02T10:00:00Z"), time.Minute, nil)
		if scheduled, _ := sent(t, st); len(scheduled) != 1 {
			t.Fatalf("after a restart: %d digests, want 1", len(scheduled))
		}
		// Mar 3: GitHub is down. Both go out.
		v.snaps[0].Status = sources.MajorOutage
		run(t, st, in, jobs, utc("2026-03-03T08:00:00Z"), 2*time.Hour, nil)
		if scheduled, _ := sent(t, st); len(scheduled) != 3 {
			t.Fatalf("day with trouble: %d digests, want 3", len(scheduled))
		}
	})
}

// flaky fails its first calls.
type flaky struct {
	bot.History
	fails int
}

func (f *flaky) Outages(ctx context.Context, since time.Time, target string) ([]outage.Outage, error) {
	if f.fails > 0 {
		f.fails--
		return nil, context.DeadlineExceeded
	}
	return f.History.Outages(ctx, since, target)
}

// A run that fails is retried; one that panics is given up without
// stopping the scheduler.
func TestSchedulerFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
		defer st.Close()
		v := &view{snaps: []bot.Snapshot{{Name: "GitHub", Status: sources.Operational}}}
		in := Inputs{View: v, History: &flaky{History: st, fails: 2}}
		jobs := []Job{job(t, "CRON_TZ=UTC 0 9 * * *", 24*time.Hour)}
		var log logs
		run(t, st, in, jobs, utc("2026-03-02T08:00:00Z"), 2*time.Hour, &log)
		if _, built := sent(t, st); len(built) != 1 || built[0] != "2026-03-02T09:01:00Z" {
			t.Errorf("built %v, want once after two retries 30s apart", built)
		}
		if n := strings.Count(log.String(), "will retry"); n != 2 {
			t.Errorf("%d retries logged:\n%s", n, log.String())
		}

		// The first panic hits the start-up check of Mar 2's run (sent
		// already), the second Mar 3's run.
		v.panics = 2
		run(t, st, in, jobs, utc("2026-03-03T08:00:00Z"), 25*time.Hour, &log)
		if _, built := sent(t, st); strings.Join(built, " ") != "2026-03-02T09:01:00Z 2026-03-04T09:00:00Z" {
			t.Errorf("built %v: the run after a panic should go out", built)
		}
		if !strings.Contains(log.String(), "snapshots exploded") {
			t.Errorf("the panic was not logged:\n%s", log.String())
		}
	})
}
