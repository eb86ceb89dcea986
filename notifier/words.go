package notifier

import (
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// The phrases every chat's outage messages share live here, once, in the
// catalog (i18n/messages/*/chat.toml); each renderer only lays them out in
// its platform's markup.

// StateIn is an outage event's state as a label and a plain detail, the
// words every chat's message starts with, in p's language: ("Partial
// outage", " · Identified"), ("Resolved", ", lasted 1h 12m").
func StateIn(p *i18n.Printer, ev outage.Event) (label, detail string) {
	return state(p, ev, sentenceForm)
}

// StateInline is StateIn with the label of an event not yet resolved as
// it reads inside a sentence: ("partial outage", " · Identified"). Each
// language has its own inline form (English lower-cases, German keeps its
// nouns' capitals), so it comes from the catalog, never from a case rule.
func StateInline(p *i18n.Printer, ev outage.Event) (label, detail string) {
	return state(p, ev, inlineForm)
}

// stateForm is one form of the labels of an ongoing state: at the start
// of a message, or inside a sentence.
type stateForm struct {
	offline, unknown, scheduled string // message ids
	status                      func(*i18n.Printer, sources.Status) string
}

var (
	sentenceForm = stateForm{"chat.state.offline", "chat.state.unknown", "chat.state.maintenance_scheduled", (*i18n.Printer).Status}
	inlineForm   = stateForm{"chat.state_inline.offline", "chat.state_inline.unknown", "chat.state_inline.maintenance_scheduled", (*i18n.Printer).StatusInline}
)

func state(p *i18n.Printer, ev outage.Event, f stateForm) (label, detail string) {
	lasted := p.Duration(ev.Duration())
	switch {
	case ev.Target == outage.SelfTarget && ev.Kind == outage.Resolved:
		return p.T("chat.state.back_online", nil), p.T("chat.state.offline_for", i18n.Args{"Duration": lasted})
	case ev.Target == outage.SelfTarget:
		return p.T(f.offline, nil), p.T("chat.state.offline_detail", nil)
	case ev.Kind == outage.Resolved && ev.Class == outage.Unreachable:
		return p.T("chat.state.data_back", nil), p.T("chat.state.unavailable_for", i18n.Args{"Duration": lasted})
	case ev.Kind == outage.Resolved && ev.Class == outage.MaintenanceWork:
		return p.T("chat.state.maintenance_over", nil), p.T("chat.state.lasted", i18n.Args{"Duration": lasted})
	case ev.Kind == outage.Resolved:
		return p.T("chat.state.resolved", nil), p.T("chat.state.lasted", i18n.Args{"Duration": lasted})
	case ev.Class == outage.Unreachable:
		return p.T(f.unknown, nil), p.T("chat.state.unreadable_detail", nil)
	}
	label = f.status(p, ev.Severity)
	switch {
	case ev.Class == outage.MaintenanceWork && ev.Phase == sources.MaintenanceScheduled:
		label = p.T(f.scheduled, nil)
	case ev.Class == outage.MaintenanceWork:
		label = f.status(p, sources.Maintenance)
	}
	// "Maintenance scheduled" already says the phase; " · Scheduled"
	// after it would say it twice.
	if ev.Phase != "" && ev.Phase != sources.MaintenanceScheduled {
		detail = " · " + p.Phase(ev.Phase)
	}
	return label, detail
}

// Headline is "Target: title", or what the outage is about when it has no
// title of its own: "GitHub: status data unavailable".
func Headline(p *i18n.Printer, ev outage.Event) string {
	var what string
	switch {
	case ev.Target == outage.SelfTarget && ev.Kind == outage.Resolved:
		what = p.T("chat.headline.back_online", nil)
	case ev.Target == outage.SelfTarget:
		what = p.Title(ev)
	case ev.Class == outage.Unreachable && ev.Kind == outage.Resolved:
		what = p.T("chat.headline.data_back", nil)
	case ev.Class == outage.Unreachable:
		what = p.T("chat.headline.data_unavailable", nil)
	case ev.Title == "" && ev.TitleSaid == nil:
		return ev.Target
	default:
		what = p.Title(ev)
	}
	return p.T("chat.headline", i18n.Args{"Target": ev.Target, "What": what})
}

// Restored is a restoration's first words: "Restored after 1h 12m".
func Restored(p *i18n.Printer, ev outage.Event) string {
	args := i18n.Args{"Duration": p.Duration(ev.Duration())}
	switch {
	case ev.Target == outage.SelfTarget:
		return p.T("chat.restored.self", args)
	case ev.Class == outage.Unreachable:
		return p.T("chat.restored.data", args)
	case ev.Class == outage.MaintenanceWork:
		return p.T("chat.restored.maintenance", args)
	}
	return p.T("chat.restored", args)
}

// Since is a root's "since 14:02 UTC (12m)"; at is the opening as the
// renderer writes it (a clock, or a date when it was another day).
func Since(p *i18n.Printer, at string, ev outage.Event) string {
	return p.T("chat.since", i18n.Args{"At": at, "Duration": p.Duration(ev.Duration())})
}

// Link labels.
func StatusPageLabel(p *i18n.Printer) string { return p.T("chat.link.status_page", nil) }

// OutagePageLabel names the link to the outage on our own status page.
func OutagePageLabel(p *i18n.Printer) string { return p.T("chat.link.outage_page", nil) }

// ComponentsLabel heads a list of affected components.
func ComponentsLabel(p *i18n.Printer) string { return p.T("chat.components", nil) }

// More ends a list that was cut: " and 3 more".
func More(p *i18n.Printer, n int) string { return p.N("chat.more", n, nil) }

// StormTitle heads the one message that announces many outages at once.
func StormTitle(p *i18n.Printer, n int) string { return p.N("chat.storm.title", n, nil) }

// StormNote explains a storm message; threaded says whether the outages'
// messages follow in a thread (Slack) or as replies (Discord, Telegram).
func StormNote(p *i18n.Printer, threaded bool) string {
	if threaded {
		return p.T("chat.storm.note_thread", nil)
	}
	return p.T("chat.storm.note_replies", nil)
}

// AckLine is the sentence a root shows once someone acknowledged it:
// "Acknowledged by <@U1> at 14:05 UTC".
func AckLine(p *i18n.Printer, a outage.Ack, platform string) string {
	return p.T("chat.ack", i18n.Args{"Who": a.Mention(platform), "Clock": p.Clock(a.At)})
}

// Acknowledged is what an acknowledgement says when who and when are not
// known.
func Acknowledged(p *i18n.Printer) string { return p.T("chat.acknowledged", nil) }
