package bot

import (
	"context"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// private is the printer of what only the asker sees: their own language
// when the platform said which, else the channel's.
func (r Request) private() *i18n.Printer {
	if r.UserLang != "" {
		return i18n.For(r.UserLang)
	}
	return i18n.For(r.Lang)
}

// public is the printer of what the whole channel sees (an announcement and
// the answer that carries it): the channel's language, whoever asked.
func (r Request) public() *i18n.Printer { return i18n.For(r.Lang) }

type langKey struct{}

// WithLang tells what answers a command through ctx (the digest and report
// builders behind Commands.Digest and Commands.Report) which language the
// asker reads.
func WithLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, langKey{}, lang)
}

// LangFrom is the language WithLang put in ctx; "" when none was.
func LangFrom(ctx context.Context) string {
	lang, _ := ctx.Value(langKey{}).(string)
	return lang
}

// Or joins names as alternatives: "a", "a or b", "a or b or c" (each
// alternative is one a person may pick, so none is set apart by commas).
func Or(p *i18n.Printer, items []string) string {
	if len(items) == 0 {
		return ""
	}
	s := items[0]
	for _, it := range items[1:] {
		s = p.T("cmd.or", i18n.Args{"A": s, "B": it})
	}
	return s
}

// span says how long o has been going on at now, or how long it lasted
// (outage.Outage.Span in p's language).
func span(p *i18n.Printer, o outage.Outage, now time.Time) string {
	if o.Open() {
		return p.T("cmd.span.ongoing", i18n.Args{"Duration": p.Duration(now.Sub(o.OpenedAt))})
	}
	return p.T("cmd.span.lasted", i18n.Args{"Duration": p.Duration(o.ResolvedAt.Sub(o.OpenedAt))})
}

// phase is a vendor phase inside a sentence; a phase the catalog does not
// name is shown as the vendor gave it.
func phase(p *i18n.Printer, ph sources.IncidentStatus) string {
	id := "phase_inline." + string(ph)
	if s := p.T(id, nil); s != id {
		return s
	}
	return string(ph)
}

// confirmIDs name a vendor's confirmation in answers.
var confirmIDs = map[outage.Confirmation]string{
	outage.Confirmed:   "cmd.confirm.confirmed",
	outage.Unconfirmed: "cmd.confirm.unconfirmed",
	outage.Withdrawn:   "cmd.confirm.withdrawn",
}

func confirmation(p *i18n.Printer, c outage.Confirmation) string {
	if id, ok := confirmIDs[c]; ok {
		return p.T(id, nil)
	}
	return string(c)
}

// verbIDs name what a privileged command does, for refusals.
var verbIDs = map[string]string{
	"mute":        "cmd.verb.mute",
	"unmute":      "cmd.verb.unmute",
	"acknowledge": "cmd.verb.acknowledge",
	"subscribe":   "cmd.verb.subscribe",
	"unsubscribe": "cmd.verb.unsubscribe",
}

func verb(p *i18n.Printer, cmd string) string {
	if id, ok := verbIDs[cmd]; ok {
		return p.T(id, nil)
	}
	return cmd
}
