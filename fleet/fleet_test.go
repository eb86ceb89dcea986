package fleet

import (
	"fmt"
	"testing"
	"time"

	"github.com/outagebot/outagebot/store"
)

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// Rendezvous hashing: when a replica leaves, only its keys move, and the
// keys spread over the replicas about evenly.
func TestOwner(t *testing.T) {
	four := []string{"r1", "r2", "r3", "r4"}
	three := []string{"r1", "r2", "r4"}
	count := map[string]int{}
	const n = 10000
	for i := range n {
		key := fmt.Sprintf("target-%d", i)
		before, after := Owner(key, four), Owner(key, three)
		count[before]++
		if before != "r3" && after != before {
			t.Fatalf("%s moved from %s to %s though %s stayed", key, before, after, before)
		}
		if after == "r3" {
			t.Fatalf("%s owned by a replica that left", key)
		}
	}
	for _, id := range four {
		if c := count[id]; c < n/4*8/10 || c > n/4*12/10 {
			t.Errorf("%s owns %d of %d keys, want about %d", id, c, n, n/4)
		}
	}
	if Owner("x", nil) != "" {
		t.Error("owner among no replicas")
	}
}

func row(loc string, ok bool, verdict string, age time.Duration) store.PollResult {
	status := "operational"
	if !ok {
		status = "major_outage"
	}
	return store.PollResult{Target: "api", Location: loc, At: t0.Add(-age), OK: ok, Status: status, Verdict: verdict, Latency: 20 * time.Millisecond}
}

func TestCombine(t *testing.T) {
	live := []string{"ap-south", "eu-west", "us-east"}
	probe := Probe{Name: "api", Locations: live, Quorum: 2, Interval: 30 * time.Second}
	stale := 70 * time.Second
	tests := []struct {
		name      string
		probe     Probe
		rows      []store.PollResult
		live      []string
		unhealthy map[string]bool
		failing   bool
		detail    string
		err       bool
	}{
		{name: "all fine", probe: probe, live: live,
			rows:   []store.PollResult{row("ap-south", true, "ok", 0), row("eu-west", true, "ok", 0), row("us-east", true, "", 0)},
			detail: "fine from ap-south, eu-west and us-east"},
		{name: "one fails, below quorum", probe: probe, live: live,
			rows:   []store.PollResult{row("ap-south", true, "ok", 0), row("eu-west", false, "failing", 0), row("us-east", true, "ok", 0)},
			detail: "failing from eu-west; fine from ap-south and us-east"},
		{name: "two fail: quorum", probe: probe, live: live, failing: true,
			rows:   []store.PollResult{row("ap-south", true, "ok", 0), row("eu-west", false, "failing", 0), row("us-east", false, "failing", 0)},
			detail: "failing from eu-west and us-east; fine from ap-south"},
		{name: "failing result below the location's threshold does not count", probe: probe, live: live,
			rows:   []store.PollResult{row("ap-south", true, "ok", 0), row("eu-west", false, "failing", 0), row("us-east", false, "ok", 0)},
			detail: "failing from eu-west; fine from ap-south and us-east"},
		{name: "unhealthy location left out", probe: probe, live: live, unhealthy: map[string]bool{"us-east": true},
			rows:   []store.PollResult{row("ap-south", true, "ok", 0), row("eu-west", false, "failing", 0), row("us-east", false, "failing", 0)},
			detail: "failing from eu-west; fine from ap-south; left out: us-east"},
		{name: "stale and dead locations left out", probe: probe, live: []string{"eu-west", "us-east"},
			rows:   []store.PollResult{row("ap-south", false, "failing", 0), row("eu-west", false, "failing", 0), row("us-east", false, "failing", 2*time.Minute)},
			detail: "failing from eu-west; left out: ap-south and us-east"},
		{name: "every live location by default, majority quorum", probe: Probe{Name: "api", Interval: time.Minute}, live: []string{"eu-west", "us-east"}, failing: true,
			rows:   []store.PollResult{row("eu-west", false, "failing", 0), row("us-east", false, "failing", 0)},
			detail: "failing from eu-west and us-east"},
		{name: "nothing to count", probe: probe, live: live, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := map[string]store.PollResult{}
			for _, r := range tt.rows {
				rows[r.Location] = r
			}
			j := Combine(tt.probe, rows, tt.live, tt.unhealthy, stale, t0)
			if (j.Err != nil) != tt.err {
				t.Fatalf("err %v, want error %v", j.Err, tt.err)
			}
			if tt.err {
				return
			}
			if j.Failing != tt.failing || j.Obs.Components[0].Detail != tt.detail {
				t.Errorf("failing %v %q, want %v %q", j.Failing, j.Obs.Components[0].Detail, tt.failing, tt.detail)
			}
			if j.Failing != j.Obs.Components[0].Status.IsProblem() {
				t.Errorf("status %s for failing %v", j.Obs.Components[0].Status, j.Failing)
			}
		})
	}
}

func TestHealth(t *testing.T) {
	live := []string{"a", "b", "c"}
	probes := []Probe{{Name: "x"}, {Name: "y"}, {Name: "z", Locations: []string{"a", "b"}}}
	type res struct {
		target, loc string
		ok          bool
	}
	tests := []struct {
		name    string
		results []res
		want    []string
	}{
		{"all fine", []res{{"x", "c", true}, {"y", "c", true}, {"x", "a", true}}, nil},
		{"c reaches nothing, others do", []res{{"x", "c", false}, {"y", "c", false}, {"x", "a", true}}, []string{"c"}},
		{"c reaches nothing, nobody else either: not c's fault", []res{{"x", "c", false}, {"y", "c", false}, {"x", "a", false}, {"y", "b", false}}, nil},
		{"one probe only", []res{{"x", "c", false}, {"x", "a", true}}, nil},
		{"c reaches one", []res{{"x", "c", false}, {"y", "c", true}, {"x", "a", true}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := map[string]map[string]store.PollResult{}
			for _, r := range tt.results {
				if rows[r.target] == nil {
					rows[r.target] = map[string]store.PollResult{}
				}
				rows[r.target][r.loc] = store.PollResult{Target: r.target, Location: r.loc, OK: r.ok, At: t0}
			}
			h := &Health{}
			got := h.Unhealthy(probes, rows, live, time.Minute, t0)
			if len(got) != len(tt.want) {
				t.Fatalf("unhealthy %v, want %v", got, tt.want)
			}
			for _, w := range tt.want {
				if !got[w] {
					t.Errorf("unhealthy %v, want %v", got, tt.want)
				}
			}
			// One notice per location, opened once and ended once.
			if ch := h.Step(got, t0); len(ch) != len(tt.want) {
				t.Errorf("%d notices, want %d", len(ch), len(tt.want))
			}
			if ch := h.Step(got, t0.Add(time.Second)); len(ch) != 0 {
				t.Errorf("notices again: %+v", ch)
			}
			if ch := h.Step(nil, t0.Add(2*time.Second)); len(ch) != len(tt.want) {
				t.Errorf("%d notices ended, want %d", len(ch), len(tt.want))
			}
		})
	}
}
