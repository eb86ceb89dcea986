package page

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Locales are the locales the pages speak: the message catalog's.
func Locales() []string { return slices.Clone(i18n.Languages) }

// locale writes the pages' words in one language from the message
// catalog. Every view of the status page writes dozens of messages and
// the catalog's templates cost microseconds each, so words without
// arguments are written once and kept, and a message with arguments is
// split at its arguments once and then filled in.
type locale struct {
	p       *i18n.Printer
	words   sync.Map // message id -> text
	phrases sync.Map // message id -> phrase
	// slow writes every message with the catalog's template, for the test
	// that the kept words and phrases say the same.
	slow   bool
	labels map[sources.Status]string
	// Go time layouts of a day and of a day with its time.
	day, stamp string
}

func newLocale(name string) (*locale, error) {
	if name == "" {
		name = i18n.Default
	}
	if !i18n.Known(name) {
		return nil, fmt.Errorf("locale %q is not known (accepted: %s)", name, strings.Join(i18n.Languages, ", "))
	}
	l := &locale{p: i18n.For(name), labels: map[sources.Status]string{}}
	for _, s := range []sources.Status{sources.Operational, sources.Maintenance, sources.Degraded, sources.PartialOutage, sources.MajorOutage} {
		l.labels[s] = l.p.Status(s)
	}
	// Beside a target's name, "Status unknown" would say "status" twice.
	l.labels[sources.Unknown] = l.T("page.status.unknown", nil)
	l.day, l.stamp = l.T("page.layout.day", nil), l.T("page.layout.stamp", nil)
	return l, nil
}

// name is the locale's language code, as <html lang> and
// Content-Language say it.
func (l *locale) name() string { return l.p.Lang() }

// T writes message id with args.
func (l *locale) T(id string, args i18n.Args) string {
	switch {
	case l.slow:
		return l.p.T(id, args)
	case args == nil:
		if s, ok := l.words.Load(id); ok {
			return s.(string)
		}
		s := l.p.T(id, nil)
		l.words.Store(id, s)
		return s
	}
	if s, ok := l.cut(id, args).fill(args); ok {
		return s
	}
	return l.p.T(id, args)
}

// phrase is a message cut at its arguments: text, an argument's name,
// text, ... text. A nil phrase is a message that cannot be cut.
type phrase []string

// mark stands for an argument while a message is cut: a byte no message
// holds around the argument's name.
const mark = "\x00"

// cut cuts message id into a phrase, once, by writing it with each
// argument of args replaced by its marked name.
func (l *locale) cut(id string, args i18n.Args) phrase {
	if ph, ok := l.phrases.Load(id); ok {
		return ph.(phrase)
	}
	marked := make(i18n.Args, len(args))
	for name := range args {
		marked[name] = mark + name + mark
	}
	text := l.p.T(id, marked)
	ph := phrase(strings.Split(text, mark))
	if len(ph) < 3 || len(ph)%2 == 0 || strings.Contains(text, "<no value>") {
		// No argument in place, one missing, or marks unbalanced: the
		// template does more than put arguments in place, so it is
		// written each time.
		ph = nil
	}
	l.phrases.Store(id, ph)
	return ph
}

// fill writes the phrase with args; false when it names an argument that
// args lacks or cannot be cut.
func (ph phrase) fill(args i18n.Args) (string, bool) {
	if ph == nil {
		return "", false
	}
	var b strings.Builder
	for i, part := range ph {
		if i%2 == 0 {
			b.WriteString(part)
			continue
		}
		v, ok := args[part]
		if !ok {
			return "", false
		}
		switch v := v.(type) {
		case string:
			b.WriteString(v)
		case int:
			b.WriteString(strconv.Itoa(v))
		default:
			fmt.Fprint(&b, v)
		}
	}
	return b.String(), true
}

// word is T of a message id looked up in a table of ids: a value the
// table lacks shows as it is rather than as an id.
func (l *locale) word(ids map[string]string, value string) string {
	if id, ok := ids[value]; ok {
		return l.T(id, nil)
	}
	return value
}

// The ids of the enumerations the pages name, by value.
var (
	classWords = map[string]string{
		string(outage.Incident):        "page.class.incident",
		string(outage.MaintenanceWork): "page.class.maintenance",
		string(outage.Unreachable):     "page.class.unreachable",
	}
	kindWords = map[string]string{
		string(outage.Opened):   "page.kind.opened",
		string(outage.Updated):  "page.kind.updated",
		string(outage.Resolved): "page.kind.resolved",
	}
	confirmWords = map[string]string{
		string(outage.Confirmed):   "page.confirm.confirmed",
		string(outage.Unconfirmed): "page.confirm.unconfirmed",
		string(outage.Withdrawn):   "page.confirm.withdrawn",
	}
)

func (l *locale) class(c outage.Class) string { return l.word(classWords, string(c)) }

// phase is a vendor phase as the timeline names it beside the event:
// "updated · identified".
func (l *locale) phase(ph sources.IncidentStatus) string {
	id := "phase_inline." + string(ph)
	if s := l.T(id, nil); s != id {
		return s
	}
	// A phase the catalog does not know shows as the vendor named it.
	return string(ph)
}

// Percent writes an uptime share with two decimals: "99.95%", "99,95 %".
// A share below one never shows as 100.
func (l *locale) Percent(f float64) string {
	n := "100"
	if f < 1 {
		n = l.p.Number(f*100, 2)
		if strings.HasPrefix(n, "100") {
			n = l.p.Number(99.99, 2)
		}
	}
	return l.p.T("format.percent", i18n.Args{"N": n})
}

// Duration is d as the language writes it: "1h 12m", "1 Std. 12 Min.".
func (l *locale) Duration(d time.Duration) string { return l.p.Duration(d) }

// Date writes a day with its year: the bar's days span the turn of a
// year, and an outage page is read long after.
func (l *locale) Date(t time.Time) string { return t.UTC().Format(l.day) }

// Stamp is a date and time in UTC.
func (l *locale) Stamp(t time.Time) string { return t.UTC().Format(l.stamp) }

// Clock is "14:02 UTC" on ref's day, else with the date.
func (l *locale) Clock(t, ref time.Time) string {
	if t.UTC().Format(time.DateOnly) == ref.UTC().Format(time.DateOnly) {
		return l.p.Clock(t) + " UTC"
	}
	return l.Stamp(t) + " UTC"
}

// quoted is an id from a URL shown inside quotes: escaped as Go would,
// so that control characters show, with the quotes left to the message.
func quoted(s string) string {
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
