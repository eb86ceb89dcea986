package bot

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/outagebot/outagebot/outage"
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
