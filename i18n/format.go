package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Duration writes d the way people say it in chat, in the printer's units:
// "45s", "1h 12m", "2d 3h"; "1 Std. 12 Min.". Seconds show only under a
// minute and minutes only under a day, like outage.FormatDuration.
func (p *Printer) Duration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d < time.Minute {
		return strconv.Itoa(int(d.Round(time.Second)/time.Second)) + p.units[3]
	}
	d = d.Round(time.Minute)
	days, hours, mins := d/(24*time.Hour), d%(24*time.Hour)/time.Hour, d%time.Hour/time.Minute
	var parts []string
	if days > 0 {
		parts = append(parts, strconv.Itoa(int(days))+p.units[0])
	}
	if hours > 0 {
		parts = append(parts, strconv.Itoa(int(hours))+p.units[1])
	}
	if mins > 0 && days == 0 {
		parts = append(parts, strconv.Itoa(int(mins))+p.units[2])
	}
	if len(parts) == 0 {
		return "0" + p.units[2]
	}
	return strings.Join(parts, " ")
}

// Date writes t in UTC with its month, day and clock: "Mar 2 09:00 UTC",
// "2. März 09:00 UTC". The zero time is "".
func (p *Printer) Date(t time.Time) string { return p.DateIn(t, time.UTC) }

// DateIn is Date in loc, with loc's zone abbreviation.
func (p *Printer) DateIn(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(loc)
	zone, _ := t.Zone()
	return p.T("format.date", Args{"Day": t.Day(), "Month": p.months[t.Month()-1], "Clock": t.Format("15:04"), "Zone": zone})
}

// Day writes t's calendar day: "Mar 2", "2. März".
func (p *Printer) Day(t time.Time) string {
	return p.T("format.day", Args{"Day": t.Day(), "Month": p.months[t.Month()-1]})
}

// Clock writes t's time of day in UTC: "09:00".
func (p *Printer) Clock(t time.Time) string { return t.UTC().Format("15:04") }

// Window names a window or period the way people type it in English
// ("24h", "7d", "2w") and in words elsewhere ("24 Stunden", "7 Tage"):
// whole hours up to two days, weeks from two weeks, else days; any other
// length is a duration.
func (p *Printer) Window(d time.Duration) string {
	day := 24 * time.Hour
	switch {
	case d%time.Hour == 0 && d > 0 && d <= 48*time.Hour:
		return p.N("format.window.hours", int(d/time.Hour), nil)
	case d%(7*day) == 0 && d >= 14*day:
		return p.N("format.window.weeks", int(d/(7*day)), nil)
	case d%day == 0 && d > 0:
		return p.N("format.window.days", int(d/day), nil)
	}
	return p.Duration(d)
}

// Latency writes a response time the way Go's time.Duration does
// ("80ms", "1.5s", "120µs") in the language's number format and units
// ("80 ms", "1,5 s"). Above a second it keeps milliseconds at most.
func (p *Printer) Latency(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return p.T("format.latency.us", Args{"N": strconv.FormatInt(int64(d/time.Microsecond), 10)})
	case d < time.Second:
		return p.T("format.latency.ms", Args{"N": p.trim(float64(d)/float64(time.Millisecond), 3)})
	}
	return p.T("format.latency.s", Args{"N": p.trim(d.Seconds(), 3)})
}

// trim writes v with up to digits decimals, without trailing zeros.
func (p *Printer) trim(v float64, digits int) string {
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if p.decimal != "." {
		s = strings.Replace(s, ".", p.decimal, 1)
	}
	return s
}

// Number writes v with digits decimals and the language's decimal mark.
func (p *Printer) Number(v float64, digits int) string {
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if p.decimal != "." {
		s = strings.Replace(s, ".", p.decimal, 1)
	}
	return s
}

// Percent writes a percentage the way the language does: "99.95%",
// "99,95 %". It keeps up to three decimals, without trailing zeros, and
// never rounds a figure below 100 up to "100".
func (p *Printer) Percent(v float64) string {
	s := strconv.FormatFloat(v, 'f', 3, 64)
	if v < 100 && strings.HasPrefix(s, "100") {
		s = "99.999"
	}
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if p.decimal != "." {
		s = strings.Replace(s, ".", p.decimal, 1)
	}
	return p.T("format.percent", Args{"N": s})
}

