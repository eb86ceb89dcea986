package tmpl

import (
	"fmt"
	"strings"
	"time"

	"github.com/outagebot/outagebot/sources"
)

// Locales are the languages messages can be written in.
var Locales = []string{"en", "de"}

// locale holds one language's words and formats.
type locale struct {
	// units are day, hour, minute and second abbreviations.
	units [4]string
	// months are the abbreviated month names, January first.
	months [12]string
	// dateLayout formats a date and time with day, month, clock and zone
	// placeholders: %[1]d day, %[2]s month, %[3]s 15:04, %[4]s zone.
	dateLayout string
	status     map[sources.Status]string
	phase      map[sources.IncidentStatus]string
}

var locales = map[string]locale{
	"en": {
		units:      [4]string{"d", "h", "m", "s"},
		months:     [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		dateLayout: "%[2]s %[1]d %[3]s %[4]s",
		status: map[sources.Status]string{
			sources.Operational: "Operational", sources.Maintenance: "Under maintenance", sources.Degraded: "Degraded performance",
			sources.PartialOutage: "Partial outage", sources.MajorOutage: "Major outage", sources.Unknown: "Status unknown",
		},
		phase: map[sources.IncidentStatus]string{
			sources.IncidentInvestigating: "Investigating", sources.IncidentIdentified: "Identified", sources.IncidentMonitoring: "Monitoring",
			sources.IncidentResolved: "Resolved", sources.IncidentPostmortem: "Postmortem", sources.MaintenanceScheduled: "Scheduled",
			sources.MaintenanceInProgress: "In progress", sources.MaintenanceVerifying: "Verifying", sources.MaintenanceCompleted: "Completed",
		},
	},
	"de": {
		units:      [4]string{" T.", " Std.", " Min.", " Sek."},
		months:     [12]string{"Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."},
		dateLayout: "%[1]d. %[2]s %[3]s %[4]s",
		status: map[sources.Status]string{
			sources.Operational: "In Betrieb", sources.Maintenance: "In Wartung", sources.Degraded: "Eingeschränkte Leistung",
			sources.PartialOutage: "Teilausfall", sources.MajorOutage: "Schwerer Ausfall", sources.Unknown: "Status unbekannt",
		},
		phase: map[sources.IncidentStatus]string{
			sources.IncidentInvestigating: "Wird untersucht", sources.IncidentIdentified: "Ursache gefunden", sources.IncidentMonitoring: "Wird beobachtet",
			sources.IncidentResolved: "Behoben", sources.IncidentPostmortem: "Nachbetrachtung", sources.MaintenanceScheduled: "Geplant",
			sources.MaintenanceInProgress: "Läuft", sources.MaintenanceVerifying: "Wird geprüft", sources.MaintenanceCompleted: "Abgeschlossen",
		},
	},
}

// duration writes d like outage.FormatDuration ("1h 12m", "2d 3h", "45s")
// in the locale's units ("1 Std. 12 Min.").
func (l locale) duration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d < time.Minute {
		return fmt.Sprintf("%d%s", int(d.Round(time.Second)/time.Second), l.units[3])
	}
	d = d.Round(time.Minute)
	days, hours, mins := d/(24*time.Hour), d%(24*time.Hour)/time.Hour, d%time.Hour/time.Minute
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%d%s", days, l.units[0]))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf("%d%s", hours, l.units[1]))
	}
	if mins > 0 && days == 0 {
		parts = append(parts, fmt.Sprintf("%d%s", mins, l.units[2]))
	}
	if len(parts) == 0 {
		return "0" + l.units[2]
	}
	return strings.Join(parts, " ")
}

// date writes t in loc: "Mar 2 09:00 UTC", "2. März 10:00 CET".
func (l locale) date(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(loc)
	zone, _ := t.Zone()
	return fmt.Sprintf(l.dateLayout, t.Day(), l.months[t.Month()-1], t.Format("15:04"), zone)
}
