package bot

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/sources"
)

// spreadObs is the verdict of a probe run from several locations: status s,
// failing from failing, fine from fine, with out left out of the quorum.
// Its words are those the locations' verdict has (see package fleet).
func spreadObs(s sources.Status, failing, fine, out []string) sources.Observation {
	sp := sources.Spread{Failing: failing, Fine: fine, Out: out}
	where := "fine from " + strings.Join(fine, ", ")
	if t, ok := spreadText(&sp, false, nil); ok {
		where = english(t)
	}
	o := probeObs(s, where)
	o.Components[0].Spread = &sp
	return o
}

func verdictPolicy(failN, okN int) Policy {
	return Policy{Probe: true, Verdict: true, FailureThreshold: failN, SuccessThreshold: okN, UnreachableThreshold: 3}
}

// Where a multi-location probe fails is told in its open outage's thread
// once a new set of failing locations has held for the failure threshold;
// locations left out of the quorum are not news.
func TestEngineFailingLocationsChange(t *testing.T) {
	var (
		eu, us, ap = "eu-west", "us-east", "ap-south"
		maj        = sources.MajorOutage
		all        = []string{eu, us, ap}
		one        = []string{eu}
		rest       = []string{us, ap}
	)
	failing := func(min int, s sources.Status, failing, fine, out []string) poll {
		return poll{Min: min, Obs: spreadObs(s, failing, fine, out)}
	}
	opened := "opened o1#1 major_outage: Failing from eu-west; fine from us-east and ap-south."
	tests := []struct {
		name  string
		pol   Policy
		polls []poll
		want  [][]string
	}{
		{
			name:  "the set grows",
			pol:   verdictPolicy(1, 1),
			polls: []poll{failing(0, maj, one, rest, nil), failing(1, maj, all, nil, nil), failing(2, maj, all, nil, nil)},
			want: [][]string{{opened},
				{"updated o1#2 major_outage: Now failing from eu-west, us-east and ap-south (was: eu-west)."}, nil},
		},
		{
			name: "the set grows and holds for the failure threshold",
			pol:  verdictPolicy(2, 1),
			polls: []poll{failing(0, maj, one, rest, nil), failing(1, maj, one, rest, nil),
				failing(2, maj, all, nil, nil), failing(3, maj, all, nil, nil), failing(4, maj, all, nil, nil)},
			want: [][]string{nil, {opened}, nil,
				{"updated o1#2 major_outage: Now failing from eu-west, us-east and ap-south (was: eu-west)."}, nil},
		},
		{
			name: "it recovers in two of three locations but still fails the quorum",
			pol:  verdictPolicy(2, 1),
			polls: []poll{failing(0, maj, all, nil, nil), failing(1, maj, all, nil, nil),
				failing(2, maj, one, rest, nil), failing(3, maj, one, rest, nil)},
			want: [][]string{nil, {"opened o1#1 major_outage: Failing from eu-west, us-east and ap-south."}, nil,
				{"updated o1#2 major_outage: Now failing from eu-west (was: eu-west, us-east and ap-south); fine from us-east and ap-south."}},
		},
		{
			name: "a location flapping for fewer polls than the threshold says nothing",
			pol:  verdictPolicy(3, 1),
			polls: []poll{failing(0, maj, one, rest, nil), failing(1, maj, one, rest, nil), failing(2, maj, one, rest, nil),
				failing(3, maj, []string{eu, us}, []string{ap}, nil), failing(4, maj, []string{eu, us}, []string{ap}, nil),
				failing(5, maj, one, rest, nil),
				failing(6, maj, []string{eu, us}, []string{ap}, nil), failing(7, maj, []string{eu, ap}, []string{us}, nil),
				failing(8, maj, []string{eu, us}, []string{ap}, nil), failing(9, maj, []string{eu, us}, []string{ap}, nil)},
			want: [][]string{nil, nil, {opened}, nil, nil, nil, nil, nil, nil, nil},
		},
		{
			name: "a poll below the quorum breaks the streak",
			pol:  verdictPolicy(2, 3),
			polls: []poll{failing(0, maj, one, rest, nil), failing(1, maj, one, rest, nil),
				failing(2, maj, []string{eu, us}, []string{ap}, nil),
				failing(3, sources.Operational, one, rest, nil),
				failing(4, maj, []string{eu, us}, []string{ap}, nil), failing(5, maj, []string{eu, us}, []string{ap}, nil)},
			want: [][]string{nil, {opened}, nil, nil, nil,
				{"updated o1#2 major_outage: Now failing from eu-west and us-east (was: eu-west); fine from ap-south."}},
		},
		{
			name: "locations left out are not news",
			pol:  verdictPolicy(1, 1),
			polls: []poll{
				failing(0, maj, []string{eu, us}, []string{ap}, nil),
				// ap-south's replica goes, then us-east's results go stale.
				failing(1, maj, []string{eu, us}, nil, []string{ap}),
				failing(2, maj, one, nil, rest),
				// us-east is back and fails as before.
				failing(3, maj, []string{eu, us}, nil, []string{ap}),
				failing(4, maj, []string{eu, us}, []string{ap}, nil),
				// us-east recovers: that is news.
				failing(5, maj, one, rest, nil),
			},
			want: [][]string{{"opened o1#1 major_outage: Failing from eu-west and us-east; fine from ap-south."}, nil, nil, nil, nil,
				{"updated o1#2 major_outage: Now failing from eu-west (was: eu-west and us-east); fine from us-east and ap-south."}},
		},
		{
			name: "a location back from being left out, failing, is news",
			pol:  verdictPolicy(1, 1),
			polls: []poll{failing(0, maj, one, []string{us}, []string{ap}),
				failing(1, maj, []string{eu, ap}, []string{us}, nil)},
			want: [][]string{{"opened o1#1 major_outage: Failing from eu-west; fine from us-east; left out: ap-south."},
				{"updated o1#2 major_outage: Now failing from eu-west and ap-south (was: eu-west); fine from us-east."}},
		},
		{
			name: "a change of severity and of locations in one poll is one reply",
			pol:  verdictPolicy(1, 1),
			polls: []poll{failing(0, maj, one, rest, nil), failing(1, sources.Degraded, all, nil, nil),
				failing(2, maj, all, nil, nil)},
			want: [][]string{{opened},
				{"updated o1#2 degraded: Now degraded performance (was major outage): failing from eu-west, us-east and ap-south (was: eu-west)"},
				{"updated o1#3 major_outage: Now major outage (was degraded performance): failing from eu-west, us-east and ap-south"}},
		},
		{
			name: "a change of severity tells the locations before they held",
			pol:  verdictPolicy(2, 1),
			polls: []poll{failing(0, sources.Degraded, one, rest, nil), failing(1, sources.Degraded, one, rest, nil),
				failing(2, maj, one, rest, nil), failing(3, maj, all, nil, nil), failing(4, maj, all, nil, nil)},
			want: [][]string{nil, {"opened o1#1 degraded: Failing from eu-west; fine from us-east and ap-south."}, nil,
				{"updated o1#2 major_outage: Now major outage (was degraded performance): failing from eu-west, us-east and ap-south (was: eu-west)"}, nil},
		},
		{
			name: "a thread reopened tells where it fails now",
			pol:  verdictPolicy(1, 1),
			polls: []poll{failing(0, maj, one, rest, nil), failing(1, sources.Operational, nil, all, nil),
				failing(2, maj, all, nil, nil), failing(3, maj, all, nil, nil)},
			want: [][]string{{opened}, {"resolved o1#2 major_outage after 1m: Responding normally again."},
				{"updated o1#3 major_outage: The problem is back, 1m after it was resolved: Failing from eu-west, us-east and ap-south."}, nil},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, tt.pol, tt.polls, &TargetState{Target: "API"})
			for i := range tt.polls {
				if strings.Join(got[i], "\n") != strings.Join(tt.want[i], "\n") {
					t.Errorf("poll %d (minute %d):\n got: %q\nwant: %q", i, tt.polls[i].Min, got[i], tt.want[i])
				}
			}
		})
	}
}

