package bot

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Dependency is a vendor (another target) that a target relies on,
// optionally only some of its components (by name).
type Dependency struct {
	Target     string
	Components []string
}

// covers reports whether an outage of the depended-on target touches what
// the dependency relies on. An outage that names no component counts only
// for a dependency on the whole target: "likely caused by" must not point
// at an incident about some other product of the same vendor.
func (d Dependency) covers(o outage.Outage) bool {
	if len(d.Components) == 0 {
		return true
	}
	for _, c := range o.Components {
		for _, want := range d.Components {
			if strings.EqualFold(c.Name, want) {
				return true
			}
		}
	}
	return false
}

// Peer is another target as one poll sees it: as the store holds it (see
// peerview.go), copied under that target's lock before the polled target's
// own state is locked, so that no poll ever holds two targets' locks.
type Peer struct {
	Name        string
	Status      sources.Status
	Initialized bool
	// Outages are its open incident outages (not maintenance, not
	// unreadable status data), oldest first.
	Outages []PeerOutage
}

// PeerOutage is an open outage of a peer and when the bot first saw it.
type PeerOutage struct {
	outage.Outage
	SeenAt time.Time
}

// seen is when the trouble was first on the peer's page.
func (o PeerOutage) seen() time.Time {
	if o.SeenAt.IsZero() {
		return o.OpenedAt
	}
	return o.SeenAt
}

// Related is what one poll knows of the targets its target is tied to.
type Related struct {
	// Deps are the targets this one depends on, in depends_on order.
	Deps []RelatedDep
	// Dependents are the targets that depend on this one, each with its
	// dependency on this one.
	Dependents []RelatedDep
	// Alternatives are the targets that can stand in for this one.
	Alternatives []Peer
}

// RelatedDep is a peer and the dependency that ties it to the polled
// target.
type RelatedDep struct {
	Dependency
	Peer Peer
}

func (r Related) empty() bool {
	return len(r.Deps) == 0 && len(r.Dependents) == 0 && len(r.Alternatives) == 0
}

// relate ties this poll's outages to the targets around it: the likely
// cause of a failing service of ours and whether its vendor confirms it,
// the services a vendor outage affects, the fallbacks that work. It is the
// one place where other targets' state has a say, and it changes only st
// and change: like Apply, it can be thrown away with them.
func relate(st *TargetState, change *Change, rel Related, now time.Time) {
	if rel.empty() {
		return
	}
	opened := map[string]bool{}
	for _, ev := range change.Events {
		if ev.Kind == outage.Opened {
			opened[ev.OutageID] = true
		}
	}
	var (
		notes     []string
		notesSaid []outage.Text
	)
	for _, key := range slices.Sorted(maps.Keys(st.Outages)) {
		t := st.Outages[key]
		if t.Outage.Class != outage.Incident {
			continue
		}
		isNew := opened[t.Outage.ID]
		prev := t.Outage.Related
		var rl outage.Related
		var body words
		if len(rel.Deps) > 0 {
			var cause words
			cause, body = relateCause(t, rel.Deps, isNew, now)
			rl.Cause, rl.CauseSaid = cause.line()
		}
		if len(rel.Dependents) > 0 {
			if isNew {
				joinDependent(t, rel.Dependents)
			}
			rl.Affects, rl.AffectsSaid = affected(t.Outage, st.Target, rel.Dependents).line()
		}
		var alts outage.Text
		if len(rel.Alternatives) > 0 {
			alts = alternatives(rel.Alternatives)
			rl.Fallback, rl.FallbackSaid = ours(outage.Say("engine.fallback.line", outage.Nested("Alternatives", alts))).line()
		}
		t.Outage.Related = rl
		notes = append(notes, rl.Lines()...)
		notesSaid = appendSaid(notesSaid, rl, len(notes))
		if body.en == "" && !isNew && rl.Fallback != prev.Fallback && prev.Fallback != "" && !hasEvent(change, t.Outage.ID) {
			body = ours(outage.Say("engine.fallback.changed", outage.Nested("Alternatives", alts)))
		}
		if body.en != "" {
			emitRelated(t, change, body, now)
		}
		patch(change, t.Outage)
	}
	// Outages resolved by this poll: a suspicion the vendor never
	// confirmed is withdrawn.
	for i := range change.Outages {
		o := &change.Outages[i]
		if o.Open() || o.Link == nil || o.Link.Confirm != outage.Unconfirmed {
			continue
		}
		l := *o.Link // copy on write: peers may hold the old one
		l.Confirm = outage.Withdrawn
		o.Link = &l
		o.Related.Cause, o.Related.CauseSaid = ours(outage.Say("engine.cause.withdrawn", outage.Str("Vendor", o.Link.Vendor))).line()
		if r := st.Recent; r != nil && r.Outage.ID == o.ID {
			r.Outage.Link, r.Outage.Related = o.Link, o.Related
		}
		patch(change, *o)
	}
	st.Snapshot.Notes, st.Snapshot.NotesSaid = notes, notesSaid
}

