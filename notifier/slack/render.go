package slack

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackutilsx"

	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/tmpl"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Slack's limits on what one message may carry. Text is cut by rune, as
// Slack counts characters.
const (
	// MaxBlocks: "You can include up to 50 blocks in each message".
	// https://api.slack.com/reference/block-kit/blocks
	MaxBlocks = 50
	// MaxSectionText: a section block's text, "Maximum length for the text
	// in this field is 3000 characters". The same bound holds for any text
	// object, so it also bounds context elements.
	// https://api.slack.com/reference/block-kit/blocks#section
	// https://api.slack.com/reference/block-kit/composition-objects#text
	MaxSectionText = 3000
	// MaxHeaderText: a header block's text, "Maximum length for the text in
	// this field is 150 characters".
	// https://api.slack.com/reference/block-kit/blocks#header
	MaxHeaderText = 150
	// MaxFallbackText bounds the top-level text (the notification and
	// screen-reader fallback when blocks are present): Slack truncates
	// messages over 40,000 characters and recommends at most 4,000.
	// https://api.slack.com/methods/chat.postMessage#truncating
	MaxFallbackText = 4000
)

// Message is one rendered Slack message, as given to chat.postMessage,
// chat.update or an incoming webhook.
type Message struct {
	// Text is the plain fallback shown in notifications and read by screen
	// readers. It is escaped for Slack (&, <, >).
	Text string `json:"text"`
	// Blocks are the message's top-level Block Kit blocks.
	Blocks []slack.Block `json:"blocks"`
	// Attachments carry the coloured side bar with the details as blocks
	// (roots only).
	Attachments []slack.Attachment `json:"attachments,omitempty"`
}

// style is how a state looks: an emoji and a side bar colour.
type style struct {
	emoji, color string
}

var (
	styleMajor       = style{":red_circle:", "#E01E5A"}
	stylePartial     = style{":large_orange_circle:", "#F2952F"}
	styleDegraded    = style{":large_yellow_circle:", "#ECB22E"}
	styleMaintenance = style{":large_blue_circle:", "#1D9BD1"}
	styleGood        = style{":large_green_circle:", "#2EB67D"}
	styleUnknown     = style{":white_circle:", "#9E9E9E"}
)

// styleOf picks the look of an event's state: green once resolved, grey
// when the status cannot be read, else by severity.
func styleOf(ev outage.Event) style {
	switch {
	case ev.Kind == outage.Resolved:
		return styleGood
	case ev.Class == outage.Unreachable:
		return styleUnknown
	case ev.Class == outage.MaintenanceWork:
		// Planned work is told as such whatever impact the vendor gave it.
		return styleMaintenance
	}
	return statusStyle(ev.Severity)
}

// StatusStyle returns the emoji shortcode and side bar colour of a status:
// major red, partial orange, degraded yellow, maintenance blue, operational
// green, unknown grey.
func StatusStyle(s sources.Status) (emoji, color string) {
	st := statusStyle(s)
	return st.emoji, st.color
}

func statusStyle(s sources.Status) style {
	switch s {
	case sources.MajorOutage:
		return styleMajor
	case sources.PartialOutage:
		return stylePartial
	case sources.Degraded:
		return styleDegraded
	case sources.Maintenance:
		return styleMaintenance
	case sources.Operational:
		return styleGood
	}
	return styleUnknown
}

// RenderRoot renders the message that stands for the whole outage, in the
// state ev carries: headline, status, components, the latest vendor words,
// the status page and since when (or how long it lasted). Opened events post
// it and every later event edits the root to it; webhooks, which cannot
// edit, post it for every event.
func RenderRoot(ev outage.Event) Message {
	st := styleOf(ev)
	headline := headline(ev)
	label, detail := notifier.State(ev)

	details := []slack.Block{section("*" + label + "*" + escape(detail))}
	if c := components(ev); c != "" {
		details = append(details, section(c))
	}
	if ev.Body != "" {
		details = append(details, section(escapeTruncate(ev.Body, MaxSectionText)))
	}
	if n := notes(ev); n != "" {
		details = append(details, section(n))
	}
	if c := rootContext(ev); c != "" {
		details = append(details, contextBlock(c))
	}

	text := escape(st.emoji+" "+headline) + " — " + escape(label+detail)
	return Message{
		Text:   truncateMrkdwn(text, MaxFallbackText),
		Blocks: []slack.Block{header(st.emoji + " " + headline)},
		Attachments: []slack.Attachment{{
			Color:    st.color,
			Fallback: truncateMrkdwn(text, MaxFallbackText),
			Blocks:   slack.Blocks{BlockSet: capBlocks(details)},
		}},
	}
}

