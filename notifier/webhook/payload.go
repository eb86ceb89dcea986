package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Schema names the body's version. A change that could break a receiver
// (a field removed, renamed or changing type) gets a new version; fields are
// only ever added to a version.
const Schema = "outagebot.event/v1"

// Payload is the JSON body of one event, schema outagebot.event/v1. Its
// field names are also what a custom template sees ({{.Target}}).
type Payload struct {
	Schema string `json:"schema"`
	// DeliveryID is the outbox id: the same for every attempt at this
	// event to this destination, across retries and restarts (it is also
	// the Idempotency-Key header).
	DeliveryID int64 `json:"delivery_id"`
	// Kind is opened, updated, resolved, acknowledged (from chat), digest
	// or report.
	Kind string `json:"kind"`
	// Class is incident, maintenance or unreachable (the status feed
	// itself could not be read); digest for digests and reports.
	Class string `json:"class"`
	// Seq numbers the outage's events from 1 (opened).
	Seq    int       `json:"seq"`
	At     time.Time `json:"at"`
	Target string    `json:"target"`
	// Group is the target's group from the configuration, "" for none.
	Group    string `json:"group"`
	OutageID string `json:"outage_id"`
	// Thread is the outage whose thread this one joined, "" for its own.
	Thread string `json:"thread,omitempty"`
	Title  string `json:"title"`
	// Severity is operational, maintenance, degraded, partial_outage,
	// major_outage or unknown.
	Severity string `json:"severity"`
	// Status is open or resolved.
	Status string `json:"status"`
	// Phase is the vendor's phase (investigating, identified, monitoring,
	// resolved), "" when the vendor gives none (probes).
	Phase string `json:"phase"`
	// Text is one line for people, in the channel's language: "OpenAI:
	// Elevated errors (partial outage)", "OpenAI: Elevated errors
	// (Teilausfall)". Every other field reads the same in every language.
	Text string `json:"text"`
	// Body is what happened, in the vendor's own words where there are
	// any (VendorWords is then the same text), else the bot's (a probe's
	// error).
	Body        string      `json:"body"`
	VendorWords string      `json:"vendor_words"`
	Components  []Component `json:"components"`
	Notes       []string    `json:"notes"`
	StartedAt   time.Time   `json:"started_at"`
	// ResolvedAt is null while the outage is open.
	ResolvedAt *time.Time `json:"resolved_at"`
	// DurationSeconds is how long the outage has lasted so far, or in all
	// once resolved; Duration is the same for people ("1h 12m").
	DurationSeconds int64  `json:"duration_seconds"`
	Duration        string `json:"duration"`
	Links           Links  `json:"links"`
	// DependsOn ties an outage of one of our services to the vendor it
	// depends on, when the configuration says so.
	DependsOn *DependsOn `json:"depends_on,omitempty"`
}

// Component is an affected component.
type Component struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

// Links are where to read more.
type Links struct {
	// Vendor is the vendor's incident or status page, "" for none.
	Vendor string `json:"vendor"`
}

// DependsOn is outage.Link for receivers.
type DependsOn struct {
	Vendor string `json:"vendor"`
	// Confirm is unconfirmed, confirmed or withdrawn.
	Confirm      string `json:"confirm"`
	VendorOutage string `json:"vendor_outage,omitempty"`
}

// NewPayload builds the body of ev delivered as outbox item id, its text
// in English. group is the target's group ("" for none).
func NewPayload(id int64, ev outage.Event, group string) Payload {
	return NewPayloadIn(i18n.For(i18n.Default), id, ev, group)
}

