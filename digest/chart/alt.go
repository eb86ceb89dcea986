package chart

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/outagebot/outagebot/digest/internal/words"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// MaxAltText bounds the alt text in runes: Slack takes 1000 characters of
// alt_txt (https://api.slack.com/methods/files.getUploadURLExternal),
// Discord 1024 of an attachment's description.
const MaxAltText = 1000

// AltText says what the chart shows, in one paragraph in p's language:
// "Uptime from Mar 1 08:00 to Mar 2 08:00 UTC (24h): OpenAI 98.2% (1
// outage, 26m down); GitHub 100% (maintenance 1h). The other 3 targets:
// 100%." Lanes come in the chart's order (worst first); the text is cut at
// a whole lane to MaxAltText.
func AltText(c *outage.Chart, p *i18n.Printer) string {
	if c == nil || len(c.Lanes) == 0 {
		return ""
	}
	from, to := words.Span(p, c.Since, c.Until, location(c.Zone))
	head := p.T("chart.alt.head", i18n.Args{"From": from, "To": to, "Window": p.Window(c.Until.Sub(c.Since))})
	all := p.Share(100)
	var items []string
	quiet := 0
	for _, l := range c.Lanes {
		if l.Unmeasured {
			items = append(items, p.T("chart.alt.unmeasured", i18n.Args{"Target": l.Target}))
			continue
		}
		notes := laneNotes(p, l)
		if len(notes) == 0 {
			quiet++
			continue
		}
		items = append(items, p.T("chart.alt.lane", i18n.Args{"Target": l.Target, "Percent": p.Share(l.Uptime), "Notes": strings.Join(notes, ", ")}))
	}
	var tail []string
	switch {
	case len(items) == 0 && quiet == 1:
		tail = append(tail, p.T("chart.alt.quiet_one", i18n.Args{"Target": c.Lanes[0].Target, "Percent": all}))
	case len(items) == 0:
		tail = append(tail, p.T("chart.alt.quiet_all", i18n.Args{"Count": quiet, "Percent": all}))
	case quiet > 0:
		tail = append(tail, p.N("chart.alt.others", quiet, i18n.Args{"Percent": all}))
	}
	if note := moreNote(p, c.More, c.MoreDown); note != "" {
		tail = append(tail, upperFirst(note)+".")
	}

	if len(items) == 0 {
		return head + ": " + strings.Join(tail, " ")
	}
	rest := strings.Join(tail, " ")
	for keep := len(items); keep >= 0; keep-- {
		s := head + ": " + strings.Join(items[:keep], "; ")
		if keep < len(items) {
			s += "; " + p.N("chart.alt.cut", len(items)-keep, nil)
		}
		s += "."
		if rest != "" {
			s += " " + rest
		}
		if utf8.RuneCountInString(s) <= MaxAltText {
			return s
		}
	}
	// Even the heading is too long: only names far beyond any real one
	// get here.
	r := []rune(head)
	return string(r[:min(len(r), MaxAltText-1)]) + "…"
}

// laneNotes are what happened on a lane: "2 outages, 26m down",
// "maintenance 1h", "status unknown 10m".
func laneNotes(p *i18n.Printer, l outage.ChartLane) []string {
	var notes []string
	switch {
	case l.Outages > 0:
		notes = append(notes, p.N("chart.alt.outages", l.Outages, i18n.Args{"Duration": p.Duration(l.Down)}))
	case l.Down > 0:
		notes = append(notes, p.T("chart.alt.down", i18n.Args{"Duration": p.Duration(l.Down)}))
	}
	var maint, unknown time.Duration
	for _, b := range l.Bars {
		switch b.Status {
		case sources.Maintenance:
			maint += b.End.Sub(b.Start)
		case sources.Unknown:
			unknown += b.End.Sub(b.Start)
		}
	}
	if maint > 0 {
		notes = append(notes, p.T("chart.alt.maintenance", i18n.Args{"Duration": p.Duration(maint)}))
	}
	if unknown > 0 {
		notes = append(notes, p.T("chart.alt.unknown", i18n.Args{"Duration": p.Duration(unknown)}))
	}
	return notes
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
