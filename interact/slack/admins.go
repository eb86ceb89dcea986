package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
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
}

type members struct {
	ids []string
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

// logged makes a permit whose check fails say so in the log too: the
// asker is told, but only the operator can fix a missing scope. It keeps
// a nil permit (everyone may) nil.
func logged(p bot.Permit, log *slog.Logger) bot.Permit {
	if p == nil {
		return nil
	}
	return loggedPermit{p, log}
}

type loggedPermit struct {
	bot.Permit
	log *slog.Logger
}

func (l loggedPermit) Allows(ctx context.Context, pr *i18n.Printer) (bool, string, error) {
	ok, who, err := l.Permit.Allows(ctx, pr)
	if err != nil {
		l.log.Error("cannot check a Slack user against [slack] admins; refusing", "err", err)
	}
	return ok, who, err
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
		return c.ids, nil
	}
	if a.api == nil {
		return nil, fmt.Errorf("cannot read the members of user group %s: no Slack API", group)
	}
	ids, err := a.api.GetUserGroupMembersContext(ctx, group)
	if err != nil {
		if ok {
			// Slack is away: the last known members stand rather than
			// locking every admin out.
			return c.ids, nil
		}
		if code := slackErrorCode(err); code == "missing_scope" || code == "not_allowed_token_type" {
			// Trying again will not help: the app needs the scope and a
			// reinstall.
			return nil, fmt.Errorf("cannot read the members of user group %s: the bot token lacks the usergroups:read scope (add it under OAuth & Permissions and reinstall the app): %w: %w", group, bot.ErrPermitSetup, err)
		}
		return nil, fmt.Errorf("cannot read the members of user group %s (the bot token needs usergroups:read): %w", group, err)
	}
	a.mu.Lock()
	a.cache[group] = members{ids: ids, at: now}
	a.mu.Unlock()
	return ids, nil
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
