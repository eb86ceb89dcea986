// Package console prints notifications as one readable line each. It is what
// the bot uses when no chat is configured, so a newcomer sees it work.
package console

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Notifier writes events to an io.Writer.
type Notifier struct {
	mu sync.Mutex
	w  io.Writer
}

var _ notifier.Notifier = (*Notifier)(nil)

// New returns a console notifier writing to w.
func New(w io.Writer) *Notifier { return &Notifier{w: w} }

// Deliver prints the event.
func (n *Notifier) Deliver(_ context.Context, d notifier.Delivery) (notifier.RemoteRef, error) {
	line := Line(d.Event)
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := io.WriteString(n.w, line+"\n"); err != nil {
		return "", fmt.Errorf("write to console: %w", err)
	}
	return notifier.RemoteRef(fmt.Sprintf("console:%d", d.OutboxID)), nil
}

// Line renders one event: time, target, what happened, status, duration on
// restoration, then the words. A digest is one block: its headline, then
// its sections indented below it.
func Line(ev outage.Event) string {
	if ev.Kind == outage.Digest || ev.Kind == outage.Report {
		return digestBlock(ev)
	}
	var b strings.Builder
	b.WriteString(ev.At.UTC().Format(time.DateTime))
	b.WriteString(" UTC  ")
	b.WriteString(ev.Target)
	b.WriteString("  ")
	switch {
	case ev.Class == outage.Unreachable && ev.Kind == outage.Opened:
		b.WriteString("UNKNOWN    status data unavailable")
	case ev.Class == outage.Unreachable && ev.Kind == outage.Resolved:
		fmt.Fprintf(&b, "READABLE   status data back after %s", outage.FormatDuration(ev.Duration()))
	case ev.Kind == outage.Opened && ev.Class == outage.MaintenanceWork && ev.Phase == sources.MaintenanceScheduled:
		b.WriteString("MAINTENANCE scheduled")
	case ev.Kind == outage.Opened && ev.Class == outage.MaintenanceWork:
		b.WriteString("MAINTENANCE started")
	case ev.Kind == outage.Opened:
		fmt.Fprintf(&b, "OPENED     %s", ev.Severity.Label())
	case ev.Kind == outage.Updated:
		fmt.Fprintf(&b, "UPDATED    %s, for %s", ev.Severity.Label(), outage.FormatDuration(ev.Duration()))
	case ev.Kind == outage.Resolved && ev.Class == outage.MaintenanceWork:
		fmt.Fprintf(&b, "MAINTENANCE over after %s", outage.FormatDuration(ev.Duration()))
	case ev.Kind == outage.Resolved:
		fmt.Fprintf(&b, "RESOLVED   after %s", outage.FormatDuration(ev.Duration()))
	}
	if ev.Class != outage.Unreachable {
		b.WriteString("  ")
		b.WriteString(ev.Title)
		if ev.Phase != "" {
			fmt.Fprintf(&b, " [%s]", ev.Phase)
		}
	}
	if ev.Body != "" {
		b.WriteString(": ")
		b.WriteString(outage.OneLine(ev.Body))
	}
	if len(ev.Components) > 0 && ev.Kind != outage.Resolved {
		parts := make([]string, len(ev.Components))
		for i, c := range ev.Components {
			parts[i] = c.Name + " " + c.Status.Label()
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
	}
	if ev.URL != "" {
		b.WriteString(" ")
		b.WriteString(ev.URL)
	}
	if len(ev.Notes) > 0 && ev.Kind == outage.Opened {
		b.WriteString(" | ")
		b.WriteString(outage.OneLine(strings.Join(ev.Notes, "; ")))
	}
	return b.String()
}

// digestBlock renders a digest: a headline line like an event's, then each
// section's heading and lines, indented.
func digestBlock(ev outage.Event) string {
	var b strings.Builder
	b.WriteString(ev.At.UTC().Format(time.DateTime))
	if ev.Kind == outage.Report {
		b.WriteString(" UTC  REPORT     ")
	} else {
		b.WriteString(" UTC  DIGEST     ")
	}
	b.WriteString(ev.Title)
	for _, s := range outage.ParseSections(ev.Body) {
		if s.Heading != "" {
			b.WriteString("\n    ")
			b.WriteString(s.Heading)
		}
		for _, l := range s.Lines {
			b.WriteString("\n      ")
			b.WriteString(l)
		}
	}
	return b.String()
}
