package discord

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/tmpl"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Discord's limits, counted in characters (runes). Embeds:
// https://discord.com/developers/docs/resources/message#embed-object-embed-limits
// Message content: https://discord.com/developers/docs/resources/message#create-message-jsonform-params
// Thread name: https://discord.com/developers/docs/resources/channel#start-thread-from-message-json-params
// Nonce: https://discord.com/developers/docs/resources/message#create-message-jsonform-params
const (
	maxEmbedTitle       = 256
	maxEmbedDescription = 4096
	maxEmbedFields      = 25
	maxFieldName        = 256
	maxFieldValue       = 1024
	maxFooterText       = 2048
	maxAuthorName       = 256
	// maxEmbedTotal bounds title, description, field names and values,
	// footer text and author name summed over all embeds of a message.
	maxEmbedTotal = 6000
	maxContent    = 2000
	maxThreadName = 100
	maxNonce      = 25
)

// Embed colours (RGB).
const (
	colourRed    = 0xE74C3C // major_outage
	colourOrange = 0xE67E22 // partial_outage
	colourYellow = 0xF1C40F // degraded
	colourBlue   = 0x3498DB // maintenance
	colourGreen  = 0x2ECC71 // restored, operational
	colourGrey   = 0x95A5A6 // unknown
)

// threadArchiveMinutes is how long a quiet outage thread stays open; posting
// to an archived thread reopens it. One of 60, 1440, 4320, 10080.
const threadArchiveMinutes = 4320

// noMentions stops vendor text such as "@everyone" from pinging anyone.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// RenderRoot renders the outage's root message embed for the state an event
// carries, in p's language: posted with the opened event and edited in
// place on every later event, so the channel shows each outage's current
// state at a glance.
func RenderRoot(p *i18n.Printer, ev outage.Event) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{
		Type:        discordgo.EmbedTypeRich,
		URL:         sources.WebLink(ev.URL),
		Title:       title(p, ev),
		Description: Inert(strings.TrimSpace(p.Body(ev))),
		Color:       colour(ev),
		Fields: []*discordgo.MessageEmbedField{
			{Name: p.T("chat.discord.field.status", nil), Value: statusText(p, ev), Inline: true},
			{Name: notifier.DurationTitle(p), Value: durationText(p, ev), Inline: true},
		},
		Footer:    &discordgo.MessageEmbedFooter{Text: Inert(ev.Target)},
		Timestamp: timestamp(ev.At),
	}
	if c := componentsText(p, ev.Components); c != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: notifier.ComponentsTitle(p), Value: c})
	}
	if n := notesText(p, ev); n != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: p.T("chat.discord.field.related", nil), Value: n})
	}
	if u := sources.WebLink(ev.Page); u != "" {
		// The embed's own link is the vendor's page; ours goes in a field.
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: notifier.OutagePageLabel(p), Value: "[" + u + "](" + u + ")"})
	}
	return fitEmbeds(e)[0]
}

// notesText is the Related field: the likely cause, confirmation,
// fallbacks and affected services, one per line.
func notesText(p *i18n.Printer, ev outage.Event) string {
	return truncate(Inert(strings.Join(p.Notes(ev), "\n")), maxFieldValue)
}

// RenderPost renders a message that stands on its own: the root of an outage
// (the opened event, or a later one whose opened event never reached this
// channel, which then becomes the root).
func RenderPost(p *i18n.Printer, ev outage.Event) *discordgo.MessageSend {
	m := &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{RenderRoot(p, ev)}, AllowedMentions: noMentions()}
	if ev.Kind == outage.Resolved {
		m.Content = truncate(notifier.Restored(p, ev), maxContent)
	}
	return m
}

