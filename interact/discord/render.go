package discord

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
	discordnotifier "github.com/outagebot/outagebot/notifier/discord"
)

// Autocomplete limits
// (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-autocomplete):
// at most 25 choices, names and string values of 1 to 100 characters.
const (
	maxChoices     = 25
	maxChoiceName  = 100
	maxChoiceValue = 100
)

// continued names a field that continues the one before it (Discord needs a
// non-empty name; a zero-width space shows none).
const continued = "\u200b"

// Render turns an answer into the interaction response that shows it: a
// message with one embed, ephemeral unless the answer is public or
// announces something, the announcement as the message text, and no
// mentions allowed.
func Render(a bot.Answer) *discordgo.InteractionResponse {
	data := &discordgo.InteractionResponseData{
		Embeds:          []*discordgo.MessageEmbed{Embed(a)},
		AllowedMentions: discordnotifier.NoMentions(),
	}
	if a.Announce != "" {
		data.Content = discordnotifier.Truncate(Markdown(a.Announce), discordnotifier.MaxContent)
	}
	if !a.Public && a.Announce == "" {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: data}
}

// Embed renders an answer: its title; the sections before the first
// headed one as the description; each headed section as a field (split
// into more fields at whole lines when long); a section without heading
// after a field as a field with no name. Slack-style *bold* becomes
// Discord's **bold**. What does not fit Discord's limits is cut at whole
// lines with "… and N more" (a section with no room left at all is counted
// in the footer).
func Embed(a bot.Answer) *discordgo.MessageEmbed {
	p := i18n.For(a.Lang)
	e := &discordgo.MessageEmbed{
		Type:  discordgo.EmbedTypeRich,
		Title: discordnotifier.Truncate(Markdown(a.Title), discordnotifier.MaxEmbedTitle),
	}
	budget := discordnotifier.MaxEmbedTotal - utf8.RuneCountInString(e.Title) - footerReserve
	omitted := 0
	var desc []string
	for _, s := range a.Sections {
		lines := make([]string, 0, len(s.Lines))
		for _, l := range s.Lines {
			if l = strings.TrimRightFunc(Markdown(l), unicode.IsSpace); l != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) == 0 {
			continue
		}
		if s.Heading == "" && len(e.Fields) == 0 {
			if len(desc) > 0 {
				lines[0] = "\n" + lines[0]
			}
			desc = append(desc, lines...)
			continue
		}
		name := continued
		if s.Heading != "" {
			name = discordnotifier.Truncate(Markdown(s.Heading), discordnotifier.MaxFieldName)
		}
		var left int
		budget, left = addFields(p, e, name, lines, budget)
		omitted += left
	}
	if len(desc) > 0 {
		// The description goes first on screen but is packed last, into
		// what the fields left (they are usually the substance: the list
		// of targets or outages).
		limit := min(discordnotifier.MaxEmbedDescription, budget)
		e.Description, _ = pack(p, desc, limit)
	}
	if omitted > 0 {
		e.Footer = &discordgo.MessageEmbedFooter{Text: p.T("interact.discord.omitted", i18n.Args{"Count": omitted})}
	}
	if e.Title == "" && e.Description == "" && len(e.Fields) == 0 {
		e.Description = p.T("interact.discord.done", nil)
	}
	return discordnotifier.FitEmbeds(e)[0]
}

// addFields adds lines as fields named name (continuations unnamed), as many
// as the field count and the total budget allow. A section cut short ends
// with "… and N more" in its last field; a section with no room at all is
// counted as omitted. It returns the budget left and the lines omitted.
func addFields(p *i18n.Printer, e *discordgo.MessageEmbed, name string, lines []string, budget int) (int, int) {
	for len(lines) > 0 {
		room := discordnotifier.MaxEmbedFields - len(e.Fields)
		limit := min(discordnotifier.MaxFieldValue, budget-utf8.RuneCountInString(name))
		if room <= 0 || limit < minField {
			return budget, len(lines)
		}
		value, used := fill(lines, limit)
		if used < len(lines) {
			// If no further field could follow this one, end it with what
			// does not fit.
			next := budget - utf8.RuneCountInString(name) - utf8.RuneCountInString(value) - utf8.RuneCountInString(continued)
			if room == 1 || min(discordnotifier.MaxFieldValue, next) < minField {
				value, _ = pack(p, lines, limit)
				used = len(lines)
			}
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: name, Value: value})
		budget -= utf8.RuneCountInString(name) + utf8.RuneCountInString(value)
		lines = lines[used:]
		name = continued
	}
	return budget, 0
}

