package bot

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// relatedFixture is a support chatbot of ours (a probe) that depends on
// OpenAI's API and can fall back to Anthropic, run through the real runner
// and store.
type relatedFixture struct {
	r   *Runner
	st  *store.Store
	src map[string]*scriptedSource
	now time.Time
	ids map[string]string // outage id -> target, for readable output
}

func newRelatedFixture(t *testing.T) *relatedFixture {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &relatedFixture{st: st, src: map[string]*scriptedSource{}, now: t0, ids: map[string]string{}}
	mk := func(name string, pol Policy, o sources.Observation) *Target {
		f.src[name] = &scriptedSource{obs: o}
		return &Target{Job: Job{Name: name, Interval: time.Minute}, Timeout: time.Second, Source: f.src[name], Policy: pol, Dests: []string{"ops/slack"}}
	}
	chatbot := mk("Support chatbot", Policy{Probe: true, FailureThreshold: 1, SuccessThreshold: 1}, probeObs(op, ""))
	chatbot.DependsOn = []Dependency{{Target: "OpenAI", Components: []string{"API"}}}
	chatbot.Alternatives = []string{"Anthropic"}
	targets := []*Target{mk("OpenAI", vendor(), obs(comps(op, op, op))), mk("Anthropic", vendor(), obs(comps(op))), chatbot}
	var n atomic.Int64
	f.r = NewRunner(&Engine{NewID: func() string { return fmt.Sprintf("o%d", n.Add(1)) }}, st, slog.New(slog.DiscardHandler), NewMetrics(prometheus.NewRegistry()), targets)
	f.r.Now = func() time.Time { return f.now }
	for _, name := range []string{"OpenAI", "Anthropic", "Support chatbot"} {
		f.poll(name)
	}
	return f
}

// at sets the clock to minute m after t0.
func (f *relatedFixture) at(m int) { f.now = t0.Add(time.Duration(m) * time.Minute) }

func (f *relatedFixture) poll(name string) {
	for _, j := range f.r.Jobs() {
		if j.Name == name {
			f.r.Poll(context.Background(), j)
		}
	}
}

func (f *relatedFixture) set(name string, o sources.Observation) { f.src[name].obs = o }

// pollAt polls name at minute m, seeing o.
func (f *relatedFixture) pollAt(m int, name string, o sources.Observation) {
	f.at(m)
	f.set(name, o)
	f.poll(name)
}