// An outage stored before the engine kept the locations it told takes on
// the current ones on the first poll after the upgrade without a word, and
// tells later changes from them.
func TestEngineFailingLocationsAfterUpgrade(t *testing.T) {
	pol := verdictPolicy(1, 1)
	st := &TargetState{Target: "API"}
	got := run(t, pol, []poll{{Min: 0, Obs: spreadObs(sources.MajorOutage, []string{"eu-west"}, []string{"us-east", "ap-south"}, nil)}}, st)
	if len(got[0]) != 1 {
		t.Fatalf("first poll: %q", got[0])
	}
	st = oldState(t, st)

	all := []string{"eu-west", "us-east", "ap-south"}
	got = run(t, pol, []poll{
		{Min: 1, Obs: spreadObs(sources.MajorOutage, all, nil, nil)},
		{Min: 2, Obs: spreadObs(sources.MajorOutage, all, nil, nil)},
		{Min: 3, Obs: spreadObs(sources.MajorOutage, []string{"eu-west"}, []string{"us-east", "ap-south"}, nil)},
	}, st)
	want := [][]string{nil, nil,
		{"updated o1#2 major_outage: Now failing from eu-west (was: eu-west, us-east and ap-south); fine from us-east and ap-south."}}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("poll %d:\n got: %q\nwant: %q", i, got[i], want[i])
		}
	}
}

// oldState is st as a version that did not keep an outage's told locations
// stored it: without the fields.
func oldState(t *testing.T, st *TargetState) *TargetState {
	t.Helper()
	data, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, o := range raw["outages"].(map[string]any) {
		tr := o.(map[string]any)
		for _, k := range []string{"failing", "moving", "moving_streak"} {
			if _, ok := tr[k]; ok {
				found = found || k == "failing"
				delete(tr, k)
			}
		}
	}
	if !found {
		t.Fatal("the open outage stores no failing locations")
	}
	if data, err = json.Marshal(raw); err != nil {
		t.Fatal(err)
	}
	old := &TargetState{}
	if err := json.Unmarshal(data, old); err != nil {
		t.Fatal(err)
	}
	return old
}

// A probe run from one place has no locations to keep.
func TestEngineKeepsNoLocationsForOnePlace(t *testing.T) {
	st := &TargetState{Target: "API"}
	run(t, probe(), []poll{{0, probeObs(sources.MajorOutage, "HTTP 502"), nil}, {1, probeObs(sources.MajorOutage, "HTTP 502"), nil},
		{2, probeObs(sources.MajorOutage, "HTTP 502"), nil}}, st)
	tr := st.Outages[keyHealth]
	if tr == nil {
		t.Fatal("no outage open")
	}
	if tr.Failing != nil || tr.Moving != nil || tr.MovingStreak != 0 {
		t.Errorf("kept locations: %+v", tr)
	}
}
