package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/interact/guard"
)

// GroupMembers lists a user group's members (usergroups.users.list, which
// needs the usergroups:read scope); *slack.Client is one.
type GroupMembers interface {
	GetUserGroupMembersContext(ctx context.Context, group string) ([]string, error)
}

// InteractionsPath is where NewInteractionHandler expects Slack's clicks.
const InteractionsPath = "/slack/interactions"

// GroupsOf adapts slack-go's client (whose method takes options) to
// GroupMembers.
func GroupsOf(c *slack.Client) GroupMembers {
	return groupAPI{c}
}

type groupAPI struct{ c *slack.Client }

func (g groupAPI) GetUserGroupMembersContext(ctx context.Context, group string) ([]string, error) {
	return g.c.GetUserGroupMembersContext(ctx, group)
}

// DefaultGroupTTL is how long a user group's members are trusted before
// they are asked for again.
const DefaultGroupTTL = 5 * time.Minute

// Admins is who may change what the bot does from Slack (mute, unmute,
// acknowledge): the user ids listed, and the members of the user groups
// listed ([slack] admins: "U123", "S456"). With none listed everyone may,
// as before the setting existed. It is safe for concurrent use.
type Admins struct {
	users  []string
	groups []string
	api    GroupMembers
	ttl    time.Duration
	now    func() time.Time

	mu    sync.Mutex
	cache map[string]members
	// failures logs failed checks without a line per click.
	failures failureLog
}

// members is what a user group's members were found to be at a time: ids,
// or an error that trying again will not mend (wrapping
// bot.ErrPermitSetup), which is kept as long as members would be so that
// every click does not ask Slack again.
type members struct {
	ids []string
	err error
	at  time.Time
}

// NewAdmins returns the rule for ids (user ids and user group ids); api
// resolves the groups. A zero ttl is DefaultGroupTTL; now nil is time.Now.
func NewAdmins(ids []string, api GroupMembers, ttl time.Duration, now func() time.Time) *Admins {
	a := &Admins{api: api, ttl: ttl, now: now, cache: map[string]members{}}
	if a.ttl <= 0 {
		a.ttl = DefaultGroupTTL
	}
	if a.now == nil {
		a.now = time.Now
	}
	a.failures.now = a.now
	for i := range a.failures.lines {
		a.failures.lines[i].Period = failureLogEvery
	}
	for _, id := range ids {
		if strings.HasPrefix(id, "S") {
			a.groups = append(a.groups, id)
		} else {
			a.users = append(a.users, id)
		}
	}
	return a
}

// For is the rule for one user; nil (everyone may) when no admins are set.
func (a *Admins) For(userID string) bot.Permit {
	if a == nil || len(a.users)+len(a.groups) == 0 {
		return nil
	}
	return userPermit{a, userID}
}

type userPermit struct {
	a    *Admins
	user string
}

// Allows checks the user against the ids, then against each group's
// members (cached for the TTL). A group that cannot be read denies rather
// than fails when another rule already settles it.
func (p userPermit) Allows(ctx context.Context, pr *i18n.Printer) (bool, string, error) {
	who := p.a.who(pr)
	if p.user == "" {
		return false, who, nil
	}
	if slices.Contains(p.a.users, p.user) {
		return true, who, nil
	}
	var firstErr error
	for _, g := range p.a.groups {
		ids, err := p.a.members(ctx, g)
		if err != nil {
			firstErr = cmpErr(firstErr, err)
			continue
		}
		if slices.Contains(ids, p.user) {
			return true, who, nil
		}
	}
	if firstErr != nil {
		return false, who, firstErr
	}
	return false, who, nil
}

// slackErrorCode is the error code of a Web API answer ("missing_scope"),
// or "".
func slackErrorCode(err error) string {
	if e, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		return e.Err
	}
	return ""
}

// logged is the rule for one user (For) whose failed checks are logged
// too: the asker is told, but only the operator can fix a missing scope.
// refused, when not nil, is set when the check refuses the user. It keeps
// a nil permit (everyone may) nil.
func (a *Admins) logged(userID string, log *slog.Logger, refused *atomic.Bool) bot.Permit {
	p := a.For(userID)
	if p == nil {
		return nil
	}
	return loggedPermit{p, log, &a.failures, refused}
}