// RenderReply renders an updated or resolved event as a reply in the
// outage's thread: the new state and the vendor's words. An opened event is
// a reply only when its outage joins the thread of another (a failing
// service of ours under the vendor incident that explains it): it then says
// what it is and how it is related.
func RenderReply(ev outage.Event) Message {
	st := styleOf(ev)
	var line, plain string
	if ev.Kind == outage.Resolved {
		plain = restoredLine(ev)
		line = "*" + plain + "*"
	} else {
		label, detail := notifier.State(ev)
		line = "*" + label + "*" + escape(detail)
		plain = label + detail
	}
	if ev.Kind == outage.Opened || ev.Joined() {
		// An outage in another's thread: its replies say whose they are.
		line = "*" + escape(headline(ev)) + "* · " + line
		plain = ev.Title + " · " + plain
	}
	blocks := []slack.Block{section(st.emoji + " " + line)}
	if ev.Body != "" {
		blocks = append(blocks, section(escapeTruncate(ev.Body, MaxSectionText)))
	}
	if n := notes(ev); n != "" && ev.Kind == outage.Opened {
		blocks = append(blocks, section(n))
	}
	if ev.Kind != outage.Resolved {
		if c := componentList(ev.Components, true, MaxSectionText); c != "" {
			blocks = append(blocks, contextBlock(c))
		}
	}

	text := st.emoji + " " + escape(ev.Target+": "+plain)
	if ev.Body != "" {
		text += "\n" + escape(ev.Body)
	}
	return Message{Text: truncateMrkdwn(text, MaxFallbackText), Blocks: capBlocks(blocks)}
}

// headline is "Target: title", or what the outage is about when it has no
// title of its own.
func headline(ev outage.Event) string {
	switch {
	case ev.Target == outage.SelfTarget && ev.Kind == outage.Resolved:
		return ev.Target + ": back online"
	case ev.Target == outage.SelfTarget:
		return ev.Target + ": " + ev.Title
	case ev.Class == outage.Unreachable && ev.Kind == outage.Resolved:
		return ev.Target + ": status data back"
	case ev.Class == outage.Unreachable:
		return ev.Target + ": status data unavailable"
	case ev.Title == "":
		return ev.Target
	}
	return ev.Target + ": " + ev.Title
}

// notes are the lines about related targets (cause, confirmation,
// fallbacks, affected services), one per line.
func notes(ev outage.Event) string {
	if len(ev.Notes) == 0 {
		return ""
	}
	return escapeTruncate(strings.Join(ev.Notes, "\n"), MaxSectionText)
}

// restoredLine is the restoration's first words: "Restored after 1h 12m".
func restoredLine(ev outage.Event) string {
	d := outage.FormatDuration(ev.Duration())
	if ev.Target == outage.SelfTarget {
		return "Back online after " + d
	}
	switch ev.Class {
	case outage.Unreachable:
		return "Status data back after " + d
	case outage.MaintenanceWork:
		return "Maintenance over after " + d
	}
	return "Restored after " + d
}

// components is the root's component line: with statuses while open, names
// only once resolved (their last statuses would be stale).
func components(ev outage.Event) string {
	list := componentList(ev.Components, ev.Kind != outage.Resolved, MaxSectionText-len("*Components:* "))
	if list == "" {
		return ""
	}
	return "*Components:* " + list
}

// componentList lists components within max runes, ending with "and N
// more" when they do not all fit.
func componentList(cs []outage.ComponentState, withStatus bool, max int) string {
	var b strings.Builder
	used := 0
	for i, c := range cs {
		item := escape(c.Name)
		if withStatus {
			item += " (" + c.Status.Label() + ")"
		}
		if i > 0 {
			item = ", " + item
		}
		// Leave room to say how many are left out, unless this is the last.
		reserve := 0
		if left := len(cs) - i - 1; left > 0 {
			reserve = len(fmt.Sprintf(" and %d more", left))
		}
		w := utf8.RuneCountInString(item)
		if used+w+reserve > max {
			fmt.Fprintf(&b, " and %d more", len(cs)-i)
			break
		}
		b.WriteString(item)
		used += w
	}
	return b.String()
}

