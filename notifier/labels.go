package notifier

import (
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
)

// Titles of the fields and facts several renderers lay out beside each
// other (Discord's embed fields, Teams' facts), and the one-line summary
// of an event that the webhook and PagerDuty carry. Like words.go, once,
// in the catalog.

// DurationTitle heads how long an outage has lasted: "Duration".
func DurationTitle(p *i18n.Printer) string { return p.T("chat.field.duration", nil) }

// ComponentsTitle heads the affected components as a field of their own:
// "Components" (ComponentsLabel is the same inside a line).
func ComponentsTitle(p *i18n.Printer) string { return p.T("chat.field.components", nil) }

// Summary is an event in one line for people: "OpenAI: Elevated errors
// (partial outage)", "OpenAI: Elevated errors (resolved after 1h 12m)";
// a digest is its headline alone. Vendor titles stay as written.
func Summary(p *i18n.Printer, ev outage.Event) string {
	head := ev.Target
	if t := summaryTitle(p, ev); t != "" {
		head = p.T("chat.headline", i18n.Args{"Target": ev.Target, "What": t})
	}
	switch {
	case ev.Kind == outage.Resolved:
		return p.T("chat.summary.resolved", i18n.Args{"Text": head, "Duration": p.Duration(ev.Duration())})
	case ev.Kind == outage.Digest || ev.Kind == outage.Report:
		return head
	case ev.Severity != "":
		return p.T("chat.summary.status", i18n.Args{"Text": head, "Status": p.StatusInline(ev.Severity)})
	}
	return head
}

// summaryTitle is the event's own title on one line, "" when it has none
// (Printer.Title would name its class instead).
func summaryTitle(p *i18n.Printer, ev outage.Event) string {
	if ev.TitleSaid == nil && ev.Title == "" {
		return ""
	}
	return outage.OneLine(p.Title(ev))
}
