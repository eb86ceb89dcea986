package bot

import (
	"crypto/rand"
	"encoding/hex"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Policy is how the engine judges one target.
type Policy struct {
	// Probe marks an internal probe: its single component is the health of
	// the endpoint, and a failure is an outage of our own service.
	Probe bool
	// FailureThreshold consecutive bad polls open a health outage;
	// SuccessThreshold consecutive good polls resolve it.
	FailureThreshold int
	SuccessThreshold int
	// UnreachableThreshold consecutive unreadable polls report the source
	// as unknown.
	UnreachableThreshold int
	// AnnounceExisting announces incidents already open on the first poll.
	AnnounceExisting bool
	// Components keeps only components whose name or id is listed, and
	// incidents that touch them (or name no component). Empty keeps all.
	Components []string
	// RemindEvery, when set, posts a "still down" reply in an open outage's
	// thread after this long without news.
	RemindEvery time.Duration
	// MaintenanceNotice announces scheduled vendor maintenance this long
	// before it starts (0: only when it starts).
	MaintenanceNotice time.Duration
	// ReopenWithin reopens a health outage resolved this recently when the
	// same target goes bad again, so a flapping component or endpoint posts
	// into one thread instead of opening new ones (default 15m).
	ReopenWithin time.Duration
	// Verdict marks a probe whose observations are already verdicts,
	// combined from several locations that each applied the thresholds:
	// the outage's body is the observation's own words (where it fails),
	// with no count of checks.
	Verdict bool
}

func (p Policy) withDefaults() Policy {
	if p.FailureThreshold < 1 {
		p.FailureThreshold = 1
	}
	if p.SuccessThreshold < 1 {
		p.SuccessThreshold = 1
	}
	if p.UnreachableThreshold < 1 {
		p.UnreachableThreshold = 3
	}
	if p.ReopenWithin == 0 {
		p.ReopenWithin = 15 * time.Minute
	}
	return p
}

// Engine turns observations into outage events. It is a pure state machine:
// Apply reads and changes only the TargetState it is given, so the caller can
// commit the new state and the events in one transaction, or throw both away.
type Engine struct {
	// NewID makes outage ids; tests set it for stable output.
	NewID func() string
}

// Change is what one Apply produced: the outages it touched (in their new
// state) and the events to deliver, in order.
type Change struct {
	Outages []outage.Outage
	Events  []outage.Event
}

// Empty reports whether nothing needs to be announced.
func (c Change) Empty() bool { return len(c.Events) == 0 }

// Outage keys within a target.
const (
	keyHealth      = "health"
	keyUnreachable = "unreachable"
	keyIncident    = "incident:"
	keyMaintenance = "maintenance:"
)

func (e *Engine) newID() string {
	if e.NewID != nil {
		return e.NewID()
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// applier accumulates one Apply's work.
type applier struct {
	e      *Engine
	st     *TargetState
	pol    Policy
	now    time.Time
	change Change
	// touched keeps the order in which outages changed, by id.
	touched map[string]int
	// byID indexes this poll's components (vendor feeds).
	byID map[string]sources.Component
}

func (a *applier) emit(t *Tracked, kind outage.Kind, w words) {
	t.LastEvent = a.now
	if title := plainTitle(t.Outage.Title); title != t.Outage.Title {
		t.Outage.Title, t.Outage.TitleSaid = title, nil
	}
	body, said := w.body()
	ev := t.Outage.Event(kind, a.now, body)
	ev.Said = said
	a.change.Events = append(a.change.Events, ev)
	if i, ok := a.touched[t.Outage.ID]; ok {
		a.change.Outages[i] = t.Outage
		return
	}
	a.touched[t.Outage.ID] = len(a.change.Outages)
	a.change.Outages = append(a.change.Outages, t.Outage)
}

// amend folds a change of t's state into the event this poll already made
// for it, if any, so one poll yields one message per outage. It reports
// whether there was such an event.
func (a *applier) amend(t *Tracked) bool {
	i, ok := a.touched[t.Outage.ID]
	if !ok {
		return false
	}
	a.change.Outages[i] = t.Outage
	for j := len(a.change.Events) - 1; j >= 0; j-- {
		if ev := &a.change.Events[j]; ev.OutageID == t.Outage.ID {
			ev.Severity = t.Outage.Severity
			ev.Components = append([]outage.ComponentState(nil), t.Outage.Components...)
			break
		}
	}
	return true
}

func (a *applier) open(key string, class outage.Class, title words, sev sources.Status, since time.Time) *Tracked {
	if since.IsZero() || since.After(a.now) {
		since = a.now
	}
	t := &Tracked{Outage: outage.Outage{
		ID:       a.e.newID(),
		Target:   a.st.Target,
		Key:      key,
		Class:    class,
		Severity: sev,
		OpenedAt: since,
	}, SeenAt: a.now}
	setTitle(&t.Outage, title)
	a.st.Outages[key] = t
	return t
}

func (a *applier) resolve(t *Tracked, at time.Time, body words) {
	if at.IsZero() || at.After(a.now) || at.Before(t.Outage.OpenedAt) {
		at = a.now
	}
	t.Outage.ResolvedAt = at
	a.emit(t, outage.Resolved, body)
	delete(a.st.Outages, t.Outage.Key)
	if t.Outage.Key == keyHealth {
		a.st.Recent = t
	}
}

// openHealth opens the health outage, or reopens the recent one when the
// trouble is back soon after it was resolved.
func (a *applier) openHealth(title words, sev sources.Status, comps []outage.ComponentState, since time.Time, body words) {
	st := a.st
	if r := st.Recent; r != nil && a.now.Sub(r.Outage.ResolvedAt) <= a.pol.ReopenWithin {
		st.Recent = nil
		gap := a.now.Sub(r.Outage.ResolvedAt)
		r.Outage.ResolvedAt = time.Time{}
		setTitle(&r.Outage, title)
		r.Outage.Severity, r.Outage.Components = sev, comps
		r.Outage.Phase = ""
		r.Linked = nil
		r.Reopened++
		st.Outages[keyHealth] = r
		a.emit(r, outage.Updated, ours(outage.Say("engine.health.back", outage.Dur("Gap", gap), body.arg("Body"))))
		return
	}
	t := a.open(keyHealth, outage.Incident, title, sev, since)
	t.ByHealth = true
	t.Outage.Components = comps
	a.emit(t, outage.Opened, body)
}

// Apply folds one poll result into st and returns what to announce. pollErr
// is the Source's error (nil when the poll could read the source).
func (e *Engine) Apply(st *TargetState, pol Policy, obs sources.Observation, pollErr error, now time.Time) Change {
	pol = pol.withDefaults()
	if st.Outages == nil {
		st.Outages = map[string]*Tracked{}
	}
	a := &applier{e: e, st: st, pol: pol, now: now, touched: map[string]int{}}
	st.Snapshot.Name = st.Target
	st.Snapshot.CheckedAt = now
	if pollErr != nil {
		a.unreadable(pollErr)
		return a.change
	}
	a.readable()
	// Links come from vendor pages: only http(s) ones go on to chat.
	obs = obs.WithWebLinks()
	obs = filterObservation(obs, pol.Components, st.linkedIDs())
	if pol.Probe {
		a.probe(obs)
	} else {
		a.vendor(obs)
	}
	a.remind()
	st.Initialized = true
	a.snapshot(obs)
	return a.change
}

// unreadable counts a failed poll. It never touches incident outages: a
// status page we cannot read says nothing about the service behind it.
func (a *applier) unreadable(err error) {
	st := a.st
	st.FailStreak = a.inc(st.FailStreak)
	st.Snapshot.Reachable = false
	st.Snapshot.Error = err.Error()
	if st.Snapshot.UnreachableSince.IsZero() {
		st.Snapshot.UnreachableSince = a.now
	}
	if st.FailStreak < a.pol.UnreachableThreshold {
		return
	}
	st.Snapshot.Status = sources.Unknown
	if _, open := st.Outages[keyUnreachable]; open {
		return
	}
	times, why := outage.Count("Times", st.FailStreak), theirs(err.Error()).arg("Error")
	body := outage.Say("engine.unreachable.feed", times, why)
	if a.pol.Probe {
		body = outage.Say("engine.unreachable.probe", times, why)
	}
	title := outage.Say("engine.title.unreachable", outage.Str("Target", st.Target))
	t := a.open(keyUnreachable, outage.Unreachable, ours(title), sources.Unknown, a.now)
	a.emit(t, outage.Opened, ours(body))
}

func (a *applier) readable() {
	st := a.st
	st.FailStreak = 0
	st.Snapshot.Reachable = true
	st.Snapshot.Error = ""
	st.Snapshot.UnreachableSince = time.Time{}
	st.Snapshot.ReadAt = a.now
	if t, open := st.Outages[keyUnreachable]; open {
		a.resolve(t, a.now, ours(outage.Say("engine.unreachable.over")))
	}
}

// streak updates the health streaks with this poll's verdict.
func (a *applier) streak(bad bool) {
	st := a.st
	if bad {
		if st.BadStreak == 0 {
			st.BadSince = a.now
		}
		st.BadStreak = a.inc(st.BadStreak)
		st.GoodStreak = 0
		return
	}
	if st.GoodStreak == 0 {
		st.GoodSince = a.now
	}
	st.GoodStreak = a.inc(st.GoodStreak)
	st.BadStreak = 0
}

// inc counts a streak up to the largest threshold and no further: past it
// the count changes nothing, and a state that stops changing on a steady
// target need not be written to the store on every poll.
func (a *applier) inc(n int) int {
	return min(n+1, max(a.pol.FailureThreshold, maxReopenFactor*a.pol.SuccessThreshold, a.pol.UnreachableThreshold))
}

// maxReopenFactor bounds how much longer a flapping thread must stay good
// before it is resolved again.
const maxReopenFactor = 3

// successNeeded is the good streak that resolves t: longer for a thread that
// has flapped.
func (a *applier) successNeeded(t *Tracked) int {
	return a.pol.SuccessThreshold * min(1+t.Reopened, maxReopenFactor)
}

// missingGrace is how many polls in a row an incident seen open within
// blipWindow may be absent, with no resolution record, before it counts as
// resolved: one stale page (a CDN serving an old copy) must not end a thread
// and start another. After a longer gap (the bot was down) absence means the
// incident is over, and the restoration goes out on the first poll.
const (
	missingGrace = 2
	blipWindow   = 10 * time.Minute
)

// probe handles an internal probe: one component, thresholds both ways.
func (a *applier) probe(obs sources.Observation) {
	st := a.st
	c := sources.Component{Name: st.Target, Status: sources.Unknown, Detail: "the probe returned no result"}
	if len(obs.Components) > 0 {
		c = obs.Components[0]
	}
	bad := c.Status.IsProblem() || c.Status == sources.Unknown
	sev := c.Status
	if c.Status == sources.Unknown {
		sev = sources.MajorOutage
	}
	a.streak(bad)
	if sev == st.LastSeverity {
		st.SeverityStreak = a.inc(st.SeverityStreak)
	} else {
		st.LastSeverity, st.SeverityStreak = sev, 1
	}

	// A probe is one endpoint: the outage's title names it, so it lists no
	// components.
	t := st.Outages[keyHealth]
	switch {
	case t == nil && bad && st.BadStreak >= a.pol.FailureThreshold:
		body := probeBody(c, st.BadStreak)
		if a.pol.Verdict {
			// The locations' verdict is the probe's own words.
			body = verdictBody(c)
		}
		a.openHealth(probeTitle(sev), sev, nil, st.BadSince, body)
		st.Outages[keyHealth].told(c.Spread)
	case t != nil && bad:
		a.ongoing(t, c, sev)
	case t != nil && !bad && st.GoodStreak >= a.successNeeded(t):
		a.resolve(t, st.GoodSince, ours(outage.Say("engine.probe.over")))
	case t != nil:
		// Fine this poll: a new set of failing locations has not held.
		t.Moving, t.MovingStreak = nil, 0
	}
}

// ongoing tells the thread of a probe's open outage what changed, in one
// reply: its severity, once the new one has held for the failure
// threshold, and, for a probe run from several locations, where it fails,
// once that has held as long.
func (a *applier) ongoing(t *Tracked, c sources.Component, sev sources.Status) {
	moved := a.moved(t, c.Spread)
	resev := sev != t.Outage.Severity && a.st.SeverityStreak >= a.pol.FailureThreshold
	if !moved && !resev {
		return
	}
	// Whichever of the two is told, the reply says where it fails now:
	// what it said before goes beside it when that has changed, held or
	// not.
	var was []string
	if c.Spread != nil && t.Failing != nil && failingMoved(t.Failing, c.Spread) {
		was = t.Failing
	}
	t.told(c.Spread)
	if !resev {
		where, _ := spreadText(c.Spread, true, was)
		a.emit(t, outage.Updated, ours(where))
		return
	}
	detail := detailOf(c)
	if where, ok := spreadText(c.Spread, false, was); ok && was != nil {
		detail = ours(where)
	}
	old := t.Outage.Severity
	t.Outage.Severity = sev
	setTitle(&t.Outage, probeTitle(sev))
	a.emit(t, outage.Updated, ours(outage.Say("engine.probe.now", statusArg("Now", sev), statusArg("Was", old), detail.arg("Detail"))))
}

// moved reports whether a multi-location probe fails from other locations
// than its thread was last told, and has for the failure threshold's polls
// in a row. Only the target's doing counts: a told location that is now
// left out of the quorum (no live replica there, no recent result, its own
// network down) says something about our fleet, not about the target, and
// is not news, while a location failing that the thread was not told of is.
// An outage stored before the told locations were kept takes on the
// current ones without a word: they are likely what its thread last said,
// and announcing them on the first poll after an upgrade would be noise.
func (a *applier) moved(t *Tracked, s *sources.Spread) bool {
	switch {
	case s == nil || len(s.Failing) == 0:
		t.Moving, t.MovingStreak = nil, 0
		return false
	case t.Failing == nil:
		t.told(s)
		return false
	case !failingMoved(t.Failing, s):
		t.Moving, t.MovingStreak = nil, 0
		return false
	case sameSet(t.Moving, s.Failing):
		t.MovingStreak = a.inc(t.MovingStreak)
	default:
		t.Moving, t.MovingStreak = slices.Clone(s.Failing), 1
	}
	return t.MovingStreak >= a.pol.FailureThreshold
}

// told records that t's thread now knows where the probe fails (s nil: a
// probe run from one place, which has no locations to tell).
func (t *Tracked) told(s *sources.Spread) {
	t.Moving, t.MovingStreak = nil, 0
	if s != nil && len(s.Failing) > 0 {
		t.Failing = slices.Clone(s.Failing)
	}
}

// failingMoved reports whether s fails from other locations than told,
// leaving aside the told ones that s leaves out.
func failingMoved(told []string, s *sources.Spread) bool {
	kept := slices.DeleteFunc(slices.Clone(told), func(n string) bool { return slices.Contains(s.Out, n) })
	return !sameSet(kept, s.Failing)
}

// sameSet reports whether a and b hold the same names, in any order.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// probeTitle names a probe's outage. Every rendering shows the target's
// name beside the title, so the title does not repeat it; and it names the
// trouble, not a sentence about the present ("X is down") that the
// restoration would contradict.
func probeTitle(sev sources.Status) words {
	if sev == sources.Degraded {
		return ours(outage.Say("engine.title.slow"))
	}
	return ours(outage.Say("engine.title.down"))
}

// probeBody is the probe's own words (its error) and how many checks in a
// row failed; with no words, the status it reported.
func probeBody(c sources.Component, fails int) words {
	d := detailOf(c).arg("Detail")
	if c.Detail == "" {
		d = statusArg("Detail", c.Status)
	}
	return ours(outage.Say("engine.probe.failing", d, outage.Count("Count", fails)))
}

// vendor handles a vendor status feed.
func (a *applier) vendor(obs sources.Observation) {
	st := a.st
	first := !st.Initialized
	byID := componentsByID(obs.Components)
	a.byID = byID

	maint := map[string]bool{}
	for _, m := range obs.Maintenances {
		maint[m.ID] = true
	}
	// Planned work is maintenance whether the page lists it as such or
	// only gives it the maintenance impact.
	isMaint := func(inc sources.Incident) bool { return maint[inc.ID] || inc.Impact == sources.Maintenance }
	var open, done []sources.Incident
	for _, inc := range append(slices.Clip(obs.Incidents), obs.Maintenances...) {
		switch {
		case inc.Status.Done():
			done = append(done, inc)
		case inc.Status == sources.MaintenanceScheduled:
			// Announced maintenance_notice before it starts.
			if a.pol.MaintenanceNotice > 0 && !inc.ScheduledFor.IsZero() && inc.ScheduledFor.Sub(a.now) <= a.pol.MaintenanceNotice {
				open = append(open, inc)
			}
		default:
			open = append(open, inc)
		}
	}
	sort.SliceStable(open, func(i, j int) bool { return open[i].StartedAt.Before(open[j].StartedAt) })

	bad := problemComponents(obs.Components)
	if first && !a.pol.AnnounceExisting {
		for _, inc := range open {
			st.Ignored = mapPut(st.Ignored, inc.ID, incidentSeverity(inc, isMaint(inc), byID))
		}
		for _, c := range bad {
			st.Quiet = mapPut(st.Quiet, c.ID, c.Status)
		}
	}
	openIDs := map[string]bool{}
	for _, inc := range open {
		openIDs[inc.ID] = true
	}
	maps.DeleteFunc(st.Ignored, func(id string, _ sources.Status) bool { return !openIDs[id] })

	for _, inc := range open {
		if was, ignored := st.Ignored[inc.ID]; ignored {
			if !incidentSeverity(inc, isMaint(inc), byID).Worse(was) {
				// Still as it was when we started: its components are
				// explained, not news.
				for _, id := range inc.ComponentIDs {
					if c, ok := byID[id]; ok && c.Status.IsProblem() {
						st.Quiet = mapPut(st.Quiet, id, sources.Worst(st.Quiet[id], c.Status))
					}
				}
				continue
			}
			// It got worse: that is news, announced as a new outage.
			delete(st.Ignored, inc.ID)
		}
		a.incident(inc, isMaint(inc), byID)
	}
	a.closeIncidents(openIDs, done, len(bad) == 0)
	a.health(bad, byID)
}

// incident updates the outage that shows inc, or opens one.
func (a *applier) incident(inc sources.Incident, maint bool, byID map[string]sources.Component) {
	st := a.st
	if t, l := a.linkedTo(inc.ID); t != nil {
		a.followIncident(t, l, inc, false, byID)
		return
	}
	// A vendor incident about components whose degradation we already
	// announced joins that thread instead of starting a second one.
	if h := st.Outages[keyHealth]; h != nil && !maint && overlaps(inc.ComponentIDs, h.Outage.Components, byID) {
		l := &Linked{}
		h.Linked = mapPut(h.Linked, inc.ID, l)
		setTitle(&h.Outage, theirs(inc.Title))
		h.Outage.URL = inc.URL
		a.followIncident(h, l, inc, true, byID)
		return
	}
	key, class := keyIncident+inc.ID, outage.Incident
	if maint {
		key, class = keyMaintenance+inc.ID, outage.MaintenanceWork
	}
	t := a.open(key, class, theirs(inc.Title), incidentSeverity(inc, maint, byID), inc.StartedAt)
	t.Outage.URL = inc.URL
	t.Outage.Phase = inc.Status
	t.Outage.Components = incidentComponents(inc, byID)
	l := linkedFrom(inc)
	t.Linked = map[string]*Linked{inc.ID: l}
	body := ours(outage.Say("engine.incident.posted"))
	if u, ok := inc.Latest(); ok {
		body = theirs(u.Body)
	}
	if maint && inc.Status == sources.MaintenanceScheduled {
		body = maintenanceNotice(inc, a.now, body)
	}
	a.emit(t, outage.Opened, body)
}

// maintenanceNotice says when scheduled maintenance starts and ends,
// followed by what else there is to say about it.
func maintenanceNotice(inc sources.Incident, now time.Time, then words) words {
	notice := outage.Say("engine.maintenance.starts", outage.At("Start", inc.ScheduledFor), outage.Dur("In", inc.ScheduledFor.Sub(now)))
	if !inc.ScheduledUntil.IsZero() {
		notice = outage.Say("engine.maintenance.starts_ends", outage.At("Start", inc.ScheduledFor), outage.Dur("In", inc.ScheduledFor.Sub(now)), outage.At("End", inc.ScheduledUntil))
	}
	if plainBody(then.en) == "" {
		return ours(notice)
	}
	return ours(outage.Say("engine.maintenance.notice", outage.Nested("Notice", notice), then.arg("Body")))
}

// remind posts a "still down" reply in the threads of outages that have
// had no news for RemindEvery.
func (a *applier) remind() {
	if a.pol.RemindEvery <= 0 {
		return
	}
	for _, key := range sortedKeys(a.st.Outages) {
		t := a.st.Outages[key]
		if t.Outage.Class != outage.Incident || t.LastEvent.IsZero() || a.now.Sub(t.LastEvent) < a.pol.RemindEvery {
			continue
		}
		lasted := outage.Dur("Duration", a.now.Sub(t.Outage.OpenedAt))
		still := outage.Say("engine.remind.still", statusArg("Status", t.Outage.Severity), lasted)
		if t.Outage.Severity == sources.MajorOutage {
			still = outage.Say("engine.remind.down", lasted)
		}
		a.emit(t, outage.Updated, ours(still))
	}
}

// followIncident emits one update per new vendor update, or one update for a
// change that came without words (impact, components, phase, title).
// joined is set when inc has just joined a health outage's thread.
func (a *applier) followIncident(t *Tracked, l *Linked, inc sources.Incident, joined bool, byID map[string]sources.Component) {
	o := &t.Outage
	var news []sources.IncidentUpdate
	for _, u := range inc.Updates {
		if !slices.Contains(l.SeenUpdates, updateKey(u)) {
			news = append(news, u)
		}
	}
	comps := incidentComponents(inc, byID)
	if t.ByHealth {
		comps = mergeComponents(o.Components, comps)
	}
	sev := incidentSeverity(inc, o.Class == outage.MaintenanceWork, byID)
	if t.ByHealth {
		sev = sources.Worst(sev, worstOf(comps))
	}
	var changes []change
	if l.Impact != "" && inc.Impact != l.Impact {
		// Always the first change: only a joining incident's comes before
		// it, and that incident has no impact on record to change from.
		impact := outage.Say("engine.change.impact", statusArg("Now", inc.Impact), statusArg("Was", l.Impact))
		changes = append(changes, change{impact, impact})
	}
	if l.Title != "" && inc.Title != l.Title {
		title := quotedArg("Title", theirs(inc.Title))
		changes = append(changes, change{outage.Say("engine.change.retitled", title), outage.Say("engine.change.retitled_more", title)})
	}
	if !sameComponents(o.Components, comps) {
		list := outage.Nested("Components", describeComponents(comps))
		changes = append(changes, change{outage.Say("engine.change.components", list), outage.Say("engine.change.components_more", list)})
	}
	if l.Phase != "" && inc.Status != l.Phase && len(news) == 0 {
		if inc.Status == sources.MaintenanceInProgress {
			changes = append(changes, change{outage.Say("engine.change.started"), outage.Say("engine.change.started_more")})
		} else {
			phase := phaseArg("Phase", inc.Status, string(inc.Status))
			changes = append(changes, change{outage.Say("engine.change.phase", phase), outage.Say("engine.change.phase_more", phase)})
		}
	}

	if t.Outage.Class == outage.MaintenanceWork && l.Phase == sources.MaintenanceScheduled && inc.Status != sources.MaintenanceScheduled {
		// Announced ahead of time: its duration runs from the start.
		o.OpenedAt = a.now
		if !inc.ScheduledFor.IsZero() && !inc.ScheduledFor.After(a.now) {
			o.OpenedAt = inc.ScheduledFor
		}
	}
	setTitle(o, theirs(inc.Title))
	o.URL, o.Severity, o.Components = inc.URL, sev, comps
	l.Impact, l.Title, l.ComponentIDs = inc.Impact, inc.Title, inc.ComponentIDs
	for _, u := range news {
		l.SeenUpdates = append(l.SeenUpdates, updateKey(u))
		o.Phase = u.Status
		a.emit(t, outage.Updated, theirs(u.Body))
	}
	o.Phase = inc.Status
	l.Phase = inc.Status
	if len(news) == 0 && joined {
		// Always the first change: it has no form that continues a sentence.
		joined := outage.Say("engine.change.joined", quotedArg("Title", theirs(inc.Title)))
		changes = append([]change{{joined, joined}}, changes...)
	}
	if len(news) == 0 && len(changes) > 0 {
		a.emit(t, outage.Updated, ours(outage.Say("engine.changes", outage.Nested("Changes", changeList(changes)))))
	}
}

// change is one thing an incident changed without the vendor's words, as
// it starts a sentence ("Impact is now ...") and as it continues one
// ("...; impact is now ...").
type change struct {
	first, more outage.Text
}

// changeList joins changes into one sentence, the first starting it.
func changeList(cs []change) outage.Text {
	texts := make([]outage.Text, len(cs))
	for i, c := range cs {
		texts[i] = c.more
		if i == 0 {
			texts[i] = c.first
		}
	}
	return joinTexts("engine.join.semicolon", texts)
}

// closeIncidents marks linked incidents that are no longer open and resolves
// outages whose incidents are all over (and, for health outages, whose
// components have recovered).
func (a *applier) closeIncidents(openIDs map[string]bool, done []sources.Incident, healthy bool) {
	st := a.st
	doneByID := map[string]sources.Incident{}
	for _, inc := range done {
		doneByID[inc.ID] = inc
	}
	for _, key := range sortedKeys(st.Outages) {
		t := st.Outages[key]
		if len(t.Linked) == 0 {
			continue
		}
		var last words
		var lastAt time.Time
		resolvedByVendor := false
		for _, id := range sortedKeys(t.Linked) {
			l := t.Linked[id]
			if openIDs[id] {
				l.Missing, l.SeenAt = 0, a.now
				continue
			}
			if l.Done {
				continue
			}
			inc, recorded := doneByID[id]
			if !recorded && a.now.Sub(l.SeenAt) < blipWindow {
				if l.Missing++; l.Missing < missingGrace {
					continue
				}
			}
			l.Done = true
			if recorded {
				// Every update the vendor posted since the last poll is
				// shown; the last one is the restoration's words.
				var unseen []sources.IncidentUpdate
				for _, u := range inc.Updates {
					if !slices.Contains(l.SeenUpdates, updateKey(u)) {
						unseen = append(unseen, u)
						l.SeenUpdates = append(l.SeenUpdates, updateKey(u))
					}
				}
				for i, u := range unseen {
					if i == len(unseen)-1 {
						last = theirs(u.Body)
						break
					}
					t.Outage.Phase = u.Status
					a.emit(t, outage.Updated, theirs(u.Body))
				}
				if inc.ResolvedAt.After(lastAt) {
					lastAt = inc.ResolvedAt
				}
				l.Phase = inc.Status
				resolvedByVendor = true
				if inc.Title != "" {
					setTitle(&t.Outage, theirs(inc.Title))
				}
			}
		}
		if !allDone(t.Linked) {
			if last.en != "" {
				a.emit(t, outage.Updated, last)
			}
			continue
		}
		if t.ByHealth && !healthy {
			if last.en != "" {
				a.emit(t, outage.Updated, ours(outage.Say("engine.incident.over_components_not", last.arg("Body"))))
			}
			continue
		}
		maint := t.Outage.Class == outage.MaintenanceWork
		switch {
		case last.en != "":
		case resolvedByVendor && maint:
			last = ours(outage.Say("engine.maintenance.completed"))
		case resolvedByVendor:
			last = ours(outage.Say("engine.incident.resolved"))
		case maint:
			last = ours(outage.Say("engine.maintenance.unlisted"))
		default:
			last = ours(outage.Say("engine.incident.unlisted"))
		}
		// Vendors often mark components operational a poll or two after
		// resolving: until then those components are explained, not news.
		for _, l := range t.Linked {
			for _, id := range l.ComponentIDs {
				if c, ok := a.byID[id]; ok && c.Status.IsProblem() {
					st.Quiet = mapPut(st.Quiet, id, c.Status)
				}
			}
		}
		t.Outage.Phase = sources.IncidentResolved
		for i := range t.Outage.Components {
			t.Outage.Components[i].Status = sources.Operational
		}
		a.resolve(t, lastAt, last)
	}
}

// health opens, updates and resolves the outage that stands for degraded
// components no vendor incident explains.
func (a *applier) health(bad []sources.Component, byID map[string]sources.Component) {
	st := a.st
	// Quiet components stay quiet while they are no worse than they were.
	maps.DeleteFunc(st.Quiet, func(id string, was sources.Status) bool {
		c, ok := byID[id]
		return !ok || !c.Status.IsProblem() || c.Status.Worse(was)
	})
	// Components covered by an open incident are that incident's business.
	var uncovered []sources.Component
	for _, c := range bad {
		if _, quiet := st.Quiet[c.ID]; !quiet && !a.coveredByIncident(c.ID) {
			uncovered = append(uncovered, c)
		}
	}
	a.streak(len(uncovered) > 0)
	t := st.Outages[keyHealth]
	comps := make([]outage.ComponentState, 0, len(uncovered))
	for _, c := range uncovered {
		comps = append(comps, outage.ComponentState{Name: c.Name, Status: c.Status})
	}
	switch {
	case t == nil:
		if len(uncovered) == 0 || st.BadStreak < a.pol.FailureThreshold {
			return
		}
		a.openHealth(healthTitle(comps), worstOf(comps), comps, st.BadSince, healthBody(comps, false))
	case len(t.Linked) > 0 && !allDone(t.Linked):
		// The vendor's incident speaks for this thread now; component
		// changes still show up in it.
		if len(uncovered) > 0 && !sameComponents(t.Outage.Components, mergeComponents(t.Outage.Components, comps)) {
			t.Outage.Components = mergeComponents(t.Outage.Components, comps)
			t.Outage.Severity = sources.Worst(t.Outage.Severity, worstOf(comps))
			if !a.amend(t) {
				a.emit(t, outage.Updated, ours(outage.Say("engine.health.components", outage.Nested("Components", describeComponents(t.Outage.Components)))))
			}
		}
	case len(uncovered) == 0 && st.GoodStreak >= a.successNeeded(t):
		for i := range t.Outage.Components {
			t.Outage.Components[i].Status = sources.Operational
		}
		a.resolve(t, st.GoodSince, ours(outage.Say("engine.health.over")))
	case len(uncovered) > 0 && !sameComponents(t.Outage.Components, comps):
		t.Outage.Components = comps
		t.Outage.Severity = worstOf(comps)
		setTitle(&t.Outage, healthTitle(comps))
		a.emit(t, outage.Updated, healthBody(comps, true))
	}
}

func (a *applier) coveredByIncident(componentID string) bool {
	for _, t := range a.st.Outages {
		if t.ByHealth || t.Outage.Class != outage.Incident {
			continue
		}
		for _, l := range t.Linked {
			if l.Done {
				continue
			}
			if len(l.ComponentIDs) == 0 || slices.Contains(l.ComponentIDs, componentID) {
				return true
			}
		}
	}
	return false
}

func (a *applier) linkedTo(id string) (*Tracked, *Linked) {
	for _, t := range a.st.Outages {
		if l, ok := t.Linked[id]; ok {
			return t, l
		}
	}
	return nil, nil
}

// snapshot records the view that status queries show.
func (a *applier) snapshot(obs sources.Observation) {
	s := &a.st.Snapshot
	s.Components = s.Components[:0]
	worst := sources.Operational
	for _, c := range obs.Components {
		if c.IsGroup {
			continue
		}
		s.Components = append(s.Components, ComponentSnapshot{Name: c.Name, Status: c.Status})
		worst = sources.Worst(worst, c.Status)
		if a.pol.Probe {
			s.Latency = c.Latency
			if c.Status.IsProblem() {
				s.Error = c.Detail
			}
		}
	}
	s.Incidents = s.Incidents[:0]
	for _, inc := range obs.Incidents {
		if inc.Status.Done() {
			continue
		}
		s.Incidents = append(s.Incidents, IncidentSnapshot{Title: inc.Title, Status: inc.Status, StartedAt: inc.StartedAt, URL: inc.URL})
		worst = sources.Worst(worst, inc.Impact)
	}
	// A new slice each time, unlike the others: snapshots handed out share
	// it, and it is never written again.
	var maints []MaintenanceSnapshot
	for _, m := range obs.Maintenances {
		if !m.Status.Done() && m.Status != sources.MaintenanceScheduled {
			worst = sources.Worst(worst, sources.Maintenance)
		}
		if ms, ok := maintenanceSnapshot(m, obs.Components, a.now); ok {
			maints = append(maints, ms)
		}
	}
	s.Maintenances = maints
	s.Status = worst
}

// maintenanceSnapshot is how a status query shows m, or false when it
// ended too long ago to show.
func maintenanceSnapshot(m sources.Incident, comps []sources.Component, now time.Time) (MaintenanceSnapshot, bool) {
	ms := MaintenanceSnapshot{Title: m.Title, Status: sources.MaintenanceInProgress, Start: m.ScheduledFor, End: m.ScheduledUntil, Began: m.StartedAt, URL: m.URL}
	switch {
	case m.Status == sources.MaintenanceScheduled:
		ms.Status, ms.Began = sources.MaintenanceScheduled, m.ScheduledFor
	case m.Status.Done():
		end := m.ResolvedAt
		if end.IsZero() {
			end = m.UpdatedAt
		}
		if end.IsZero() || now.Sub(end) > MaintenanceShownAfter {
			return ms, false
		}
		ms.Status, ms.End = sources.MaintenanceCompleted, end
	}
	if ms.Start.IsZero() {
		ms.Start = ms.Began
	}
	for _, id := range m.ComponentIDs {
		for i := range comps {
			if comps[i].ID == id && !comps[i].IsGroup && !slices.Contains(ms.Components, comps[i].Name) {
				ms.Components = append(ms.Components, comps[i].Name)
			}
		}
	}
	return ms, true
}

func linkedFrom(inc sources.Incident) *Linked {
	l := &Linked{Phase: inc.Status, Impact: inc.Impact, Title: inc.Title, ComponentIDs: inc.ComponentIDs}
	for _, u := range inc.Updates {
		l.SeenUpdates = append(l.SeenUpdates, updateKey(u))
	}
	return l
}

// updateKey identifies a vendor update; feeds without update ids are keyed by
// time and text.
func updateKey(u sources.IncidentUpdate) string {
	if u.ID != "" {
		return u.ID
	}
	return u.At.UTC().Format(time.RFC3339Nano) + "|" + u.Body
}

// incidentSeverity is how bad inc is: the vendor's impact, or worse where
// its components say so. Planned maintenance is maintenance whatever impact
// the vendor gave it ("major" says how much it will be felt, not that
// something broke), so it never reads as an outage.
func incidentSeverity(inc sources.Incident, maint bool, byID map[string]sources.Component) sources.Status {
	if maint {
		return sources.Maintenance
	}
	sev := inc.Impact
	if !sev.Valid() || sev == sources.Unknown || sev == sources.Operational {
		sev = sources.Degraded
	}
	for _, id := range inc.ComponentIDs {
		if c, ok := byID[id]; ok && c.Status.IsProblem() {
			sev = sources.Worst(sev, c.Status)
		}
	}
	return sev
}

func incidentComponents(inc sources.Incident, byID map[string]sources.Component) []outage.ComponentState {
	var out []outage.ComponentState
	for _, id := range inc.ComponentIDs {
		if c, ok := byID[id]; ok && !c.IsGroup {
			out = append(out, outage.ComponentState{Name: c.Name, Status: c.Status})
		}
	}
	return out
}

func overlaps(ids []string, comps []outage.ComponentState, byID map[string]sources.Component) bool {
	if len(ids) == 0 {
		return true
	}
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			for _, s := range comps {
				if s.Name == c.Name {
					return true
				}
			}
		}
	}
	return false
}

func mergeComponents(a, b []outage.ComponentState) []outage.ComponentState {
	out := append([]outage.ComponentState(nil), a...)
	for _, c := range b {
		if i := slices.IndexFunc(out, func(o outage.ComponentState) bool { return o.Name == c.Name }); i >= 0 {
			out[i] = c
		} else {
			out = append(out, c)
		}
	}
	return out
}

func sameComponents(a, b []outage.ComponentState) bool { return slices.Equal(a, b) }

func worstOf(cs []outage.ComponentState) sources.Status {
	w := sources.Operational
	for _, c := range cs {
		w = sources.Worst(w, c.Status)
	}
	return w
}

// describeComponents lists components and their status: "API partial
// outage, Chat degraded performance".
func describeComponents(cs []outage.ComponentState) outage.Text {
	if len(cs) == 0 {
		return outage.Say("engine.components.none")
	}
	parts := make([]outage.Text, len(cs))
	for i, c := range cs {
		parts[i] = outage.Say("engine.component", outage.Str("Name", c.Name), statusArg("Status", c.Status))
	}
	return joinTexts("engine.join.comma", parts)
}

// healthTitle names what the status page shows: one component and its
// status ("Degraded performance on API"), or how many and the worst. The
// status starts the title: the status label as a heading writes it.
func healthTitle(cs []outage.ComponentState) words {
	if len(cs) == 1 {
		s := cs[0].Status
		if !s.Valid() || s == sources.Unknown {
			// No heading label reads as upperFirst(Label()) would.
			return theirs(upperFirst(s.Label()) + " on " + cs[0].Name)
		}
		return ours(outage.Say("engine.title.component", outage.Nested("Status", outage.Text{ID: "status." + string(s)}), outage.Str("Component", cs[0].Name)))
	}
	return ours(outage.Say("engine.title.components", outage.Count("Count", len(cs)), statusArg("Status", worstOf(cs))))
}

// healthBody says what the title does not: the components when the title
// only counts them, and that the vendor has posted no incident. A single
// component is in the title already, and its status is the outage's
// severity, which every rendering shows: naming them again would say the
// same thing twice.
func healthBody(cs []outage.ComponentState, changed bool) words {
	switch {
	case len(cs) == 1 && changed:
		return ours(outage.Say("engine.health.changed_one"))
	case len(cs) == 1:
		return ours(outage.Say("engine.health.shows_one"))
	case changed:
		return ours(outage.Say("engine.health.changed", outage.Nested("Components", describeComponents(cs))))
	}
	return ours(outage.Say("engine.health.shows", outage.Nested("Components", describeComponents(cs))))
}

func problemComponents(cs []sources.Component) []sources.Component {
	var out []sources.Component
	for _, c := range cs {
		if !c.IsGroup && c.Status.IsProblem() {
			out = append(out, c)
		}
	}
	return out
}

func componentsByID(cs []sources.Component) map[string]sources.Component {
	m := make(map[string]sources.Component, len(cs))
	for _, c := range cs {
		m[c.ID] = c
	}
	return m
}

func allDone(m map[string]*Linked) bool {
	for _, l := range m {
		if !l.Done {
			return false
		}
	}
	return true
}

func mapPut[V any](m map[string]V, k string, v V) map[string]V {
	if m == nil {
		m = map[string]V{}
	}
	m[k] = v
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// linkedIDs lists the vendor incidents shown in open outages: they are
// followed to their end whatever the component filter says, so changing the
// filter (or a vendor re-tagging an incident) never fakes a restoration.
func (st *TargetState) linkedIDs() map[string]bool {
	ids := map[string]bool{}
	for _, t := range st.Outages {
		for id := range t.Linked {
			ids[id] = true
		}
	}
	return ids
}

// english writes the bot's own words in English, as events and outages
// store them (Body, Title, Notes) beside the message: written from the
// catalog, the stored English and the catalog never drift apart.
func english(t outage.Text) string { return i18n.For("en").Text(t) }

// words are what an event or a title says: a vendor's (or a probe's)
// words as they were written, or the bot's own as a catalog message (said)
// and its English.
type words struct {
	en   string
	said *outage.Text
}

// theirs are words the bot only passes on.
func theirs(s string) words { return words{en: s} }

// ours are the bot's own words.
func ours(t outage.Text) words { return words{en: english(t), said: &t} }

// arg passes w on inside another message: ours as a nested message,
// theirs as they are, made plain the way chat shows them (plainBody).
func (w words) arg(name string) outage.Arg {
	if w.said != nil {
		return outage.Nested(name, *w.said)
	}
	return outage.Str(name, plainBody(w.en))
}

// body is w as an event stores it: the plain English, and the message when
// its English reads exactly so. Vendor words inside a message are made
// plain before they go in (arg), so the message is dropped only where the
// words around them would change too, and an event's message never says
// other than its Body.
func (w words) body() (string, *outage.Text) {
	body := plainBody(w.en)
	if w.said == nil || body != w.en {
		return body, nil
	}
	s := *w.said
	return body, &s
}

// setTitle gives o the title w on one line, with its message while its
// English is the title.
func setTitle(o *outage.Outage, w words) {
	o.Title, o.TitleSaid = plainTitle(w.en), nil
	if w.said != nil && o.Title == w.en {
		s := *w.said
		o.TitleSaid = &s
	}
}

// titleArg is an outage's title inside another message: the message the
// bot titled it with, or the vendor's title as it is.
func titleArg(name, title string, said *outage.Text) outage.Arg {
	if said != nil && english(*said) == title {
		return outage.Nested(name, *said)
	}
	return outage.Str(name, title)
}

// quotedArg is a title that the message puts in quotes: Go-quoted inside
// (a quote in it escaped), as the words were written before the catalog.
func quotedArg(name string, w words) outage.Arg {
	q := strconv.Quote(w.en)
	if inner := q[1 : len(q)-1]; inner != w.en {
		return outage.Str(name, inner)
	}
	return titleArg(name, w.en, w.said)
}

// statusArg is a status inside a sentence; one outside the contract values
// has no label in the catalog and is written as Label writes it.
func statusArg(name string, s sources.Status) outage.Arg {
	if !s.Valid() {
		return outage.Str(name, s.Label())
	}
	return outage.StatusArg(name, s)
}

// phaseArg is a vendor phase inside a sentence, en its English there; a
// phase the catalog has no label for, or whose label reads otherwise, is
// written as en.
func phaseArg(name string, ph sources.IncidentStatus, en string) outage.Arg {
	if i18n.For("en").T("phase_inline."+string(ph), nil) != en {
		return outage.Str(name, en)
	}
	return outage.PhaseArg(name, ph)
}

// joinTexts joins texts with the separator message sep ("{{.First}};
// {{.Rest}}"), nesting from the end.
func joinTexts(sep string, texts []outage.Text) outage.Text {
	if len(texts) == 0 {
		return outage.Text{}
	}
	out := texts[len(texts)-1]
	for i := len(texts) - 2; i >= 0; i-- {
		out = outage.Text{ID: sep, Args: []outage.Arg{outage.Nested("First", texts[i]), outage.Nested("Rest", out)}}
	}
	return out
}

// listTexts joins texts the language's way ("a, b and c"), like
// i18n.Printer.List does with names.
func listTexts(texts []outage.Text) outage.Text {
	if len(texts) <= 1 {
		return joinTexts("engine.join.comma", texts)
	}
	head := joinTexts("engine.join.comma", texts[:len(texts)-1])
	return outage.Say("format.list", outage.Nested("Head", head), outage.Nested("Last", texts[len(texts)-1]))
}

// line is w as a stored line of notes: its English and its message.
func (w words) line() (string, *outage.Text) {
	if w.said == nil {
		return w.en, nil
	}
	s := *w.said
	return w.en, &s
}

// detailOf is a probe's words: where a multi-location probe fails is the
// bot's own account of its locations; any other detail is the probe's.
func detailOf(c sources.Component) words {
	if t, ok := spreadText(c.Spread, false, nil); ok && english(t) == c.Detail {
		return ours(t)
	}
	return theirs(c.Detail)
}

// verdictBody opens a multi-location probe's outage with where it fails,
// as a sentence.
func verdictBody(c sources.Component) words {
	sentence := upperFirst(c.Detail) + "."
	if t, ok := spreadText(c.Spread, true, nil); ok && english(t) == sentence {
		return ours(t)
	}
	return theirs(sentence)
}

// spreadText says where a probe fails: "failing from eu-west and us-east;
// fine from ap-south; left out: sa-east". As a sentence, its first clause
// is capitalised and it ends with a full stop. With was, the locations it
// failed from before, it says that the failing ones changed: "now failing
// from eu-west and us-east (was: eu-west)" as a sentence, "failing from
// eu-west and us-east (was: eu-west)" inside one.
func spreadText(s *sources.Spread, sentence bool, was []string) (outage.Text, bool) {
	// An outage opens only where some location fails, so a sentence
	// always starts with the failing ones.
	if s == nil || len(s.Failing) == 0 {
		return outage.Text{}, false
	}
	first := outage.Say("engine.where.failing", outage.List("Names", s.Failing))
	switch {
	case was != nil && sentence:
		first = outage.Say("engine.where.now_failing", outage.List("Names", s.Failing), outage.List("Was", was))
	case was != nil:
		first = outage.Say("engine.where.failing_was", outage.List("Names", s.Failing), outage.List("Was", was))
	case sentence:
		first = outage.Say("engine.where.failing_first", outage.List("Names", s.Failing))
	}
	parts := []outage.Text{first}
	if len(s.Fine) > 0 {
		parts = append(parts, outage.Say("engine.where.fine", outage.List("Names", s.Fine)))
	}
	if len(s.Out) > 0 {
		parts = append(parts, outage.Say("engine.where.out", outage.List("Names", s.Out)))
	}
	t := joinTexts("engine.join.semicolon", parts)
	if sentence {
		t = outage.Say("engine.where.sentence", outage.Nested("Where", t))
	}
	return t, true
}
