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

// PlainText turns vendor text into plain text for chat: tags dropped,
// entities decoded, no carriage returns, runs of white space collapsed,
// paragraphs kept apart by a blank line and line breaks and list items on
// their own lines. Text written as HTML breaks lines with tags; text with no
// block or break tags (a vendor's plain or Markdown text) keeps the line
// breaks it has. Markup escaped twice ("&lt;p&gt;") is read as markup, and
// angle brackets that are not HTML ("<upstream>") are kept as text.
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
	// listed is set when an "Affected components" list follows the text
	// (incident.io); components are its items as written, "API (Degraded
	// performance)". The list is not part of text.
	listed     bool
	components []string
}

// maxTokens bounds the work spent on one body.
const maxTokens = 200_000

// structureRE finds tags that break lines: text that has one is HTML, whose
// own line breaks mean nothing.
var structureRE = regexp.MustCompile(`(?i)<\s*/?\s*(?:p|br|div|li|ul|ol|h[1-6]|table|tr|blockquote|pre|hr|section|article)\b`)

// escapedRE finds markup escaped twice: "&lt;p&gt;" in a body that has no
// tags of its own.
var escapedRE = regexp.MustCompile(`(?i)&lt;\s*/?\s*(?:p|br|div|li|ul|ol|b|strong|small|em|i|a|span|code|pre)\b`)

