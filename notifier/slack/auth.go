package slack

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/outagebot/outagebot/notifier"
)

// The checks at start (auth.test, conversations.info) need no scope beyond
// what posting needs, except that looking a channel up needs channels:read
// (groups:read for a private channel); without it a channel is reported
// unchecked, never unreachable.
// https://api.slack.com/methods/auth.test, https://api.slack.com/methods/conversations.info
const (
	scopeWrite       = "chat:write"
	scopeWritePublic = "chat:write.public"
	scopeReadPublic  = "channels:read"
	scopeReadPrivate = "groups:read"
)

// credentialCodes are the errors that say the token itself is refused, as
// opposed to a channel or scope problem.
var credentialCodes = map[string]bool{
	"invalid_auth": true, "not_authed": true, "account_inactive": true,
	"token_revoked": true, "token_expired": true, "not_allowed_token_type": true,
}

// Identify asks Slack who the token is (auth.test): the workspace, the bot
// user and, where Slack says them, the token's scopes. A refused token is a
// *notifier.CredentialError; a network error or 5xx a plain, retryable one.
func (n *Notifier) Identify(ctx context.Context) (notifier.Account, error) {
	resp, err := n.api.AuthTestContext(ctx)
	if err != nil {
		return notifier.Account{}, n.checkError("auth.test", err)
	}
	acct := notifier.Account{
		Workspace: label(resp.Team, resp.TeamID),
		User:      label(resp.User, resp.UserID),
		UserID:    resp.UserID,
		UserName:  resp.User,
	}
	if raw := resp.Header.Get("X-OAuth-Scopes"); raw != "" {
		for _, s := range strings.Split(raw, ",") {
			if s = strings.TrimSpace(s); s != "" {
				acct.Scopes = append(acct.Scopes, s)
			}
		}
		if !slices.Contains(acct.Scopes, scopeWrite) {
			acct.Notes = append(acct.Notes, "the token lacks the chat:write scope, so nothing can be posted: "+fixScopes)
		}
	}
	return acct, nil
}

// CheckChannel looks the channel up (conversations.info) and says whether
// the bot can post there. acct is what Identify returned. An error means
// the check itself failed: the token (CredentialError) or the network.
func (n *Notifier) CheckChannel(ctx context.Context, id string, acct notifier.Account) (notifier.ChannelCheck, error) {
	ch, err := n.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: id})
	if err != nil {
		var api slack.SlackErrorResponse
		code := ""
		if errors.As(err, &api) {
			code = api.Err
		}
		switch code {
		case "channel_not_found":
			return notifier.ChannelCheck{State: notifier.ChannelUnreachable,
				Detail: "Slack shows the bot no channel " + id + ": check the id (the channel's details show it at the bottom); a private channel is only visible once the bot is invited: " + invite(acct)}, nil
		case "missing_scope":
			return notifier.ChannelCheck{State: notifier.ChannelUnchecked,
				Detail: "cannot look the channel up without the " + scopeReadPublic + " scope (" + scopeReadPrivate + " for a private channel); posting does not need it, so add it only to have the channel checked"}, nil
		}
		return notifier.ChannelCheck{}, n.checkError("conversations.info", err)
	}
	out := notifier.ChannelCheck{Name: "#" + ch.Name, State: notifier.ChannelReachable}
	switch {
	case ch.IsArchived:
		out.State = notifier.ChannelUnreachable
		out.Detail = out.Name + " is archived: unarchive it or point the channel at another one"
	case ch.IsMember:
	case !ch.IsPrivate && slices.Contains(acct.Scopes, scopeWritePublic):
		out.Detail = "the bot is not a member of " + out.Name + " but may post there with the " + scopeWritePublic + " scope"
	case ch.IsPrivate:
		out.State = notifier.ChannelUnreachable
		out.Detail = "the bot is not a member of the private channel " + out.Name + ": " + invite(acct)
	default:
		out.State = notifier.ChannelUnreachable
		out.Detail = "the bot is not a member of " + out.Name + ": " + invite(acct) + ", or add the " + scopeWritePublic + " scope to the Slack app and reinstall it"
	}
	return out, nil
}

// checkError classifies a failed check; a refused token becomes a
// CredentialError, so the caller stops asking until someone acts.
func (n *Notifier) checkError(method string, err error) error {
	cerr := classify(n.secrets, method, err)
	var api slack.SlackErrorResponse
	if errors.As(err, &api) && credentialCodes[api.Err] {
		return &notifier.CredentialError{Platform: "Slack", Err: cerr}
	}
	return cerr
}

// invite says how to add the bot to a channel, by its name when known.
func invite(acct notifier.Account) string {
	name := acct.UserName
	if name == "" || !cleanCode.MatchString(name) {
		name = "<the bot>"
	}
	return "invite the bot in the channel with /invite @" + name
}

// label joins a name and its id: "Acme (T0123)".
func label(name, id string) string {
	switch {
	case name == "":
		return id
	case id == "":
		return name
	}
	return name + " (" + id + ")"
}
