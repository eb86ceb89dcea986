package slack

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackutilsx"

	"github.com/outagebot/outagebot/i18n"
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
// state ev carries and in p's language: headline, status, components, the
// latest vendor words, the status page and since when (or how long it
// lasted). Opened events post it and every later event edits the root to
// it; webhooks, which cannot edit, post it for every event.
func RenderRoot(p *i18n.Printer, ev outage.Event) Message {
	st := styleOf(ev)
	headline := notifier.Headline(p, ev)
	label, detail := notifier.StateIn(p, ev)

	details := []slack.Block{section("*" + label + "*" + escape(detail))}
	if c := components(p, ev); c != "" {
		details = append(details, section(c))
	}
	if body := p.Body(ev); body != "" {
		details = append(details, section(escapeTruncate(body, MaxSectionText)))
	}
	if n := notes(p, ev); n != "" {
		details = append(details, section(n))
	}
	if c := rootContext(p, ev); c != "" {
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
func RenderReply(p *i18n.Printer, ev outage.Event) Message {
	st := styleOf(ev)
	var line, plain string
	if ev.Kind == outage.Resolved {
		plain = notifier.Restored(p, ev)
		line = "*" + plain + "*"
	} else {
		label, detail := notifier.StateIn(p, ev)
		line = "*" + label + "*" + escape(detail)
		plain = label + detail
	}
	if ev.Kind == outage.Opened || ev.Joined() {
		// An outage in another's thread: its replies say whose they are.
		line = "*" + escape(notifier.Headline(p, ev)) + "* · " + line
		plain = ownTitle(p, ev) + " · " + plain
	}
	blocks := []slack.Block{section(st.emoji + " " + line)}
	body := p.Body(ev)
	if body != "" {
		blocks = append(blocks, section(escapeTruncate(body, MaxSectionText)))
	}
	if n := notes(p, ev); n != "" && ev.Kind == outage.Opened {
		blocks = append(blocks, section(n))
	}
	if ev.Kind != outage.Resolved {
		if c := componentList(p, ev.Components, true, MaxSectionText); c != "" {
			blocks = append(blocks, contextBlock(c))
		}
	}

	text := st.emoji + " " + escape(ev.Target+": "+plain)
	if body != "" {
		text += "\n" + escape(body)
	}
	return Message{Text: truncateMrkdwn(text, MaxFallbackText), Blocks: capBlocks(blocks)}
}

// ownTitle is the outage's title in p's language, "" when it has none:
// unlike p.Title it does not stand in what the outage is about, because
// the words beside it already say so.
func ownTitle(p *i18n.Printer, ev outage.Event) string {
	if ev.TitleSaid != nil {
		return p.Text(*ev.TitleSaid)
	}
	return ev.Title
}

// notes are the lines about related targets (cause, confirmation,
// fallbacks, affected services), one per line.
func notes(p *i18n.Printer, ev outage.Event) string {
	ns := p.Notes(ev)
	if len(ns) == 0 {
		return ""
	}
	return escapeTruncate(strings.Join(ns, "\n"), MaxSectionText)
}

// components is the root's component line: with statuses while open, names
// only once resolved (their last statuses would be stale).
func components(p *i18n.Printer, ev outage.Event) string {
	label := "*" + notifier.ComponentsLabel(p) + "* "
	list := componentList(p, ev.Components, ev.Kind != outage.Resolved, MaxSectionText-utf8.RuneCountInString(label))
	if list == "" {
		return ""
	}
	return label + list
}

// componentList lists components within max runes, ending with "and N
// more" when they do not all fit.
func componentList(p *i18n.Printer, cs []outage.ComponentState, withStatus bool, max int) string {
	var b strings.Builder
	used := 0
	for i, c := range cs {
		item := escape(c.Name)
		if withStatus {
			item += " (" + p.StatusInline(c.Status) + ")"
		}
		if i > 0 {
			item = ", " + item
		}
		// Leave room to say how many are left out, unless this is the last.
		reserve := 0
		if left := len(cs) - i - 1; left > 0 {
			reserve = utf8.RuneCountInString(notifier.More(p, left))
		}
		w := utf8.RuneCountInString(item)
		if used+w+reserve > max {
			b.WriteString(notifier.More(p, len(cs)-i))
			break
		}
		b.WriteString(item)
		used += w
	}
	return b.String()
}

// rootContext is the root's footer: the vendor's page and when.
func rootContext(p *i18n.Printer, ev outage.Event) string {
	var parts []string
	if l := link(ev.URL, notifier.StatusPageLabel(p)); l != "" {
		parts = append(parts, l)
	}
	if l := link(ev.Page, notifier.OutagePageLabel(p)); l != "" {
		parts = append(parts, l)
	}
	if !ev.OpenedAt.IsZero() {
		if ev.Kind == outage.Resolved {
			end := ev.ResolvedAt
			if end.IsZero() {
				end = ev.At
			}
			parts = append(parts, clock(p, ev.OpenedAt, end)+" – "+clock(p, end, end)+" UTC")
		} else {
			parts = append(parts, notifier.Since(p, clock(p, ev.OpenedAt, ev.At), ev))
		}
	}
	return strings.Join(parts, " · ")
}

// clock is t in UTC as "14:02", with the day ("Mar 2 14:02", "2. März
// 14:02") when it is not ref's day.
func clock(p *i18n.Printer, t, ref time.Time) string {
	t, ref = t.UTC(), ref.UTC()
	if t.YearDay() != ref.YearDay() || t.Year() != ref.Year() {
		return p.Day(t) + " " + p.Clock(t)
	}
	return p.Clock(t)
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
func RenderDigest(p *i18n.Printer, ev outage.Event) Message {
	ev = ev.In(p.Lang())
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
		blocks = append(blocks, section(head+fitLinesIn(p, lines, MaxSectionText-utf8.RuneCountInString(head))))
	}
	return Message{Text: escapeTruncate(st.emoji+" "+ev.Title, MaxFallbackText), Blocks: capBlocks(blocks)}
}

// fitLinesIn joins lines within max runes. When they do not all fit it
// ends with "… and N more" (in p's language) after the last whole line
// that does; a single line too long on its own is cut.
func fitLinesIn(p *i18n.Printer, lines []string, max int) string {
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
			reserve = utf8.RuneCountInString(moreLines(p, left))
		}
		if used+sep+w+reserve > max {
			if i == 0 {
				// Not even the first line fits with the note: cut it, or
				// everything when there is no room for the note either.
				more := moreLines(p, len(lines)-1)
				if room := max - utf8.RuneCountInString(more); room > 0 {
					return truncateMrkdwn(l, room) + more
				}
				return truncateMrkdwn(all, max)
			}
			b.WriteString(moreLines(p, len(lines)-i))
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

// moreLines ends a cut list of lines: "\n… and 3 more".
func moreLines(p *i18n.Printer, n int) string { return "\n…" + notifier.More(p, n) }

// RenderGroup renders the one message that announces many outages opening
// at once (storm control): a header with their number, one line per outage
// by severity, worst first, and a note that each one's updates follow in
// the thread. It is the root of all of them.
func RenderGroup(p *i18n.Printer, evs []outage.Event) Message {
	sorted := slices.Clone(evs)
	slices.SortStableFunc(sorted, func(a, b outage.Event) int { return b.Severity.Rank() - a.Severity.Rank() })
	worst := styleOf(sorted[0])
	lines := make([]string, len(sorted))
	for i, ev := range sorted {
		label, _ := notifier.StateIn(p, ev)
		lines[i] = styleOf(ev).emoji + " " + escape(notifier.Headline(p, ev)) + " — " + escape(label)
	}
	title := notifier.StormTitle(p, len(evs))
	blocks := []slack.Block{
		header(worst.emoji + " " + title),
		section(fitLinesIn(p, lines, MaxSectionText)),
		contextBlock(notifier.StormNote(p, true)),
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

// renderer renders outage messages in a channel's language: built in, or
// from the channel's templates when it has them.
type renderer struct {
	p *i18n.Printer
	t *tmpl.Renderer
	// chrome adds the ack line and the buttons to roots (a bot's
	// messages; a webhook's cannot be clicked).
	chrome bool
}

func (r renderer) root(ev outage.Event) Message {
	if r.chrome {
		return withChrome(r.p, r.plainRoot(ev), ev)
	}
	return r.plainRoot(ev)
}

func (r renderer) plainRoot(ev outage.Event) Message {
	if r.t == nil {
		return RenderRoot(r.p, ev)
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
		return RenderAck(r.p, ev)
	}
	if r.t == nil {
		return RenderReply(r.p, ev)
	}
	title, body := r.t.Render(ev)
	return Message{
		Text:   truncateMrkdwn(escape(title+"\n"+body), MaxFallbackText),
		Blocks: []slack.Block{section(escapeTruncate(body, MaxSectionText))},
	}
}