// Share writes an uptime the way it reads best: with the fewest decimals,
// up to three, that do not round a figure below 100 up to "100" ("99.9%",
// "99.95%"; "99,95 %"), like bot.FormatPercent in English.
func (p *Printer) Share(v float64) string {
	if v >= 100 {
		return p.Percent(100)
	}
	for _, prec := range []int{1, 2, 3} {
		s := strconv.FormatFloat(v, 'f', prec, 64)
		if !strings.HasPrefix(s, "100") {
			short, _ := strconv.ParseFloat(s, 64)
			return p.Percent(short)
		}
	}
	return p.Percent(99.999)
}

// Status is a status's label as a heading or table cell shows it:
// "Major outage", "Schwerer Ausfall".
func (p *Printer) Status(s sources.Status) string {
	return p.T("status."+string(s), nil)
}

// StatusInline is a status's label inside a sentence: "major outage",
// "schwerer Ausfall".
func (p *Printer) StatusInline(s sources.Status) string {
	return p.T("status_inline."+string(s), nil)
}

// Phase is a vendor phase's label: "Identified", "Ursache gefunden"; ""
// for none.
func (p *Printer) Phase(ph sources.IncidentStatus) string {
	if ph == "" {
		return ""
	}
	return p.T("phase."+string(ph), nil)
}

// Class names what an outage is about when it has no title of its own:
// "outage", "maintenance", "no status data".
func (p *Printer) Class(c outage.Class) string {
	return p.T("class."+string(c), nil)
}

// List joins names the language's way: "a", "a and b", "a, b and c".
func (p *Printer) List(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return p.T("format.list", Args{"Head": strings.Join(items[:len(items)-1], ", "), "Last": items[len(items)-1]})
}

// Text writes words the bot stored as a message id and arguments.
func (p *Printer) Text(t outage.Text) string {
	if t.IsZero() {
		return ""
	}
	args := make(Args, len(t.Args))
	count, plural := 0, false
	for _, a := range t.Args {
		args[a.Name] = p.arg(a)
		if a.Kind == outage.ArgCount && a.Name == "Count" {
			count, plural = int(a.N), true
		}
	}
	if plural {
		return p.N(t.ID, count, args)
	}
	return p.T(t.ID, args)
}

func (p *Printer) arg(a outage.Arg) any {
	switch a.Kind {
	case outage.ArgDuration:
		return p.Duration(time.Duration(a.N))
	case outage.ArgTime:
		return p.Date(a.At)
	case outage.ArgClock:
		return p.Clock(a.At)
	case outage.ArgStatus:
		return p.StatusInline(sources.Status(a.Value))
	case outage.ArgPhase:
		return p.T("phase_inline."+a.Value, nil)
	case outage.ArgCount:
		return a.N
	case outage.ArgMessage:
		if a.Text == nil {
			return ""
		}
		return p.Text(*a.Text)
	case outage.ArgList:
		return p.List(a.List)
	default:
		return a.Value
	}
}

// String makes a Printer print as its language in logs and test names.
func (p *Printer) String() string { return fmt.Sprintf("i18n.Printer(%s)", p.lang) }

// Title is ev's title in p's language: a digest's or report's as written
// in it (outage.Written), the bot's own name for the outage translated, a
// vendor's title as written, and what it is about when it has none
// ("outage", "Ausfall").
func (p *Printer) Title(ev outage.Event) string {
	if w, ok := ev.Written[p.lang]; ok {
		return w.Title
	}
	switch {
	case ev.TitleSaid != nil:
		return p.Text(*ev.TitleSaid)
	case strings.TrimSpace(ev.Title) != "":
		return ev.Title
	}
	return p.Class(ev.Class)
}

// Body is ev's body in p's language: a digest's or report's as written in
// it, the bot's own words translated, a vendor's (or a probe's error) as
// written.
func (p *Printer) Body(ev outage.Event) string {
	if w, ok := ev.Written[p.lang]; ok {
		return w.Body
	}
	if ev.Said != nil {
		return p.Text(*ev.Said)
	}
	return ev.Body
}

// Notes are ev's lines about related targets in p's language.
func (p *Printer) Notes(ev outage.Event) []string {
	if len(ev.NotesSaid) != len(ev.Notes) || len(ev.Notes) == 0 {
		return ev.Notes
	}
	out := make([]string, len(ev.NotesSaid))
	for i, t := range ev.NotesSaid {
		out[i] = p.Text(t)
	}
	return out
}
