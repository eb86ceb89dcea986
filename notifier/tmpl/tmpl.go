// Package tmpl renders outage messages from a channel's Go text/template
// overrides. A channel without any keeps the built-in Block Kit and embed
// renderings; one with a title or body template gets each message's title
// and body from templates (its own, else the defaults), filled in with
// [Fields] in the channel's language.
package tmpl

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Fields are what a template sees, all of it text ready to show: dates,
// durations, statuses, phases and the bot's own words are in the channel's
// language.
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
	// fallbacks, affected services); may be empty.
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

// Defaults are the title and body templates a channel gets for those it
// does not set. They serve every language: their few fixed words are
// catalog messages, written with the t function.
var Defaults = [2]string{
	`{{.Emoji}} {{.Target}}: {{.Title}}`,
	`{{if .Resolved}}{{t "tmpl.restored" .}}{{else}}{{.Status}}{{with .Phase}} · {{.}}{{end}}, {{t "tmpl.since" .}}{{if ne .Kind "opened"}} ({{.Duration}}){{end}}{{end}}` +
		`{{with .Body}}` + "\n" + `{{.}}{{end}}{{range .Notes}}` + "\n" + `{{.}}{{end}}{{with .URL}}` + "\n" + `{{.}}{{end}}`,
}

// Renderer renders one channel's messages.
type Renderer struct {
	p           *i18n.Printer
	title, body *template.Template
}

// New parses a channel's templates; an empty one takes the default, an
// empty language is the default language (en). The templates are tried on
// a sample outage, so that a field that does not exist is an error here,
// not when an outage is posted.
func New(lang, title, body string) (*Renderer, error) {
	if lang == "" {
		lang = i18n.Default
	}
	if !i18n.Known(lang) {
		return nil, fmt.Errorf("unknown locale %q (known: %s)", lang, strings.Join(i18n.Languages, ", "))
	}
	r := &Renderer{p: i18n.For(lang)}
	for i, src := range []string{title, body} {
		if src == "" {
			src = Defaults[i]
		}
		name := []string{"title", "body"}[i]
		t, err := r.parse(name, src)
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

// parse parses a template with the functions templates may use: t writes
// a catalog message in the channel's language with the fields as its
// arguments ({{t "tmpl.since" .}}).
func (r *Renderer) parse(name, src string) (*template.Template, error) {
	return template.New(name).Option("missingkey=error").Funcs(template.FuncMap{"t": r.say}).Parse(src)
}

// say writes message id with f's text fields as its arguments.
func (r *Renderer) say(id string, f Fields) string {
	return r.p.T(id, i18n.Args{
		"Kind": f.Kind, "Class": f.Class, "Target": f.Target, "Title": f.Title, "Body": f.Body, "URL": f.URL,
		"Severity": f.Severity, "Status": f.Status, "Emoji": f.Emoji, "Phase": f.Phase,
		"OpenedAt": f.OpenedAt, "ResolvedAt": f.ResolvedAt, "Duration": f.Duration,
	})
}

// sample is an outage to try templates on.
func sample(r *Renderer) Fields {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	o := outage.Outage{ID: "o", Target: "GitHub", Class: outage.Incident, Title: "Actions delayed", Severity: sources.PartialOutage, OpenedAt: at, ResolvedAt: at.Add(time.Hour)}
	ev := o.Event(outage.Resolved, at.Add(time.Hour), "Resolved.")
	ev.Components = []outage.ComponentState{{Name: "Actions", Status: sources.PartialOutage}}
	return r.Fields(ev)
}

// Fields fills in what templates see of ev, in the channel's language.
func (r *Renderer) Fields(ev outage.Event) Fields {
	p := r.p
	f := Fields{
		Kind: string(ev.Kind), Resolved: ev.Kind == outage.Resolved, Class: string(ev.Class),
		Target: ev.Target, Title: strings.TrimSpace(p.Title(ev)), Body: strings.TrimSpace(p.Body(ev)), URL: ev.URL,
		Severity: string(ev.Severity), Status: r.status(ev.Severity), Emoji: bot.Emoji(ev.Severity),
		Phase:    r.phase(ev.Phase),
		OpenedAt: p.Date(ev.OpenedAt), ResolvedAt: p.Date(ev.ResolvedAt),
		Duration: p.Duration(ev.Duration()),
		Notes:    p.Notes(ev),
		Locale:   p.Lang(),
	}
	if f.Title == "" {
		f.Title = p.Class(ev.Class)
	}
	if f.Resolved {
		f.Emoji = "✅"
	}
	for _, c := range ev.Components {
		f.Components = append(f.Components, Component{Name: c.Name, Status: r.status(c.Status)})
	}
	return f
}

// status is s's label; a status this release does not know is shown as
// it came.
func (r *Renderer) status(s sources.Status) string {
	if !s.Valid() {
		return string(s)
	}
	return r.p.Status(s)
}

// phase is ph's label; a phase this release does not know is left out.
func (r *Renderer) phase(ph sources.IncidentStatus) string {
	if !knownPhases[ph] {
		return ""
	}
	return r.p.Phase(ph)
}

var knownPhases = map[sources.IncidentStatus]bool{
	sources.IncidentInvestigating: true, sources.IncidentIdentified: true, sources.IncidentMonitoring: true,
	sources.IncidentResolved: true, sources.IncidentPostmortem: true, sources.MaintenanceScheduled: true,
	sources.MaintenanceInProgress: true, sources.MaintenanceVerifying: true, sources.MaintenanceCompleted: true,
}

// Render returns ev's title and body. A template that fails on this event
// (a nil value, say) falls back to the default, so a message is never lost
// to a template.
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
	def := template.Must(r.parse("default", Defaults[i]))
	_ = def.Execute(&b, f)
	return strings.TrimSpace(b.String())
}
