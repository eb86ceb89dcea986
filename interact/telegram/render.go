package telegram

import (
	"regexp"
	"strings"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
	notifytelegram "github.com/outagebot/outagebot/notifier/telegram"
)

// Render turns an answer into one Telegram HTML message: the announcement
// (a mute, an unmute) first, the title in bold, then each section's
// heading in bold and its lines, cut at a whole line with "… and N more"
// when it does not fit 4096 characters. Everything from the answer is
// escaped; the commands' *bold* and `code` become <b> and <code>. Telegram
// has no message only the asker sees, so every answer is shown to the
// chat.
func Render(a bot.Answer) string {
	var lines []string
	if a.Announce != "" {
		lines = append(lines, markup(a.Announce), "")
	}
	title := strings.TrimSpace(a.Title)
	if a.Problem {
		title = "⚠️ " + title
	}
	if title != "" {
		lines = append(lines, "<b>"+plainMarkup(title)+"</b>")
	}
	for _, s := range a.Sections {
		lines = append(lines, "")
		if s.Heading != "" {
			lines = append(lines, "<b>"+plainMarkup(s.Heading)+"</b>")
		}
		for _, l := range s.Lines {
			lines = append(lines, markup(l))
		}
	}
	out := strings.TrimSpace(notifytelegram.FitLines(lines, notifytelegram.MaxText))
	if out == "" {
		return i18n.For(a.Lang).T("interact.no_answer", nil)
	}
	return out
}

var (
	// After escaping, the only < and > are our own tags: excluding them
	// keeps every pair inside one tag, so the markup always nests.
	codeSpan = regexp.MustCompile("`([^`\n<>]+)`")
	boldSpan = regexp.MustCompile(`\*([^*\n<>]+)\*`)
)

// markup escapes a line and turns the commands' `code` and *bold* into
// tags.
func markup(l string) string {
	s := notifytelegram.Fit(l, notifytelegram.MaxText/2)
	s = codeSpan.ReplaceAllString(s, "<code>$1</code>")
	return boldSpan.ReplaceAllString(s, "<b>$1</b>")
}

// plainMarkup escapes a line already set in bold: its markers are dropped.
func plainMarkup(l string) string {
	return notifytelegram.Fit(strings.NewReplacer("*", "", "`", "").Replace(l), notifytelegram.MaxText/4)
}