// RenderReply renders what an updated or resolved event adds under the root:
// the vendor's words, and on restoration how long it lasted. An opened event
// is a reply only when its outage joins another's thread.
func RenderReply(p *i18n.Printer, ev outage.Event) *discordgo.MessageSend {
	m := &discordgo.MessageSend{AllowedMentions: noMentions()}
	body := Inert(strings.TrimSpace(p.Body(ev)))
	e := &discordgo.MessageEmbed{
		Type:        discordgo.EmbedTypeRich,
		URL:         sources.WebLink(ev.URL),
		Title:       title(p, ev),
		Description: body,
		Color:       colour(ev),
		Footer:      &discordgo.MessageEmbedFooter{Text: Inert(ev.Target)},
		Timestamp:   timestamp(ev.At),
	}
	if ev.Kind == outage.Resolved {
		m.Content = truncate(notifier.Restored(p, ev), maxContent)
		if body == "" {
			return m
		}
	} else {
		if body == "" {
			e.Description = nowText(p, ev)
		}
		e.Fields = []*discordgo.MessageEmbedField{{Name: p.T("chat.discord.field.status", nil), Value: statusText(p, ev), Inline: true}}
		if n := notesText(p, ev); n != "" && ev.Kind == outage.Opened {
			// An outage joining another's thread says how it is related.
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: p.T("chat.discord.field.related", nil), Value: n})
		}
	}
	m.Embeds = fitEmbeds(e)
	return m
}

// nowText is a reply's sentence when the vendor said nothing: "Now major
// outage · Identified."
func nowText(p *i18n.Printer, ev outage.Event) string {
	label, detail := notifier.StateInline(p, ev)
	return p.T("chat.discord.now", i18n.Args{"State": label + detail})
}

// ThreadName is the name of the thread an outage's updates go to.
func ThreadName(p *i18n.Printer, ev outage.Event) string {
	return truncate(title(p, ev), maxThreadName)
}

// title is the vendor's title, the bot's own in p's language, or what the
// outage is about when it has none: "Acme: no status data".
func title(p *i18n.Printer, ev outage.Event) string {
	if ev.TitleSaid != nil || strings.TrimSpace(ev.Title) != "" {
		return Inert(strings.TrimSpace(p.Title(ev)))
	}
	return Inert(p.T("chat.headline", i18n.Args{"Target": ev.Target, "What": p.Class(ev.Class)}))
}

// colour picks the embed colour: green once restored, then by class and
// severity.
func colour(ev outage.Event) int {
	switch {
	case ev.Kind == outage.Resolved:
		return colourGreen
	case ev.Class == outage.Unreachable:
		return colourGrey
	case ev.Class == outage.MaintenanceWork:
		return colourBlue
	}
	switch ev.Severity {
	case sources.MajorOutage:
		return colourRed
	case sources.PartialOutage:
		return colourOrange
	case sources.Degraded:
		return colourYellow
	case sources.Maintenance:
		return colourBlue
	case sources.Operational:
		return colourGreen
	}
	return colourGrey
}

// statusText is the Status field: what state the outage is in.
func statusText(p *i18n.Printer, ev outage.Event) string {
	label, detail := notifier.StateIn(p, ev)
	return label + detail
}

// durationText uses Discord timestamp markup, which every reader sees in
// their own time zone (https://discord.com/developers/docs/reference#message-formatting).
func durationText(p *i18n.Printer, ev outage.Event) string {
	d := ev.Duration()
	style := "t" // short time
	if d >= 12*time.Hour {
		style = "f" // short date and time
	}
	stamp := func(t time.Time) string { return fmt.Sprintf("<t:%d:%s>", t.Unix(), style) }
	if ev.Kind == outage.Resolved && !ev.ResolvedAt.IsZero() {
		return p.T("chat.discord.span", i18n.Args{"From": stamp(ev.OpenedAt), "To": stamp(ev.ResolvedAt), "Duration": p.Duration(d)})
	}
	return p.T("chat.discord.since", i18n.Args{"At": stamp(ev.OpenedAt), "Duration": p.Duration(d)})
}

