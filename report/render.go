package report

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// english writes Markdown, Answer and MarkdownAnswer, the export that the
// API and the command line give without a language, and the Title and
// Body of the report's event.
var english = i18n.For("en")

// Markdown renders the report for an incident review document, in
// English.
func Markdown(r Report) string { return MarkdownIn(english, r) }

// MarkdownIn renders the report for an incident review document in p's
// language. Times stay "2006-01-02 15:04" UTC in every language: a review
// document sorts and compares them.
func MarkdownIn(p *i18n.Printer, r Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", p.T("report.markdown.heading", i18n.Args{"Target": md(r.headTarget()), "Title": md(r.title(p))}))
	b.WriteString("| | |\n|---|---|\n")
	for _, row := range r.summary(p) {
		fmt.Fprintf(&b, "| %s | %s |\n", row[0], md(row[1]))
	}
	fmt.Fprintf(&b, "\n## %s\n\n| %s | %s | %s |\n|---|---|---|\n", p.T("report.timeline", nil),
		p.T("report.column.time", nil), p.T("report.column.source", nil), p.T("report.column.what", nil))
	for _, e := range r.Timeline {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", stamp(e.At), md(e.Target), md(e.text(p)))
	}
	fmt.Fprintf(&b, "\n%s\n", p.T("report.markdown.footer", i18n.Args{"ID": r.ID, "At": stamp(r.At)}))
	return b.String()
}

// JSON renders the report as indented JSON.
func JSON(r Report) ([]byte, error) {
	if r.Timeline == nil {
		r.Timeline = []Entry{}
	}
	return json.MarshalIndent(r, "", "  ")
}

// Answer renders the report as a chat answer, in English.
func Answer(r Report) bot.Answer { return AnswerIn(english, r) }

// AnswerIn renders the report as a chat answer in p's language.
func AnswerIn(p *i18n.Printer, r Report) bot.Answer {
	a := bot.Answer{Title: p.T("report.answer.title", i18n.Args{"Target": r.headTarget(), "Title": r.title(p)})}
	var lines []string
	for _, row := range r.summary(p) {
		lines = append(lines, fmt.Sprintf("*%s:* %s", row[0], row[1]))
	}
	a.Sections = append(a.Sections, bot.Section{Lines: lines})
	var tl []string
	for _, e := range r.Timeline {
		tl = append(tl, fmt.Sprintf("%s *%s*: %s", clockOf(p, e.At, r.DetectedAt), e.Target, outage.OneLine(e.text(p))))
	}
	a.Sections = append(a.Sections, bot.Section{Heading: p.T("report.timeline_utc", nil), Lines: tl})
	a.Sections = append(a.Sections, bot.Section{Lines: []string{p.T("report.answer.hint", i18n.Args{"Short": bot.ShortID(r.ID)})}})
	return a
}

// MarkdownAnswer is the markdown export as a chat answer (one code block),
// in English.
func MarkdownAnswer(r Report) bot.Answer { return MarkdownAnswerIn(english, r) }

// MarkdownAnswerIn is the markdown export as a chat answer in p's
// language.
func MarkdownAnswerIn(p *i18n.Printer, r Report) bot.Answer {
	return bot.Answer{Title: p.T("report.markdown.title", i18n.Args{"Short": bot.ShortID(r.ID)}),
		Sections: []bot.Section{{Lines: []string{"```", strings.TrimRight(MarkdownIn(p, r), "\n"), "```"}}}}
}

// title is the report's title in p's language: the bot's own translated,
// a vendor's as written.
func (r Report) title(p *i18n.Printer) string {
	if r.titleSaid == nil {
		return r.Title
	}
	return p.Text(*r.titleSaid)
}

// headTarget is whom the report is about first: the vendor, when there is
// one.
func (r Report) headTarget() string {
	if r.Vendor != nil {
		return r.Vendor.Name
	}
	return r.Target
}

// summary is the report's key facts as (label, value) rows.
func (r Report) summary(p *i18n.Printer) [][2]string {
	row := func(label string, value string) [2]string { return [2]string{p.T(label, nil), value} }
	status := p.T("report.status.resolved", nil)
	if r.Ongoing {
		status = p.T("report.status.ongoing", nil)
	}
	rows := [][2]string{
		row("report.row.status", status),
		row("report.row.severity", p.StatusInline(r.Severity)),
		row("report.row.detected", p.T("report.detected", i18n.Args{"At": stamp(r.DetectedAt), "By": r.DetectedBy})),
	}
	if v := r.Vendor; v != nil && !v.AckAt.IsZero() {
		rows = append(rows, row("report.row.vendor_ack", r.vendorAck(p)))
	} else if len(r.Services) > 0 {
		never := p.T("report.vendor_ack.never", nil)
		if r.Ongoing {
			never = p.T("report.vendor_ack.not_yet", nil)
		}
		rows = append(rows, row("report.row.vendor_ack", never))
	}
	if !r.AcknowledgedAt.IsZero() {
		rows = append(rows, row("report.row.ack", p.T("report.ack", i18n.Args{
			"At": stamp(r.AcknowledgedAt), "By": r.AcknowledgedBy, "Duration": p.Duration(r.TimeToAcknowledge)})))
	}
	if r.Ongoing {
		rows = append(rows, row("report.row.duration_so_far", p.Duration(r.Duration)))
	} else {
		rows = append(rows, row("report.row.restored", p.T("report.utc", i18n.Args{"At": stamp(r.RestoredAt)})),
			row("report.row.duration", p.Duration(r.Duration)))
	}
	if len(r.Components) > 0 {
		rows = append(rows, row("report.row.components", strings.Join(r.Components, ", ")))
	}
	if len(r.Services) > 0 {
		parts := make([]string, len(r.Services))
		for i, s := range r.Services {
			parts[i] = r.service(p, s)
		}
		rows = append(rows, row("report.row.services", strings.Join(parts, "; ")))
	}
	return rows
}