// appendSaid adds r's lines as messages while every line so far has one;
// a line without one (an outage stored before the catalog) leaves the
// whole list English, which n (the count of lines) tells.
func appendSaid(said []outage.Text, r outage.Related, n int) []outage.Text {
	add := r.LinesSaid()
	if len(said)+len(add) != n {
		return nil
	}
	return append(said, add...)
}

// relateCause keeps t's link to the vendors it depends on: it returns the
// note for t's messages and, when the vendor has just confirmed an
// unconfirmed outage, the words of the update that says so.
func relateCause(t *Tracked, deps []RelatedDep, isNew bool, now time.Time) (note, body words) {
	link := t.Outage.Link
	if link != nil && link.Confirm == outage.Withdrawn && t.Outage.Open() {
		// A thread that came back re-examines its cause.
		link = nil
	}
	cause, dep := findCause(deps)
	switch {
	case link == nil && cause != nil:
		t.Outage.Link = confirmedLink(dep.Peer.Name, *cause, t.Outage.OpenedAt)
		if isNew {
			t.Outage.Thread = cause.ThreadKey()
		}
		return causeNote(dep.Peer.Name, *cause), words{}
	case link == nil:
		t.Outage.Link = &outage.Link{Vendor: deps[0].Peer.Name, Confirm: outage.Unconfirmed}
		return unconfirmedNote(deps), words{}
	case link.Confirm == outage.Unconfirmed && cause != nil:
		t.Outage.Link = confirmedLink(dep.Peer.Name, *cause, t.Outage.OpenedAt)
		return confirmedNote(*t.Outage.Link), nowConfirmed(dep.Peer.Name, *cause, t.Outage.Link.Lag)
	case link.Confirm == outage.Unconfirmed:
		return unconfirmedNote(deps), words{}
	}
	// Confirmed: keep the note current while the vendor's outage lasts (its
	// phase moves on), and as it was last shown once it is over.
	for _, d := range deps {
		for _, o := range d.Peer.Outages {
			if o.ID == link.VendorOutage && d.Peer.Name == link.Vendor {
				if strings.HasPrefix(t.Outage.Related.Cause, confirmPrefix) {
					l := *link
					l.VendorTitle, l.VendorTitleSaid = o.Title, o.TitleSaid.Clone()
					return confirmedNote(l), words{}
				}
				return causeNote(d.Peer.Name, o), words{}
			}
		}
	}
	if c := t.Outage.Related; c.Cause != "" {
		return words{en: c.Cause, said: c.CauseSaid.Clone()}, words{}
	}
	return confirmedNote(*link), words{}
}

// nowConfirmed is the update that says the vendor now admits the trouble,
// and how long after we saw it.
func nowConfirmed(vendor string, cause PeerOutage, lag time.Duration) words {
	name, title := outage.Str("Vendor", vendor), quotedArg("Title", words{en: cause.Title, said: cause.TitleSaid})
	if lag > 0 {
		return ours(outage.Say("engine.cause.now_confirmed_lag", name, title, outage.Dur("Lag", lag)))
	}
	return ours(outage.Say("engine.cause.now_confirmed", name, title))
}