// componentsText lists components one per line, cut at whole lines to fit a
// field value.
func componentsText(p *i18n.Printer, cs []outage.ComponentState) string {
	var b strings.Builder
	for i, c := range cs {
		line := Inert(c.Name) + ": " + p.StatusInline(c.Status)
		more := moreLine(p, len(cs)-i)
		if utf8.RuneCountInString(b.String())+1+utf8.RuneCountInString(line)+utf8.RuneCountInString(more) > maxFieldValue && i < len(cs)-1 {
			b.WriteString(more)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(line)
	}
	return truncate(b.String(), maxFieldValue)
}

func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// fitEmbeds cuts embeds to Discord's limits: each part to its own, then the
// descriptions and field values, longest first, until the message's total
// fits.
func fitEmbeds(es ...*discordgo.MessageEmbed) []*discordgo.MessageEmbed {
	for _, e := range es {
		e.Title = truncate(e.Title, maxEmbedTitle)
		e.Description = truncate(e.Description, maxEmbedDescription)
		if len(e.Fields) > maxEmbedFields {
			e.Fields = e.Fields[:maxEmbedFields]
		}
		for _, f := range e.Fields {
			f.Name = truncate(f.Name, maxFieldName)
			f.Value = truncate(f.Value, maxFieldValue)
		}
		if e.Footer != nil {
			e.Footer.Text = truncate(e.Footer.Text, maxFooterText)
		}
		if e.Author != nil {
			e.Author.Name = truncate(e.Author.Name, maxAuthorName)
		}
	}
	for over := embedsSize(es) - maxEmbedTotal; over > 0; over = embedsSize(es) - maxEmbedTotal {
		// Shorten the longest text part; keep at least a few characters of
		// each so nothing turns empty (an empty field value is rejected).
		var longest *string
		n := 0
		for _, e := range es {
			if l := utf8.RuneCountInString(e.Description); l > n {
				longest, n = &e.Description, l
			}
			for _, f := range e.Fields {
				if l := utf8.RuneCountInString(f.Value); l > n {
					longest, n = &f.Value, l
				}
			}
			if l := utf8.RuneCountInString(e.Title); l > n {
				longest, n = &e.Title, l
			}
		}
		if longest == nil || n <= 16 {
			break
		}
		*longest = truncate(*longest, max(16, n-over))
	}
	return es
}

// embedsSize counts what Discord counts toward maxEmbedTotal.
func embedsSize(es []*discordgo.MessageEmbed) int {
	n := 0
	for _, e := range es {
		n += utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
		for _, f := range e.Fields {
			n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
		}
		if e.Footer != nil {
			n += utf8.RuneCountInString(e.Footer.Text)
		}
		if e.Author != nil {
			n += utf8.RuneCountInString(e.Author.Name)
		}
	}
	return n
}

// truncate cuts s to at most max runes, marking a cut with an ellipsis.
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	if max <= 0 {
		return ""
	}
	r := []rune(s)
	return strings.TrimRightFunc(string(r[:max-1]), unicode.IsSpace) + "…"
}

