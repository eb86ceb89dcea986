// Package words writes what a digest and its chart share in the reader's
// language: the window ("24h", "24 Stunden"), the span of time a line
// covers, and uptime figures.
package words

import (
	"time"

	"github.com/outagebot/outagebot/i18n"
)

// unit splits a window into a count of whole hours (up to two days),
// weeks (from two weeks) or days, the way bot.FormatWindow writes it; ok
// is false for any other window, which is written as a duration.
func unit(d time.Duration) (u string, n int, ok bool) {
	day := 24 * time.Hour
	switch {
	case d%time.Hour == 0 && d <= 48*time.Hour:
		return "hours", int(d / time.Hour), true
	case d%(7*day) == 0 && d >= 14*day:
		return "weeks", int(d / (7 * day)), true
	case d%day == 0:
		return "days", int(d / day), true
	}
	return "", 0, false
}

// Last is the window as the time before now, for a sentence to put after
// its own preposition: "the last 24h" ("in the last 24h"), "den letzten 7
// Tagen" ("in den letzten 7 Tagen"). German declines it, so it is a
// message of its own rather than Window in a sentence.
func Last(p *i18n.Printer, d time.Duration) string {
	u, n, ok := unit(d)
	switch {
	case !ok:
		return p.T("digest.last.other", i18n.Args{"Window": p.Duration(d)})
	case u == "hours":
		return p.N("digest.last.hours", n, nil)
	case u == "weeks":
		return p.N("digest.last.weeks", n, nil)
	}
	return p.N("digest.last.days", n, nil)
}

// Span writes the ends of a stretch of time in loc: "Mar 2 07:00" and
// "08:12 UTC" on one day, "Mar 1 08:00" and "Mar 2 08:00 UTC" across days;
// the start has its zone too when a daylight-saving change lies between
// ("Mar 29 01:30 CET", "03:30 CEST").
func Span(p *i18n.Printer, from, to time.Time, loc *time.Location) (start, end string) {
	from, to = from.In(loc), to.In(loc)
	start = p.Day(from) + " " + from.Format("15:04")
	if zone(from) != zone(to) {
		start = p.DateIn(from, loc)
	}
	if from.Year() == to.Year() && from.YearDay() == to.YearDay() {
		return start, to.Format("15:04 MST")
	}
	return start, p.DateIn(to, loc)
}

func zone(t time.Time) string {
	z, _ := t.Zone()
	return z
}