// findCause is the oldest open outage of a depended-on target that touches
// what the dependency relies on.
func findCause(deps []RelatedDep) (*PeerOutage, *RelatedDep) {
	var (
		best *PeerOutage
		dep  *RelatedDep
	)
	for i := range deps {
		d := &deps[i]
		for j := range d.Peer.Outages {
			o := &d.Peer.Outages[j]
			if d.covers(o.Outage) && (best == nil || o.OpenedAt.Before(best.OpenedAt)) {
				best, dep = o, d
			}
		}
	}
	return best, dep
}

func confirmedLink(vendor string, cause PeerOutage, detected time.Time) *outage.Link {
	return &outage.Link{
		Vendor:          vendor,
		Confirm:         outage.Confirmed,
		VendorOutage:    cause.ID,
		VendorTitle:     cause.Title,
		VendorTitleSaid: cause.TitleSaid.Clone(),
		AckAt:           cause.seen(),
		Lag:             cause.seen().Sub(detected),
	}
}

// confirmPrefix starts the English of a confirmed cause: notes stored
// before the catalog are only that English.
const confirmPrefix = "Confirmed by "

func causeNote(vendor string, o PeerOutage) words {
	name, title, since := outage.Str("Vendor", vendor), titleArg("Title", o.Title, o.TitleSaid), outage.Clock("Since", o.OpenedAt)
	if o.Phase == "" {
		// Components gone bad with no incident posted: the title says how.
		return ours(outage.Say("engine.cause.likely", name, title, since))
	}
	phase := phaseArg("Phase", o.Phase, strings.ReplaceAll(string(o.Phase), "_", " "))
	return ours(outage.Say("engine.cause.likely_phase", name, title, phase, since))
}

func confirmedNote(l outage.Link) words {
	name, title := outage.Str("Vendor", l.Vendor), titleArg("Title", l.VendorTitle, l.VendorTitleSaid)
	if l.Lag > 0 {
		return ours(outage.Say("engine.cause.confirmed_lag", name, title, outage.Dur("Lag", l.Lag)))
	}
	return ours(outage.Say("engine.cause.confirmed", name, title))
}

// unconfirmedNote says what the vendors' pages say instead: no incident on
// what we depend on (there may be one on something else).
func unconfirmedNote(deps []RelatedDep) words {
	var parts []outage.Text
	var unread []string
	for _, d := range deps {
		switch {
		case !d.Peer.Initialized || d.Peer.Status == sources.Unknown:
			unread = append(unread, d.Peer.Name)
		case len(d.Components) > 0:
			parts = append(parts, outage.Say("engine.unconfirmed.no_incident_on", outage.Str("Vendor", d.Peer.Name), outage.List("Components", d.Components)))
		default:
			parts = append(parts, outage.Say("engine.unconfirmed.no_incident", outage.Str("Vendor", d.Peer.Name)))
		}
	}
	if len(unread) > 0 {
		parts = append(parts, outage.Say("engine.unconfirmed.unreadable", outage.List("Vendors", unread)))
	}
	return ours(outage.Say("engine.unconfirmed.line", outage.Nested("Reasons", joinTexts("engine.join.semicolon", parts))))
}

// joinDependent makes a new vendor outage join the thread of a service of
// ours that has been failing, unconfirmed, on what it touches: the vendor's
// admission belongs under our early warning.
func joinDependent(t *Tracked, dependents []RelatedDep) {
	var first *PeerOutage
	for _, d := range dependents {
		if !d.covers(t.Outage) {
			continue
		}
		for j := range d.Peer.Outages {
			o := &d.Peer.Outages[j]
			if o.Link != nil && o.Link.Confirm == outage.Unconfirmed && o.Link.Vendor == t.Outage.Target &&
				(first == nil || o.OpenedAt.Before(first.OpenedAt)) {
				first = o
			}
		}
	}
	if first != nil {
		t.Outage.Thread = first.ThreadKey()
	}
}

