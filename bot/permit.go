package bot

import (
	"context"
	"fmt"
)

// Permit decides whether the person asking may change what the bot does:
// mute, unmute, acknowledge, subscribe and unsubscribe. The
// platform layer builds one per request from its admins setting
// ([slack] admins, [discord] admin_roles). A nil Permit allows everyone.
type Permit interface {
	// Allows reports whether the asker may; who names those who may, for
	// the refusal ("@oncall or <@U123>").
	Allows(ctx context.Context) (ok bool, who string, err error)
}

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
	ok, who, err := r.Permit.Allows(ctx)
	if err != nil {
		return problem("I could not check who may "+cmd+" right now",
			"Please try again in a moment.", err.Error()), false
	}
	if ok {
		return Answer{}, true
	}
	return Refusal(cmd, who), false
}

// Refusal is the polite answer to someone without the role for cmd.
func Refusal(cmd, who string) Answer {
	if who == "" {
		who = "the bot's admins"
	}
	return Answer{
		Title:   "Sorry, you cannot " + cmd + " here",
		Problem: true,
		Sections: []Section{{Lines: []string{
			fmt.Sprintf("Only %s can %s.", who, cmd),
			"Everyone can use `status`, `incidents`, `uptime`, `report`, `digest now`, `subscriptions` and `help`.",
		}}},
	}
}