// rootContext is the root's footer: the vendor's page and when.
func rootContext(ev outage.Event) string {
	var parts []string
	if l := link(ev.URL, "Status page"); l != "" {
		parts = append(parts, l)
	}
	if l := link(ev.Page, "Outage page"); l != "" {
		parts = append(parts, l)
	}
	if !ev.OpenedAt.IsZero() {
		if ev.Kind == outage.Resolved {
			end := ev.ResolvedAt
			if end.IsZero() {
				end = ev.At
			}
			parts = append(parts, clock(ev.OpenedAt, end)+" – "+clock(end, end)+" UTC")
		} else {
			parts = append(parts, fmt.Sprintf("since %s UTC (%s)", clock(ev.OpenedAt, ev.At), outage.FormatDuration(ev.Duration())))
		}
	}
	return strings.Join(parts, " · ")
}

// clock is t in UTC as "14:02", with the date when it is not ref's day.
func clock(t, ref time.Time) string {
	t, ref = t.UTC(), ref.UTC()
	if t.YearDay() != ref.YearDay() || t.Year() != ref.Year() {
		return t.Format("Jan 2 15:04")
	}
	return t.Format("15:04")
}

func header(text string) slack.Block {
	return slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, truncateRunes(text, MaxHeaderText), true, false))
}

func section(mrkdwn string) slack.Block {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, mrkdwn, false, false), nil, nil)
}

func contextBlock(mrkdwn string) slack.Block {
	return slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, truncateMrkdwn(mrkdwn, MaxSectionText), false, false))
}

// capBlocks keeps a message within MaxBlocks.
func capBlocks(blocks []slack.Block) []slack.Block {
	if len(blocks) > MaxBlocks {
		return blocks[:MaxBlocks]
	}
	return blocks
}

// escape makes text safe for Slack's mrkdwn: &, < and > become entities.
func escape(s string) string { return slackutilsx.EscapeMessage(s) }

// ellipsis marks text that was cut.
const ellipsis = "…"

// truncateRunes cuts s to at most max runes, the last being an ellipsis
// when it was cut.
func truncateRunes(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	if max <= 0 {
		return ""
	}
	i, n := 0, 0
	for i = range s {
		if n == max-1 {
			break
		}
		n++
	}
	return s[:i] + ellipsis
}

// escapeTruncate escapes plain text for mrkdwn and cuts the result to max
// runes.
func escapeTruncate(s string, max int) string { return truncateMrkdwn(escape(s), max) }

// truncateMrkdwn cuts already-escaped mrkdwn to max runes without leaving
// half an entity (&amp;) at the end.
func truncateMrkdwn(esc string, max int) string {
	if utf8.RuneCountInString(esc) <= max {
		return esc
	}
	cut := truncateRunes(esc, max)
	cut = strings.TrimSuffix(cut, ellipsis)
	if amp := strings.LastIndexByte(cut, '&'); amp >= 0 && !strings.Contains(cut[amp:], ";") {
		cut = cut[:amp]
	}
	return cut + ellipsis
}

// RenderDigest renders a digest (an outage.Digest event) as a message of its
// own: the headline as a header, then each section as a section block with
// its heading in bold and one line per entry. A section that does not fit a
// block is cut at a whole line and says how many lines were left out.
func RenderDigest(ev outage.Event) Message {
	st := styleOf(ev)
	blocks := []slack.Block{header(st.emoji + " " + ev.Title)}
	for _, s := range outage.ParseSections(ev.Body) {
		head := ""
		if s.Heading != "" {
			head = "*" + escape(s.Heading) + "*\n"
		}
		lines := make([]string, len(s.Lines))
		for i, l := range s.Lines {
			lines[i] = escape(l)
		}
		blocks = append(blocks, section(head+fitLines(lines, MaxSectionText-utf8.RuneCountInString(head))))
	}
	return Message{Text: escapeTruncate(st.emoji+" "+ev.Title, MaxFallbackText), Blocks: capBlocks(blocks)}
}

