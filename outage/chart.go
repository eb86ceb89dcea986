package outage

import (
	"time"

	"github.com/outagebot/outagebot/sources"
)

// MaxChartLanes bounds the lanes of a digest's chart: more targets than
// that are counted in Chart.More, so the picture (and the event that
// carries its data) stays readable and small however many targets there
// are.
const MaxChartLanes = 20

// Chart is the data of a digest's picture: one lane per target over the
// window, with its uptime and its outages as bars. It travels in the
// digest's event (Event.Chart), so every delivery, retry and restart draws
// the same picture from the same data, and the notifier renders it only
// when it posts.
type Chart struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// Zone is the IANA zone the time axis is labelled in ("" is UTC).
	Zone string `json:"zone,omitempty"`
	// Lanes are the targets drawn, worst first.
	Lanes []ChartLane `json:"lanes"`
	// More counts the targets left out beyond MaxChartLanes; MoreDown
	// those of them that had downtime.
	More     int `json:"more,omitempty"`
	MoreDown int `json:"more_down,omitempty"`
}

// ChartLane is one target's lane.
type ChartLane struct {
	Target string `json:"target"`
	// Uptime is the percentage of the window's measured time that was up
	// (see package uptime).
	Uptime float64 `json:"uptime"`
	// Unmeasured says no time of the window was measured: there is no
	// Uptime to show.
	Unmeasured bool `json:"unmeasured,omitempty"`
	// Down is the time with an open outage inside the window; Outages
	// counts those outages.
	Down    time.Duration `json:"down_ns,omitempty"`
	Outages int           `json:"outages,omitempty"`
	// Bars are the outages, maintenance and unknown spans, clipped to the
	// window, oldest first.
	Bars []ChartBar `json:"bars,omitempty"`
}

// ChartBar is one span on a lane. Status is the outage's severity,
// sources.Maintenance for maintenance work or sources.Unknown while the
// target's status could not be read.
type ChartBar struct {
	Start  time.Time      `json:"start"`
	End    time.Time      `json:"end"`
	Status sources.Status `json:"status"`
}
