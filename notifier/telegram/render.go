package telegram

import (
	"slices"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/tmpl"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Telegram's limits (https://core.telegram.org/bots/api#sendmessage,
// #createforumtopic).
const (
	// MaxText: "Text of the message to be sent, 1-4096 characters after
	// entities parsing". Messages are bounded before parsing, in UTF-16
	// units (how Telegram counts), which is never less than after.
	MaxText = 4096
	// MaxTopicName: "Topic name, 1-128 characters".
	MaxTopicName = 128
)

// Budgets, in UTF-16 units of escaped HTML, for the parts of a message
// that carry vendor words; the vendor's body gets what is left.
const (
	maxHeadline   = 600
	maxComponents = 800
	maxNotes      = 1000
)

// Escape makes s safe as text in Telegram's HTML: the four characters the
// parser reads as markup become entities
// (https://core.telegram.org/bots/api#html-style).
func Escape(s string) string {
	return htmlEscaper.Replace(s)
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// units is s's length as Telegram counts it: UTF-16 code units.
func units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// Fit escapes plain and cuts it to at most budget UTF-16 units of escaped
// text, whole runes and entities only, ending with "…" when cut.
func Fit(plain string, budget int) string {
	esc := Escape(plain)
	if units(esc) <= budget {
		return esc
	}
	if budget <= 0 {
		return ""
	}
	var b strings.Builder
	used := 0
	for _, r := range plain {
		e := Escape(string(r))
		if used+units(e)+1 > budget {
			break
		}
		b.WriteString(e)
		used += units(e)
	}
	return strings.TrimRight(b.String(), " \n") + "…"
}

// compose joins head, the vendor's body (plain, fitted into what is left)
// and tail, blank lines between, within MaxText.
func compose(head, body, tail string) string {
	parts := []string{head}
	if body = strings.TrimSpace(body); body != "" {
		room := MaxText - units(head) - units(tail) - 4
		if b := Fit(body, room); b != "" {
			parts = append(parts, b)
		}
	}
	if tail != "" {
		parts = append(parts, tail)
	}
	return strings.Join(parts, "\n\n")
}

// emoji is the state's colour: green once resolved, grey when the status
// cannot be read, blue for maintenance, else by severity.
func emoji(ev outage.Event) string {
	switch {
	case ev.Kind == outage.Resolved:
		return "🟢"
	case ev.Class == outage.Unreachable:
		return "⚪"
	case ev.Class == outage.MaintenanceWork:
		return "🔵"
	}
	return statusEmoji(ev.Severity)
}

func statusEmoji(s sources.Status) string {
	switch s {
	case sources.MajorOutage:
		return "🔴"
	case sources.PartialOutage:
		return "🟠"
	case sources.Degraded:
		return "🟡"
	case sources.Maintenance:
		return "🔵"
	case sources.Operational:
		return "🟢"
	}
	return "⚪"
}

// headline is "Target: title" on one line, or what the outage is about
// when it has no title of its own (plain text).
func headline(p *i18n.Printer, ev outage.Event) string {
	return outage.OneLine(notifier.Headline(p, ev))
}

// components lists components (with statuses while open) as plain text.
func components(p *i18n.Printer, ev outage.Event) string {
	names := make([]string, len(ev.Components))
	for i, c := range ev.Components {
		names[i] = c.Name
		if ev.Kind != outage.Resolved {
			names[i] += " (" + p.StatusInline(c.Status) + ")"
		}
	}
	return strings.Join(names, ", ")
}

// footer is the status page link and when, as HTML.
func footer(p *i18n.Printer, ev outage.Event) string {
	var parts []string
	if l := sources.WebLink(ev.URL); l != "" {
		parts = append(parts, `<a href="`+Escape(l)+`">`+Escape(notifier.StatusPageLabel(p))+`</a>`)
	}
	if !ev.OpenedAt.IsZero() {
		if ev.Kind == outage.Resolved {
			end := ev.ResolvedAt
			if end.IsZero() {
				end = ev.At
			}
			parts = append(parts, clock(p, ev.OpenedAt, end)+" – "+clock(p, end, end)+" UTC")
		} else {
			parts = append(parts, Escape(notifier.Since(p, clock(p, ev.OpenedAt, ev.At), ev)))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "<i>" + strings.Join(parts, " · ") + "</i>"
}

// clock is t in UTC as "14:02", with the day before it when it is not
// ref's day: "Mar 2 14:02", "2. März 14:02".
func clock(p *i18n.Printer, t, ref time.Time) string {
	t, ref = t.UTC(), ref.UTC()
	if t.YearDay() != ref.YearDay() || t.Year() != ref.Year() {
		return p.Day(t) + " " + p.Clock(t)
	}
	return p.Clock(t)
}

// RenderRoot is the message that stands for the whole outage in the state
// ev carries, in p's language: headline, state, components, the vendor's
// latest words, related targets, the status page and since when (or how
// long it lasted). Opened events post it; later ones edit the root to it.
func RenderRoot(p *i18n.Printer, ev outage.Event) string {
	label, detail := notifier.StateIn(p, ev)
	head := emoji(ev) + " <b>" + Fit(headline(p, ev), maxHeadline) + "</b>\n<b>" + Escape(label) + "</b>" + Escape(detail)
	if c := components(p, ev); c != "" {
		head += "\n" + Fit(notifier.ComponentsLabel(p)+" "+c, maxComponents)
	}
	var tail []string
	if notes := p.Notes(ev); len(notes) > 0 {
		tail = append(tail, Fit(strings.Join(notes, "\n"), maxNotes))
	}
	if f := footer(p, ev); f != "" {
		tail = append(tail, f)
	}
	return compose(head, p.Body(ev), strings.Join(tail, "\n\n"))
}

// RenderReply is what an updated or resolved event adds under the root:
// the new state (or how long it lasted) and the vendor's words. An opened
// event is a reply only when its outage joins another's thread: it then
// says whose it is and how it is related.
func RenderReply(p *i18n.Printer, ev outage.Event) string {
	var line string
	if ev.Kind == outage.Resolved {
		line = "<b>" + Escape(notifier.Restored(p, ev)) + "</b>"
	} else {
		label, detail := notifier.StateIn(p, ev)
		line = "<b>" + Escape(label) + "</b>" + Escape(detail)
	}
	if ev.Kind == outage.Opened || ev.Joined() {
		line = "<b>" + Fit(headline(p, ev), maxHeadline) + "</b> · " + line
	}
	head := emoji(ev) + " " + line
	var tail []string
	if notes := p.Notes(ev); ev.Kind == outage.Opened && len(notes) > 0 {
		tail = append(tail, Fit(strings.Join(notes, "\n"), maxNotes))
	}
	if ev.Kind != outage.Resolved {
		if c := components(p, ev); c != "" {
			tail = append(tail, "<i>"+Fit(c, maxComponents)+"</i>")
		}
	}
	return compose(head, p.Body(ev), strings.Join(tail, "\n"))
}

// RenderDigest renders a digest or a post-outage report: the headline in
// bold, each section's heading in bold and its lines, cut at a whole line
// with "… and N more" when they do not fit.
func RenderDigest(ev outage.Event) string {
	head := "<b>" + Fit(outage.OneLine(ev.Title), maxHeadline) + "</b>"
	var lines []string
	for _, s := range outage.ParseSections(ev.Body) {
		if len(lines) > 0 {
			lines = append(lines, "")
		}
		if s.Heading != "" {
			lines = append(lines, "<b>"+Fit(s.Heading, maxHeadline)+"</b>")
		}
		for _, l := range s.Lines {
			lines = append(lines, Fit(l, MaxText/2))
		}
	}
	return head + "\n\n" + FitLines(lines, MaxText-units(head)-2)
}

// FitLines is FitLinesIn in English.
func FitLines(lines []string, max int) string { return FitLinesIn(i18n.For(i18n.Default), lines, max) }

// FitLinesIn joins escaped lines within max units; when they do not all
// fit it ends with "… and N more" (in p's language) after the last whole
// line that does.
func FitLinesIn(p *i18n.Printer, lines []string, max int) string {
	all := strings.Join(lines, "\n")
	if units(all) <= max {
		return all
	}
	used := 0
	for i, l := range lines {
		more := "\n…" + Escape(notifier.More(p, len(lines)-i))
		if used+units(l)+1+units(more) > max {
			return strings.Join(lines[:i], "\n") + more
		}
		used += units(l) + 1
	}
	return all
}

// RenderGroup is the one message announcing many outages that open at once
// (storm control): one line per outage, worst first. It is the root of all
// of them.
func RenderGroup(p *i18n.Printer, evs []outage.Event) string {
	sorted := slices.Clone(evs)
	slices.SortStableFunc(sorted, func(a, b outage.Event) int { return b.Severity.Rank() - a.Severity.Rank() })
	head := emoji(sorted[0]) + " <b>" + Escape(notifier.StormTitle(p, len(evs))) + "</b>"
	lines := make([]string, len(sorted))
	for i, ev := range sorted {
		label, detail := notifier.StateIn(p, ev)
		lines[i] = emoji(ev) + " <b>" + Fit(headline(p, ev), maxHeadline/2) + "</b> — " + Escape(label+detail)
	}
	tail := "<i>" + Escape(notifier.StormNote(p, false)) + "</i>"
	return head + "\n\n" + FitLinesIn(p, lines, MaxText-units(head)-units(tail)-4) + "\n\n" + tail
}

// TopicName names an outage's forum topic (plain text: topic names take
// no markup), within MaxTopicName UTF-16 units: Telegram counts a name
// as it counts text, so the leading emoji (two units) and any emoji in
// the title count double.
func TopicName(p *i18n.Printer, ev outage.Event) string {
	name := emoji(ev) + " " + headline(p, ev)
	if units(name) <= MaxTopicName {
		return name
	}
	var b strings.Builder
	used := 0
	for _, r := range name {
		if used+utf16.RuneLen(r)+1 > MaxTopicName {
			break
		}
		b.WriteRune(r)
		used += utf16.RuneLen(r)
	}
	return strings.TrimRight(b.String(), " ") + "…"
}

// named is a reply under a message shared by several outages, saying whose
// it is.
func named(ev outage.Event, html string) string {
	prefix := "<b>" + Fit(ev.Target, maxHeadline/2) + "</b>: "
	if units(prefix)+units(html) <= MaxText {
		return prefix + html
	}
	return prefix + Fit(ev.Title, MaxText-units(prefix))
}

// renderer renders outage messages in the channel's language: built in,
// or from the channel's templates when it has them.
type renderer struct {
	t *tmpl.Renderer
	p *i18n.Printer
}

func (r renderer) root(ev outage.Event) string {
	if r.t == nil {
		return RenderRoot(r.p, ev)
	}
	title, body := r.t.Render(ev)
	return compose(emoji(ev)+" <b>"+Fit(title, maxHeadline)+"</b>", body, footer(r.p, ev))
}

func (r renderer) reply(ev outage.Event) string {
	if r.t == nil {
		return RenderReply(r.p, ev)
	}
	_, body := r.t.Render(ev)
	return compose(emoji(ev), body, "")
}
