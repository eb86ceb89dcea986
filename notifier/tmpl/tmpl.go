// Package tmpl renders outage messages from a channel's Go text/template
// overrides and in its locale. A channel with neither keeps the built-in
// Block Kit and embed renderings; one with either gets each message's title
// and body from templates (its own, else the locale's defaults), filled in
// with [Fields].
package tmpl

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Fields are what a template sees, all of it text ready to show: dates,
// durations, statuses and phases are in the channel's locale.
type Fields struct {
	// Kind is opened, updated or resolved; Resolved is Kind == resolved.
	Kind     string
	Resolved bool
	// Class is incident, maintenance or unreachable (status data missing).
	Class  string
	Target string
	// Title is the vendor's title, or what the outage is about ("Ausfall").
	Title string
	// Body is the vendor's latest words (or the probe's error), may be "".
	Body string
	URL  string
	// Severity is the status as a contract string (major_outage, ...);
	// Status is its label in the locale; Emoji its colour.
	Severity string
	Status   string
	Emoji    string
	// Phase is the vendor's phase in the locale (Identified), may be "".
	Phase string
	// OpenedAt and ResolvedAt are dates in the locale ("2. März 10:00
	// UTC"); ResolvedAt is "" while open. Duration is how long it has
	// lasted so far, or in all once resolved.
	OpenedAt   string
	ResolvedAt string
	Duration   string
	Components []Component
	// Notes are lines about related targets (likely cause, confirmation,
	// fallbacks, affected services), in English; may be empty.
	Notes []string
	// Locale is en or de.
	Locale string
}

// Component is one affected component and its status label.
type Component struct {
	Name   string
	Status string
}

// FieldNames are the fields a template may use, for documentation and
// error messages.
var FieldNames = []string{"Kind", "Resolved", "Class", "Target", "Title", "Body", "URL", "Severity", "Status", "Emoji",
	"Phase", "OpenedAt", "ResolvedAt", "Duration", "Components", "Notes", "Locale"}

// Defaults are each locale's title and body templates.
var Defaults = map[string][2]string{
	"en": {
		`{{.Emoji}} {{.Target}}: {{.Title}}`,
		`{{if .Resolved}}Restored after {{.Duration}} ({{.OpenedAt}} – {{.ResolvedAt}}){{else}}{{.Status}}{{with .Phase}} · {{.}}{{end}}, since {{.OpenedAt}}{{if ne .Kind "opened"}} ({{.Duration}}){{end}}{{end}}` +
			`{{with .Body}}` + "\n" + `{{.}}{{end}}{{range .Notes}}` + "\n" + `{{.}}{{end}}{{with .URL}}` + "\n" + `{{.}}{{end}}`,
	},
	"de": {
		`{{.Emoji}} {{.Target}}: {{.Title}}`,
		`{{if .Resolved}}Wiederhergestellt nach {{.Duration}} ({{.OpenedAt}} – {{.ResolvedAt}}){{else}}{{.Status}}{{with .Phase}} · {{.}}{{end}}, seit {{.OpenedAt}}{{if ne .Kind "opened"}} ({{.Duration}}){{end}}{{end}}` +
			`{{with .Body}}` + "\n" + `{{.}}{{end}}{{range .Notes}}` + "\n" + `{{.}}{{end}}{{with .URL}}` + "\n" + `{{.}}{{end}}`,
	},
}

// titles name an outage without a title of its own, per class.
var titles = map[string]map[outage.Class]string{
	"en": {outage.Incident: "outage", outage.MaintenanceWork: "maintenance", outage.Unreachable: "no status data"},
	"de": {outage.Incident: "Ausfall", outage.MaintenanceWork: "Wartung", outage.Unreachable: "keine Statusdaten"},
}

// Renderer renders one channel's messages.
type Renderer struct {
	locale      string
	words       locale
	title, body *template.Template
}

// New parses a channel's templates; an empty one takes the locale's
// default, an empty locale is en. The templates are tried on a sample
// outage, so that a field that does not exist is an error here, not when
// an outage is posted.
func New(loc, title, body string) (*Renderer, error) {
	if loc == "" {
		loc = "en"
	}
	words, ok := locales[loc]
	if !ok {
		return nil, fmt.Errorf("unknown locale %q (known: %s)", loc, strings.Join(Locales, ", "))
	}
	r := &Renderer{locale: loc, words: words}
	for i, src := range []string{title, body} {
		if src == "" {
			src = Defaults[loc][i]
		}
		name := []string{"title", "body"}[i]
		t, err := template.New(name).Option("missingkey=error").Parse(src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := t.Execute(&bytes.Buffer{}, sample(r)); err != nil {
			return nil, fmt.Errorf("%s: %w (fields: %s)", name, err, strings.Join(FieldNames, ", "))
		}
		if i == 0 {
			r.title = t
		} else {
			r.body = t
		}
	}
	return r, nil
}

// sample is an outage to try templates on.
func sample(r *Renderer) Fields {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	o := outage.Outage{ID: "o", Target: "GitHub", Class: outage.Incident, Title: "Actions delayed", Severity: sources.PartialOutage, OpenedAt: at, ResolvedAt: at.Add(time.Hour)}
	ev := o.Event(outage.Resolved, at.Add(time.Hour), "Resolved.")
	ev.Components = []outage.ComponentState{{Name: "Actions", Status: sources.PartialOutage}}
	return r.Fields(ev)
}

// Fields fills in what templates see of ev.
func (r *Renderer) Fields(ev outage.Event) Fields {
	f := Fields{
		Kind: string(ev.Kind), Resolved: ev.Kind == outage.Resolved, Class: string(ev.Class),
		Target: ev.Target, Title: strings.TrimSpace(ev.Title), Body: strings.TrimSpace(ev.Body), URL: ev.URL,
		Severity: string(ev.Severity), Status: r.status(ev.Severity), Emoji: bot.Emoji(ev.Severity),
		Phase:    r.words.phase[ev.Phase],
		OpenedAt: r.words.date(ev.OpenedAt, time.UTC), ResolvedAt: r.words.date(ev.ResolvedAt, time.UTC),
		Duration: r.words.duration(ev.Duration()),
		Notes:    ev.Notes,
		Locale:   r.locale,
	}
	if f.Title == "" {
		f.Title = titles[r.locale][ev.Class]
	}
	if f.Resolved {
		f.Emoji = "✅"
	}
	for _, c := range ev.Components {
		f.Components = append(f.Components, Component{Name: c.Name, Status: r.status(c.Status)})
	}
	return f
}

func (r *Renderer) status(s sources.Status) string {
	if l, ok := r.words.status[s]; ok {
		return l
	}
	return string(s)
}

// Render returns ev's title and body. A template that fails on this event
// (a nil value, say) falls back to the locale's default, so a message is
// never lost to a template.
func (r *Renderer) Render(ev outage.Event) (title, body string) {
	f := r.Fields(ev)
	return r.run(r.title, 0, f), r.run(r.body, 1, f)
}

func (r *Renderer) run(t *template.Template, i int, f Fields) string {
	var b bytes.Buffer
	if err := t.Execute(&b, f); err == nil {
		return strings.TrimSpace(b.String())
	}
	b.Reset()
	def := template.Must(template.New("default").Parse(Defaults[r.locale][i]))
	_ = def.Execute(&b, f)
	return strings.TrimSpace(b.String())
}

// Known reports whether loc is a supported locale.
func Known(loc string) bool { return slices.Contains(Locales, loc) }
