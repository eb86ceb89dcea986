package bot

import (
	"reflect"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// plainState must hold every TargetState field that a plain state can
// have set: a field it forgets would make two different states look the
// same, and a change of it would never be stored.
func TestPlainStateCoversTargetState(t *testing.T) {
	// Fields plainOf requires empty, and the snapshot, which is not
	// material.
	notPlain := map[string]bool{"Snapshot": true, "Outages": true, "Ignored": true, "Silenced": true, "Quiet": true, "Recent": true}
	plain := map[string]bool{}
	for f := range reflect.TypeFor[plainState]().Fields() {
		plain[f.Name] = true
	}
	for f := range reflect.TypeFor[TargetState]().Fields() {
		if !plain[f.Name] && !notPlain[f.Name] {
			t.Errorf("TargetState.%s is neither in plainState nor checked empty by plainOf", f.Name)
		}
	}
}

// Whatever the states, a mark says "same" exactly when the material
// encodings are equal, which is what decided a commit before.
func TestMaterialMarkAgreesWithEncoding(t *testing.T) {
	since := time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)
	// One Location value: two that are equal but distinct make == on their
	// times false, which costs a commit, never skips one.
	cet := time.FixedZone("CET", 3600)
	base := func() TargetState {
		return TargetState{Target: "Web", Initialized: true, GoodStreak: 6, GoodSince: since, SeverityStreak: 6, LastSeverity: sources.Operational,
			Snapshot: Snapshot{Name: "Web", Status: sources.Operational, Latency: time.Millisecond}}
	}
	open := func(st *TargetState) {
		st.Outages = map[string]*Tracked{"health": {Outage: outage.Outage{ID: "o1", Title: "Web is down", Severity: sources.MajorOutage}, ByHealth: true}}
	}
	tests := []struct {
		name string
		edit func(*TargetState)
	}{
		{"unchanged", func(*TargetState) {}},
		{"new snapshot only", func(st *TargetState) { st.Snapshot.Latency = 2 * time.Second; st.Snapshot.Error = "slow" }},
		{"streak", func(st *TargetState) { st.GoodStreak = 5 }},
		{"fail streak", func(st *TargetState) { st.FailStreak = 1 }},
		{"bad streak", func(st *TargetState) { st.BadStreak = 1 }},
		{"severity streak", func(st *TargetState) { st.SeverityStreak = 1 }},
		{"severity", func(st *TargetState) { st.LastSeverity = sources.Degraded }},
		{"good since", func(st *TargetState) { st.GoodSince = since.Add(time.Second) }},
		{"good since in another zone", func(st *TargetState) { st.GoodSince = since.In(cet) }},
		{"bad since", func(st *TargetState) { st.BadSince = since }},
		{"not initialized", func(st *TargetState) { st.Initialized = false }},
		{"empty maps", func(st *TargetState) {
			st.Outages, st.Ignored, st.Quiet, st.Silenced = map[string]*Tracked{}, map[string]sources.Status{}, map[string]sources.Status{}, []string{}
		}},
		{"outage opened", open},
		{"ignored incident", func(st *TargetState) { st.Ignored = map[string]sources.Status{"inc1": sources.Degraded} }},
		{"silenced", func(st *TargetState) { st.Silenced = []string{"o1"} }},
		{"quiet component", func(st *TargetState) { st.Quiet = map[string]sources.Status{"c1": sources.Degraded} }},
		{"recent", func(st *TargetState) { st.Recent = &Tracked{Outage: outage.Outage{ID: "o0"}} }},
	}
	// Every pair, from either a plain or an open-outage starting point.
	for _, from := range []struct {
		name string
		edit func(*TargetState)
	}{{"plain", func(*TargetState) {}}, {"open outage", open}} {
		for _, a := range tests {
			for _, b := range tests {
				x, y := base(), base()
				from.edit(&x)
				from.edit(&y)
				a.edit(&x)
				b.edit(&y)
				want := string(material(x)) == string(material(y))
				if got := markOf(&x).same(&y); got != want {
					t.Errorf("from %s: %q then %q: same = %v, encodings equal = %v", from.name, a.name, b.name, got, want)
				}
			}
		}
	}
}
