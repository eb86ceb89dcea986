// Package statusview assembles the picture that the status page, the HTTP
// API and the badges show: every target's current state, its uptime and
// its daily history, and the outages open now. It is built from what the
// bot already holds (the engine's memory and the store), never from a
// live poll, so a page view costs no request to any vendor.
package statusview

import (
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// HistoryDays is how many days of history a target carries.
const HistoryDays = 90

// Page is everything the status page shows at one moment.
type Page struct {
	// Title is [web] title.
	Title string
	// Generated is when the page was assembled.
	Generated time.Time
	// Overall is the worst current status of the shown targets.
	Overall sources.Status
	// Groups hold the shown targets, in configuration order; targets with
	// no group are in a group with an empty name.
	Groups []Group
	// Open are the outages open now, newest first.
	Open []Outage
}

// Group is targets that share [[target]] group.
type Group struct {
	Name    string
	Targets []Target
}

// Target is one target's state and history.
type Target struct {
	Name  string
	Group string
	// Type is the source type (statuspage, http, ...).
	Type   string
	Status sources.Status
	// Since is when the current status began; zero when not known (no
	// outage on record and no poll yet).
	Since     time.Time
	CheckedAt time.Time
	// Latency is the last probe's answer time; zero for vendor feeds.
	Latency    time.Duration
	Reachable  bool
	Error      string
	Components []Component
	Uptime     Uptime
	// Days is the daily history, oldest first, ending today (UTC).
	Days []Day
	// DaysVersion names Days: two views of a target with the same
	// non-zero DaysVersion have equal Days, so a reader can keep what it
	// made of them. Zero when Days may differ at every view (an open
	// outage extends today's).
	DaysVersion uint64
	// OpenOutages are the ids of the target's open outages.
	OpenOutages []string
	// Maintenances are the vendor's scheduled and running maintenances.
	Maintenances []Maintenance
	// Locations are a probe's results from each location when replicas
	// in several locations probe it; empty for a single-location target.
	Locations []Location
}

// Location is one location's view of a multi-location probe.
type Location struct {
	Name   string
	Status sources.Status
	// Failing is the location's verdict by the target's thresholds: what
	// counts towards the quorum.
	Failing   bool
	Latency   time.Duration
	CheckedAt time.Time
	Error     string
	// Excluded, when set, says why the location is left out of the
	// quorum (no live replica there, no recent result, its own network
	// looks down).
	Excluded string
}

// Component is one vendor component or probe check.
type Component struct {
	Name   string
	Status sources.Status
}

// Uptime is the share of time a target was up, per window. A nil value
// means the window holds no observed time at all. Maintenance and unknown
// (unreachable feed, or the bot not observing the target) time are left
// out of both sides of the fraction: they are never counted as downtime.
type Uptime struct {
	Day, Week, Month, Quarter *float64
}

// Day is one UTC calendar day of a target's history.
type Day struct {
	// Date is midnight UTC of the day.
	Date time.Time
	// Worst is the worst status of the day: operational when nothing
	// happened, unknown when nothing was observed at all.
	Worst       sources.Status
	Down        time.Duration
	Maintenance time.Duration
	Unknown     time.Duration
	Outages     []DayOutage
}

// DayOutage is one outage's share of a day.
type DayOutage struct {
	ID       string
	Title    string
	Severity sources.Status
	Class    outage.Class
	// Duration is the part of the outage that fell within the day.
	Duration time.Duration
}

// Outage is one outage as listed on the page.
type Outage struct {
	ID       string
	Target   string
	Group    string
	Title    string
	Class    outage.Class
	Severity sources.Status
	Started  time.Time
	Resolved time.Time // zero while open
	// Latest is the newest vendor words (or probe detail), LatestAt their
	// time.
	Latest   string
	LatestAt time.Time
	URL      string
	// TitleSaid and LatestSaid are Title and Latest as catalog messages
	// when the bot wrote them, for a page in another language.
	TitleSaid, LatestSaid *outage.Text
}

// Maintenance is a vendor's scheduled maintenance.
type Maintenance struct {
	Title  string
	Status sources.IncidentStatus
	Start  time.Time
	End    time.Time
}
