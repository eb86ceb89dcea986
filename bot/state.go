package bot

import (
	"github.com/outagebot/outagebot/i18n"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// TargetState is everything the engine remembers about one target between
// polls. It is stored as JSON in the same transaction as the events it led
// to, so a restart resumes exactly where the last commit left off.
type TargetState struct {
	Target string `json:"target"`
	// Initialized is set by the first successful poll.
	Initialized bool `json:"initialized"`

	// Snapshot is the latest view of the target, for status queries.
	Snapshot Snapshot `json:"snapshot"`

	// FailStreak counts consecutive polls that could not read the source.
	FailStreak int `json:"fail_streak"`
	// BadStreak and GoodStreak count consecutive readable polls in which the
	// target's own health (components, probe) was bad or fine; BadSince and
	// GoodSince are when the current streak began, so an outage's duration
	// runs from the first failure to the first success, not from the poll
	// that crossed a threshold.
	BadStreak  int       `json:"bad_streak"`
	GoodStreak int       `json:"good_streak"`
	BadSince   time.Time `json:"bad_since,omitzero"`
	GoodSince  time.Time `json:"good_since,omitzero"`
	// SeverityStreak counts consecutive polls at the current probe status, so
	// that a probe flapping between slow and down does not post an update per
	// poll.
	SeverityStreak int            `json:"severity_streak"`
	LastSeverity   sources.Status `json:"last_severity,omitempty"`

	// Outages are the open outages of this target by key.
	Outages map[string]*Tracked `json:"outages,omitempty"`
	// Ignored holds vendor incidents that were already open on the first
	// poll when announce_existing is off, with their impact then: they are
	// not announced unless they get worse.
	Ignored map[string]sources.Status `json:"ignored,omitempty"`
	// Silenced lists open outages that began while the target was muted:
	// their events are stored but not announced until the mute ends.
	Silenced []string `json:"silenced,omitempty"`
	// Quiet holds components, by id, whose bad status is already explained:
	// bad on the first poll with announce_existing off, or still bad just
	// after their incident was resolved. Each stays quiet, at the status it
	// had, until it recovers; getting worse ends the quiet.
	Quiet map[string]sources.Status `json:"quiet,omitempty"`
	// Recent is the last resolved health outage: if the same trouble comes
	// back soon, its thread is reopened instead of starting another.
	Recent *Tracked `json:"recent,omitempty"`
}

// Tracked is an open outage and what the engine needs to notice changes.
type Tracked struct {
	Outage outage.Outage `json:"outage"`
	// ByHealth is set when the outage was opened (or is kept open) by the
	// target's own health: degraded components or a failing probe.
	ByHealth bool `json:"by_health,omitempty"`
	// Linked are the vendor incidents or maintenances shown in this
	// outage's thread, by vendor id.
	Linked map[string]*Linked `json:"linked,omitempty"`
	// SeenAt is when the bot first saw the trouble (OpenedAt may be the
	// vendor's earlier start time): when a vendor's page admitted it.
	SeenAt time.Time `json:"seen_at,omitzero"`
	// LastEvent is when this outage's last event was made (for reminders).
	LastEvent time.Time `json:"last_event,omitzero"`
	// Reopened counts how often this thread came back soon after being
	// resolved; each time, resolving again takes a longer good streak.
	Reopened int `json:"reopened,omitempty"`
	// Failing are the locations a multi-location probe's outage last told
	// its thread it fails from (at its opening, or since); nil in a state
	// stored before they were kept, which adopts the next poll's without a
	// word. Moving is a different set of failing locations seen in
	// MovingStreak polls in a row: it is told once it has held as long as
	// a failure must to open an outage, so a location flapping in and out
	// does not post a reply per poll.
	Failing      []string `json:"failing,omitempty"`
	Moving       []string `json:"moving,omitempty"`
	MovingStreak int      `json:"moving_streak,omitempty"`
}

// Linked is what was last seen of one vendor incident.
type Linked struct {
	Phase        sources.IncidentStatus `json:"phase"`
	Impact       sources.Status         `json:"impact"`
	Title        string                 `json:"title"`
	ComponentIDs []string               `json:"component_ids,omitempty"`
	SeenUpdates  []string               `json:"seen_updates,omitempty"`
	Done         bool                   `json:"done,omitempty"`
	// Missing counts polls in a row that did not list the incident at all
	// (no resolution record either); SeenAt is when it was last listed.
	Missing int       `json:"missing,omitempty"`
	SeenAt  time.Time `json:"seen_at,omitzero"`
}

// Snapshot is a target's current state as shown by `status` and `once`.
type Snapshot struct {
	Name      string         `json:"name"`
	Status    sources.Status `json:"status"`
	Reachable bool           `json:"reachable"`
	Error     string         `json:"error,omitempty"`
	CheckedAt time.Time      `json:"checked_at,omitzero"`
	// UnreachableSince is the first of the polls in a row that could not
	// read the target (zero while it reads): what its time is unknown
	// from, before any unreachable outage opens and while a network
	// outage of our own holds its polls back.
	UnreachableSince time.Time `json:"unreachable_since,omitzero"`
	// ReadAt is when a poll last read the target (zero: none ever did).
	// Only time after a read is measured: while the target cannot be
	// read, its time since then is unknown, and a target never read has
	// no measured time at all. A restart may carry an older ReadAt than
	// the last read (the snapshot is stored with material changes), which
	// errs towards unknown, never towards up.
	ReadAt     time.Time           `json:"read_at,omitzero"`
	Latency    time.Duration       `json:"latency_ns,omitempty"`
	Components []ComponentSnapshot `json:"components"`
	Incidents  []IncidentSnapshot  `json:"incidents"`
	// Notes are what the open outages' messages say about related targets:
	// likely cause and whether the vendor confirms it, fallbacks.
	Notes []string `json:"notes,omitempty"`
	// NotesSaid are Notes as catalog messages, one for one, when each has
	// one.
	NotesSaid []outage.Text `json:"-"`
	// Maintenances are the vendor's scheduled maintenances: upcoming, in
	// progress, and those completed within MaintenanceShownAfter.
	Maintenances []MaintenanceSnapshot `json:"maintenances,omitempty"`
	// Locations are a probe's results from each location, when replicas
	// in several locations probe it (see package fleet).
	Locations []LocationSnapshot `json:"locations,omitempty"`
}

// LocationSnapshot is one location's view of a probe in a Snapshot.
type LocationSnapshot struct {
	Name string `json:"name"`
	// Status is the location's latest result; Failing is its verdict by
	// the target's thresholds (what counts towards the quorum).
	Status    sources.Status `json:"status"`
	Failing   bool           `json:"failing"`
	Latency   time.Duration  `json:"latency_ns,omitempty"`
	CheckedAt time.Time      `json:"checked_at,omitzero"`
	Error     string         `json:"error,omitempty"`
	// Excluded, when set, says why the location is left out of the
	// quorum (no live replica there, no recent result, its own network
	// looks down).
	Excluded string `json:"excluded,omitempty"`
}

// Why a location is left out of a quorum: the English of Excluded, which
// the API shows as it is; ExcludedIn writes it in a reader's language.
const (
	ExcludedNoReplica = "no live replica there"
	ExcludedStale     = "no recent result"
	ExcludedUnhealthy = "every probe from there fails: its own network looks down"
)

var excludedIDs = map[string]string{
	ExcludedNoReplica: "loc.excluded.no_replica",
	ExcludedStale:     "loc.excluded.stale",
	ExcludedUnhealthy: "loc.excluded.unhealthy",
}

// ExcludedIn is why a location is left out, in p's language; a reason it
// does not know is shown as it is.
func ExcludedIn(p *i18n.Printer, why string) string {
	if id, ok := excludedIDs[why]; ok {
		return p.T(id, nil)
	}
	return why
}

// MaintenanceShownAfter is how long a completed maintenance stays in
// snapshots, so a status query just after it ended still shows it.
const MaintenanceShownAfter = time.Hour

// MaintenanceSnapshot is one scheduled maintenance in a Snapshot.
type MaintenanceSnapshot struct {
	Title string `json:"title"`
	// Status is scheduled, in_progress or completed (a vendor's verifying
	// phase is still in progress).
	Status sources.IncidentStatus `json:"status,omitempty"`
	// Start is the planned start.
	Start time.Time `json:"start"`
	// End is the planned end, or when it was completed; zero when the
	// vendor gave none.
	End time.Time `json:"end,omitzero"`
	// Began is when work began (the planned start until it has).
	Began      time.Time `json:"began,omitzero"`
	Components []string  `json:"components,omitempty"`
	URL        string    `json:"url,omitempty"`
}

// ComponentSnapshot is one component in a Snapshot.
type ComponentSnapshot struct {
	Name   string         `json:"name"`
	Status sources.Status `json:"status"`
}

// IncidentSnapshot is one open vendor incident in a Snapshot.
type IncidentSnapshot struct {
	Title     string                 `json:"title"`
	Status    sources.IncidentStatus `json:"status"`
	StartedAt time.Time              `json:"started_at"`
	URL       string                 `json:"url,omitempty"`
}
