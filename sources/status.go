package sources

import "fmt"

// Status is the health of a component, target or outage. The string values
// are a contract: they appear in JSON output, the store and user scripts.
type Status string

// Statuses, in the order of how bad they are (Unknown is outside the order:
// it means no fresh data).
const (
	Operational   Status = "operational"
	Maintenance   Status = "maintenance"
	Degraded      Status = "degraded"
	PartialOutage Status = "partial_outage"
	MajorOutage   Status = "major_outage"
	Unknown       Status = "unknown"
)

// Rank orders statuses by severity. Unknown ranks below Operational so that
// missing data never makes something look worse than it is. (A switch, not
// a map: it runs for every component of every poll.)
func (s Status) Rank() int {
	switch s {
	case Operational:
		return 0
	case Maintenance:
		return 1
	case Degraded:
		return 2
	case PartialOutage:
		return 3
	case MajorOutage:
		return 4
	}
	return -1
}

// Worse reports whether s is more severe than o.
func (s Status) Worse(o Status) bool { return s.Rank() > o.Rank() }

// IsProblem reports whether s is worse than operational and is not planned
// maintenance.
func (s Status) IsProblem() bool { return s.Rank() >= Degraded.Rank() }

// Valid reports whether s is one of the contract values.
func (s Status) Valid() bool { return s == Unknown || s.Rank() >= 0 }

// Worst returns the most severe of the given statuses (Operational if none).
func Worst(ss ...Status) Status {
	w := Operational
	for _, s := range ss {
		if s.Worse(w) {
			w = s
		}
	}
	return w
}

// Label is the human wording of a status.
func (s Status) Label() string {
	switch s {
	case Operational:
		return "operational"
	case Maintenance:
		return "under maintenance"
	case Degraded:
		return "degraded performance"
	case PartialOutage:
		return "partial outage"
	case MajorOutage:
		return "major outage"
	case Unknown:
		return "unknown"
	}
	return fmt.Sprintf("status %q", string(s))
}
