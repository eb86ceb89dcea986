package bot

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/sources"
)

// WriteTable prints snapshots as an aligned table: target, status and the
// most useful detail (the open incident, the error, or the latency). It is
// the console's, for operators: in English, with statuses as configured.
func WriteTable(w io.Writer, snaps []Snapshot, now time.Time) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tSTATUS\tDETAIL")
	en := i18n.For(i18n.Default)
	for _, s := range snaps {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, s.Status, detailIn(en, s, now))
	}
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
}

// detailIn is the most useful detail about s in p's language: what is
// wrong, then the maintenance in progress or next.
func detailIn(p *i18n.Printer, s Snapshot, now time.Time) string {
	d := health(p, s, now)
	if m := maintenanceLine(p, s, now); m != "" {
		if d == "" {
			return m
		}
		return d + "; " + m
	}
	return d
}

// maintenanceLine is the first maintenance in progress, else the next one
// scheduled: "maintenance Database upgrade (API) for 12m, until 10:30 UTC".
func maintenanceLine(p *i18n.Printer, s Snapshot, now time.Time) string {
	if !s.Reachable {
		return ""
	}
	var next *MaintenanceSnapshot
	for i := range s.Maintenances {
		m := &s.Maintenances[i]
		switch m.Status {
		case sources.MaintenanceInProgress:
			line := p.T("cmd.health.maintenance", i18n.Args{"Title": m.Title})
			if len(m.Components) > 0 {
				line += " (" + strings.Join(m.Components, ", ") + ")"
			}
			if !m.Began.IsZero() {
				line += " " + p.T("cmd.health.for", i18n.Args{"Duration": p.Duration(now.Sub(m.Began))})
			}
			if !m.End.IsZero() {
				line += ", " + p.T("cmd.maintenance.until", i18n.Args{"End": p.Date(m.End)})
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
	return p.T("cmd.health.maintenance_next", i18n.Args{"Start": p.Date(next.Start), "Title": next.Title})
}

// health says what is wrong, or how the target is when nothing is.
func health(p *i18n.Printer, s Snapshot, now time.Time) string {
	switch {
	case s.CheckedAt.IsZero():
		return p.T("cmd.health.not_polled", nil)
	case !s.Reachable:
		return s.Error
	case len(s.Incidents) > 0:
		i := s.Incidents[0]
		d := p.T("cmd.health.incident", i18n.Args{"Title": i.Title, "Phase": phase(p, i.Status), "Duration": p.Duration(now.Sub(i.StartedAt))})
		if len(s.Incidents) > 1 {
			d += " " + p.T("cmd.health.more", i18n.Args{"Count": len(s.Incidents) - 1})
		}
		return d
	case s.Error != "":
		return s.Error
	}
	var bad []string
	for _, c := range s.Components {
		if c.Status.IsProblem() {
			bad = append(bad, c.Name+" "+p.StatusInline(c.Status))
		}
	}
	switch {
	case len(bad) > 0:
		return strings.Join(bad, ", ")
	case s.Latency > 0:
		return s.Latency.Round(time.Millisecond).String()
	case len(s.Components) > 0:
		return p.T("cmd.health.components", i18n.Args{"Count": len(s.Components)})
	}
	return ""
}
