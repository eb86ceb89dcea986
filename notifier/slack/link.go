package slack

import (
	"strings"

	"github.com/outagebot/outagebot/sources"
)

// linkURL escapes a URL for Slack's <url|text>: &, < and > as entities, as
// Slack asks (https://api.slack.com/reference/surfaces/formatting#escaping),
// and | percent-encoded, since the first | ends the URL.
var linkURL = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "%7C")

// linkText escapes a link's text: &, < and > as entities, and | (which
// Slack gives no escape for inside a link) as a look-alike.
var linkText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "\u2223")

// link is Slack's <url|text> for a link from a vendor page, or "" when url
// is not a web link (http or https): a vendor's javascript: or data: link
// is dropped here even if it got this far.
func link(url, text string) string {
	u := sources.WebLink(url)
	if u == "" {
		return ""
	}
	return "<" + linkURL.Replace(u) + "|" + linkText.Replace(text) + ">"
}
