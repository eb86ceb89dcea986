package outage

import "strings"

// A scheduled digest travels through the outbox like any other event, so it
// is never lost or sent twice: Kind Digest, Class DigestClass, an OutageID of
// its own per scheduled run, Seq 1, the headline as Title and the summary as
// Body, written with FormatSections. Notifiers post it as a message of its
// own (no thread, no root edit); chat renderers read the sections back with
// ParseSections.
const (
	Digest      Kind  = "digest"
	DigestClass Class = "digest"
)

// Report is the post-outage report posted in an outage's thread once the
// thread's outages are all over: an OutageID of its own, Seq 1, Thread set
// to the thread it reports on, Title and sections like a digest's. It
// replies in the thread and never edits its root.
const Report Kind = "report"

// Section is a headed group of lines in a digest's Body.
type Section struct {
	Heading string
	Lines   []string
}

// FormatSections writes sections as plain text: each is its heading on a
// line, then one line per entry; a blank line separates sections. It reads
// well on a console and parses back with ParseSections. Line breaks inside a
// heading or line (vendor titles have them) are folded into spaces, and
// empty lines and sections without lines are left out, so the layout stays
// unambiguous.
func FormatSections(sections []Section) string {
	var b strings.Builder
	for _, s := range sections {
		var lines []string
		for _, l := range s.Lines {
			if l = OneLine(l); l != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		h := OneLine(s.Heading)
		if h == "" {
			h = "-"
		}
		b.WriteString(h)
		for _, l := range lines {
			b.WriteString("\n")
			b.WriteString(l)
		}
	}
	return b.String()
}

// ParseSections reads what FormatSections wrote.
func ParseSections(body string) []Section {
	var out []Section
	for _, block := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		lines := strings.Split(strings.Trim(block, "\n"), "\n")
		if len(lines) == 0 || strings.TrimSpace(lines[0]) == "" {
			continue
		}
		s := Section{Heading: lines[0]}
		if s.Heading == "-" {
			s.Heading = ""
		}
		for _, l := range lines[1:] {
			if strings.TrimSpace(l) != "" {
				s.Lines = append(s.Lines, l)
			}
		}
		out = append(out, s)
	}
	return out
}

// OneLine folds text (vendor words often have paragraphs) onto one line.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Written is a digest's or a report's title and body in one language.
//
// An outage event keeps the bot's words as message ids (Text) and each
// destination writes them in its own language when it posts. A digest or a
// report is instead written whole, in every language, when it is made: it
// summarises one moment, its lines are laid out from data the event does
// not keep (times in the digest's zone, which lines a section has), and a
// digest goes to several channels that may each speak another language.
// Each notifier picks its channel's language with In; an event stored
// before a language was added reads in English.
type Written struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// In is e with its title and body in lang, when e was written in it (see
// Written); otherwise e as it is, in English.
func (e Event) In(lang string) Event {
	if w, ok := e.Written[lang]; ok {
		e.Title, e.Body = w.Title, w.Body
	}
	return e
}
