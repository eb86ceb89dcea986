package discord

import (
	"regexp"
	"strings"
)

// zwsp is a zero-width space: invisible, but it breaks the markup it is
// put into.
const zwsp = "\u200b"

// massMention is @everyone or @here in any case.
var massMention = regexp.MustCompile(`(?i)@(everyone|here)\b`)

// Inert makes vendor text harmless in Discord markdown, wherever it lands
// (code spans included, which is why nothing is escaped with a backslash
// that would show there): a masked link [text](url) loses the adjacency of
// "](" that makes it a link, so a reader sees where a link really goes,
// and @everyone and @here stop reading as mentions. Messages also allow no
// mentions (NoMentions), so nothing pings either way; this keeps the text
// from looking like a ping. Other markdown (bold, lists) is left alone: it
// misleads no one.
func Inert(s string) string {
	if strings.Contains(s, "](") {
		s = strings.ReplaceAll(s, "](", "]"+zwsp+"(")
	}
	if strings.Contains(s, "@") {
		s = massMention.ReplaceAllString(s, "@"+zwsp+"$1")
	}
	return s
}
