package bot

import (
	"context"
	"errors"

	"github.com/outagebot/outagebot/i18n"
)

// Permit decides whether the person asking may change what the bot does:
// mute, unmute, acknowledge, subscribe and unsubscribe. The
// platform layer builds one per request from its admins setting
// ([slack] admins, [discord] admin_roles). A nil Permit allows everyone.
type Permit interface {
	// Allows reports whether the asker may; who names those who may, for
	// the refusal, in p's language ("@oncall or <@U123>").
	Allows(ctx context.Context, p *i18n.Printer) (ok bool, who string, err error)
}

// ErrPermitSetup marks a Permit error that trying again will not mend
// (the chat app lacks a scope, say): the refusal asks for the setup to be
// fixed instead of for another try.
var ErrPermitSetup = errors.New("the bot's chat setup does not allow checking roles")

// privileged lists the commands that change state and need a Permit.
var privileged = map[string]bool{"mute": true, "unmute": true, "acknowledge": true, "subscribe": true, "unsubscribe": true}

// Privileged reports whether a command (or a button's action, by its
// command name) needs a role.
func Privileged(cmd string) bool { return privileged[cmd] }

// allowed checks r's Permit for cmd; when it refuses, the answer says so
// politely and names who may.
func (c *Commands) allowed(ctx context.Context, r Request, cmd string) (Answer, bool) {
	if !privileged[cmd] || r.Permit == nil {
		return Answer{}, true
	}
	p := r.private()
	ok, who, err := r.Permit.Allows(ctx, p)
	if err != nil {
		next := p.T("cmd.refusal.try_again", nil)
		if errors.Is(err, ErrPermitSetup) {
			next = p.T("cmd.refusal.fix_setup", nil)
		}
		return problem(p.T("cmd.refusal.check_failed", i18n.Args{"Verb": verb(p, cmd)}), next, err.Error()), false
	}
	if ok {
		return Answer{}, true
	}
	return Refusal(p, cmd, who), false
}

// Refusal is the polite answer, in p's language, to someone without the
// role for cmd.
func Refusal(p *i18n.Printer, cmd, who string) Answer {
	if who == "" {
		who = p.T("cmd.refusal.admins", nil)
	}
	return Answer{
		Title:   p.T("cmd.refusal.title", i18n.Args{"Verb": verb(p, cmd)}),
		Problem: true,
		Sections: []Section{{Lines: []string{
			p.T("cmd.refusal.only", i18n.Args{"Who": who, "Verb": verb(p, cmd)}),
			p.T("cmd.refusal.everyone", nil),
		}}},
		Lang: p.Lang(),
	}
}
