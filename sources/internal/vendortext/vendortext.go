// Package vendortext turns the text vendors put in status feeds (titles and
// update bodies, plain or HTML, with Windows line ends) into the plain text
// chat shows. The HTML work is feed.PlainText's; this package decides what
// a line break means before handing the text over.
package vendortext

import (
	"regexp"
	"strings"

	"github.com/outagebot/outagebot/sources/feed"
)

// Title is a one-line title: tags dropped, entities decoded, white space
// (line breaks included) collapsed.
func Title(s string) string {
	return strings.Join(strings.Fields(feed.PlainText(s)), " ")
}

// layout matches the tags that lay out an HTML body. A body with any of
// them is HTML, whose line breaks are only white space; a body without
// them is plain text, whose line breaks are the author's.
var layout = regexp.MustCompile(`(?i)<(?:p|br|div|li|ul|ol|h[1-6]|table|tr|pre|blockquote)\b`)

// Body is an update's text: tags dropped, entities decoded, paragraphs kept
// apart by a blank line and line breaks kept as "\n", with no "\r" left.
func Body(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if !layout.MatchString(s) {
		s = strings.ReplaceAll(s, "\n", "<br>")
	}
	return feed.PlainText(s)
}
