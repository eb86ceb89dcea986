package page

import (
	"fmt"
	"strings"
	"time"
)

// messages holds every word the pages show, per locale, in one place. A
// test fails when a key is missing in any locale.
var messages = map[string]map[string]string{
	"en": {
		"lang":                "en",
		"skip":                "Skip to content",
		"nav.status":          "Status",
		"nav.history":         "History",
		"banner.ok":           "All systems operational",
		"banner.down":         "Trouble now",
		"banner.unknown":      "Some status feeds cannot be read",
		"banner.maintenance":  "Maintenance in progress",
		"group.none":          "Other",
		"col.target":          "Target",
		"col.status":          "Status",
		"col.history":         "Last 90 days",
		"col.uptime":          "Uptime",
		"uptime.24h":          "24h",
		"uptime.7d":           "7d",
		"uptime.30d":          "30d",
		"uptime.90d":          "90d",
		"uptime.none":         "no data",
		"open.heading":        "Open outages",
		"open.none":           "No open outages.",
		"since":               "since %s (%s)",
		"latest":              "Latest from the vendor, %s:",
		"vendor.page":         "Vendor's page",
		"bar.sr":              "Last 90 days of %s:",
		"bar.quiet":           "no outages, no maintenance.",
		"day.outage":          "%s: %s, %s",
		"day.maintenance":     "maintenance %s",
		"day.unknown":         "no data %s",
		"day.nodata":          "no data",
		"day.ok":              "operational",
		"loc.heading":         "Probed from:",
		"loc.fine":            "fine",
		"loc.failing":         "failing",
		"loc.excluded":        "(left out: %s)",
		"legend":              "Legend",
		"generated":           "Updated %s",
		"refresh.note":        "This page refreshes itself.",
		"footer":              "Served by outagebot",
		"status.operational":  "Operational",
		"status.maintenance":  "Under maintenance",
		"status.degraded":     "Degraded performance",
		"status.partial":      "Partial outage",
		"status.major":        "Major outage",
		"status.unknown":      "Unknown",
		"class.incident":      "Outage",
		"class.maintenance":   "Maintenance",
		"class.unreachable":   "Feed unreachable",
		"report.title":        "Outage report",
		"report.markdown":     "Export as Markdown",
		"report.state":        "State",
		"report.ongoing":      "Ongoing",
		"report.resolved":     "Resolved",
		"report.severity":     "Severity",
		"report.detected":     "First detected",
		"report.detectedby":   "%s UTC by %s",
		"report.ack":          "Vendor acknowledged",
		"report.ack.lag":      "%s UTC, %s after we detected it",
		"report.ack.first":    "%s UTC, before our services failed",
		"report.ack.at":       "%s UTC",
		"report.ack.never":    "Never",
		"report.ack.notyet":   "Not yet",
		"report.vstart":       "Vendor dates its start to",
		"report.restored":     "Restored",
		"report.duration":     "Total duration",
		"report.sofar":        "Duration so far",
		"report.components":   "Affected components",
		"report.services":     "Our services affected",
		"report.service":      "failed %s, restored %s, %s",
		"report.service.open": "failed %s, still failing, %s",
		"report.fallbacks":    "Related and fallbacks",
		"report.timeline":     "Timeline",
		"report.time":         "Time (UTC)",
		"report.target":       "Target",
		"report.event":        "Event",
		"report.what":         "What happened",
		"kind.opened":         "opened",
		"kind.updated":        "updated",
		"kind.resolved":       "resolved",
		"confirm.confirmed":   "the vendor confirms",
		"confirm.unconfirmed": "the vendor says nothing",
		"confirm.withdrawn":   "recovered before the vendor said anything",
		"notfound":            "No outage with the id %q.",
		"error":               "The page cannot be shown right now.",
		"history.title":       "Outage history",
		"history.filters":     "Filters",
		"history.target":      "Target",
		"history.group":       "Group",
		"history.window":      "Window",
		"history.all":         "All",
		"history.apply":       "Show",
		"history.none":        "No outages in this window.",
		"history.started":     "Started (UTC)",
		"history.lasted":      "Duration",
		"history.outage":      "Outage",
		"history.ongoing":     "ongoing",
		"history.newer":       "Newer",
		"history.older":       "Older",
		"history.page":        "Page %d of %d",
		"window.24h":          "24 hours",
		"window.7d":           "7 days",
		"window.30d":          "30 days",
		"window.90d":          "90 days",
		"phase.investigating": "investigating",
		"phase.identified":    "identified",
		"phase.monitoring":    "monitoring",
		"phase.resolved":      "resolved",
		"phase.postmortem":    "postmortem",
		"phase.scheduled":     "scheduled",
		"phase.in_progress":   "in progress",
		"phase.verifying":     "verifying",
		"phase.completed":     "completed",
	},
	"de": {
		"lang":                "de",
		"skip":                "Zum Inhalt springen",
		"nav.status":          "Status",
		"nav.history":         "Verlauf",
		"banner.ok":           "Alle Systeme funktionieren",
		"banner.down":         "Aktuelle Störungen",
		"banner.unknown":      "Einige Statusquellen sind nicht lesbar",
		"banner.maintenance":  "Wartung läuft",
		"group.none":          "Weitere",
		"col.target":          "Dienst",
		"col.status":          "Status",
		"col.history":         "Letzte 90 Tage",
		"col.uptime":          "Verfügbarkeit",
		"uptime.24h":          "24 Std.",
		"uptime.7d":           "7 T.",
		"uptime.30d":          "30 T.",
		"uptime.90d":          "90 T.",
		"uptime.none":         "keine Daten",
		"open.heading":        "Offene Störungen",
		"open.none":           "Keine offenen Störungen.",
		"since":               "seit %s (%s)",
		"latest":              "Neueste Meldung des Anbieters, %s:",
		"vendor.page":         "Seite des Anbieters",
		"bar.sr":              "Letzte 90 Tage von %s:",
		"bar.quiet":           "keine Störungen, keine Wartung.",
		"day.outage":          "%s: %s, %s",
		"day.maintenance":     "Wartung %s",
		"day.unknown":         "keine Daten %s",
		"day.nodata":          "keine Daten",
		"day.ok":              "in Betrieb",
		"loc.heading":         "Geprüft von:",
		"loc.fine":            "in Ordnung",
		"loc.failing":         "gestört",
		"loc.excluded":        "(nicht gezählt: %s)",
		"legend":              "Legende",
		"generated":           "Stand %s",
		"refresh.note":        "Diese Seite aktualisiert sich selbst.",
		"footer":              "Bereitgestellt von outagebot",
		"status.operational":  "In Betrieb",
		"status.maintenance":  "In Wartung",
		"status.degraded":     "Eingeschränkte Leistung",
		"status.partial":      "Teilausfall",
		"status.major":        "Großer Ausfall",
		"status.unknown":      "Unbekannt",
		"class.incident":      "Störung",
		"class.maintenance":   "Wartung",
		"class.unreachable":   "Quelle nicht erreichbar",
		"report.title":        "Störungsbericht",
		"report.markdown":     "Als Markdown exportieren",
		"report.state":        "Zustand",
		"report.ongoing":      "Andauernd",
		"report.resolved":     "Behoben",
		"report.severity":     "Schwere",
		"report.detected":     "Zuerst erkannt",
		"report.detectedby":   "%s UTC durch %s",
		"report.ack":          "Vom Anbieter bestätigt",
		"report.ack.lag":      "%s UTC, %s nachdem wir es erkannt hatten",
		"report.ack.first":    "%s UTC, bevor unsere Dienste ausfielen",
		"report.ack.at":       "%s UTC",
		"report.ack.never":    "Nie",
		"report.ack.notyet":   "Noch nicht",
		"report.vstart":       "Beginn laut Anbieter",
		"report.restored":     "Wiederhergestellt",
		"report.duration":     "Gesamtdauer",
		"report.sofar":        "Bisherige Dauer",
		"report.components":   "Betroffene Komponenten",
		"report.services":     "Betroffene eigene Dienste",
		"report.service":      "ausgefallen %s, wiederhergestellt %s, %s",
		"report.service.open": "ausgefallen %s, noch gestört, %s",
		"report.fallbacks":    "Zusammenhänge und Ausweichmöglichkeiten",
		"report.timeline":     "Zeitleiste",
		"report.time":         "Zeit (UTC)",
		"report.target":       "Dienst",
		"report.event":        "Ereignis",
		"report.what":         "Was geschah",
		"kind.opened":         "begonnen",
		"kind.updated":        "aktualisiert",
		"kind.resolved":       "behoben",
		"confirm.confirmed":   "vom Anbieter bestätigt",
		"confirm.unconfirmed": "der Anbieter schweigt",
		"confirm.withdrawn":   "erholt, bevor der Anbieter etwas sagte",
		"notfound":            "Keine Störung mit der Kennung %q.",
		"error":               "Die Seite kann gerade nicht angezeigt werden.",
		"history.title":       "Störungsverlauf",
		"history.filters":     "Filter",
		"history.target":      "Dienst",
		"history.group":       "Gruppe",
		"history.window":      "Zeitraum",
		"history.all":         "Alle",
		"history.apply":       "Anzeigen",
		"history.none":        "Keine Störungen in diesem Zeitraum.",
		"history.started":     "Beginn (UTC)",
		"history.lasted":      "Dauer",
		"history.outage":      "Störung",
		"history.ongoing":     "andauernd",
		"history.newer":       "Neuere",
		"history.older":       "Ältere",
		"history.page":        "Seite %d von %d",
		"window.24h":          "24 Stunden",
		"window.7d":           "7 Tage",
		"window.30d":          "30 Tage",
		"window.90d":          "90 Tage",
		"phase.investigating": "wird untersucht",
		"phase.identified":    "Ursache gefunden",
		"phase.monitoring":    "wird beobachtet",
		"phase.resolved":      "behoben",
		"phase.postmortem":    "Nachbetrachtung",
		"phase.scheduled":     "geplant",
		"phase.in_progress":   "läuft",
		"phase.verifying":     "wird geprüft",
		"phase.completed":     "abgeschlossen",
	},
}

