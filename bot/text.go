package bot

import (
	"strings"
	"unicode"

	"github.com/outagebot/outagebot/outage"
)

// plainBody is vendor words as chat shows them: Windows and old Mac line
// ends made \n, control characters (which some pages paste in from their
// editors) dropped, trailing spaces cut and runs of blank lines made one.
// Formats strip their own markup (HTML, Markdown) when they parse; this is
// the one place every body passes, so no format's line ends reach chat.
func plainBody(s string) string {
	if !needsCleaning(s) {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, s)
	lines := strings.Split(s, "\n")
	var b strings.Builder
	blank := 0
	for _, l := range lines {
		l = strings.TrimRightFunc(l, unicode.IsSpace)
		if l == "" {
			blank++
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
			if blank > 0 {
				b.WriteString("\n")
			}
		}
		blank = 0
		b.WriteString(l)
	}
	return strings.TrimLeftFunc(b.String(), unicode.IsSpace)
}

// needsCleaning reports whether plainBody would change s, so the common
// clean body costs no allocation.
func needsCleaning(s string) bool {
	if s != strings.TrimSpace(s) || strings.Contains(s, "\n\n\n") || strings.Contains(s, " \n") || strings.Contains(s, "\t\n") {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 && c != '\n' && c != '\t', c == 0x7f:
			return true
		case c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f: // C1 controls
			return true
		}
	}
	return false
}

// plainTitle folds a vendor's title onto one line.
func plainTitle(s string) string {
	if strings.ContainsAny(s, "\r\n\t") || s != strings.TrimSpace(s) {
		return outage.OneLine(s)
	}
	return s
}