type loggedPermit struct {
	bot.Permit
	log      *slog.Logger
	failures *failureLog
	refused  *atomic.Bool
}

func (l loggedPermit) Allows(ctx context.Context, pr *i18n.Printer) (bool, string, error) {
	ok, who, err := l.Permit.Allows(ctx, pr)
	if err != nil {
		l.failures.log(ctx, l.log, err)
	}
	if !ok && l.refused != nil {
		l.refused.Store(true)
	}
	return ok, who, err
}

// failureLogEvery is how often failed checks of one kind are logged at
// most.
const failureLogEvery = time.Minute

// failureLog logs failed permission checks: at most one line a minute for
// setup errors (ERROR: the operator must act) and one for the others
// (WARN: Slack away or slow, which mends itself), each carrying how many
// failures went without a line since the last. A busy channel clicking
// away while Slack is down would otherwise log a line per click.
type failureLog struct {
	now func() time.Time
	// lines are the limits of the two kinds: Slack away, the setup.
	lines [2]guard.Every
}

func (f *failureLog) log(ctx context.Context, log *slog.Logger, err error) {
	kind, level := 0, slog.LevelWarn
	if errors.Is(err, bot.ErrPermitSetup) {
		kind, level = 1, slog.LevelError
	}
	ok, suppressed := f.lines[kind].Allow(f.now())
	if !ok {
		return
	}
	log.Log(ctx, level, "cannot check a Slack user against [slack] admins; refusing", "err", err, "suppressed_since_last", suppressed)
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// members returns a group's members, from the cache while it is fresh.
func (a *Admins) members(ctx context.Context, group string) ([]string, error) {
	now := a.now()
	a.mu.Lock()
	c, ok := a.cache[group]
	a.mu.Unlock()
	if ok && now.Sub(c.at) < a.ttl {
		return c.ids, c.err
	}
	if a.api == nil {
		return nil, fmt.Errorf("cannot read the members of user group %s: no Slack API", group)
	}
	ids, err := a.api.GetUserGroupMembersContext(ctx, group)
	if err != nil {
		if ok && c.err == nil {
			// Slack is away: the last known members stand rather than
			// locking every admin out.
			return c.ids, nil
		}
		err = groupError(group, err)
		if errors.Is(err, bot.ErrPermitSetup) {
			// Asking again at every click would not mend it, and
			// usergroups.users.list is rate limited (Tier 2): the
			// answer would turn into "try again" for everyone.
			a.mu.Lock()
			a.cache[group] = members{err: err, at: now}
			a.mu.Unlock()
		}
		return nil, err
	}
	a.mu.Lock()
	a.cache[group] = members{ids: ids, at: now}
	a.mu.Unlock()
	return ids, nil
}

// groupError says why a group's members cannot be read, and what to do
// (https://api.slack.com/methods/usergroups.users.list#errors).
func groupError(group string, err error) error {
	switch slackErrorCode(err) {
	case "missing_scope":
		return fmt.Errorf("cannot read the members of user group %s: the bot token lacks the usergroups:read scope (add it under OAuth & Permissions and reinstall the app): %w: %w", group, bot.ErrPermitSetup, err)
	case "not_allowed_token_type":
		// The token is valid but of a kind the method does not take:
		// an app-level (xapp-) or user (xoxp-) token given as the bot's.
		return fmt.Errorf("cannot read the members of user group %s: Slack does not take this kind of token there ([slack] bot_token must be the Bot User OAuth Token, xoxb-...): %w: %w", group, bot.ErrPermitSetup, err)
	}
	return fmt.Errorf("cannot read the members of user group %s (the bot token needs usergroups:read): %w", group, err)
}

// who names those who may, as Slack shows them, in p's language:
// "members of <!subteam^S456> or <@U123>".
func (a *Admins) who(p *i18n.Printer) string {
	var parts []string
	for _, g := range a.groups {
		parts = append(parts, "<!subteam^"+g+">")
	}
	for _, u := range a.users {
		parts = append(parts, "<@"+u+">")
	}
	if len(a.groups) > 0 {
		return p.T("interact.members_of", i18n.Args{"Names": bot.Or(p, parts)})
	}
	return bot.Or(p, parts)
}