// Locales are the locales the pages speak.
func Locales() []string { return []string{"en", "de"} }

// locale is one locale's words and number and date formats.
type locale struct {
	name string
	m    map[string]string
}

func newLocale(name string) (locale, error) {
	if name == "" {
		name = "en"
	}
	m, ok := messages[name]
	if !ok {
		return locale{}, fmt.Errorf("locale %q is not known (accepted: %s)", name, strings.Join(Locales(), ", "))
	}
	return locale{name: name, m: m}, nil
}

// T is the word for key; a missing key shows itself, so it is noticed.
func (l locale) T(key string) string {
	if s, ok := l.m[key]; ok {
		return s
	}
	return key
}

// F formats the message key with args.
func (l locale) F(key string, args ...any) string { return fmt.Sprintf(l.T(key), args...) }

// Percent writes an uptime share as "99.95%" or "99,95 %".
func (l locale) Percent(f float64) string {
	s := fmt.Sprintf("%.2f", f*100)
	if f >= 1 {
		s = "100"
	}
	if l.name == "de" {
		return strings.Replace(s, ".", ",", 1) + " %"
	}
	return s + "%"
}

// Date writes a day as the locale does.
func (l locale) Date(t time.Time) string {
	t = t.UTC()
	if l.name == "de" {
		return t.Format("02.01.2006")
	}
	return t.Format("Jan 2, 2006")
}

// Stamp is a date and time in UTC.
func (l locale) Stamp(t time.Time) string {
	t = t.UTC()
	if l.name == "de" {
		return t.Format("02.01.2006 15:04")
	}
	return t.Format("2006-01-02 15:04")
}

// Clock is "14:02 UTC" on ref's day, else with the date.
func (l locale) Clock(t, ref time.Time) string {
	if t.UTC().Format(time.DateOnly) == ref.UTC().Format(time.DateOnly) {
		return t.UTC().Format("15:04") + " UTC"
	}
	return l.Stamp(t) + " UTC"
}