// queued renders the queued events, oldest first, and settles them:
// "Target kind [in Owner's thread]: body | notes".
func (f *relatedFixture) queued(t *testing.T) []string {
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
			ev := it.Event
			f.ids[ev.OutageID] = ev.Target
			s := ev.Target + " " + string(ev.Kind)
			if ev.Joined() {
				s += " in " + f.ids[ev.Thread] + "'s thread"
			}
			if ev.Kind == outage.Updated || ev.Kind == outage.Resolved {
				s += ": " + ev.Body
			}
			if len(ev.Notes) > 0 {
				s += " | " + strings.Join(ev.Notes, " | ")
			}
			out = append(out, s)
			if err := f.st.Settle(context.Background(), store.Settlement{Item: it, Outcome: store.Delivered, Ref: "x"}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func (f *relatedFixture) outage(t *testing.T, target string) outage.Outage {
	t.Helper()
	outs, err := f.st.Outages(context.Background(), time.Time{}, target)
	if err != nil || len(outs) == 0 {
		t.Fatalf("outages of %s: %v %v", target, outs, err)
	}
	return outs[0]
}

func expect(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

var apiIncident = inc("i1", sources.IncidentInvestigating, part, api, "investigating:We are investigating elevated error rates on the API.")

func TestRelateProbeFailsWhileVendorIsDegraded(t *testing.T) {
	f := newRelatedFixture(t)
	f.pollAt(3, "OpenAI", obs(comps(part, op, op), apiIncident))
	expect(t, "vendor first", f.queued(t),
		"OpenAI opened | Support chatbot works")

	f.pollAt(4, "Support chatbot", probeObs(sources.MajorOutage, "HTTP 502"))
	expect(t, "our service joins the vendor's thread", f.queued(t),
		"Support chatbot opened in OpenAI's thread | Likely caused by OpenAI: Elevated errors (investigating since 14:02 UTC) | Fallback: Anthropic is operational")
	o := f.outage(t, "Support chatbot")
	if o.Link == nil || o.Link.Confirm != outage.Confirmed || o.Link.VendorOutage != f.outage(t, "OpenAI").ID || o.Link.Lag > 0 {
		t.Errorf("link = %+v", o.Link)
	}

	// The vendor's next update names the service it hurts.
	f.at(5)
	f.set("OpenAI", obs(comps(part, op, op), inc("i1", sources.IncidentIdentified, part, api,
		"investigating:We are investigating elevated error rates on the API.", "identified:A bad deploy; rolling back.")))
	f.poll("OpenAI")
	expect(t, "vendor update", f.queued(t),
		"OpenAI updated: A bad deploy; rolling back. | Affects our Support chatbot (failing since 14:04 UTC)")
}

func TestRelateProbeFailsWhileVendorIsFine(t *testing.T) {
	f := newRelatedFixture(t)
	f.pollAt(4, "Support chatbot", probeObs(sources.MajorOutage, "HTTP 502"))
	expect(t, "unconfirmed", f.queued(t),
		"Support chatbot opened | Unconfirmed: OpenAI reports no incident on API | Fallback: Anthropic is operational")
	snap := f.r.Snapshot("Support chatbot")
	if strings.Join(snap.Notes, "|") != "Unconfirmed: OpenAI reports no incident on API|Fallback: Anthropic is operational" {
		t.Errorf("status shows %q", snap.Notes)
	}
}

func TestRelateVendorDegradedWhileProbeIsFine(t *testing.T) {
	f := newRelatedFixture(t)
	f.pollAt(3, "OpenAI", obs(comps(part, op, op), apiIncident))
	f.at(4)
	f.poll("Support chatbot")
	expect(t, "only the vendor", f.queued(t), "OpenAI opened | Support chatbot works")

	// An incident on a component the chatbot does not use says nothing
	// about it.
	f.at(6)
	sora := inc("i2", sources.IncidentInvestigating, deg, []string{"sora"}, "investigating:Sora is slow.")
	sora.Title = "Sora is slow"
	f.set("OpenAI", obs(comps(part, op, deg), apiIncident, sora))
	f.poll("OpenAI")
	expect(t, "unrelated incident", f.queued(t), "OpenAI opened")
}

func TestRelateVendorAdmitsLater(t *testing.T) {
	f := newRelatedFixture(t)
	f.pollAt(4, "Support chatbot", probeObs(sources.MajorOutage, "HTTP 502"))
	f.queued(t)

	// Twelve minutes later OpenAI's page admits it (backdating the start).
	f.pollAt(16, "OpenAI", obs(comps(part, op, op), apiIncident))
	expect(t, "the vendor's incident joins our early warning's thread", f.queued(t),
		"OpenAI opened in Support chatbot's thread | Affects our Support chatbot (failing since 14:04 UTC)")

	f.at(17)
	f.poll("Support chatbot")
	expect(t, "confirmed", f.queued(t),
		`Support chatbot updated: Confirmed: OpenAI now reports "Elevated errors", 12m after we detected it. | Confirmed by OpenAI: Elevated errors (12m after we detected it) | Fallback: Anthropic is operational`)
	o := f.outage(t, "Support chatbot")
	if o.Link == nil || o.Link.Confirm != outage.Confirmed || o.Link.Lag != 12*time.Minute || !o.Link.AckAt.Equal(t0.Add(16*time.Minute)) {
		t.Errorf("link = %+v", o.Link)
	}

	// Both recover; each restoration stays in the one thread.
	f.at(30)
	f.set("OpenAI", obs(comps(op, op, op), inc("i1", sources.IncidentResolved, part, api,
		"investigating:We are investigating elevated error rates on the API.", "resolved:Fixed.")))
	f.poll("OpenAI")
	f.set("Support chatbot", probeObs(op, ""))
	f.poll("Support chatbot")
	got := f.queued(t)
	if len(got) != 2 || !strings.HasPrefix(got[0], "OpenAI resolved in Support chatbot's thread") || !strings.HasPrefix(got[1], "Support chatbot resolved") {
		t.Errorf("restorations: %q", got)
	}
}

func TestRelateWithdrawn(t *testing.T) {
	f := newRelatedFixture(t)
	f.pollAt(4, "Support chatbot", probeObs(sources.MajorOutage, "HTTP 502"))
	f.queued(t)
	f.pollAt(9, "Support chatbot", probeObs(op, ""))
	expect(t, "withdrawn", f.queued(t),
		"Support chatbot resolved: Responding normally again. | Withdrawn: OpenAI never reported an incident, so the trouble was likely not theirs | Fallback: Anthropic is operational")
	if o := f.outage(t, "Support chatbot"); o.Link == nil || o.Link.Confirm != outage.Withdrawn {
		t.Errorf("link = %+v", o.Link)
	}
}

func TestRelateFallbackKeptCurrent(t *testing.T) {
	f := newRelatedFixture(t)
	f.pollAt(4, "Support chatbot", probeObs(sources.MajorOutage, "HTTP 502"))
	f.queued(t)

	f.pollAt(5, "Anthropic", obs(comps(deg), inc("a1", sources.IncidentInvestigating, deg, api, "investigating:Slow responses.")))
	f.queued(t)
	f.at(6)
	f.poll("Support chatbot")
	expect(t, "fallback changed", f.queued(t),
		"Support chatbot updated: Fallback now: Anthropic is degraded | Unconfirmed: OpenAI reports no incident on API | Fallback: Anthropic is degraded")
	// Unchanged: nothing more.
	f.at(7)
	f.poll("Support chatbot")
	expect(t, "fallback unchanged", f.queued(t))
}

// Related targets polled at the same time read each other's state: under
// -race this catches any state shared without a lock.
func TestRelateConcurrentPolls(t *testing.T) {
	f := newRelatedFixture(t)
	f.at(10)
	var wg sync.WaitGroup
	flip := func(name string, a, b sources.Observation) {
		defer wg.Done()
		for i := range 40 {
			if i%2 == 0 {
				f.set(name, a)
			} else {
				f.set(name, b)
			}
			f.poll(name)
		}
	}
	wg.Add(3)
	go flip("Support chatbot", probeObs(sources.MajorOutage, "HTTP 502"), probeObs(op, ""))
	// The vendor's incident stays open while its components change: the
	// engine updates them in place, while the chatbot's polls read them.
	go flip("OpenAI", obs(comps(part, op, op), apiIncident), obs(comps(deg, deg, op), apiIncident))
	go flip("Anthropic", obs(comps(deg)), obs(comps(op)))
	wg.Wait()
	// Whatever the interleaving, every thread joined is one that exists
	// (when both begin at once, whichever is stored first starts it).
	f.queued(t)
	outs, err := f.st.Outages(context.Background(), time.Time{}, "")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, o := range outs {
		known[o.ID] = true
	}
	for _, o := range outs {
		if o.Thread != "" && !known[o.Thread] {
			t.Errorf("%s's outage joined the thread of an outage never stored: %s", o.Target, o.Thread)
		}
	}
}

// A peer's copy shares no memory with the live state it was taken from:
// the peer's next poll changes its state under a lock the copy's reader
// does not hold.
func TestPeerCopySharesNothing(t *testing.T) {
	f := newRelatedFixture(t)
	f.pollAt(4, "Support chatbot", probeObs(sources.MajorOutage, "HTTP 502"))
	p, _ := f.r.tab.Load().peer("Support chatbot")
	if len(p.Outages) != 1 || p.Outages[0].Link == nil || p.Outages[0].Link.Confirm != outage.Unconfirmed {
		t.Fatalf("peer: %+v", p)
	}
	// The chatbot recovers: its outage is withdrawn, in the live state.
	f.pollAt(5, "Support chatbot", probeObs(op, ""))
	if got := p.Outages[0].Link.Confirm; got != outage.Unconfirmed {
		t.Errorf("the copy's link changed under it: %s", got)
	}
	// And the other way: changing a copy leaves the live state alone.
	f.pollAt(6, "OpenAI", obs(comps(part, op, op), apiIncident))
	p, _ = f.r.tab.Load().peer("OpenAI")
	if len(p.Outages) != 1 || len(p.Outages[0].Components) == 0 {
		t.Fatalf("peer: %+v", p)
	}
	p.Outages[0].Components[0].Status = sources.Unknown
	q, _ := f.r.tab.Load().peer("OpenAI")
	if q.Outages[0].Components[0].Status == sources.Unknown {
		t.Errorf("a copy shares slices with the live state: %+v", q.Outages[0])
	}
}

// A component that a dependent names but the vendor's page lacks is
// warned about once, and once more when it is back.
func TestMissingDependencyComponentIsWarnedOnce(t *testing.T) {
	f := newRelatedFixture(t)
	var logs bytes.Buffer
	f.r.Log = slog.New(slog.NewTextHandler(&logs, nil))
	f.r.tab.Load().dependents["OpenAI"][0].dep.Components = []string{"Chat Completions"}
	for m := range 3 {
		f.at(1 + m)
		f.set("OpenAI", obs(comps(op, op, op), sources.Incident{ID: fmt.Sprint("x", m)})) // a change, so the page is read
		f.poll("OpenAI")
	}
	if n := strings.Count(logs.String(), "components that other targets depend on are not on the status page"); n != 1 {
		t.Errorf("warned %d times:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "Support chatbot needs Chat Completions") {
		t.Errorf("the warning does not say what is missing:\n%s", logs.String())
	}
	f.r.tab.Load().dependents["OpenAI"][0].dep.Components = []string{"API"}
	f.at(5)
	f.poll("OpenAI")
	if !strings.Contains(logs.String(), "every component that other targets depend on is on the status page") {
		t.Errorf("no all-clear:\n%s", logs.String())
	}
}

// The story survives a restart in the middle: the new runner carries on
// from the store, the vendor's admission still joins our thread and
// confirms it.
func TestRelateAcrossRestart(t *testing.T) {
	f := newRelatedFixture(t)
	f.pollAt(4, "Support chatbot", probeObs(sources.MajorOutage, "HTTP 502"))
	f.queued(t)

	// Restart: a new runner over the same store.
	old := f.r
	f.r = NewRunner(old.Engine, f.st, old.Log, NewMetrics(prometheus.NewRegistry()), slices.Collect(maps.Values(old.tab.Load().targets)))
	f.r.Now = func() time.Time { return f.now }
	if err := f.r.Load(context.Background(), f.st); err != nil {
		t.Fatal(err)
	}
	f.pollAt(16, "OpenAI", obs(comps(part, op, op), apiIncident))
	f.at(17)
	f.poll("Support chatbot")
	expect(t, "after the restart", f.queued(t),
		"OpenAI opened in Support chatbot's thread | Affects our Support chatbot (failing since 14:04 UTC)",
		`Support chatbot updated: Confirmed: OpenAI now reports "Elevated errors", 12m after we detected it. | Confirmed by OpenAI: Elevated errors (12m after we detected it) | Fallback: Anthropic is operational`)
}

// A vendor muted while it admits the trouble: its outage joins our thread
// unannounced; once the mute is over its next message replies there.
func TestRelateMutedVendorJoinsQuietly(t *testing.T) {
	f := newRelatedFixture(t)
	ctx := context.Background()
	mutes, err := NewMutes(ctx, f.st, t0)
	if err != nil {
		t.Fatal(err)
	}
	f.r.Mutes = mutes
	f.pollAt(4, "Support chatbot", probeObs(sources.MajorOutage, "HTTP 502"))
	f.queued(t)
	if err := mutes.Mute(ctx, Mute{Target: "OpenAI", Until: t0.Add(20 * time.Minute), By: "alice"}); err != nil {
		t.Fatal(err)
	}
	f.pollAt(16, "OpenAI", obs(comps(part, op, op), apiIncident))
	f.at(17)
	f.poll("Support chatbot")
	expect(t, "during the mute", f.queued(t),
		`Support chatbot updated: Confirmed: OpenAI now reports "Elevated errors", 12m after we detected it. | Confirmed by OpenAI: Elevated errors (12m after we detected it) | Fallback: Anthropic is operational`)
	f.at(25) // the mute is over
	f.set("OpenAI", obs(comps(part, op, op), inc("i1", sources.IncidentIdentified, part, api,
		"investigating:We are investigating elevated error rates on the API.", "identified:A bad deploy; rolling back.")))
	f.poll("OpenAI")
	expect(t, "after the mute", f.queued(t),
		"OpenAI updated in Support chatbot's thread: A bad deploy; rolling back. | Affects our Support chatbot (failing since 14:04 UTC)")
}