// NewPayloadIn is NewPayload with the text in p's language.
func NewPayloadIn(lang *i18n.Printer, id int64, ev outage.Event, group string) Payload {
	p := Payload{
		Schema:     Schema,
		DeliveryID: id,
		Kind:       string(ev.Kind),
		Class:      string(ev.Class),
		Seq:        ev.Seq,
		At:         ev.At.UTC(),
		Target:     ev.Target,
		Group:      group,
		OutageID:   ev.OutageID,
		Title:      ev.Title,
		Severity:   string(ev.Severity),
		Status:     "open",
		Phase:      string(ev.Phase),
		Body:       ev.Body,
		Components: []Component{},
		Notes:      ev.Notes,
		StartedAt:  ev.OpenedAt.UTC(),
		Links:      Links{Vendor: ev.URL},
	}
	if p.Notes == nil {
		p.Notes = []string{}
	}
	if ev.Joined() {
		p.Thread = ev.Thread
	}
	if ev.Class != outage.Unreachable && ev.Phase != "" {
		// A vendor incident (it has a phase) speaks in the vendor's words;
		// an unreachable feed's or a probe's text is ours.
		p.VendorWords = ev.Body
	}
	for _, c := range ev.Components {
		p.Components = append(p.Components, Component{Name: c.Name, Status: string(c.Status)})
	}
	if !ev.ResolvedAt.IsZero() || ev.Kind == outage.Resolved {
		p.Status = "resolved"
		if !ev.ResolvedAt.IsZero() {
			t := ev.ResolvedAt.UTC()
			p.ResolvedAt = &t
		}
	}
	if !ev.OpenedAt.IsZero() {
		d := max(ev.Duration(), 0)
		p.DurationSeconds = int64(d / time.Second)
		p.Duration = outage.FormatDuration(d)
	}
	if l := ev.Link; l != nil {
		p.DependsOn = &DependsOn{Vendor: l.Vendor, Confirm: string(l.Confirm), VendorOutage: l.VendorOutage}
	}
	p.Text = notifier.Summary(lang, ev)
	return p
}

// Template is a custom body: a Go text/template over Payload.
type Template struct {
	t    *template.Template
	json bool
}

// funcs are the template's helpers; json quotes any value as JSON, which
// is what a template building JSON needs for every text it inserts.
var funcs = template.FuncMap{
	"json": func(v any) (string, error) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return "", err
		}
		return strings.TrimSuffix(buf.String(), "\n"), nil
	},
}

// ParseTemplate parses a custom body and tries it on a sample event, so
// that a field that does not exist, or (for a JSON content type) output
// that is not JSON, is found when the configuration is loaded.
func ParseTemplate(text, contentType string) (*Template, error) {
	t, err := template.New("template").Option("missingkey=error").Funcs(funcs).Parse(text)
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "template: "))
	}
	tp := &Template{t: t, json: IsJSON(contentType)}
	for _, ev := range samples() {
		if _, err := tp.Execute(NewPayload(1, ev, "ai")); err != nil {
			return nil, fmt.Errorf("on a sample %s event: %w", ev.Kind, err)
		}
	}
	return tp, nil
}

// Execute renders p. With a JSON content type the output must be JSON.
func (t *Template) Execute(p Payload) ([]byte, error) {
	var buf bytes.Buffer
	if err := t.t.Execute(&buf, p); err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "template: "))
	}
	if t.json && !json.Valid(buf.Bytes()) {
		return nil, fmt.Errorf("the output is not valid JSON (quote inserted text with {{json .Field}}, or set content_type): %s", clip(buf.String(), 120))
	}
	return buf.Bytes(), nil
}

// IsJSON reports whether a content type is JSON (application/json,
// application/cloudevents+json, ...).
func IsJSON(contentType string) bool {
	mt, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(contentType)), ";")
	mt = strings.TrimSpace(mt)
	return mt == "" || mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// samples are the events a template is tried on at load: each kind, with
// every field set and without the optional ones.
func samples() []outage.Event {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	o := outage.Outage{ID: "o-1", Target: "OpenAI", Key: "inc-1", Class: outage.Incident, Title: `Elevated "errors"`,
		Severity: sources.PartialOutage, OpenedAt: t0}
	opened := o.Event(outage.Opened, t0, "We are investigating.")
	opened.URL = "https://status.example.com/incidents/1"
	opened.Components = []outage.ComponentState{{Name: "API", Status: sources.PartialOutage}}
	opened.Notes = []string{"Likely cause: Azure"}
	opened.Link = &outage.Link{Vendor: "Azure", Confirm: outage.Confirmed}
	updated := o.Event(outage.Updated, t0.Add(time.Minute), "")
	o.ResolvedAt = t0.Add(time.Hour)
	resolved := o.Event(outage.Resolved, t0.Add(time.Hour), "Fixed.")
	return []outage.Event{opened, updated, resolved}
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// idempotencyKey is the outbox id, as the header carries it.
func idempotencyKey(id int64) string { return strconv.FormatInt(id, 10) }
