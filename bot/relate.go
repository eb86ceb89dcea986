package bot

import (
	"fmt"
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
	var notes []string
	for _, key := range slices.Sorted(maps.Keys(st.Outages)) {
		t := st.Outages[key]
		if t.Outage.Class != outage.Incident {
			continue
		}
		isNew := opened[t.Outage.ID]
		prev := t.Outage.Related
		var rl outage.Related
		var body string
		if len(rel.Deps) > 0 {
			rl.Cause, body = relateCause(t, rel.Deps, isNew, now)
		}
		if len(rel.Dependents) > 0 {
			if isNew {
				joinDependent(t, rel.Dependents)
			}
			rl.Affects = affected(t.Outage, st.Target, rel.Dependents)
		}
		if len(rel.Alternatives) > 0 {
			rl.Fallback = fallback(rel.Alternatives)
		}
		t.Outage.Related = rl
		notes = append(notes, rl.Lines()...)
		if body == "" && !isNew && rl.Fallback != prev.Fallback && prev.Fallback != "" && !hasEvent(change, t.Outage.ID) {
			body = strings.Replace(rl.Fallback, fallbackPrefix, "Fallback now:", 1)
		}
		if body != "" {
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
		o.Related.Cause = fmt.Sprintf("Withdrawn: %s never reported an incident, so the trouble was likely not theirs", o.Link.Vendor)
		if r := st.Recent; r != nil && r.Outage.ID == o.ID {
			r.Outage.Link, r.Outage.Related = o.Link, o.Related
		}
		patch(change, *o)
	}
	st.Snapshot.Notes = notes
}

// relateCause keeps t's link to the vendors it depends on: it returns the
// note for t's messages and, when the vendor has just confirmed an
// unconfirmed outage, the words of the update that says so.
func relateCause(t *Tracked, deps []RelatedDep, isNew bool, now time.Time) (note, body string) {
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
		return causeNote(dep.Peer.Name, *cause), ""
	case link == nil:
		t.Outage.Link = &outage.Link{Vendor: deps[0].Peer.Name, Confirm: outage.Unconfirmed}
		return unconfirmedNote(deps), ""
	case link.Confirm == outage.Unconfirmed && cause != nil:
		t.Outage.Link = confirmedLink(dep.Peer.Name, *cause, t.Outage.OpenedAt)
		lag := t.Outage.Link.Lag
		body = fmt.Sprintf("Confirmed: %s now reports %q", dep.Peer.Name, cause.Title)
		if lag > 0 {
			body += fmt.Sprintf(", %s after we detected it", outage.FormatDuration(lag))
		}
		return confirmedNote(*t.Outage.Link), body + "."
	case link.Confirm == outage.Unconfirmed:
		return unconfirmedNote(deps), ""
	}
	// Confirmed: keep the note current while the vendor's outage lasts (its
	// phase moves on), and as it was last shown once it is over.
	for _, d := range deps {
		for _, o := range d.Peer.Outages {
			if o.ID == link.VendorOutage && d.Peer.Name == link.Vendor {
				if strings.HasPrefix(t.Outage.Related.Cause, confirmPrefix) {
					l := *link
					l.VendorTitle = o.Title
					return confirmedNote(l), ""
				}
				return causeNote(d.Peer.Name, o), ""
			}
		}
	}
	if c := t.Outage.Related.Cause; c != "" {
		return c, ""
	}
	return confirmedNote(*link), ""
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
		Vendor:       vendor,
		Confirm:      outage.Confirmed,
		VendorOutage: cause.ID,
		VendorTitle:  cause.Title,
		AckAt:        cause.seen(),
		Lag:          cause.seen().Sub(detected),
	}
}

const (
	causePrefix    = "Likely caused by "
	confirmPrefix  = "Confirmed by "
	fallbackPrefix = "Fallback:"
)

func causeNote(vendor string, o PeerOutage) string {
	since := o.OpenedAt.UTC().Format("15:04")
	if o.Phase == "" {
		// Components gone bad with no incident posted: the title says how.
		return fmt.Sprintf("%s%s: %s (since %s UTC)", causePrefix, vendor, o.Title, since)
	}
	return fmt.Sprintf("%s%s: %s (%s since %s UTC)", causePrefix, vendor, o.Title, strings.ReplaceAll(string(o.Phase), "_", " "), since)
}

func confirmedNote(l outage.Link) string {
	s := fmt.Sprintf("%s%s: %s", confirmPrefix, l.Vendor, l.VendorTitle)
	if l.Lag > 0 {
		s += fmt.Sprintf(" (%s after we detected it)", outage.FormatDuration(l.Lag))
	}
	return s
}

// unconfirmedNote says what the vendors' pages say instead: no incident on
// what we depend on (there may be one on something else).
func unconfirmedNote(deps []RelatedDep) string {
	var parts, unread []string
	for _, d := range deps {
		switch {
		case !d.Peer.Initialized || d.Peer.Status == sources.Unknown:
			unread = append(unread, d.Peer.Name)
		case len(d.Components) > 0:
			parts = append(parts, d.Peer.Name+" reports no incident on "+joinNames(d.Components))
		default:
			parts = append(parts, d.Peer.Name+" reports no incident")
		}
	}
	if len(unread) > 0 {
		parts = append(parts, "the status of "+joinNames(unread)+" cannot be read")
	}
	return "Unconfirmed: " + strings.Join(parts, "; ")
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
func affected(o outage.Outage, vendor string, dependents []RelatedDep) string {
	var failing, working []string
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
			failing = append(failing, fmt.Sprintf("%s (failing since %s UTC)", d.Peer.Name, since.UTC().Format("15:04")))
		}
	}
	var parts []string
	if len(failing) > 0 {
		parts = append(parts, "Affects our "+joinNames(failing))
	}
	if len(working) > 0 {
		verb := " works"
		if len(working) > 1 {
			verb = " work"
		}
		parts = append(parts, joinNames(working)+verb)
	}
	return strings.Join(parts, "; ")
}

// fallback is the line that says which alternatives work right now.
func fallback(alts []Peer) string {
	parts := make([]string, 0, len(alts))
	for _, a := range alts {
		var state string
		switch {
		case !a.Initialized:
			state = "is not checked yet"
		case a.Status == sources.Unknown:
			// Unknown only after unreachable_threshold failed polls: one
			// failed poll of its page does not make the line flap.
			state = "is of unknown status"
		case a.Status == sources.Degraded:
			state = "is degraded"
		case a.Status == sources.PartialOutage:
			state = "has a partial outage"
		case a.Status == sources.MajorOutage:
			state = "is down"
		case a.Status == sources.Maintenance:
			state = "is under maintenance"
		default:
			state = "is operational"
		}
		parts = append(parts, a.Name+" "+state)
	}
	return fallbackPrefix + " " + strings.Join(parts, "; ")
}

func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func hasEvent(c *Change, id string) bool {
	return slices.ContainsFunc(c.Events, func(ev outage.Event) bool { return ev.OutageID == id })
}

// emitRelated adds an update of t made by relate.
func emitRelated(t *Tracked, c *Change, body string, now time.Time) {
	t.LastEvent = now
	c.Events = append(c.Events, t.Outage.Event(outage.Updated, now, body))
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
			ev.Notes = o.Related.Lines()
			if o.Link != nil {
				l := *o.Link
				ev.Link = &l
			}
		}
	}
}
