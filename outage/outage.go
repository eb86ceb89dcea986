// Package outage holds outagebot's own incident record and the events that
// announce it. The engine produces them, the store keeps them and the
// notifiers render them; none of those packages depend on each other.
package outage

import (
	"time"

	"github.com/outagebot/outagebot/sources"
)

// Kind says what an event announces.
type Kind string

// Event kinds.
const (
	Opened   Kind = "opened"
	Updated  Kind = "updated"
	Resolved Kind = "resolved"
)

// Class tells outages about a vendor's service apart from outages of our
// own view of it.
type Class string

const (
	// Incident: the vendor (or a probe) says something is broken.
	Incident Class = "incident"
	// MaintenanceWork: planned vendor maintenance in progress.
	MaintenanceWork Class = "maintenance"
	// Unreachable: the status feed itself could not be read. It is reported
	// on its own and never opens or resolves an Incident.
	Unreachable Class = "unreachable"
)

// SelfTarget is the target of notices about the bot itself rather than
// about a configured target: that its own network looks down.
const SelfTarget = "outagebot"

// ComponentState is a component as shown in a message.
type ComponentState struct {
	Name   string         `json:"name"`
	Status sources.Status `json:"status"`
}

// Event is one notification. It is self-contained: it carries the outage's
// current state, so a notifier can render a new message or edit the root
// message from the event alone.
type Event struct {
	// ID is assigned by the store.
	ID       int64  `json:"id,omitempty"`
	OutageID string `json:"outage_id"`
	// Seq numbers the events of one outage from 1; opened is always 1.
	Seq    int       `json:"seq"`
	Kind   Kind      `json:"kind"`
	Class  Class     `json:"class"`
	Target string    `json:"target"`
	At     time.Time `json:"at"`
	// Title is the outage's current title (the vendor's incident title when
	// there is one).
	Title    string         `json:"title"`
	Severity sources.Status `json:"severity"`
	// Phase is the vendor's incident phase (investigating, identified, ...),
	// empty for probes.
	Phase sources.IncidentStatus `json:"phase,omitempty"`
	// Body is what happened, in the vendor's own words where there are any.
	// When the bot wrote it, Said holds the same words as a catalog message
	// for each destination to write in its own language, and Body keeps
	// them in English (reports, the API, the webhook). TitleSaid is the
	// same for a title the bot gave the outage.
	Body       string           `json:"body,omitempty"`
	Said       *Text            `json:"said,omitempty"`
	TitleSaid  *Text            `json:"title_said,omitempty"`
	Components []ComponentState `json:"components,omitempty"`
	URL        string           `json:"url,omitempty"`
	OpenedAt   time.Time        `json:"opened_at"`
	ResolvedAt time.Time        `json:"resolved_at,omitzero"`
	// Thread, when set, is the outage whose chat thread this one joined
	// (see Outage.Thread).
	Thread string `json:"thread,omitempty"`
	// Notes are lines about other targets: the likely cause, the services
	// it affects, the fallbacks that work (see Outage.Related).
	Notes []string `json:"notes,omitempty"`
	// NotesSaid are Notes as catalog messages, when set one for one.
	NotesSaid []Text `json:"notes_said,omitempty"`
	// Link is the outage's tie to a vendor outage (see Outage.Link).
	Link *Link `json:"link,omitempty"`
	// Chart, on a digest, is the data of its picture (nil: no picture).
	Chart *Chart `json:"chart,omitempty"`
	// Written, on a digest or a report, holds its title and body in each
	// language of the catalog but English, which Title and Body hold (see
	// Written).
	Written map[string]Written `json:"written,omitempty"`
	// Page is the outage's page on our status site ([web] base_url),
	// filled in when it is delivered, never stored.
	Page string `json:"-"`
	// Ack, once someone has acknowledged the outage, says who and when;
	// the store adds it to every event committed after the ack, so a root
	// edited to a later state keeps showing it.
	Ack *Ack `json:"ack,omitempty"`
}

// Joined reports whether the event belongs to a thread that another outage
// started: it is posted as a reply there and never edits that root.
func (e Event) Joined() bool { return e.Thread != "" && e.Thread != e.OutageID }

// ThreadKey is the outage whose thread carries the event.
func (e Event) ThreadKey() string {
	if e.Thread != "" {
		return e.Thread
	}
	return e.OutageID
}

// Confirmation says whether the vendor a failing service depends on admits
// the trouble.
type Confirmation string

// Confirmations.
const (
	// Unconfirmed: our probe fails, the vendor reports no incident.
	Unconfirmed Confirmation = "unconfirmed"
	// Confirmed: the vendor reports an incident on what we depend on.
	Confirmed Confirmation = "confirmed"
	// Withdrawn: we recovered before the vendor ever admitted a problem.
	Withdrawn Confirmation = "withdrawn"
)

// Related holds what an outage's messages say about other targets, one
// line each; empty lines are not shown. Each line is kept in English and,
// beside it, as the catalog message it was written from (nil in records
// made before the catalog), so every destination reads it in its language.
type Related struct {
	// Cause is the likely cause and whether the vendor confirms it.
	Cause     string `json:"cause,omitempty"`
	CauseSaid *Text  `json:"cause_said,omitempty"`
	// Affects lists our services that a vendor outage hurts (or spares).
	Affects     string `json:"affects,omitempty"`
	AffectsSaid *Text  `json:"affects_said,omitempty"`
	// Fallback says which alternatives work right now.
	Fallback     string `json:"fallback,omitempty"`
	FallbackSaid *Text  `json:"fallback_said,omitempty"`
}

