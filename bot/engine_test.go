package bot

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

var t0 = time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)

// poll is one step of a scenario: what the source returned at minute Min.
type poll struct {
	Min int
	Obs sources.Observation
	Err error
}

// step renders the events of one poll compactly: "opened:sev:body".
func run(t *testing.T, pol Policy, polls []poll, st *TargetState) [][]string {
	t.Helper()
	n := 0
	e := &Engine{NewID: func() string { n++; return fmt.Sprintf("o%d", n) }}
	if st == nil {
		st = &TargetState{Target: "Vendor"}
	}
	var out [][]string
	for _, p := range polls {
		ch := e.Apply(st, pol, p.Obs, p.Err, t0.Add(time.Duration(p.Min)*time.Minute))
		var evs []string
		for _, ev := range ch.Events {
			s := fmt.Sprintf("%s %s#%d %s", ev.Kind, ev.OutageID, ev.Seq, ev.Severity)
			if ev.Kind == outage.Resolved {
				s += " after " + outage.FormatDuration(ev.Duration())
			}
			s += ": " + ev.Body
			evs = append(evs, s)
		}
		out = append(out, evs)
		// Every step must survive a restart: round-trip the state.
		data, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		*st = TargetState{}
		if err := json.Unmarshal(data, st); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func comps(statuses ...sources.Status) []sources.Component {
	names := []string{"API", "ChatGPT", "Sora"}
	var cs []sources.Component
	for i, s := range statuses {
		cs = append(cs, sources.Component{ID: strings.ToLower(names[i]), Name: names[i], Status: s})
	}
	return cs
}

func inc(id string, phase sources.IncidentStatus, impact sources.Status, compIDs []string, updates ...string) sources.Incident {
	i := sources.Incident{ID: id, Title: "Elevated errors", Status: phase, Impact: impact, URL: "https://status.example/incidents/" + id,
		StartedAt: t0.Add(2 * time.Minute), ComponentIDs: compIDs}
	for n, body := range updates {
		st := sources.IncidentInvestigating
		if f := strings.SplitN(body, ":", 2); len(f) == 2 {
			st, body = sources.IncidentStatus(f[0]), f[1]
		}
		i.Updates = append(i.Updates, sources.IncidentUpdate{ID: fmt.Sprintf("%s-u%d", id, n), At: t0.Add(time.Duration(2+n) * time.Minute), Status: st, Body: body})
	}
	if phase.Done() {
		i.ResolvedAt = i.Updates[len(i.Updates)-1].At
	}
	return i
}

func obs(cs []sources.Component, incs ...sources.Incident) sources.Observation {
	return sources.Observation{Components: cs, Incidents: incs}
}

var (
	op   = sources.Operational
	deg  = sources.Degraded
	part = sources.PartialOutage
	api  = []string{"api"}
)

func vendor() Policy {
	return Policy{FailureThreshold: 1, SuccessThreshold: 1, UnreachableThreshold: 3, AnnounceExisting: true}
}
func probe() Policy {
	return Policy{Probe: true, FailureThreshold: 3, SuccessThreshold: 2, UnreachableThreshold: 3}
}

func probeObs(s sources.Status, detail string) sources.Observation {
	return sources.Observation{Components: []sources.Component{{ID: "endpoint", Name: "Web", Status: s, Detail: detail}}}
}

func TestEngine(t *testing.T) {
	down := errors.New("GET https://status.example/api/v2/summary.json: HTTP 503 Service Unavailable")
	tests := []struct {
		name  string
		pol   Policy
		polls []poll
		want  [][]string
	}{
		{
			name: "vendor incident lifecycle",
			pol:  vendor(),
			polls: []poll{
				{0, obs(comps(op, op)), nil},
				{2, obs(comps(deg, op), inc("i1", sources.IncidentInvestigating, deg, api, "We are investigating.")), nil},
				{3, obs(comps(deg, op), inc("i1", sources.IncidentInvestigating, deg, api, "We are investigating.")), nil},
				{4, obs(comps(part, op), inc("i1", sources.IncidentIdentified, part, api, "We are investigating.", "identified:The cause is known.")), nil},
				{74, sources.Observation{Components: comps(op, op), Incidents: []sources.Incident{inc("i1", sources.IncidentResolved, part, api, "We are investigating.", "identified:The cause is known.", "resolved:This incident has been resolved.")}}, nil},
				{75, obs(comps(op, op)), nil},
			},
			want: [][]string{
				nil,
				{"opened o1#1 degraded: We are investigating."},
				nil,
				{"updated o1#2 partial_outage: The cause is known."},
				{"resolved o1#3 partial_outage after 2m: This incident has been resolved."},
				nil,
			},
		},
		{
			name: "incident vanishes without a resolved record",
			pol:  vendor(),
			polls: []poll{
				{2, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Looking.")), nil},
				{30, obs(comps(op)), nil},
			},
			want: [][]string{
				{"opened o1#1 degraded: Looking."},
				{"resolved o1#2 degraded after 28m: The incident is no longer listed as open on the status page."},
			},
		},
		{
			name: "degraded components open an outage that the vendor incident joins",
			pol:  vendor(),
			polls: []poll{
				{0, obs(comps(op, op)), nil},
				{1, obs(comps(deg, op)), nil},
				{2, obs(comps(part, op)), nil},
				{3, obs(comps(part, op), inc("i1", sources.IncidentInvestigating, part, api, "We see errors on the API.")), nil},
				{10, obs(comps(op, op), inc("i1", sources.IncidentResolved, part, api, "We see errors on the API.", "resolved:Fixed.")), nil},
			},
			want: [][]string{
				nil,
				{"opened o1#1 degraded: The status page shows this, with no incident posted yet."},
				{"updated o1#2 partial_outage: The status page now shows this, still with no incident posted."},
				{"updated o1#3 partial_outage: We see errors on the API."},
				{"resolved o1#4 partial_outage after 2m: Fixed."},
			},
		},
		{
			name: "an incident on other components opens its own outage",
			pol:  vendor(),
			polls: []poll{
				{1, obs(comps(deg, op)), nil},
				{2, obs(comps(deg, deg), inc("i2", sources.IncidentInvestigating, deg, []string{"chatgpt"}, "ChatGPT is slow.")), nil},
			},
			want: [][]string{
				{"opened o1#1 degraded: The status page shows this, with no incident posted yet."},
				{"opened o2#1 degraded: ChatGPT is slow."},
			},
		},
		{
			name: "unreachable feed never opens or resolves an incident",
			pol:  vendor(),
			polls: []poll{
				{2, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Looking.")), nil},
				{3, sources.Observation{}, down},
				{4, sources.Observation{}, down},
				{5, sources.Observation{}, down},
				{6, sources.Observation{}, down},
				{7, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Looking.")), nil},
			},
			want: [][]string{
				{"opened o1#1 degraded: Looking."},
				nil,
				nil,
				{"opened o2#1 unknown: Could not read the status feed 3 times in a row: " + down.Error() + ". Open outages stay open until it can be read again."},
				nil,
				{"resolved o2#2 unknown after 2m: Status data is available again."},
			},
		},
		{
			name: "flapping probe never opens with threshold 3",
			pol:  probe(),
			polls: []poll{
				{0, probeObs(sources.MajorOutage, "connection refused"), nil},
				{1, probeObs(op, ""), nil},
				{2, probeObs(sources.MajorOutage, "connection refused"), nil},
				{3, probeObs(op, ""), nil},
				{4, probeObs(sources.MajorOutage, "connection refused"), nil},
				{5, probeObs(sources.MajorOutage, "connection refused"), nil},
				{6, probeObs(op, ""), nil},
			},
			want: [][]string{nil, nil, nil, nil, nil, nil, nil},
		},
		{
			name: "probe: three failures open, two successes resolve",
			pol:  probe(),
			polls: []poll{
				{0, probeObs(op, ""), nil},
				{1, probeObs(sources.MajorOutage, "HTTP 503, expected 2xx/3xx"), nil},
				{2, probeObs(sources.MajorOutage, "HTTP 503, expected 2xx/3xx"), nil},
				{3, probeObs(sources.MajorOutage, "HTTP 503, expected 2xx/3xx"), nil},
				{4, probeObs(sources.MajorOutage, "HTTP 503, expected 2xx/3xx"), nil},
				{5, probeObs(op, ""), nil},
				{6, probeObs(sources.MajorOutage, "timeout"), nil},
				{7, probeObs(op, ""), nil},
				{8, probeObs(op, ""), nil},
			},
			want: [][]string{
				nil, nil, nil,
				{"opened o1#1 major_outage: HTTP 503, expected 2xx/3xx (3 failed checks in a row)"},
				nil, nil, nil, nil,
				{"resolved o1#2 major_outage after 6m: Responding normally again."},
			},
		},
		{
			name: "probe: slow then down is one outage with an update",
			pol:  Policy{Probe: true, FailureThreshold: 1, SuccessThreshold: 1},
			polls: []poll{
				{0, probeObs(deg, "slow: 2s, threshold 1s"), nil},
				{1, probeObs(sources.MajorOutage, "connection refused"), nil},
				{2, probeObs(op, ""), nil},
			},
			want: [][]string{
				{"opened o1#1 degraded: slow: 2s, threshold 1s (1 failed check in a row)"},
				{"updated o1#2 major_outage: Now major outage (was degraded performance): connection refused"},
				{"resolved o1#3 major_outage after 2m: Responding normally again."},
			},
		},
		{
			name: "announce_existing off ignores what was open at the first poll",
			pol:  Policy{FailureThreshold: 1, SuccessThreshold: 1, AnnounceExisting: false},
			polls: []poll{
				{2, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Looking.")), nil},
				{3, obs(comps(deg), inc("i1", sources.IncidentIdentified, deg, api, "Looking.", "identified:Found it.")), nil},
				{4, obs(comps(op)), nil},
				{5, obs(comps(deg), inc("i2", sources.IncidentInvestigating, deg, api, "New trouble.")), nil},
			},
			want: [][]string{nil, nil, nil, {"opened o1#1 degraded: New trouble."}},
		},
		{
			name: "announce_existing on announces what is open at the first poll",
			pol:  vendor(),
			polls: []poll{
				{2, obs(comps(deg), inc("i1", sources.IncidentIdentified, deg, api, "Looking.", "identified:Found it.")), nil},
			},
			want: [][]string{{"opened o1#1 degraded: Found it."}},
		},
		{
			name: "impact change without words is an update",
			pol:  vendor(),
			polls: []poll{
				{2, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Looking.")), nil},
				{3, obs(comps(deg), inc("i1", sources.IncidentInvestigating, sources.MajorOutage, api, "Looking.")), nil},
			},
			want: [][]string{
				{"opened o1#1 degraded: Looking."},
				{"updated o1#2 major_outage: Impact is now major outage (was degraded performance)."},
			},
		},
		{
			name: "maintenance in progress is reported as maintenance",
			pol:  vendor(),
			polls: []poll{
				{0, sources.Observation{Components: comps(sources.Maintenance), Maintenances: []sources.Incident{
					{ID: "m1", Title: "Database upgrade", Status: sources.MaintenanceScheduled, Impact: sources.Maintenance}}}, nil},
				{5, sources.Observation{Components: comps(sources.Maintenance), Maintenances: []sources.Incident{
					{ID: "m1", Title: "Database upgrade", Status: sources.MaintenanceInProgress, Impact: sources.Maintenance, StartedAt: t0.Add(5 * time.Minute),
						Updates: []sources.IncidentUpdate{{ID: "mu1", Status: sources.MaintenanceInProgress, Body: "Maintenance has begun."}}}}}, nil},
				{35, sources.Observation{Components: comps(op)}, nil},
			},
			want: [][]string{
				nil,
				{"opened o1#1 maintenance: Maintenance has begun."},
				{"resolved o1#2 maintenance after 30m: The maintenance is no longer listed on the status page."},
			},
		},
		{
			name: "component filter ignores other components and their incidents",
			pol:  Policy{FailureThreshold: 1, SuccessThreshold: 1, AnnounceExisting: true, Components: []string{"ChatGPT"}},
			polls: []poll{
				{2, obs(comps(deg, op), inc("i1", sources.IncidentInvestigating, deg, api, "API trouble.")), nil},
				{3, obs(comps(deg, deg), inc("i2", sources.IncidentInvestigating, deg, []string{"chatgpt"}, "ChatGPT trouble.")), nil},
			},
			want: [][]string{nil, {"opened o1#1 degraded: ChatGPT trouble."}},
		},
		{
			name: "a flapping component reopens its thread once, then waits for stability",
			pol:  vendor(),
			polls: []poll{
				{0, obs(comps(op)), nil}, {1, obs(comps(deg)), nil}, {2, obs(comps(op)), nil}, {3, obs(comps(deg)), nil},
				{4, obs(comps(op)), nil}, {5, obs(comps(deg)), nil}, {6, obs(comps(op)), nil}, {7, obs(comps(op)), nil},
			},
			want: [][]string{
				nil,
				{"opened o1#1 degraded: The status page shows this, with no incident posted yet."},
				{"resolved o1#2 degraded after 1m: All components are operational again."},
				{"updated o1#3 degraded: The problem is back, 1m after it was resolved: The status page shows this, with no incident posted yet."},
				nil, nil, nil,
				{"resolved o1#4 degraded after 5m: All components are operational again."},
			},
		},
		{
			name: "an incident missing from one poll is not resolved and reopened",
			pol:  vendor(),
			polls: []poll{
				{2, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Looking.")), nil},
				{3, obs(comps(deg)), nil},
				{4, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Looking.")), nil},
				{5, obs(comps(deg)), nil},
				{6, obs(comps(deg)), nil},
			},
			want: [][]string{
				{"opened o1#1 degraded: Looking."},
				nil, nil, nil,
				{"resolved o1#2 degraded after 4m: The incident is no longer listed as open on the status page."},
			},
		},
		{
			name: "a component that recovers a poll after its incident opens nothing",
			pol:  vendor(),
			polls: []poll{
				{2, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Looking.")), nil},
				{5, obs(comps(deg), inc("i1", sources.IncidentResolved, deg, api, "Looking.", "resolved:Fixed.")), nil},
				{6, obs(comps(op)), nil},
				{7, obs(comps(deg)), nil},
			},
			want: [][]string{
				{"opened o1#1 degraded: Looking."},
				{"resolved o1#2 degraded after 1m: Fixed."},
				nil,
				{"opened o2#1 degraded: The status page shows this, with no incident posted yet."},
			},
		},
		{
			name: "updates posted between polls are all shown before the restoration",
			pol:  vendor(),
			polls: []poll{
				{2, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Looking.")), nil},
				{9, obs(comps(op), inc("i1", sources.IncidentResolved, deg, api, "Looking.", "monitoring:Fix deployed.", "resolved:Fixed.")), nil},
			},
			want: [][]string{
				{"opened o1#1 degraded: Looking."},
				{"updated o1#2 degraded: Fix deployed.", "resolved o1#3 degraded after 2m: Fixed."},
			},
		},
		{
			name: "announce_existing off still announces new breakage on other components",
			pol:  Policy{FailureThreshold: 1, SuccessThreshold: 1},
			polls: []poll{
				{0, obs(comps(deg, op)), nil},
				{1, obs(comps(deg, sources.MajorOutage)), nil},
			},
			want: [][]string{nil, {"opened o1#1 major_outage: The status page shows this, with no incident posted yet."}},
		},
		{
			name: "an ignored incident that gets worse is announced with the vendor's words",
			pol:  Policy{FailureThreshold: 1, SuccessThreshold: 1},
			polls: []poll{
				{2, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Slow.")), nil},
				{3, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Slow.")), nil},
				{4, obs(comps(sources.MajorOutage), inc("i1", sources.IncidentIdentified, sources.MajorOutage, api, "Slow.", "identified:API is down.")), nil},
			},
			want: [][]string{nil, nil, {"opened o1#1 major_outage: API is down."}},
		},
		{
			name: "an incident followed under a component filter is not dropped when retagged",
			pol:  Policy{FailureThreshold: 1, SuccessThreshold: 1, AnnounceExisting: true, Components: []string{"API"}},
			polls: []poll{
				{2, obs(comps(deg, op), inc("i1", sources.IncidentInvestigating, deg, nil, "Looking.")), nil},
				{3, obs(comps(op, deg), inc("i1", sources.IncidentIdentified, deg, []string{"chatgpt"}, "Looking.", "identified:It is ChatGPT.")), nil},
			},
			want: [][]string{
				{"opened o1#1 degraded: Looking."},
				{"updated o1#2 degraded: It is ChatGPT."},
			},
		},
		{
			name: "a long outage gets a reminder after an hour without news",
			pol:  Policy{FailureThreshold: 1, SuccessThreshold: 1, AnnounceExisting: true, RemindEvery: time.Hour},
			polls: []poll{
				{2, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Looking.")), nil},
				{61, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Looking.")), nil},
				{62, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Looking.")), nil},
				{122, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Looking.")), nil},
			},
			want: [][]string{
				{"opened o1#1 degraded: Looking."},
				nil,
				{"updated o1#2 degraded: Still degraded performance after 1h."},
				{"updated o1#3 degraded: Still degraded performance after 2h."},
			},
		},
		{
			name: "scheduled maintenance is announced an hour ahead, then started and ended in one thread",
			pol:  Policy{FailureThreshold: 1, SuccessThreshold: 1, AnnounceExisting: true, MaintenanceNotice: time.Hour},
			polls: []poll{
				{0, sources.Observation{Components: comps(op), Maintenances: []sources.Incident{
					{ID: "m1", Title: "Database upgrade", Status: sources.MaintenanceScheduled, Impact: sources.Maintenance, ScheduledFor: t0.Add(90 * time.Minute), ScheduledUntil: t0.Add(150 * time.Minute)}}}, nil},
				{31, sources.Observation{Components: comps(op), Maintenances: []sources.Incident{
					{ID: "m1", Title: "Database upgrade", Status: sources.MaintenanceScheduled, Impact: sources.Maintenance, ScheduledFor: t0.Add(90 * time.Minute), ScheduledUntil: t0.Add(150 * time.Minute),
						Updates: []sources.IncidentUpdate{{ID: "mu0", Status: sources.MaintenanceScheduled, Body: "We will upgrade the database."}}}}}, nil},
				{90, sources.Observation{Components: comps(sources.Maintenance), Maintenances: []sources.Incident{
					{ID: "m1", Title: "Database upgrade", Status: sources.MaintenanceInProgress, Impact: sources.Maintenance, ScheduledFor: t0.Add(90 * time.Minute), ScheduledUntil: t0.Add(150 * time.Minute),
						Updates: []sources.IncidentUpdate{{ID: "mu0", Status: sources.MaintenanceScheduled, Body: "We will upgrade the database."}}}}}, nil},
				{151, sources.Observation{Components: comps(op), Maintenances: []sources.Incident{
					{ID: "m1", Title: "Database upgrade", Status: sources.MaintenanceCompleted, Impact: sources.Maintenance, ResolvedAt: t0.Add(150 * time.Minute),
						Updates: []sources.IncidentUpdate{{ID: "mu0", Status: sources.MaintenanceScheduled, Body: "We will upgrade the database."}, {ID: "mu1", Status: sources.MaintenanceCompleted, Body: "The maintenance has been completed."}}}}}, nil},
			},
			want: [][]string{
				nil,
				{"opened o1#1 maintenance: Scheduled maintenance starts at Nov 22 15:30 UTC (in 59m) and should end at Nov 22 16:30 UTC. We will upgrade the database."},
				{"updated o1#2 maintenance: The maintenance has started."},
				{"resolved o1#3 maintenance after 1h: The maintenance has been completed."},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, tt.pol, tt.polls, nil)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d steps, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if strings.Join(got[i], "\n") != strings.Join(tt.want[i], "\n") {
					t.Errorf("poll %d (minute %d):\n got: %q\nwant: %q", i, tt.polls[i].Min, got[i], tt.want[i])
				}
			}
		})
	}
}

// A restart mid-outage (state reloaded from JSON) must not announce the
// outage again, and an outage that ended while the bot was down is resolved
// on the first poll after it.
func TestEngineRestart(t *testing.T) {
	st := &TargetState{Target: "Vendor"}
	open := obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Looking."))
	got := run(t, vendor(), []poll{{2, open, nil}}, st)
	if len(got[0]) != 1 {
		t.Fatalf("first poll: %q", got[0])
	}
	// run round-trips st through JSON after every step, like a restart.
	got = run(t, vendor(), []poll{{10, open, nil}, {50, obs(comps(op)), nil}}, st)
	if got[0] != nil {
		t.Errorf("announced again after restart: %q", got[0])
	}
	if len(got[1]) != 1 || !strings.HasPrefix(got[1][0], "resolved") {
		t.Errorf("no restoration after restart: %q", got[1])
	}
}

func TestEventsCarryOutageState(t *testing.T) {
	e := &Engine{}
	st := &TargetState{Target: "OpenAI"}
	ch := e.Apply(st, vendor(), obs(comps(part, op), inc("i1", sources.IncidentInvestigating, deg, api, "Looking.")), nil, t0.Add(3*time.Minute))
	if len(ch.Events) != 1 || len(ch.Outages) != 1 {
		t.Fatalf("change = %+v", ch)
	}
	ev := ch.Events[0]
	if ev.Target != "OpenAI" || ev.Title != "Elevated errors" || ev.Severity != part || ev.Phase != sources.IncidentInvestigating ||
		!ev.OpenedAt.Equal(t0.Add(2*time.Minute)) || ev.URL == "" || len(ev.Components) != 1 || ev.Components[0] != (outage.ComponentState{Name: "API", Status: part}) {
		t.Errorf("event = %+v", ev)
	}
	if st.Snapshot.Status != part || len(st.Snapshot.Incidents) != 1 || !st.Snapshot.Reachable {
		t.Errorf("snapshot = %+v", st.Snapshot)
	}
}

// The snapshot lists the vendor's maintenances with their phase: upcoming
// (for digests, long before the notice is due), in progress from when work
// began, and completed for an hour after it ended.
func TestSnapshotListsMaintenances(t *testing.T) {
	e := &Engine{}
	st := &TargetState{Target: "GitHub"}
	pol := Policy{FailureThreshold: 1, SuccessThreshold: 1, AnnounceExisting: true, MaintenanceNotice: time.Hour}
	cs := []sources.Component{{ID: "c1", Name: "API", Status: sources.Operational}, {ID: "g", Name: "Group", IsGroup: true, Status: sources.Operational}}
	m := sources.Incident{ID: "m1", Title: "Database upgrade", Status: sources.MaintenanceScheduled, Impact: sources.Maintenance,
		ScheduledFor: t0.Add(48 * time.Hour), ScheduledUntil: t0.Add(50 * time.Hour), URL: "https://status.example.com/m1", ComponentIDs: []string{"c1", "g"}}
	check := func(step string, want []MaintenanceSnapshot) {
		t.Helper()
		if got := st.Snapshot.Maintenances; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: maintenances = %+v, want %+v", step, got, want)
		}
	}
	e.Apply(st, pol, sources.Observation{Components: cs, Maintenances: []sources.Incident{m}}, nil, t0)
	check("scheduled", []MaintenanceSnapshot{{Title: "Database upgrade", Status: sources.MaintenanceScheduled, Start: m.ScheduledFor, End: m.ScheduledUntil, Began: m.ScheduledFor, Components: []string{"API"}, URL: m.URL}})

	began := t0.Add(48*time.Hour + 3*time.Minute)
	m.Status, m.StartedAt = sources.MaintenanceVerifying, began
	e.Apply(st, pol, sources.Observation{Components: cs, Maintenances: []sources.Incident{m}}, nil, began)
	check("verifying", []MaintenanceSnapshot{{Title: "Database upgrade", Status: sources.MaintenanceInProgress, Start: m.ScheduledFor, End: m.ScheduledUntil, Began: began, Components: []string{"API"}, URL: m.URL}})

	ended := t0.Add(49 * time.Hour)
	m.Status, m.ResolvedAt = sources.MaintenanceCompleted, ended
	e.Apply(st, pol, sources.Observation{Components: cs, Maintenances: []sources.Incident{m}}, nil, ended.Add(time.Minute))
	check("completed", []MaintenanceSnapshot{{Title: "Database upgrade", Status: sources.MaintenanceCompleted, Start: m.ScheduledFor, End: ended, Began: began, Components: []string{"API"}, URL: m.URL}})
	e.Apply(st, pol, sources.Observation{Components: cs, Maintenances: []sources.Incident{m}}, nil, ended.Add(MaintenanceShownAfter+time.Minute))
	check("completed long ago", nil)
}

// Links from a vendor page reach events and snapshots only when they are
// web links: a javascript: link once went out as a Discord embed's URL.
func TestEngineDropsLinksThatAreNotWebLinks(t *testing.T) {
	for _, link := range []string{"javascript:alert(document.cookie)", "data:text/html,hi", "https://status.example.com/x|Click me"} {
		e := &Engine{}
		st := &TargetState{Target: "OpenAI"}
		i := inc("i1", sources.IncidentInvestigating, deg, api, "Looking.")
		i.URL = link
		m := sources.Incident{ID: "m1", Title: "Upgrade", Status: sources.MaintenanceScheduled, Impact: sources.Maintenance,
			ScheduledFor: t0.Add(48 * time.Hour), ScheduledUntil: t0.Add(50 * time.Hour), URL: link}
		o := obs(comps(part, op), i)
		o.Maintenances = []sources.Incident{m}
		ch := e.Apply(st, vendor(), o, nil, t0.Add(3*time.Minute))
		if len(ch.Events) != 1 || ch.Events[0].URL != "" {
			t.Errorf("%q: events = %+v", link, ch.Events)
		}
		for _, o := range ch.Outages {
			if o.URL != "" {
				t.Errorf("%q: outage URL = %q", link, o.URL)
			}
		}
		if s := st.Snapshot; len(s.Incidents) != 1 || s.Incidents[0].URL != "" || len(s.Maintenances) != 1 || s.Maintenances[0].URL != "" {
			t.Errorf("%q: snapshot = %+v", link, s)
		}
	}
}
