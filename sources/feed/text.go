package feed

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// PlainText turns an HTML fragment into plain text: tags dropped, entities
// decoded, runs of white space collapsed, paragraphs kept apart by a blank
// line, line breaks and list items on their own lines.
func PlainText(s string) string {
	segs := segmentsOf(s, false)
	var b strings.Builder
	for i, sg := range segs {
		if i > 0 && b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(sg.text)
	}
	return strings.TrimSpace(b.String())
}

// segment is one update inside an entry's body: the text after a marker
// like "<strong>Resolved</strong> -" up to the next marker. The first
// segment has no marker when text precedes the first one.
type segment struct {
	marker string // the marker's words, as written ("Resolved", "Status: Investigating")
	date   string // the text of the <small> just before the marker, if any
	text   string // plain text
}

// maxTokens bounds the work spent on one body.
const maxTokens = 200_000

// segmentsOf splits an HTML body into segments. With markers false, the
// whole body is one segment.
func segmentsOf(s string, markers bool) []segment {
	z := html.NewTokenizerFragment(strings.NewReader(s), "div")
	var (
		segs    []segment
		cur     segment
		text    textBuilder
		capture *strings.Builder // text of the <strong>, <b> or <small> being read
		capTag  atom.Atom
		pending string    // a <small> date waiting for its marker
		skip    atom.Atom // inside <script> or <style>
		pre     int
	)
	flush := func() {
		cur.text = text.String()
		if cur.marker != "" || cur.text != "" || len(segs) == 0 {
			segs = append(segs, cur)
		}
		cur, text = segment{}, textBuilder{}
	}
	for n := 0; n < maxTokens; n++ {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		tok := z.Token()
		a := tok.DataAtom
		if skip != 0 {
			if tt == html.EndTagToken && a == skip {
				skip = 0
			}
			continue
		}
		switch tt {
		case html.TextToken:
			if capture != nil {
				capture.WriteString(tok.Data)
				continue
			}
			text.write(tok.Data, pre > 0)
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			start := tt != html.EndTagToken
			switch {
			case a == atom.Script || a == atom.Style:
				if tt == html.StartTagToken {
					skip = a
				}
			case markers && capture == nil && start && (a == atom.Strong || a == atom.B || a == atom.Small):
				capture, capTag = &strings.Builder{}, a
			case capture != nil && !start && a == capTag:
				t := strings.TrimSpace(collapse(capture.String()))
				capture = nil
				switch {
				case capTag == atom.Small && looksLikeDate(t):
					pending = t
				case capTag != atom.Small && markerStatus(t) != "":
					flush()
					cur.marker, cur.date, pending = t, pending, ""
					text.skipDash = true
				default:
					if pending != "" {
						text.write(pending+" ", false)
						pending = ""
					}
					text.write(t, false)
				}
			case capture != nil:
				// A tag inside <strong>: keep reading its text.
				if a == atom.Br {
					capture.WriteString(" ")
				}
			case a == atom.Br:
				text.newline()
			case a == atom.Li && start:
				text.newline()
				text.write("- ", false)
			case a == atom.Pre:
				text.paragraph()
				if start {
					pre++
				} else if pre > 0 {
					pre--
				}
			case isBlock(a):
				text.paragraph()
			}
		}
	}
	if capture != nil {
		text.write(capture.String(), false)
	}
	flush()
	return segs
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Ul, atom.Ol, atom.Table, atom.Tr, atom.Blockquote, atom.Section,
		atom.Article, atom.Header, atom.Footer, atom.Hr, atom.Dl, atom.Dt, atom.Dd:
		return true
	}
	return false
}

// textBuilder collects plain text: white space collapsed, with line and
// paragraph breaks that never pile up.
type textBuilder struct {
	b        strings.Builder
	brk      int  // pending break: 0 none, 1 space, 2 newline, 3 paragraph
	skipDash bool // drop a leading " - " or ": " (after a marker)
}

// newline breaks the line; a second break in a row makes a paragraph
// ("<br><br>").
func (t *textBuilder) newline() {
	if t.brk >= 2 {
		t.brk = 3
	} else {
		t.brk = 2
	}
}

func (t *textBuilder) paragraph() { t.brk = 3 }

func (t *textBuilder) write(s string, pre bool) {
	if pre {
		t.emit(s)
		return
	}
	for s != "" {
		r, size := utf8.DecodeRuneInString(s)
		if unicode.IsSpace(r) || r == '\u00a0' {
			if t.brk < 1 {
				t.brk = 1
			}
			s = s[size:]
			continue
		}
		i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\u00a0' })
		if i < 0 {
			i = len(s)
		}
		word := s[:i]
		s = s[i:]
		if t.skipDash {
			t.skipDash = false
			if w := strings.TrimLeft(word, "-–—:"); w != word {
				word = w
				if word == "" {
					continue
				}
			}
		}
		t.emit(word)
	}
}

func (t *textBuilder) emit(s string) {
	if t.b.Len() > 0 {
		switch t.brk {
		case 1:
			t.b.WriteByte(' ')
		case 2:
			t.b.WriteByte('\n')
		case 3:
			t.b.WriteString("\n\n")
		}
	}
	t.brk = 0
	t.skipDash = false
	t.b.WriteString(s)
}

