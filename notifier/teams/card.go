package teams

import (
	"encoding/json"
	"strings"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// Limits of a Teams message. Microsoft documents 28 KB for a message sent
// through a webhook, and answers 413 above it
// (learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook);
// the body is kept under MaxPayload, with room to spare for the envelope
// the workflow adds.
const (
	MaxPayload = 24 << 10
	// maxWords bounds the vendor's words; longer text is cut, and the
	// card's button leads to the whole of it.
	maxWords = 3000
	// maxFacts bounds the components listed.
	maxComponents = 20
)

// CardVersion is the Adaptive Card schema version: 1.4 is what Teams
// renders on every client, mobile included.
const CardVersion = "1.4"

// Message is what a Workflows webhook takes: a message with one Adaptive
// Card attachment.
type Message struct {
	Type        string       `json:"type"`
	Attachments []Attachment `json:"attachments"`
}

// Attachment holds the card.
type Attachment struct {
	ContentType string  `json:"contentType"`
	ContentURL  *string `json:"contentUrl"`
	Content     Card    `json:"content"`
}

// Card is an Adaptive Card (adaptivecards.io/explorer/AdaptiveCard.html).
type Card struct {
	Schema  string         `json:"$schema"`
	Type    string         `json:"type"`
	Version string         `json:"version"`
	MSTeams map[string]any `json:"msteams,omitempty"`
	Body    []any          `json:"body"`
	Actions []any          `json:"actions,omitempty"`
}

// Elements used.
type (
	container struct {
		Type  string `json:"type"`
		Style string `json:"style,omitempty"`
		Bleed bool   `json:"bleed,omitempty"`
		Items []any  `json:"items"`
	}
	textBlock struct {
		Type     string `json:"type"`
		Text     string `json:"text"`
		Wrap     bool   `json:"wrap"`
		Weight   string `json:"weight,omitempty"`
		Size     string `json:"size,omitempty"`
		IsSubtle bool   `json:"isSubtle,omitempty"`
		Spacing  string `json:"spacing,omitempty"`
	}
	factSet struct {
		Type  string `json:"type"`
		Facts []fact `json:"facts"`
	}
	fact struct {
		Title string `json:"title"`
		Value string `json:"value"`
	}
	openURL struct {
		Type  string `json:"type"`
		Title string `json:"title"`
		URL   string `json:"url"`
	}
)

// Style is the container style that colours a card: attention (red) for
// a major outage, warning (amber) for lesser trouble, good (green) once
// resolved, accent (blue) for maintenance and acknowledgements.
func Style(ev outage.Event) string {
	switch {
	case ev.Kind == outage.Resolved:
		return "good"
	case ev.Kind == outage.Acknowledged, ev.Class == outage.MaintenanceWork, ev.Severity == sources.Maintenance:
		return "accent"
	case ev.Kind == outage.Digest || ev.Kind == outage.Report:
		return "emphasis"
	case ev.Severity == sources.MajorOutage:
		return "attention"
	}
	return "warning"
}

// heading says what the card announces.
func heading(p *i18n.Printer, ev outage.Event) string {
	args := i18n.Args{"Target": ev.Target}
	switch {
	case ev.Kind == outage.Digest || ev.Kind == outage.Report:
		return ev.Title
	case ev.Kind == outage.Acknowledged:
		return p.T("chat.teams.heading.acknowledged", args)
	case ev.Kind == outage.Resolved:
		return p.T("chat.teams.heading.resolved", args)
	case ev.Class == outage.MaintenanceWork:
		return p.T("chat.teams.heading.maintenance", args)
	case ev.Class == outage.Unreachable:
		return p.T("chat.teams.heading.unknown", args)
	case ev.Kind == outage.Updated:
		return p.T("chat.teams.heading.updated", args)
	}
	return p.T("chat.teams.heading.opened", args)
}

// Render builds the message for ev in English, within MaxPayload.
func Render(ev outage.Event) Message { return RenderIn(i18n.For(i18n.Default), ev) }

// RenderIn builds the message for ev in p's language, within MaxPayload.
func RenderIn(p *i18n.Printer, ev outage.Event) Message {
	words := truncate(p.Body(ev), maxWords)
	for {
		m := render(p, ev, words)
		raw, err := json.Marshal(m)
		if err != nil || len(raw) <= MaxPayload || words == "" {
			return m
		}
		// Too big (a digest, a long update): halve the text until it fits.
		words = truncate(words, len([]rune(words))/2)
		if len([]rune(words)) < 10 {
			words = ""
		}
	}
}

func render(p *i18n.Printer, ev outage.Event, words string) Message {
	head := container{Type: "Container", Style: Style(ev), Bleed: true, Items: []any{
		textBlock{Type: "TextBlock", Text: Escape(heading(p, ev)), Wrap: true, Weight: "Bolder", Size: "Medium"},
	}}
	digest := ev.Kind == outage.Digest || ev.Kind == outage.Report
	if !digest && (ev.Title != "" || ev.TitleSaid != nil) {
		head.Items = append(head.Items, textBlock{Type: "TextBlock", Text: Escape(outage.OneLine(p.Title(ev))), Wrap: true, Spacing: "None"})
	}
	body := []any{head}
	if !digest {
		body = append(body, factSet{Type: "FactSet", Facts: facts(p, ev)})
	}
	if words != "" {
		body = append(body, textBlock{Type: "TextBlock", Text: Escape(words), Wrap: true})
	}
	if notes := p.Notes(ev); len(notes) > 0 {
		body = append(body, textBlock{Type: "TextBlock", Text: Escape(strings.Join(notes, "\n")), Wrap: true, IsSubtle: true})
	}
	card := Card{
		Schema:  "http://adaptivecards.io/schemas/adaptive-card.json",
		Type:    "AdaptiveCard",
		Version: CardVersion,
		MSTeams: map[string]any{"width": "Full"},
		Body:    body,
	}
	if ev.URL != "" {
		card.Actions = []any{openURL{Type: "Action.OpenUrl", Title: p.T("chat.teams.open_status_page", nil), URL: ev.URL}}
	}
	return Message{Type: "message", Attachments: []Attachment{{ContentType: "application/vnd.microsoft.card.adaptive", Content: card}}}
}

func facts(p *i18n.Printer, ev outage.Event) []fact {
	out := []fact{{p.T("chat.teams.fact.target", nil), Escape(ev.Target)}}
	if ev.Severity != "" && ev.Kind != outage.Resolved {
		out = append(out, fact{p.T("chat.teams.fact.severity", nil), Escape(p.StatusInline(ev.Severity))})
	}
	if ev.Phase != "" {
		out = append(out, fact{p.T("chat.teams.fact.phase", nil), Escape(p.T("phase_inline."+string(ev.Phase), nil))})
	}
	if !ev.OpenedAt.IsZero() {
		// An ISO date reads the same in every language.
		out = append(out, fact{p.T("chat.teams.fact.since", nil), ev.OpenedAt.UTC().Format("2006-01-02 15:04 UTC")})
		switch ev.Kind {
		case outage.Opened:
		case outage.Resolved:
			out = append(out, fact{notifier.DurationTitle(p), p.T("chat.teams.lasted", i18n.Args{"Duration": p.Duration(ev.Duration())})})
		default:
			out = append(out, fact{notifier.DurationTitle(p), p.Duration(ev.Duration())})
		}
	}
	if n := len(ev.Components); n > 0 {
		var parts []string
		for i, c := range ev.Components {
			if i == maxComponents {
				parts = append(parts, strings.TrimSpace(notifier.More(p, n-maxComponents)))
				break
			}
			parts = append(parts, c.Name+" ("+p.StatusInline(c.Status)+")")
		}
		out = append(out, fact{notifier.ComponentsTitle(p), Escape(strings.Join(parts, ", "))})
	}
	return out
}

// Escape makes text show as written in a TextBlock, which renders a subset
// of Markdown: what Markdown could read as emphasis, a link, code, a
// heading, a quote or a list is escaped with a backslash, so a vendor's
// "*" or "[link](...)" stays text. "{{" is broken up too: a card reads
// {{DATE(...)}} as a function.
func Escape(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		for i, r := range line {
			lead := strings.TrimSpace(line[:i]) == ""
			switch {
			case strings.ContainsRune("\\*_~`[]", r):
				b.WriteByte('\\')
			case r == '{' && strings.HasPrefix(line[i+1:], "{"):
				b.WriteByte('\\')
			case lead && strings.ContainsRune("#>-+", r):
				b.WriteByte('\\') // a heading, a quote, a list item
			case r == '.' && isDigits(strings.TrimSpace(line[:i])):
				b.WriteByte('\\') // "1." starts a numbered list
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// truncate cuts s to n runes, marking the cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 1 {
		return ""
	}
	return string(r[:n-1]) + "…"
}
