package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// scriptedSource returns whatever the test put in obs.
type scriptedSource struct{ obs sources.Observation }

func (s *scriptedSource) Poll(context.Context) (sources.Observation, error) { return s.obs, nil }

type runnerFixture struct {
	r     *Runner
	st    *store.Store
	src   map[string]*scriptedSource
	mutes *Mutes
	now   time.Time
}

func newRunnerFixture(t *testing.T, names ...string) *runnerFixture {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &runnerFixture{st: st, src: map[string]*scriptedSource{}, now: t0}
	var targets []*Target
	for _, n := range names {
		f.src[n] = &scriptedSource{obs: probeObs(sources.Operational, "")}
		targets = append(targets, &Target{Job: Job{Name: n, Interval: time.Minute}, Type: "http", Timeout: time.Second,
			Source: f.src[n], Policy: Policy{Probe: true, FailureThreshold: 1, SuccessThreshold: 1}, Dests: []string{"ops/slack"}})
	}
	f.r = NewRunner(&Engine{}, st, slog.New(slog.DiscardHandler), NewMetrics(prometheus.NewRegistry()), targets)
	f.r.Now = func() time.Time { return f.now }
	f.mutes, err = NewMutes(context.Background(), st, t0)
	if err != nil {
		t.Fatal(err)
	}
	f.r.Mutes = f.mutes
	return f
}

func (f *runnerFixture) poll(t *testing.T, name string, s sources.Status) {
	t.Helper()
	f.now = f.now.Add(time.Minute)
	f.src[name].obs = probeObs(s, "HTTP 503")
	for _, j := range f.r.Jobs() {
		if j.Name == name {
			f.r.Poll(context.Background(), j)
		}
	}
}