func (t *textBuilder) String() string {
	// Trim each line; the builder never starts a line with a space.
	lines := strings.Split(t.b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	out := strings.Join(lines, "\n")
	for strings.Contains(out, "\n\n\n") {
		out = strings.ReplaceAll(out, "\n\n\n", "\n\n")
	}
	return strings.TrimSpace(out)
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// markerStatus maps a marker's words onto a phase: Statuspage's
// "Investigating", incident.io's "Status: Investigating", a maintenance's
// "In progress". "" when the words are not a phase.
func markerStatus(t string) string {
	t = strings.ToLower(strings.TrimSpace(strings.TrimRight(t, " :-–—")))
	t = strings.TrimSpace(strings.TrimPrefix(t, "status:"))
	switch t {
	case "investigating", "identified", "monitoring", "resolved", "postmortem", "scheduled", "verifying", "completed":
		return t
	case "in progress", "maintenance in progress", "in_progress":
		return "in_progress"
	case "maintenance scheduled":
		return "scheduled"
	case "complete", "maintenance complete", "maintenance completed":
		return "completed"
	case "update", "updated":
		return "update"
	}
	return ""
}

var dateRE = regexp.MustCompile(`^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(?:(\d{4}),?\s*(?:-\s*)?)?(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?\s*(?:([A-Za-z]{1,5})|(?:GMT|UTC)?([+-]\d{1,2}(?::?\d{2})?))?$`)

func looksLikeDate(s string) bool { return dateRE.MatchString(s) }

// zones are the abbreviations status pages print. An abbreviation not here
// leaves the update's time to the entry's own.
var zones = map[string]int{ // seconds east of UTC
	"UTC": 0, "GMT": 0, "Z": 0, "WET": 0,
	"WEST": 3600, "BST": 3600, "CET": 3600, "CEST": 7200, "EET": 7200, "EEST": 10800,
	"MSK": 10800, "IST": 19800, "SGT": 28800, "HKT": 28800, "AWST": 28800,
	"JST": 32400, "KST": 32400, "ACST": 34200, "AEST": 36000, "AEDT": 39600,
	"NZST": 43200, "NZDT": 46800, "HST": -36000, "AKST": -32400, "AKDT": -28800,
	"PST": -28800, "PDT": -25200, "MST": -25200, "MDT": -21600,
	"CST": -21600, "CDT": -18000, "EST": -18000, "EDT": -14400,
}

// parseDate reads a date like "Dec 23, 10:30 CET" or "Aug 28, 10:33 PM
// UTC". Without a year, it is the latest such date no more than two days
// after ref.
func parseDate(s string, ref time.Time) (time.Time, bool) {
	m := dateRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, false
	}
	month, ok := months[strings.ToLower(m[1][:3])]
	if !ok {
		return time.Time{}, false
	}
	day, _ := strconv.Atoi(m[2])
	hour, _ := strconv.Atoi(m[4])
	minute, _ := strconv.Atoi(m[5])
	sec := 0
	if m[6] != "" {
		sec, _ = strconv.Atoi(m[6])
	}
	switch strings.ToLower(m[7]) {
	case "pm":
		if hour < 12 {
			hour += 12
		}
	case "am":
		if hour == 12 {
			hour = 0
		}
	}
	if day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	offset := 0
	switch {
	case m[8] != "":
		off, ok := zones[strings.ToUpper(m[8])]
		if !ok {
			return time.Time{}, false
		}
		offset = off
	case m[9] != "":
		sign := 1
		if m[9][0] == '-' {
			sign = -1
		}
		digits := strings.ReplaceAll(m[9][1:], ":", "")
		h, mm := digits, ""
		if len(digits) > 2 {
			h, mm = digits[:len(digits)-2], digits[len(digits)-2:]
		}
		hh, _ := strconv.Atoi(h)
		mi, _ := strconv.Atoi(mm)
		offset = sign * (hh*3600 + mi*60)
	}
	loc := time.FixedZone("", offset)
	year := ref.Year()
	if m[3] != "" {
		year, _ = strconv.Atoi(m[3])
	}
	t := time.Date(year, month, day, hour, minute, sec, 0, loc)
	if t.Day() != day { // Feb 30
		return time.Time{}, false
	}
	if m[3] == "" && t.After(ref.Add(48*time.Hour)) {
		t = time.Date(year-1, month, day, hour, minute, sec, 0, loc)
	}
	return t.UTC(), true
}

var months = map[string]time.Month{
	"jan": time.January, "feb": time.February, "mar": time.March, "apr": time.April,
	"may": time.May, "jun": time.June, "jul": time.July, "aug": time.August,
	"sep": time.September, "oct": time.October, "nov": time.November, "dec": time.December,
}

// hasWord reports whether text (lower case) holds word at word boundaries,
// so that "unresolved" is not "resolved".
func hasWord(text, word string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], word)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(word)
		before, _ := utf8.DecodeLastRuneInString(text[:j])
		after, _ := utf8.DecodeRuneInString(text[end:])
		if (j == 0 || !unicode.IsLetter(before)) && (end == len(text) || !unicode.IsLetter(after)) {
			return true
		}
		i = j + 1
	}
}

func hasAny(text string, words ...string) bool {
	for _, w := range words {
		if hasWord(text, w) {
			return true
		}
	}
	return false
}
