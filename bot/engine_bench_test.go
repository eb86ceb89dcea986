package bot

import (
	"fmt"
	"testing"
	"time"

	"github.com/outagebot/outagebot/sources"
)

// largeObservation is a big vendor page: 200 components in 10 groups, 20
// open incidents with 5 updates each.
func largeObservation() sources.Observation {
	var obs sources.Observation
	for g := range 10 {
		obs.Components = append(obs.Components, sources.Component{ID: fmt.Sprintf("g%d", g), Name: fmt.Sprintf("Group %d", g), IsGroup: true, Status: sources.Operational})
		for c := range 20 {
			st := sources.Operational
			if c == 0 {
				st = sources.Degraded
			}
			obs.Components = append(obs.Components, sources.Component{ID: fmt.Sprintf("c%d-%d", g, c), Name: fmt.Sprintf("Component %d-%d", g, c), Group: fmt.Sprintf("Group %d", g), Status: st})
		}
	}
	for i := range 20 {
		in := sources.Incident{ID: fmt.Sprintf("inc%d", i), Title: fmt.Sprintf("Incident %d", i), Status: sources.IncidentIdentified, Impact: sources.Degraded,
			StartedAt: t0, ComponentIDs: []string{fmt.Sprintf("c%d-0", i%10)}}
		for u := range 5 {
			in.Updates = append(in.Updates, sources.IncidentUpdate{ID: fmt.Sprintf("inc%d-u%d", i, u), At: t0.Add(time.Duration(u) * time.Minute), Status: sources.IncidentIdentified, Body: "We are working on it."})
		}
		obs.Incidents = append(obs.Incidents, in)
	}
	return obs
}

// BenchmarkApplyVendorSteady is the common case: a big page that has not
// changed since the last poll.
func BenchmarkApplyVendorSteady(b *testing.B) {
	e := &Engine{}
	obs := largeObservation()
	st := &TargetState{Target: "Big"}
	e.Apply(st, vendor(), obs, nil, t0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if ch := e.Apply(st, vendor(), obs, nil, t0.Add(time.Duration(i)*time.Second)); !ch.Empty() {
			b.Fatal("steady page produced events")
		}
	}
}

// BenchmarkApplyProbe is one healthy probe result, the hot path at scale.
func BenchmarkApplyProbe(b *testing.B) {
	e := &Engine{}
	obs := probeObs(sources.Operational, "")
	st := &TargetState{Target: "Web"}
	b.ReportAllocs()
	for i := range b.N {
		e.Apply(st, probe(), obs, nil, t0.Add(time.Duration(i)*time.Second))
	}
}