// affected lists the services of ours that depend on what a vendor outage
// touches: failing ones with since when, working ones as working.
func affected(o outage.Outage, vendor string, dependents []RelatedDep) words {
	var failing []outage.Text
	var working []string
	for _, d := range dependents {
		if !d.covers(o) {
			continue
		}
		var since time.Time
		for _, po := range d.Peer.Outages {
			if po.Link != nil && po.Link.Vendor == vendor && (since.IsZero() || po.OpenedAt.Before(since)) {
				since = po.OpenedAt
			}
		}
		if since.IsZero() {
			working = append(working, d.Peer.Name)
		} else {
			failing = append(failing, outage.Say("engine.affects.failing", outage.Str("Service", d.Peer.Name), outage.Clock("Since", since)))
		}
	}
	var parts []outage.Text
	if len(failing) > 0 {
		parts = append(parts, outage.Say("engine.affects.ours", outage.Nested("Services", listTexts(failing))))
	}
	if len(working) > 0 {
		parts = append(parts, outage.Say("engine.affects.working", outage.Count("Count", len(working)), outage.List("Services", working)))
	}
	if len(parts) == 0 {
		return words{}
	}
	return ours(joinTexts("engine.join.semicolon", parts))
}

// alternatives says which alternatives work right now, for the fallback
// line.
func alternatives(alts []Peer) outage.Text {
	parts := make([]outage.Text, 0, len(alts))
	for _, a := range alts {
		name := outage.Str("Name", a.Name)
		var state outage.Text
		switch {
		case !a.Initialized:
			state = outage.Say("engine.fallback.unchecked", name)
		case a.Status == sources.Unknown:
			// Unknown only after unreachable_threshold failed polls: one
			// failed poll of its page does not make the line flap.
			state = outage.Say("engine.fallback.unknown", name)
		case a.Status == sources.Degraded:
			state = outage.Say("engine.fallback.degraded", name)
		case a.Status == sources.PartialOutage:
			state = outage.Say("engine.fallback.partial_outage", name)
		case a.Status == sources.MajorOutage:
			state = outage.Say("engine.fallback.major_outage", name)
		case a.Status == sources.Maintenance:
			state = outage.Say("engine.fallback.maintenance", name)
		default:
			state = outage.Say("engine.fallback.operational", name)
		}
		parts = append(parts, state)
	}
	return joinTexts("engine.join.semicolon", parts)
}

func hasEvent(c *Change, id string) bool {
	return slices.ContainsFunc(c.Events, func(ev outage.Event) bool { return ev.OutageID == id })
}

// emitRelated adds an update of t made by relate.
func emitRelated(t *Tracked, c *Change, body words, now time.Time) {
	t.LastEvent = now
	ev := t.Outage.Event(outage.Updated, now, body.en)
	ev.Said = body.said.Clone()
	c.Events = append(c.Events, ev)
}

// patch brings this change's record of o, and its events, up to o's
// relations, so every message of the poll shows them.
func patch(c *Change, o outage.Outage) {
	found := false
	for i := range c.Outages {
		if c.Outages[i].ID == o.ID {
			c.Outages[i].Thread, c.Outages[i].Related, c.Outages[i].Link, c.Outages[i].Seq = o.Thread, o.Related, o.Link, max(c.Outages[i].Seq, o.Seq)
			found = true
		}
	}
	if !found && hasEvent(c, o.ID) {
		c.Outages = append(c.Outages, o)
	}
	for i := range c.Events {
		if ev := &c.Events[i]; ev.OutageID == o.ID {
			ev.Thread = o.Thread
			ev.Notes, ev.NotesSaid = o.Related.Lines(), o.Related.LinesSaid()
			if o.Link != nil {
				l := *o.Link
				ev.Link = &l
			}
		}
	}
}