const (
	// minField is the smallest field worth adding.
	minField = 32
	// footerReserve keeps room in the total for the footer that counts
	// omitted lines.
	footerReserve = 40
)

// fill takes as many whole lines as fit in limit runes (at least one,
// truncated if it alone is too long) and returns them joined and how many it
// took.
func fill(lines []string, limit int) (string, int) {
	var b strings.Builder
	n := 0
	for i, l := range lines {
		add := utf8.RuneCountInString(l)
		if i > 0 {
			add++
		}
		if n+add > limit {
			if i == 0 {
				return discordnotifier.Truncate(l, limit), 1
			}
			return b.String(), i
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
		n += add
	}
	return b.String(), len(lines)
}

// pack joins lines within limit runes; lines that do not fit are replaced by
// "… and N more" in p's language. It returns the text and how many lines
// it kept whole.
func pack(p *i18n.Printer, lines []string, limit int) (string, int) {
	if s, n := fill(lines, limit); n == len(lines) && utf8.RuneCountInString(s) <= limit {
		return s, n
	}
	for keep := len(lines) - 1; keep >= 0; keep-- {
		more := p.T("interact.discord.more", i18n.Args{"Count": len(lines) - keep})
		text := more
		if keep > 0 {
			text = strings.Join(lines[:keep], "\n") + "\n" + more
		}
		if utf8.RuneCountInString(text) <= limit {
			return text, keep
		}
	}
	return discordnotifier.Truncate(lines[0], limit), 0
}

// Markdown converts Slack's *bold* to Discord's **bold** (in Discord a
// single asterisk is italics). Code spans are left alone, as is text that
// is already **bold**. Slack's _italics_, `code` and ~strike~ read the same
// or close enough. Answers carry vendor titles and links, so masked links
// and mass mentions are made inert (discordnotifier.Inert).
func Markdown(s string) string {
	s = discordnotifier.Inert(s)
	if !strings.Contains(s, "*") {
		return s
	}
	var b strings.Builder
	inCode := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '`':
			inCode = !inCode
		case c == '*' && !inCode:
			if i+1 < len(s) && s[i+1] == '*' {
				// Already Discord bold (or a run of stars): copy as is.
				j := i
				for j < len(s) && s[j] == '*' {
					j++
				}
				b.WriteString(s[i:j])
				i = j - 1
				continue
			}
			if end := closingStar(s, i); end > 0 {
				b.WriteString("**" + s[i+1:end] + "**")
				i = end
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// closingStar finds the star that closes a Slack bold span opened at s[i],
// or returns -1. The span is on one line, has no code in it, does not
// start or end with a space, and its stars are not inside words.
func closingStar(s string, i int) int {
	if i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(s[:i]); isWord(r) {
			return -1
		}
	}
	if i+1 >= len(s) || s[i+1] == ' ' {
		return -1
	}
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\n', '`':
			return -1
		case '*':
			if j == i+1 || s[j-1] == ' ' || j+1 < len(s) && s[j+1] == '*' {
				return -1
			}
			if r, _ := utf8.DecodeRuneInString(s[j+1:]); j+1 < len(s) && isWord(r) {
				return -1
			}
			return j
		}
	}
	return -1
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// Choices are the autocomplete choices for what the user has typed: names
// that start with it (ignoring case), then names that contain it, in the
// order given, at most 25. Names too long to be a choice value are left
// out (the user can still type them).
func Choices(names []string, partial string) []*discordgo.ApplicationCommandOptionChoice {
	q := strings.ToLower(strings.TrimSpace(partial))
	out := make([]*discordgo.ApplicationCommandOptionChoice, 0, maxChoices)
	taken := make(map[string]bool, len(names))
	for _, match := range []func(string) bool{
		func(n string) bool { return strings.HasPrefix(n, q) },
		func(n string) bool { return strings.Contains(n, q) },
	} {
		for _, name := range names {
			if len(out) == maxChoices {
				return out
			}
			n := utf8.RuneCountInString(name)
			if taken[name] || n == 0 || n > maxChoiceValue || !match(strings.ToLower(name)) {
				continue
			}
			taken[name] = true
			out = append(out, &discordgo.ApplicationCommandOptionChoice{
				Name:  discordnotifier.Truncate(name, maxChoiceName),
				Value: name,
			})
		}
	}
	return out
}