// fitLines joins lines within max runes. When they do not all fit it ends
// with "… and N more" after the last whole line that does; a single line
// too long on its own is cut.
func fitLines(lines []string, max int) string {
	all := strings.Join(lines, "\n")
	if utf8.RuneCountInString(all) <= max {
		return all
	}
	var b strings.Builder
	used := 0
	for i, l := range lines {
		sep := 0
		if i > 0 {
			sep = 1
		}
		w := utf8.RuneCountInString(l)
		reserve := 0
		if left := len(lines) - i - 1; left > 0 {
			reserve = utf8.RuneCountInString(fmt.Sprintf("\n… and %d more", left))
		}
		if used+sep+w+reserve > max {
			if i == 0 {
				// Not even the first line fits with the note: cut it, or
				// everything when there is no room for the note either.
				more := fmt.Sprintf("\n… and %d more", len(lines)-1)
				if room := max - utf8.RuneCountInString(more); room > 0 {
					return truncateMrkdwn(l, room) + more
				}
				return truncateMrkdwn(all, max)
			}
			fmt.Fprintf(&b, "\n… and %d more", len(lines)-i)
			return b.String()
		}
		if sep > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
		used += sep + w
	}
	return b.String()
}

// RenderGroup renders the one message that announces many outages opening
// at once (storm control): a header with their number, one line per outage
// by severity, worst first, and a note that each one's updates follow in
// the thread. It is the root of all of them.
func RenderGroup(evs []outage.Event) Message {
	sorted := slices.Clone(evs)
	slices.SortStableFunc(sorted, func(a, b outage.Event) int { return b.Severity.Rank() - a.Severity.Rank() })
	worst := styleOf(sorted[0])
	lines := make([]string, len(sorted))
	for i, ev := range sorted {
		label, _ := notifier.State(ev)
		lines[i] = styleOf(ev).emoji + " " + escape(headline(ev)) + " — " + escape(label)
	}
	title := fmt.Sprintf("%d outages at once", len(evs))
	blocks := []slack.Block{
		header(worst.emoji + " " + title),
		section(fitLines(lines, MaxSectionText)),
		contextBlock("Many targets broke within minutes of each other, so they share this message; each one's updates and restoration follow in this thread."),
	}
	text := worst.emoji + " " + title + ": " + escape(strings.Join(targetsOf(sorted), ", "))
	return Message{Text: truncateMrkdwn(text, MaxFallbackText), Blocks: blocks}
}

// namedReply is m, a reply in a thread shared by several outages, starting
// with whose it is.
func namedReply(ev outage.Event, m Message) Message {
	m.Blocks = capBlocks(append([]slack.Block{contextBlock("*" + escapeTruncate(ev.Target, MaxSectionText-2) + "*")}, m.Blocks...))
	return m
}

func targetsOf(evs []outage.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Target
	}
	return out
}

// renderer renders outage messages: built in, or from a channel's
// templates and locale when it has them.
type renderer struct {
	t *tmpl.Renderer
	// chrome adds the ack line and the buttons to roots (a bot's
	// messages; a webhook's cannot be clicked).
	chrome bool
}

func (r renderer) root(ev outage.Event) Message {
	if r.chrome {
		return withChrome(r.plainRoot(ev), ev)
	}
	return r.plainRoot(ev)
}

func (r renderer) plainRoot(ev outage.Event) Message {
	if r.t == nil {
		return RenderRoot(ev)
	}
	title, body := r.t.Render(ev)
	st := styleOf(ev)
	text := escape(title + "\n" + body)
	return Message{
		Text:   truncateMrkdwn(text, MaxFallbackText),
		Blocks: []slack.Block{header(title)},
		Attachments: []slack.Attachment{{
			Color:    st.color,
			Fallback: truncateMrkdwn(text, MaxFallbackText),
			Blocks:   slack.Blocks{BlockSet: []slack.Block{section(escapeTruncate(body, MaxSectionText))}},
		}},
	}
}

func (r renderer) reply(ev outage.Event) Message {
	if ev.Kind == outage.Acknowledged {
		return RenderAck(ev)
	}
	if r.t == nil {
		return RenderReply(ev)
	}
	title, body := r.t.Render(ev)
	return Message{
		Text:   truncateMrkdwn(escape(title+"\n"+body), MaxFallbackText),
		Blocks: []slack.Block{section(escapeTruncate(body, MaxSectionText))},
	}
}