// Lines are the lines to show, in order.
func (r Related) Lines() []string {
	var out []string
	for _, l := range []string{r.Cause, r.Affects, r.Fallback} {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// LinesSaid are Lines as catalog messages, one for one, or nil when a line
// has no message (a record from before the catalog): notes are then shown
// as they were stored, all in English rather than some in each language.
func (r Related) LinesSaid() []Text {
	var out []Text
	for _, l := range []struct {
		en   string
		said *Text
	}{{r.Cause, r.CauseSaid}, {r.Affects, r.AffectsSaid}, {r.Fallback, r.FallbackSaid}} {
		if l.en == "" {
			continue
		}
		if l.said == nil {
			return nil
		}
		out = append(out, *l.said)
	}
	return out
}

// Link ties an outage of one of our services to the vendor it depends on.
type Link struct {
	// Vendor is the target the service depends on.
	Vendor  string       `json:"vendor"`
	Confirm Confirmation `json:"confirm"`
	// VendorOutage is our outage of the vendor's incident, once there is
	// one; VendorTitle its title then.
	VendorOutage string `json:"vendor_outage,omitempty"`
	VendorTitle  string `json:"vendor_title,omitempty"`
	// VendorTitleSaid is VendorTitle as a catalog message when the bot
	// gave the vendor's outage its title (degraded components, no incident).
	VendorTitleSaid *Text `json:"vendor_title_said,omitempty"`
	// AckAt is when the vendor's page admitted the trouble (the incident's
	// start as the vendor gives it, else when we first saw it); Lag is how
	// long after our own detection that was (zero or less: the vendor said
	// so first).
	AckAt time.Time     `json:"ack_at,omitzero"`
	Lag   time.Duration `json:"lag_ns,omitempty"`
}

// Duration is how long the outage lasted (resolved events) or has lasted so
// far.
func (e Event) Duration() time.Duration {
	end := e.At
	if !e.ResolvedAt.IsZero() {
		end = e.ResolvedAt
	}
	return end.Sub(e.OpenedAt)
}

// Outage is our record of one incident: one chat thread per outage.
type Outage struct {
	ID     string `json:"id"`
	Target string `json:"target"`
	Key    string `json:"key"`
	Class  Class  `json:"class"`
	Title  string `json:"title"`
	// TitleSaid is Title as a catalog message when the bot gave the outage
	// its title ("Down", "X: no status data"), nil for a vendor's title:
	// every later event of the outage carries it (Event.TitleSaid).
	TitleSaid  *Text                  `json:"title_said,omitempty"`
	Severity   sources.Status         `json:"severity"`
	Phase      sources.IncidentStatus `json:"phase,omitempty"`
	URL        string                 `json:"url,omitempty"`
	Components []ComponentState       `json:"components,omitempty"`
	OpenedAt   time.Time              `json:"opened_at"`
	ResolvedAt time.Time              `json:"resolved_at,omitzero"`
	// Seq is the sequence number of the last event emitted for it.
	Seq int `json:"seq"`
	// Thread, when set, is the outage whose chat thread this one joined:
	// a failing service of ours and the vendor incident that explains it
	// share one thread, whichever was seen first.
	Thread string `json:"thread,omitempty"`
	// Related are the current lines about related targets, shown on the
	// outage's messages (as Event.Notes).
	Related Related `json:"related,omitzero"`
	// Link is set on outages of targets that depend on a vendor.
	Link *Link `json:"link,omitempty"`
}

// ThreadKey is the outage whose thread carries o's messages.
func (o Outage) ThreadKey() string {
	if o.Thread != "" {
		return o.Thread
	}
	return o.ID
}

// Span says how long it has been going on at now, or how long it lasted:
// "ongoing for 12m", "lasted 1h 12m".
func (o Outage) Span(now time.Time) string {
	if o.Open() {
		return "ongoing for " + FormatDuration(now.Sub(o.OpenedAt))
	}
	return "lasted " + FormatDuration(o.ResolvedAt.Sub(o.OpenedAt))
}

// Open reports whether the outage has not been resolved.
func (o Outage) Open() bool { return o.ResolvedAt.IsZero() }

// Event builds the next event for o, carrying o's current state.
func (o *Outage) Event(kind Kind, at time.Time, body string) Event {
	o.Seq++
	return Event{
		OutageID:   o.ID,
		Seq:        o.Seq,
		Kind:       kind,
		Class:      o.Class,
		Target:     o.Target,
		At:         at,
		Title:      o.Title,
		TitleSaid:  o.TitleSaid.Clone(),
		Severity:   o.Severity,
		Phase:      o.Phase,
		Body:       body,
		Components: append([]ComponentState(nil), o.Components...),
		URL:        o.URL,
		OpenedAt:   o.OpenedAt,
		ResolvedAt: o.ResolvedAt,
		Thread:     o.Thread,
		Notes:      o.Related.Lines(),
		NotesSaid:  o.Related.LinesSaid(),
		Link:       o.Link.clone(),
	}
}

func (l *Link) clone() *Link {
	if l == nil {
		return nil
	}
	c := *l
	return &c
}
