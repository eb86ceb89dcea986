package fleet

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// engineOf is the leader's engine as the collector sees it: each
// observation goes through the engine with the policy the app gives a
// probe run from locations, and the state through JSON, as the store keeps
// it.
type engineOf struct {
	t      *testing.T
	e      *bot.Engine
	pol    bot.Policy
	now    func() time.Time
	st     bot.TargetState
	events []outage.Event
}

func (f *engineOf) Observe(_ context.Context, name string, obs sources.Observation, pollErr error, _ time.Duration, _ []bot.LocationSnapshot) {
	f.st.Target = name
	ch := f.e.Apply(&f.st, f.pol, obs, pollErr, f.now())
	f.events = append(f.events, ch.Events...)
	data, err := json.Marshal(f.st)
	if err != nil {
		f.t.Fatal(err)
	}
	f.st = bot.TargetState{}
	if err := json.Unmarshal(data, &f.st); err != nil {
		f.t.Fatal(err)
	}
}

func (f *engineOf) CommitNotice(context.Context, string, []byte, []outage.Outage, []outage.Event) error {
	return nil
}

// take returns the events made since the last take.
func (f *engineOf) take() []outage.Event {
	evs := f.events
	f.events = nil
	return evs
}

// From the locations' results in the store to the thread: the outage of a
// probe failing from one location tells its thread when it fails from all
// three, says nothing when a location's replica goes, and tells it again
// when a location recovers.
func TestCollectorTellsWhereAProbeFailsNow(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })

	now := t0
	clock := func() time.Time { return now }
	locs := []string{"eu-west", "us-east", "ap-south"}
	const lease = time.Minute
	const failN, okN = 2, 1
	eng := &engineOf{t: t, e: &bot.Engine{NewID: func() string { return "o1" }}, now: clock,
		pol: bot.Policy{Probe: true, Verdict: true, FailureThreshold: 1, SuccessThreshold: 1}}
	c := &Collector{Store: s, Engine: eng, Lease: lease, Health: &Health{Min: -1}, Now: clock,
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Probes: []Probe{{Name: "api", Locations: locs, Quorum: 1, Interval: 30 * time.Second}}}

	// poll has the replica in each location of up heartbeat and write its
	// result (failing where fails says), then the collector step.
	poll := func(up []string, fails map[string]bool) []outage.Event {
		t.Helper()
		for _, loc := range up {
			if err := s.Heartbeat(ctx, "r-"+loc, loc, lease, now); err != nil {
				t.Fatal(err)
			}
			r := store.PollResult{Target: "api", Location: loc, Replica: "r-" + loc, At: now, OK: !fails[loc], Status: "operational"}
			if fails[loc] {
				r.Status, r.Error = "major_outage", "HTTP 502"
			}
			if err := s.PutResult(ctx, r, failN, okN); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Step(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(30 * time.Second)
		return eng.take()
	}
	bodies := func(evs []outage.Event) []string {
		var out []string
		for _, ev := range evs {
			out = append(out, string(ev.Kind)+": "+ev.Body)
		}
		return out
	}
	steps := []struct {
		up    []string
		fails map[string]bool
		want  []string
	}{
		{locs, nil, nil},
		// eu-west fails its threshold's two results in a row.
		{locs, map[string]bool{"eu-west": true}, nil},
		{locs, map[string]bool{"eu-west": true}, []string{"opened: Failing from eu-west; fine from us-east and ap-south."}},
		{locs, map[string]bool{"eu-west": true, "us-east": true, "ap-south": true}, nil},
		{locs, map[string]bool{"eu-west": true, "us-east": true, "ap-south": true},
			[]string{"updated: Now failing from eu-west, us-east and ap-south (was: eu-west)."}},
		// ap-south's replica stops; its lease runs out two polls later.
		{locs[:2], map[string]bool{"eu-west": true, "us-east": true}, nil},
		{locs[:2], map[string]bool{"eu-west": true, "us-east": true}, nil},
		{locs[:2], map[string]bool{"eu-west": true, "us-east": true}, nil},
		// us-east answers again.
		{locs[:2], map[string]bool{"eu-west": true}, []string{"updated: Now failing from eu-west (was: eu-west, us-east and ap-south); fine from us-east; left out: ap-south."}},
	}
	for i, st := range steps {
		got := bodies(poll(st.up, st.fails))
		if len(got) != len(st.want) || (len(got) > 0 && got[0] != st.want[0]) {
			t.Fatalf("step %d: got %q, want %q", i, got, st.want)
		}
	}
}
