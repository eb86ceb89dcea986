package slack

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
)

// groupAnswers answers usergroups.users.list with err (or members), and
// counts the calls.
type groupAnswers struct {
	mu      sync.Mutex
	err     error
	members []string
	calls   int
}

func (g *groupAnswers) GetUserGroupMembersContext(context.Context, string) ([]string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls++
	return g.members, g.err
}

func (g *groupAnswers) set(members []string, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.members, g.err = members, err
}

func (g *groupAnswers) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls
}

// A user group that cannot be read for the app's setup says what to fix,
// each cause its own way, and is asked for once per TTL: every click
// asking Slack again would not mend it, and would soon be rate limited.
// Errors that mend themselves are asked for again at the next click.
func TestAdminGroupErrors(t *testing.T) {
	const ttl = 5 * time.Minute
	tests := []struct {
		code        string
		setup       bool
		want, never string
	}{
		{"missing_scope", true, "lacks the usergroups:read scope", "xoxb"},
		{"not_allowed_token_type", true, "Bot User OAuth Token, xoxb-", "lacks the usergroups:read scope"},
		{"ratelimited", false, "needs usergroups:read", "reinstall"},
		{"internal_error", false, "needs usergroups:read", "reinstall"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			clock := now
			api := &groupAnswers{err: slack.SlackErrorResponse{Err: tt.code}}
			admins := NewAdmins([]string{"S07ONCALL0A"}, api, ttl, func() time.Time { return clock })
			p := admins.For("U07BOB00A1B")
			for i := range 3 {
				ok, _, err := p.Allows(context.Background(), i18n.For("en"))
				if ok || err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), tt.never) || !strings.Contains(err.Error(), tt.code) {
					t.Fatalf("check %d: %v, %v; want a refusal saying %q and not %q", i, ok, err, tt.want, tt.never)
				}
				if got := errors.Is(err, bot.ErrPermitSetup); got != tt.setup {
					t.Errorf("check %d: a setup error: %v, want %v", i, got, tt.setup)
				}
			}
			want := 3
			if tt.setup {
				want = 1
			}
			if n := api.count(); n != want {
				t.Errorf("%d calls of usergroups.users.list for 3 checks, want %d", n, want)
			}
			// Once the TTL is over Slack is asked again, and a mended
			// setup lets the member in.
			clock = now.Add(ttl)
			api.set([]string{"U07BOB00A1B"}, nil)
			if ok, _, err := p.Allows(context.Background(), i18n.For("en")); !ok || err != nil {
				t.Errorf("after the TTL, with the members readable: %v, %v", ok, err)
			}
		})
	}
}

// A setup error kept past its TTL is not taken for members: when Slack is
// then away, the check fails rather than letting nobody in silently.
func TestAdminGroupSetupErrorExpires(t *testing.T) {
	clock := now
	api := &groupAnswers{err: slack.SlackErrorResponse{Err: "missing_scope"}}
	admins := NewAdmins([]string{"S07ONCALL0A"}, api, time.Minute, func() time.Time { return clock })
	p := admins.For("U07ALICE0A1")
	if _, _, err := p.Allows(context.Background(), i18n.For("en")); !errors.Is(err, bot.ErrPermitSetup) {
		t.Fatalf("err = %v, want a setup error", err)
	}
	clock = now.Add(2 * time.Minute)
	api.set(nil, errors.New("connection refused"))
	if ok, _, err := p.Allows(context.Background(), i18n.For("en")); ok || err == nil || errors.Is(err, bot.ErrPermitSetup) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("%v, %v; want Slack's error", ok, err)
	}
}

// Failed checks are logged for the operator: a setup error at ERROR (the
// operator must act), one that mends itself at WARN, and each at most
// once a minute, however many clicks fail.
func TestAdminCheckFailuresLogged(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	clock := now
	transient := &groupAnswers{err: errors.New("connection refused")}
	away := NewAdmins([]string{"S07ONCALL0A"}, transient, time.Hour, func() time.Time { return clock })
	scopeless := NewAdmins([]string{"S07ONCALL0A"}, &groupAnswers{err: slack.SlackErrorResponse{Err: "missing_scope"}}, time.Hour, func() time.Time { return clock })
	check := func(a *Admins) {
		t.Helper()
		var refused atomic.Bool
		if ok, _, err := a.logged("U07BOB00A1B", log, &refused).Allows(context.Background(), i18n.For("en")); ok || err == nil || !refused.Load() {
			t.Fatalf("%v, %v, refused %v; want a refusal", ok, err, refused.Load())
		}
	}
	for _, at := range []time.Duration{0, time.Second, 30 * time.Second, 61 * time.Second} {
		clock = now.Add(at)
		check(away)
		check(scopeless)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4:\n%s", len(lines), logs.String())
	}
	for i, want := range []string{
		`level=WARN msg="cannot check a Slack user against [slack] admins; refusing" err="cannot read the members of user group S07ONCALL0A (the bot token needs usergroups:read): connection refused" suppressed_since_last=0`,
		`level=ERROR msg="cannot check a Slack user against [slack] admins; refusing" err="cannot read the members of user group S07ONCALL0A: the bot token lacks the usergroups:read scope`,
		`level=WARN msg="cannot check a Slack user against [slack] admins; refusing" err="cannot read the members of user group S07ONCALL0A (the bot token needs usergroups:read): connection refused" suppressed_since_last=2`,
		`level=ERROR msg="cannot check a Slack user against [slack] admins; refusing" err="cannot read the members of user group S07ONCALL0A: the bot token lacks the usergroups:read scope`,
	} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d:\n%s\nwant it to start with\n%s", i, lines[i], want)
		}
	}
	if !strings.HasSuffix(lines[3], "suppressed_since_last=2") {
		t.Errorf("line 3: %s", lines[3])
	}
}