// queued returns the kinds of queued events, oldest first, and settles them.
func (f *runnerFixture) queued(t *testing.T) []string {
	t.Helper()
	var out []string
	for {
		due, err := f.st.Due(context.Background(), "ops/slack", f.now.Add(time.Hour), 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) == 0 {
			return out
		}
		for _, it := range due {
			out = append(out, it.Event.Target+":"+string(it.Event.Kind))
			if err := f.st.Settle(context.Background(), store.Settlement{Item: it, Outcome: store.Delivered, Ref: "x"}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestMuteSilencesNewOutagesOnly(t *testing.T) {
	f := newRunnerFixture(t, "A", "B")
	ctx := context.Background()

	f.poll(t, "A", sources.MajorOutage) // A's outage begins before the mute
	if got := f.queued(t); len(got) != 1 || got[0] != "A:opened" {
		t.Fatalf("before the mute: %v", got)
	}
	for _, n := range []string{"A", "B"} {
		if err := f.mutes.Mute(ctx, Mute{Target: n, Until: f.now.Add(time.Hour), By: "alice"}); err != nil {
			t.Fatal(err)
		}
	}
	f.poll(t, "B", sources.MajorOutage) // B's begins during the mute: stored, not queued
	f.poll(t, "A", sources.Operational) // A's thread still gets its restoration
	if got := f.queued(t); len(got) != 1 || got[0] != "A:resolved" {
		t.Fatalf("during the mute: %v", got)
	}
	outs, _ := f.st.Outages(ctx, time.Time{}, "B")
	if len(outs) != 1 {
		t.Fatalf("a muted target's outage must still be tracked: %v", outs)
	}

	f.now = f.now.Add(2 * time.Hour) // the mute ends while B is still down
	f.poll(t, "B", sources.Degraded)
	if got := f.queued(t); len(got) != 1 || got[0] != "B:updated" {
		t.Fatalf("after the mute, B's next event should be announced: %v", got)
	}
}

// flakyStore commits (or not) and then reports an error, as a connection
// dropped at COMMIT would.
type flakyStore struct {
	*store.Store
	lostAck bool // commit, then report failure
	// lostAckDown goes down right after the lost acknowledgement, so the
	// runner cannot tell at once whether the commit landed.
	lostAckDown bool
	down        bool // fail without committing, reads fail too
	commits     int
}

func (f *flakyStore) Commit(ctx context.Context, c store.Commit) ([]outage.Event, error) {
	if f.down {
		return nil, errors.New("database is locked")
	}
	evs, err := f.Store.Commit(ctx, c)
	f.commits++
	if err == nil && f.lostAck {
		f.lostAck = false
		f.down = f.lostAckDown
		return nil, errors.New("connection reset by peer")
	}
	return evs, err
}

func (f *flakyStore) LoadState(ctx context.Context, target string) ([]byte, error) {
	if f.down {
		return nil, errors.New("database is locked")
	}
	return f.Store.LoadState(ctx, target)
}

func TestLostCommitAcknowledgementAnnouncesNothingTwice(t *testing.T) {
	f := newRunnerFixture(t, "A")
	fs := &flakyStore{Store: f.st, lostAck: true}
	f.r.Store = fs
	f.poll(t, "A", sources.MajorOutage) // committed, but reported as failed
	f.poll(t, "A", sources.MajorOutage)
	f.poll(t, "A", sources.Operational)
	if got := fmt.Sprint(f.queued(t)); got != "[A:opened A:resolved]" {
		t.Errorf("queued %s, want one opened and one resolved", got)
	}
}

func TestSteadySlowProbeIsNotCommittedEveryPoll(t *testing.T) {
	f := newRunnerFixture(t, "A")
	fs := &flakyStore{Store: f.st}
	f.r.Store = fs
	for range 20 {
		f.now = f.now.Add(time.Minute)
		f.src["A"].obs = probeObs(sources.Degraded, fmt.Sprintf("slow: %dms, threshold 100ms", 150+f.now.Minute()))
		f.r.Poll(context.Background(), f.r.Jobs()[0])
	}
	// Streaks count up to the largest threshold (3), then nothing changes.
	if fs.commits > 3 {
		t.Errorf("%d commits for one steady slow probe over 20 polls, want at most 3", fs.commits)
	}
}

func TestVanishedComponentsAreReported(t *testing.T) {
	f := newRunnerFixture(t, "V")
	var logs bytes.Buffer
	f.r.Log = slog.New(slog.NewTextHandler(&logs, nil))
	tgt := f.r.tab.Load().targets["V"]
	tgt.Policy = Policy{FailureThreshold: 1, SuccessThreshold: 1, Components: []string{"API", "Sora"}}
	f.src["V"].obs = obs(comps(op, op))
	for range 3 {
		f.r.Poll(context.Background(), &tgt.Job)
	}
	if n := strings.Count(logs.String(), "not on the status page"); n != 1 || !strings.Contains(logs.String(), "missing=Sora") {
		t.Errorf("want one warning about Sora, got:\n%s", logs.String())
	}
	f.src["V"].obs = obs(comps(op, op, op))
	f.r.Poll(context.Background(), &tgt.Job)
	if !strings.Contains(logs.String(), "configured components are on the status page again") {
		t.Errorf("recovery not reported:\n%s", logs.String())
	}
}

// windowFunc is a configured silence as a function (package silence builds
// the real ones; it imports this package).
type windowFunc func(target string, at time.Time) (Mute, bool)

func (f windowFunc) Silenced(target string, at time.Time) (Mute, bool) { return f(target, at) }

func TestSilenceWindowHoldsBackLikeAMute(t *testing.T) {
	f := newRunnerFixture(t, "A", "B")
	start, end := t0.Add(90*time.Second), t0.Add(time.Hour)
	f.mutes.SetWindows(windowFunc(func(target string, at time.Time) (Mute, bool) {
		if at.Before(start) || !at.Before(end) {
			return Mute{}, false
		}
		return Mute{Target: target, Until: end, By: "configuration", Reason: "maintenance", Scheduled: true}, true
	}))

	f.poll(t, "A", sources.MajorOutage) // t0+1m: before the window
	if got := fmt.Sprint(f.queued(t)); got != "[A:opened]" {
		t.Fatalf("before the window: %s", got)
	}
	f.poll(t, "B", sources.MajorOutage) // t0+2m: in the window
	f.poll(t, "A", sources.Operational)
	if got := fmt.Sprint(f.queued(t)); got != "[A:resolved]" {
		t.Fatalf("in the window: %s, want only the restoration of the thread already posted", got)
	}
	if m, ok := f.mutes.Muted("B", f.now); !ok || !m.Scheduled || m.Reason != "maintenance" {
		t.Errorf("Muted(B) = %+v, %v", m, ok)
	}
	f.now = end
	f.poll(t, "B", sources.Degraded)
	if got := fmt.Sprint(f.queued(t)); got != "[B:updated]" {
		t.Fatalf("after the window: %s, want B announced with its next event", got)
	}
}

// A target that flaps while muted stays quiet: the outage that comes back
// soon after it ended is the same unannounced one, not news.
func TestMutedFlapStaysQuiet(t *testing.T) {
	f := newRunnerFixture(t, "A")
	if err := f.mutes.Mute(context.Background(), Mute{Target: "A", Until: f.now.Add(time.Hour), By: "alice"}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []sources.Status{sources.MajorOutage, sources.Operational, sources.MajorOutage} {
		f.poll(t, "A", s)
	}
	if got := f.queued(t); len(got) != 0 {
		t.Errorf("a flap during the mute was announced: %v", got)
	}
}

// failingSource fails every poll while fail is set.
type failingSource struct{ fail bool }

func (s *failingSource) Poll(context.Context) (sources.Observation, error) {
	if s.fail {
		return sources.Observation{}, errors.New("GET https://status.example/api/v2/summary.json: HTTP 503")
	}
	return sources.Observation{Components: []sources.Component{{ID: "api", Name: "API", Status: sources.Operational}}}, nil
}

// A failure of a target's first poll is logged at DEBUG when the start-up
// table shows it, at WARN otherwise; a later failure, which no table shows,
// always at WARN.
func TestFirstPollFailureLogLevel(t *testing.T) {
	for _, tc := range []struct {
		table       bool
		first, then string
	}{
		{true, "DEBUG", "WARN"},
		{false, "WARN", "WARN"},
	} {
		st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		src := &failingSource{fail: true}
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
		r := NewRunner(&Engine{}, st, log, NewMetrics(prometheus.NewRegistry()), []*Target{{Job: Job{Name: "Vendor", Interval: time.Minute},
			Type: "statuspage", Timeout: time.Second, Source: src, Policy: Policy{FailureThreshold: 1, SuccessThreshold: 1}, Dests: []string{"ops/slack"}}})
		r.Now = func() time.Time { return t0 }
		r.TableShowsFirstPoll = tc.table
		poll := func() { r.Poll(context.Background(), r.Jobs()[0]) }
		poll() // fails: the table shows it
		src.fail = false
		poll()
		src.fail = true
		poll() // fails again, long after the table
		var levels []string
		for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			if strings.Contains(l, `msg="poll failed"`) {
				lvl, _, _ := strings.Cut(strings.TrimPrefix(l, "level="), " ")
				levels = append(levels, lvl)
			}
		}
		if want := []string{tc.first, tc.then}; strings.Join(levels, ",") != strings.Join(want, ",") {
			t.Errorf("table %v: poll failures logged at %v, want %v\n%s", tc.table, levels, want, logs.String())
		}
	}
}