// RenderDigest renders a digest (an outage.Digest event) as a message of its
// own: one embed titled with the headline whose description holds each
// section, its heading in bold and one line per entry. When the sections do
// not all fit the description, each gets a fair share of it (short ones
// whole, long ones an equal part of what is left) and a long one is cut at a
// whole line, saying how many lines were left out.
func RenderDigest(p *i18n.Printer, ev outage.Event) *discordgo.MessageSend {
	ev = ev.In(p.Lang())
	sections := outage.ParseSections(ev.Body)
	heads := make([]string, len(sections))
	full := make([]int, len(sections))
	for i, s := range sections {
		if s.Heading != "" {
			heads[i] = "**" + s.Heading + "**\n"
		}
		for j, l := range s.Lines {
			s.Lines[j] = Inert(l)
		}
		full[i] = utf8.RuneCountInString(heads[i] + strings.Join(s.Lines, "\n"))
	}
	// Share the description out, smallest section first.
	budget := make([]int, len(sections))
	left := maxEmbedDescription - 2*max(len(sections)-1, 0)
	order := make([]int, len(sections))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return full[a] - full[b] })
	for k, i := range order {
		budget[i] = min(full[i], left/(len(order)-k))
		left -= budget[i]
	}
	parts := make([]string, len(sections))
	for i, s := range sections {
		parts[i] = heads[i] + fitLinesIn(p, s.Lines, budget[i]-utf8.RuneCountInString(heads[i]))
	}
	e := &discordgo.MessageEmbed{
		Type:        discordgo.EmbedTypeRich,
		Title:       ev.Title,
		Description: strings.Join(parts, "\n\n"),
		Color:       colour(ev),
		Timestamp:   timestamp(ev.At),
	}
	return &discordgo.MessageSend{Embeds: fitEmbeds(e), AllowedMentions: noMentions()}
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
			reserve = utf8.RuneCountInString(moreLine(p, left))
		}
		if used+sep+w+reserve > max {
			if i == 0 {
				// Not even the first line fits with the note: cut it, or
				// everything when there is no room for the note either.
				more := moreLine(p, len(lines)-1)
				if room := max - utf8.RuneCountInString(more); room > 0 {
					return truncate(l, room) + more
				}
				return truncate(all, max)
			}
			b.WriteString(moreLine(p, len(lines)-i))
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

// moreLine ends a list cut short: "\n… and 3 more".
func moreLine(p *i18n.Printer, n int) string { return "\n…" + notifier.More(p, n) }

// RenderGroup renders the one message that announces many outages opening
// at once (storm control): one line per outage, worst first, coloured by
// the worst. It is the root of all of them; each one's updates reply to it.
func RenderGroup(p *i18n.Printer, evs []outage.Event) *discordgo.MessageSend {
	sorted := slices.Clone(evs)
	slices.SortStableFunc(sorted, func(a, b outage.Event) int { return b.Severity.Rank() - a.Severity.Rank() })
	lines := make([]string, len(sorted))
	for i, ev := range sorted {
		t := title(p, ev)
		lines[i] = "**" + Inert(t) + "** — " + statusText(p, ev)
		if !strings.HasPrefix(t, ev.Target) {
			lines[i] = "**" + Inert(ev.Target) + "**: " + Inert(t) + " — " + statusText(p, ev)
		}
	}
	e := &discordgo.MessageEmbed{
		Type:        discordgo.EmbedTypeRich,
		Title:       notifier.StormTitle(p, len(evs)),
		Description: fitLinesIn(p, lines, maxEmbedDescription),
		Color:       colour(sorted[0]),
		Footer:      &discordgo.MessageEmbedFooter{Text: notifier.StormNote(p, false)},
		Timestamp:   timestamp(sorted[0].At),
	}
	return &discordgo.MessageSend{Embeds: fitEmbeds(e), AllowedMentions: noMentions()}
}

// namedReply is m, a reply to a message shared by several outages, its
// text starting with whose it is.
func namedReply(ev outage.Event, m *discordgo.MessageSend) *discordgo.MessageSend {
	m.Content = truncate(strings.TrimSpace("**"+Inert(ev.Target)+"**: "+m.Content), maxContent)
	return m
}

// groupThreadName names the thread of a grouped message, shared by the
// outages it lists.
func groupThreadName(p *i18n.Printer) string { return p.T("chat.discord.group_thread", nil) }

// renderer renders outage messages in the channel's language: built in,
// or from the channel's templates when it has them.
type renderer struct {
	t *tmpl.Renderer
	p *i18n.Printer
}

// root is the embed that stands for the whole outage.
func (r renderer) root(ev outage.Event) *discordgo.MessageEmbed {
	if r.t == nil {
		return RenderRoot(r.p, ev)
	}
	title, body := r.t.Render(ev)
	return fitEmbeds(&discordgo.MessageEmbed{
		Type: discordgo.EmbedTypeRich, URL: sources.WebLink(ev.URL), Title: truncate(Inert(title), maxEmbedTitle),
		Description: truncate(Inert(body), maxEmbedDescription), Color: colour(ev), Timestamp: timestamp(ev.At),
	})[0]
}

// post is the root as a new message.
func (r renderer) post(ev outage.Event) *discordgo.MessageSend {
	if r.t == nil {
		return RenderPost(r.p, ev)
	}
	return &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{r.root(ev)}, AllowedMentions: noMentions()}
}

// reply is what an updated or resolved event adds under the root.
func (r renderer) reply(ev outage.Event) *discordgo.MessageSend {
	if ev.Kind == outage.Acknowledged {
		return RenderAck(r.p, ev)
	}
	if r.t == nil {
		return RenderReply(r.p, ev)
	}
	_, body := r.t.Render(ev)
	return &discordgo.MessageSend{Content: truncate(Inert(body), maxContent), AllowedMentions: noMentions()}
}
