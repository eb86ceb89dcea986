// Package console prints notifications for a person at a terminal. It is
// what the bot uses when no chat is configured, so a newcomer sees it work.
//
// Each event is one line of aligned columns: time, target, what happened,
// severity or duration, then the words. On a terminal the words wrap to its
// width and the columns are coloured by severity; anywhere else (a pipe, a
// file, journald) every event stays one full line, so scripts can grep it.
package console

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"

	"golang.org/x/term"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Notifier writes events to an io.Writer.
type Notifier struct {
	mu  sync.Mutex
	w   io.Writer
	cfg settings
}

var (
	_ notifier.Notifier = (*Notifier)(nil)
	_ notifier.Kinds    = (*Notifier)(nil)
)

// Handles implements notifier.Kinds: the console prints acknowledgements
// too.
func (n *Notifier) Handles(k outage.Kind) bool {
	return notifier.HandlesBase(k, outage.Acknowledged)
}

type settings struct {
	// width is the terminal's width in columns; 0 means no terminal: no
	// wrapping, one full line per event. size, when set, is asked before
	// every event instead, so a resized terminal is followed.
	width int
	size  func() int
	color bool
	// targetWidth is the width of the target column.
	targetWidth int
	// lang is the language of the words; v is its words and the widths
	// of the columns they take.
	lang string
	v    *vocab

	widthSet, colorSet bool
}

// Option tunes the rendering.
type Option func(*settings)

// WithWidth renders for a terminal this many columns wide; 0 renders one
// full line per event, as for a pipe or a file.
func WithWidth(cols int) Option {
	return func(s *settings) { s.width, s.size, s.widthSet = max(cols, 0), nil, true }
}

// WithColor turns ANSI colours on or off.
func WithColor(on bool) Option {
	return func(s *settings) { s.color, s.colorSet = on, true }
}

// WithTargets sizes the target column to the longest of these names (up to
// maxTargetWidth), so the columns line up from the first event on.
func WithTargets(names []string) Option {
	return func(s *settings) {
		for _, n := range names {
			s.targetWidth = max(s.targetWidth, min(textWidth(n), maxTargetWidth))
		}
	}
}

// WithLang writes the bot's words in lang (an i18n language; default
// English).
func WithLang(lang string) Option {
	return func(s *settings) { s.lang = lang }
}

// New returns a console notifier writing to w. Unless options say
// otherwise, a w that is a terminal gets wrapping to its width and colour
// (unless NO_COLOR is set, https://no-color.org); anything else gets plain
// full lines.
func New(w io.Writer, opts ...Option) *Notifier {
	var s settings
	for _, o := range opts {
		o(&s)
	}
	s.v = vocabFor(s.lang)
	if f, ok := w.(*os.File); ok && (!s.widthSet || !s.colorSet) {
		size, color := Detect(int(f.Fd()), os.Getenv)
		if !s.widthSet {
			s.size = size
		}
		if !s.colorSet {
			s.color = color
		}
	}
	return &Notifier{w: w, cfg: s}
}

