package bot

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// WriteTable prints snapshots as an aligned table: target, status and the
// most useful detail (the open incident, the error, or the latency).
func WriteTable(w io.Writer, snaps []Snapshot, now time.Time) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tSTATUS\tDETAIL")
	for _, s := range snaps {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, s.Status, detail(s, now))
	}
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
}

func detail(s Snapshot, now time.Time) string {
	d := health(s, now)
	if m := maintenanceLine(s, now); m != "" {
		if d == "" {
			return m
		}
		return d + "; " + m
	}
	return d
}

// maintenanceLine is the first maintenance in progress, else the next one
// scheduled: "maintenance Database upgrade (API) for 12m, until 10:30 UTC".
func maintenanceLine(s Snapshot, now time.Time) string {
	if !s.Reachable {
		return ""
	}
	var next *MaintenanceSnapshot
	for i := range s.Maintenances {
		m := &s.Maintenances[i]
		switch m.Status {
		case sources.MaintenanceInProgress:
			line := "maintenance " + m.Title
			if len(m.Components) > 0 {
				line += " (" + strings.Join(m.Components, ", ") + ")"
			}
			if !m.Began.IsZero() {
				line += " for " + outage.FormatDuration(now.Sub(m.Began))
			}
			if !m.End.IsZero() {
				line += ", until " + m.End.UTC().Format("Jan 2 15:04 UTC")
			}
			return line
		case sources.MaintenanceScheduled:
			if next == nil || m.Start.Before(next.Start) {
				next = m
			}
		}
	}
	if next == nil || next.Start.IsZero() {
		return ""
	}
	return "maintenance scheduled " + next.Start.UTC().Format("Jan 2 15:04 UTC") + ": " + next.Title
}

// health says what is wrong, or how the target is when nothing is.
func health(s Snapshot, now time.Time) string {
	switch {
	case s.CheckedAt.IsZero():
		return "not polled yet"
	case !s.Reachable:
		return s.Error
	case len(s.Incidents) > 0:
		i := s.Incidents[0]
		d := fmt.Sprintf("%s [%s] for %s", i.Title, i.Status, outage.FormatDuration(now.Sub(i.StartedAt)))
		if len(s.Incidents) > 1 {
			d += fmt.Sprintf(" (+%d more)", len(s.Incidents)-1)
		}
		return d
	case s.Error != "":
		return s.Error
	}
	var bad []string
	for _, c := range s.Components {
		if c.Status.IsProblem() {
			bad = append(bad, c.Name+" "+c.Status.Label())
		}
	}
	switch {
	case len(bad) > 0:
		return strings.Join(bad, ", ")
	case s.Latency > 0:
		return s.Latency.Round(time.Millisecond).String()
	case len(s.Components) > 0:
		return fmt.Sprintf("%d components operational", len(s.Components))
	}
	return ""
}
