package chart

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// MaxAltText bounds the alt text in runes: Slack takes 1000 characters of
// alt_txt (https://api.slack.com/methods/files.getUploadURLExternal),
// Discord 1024 of an attachment's description.
const MaxAltText = 1000

// AltText says what the chart shows, in one paragraph: "Uptime from Mar 1
// 08:00 to Mar 2 08:00 UTC (24h): OpenAI 98.2% (1 outage, 26m down);
// GitHub 100% (maintenance 1h). The other 3 targets: 100%." Lanes come in
// the chart's order (worst first); the text is cut at a whole lane to
// MaxAltText.
func AltText(c *outage.Chart) string {
	if c == nil || len(c.Lanes) == 0 {
		return ""
	}
	loc := location(c.Zone)
	head := fmt.Sprintf("Uptime from %s (%s)", spanWords(c.Since, c.Until, loc), bot.FormatWindow(c.Until.Sub(c.Since)))
	var items []string
	quiet := 0
	for _, l := range c.Lanes {
		notes := laneNotes(l)
		if len(notes) == 0 {
			quiet++
			continue
		}
		items = append(items, fmt.Sprintf("%s %s (%s)", l.Target, bot.FormatPercent(l.Uptime), strings.Join(notes, ", ")))
	}
	var tail []string
	switch {
	case len(items) == 0 && quiet == 1:
		tail = append(tail, c.Lanes[0].Target+": 100%, no outages.")
	case len(items) == 0:
		tail = append(tail, fmt.Sprintf("all %d targets 100%%, no outages.", quiet))
	case quiet == 1:
		tail = append(tail, "The other target: 100%.")
	case quiet > 1:
		tail = append(tail, fmt.Sprintf("The other %d targets: 100%%.", quiet))
	}
	if note := moreNote(c.More, c.MoreDown); note != "" {
		tail = append(tail, strings.ToUpper(note[:1])+note[1:]+".")
	}

	if len(items) == 0 {
		return head + ": " + strings.Join(tail, " ")
	}
	rest := strings.Join(tail, " ")
	for keep := len(items); keep >= 0; keep-- {
		s := head + ": " + strings.Join(items[:keep], "; ")
		if keep < len(items) {
			s += fmt.Sprintf("; and %d more with outages", len(items)-keep)
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
func laneNotes(l outage.ChartLane) []string {
	var notes []string
	switch {
	case l.Outages == 1:
		notes = append(notes, "1 outage, "+outage.FormatDuration(l.Down)+" down")
	case l.Outages > 1:
		notes = append(notes, fmt.Sprintf("%d outages, %s down", l.Outages, outage.FormatDuration(l.Down)))
	case l.Down > 0:
		notes = append(notes, outage.FormatDuration(l.Down)+" down")
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
		notes = append(notes, "maintenance "+outage.FormatDuration(maint))
	}
	if unknown > 0 {
		notes = append(notes, "status unknown "+outage.FormatDuration(unknown))
	}
	return notes
}

// spanWords is "Mar 1 08:00 to Mar 2 08:00 UTC".
func spanWords(from, to time.Time, loc *time.Location) string {
	return strings.Replace(span(from, to, loc), " – ", " to ", 1)
}