// Detect decides how to render on the file descriptor fd. When it is a
// terminal, size reports its current width (falling back to $COLUMNS, then
// 80, when the terminal does not say), and color is true unless NO_COLOR
// has any value or TERM is "dumb". When it is not, size is nil and color
// false.
func Detect(fd int, getenv func(string) string) (size func() int, color bool) {
	if !term.IsTerminal(fd) {
		return nil, false
	}
	size = func() int {
		if w, _, err := term.GetSize(fd); err == nil && w > 0 {
			return w
		}
		var cols int
		if _, err := fmt.Sscanf(getenv("COLUMNS"), "%d", &cols); err == nil && cols > 0 {
			return cols
		}
		return defaultWidth
	}
	return size, getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

// Deliver prints the event.
func (n *Notifier) Deliver(_ context.Context, d notifier.Delivery) (notifier.RemoteRef, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.cfg
	if s.size != nil {
		s.width = s.size()
	}
	// A digest or report was written in every language when it was made
	// (outage.Written): print the console's.
	if _, err := io.WriteString(n.w, s.render(d.Event.In(s.v.p.Lang()))+"\n"); err != nil {
		return "", fmt.Errorf("write to console: %w", err)
	}
	return notifier.RemoteRef(fmt.Sprintf("console:%d", d.OutboxID)), nil
}

// Line renders one event as a single plain line in English, as it is
// printed where stdout is not a terminal.
func Line(ev outage.Event) string { return settings{v: vocabFor(i18n.Default)}.render(ev) }

const (
	timeLayout = "2006-01-02 15:04:05 UTC"
	// maxTargetWidth cuts longer target names on a terminal, so one long
	// name does not push everyone's words off the screen.
	maxTargetWidth = 24
	gap            = "  "
	// minTextWidth is the narrowest column the words get beside the
	// others; on a narrower terminal they go on lines of their own below.
	minTextWidth = 40
	// minTargetWidth keeps a name recognisable on the narrowest terminal.
	minTargetWidth = 8
	// narrowIndent indents the words on those lines.
	narrowIndent = 4
	// maxTextLines bounds how many lines a vendor's words take on a
	// terminal: the rest is a click away (the link) or in the thread.
	maxTextLines   = 4
	maxDetailLines = 2
	defaultWidth   = 80
)

// parts is an event taken apart into columns.
type parts struct {
	kind, state string
	// tone picks the colour of kind and state.
	tone sources.Status
	// text is the words; details are the secondary lines (components,
	// link, notes), dimmed on a terminal.
	text    string
	details []detail
}

type detail struct {
	text string
	// sep joins it to what precedes it on a single line.
	sep string
	// whole is never cut (a link cut short does not work).
	whole bool
}

// resolvedTone colours restorations.
const resolvedTone = sources.Operational

func (v *vocab) split(ev outage.Event) parts {
	var p parts
	p.tone = ev.Severity
	dur := i18n.Args{"Duration": v.p.Duration(ev.Duration())}
	switch {
	case ev.Kind == outage.Acknowledged:
		p.kind, p.state = v.kind(kindAcked), v.p.T("chat.console.by_someone", nil)
		if ev.Ack != nil {
			p.state = v.p.T("chat.console.by", i18n.Args{"Who": ev.Ack.Mention("console")})
		}
	case ev.Target == outage.SelfTarget && ev.Class == outage.Unreachable && ev.Kind == outage.Opened:
		p.kind, p.state = v.kind(kindOffline), v.p.T("chat.console.network_down", nil)
		p.tone = sources.MajorOutage
	case ev.Target == outage.SelfTarget && ev.Class == outage.Unreachable:
		p.kind, p.state, p.tone = v.kind(kindOnline), v.p.T("chat.console.back_after", dur), resolvedTone
	case ev.Class == outage.Unreachable && ev.Kind == outage.Opened:
		p.kind, p.state = v.kind(kindUnknown), v.p.Class(outage.Unreachable)
		p.tone = sources.Unknown
	case ev.Class == outage.Unreachable:
		p.kind, p.state, p.tone = v.kind(kindReadable), v.p.T("chat.console.back_after", dur), resolvedTone
	case ev.Class == outage.MaintenanceWork && ev.Kind == outage.Opened && ev.Phase == sources.MaintenanceScheduled:
		p.kind, p.state, p.tone = v.kind(kindMaintenance), v.phase(sources.MaintenanceScheduled), sources.Maintenance
	case ev.Class == outage.MaintenanceWork && ev.Kind == outage.Resolved:
		p.kind, p.state, p.tone = v.kind(kindMaintenance), v.p.T("chat.console.over_after", dur), resolvedTone
	case ev.Class == outage.MaintenanceWork && ev.Kind == outage.Opened:
		p.kind, p.state, p.tone = v.kind(kindMaintenance), v.p.T("chat.console.started", nil), sources.Maintenance
	case ev.Class == outage.MaintenanceWork:
		p.kind, p.state, p.tone = v.kind(kindMaintenance), v.p.T("chat.console.for", dur), sources.Maintenance
	case ev.Kind == outage.Opened:
		p.kind, p.state = v.kind(kindOpened), v.shortLabel(ev.Severity)
	case ev.Kind == outage.Updated:
		p.kind, p.state = v.kind(kindUpdated), v.updatedState(ev.Severity, ev.Duration())
	case ev.Kind == outage.Resolved:
		p.kind, p.state, p.tone = v.kind(kindResolved), v.p.T("chat.console.after", dur), resolvedTone
	}
	p.text = v.words(ev)
	if comps := v.componentList(ev, p.text); comps != "" {
		p.details = append(p.details, detail{text: "(" + comps + ")", sep: " "})
	}
	if ev.URL != "" {
		p.details = append(p.details, detail{text: ev.URL, sep: " ", whole: true})
	}
	if ev.Page != "" {
		p.details = append(p.details, detail{text: ev.Page, sep: " ", whole: true})
	}
	if notes := v.p.Notes(ev); len(notes) > 0 && ev.Kind == outage.Opened {
		for i, n := range notes {
			sep := "; "
			if i == 0 {
				sep = " | "
			}
			p.details = append(p.details, detail{text: outage.OneLine(n), sep: sep})
		}
	}
	return p
}

// words is what the event says. The target, what happened and the severity
// have columns of their own, so the words do not repeat them: an
// unreachable notice is its body alone; a restoration of our own outage
// (one with no vendor phase) is its restoration words alone, since its
// title names the trouble that has just ended ("Down"), which the
// restoration contradicts. A vendor's incident keeps its title, its name,
// unless its words repeat it.
func (v *vocab) words(ev outage.Event) string {
	body := outage.OneLine(v.p.Body(ev))
	title := ev.Title
	if ev.TitleSaid != nil {
		title = v.p.Text(*ev.TitleSaid)
	}
	if title != "" && strings.Contains(strings.ToLower(body), strings.ToLower(strings.TrimRight(title, ".!"))) {
		// Vendors often open with their title in a sentence ("We are
		// investigating elevated error rates on the API"): the sentence
		// says it all.
		title = ""
	}
	if ev.Phase != "" {
		title = strings.TrimSpace(title + " [" + v.phase(ev.Phase) + "]")
	}
	if title != "" && title[0] == '[' && body != "" {
		return title + " " + body
	}
	switch {
	case ev.Class == outage.Unreachable && body != "":
		return body
	case ev.Kind == outage.Resolved && ev.Class == outage.Incident && ev.Phase == "" && body != "":
		return body
	case body == "":
		return title
	case title == "":
		return body
	}
	return title + ": " + body
}

// componentList lists the event's components, unless the words already
// name each of them or the list is one component in the state the severity
// column shows: then it would only say it again. Restorations list none:
// everything in them is back.
func (v *vocab) componentList(ev outage.Event, text string) string {
	if len(ev.Components) == 0 || ev.Kind == outage.Resolved {
		return ""
	}
	named := true
	for _, c := range ev.Components {
		if !mentions(text, c.Name) {
			named = false
			break
		}
	}
	if named || (len(ev.Components) == 1 && ev.Components[0].Status == ev.Severity && mentions(text, ev.Components[0].Name)) {
		return ""
	}
	parts := make([]string, len(ev.Components))
	for i, c := range ev.Components {
		parts[i] = c.Name + " " + v.p.StatusInline(c.Status)
	}
	return strings.Join(parts, ", ")
}

// mentions reports whether text names name as a whole word or phrase.
func mentions(text, name string) bool {
	if name == "" {
		return false
	}
	re, err := regexp.Compile(`(?i)(^|[^\pL\pN])` + regexp.QuoteMeta(name) + `($|[^\pL\pN])`)
	return err == nil && re.MatchString(text)
}

func (s settings) render(ev outage.Event) string {
	if ev.Kind == outage.Digest || ev.Kind == outage.Report {
		return s.digestBlock(ev)
	}
	kindWidth, stateWidth := s.v.kindWidth, s.v.stateWidth
	p := s.v.split(ev)
	tw := max(s.targetWidth, textWidth(ev.Target))
	target := ev.Target
	if s.width > 0 {
		// The columns before the words must fit on one line, whatever the
		// names: a long name is cut rather than wrapped.
		fixed := len(timeLayout) + len(gap) + len(gap) + kindWidth + len(gap) + stateWidth
		tw = max(min(tw, maxTargetWidth, s.width-fixed), minTargetWidth)
		target = cut(target, tw)
	}
	var b strings.Builder
	b.WriteString(ev.At.UTC().Format(timeLayout))
	b.WriteString(gap)
	b.WriteString(pad(target, tw))
	b.WriteString(gap)
	// Padding stays outside the colour, so trailing spaces can be trimmed.
	b.WriteString(s.paint(p.tone, pad(p.kind, kindWidth)+gap+p.state))
	b.WriteString(pad("", stateWidth-textWidth(p.state)))
	if s.width <= 0 {
		// One full line: trailing padding would only be noise.
		b.WriteString(gap)
		b.WriteString(p.text)
		for _, d := range p.details {
			b.WriteString(d.sep)
			b.WriteString(d.text)
		}
		return strings.TrimRight(b.String(), " ")
	}

	indent := len(timeLayout) + len(gap) + tw + len(gap) + kindWidth + len(gap) + stateWidth + len(gap)
	room := s.width - indent
	if room < minTextWidth {
		// Too narrow for the words beside the columns: they go below.
		indent, room = narrowIndent, s.width-narrowIndent
		b.WriteString("\n" + strings.Repeat(" ", indent))
	} else {
		b.WriteString(gap)
	}
	room = max(room, 1)
	lead := strings.Repeat(" ", indent)
	for i, l := range wrap(p.text, room, maxTextLines) {
		if i > 0 {
			b.WriteString("\n" + lead)
		}
		b.WriteString(l)
	}
	for _, d := range p.details {
		lines := []string{d.text}
		if !d.whole {
			lines = wrap(d.text, room, maxDetailLines)
		}
		for _, l := range lines {
			b.WriteString("\n" + lead + s.paint(dim, l))
		}
	}
	return trimLines(b.String())
}

// digestBlock renders a digest: a headline line like an event's, then each
// section's heading and lines, indented. On a terminal each line is cut to
// its width.
func (s settings) digestBlock(ev outage.Event) string {
	var lines []string
	what := s.v.kind(kindDigest)
	if ev.Kind == outage.Report {
		what = s.v.kind(kindReport)
	}
	lines = append(lines, ev.At.UTC().Format(timeLayout)+gap+s.paint(ev.Severity, what)+pad("", s.v.kindWidth-textWidth(what))+ev.Title)
	for _, sec := range outage.ParseSections(ev.Body) {
		if sec.Heading != "" {
			lines = append(lines, "    "+sec.Heading)
		}
		for _, l := range sec.Lines {
			lines = append(lines, "      "+l)
		}
	}
	if s.width > 0 {
		for i := 1; i < len(lines); i++ {
			lines[i] = cut(lines[i], s.width)
		}
	}
	return strings.Join(lines, "\n")
}

// ANSI SGR sequences. Orange has no code of its own among the basic eight;
// the 256-colour palette's 208 is the usual choice and every current
// terminal has it.
const (
	reset = "\x1b[0m"
	// dim is not a status: paint treats it as "dim the text".
	dim sources.Status = "\x00dim"
)

func (s settings) paint(tone sources.Status, text string) string {
	if !s.color || text == "" {
		return text
	}
	var code string
	switch tone {
	case sources.MajorOutage:
		code = "\x1b[1;31m"
	case sources.PartialOutage:
		code = "\x1b[38;5;208m"
	case sources.Degraded:
		code = "\x1b[33m"
	case sources.Maintenance:
		code = "\x1b[34m"
	case sources.Operational:
		code = "\x1b[32m"
	case sources.Unknown:
		code = "\x1b[1m"
	case dim:
		code = "\x1b[2m"
	default:
		return text
	}
	return code + text + reset
}

// pad fills s with spaces to width columns.
func pad(s string, width int) string {
	if n := textWidth(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}

// trimLines drops trailing spaces from every line (a column padded for
// words that went below).
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}