// vendorAck is when the vendor admitted the trouble, how long after us,
// and when it says it began.
func (r Report) vendorAck(p *i18n.Printer) string {
	v := r.Vendor
	args := i18n.Args{"At": stamp(v.AckAt)}
	ack := p.T("report.utc", args)
	switch {
	case v.Lag >= time.Minute:
		args["Lag"] = p.Duration(v.Lag)
		ack = p.T("report.vendor_ack.after", args)
	case len(r.Services) > 0:
		ack = p.T("report.vendor_ack.before", args)
	}
	if !v.StartedAt.IsZero() && v.StartedAt.Before(v.AckAt.Add(-time.Minute)) {
		ack = p.T("report.vendor_ack.started", i18n.Args{"Ack": ack, "Start": stamp(v.StartedAt)})
	}
	return ack
}

// service is one of our services in the story: when it failed and came
// back, for how long, and whether the vendor confirmed it.
func (r Report) service(p *i18n.Printer, s Service) string {
	args := i18n.Args{"Name": s.Name, "Failed": clockOf(p, s.FailedAt, r.DetectedAt), "Duration": p.Duration(s.Duration)}
	if !s.RestoredAt.IsZero() {
		args["Restored"] = clockOf(p, s.RestoredAt, s.FailedAt)
	}
	switch s.Confirm {
	case outage.Confirmed:
		args["Confirm"] = p.T("report.confirm.confirmed", nil)
	case outage.Unconfirmed:
		args["Confirm"] = p.T("report.confirm.unconfirmed", nil)
	case "":
	default:
		args["Confirm"] = string(s.Confirm)
	}
	return p.T("report.service", args)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

// clockOf is t as "15:04", with the date when it is not ref's day.
func clockOf(p *i18n.Printer, t, ref time.Time) string {
	t, ref = t.UTC(), ref.UTC()
	if t.Format(time.DateOnly) != ref.Format(time.DateOnly) {
		return p.Day(t) + " " + t.Format("15:04")
	}
	return t.Format("15:04")
}

// md makes text safe inside a markdown table cell.
func md(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(outage.OneLine(s))
}

// Event is the report as a message in the thread it reports on: posted
// once every outage of the story is over (report_on_resolve). Like a
// digest, it is written in English and in every other language of the
// catalog (see outage.Written), so each channel of the thread reads it in
// its own.
func Event(r Report, thread string) outage.Event {
	ev := outage.Event{
		// One report per thread: a flapping thread (resolved, back, resolved)
		// must not post a report at each flap; `report <id>` is always
		// current.
		OutageID:   "report:" + thread,
		Seq:        1,
		Kind:       outage.Report,
		Class:      outage.Incident,
		Target:     r.headTarget(),
		At:         r.At,
		Title:      eventTitle(english, r),
		Severity:   sources.Operational,
		Body:       eventBody(english, r),
		OpenedAt:   r.DetectedAt,
		ResolvedAt: r.RestoredAt,
		Thread:     thread,
	}
	for _, lang := range i18n.Languages {
		if p := i18n.For(lang); p != english {
			if ev.Written == nil {
				ev.Written = map[string]outage.Written{}
			}
			ev.Written[lang] = outage.Written{Title: eventTitle(p, r), Body: eventBody(p, r)}
		}
	}
	return ev
}

func eventTitle(p *i18n.Printer, r Report) string {
	return p.T("report.event.title", i18n.Args{"Title": r.title(p), "Duration": p.Duration(r.Duration)})
}

// eventBody is the chat answer's sections without its hint, which names a
// command for the channel the answer went to, and with one for a thread.
func eventBody(p *i18n.Printer, r Report) string {
	a := AnswerIn(p, r)
	sections := make([]outage.Section, 0, len(a.Sections))
	for _, s := range a.Sections[:len(a.Sections)-1] {
		sections = append(sections, outage.Section{Heading: s.Heading, Lines: s.Lines})
	}
	sections = append(sections, outage.Section{Lines: []string{p.T("report.event.hint", i18n.Args{"ID": r.ID, "Short": bot.ShortID(r.ID)})}})
	return outage.FormatSections(sections)
}