// segmentsOf splits an HTML body into segments. With markers false, the
// whole body is one segment.
func segmentsOf(s string, markers bool) []segment {
	if !strings.Contains(s, "<") && escapedRE.MatchString(s) {
		s = html.UnescapeString(s)
	}
	z := html.NewTokenizerFragment(strings.NewReader(s), "div")
	var (
		segs    []segment
		cur     segment
		text    = textBuilder{lines: !structureRE.MatchString(s)}
		capture *strings.Builder // text of the <strong>, <b> or <small> being read
		capTag  atom.Atom
		pending string    // a <small> date waiting for its marker
		skip    atom.Atom // inside <script> or <style>
		pre     int
		listing bool             // inside an "Affected components" list
		item    *strings.Builder // the list item being read
	)
	endItem := func() {
		if item != nil {
			if t := collapse(item.String()); t != "" {
				cur.components = append(cur.components, t)
			}
			item = nil
		}
	}
	flush := func() {
		endItem()
		listing = false
		cur.text = text.String()
		if cur.marker != "" || cur.text != "" || cur.listed || len(segs) == 0 {
			segs = append(segs, cur)
		}
		cur, text = segment{}, textBuilder{lines: text.lines}
	}
	for n := 0; n < maxTokens; n++ {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		var raw string
		if tt != html.TextToken {
			// Read before Token, which lower-cases the tag's name in place.
			raw = string(z.Raw())
		}
		tok := z.Token()
		a := tok.DataAtom
		if skip != 0 {
			if tt == html.EndTagToken && a == skip {
				skip = 0
			}
			continue
		}
		if listing {
			// The list of affected components: items are kept apart from the
			// update's text; anything else ends the list.
			switch {
			case tt == html.TextToken && item != nil:
				item.WriteString(tok.Data)
				continue
			case tt == html.TextToken && strings.TrimSpace(tok.Data) == "":
				continue
			case tt == html.StartTagToken && a == atom.Li:
				endItem()
				item = &strings.Builder{}
				continue
			case tt == html.EndTagToken && a == atom.Li:
				endItem()
				continue
			case tt == html.EndTagToken && (a == atom.Ul || a == atom.Ol):
				endItem()
				listing = false
				text.paragraph()
				continue
			case tt != html.TextToken && item != nil:
				if a == atom.Br {
					item.WriteString(" ")
				}
				continue
			case tt != html.TextToken && (a == atom.Ul || a == atom.Ol || a == atom.Br):
				continue
			}
			endItem()
			listing = false
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
			case a == 0 && literalTag(tok.Data):
				// Not HTML: angle brackets in the vendor's words ("<upstream>",
				// a Markdown "<https://...>" link) are text.
				if capture != nil {
					capture.WriteString(raw)
				} else {
					text.write(raw, pre > 0)
				}
			case a == 0:
				// Namespaced markup pasted from a word processor ("<o:p>").
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
				case capTag != atom.Small && isComponentsHeading(t):
					cur.listed, listing = true, true
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

// literalTag reports whether an unknown tag is the vendor's words rather
// than markup: not namespaced ("o:p"), though a link's scheme ("https:")
// may end its name.
func literalTag(name string) bool {
	i := strings.IndexByte(name, ':')
	return i < 0 || i == len(name)-1
}

// isComponentsHeading reports whether a bold heading opens incident.io's
// list of affected components.
func isComponentsHeading(t string) bool {
	return strings.EqualFold(strings.TrimSpace(strings.TrimRight(t, ": ")), "affected components")
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
	// lines is set for text that is not HTML: its line breaks are kept, a
	// blank line being a paragraph.
	lines bool
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
		t.emit(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"))
		return
	}
	for s != "" {
		r, size := utf8.DecodeRuneInString(s)
		if unicode.IsSpace(r) || r == '\u00a0' {
			switch {
			case t.lines && (r == '\n' || r == '\r'):
				if r == '\r' && strings.HasPrefix(s[size:], "\n") {
					size++
				}
				t.newline()
			case t.brk < 1:
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

// zones are the abbreviations status pages print. They are read only where
// an entry has no machine-readable date: pages print them wrongly (a
// Statuspage in Los Angeles labels summer times "PST").
var zones = map[string]int{ // seconds east of UTC
	"UTC": 0, "GMT": 0, "Z": 0, "WET": 0,
	"WEST": 3600, "BST": 3600, "CET": 3600, "CEST": 7200, "EET": 7200, "EEST": 10800,
	"MSK": 10800, "IST": 19800, "SGT": 28800, "HKT": 28800, "AWST": 28800,
	"JST": 32400, "KST": 32400, "ACST": 34200, "AEST": 36000, "AEDT": 39600,
	"NZST": 43200, "NZDT": 46800, "HST": -36000, "AKST": -32400, "AKDT": -28800,
	"PST": -28800, "PDT": -25200, "MST": -25200, "MDT": -21600,
	"CST": -21600, "CDT": -18000, "EST": -18000, "EDT": -14400,
}

// wall is a date as a body prints it, like "Dec 23, 10:30 CET": a wall
// clock, often with no year, and a zone label.
type wall struct {
	month                     time.Month
	year, day, hour, min, sec int            // year 0: not printed
	zone                      *time.Location // from the label; nil when it names no zone we know
	labelled                  bool           // a zone label or offset was printed
}

// parseWall reads a date like "Dec 23, 10:30 CET", "Aug 28, 10:33 PM UTC"
// or "Mar 1, 2024 - 08:00 +05:30".
func parseWall(s string) (wall, bool) {
	m := dateRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return wall{}, false
	}
	month, ok := months[strings.ToLower(m[1][:3])]
	if !ok {
		return wall{}, false
	}
	w := wall{month: month}
	w.day, _ = strconv.Atoi(m[2])
	w.hour, _ = strconv.Atoi(m[4])
	w.min, _ = strconv.Atoi(m[5])
	if m[6] != "" {
		w.sec, _ = strconv.Atoi(m[6])
	}
	if m[3] != "" {
		w.year, _ = strconv.Atoi(m[3])
	}
	switch strings.ToLower(m[7]) {
	case "pm":
		if w.hour < 12 {
			w.hour += 12
		}
	case "am":
		if w.hour == 12 {
			w.hour = 0
		}
	}
	if w.day < 1 || w.day > 31 || w.hour > 23 || w.min > 59 || w.sec > 59 {
		return wall{}, false
	}
	switch {
	case m[8] != "":
		w.labelled = true
		if off, ok := zones[strings.ToUpper(m[8])]; ok {
			w.zone = time.FixedZone("", off)
		}
	case m[9] != "":
		w.labelled = true
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
		w.zone = time.FixedZone("", sign*(hh*3600+mi*60))
	default:
		w.zone = time.UTC
	}
	return w, true
}

// in places the wall clock at loc: in its printed year, else in the latest
// year that puts it no more than two days after ref. The result is UTC.
func (w wall) in(loc *time.Location, ref time.Time) (time.Time, bool) {
	year := w.year
	if year == 0 {
		year = ref.In(loc).Year()
	}
	t := time.Date(year, w.month, w.day, w.hour, w.min, w.sec, 0, loc)
	if t.Day() != w.day { // Feb 30
		return time.Time{}, false
	}
	if w.year == 0 && t.After(ref.Add(48*time.Hour)) {
		t = time.Date(year-1, w.month, w.day, w.hour, w.min, w.sec, 0, loc)
		if t.Day() != w.day { // Feb 29 of a leap year
			return time.Time{}, false
		}
	}
	return t.UTC(), true
}

// parseDate reads a date by its own zone label, for entries with no
// machine-readable date. Without a year, it is the latest such date no
// more than two days after ref. A label naming no zone we know fails.
func parseDate(s string, ref time.Time) (time.Time, bool) {
	w, ok := parseWall(s)
	if !ok || w.zone == nil {
		return time.Time{}, false
	}
	return w.in(w.zone, ref)
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
