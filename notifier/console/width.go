package console

import (
	"strings"
	"unicode"
)

// textWidth is how many terminal columns s takes: most runes take one, wide
// East Asian characters and emoji two, combining marks none. It is the
// common subset of what terminals do (wcwidth), enough to line columns up.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	switch {
	case r == 0 || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || r == '\u200d' || (r >= '\ufe00' && r <= '\ufe0f'):
		return 0
	case r >= 0x1100 && r <= 0x115f, // Hangul Jamo
		r >= 0x2e80 && r <= 0xa4cf && r != 0x303f, // CJK … Yi
		r >= 0xac00 && r <= 0xd7a3,                // Hangul syllables
		r >= 0xf900 && r <= 0xfaff,                // CJK compatibility
		r >= 0xfe30 && r <= 0xfe4f,
		r >= 0xff00 && r <= 0xff60, r >= 0xffe0 && r <= 0xffe6, // full-width forms
		r >= 0x1f300 && r <= 0x1faff, // emoji
		r >= 0x2600 && r <= 0x27bf && unicode.Is(unicode.So, r) && isEmojiPresentation(r),
		r >= 0x20000 && r <= 0x3fffd:
		return 2
	}
	return 1
}

// isEmojiPresentation covers the symbols in the Miscellaneous Symbols and
// Dingbats blocks that terminals draw two columns wide by default.
func isEmojiPresentation(r rune) bool {
	switch r {
	case '✅', '❌', '❎', '⏳', '⌛', '⚡', '⛔', '✨', '❓', '❔', '❕', '❗', '➕', '➖', '➗', '⭐', '⛅', '☔', '☕':
		return true
	}
	return false
}

// cut shortens s to at most width columns, marking a cut with "…".
func cut(s string, width int) string {
	if textWidth(s) <= width {
		return s
	}
	if width <= 0 {
		return ""
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		w := runeWidth(r)
		if n+w > width-1 {
			break
		}
		b.WriteRune(r)
		n += w
	}
	return strings.TrimRight(b.String(), " ") + "…"
}

// wrap breaks s into lines of at most width columns at spaces, hard-cutting
// a word longer than a line, and into at most maxLines lines: the last one
// ends in "…" when words were left out.
func wrap(s string, width, maxLines int) []string {
	var lines []string
	var cur strings.Builder
	curW := 0
	flush := func() {
		lines = append(lines, cur.String())
		cur.Reset()
		curW = 0
	}
	words := strings.Fields(s)
	for i := 0; i < len(words); i++ {
		w := words[i]
		ww := textWidth(w)
		switch {
		case curW == 0 && ww > width:
			// A word wider than a line (a long URL or id): cut it over
			// as many lines as it needs.
			head := cutExact(w, width)
			cur.WriteString(head)
			curW = width
			words[i] = w[len(head):]
			i--
			flush()
			continue
		case curW == 0:
		case curW+1+ww <= width:
			cur.WriteByte(' ')
			curW++
		default:
			flush()
			i--
			continue
		}
		cur.WriteString(w)
		curW += ww
	}
	if curW > 0 || len(lines) == 0 {
		flush()
	}
	if len(lines) > maxLines {
		lines = lines[:maxLines]
		last := lines[maxLines-1]
		if textWidth(last) >= width {
			last = strings.TrimRight(cutExact(last, width-1), " ")
		}
		lines[maxLines-1] = last + "…"
	}
	return lines
}

// cutExact is the longest prefix of s at most width columns wide (at least
// one rune, so progress is made).
func cutExact(s string, width int) string {
	n := 0
	for i, r := range s {
		w := runeWidth(r)
		if n+w > width && i > 0 {
			return s[:i]
		}
		n += w
	}
	return s
}
