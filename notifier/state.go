package notifier

import (
	"strings"
	"unicode/utf8"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// State is an outage event's state as a label and a plain detail, the
// words every chat's message starts with: ("Partial outage",
// " · Identified"), ("Resolved", ", lasted 1h 12m").
func State(ev outage.Event) (label, detail string) {
	lasted := outage.FormatDuration(ev.Duration())
	switch {
	case ev.Target == outage.SelfTarget && ev.Kind == outage.Resolved:
		return "Back online", ", offline for " + lasted
	case ev.Target == outage.SelfTarget:
		return "Offline", ": the bot's own network looks down, so no target can be checked"
	case ev.Kind == outage.Resolved && ev.Class == outage.Unreachable:
		return "Status data back", ", unavailable for " + lasted
	case ev.Kind == outage.Resolved && ev.Class == outage.MaintenanceWork:
		return "Maintenance over", ", lasted " + lasted
	case ev.Kind == outage.Resolved:
		return "Resolved", ", lasted " + lasted
	case ev.Class == outage.Unreachable:
		return "Status unknown", ": the status source cannot be read"
	}
	label = capitalize(ev.Severity.Label())
	switch {
	case ev.Class == outage.MaintenanceWork && ev.Phase == sources.MaintenanceScheduled:
		label = "Maintenance scheduled"
	case ev.Class == outage.MaintenanceWork:
		label = "Under maintenance"
	}
	if ev.Phase != "" {
		detail = " · " + capitalize(strings.ReplaceAll(string(ev.Phase), "_", " "))
	}
	return label, detail
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return strings.ToUpper(string(r)) + s[n:]
}
