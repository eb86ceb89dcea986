// Package sources defines what one poll of a vendor status feed or an
// internal probe saw, in a shape that does not depend on the vendor.
//
// Each feed format and probe kind lives in its own package and returns an
// Observation; the engine in package bot turns observations into outages.
package sources

import (
	"context"
	"time"
)

// Source is one watched target. Poll must honour ctx's deadline.
//
// A Source that could not learn anything (the status page is unreachable,
// answered with an error page, or sent a body that does not parse) returns a
// non-nil error: the engine then treats the target as unknown, which never
// opens or resolves a vendor outage. A probe whose endpoint is down is not an
// error: that is exactly what it measures, so it reports a component whose
// status is major_outage and whose Detail says why.
type Source interface {
	Poll(ctx context.Context) (Observation, error)
}

// Observation is what one successful poll saw.
type Observation struct {
	// At is when the poll finished.
	At time.Time
	// Page is a human-facing URL for the status page, if the source has one.
	Page string
	// Components are the vendor's components (leaves and groups) or, for a
	// probe, a single component describing the endpoint.
	Components []Component
	// Incidents holds the vendor's unresolved incidents and, where the feed
	// offers them, recently resolved ones (so that a restoration carries the
	// vendor's last words).
	Incidents []Incident
	// Maintenances are scheduled maintenances that are upcoming, in
	// progress or, where the feed offers them, recently completed (so that
	// a restoration carries the vendor's last words).
	Maintenances []Incident
	// NotModified is true when the feed answered a conditional request with
	// 304 and the source returned its previous observation unchanged.
	NotModified bool
}

// Component is one vendor component or one probed endpoint.
type Component struct {
	ID     string
	Name   string
	Group  string // name of the group this component belongs to, if any
	Status Status
	// IsGroup marks a component that only aggregates others; groups are shown
	// but never counted on their own, so one failure is not counted twice.
	IsGroup bool
	// Latency and Detail are filled by probes.
	Latency time.Duration
	Detail  string
	// Network is set by a probe whose check failed before reaching the
	// endpoint (see NetworkFailure). Omitted from JSON when false, so the
	// format packages' golden observations, which never set it, stay as
	// they were.
	Network bool `json:",omitempty"`
	// Expires is when the TLS certificate chain the probe was served
	// stops being valid (the earliest NotAfter of the leaf and its
	// intermediates); zero when the probe saw no certificate. Omitted from
	// JSON when zero, like Network.
	Expires time.Time `json:",omitzero"`
	// Spread is set on the verdict of a probe run from several locations:
	// which locations fail, which are fine and which are left out. Detail
	// then says the same in English; the engine writes it in each
	// reader's language from Spread.
	Spread *Spread `json:",omitempty"`
}

// Spread says where a multi-location probe fails.
type Spread struct {
	Failing, Fine, Out []string
}

// IncidentStatus is the vendor's phase of an incident.
type IncidentStatus string

// Vendor incident phases (Statuspage's vocabulary, which most formats share).
const (
	IncidentInvestigating IncidentStatus = "investigating"
	IncidentIdentified    IncidentStatus = "identified"
	IncidentMonitoring    IncidentStatus = "monitoring"
	IncidentResolved      IncidentStatus = "resolved"
	IncidentPostmortem    IncidentStatus = "postmortem"
	// Maintenance phases.
	MaintenanceScheduled  IncidentStatus = "scheduled"
	MaintenanceInProgress IncidentStatus = "in_progress"
	MaintenanceVerifying  IncidentStatus = "verifying"
	MaintenanceCompleted  IncidentStatus = "completed"
)

// Done reports whether the phase means the incident or maintenance is over.
func (s IncidentStatus) Done() bool {
	switch s {
	case IncidentResolved, IncidentPostmortem, MaintenanceCompleted:
		return true
	}
	return false
}

// Incident is a vendor incident or scheduled maintenance.
type Incident struct {
	ID     string
	Title  string
	Status IncidentStatus
	// Impact is the vendor's own impact, already mapped onto Status
	// (for Statuspage: none/minor -> degraded, major -> partial_outage,
	// critical -> major_outage, maintenance -> maintenance).
	Impact     Status
	URL        string
	StartedAt  time.Time
	UpdatedAt  time.Time
	ResolvedAt time.Time
	// ScheduledFor and ScheduledUntil are set for maintenances.
	ScheduledFor   time.Time
	ScheduledUntil time.Time
	// ComponentIDs are the components the vendor says are affected.
	ComponentIDs []string
	// Updates are in chronological order, oldest first.
	Updates []IncidentUpdate
}

// IncidentUpdate is one message the vendor posted on an incident.
type IncidentUpdate struct {
	ID     string
	At     time.Time
	Status IncidentStatus
	Body   string
}

// Latest returns the newest update, or false when there is none.
func (i Incident) Latest() (IncidentUpdate, bool) {
	if len(i.Updates) == 0 {
		return IncidentUpdate{}, false
	}
	return i.Updates[len(i.Updates)-1], true
}
