package telegram

import (
	"context"
	"fmt"
	"strconv"

	"github.com/outagebot/outagebot/notifier"
)

// user is the part of getMe's User the checks read
// (https://core.telegram.org/bots/api#user).
type user struct {
	ID                      int64  `json:"id"`
	IsBot                   bool   `json:"is_bot"`
	FirstName               string `json:"first_name"`
	Username                string `json:"username"`
	CanReadAllGroupMessages bool   `json:"can_read_all_group_messages"`
}

// Identify asks Telegram who the token is (getMe). A refused token is a
// *notifier.CredentialError; a network error or 5xx a plain, retryable one.
func (n *Notifier) Identify(ctx context.Context) (notifier.Account, error) {
	var u user
	if err := n.c.Call(ctx, "getMe", struct{}{}, &u); err != nil {
		if notifier.IsPermanent(err) {
			return notifier.Account{}, &notifier.CredentialError{Platform: "Telegram", Err: err}
		}
		return notifier.Account{}, err
	}
	id := strconv.FormatInt(u.ID, 10)
	acct := notifier.Account{User: fmt.Sprintf("@%s (%s)", u.Username, id), UserID: id, UserName: u.Username, Workspace: u.FirstName}
	if !u.IsBot {
		acct.Notes = append(acct.Notes, "the token is not a bot's: create a bot with @BotFather and use its token")
	}
	return acct, nil
}

// chat is the part of getChat's ChatFullInfo the checks read.
type chat struct {
	ID       int64  `json:"id"`
	Type     string `json:"type"`
	Title    string `json:"title"`
	Username string `json:"username"`
	IsForum  bool   `json:"is_forum"`
}

// member is the part of getChatMember's ChatMember the checks read.
type member struct {
	Status          string `json:"status"`
	CanPostMessages *bool  `json:"can_post_messages"`
	CanManageTopics *bool  `json:"can_manage_topics"`
	CanSendMessages *bool  `json:"can_send_messages"`
}

// CheckChannel asks whether the bot can post in chat id: the chat exists
// and the bot is in it (getChat), and its membership allows posting
// (getChatMember); with Topics, the chat is a forum whose topics the bot
// may manage. It sends nothing.
func (n *Notifier) CheckChannel(ctx context.Context, id string, acct notifier.Account) (notifier.ChannelCheck, error) {
	if !ValidChatID(id) {
		return notifier.ChannelCheck{State: notifier.ChannelUnreachable, Detail: fixChat}, nil
	}
	var c chat
	if err := n.c.Call(ctx, "getChat", topicParams{ChatID: chatID(id)}, &c); err != nil {
		if a := apiError(err); a != nil && a.MigrateTo != 0 {
			return notifier.ChannelCheck{State: notifier.ChannelUnreachable, Detail: fmt.Sprintf("the group became a supergroup: set telegram = \"%d\" in [[channel]]", a.MigrateTo)}, nil
		}
		if notifier.IsPermanent(err) {
			return notifier.ChannelCheck{State: notifier.ChannelUnreachable, Detail: err.Error()}, nil
		}
		return notifier.ChannelCheck{}, err
	}
	check := notifier.ChannelCheck{Name: c.Title, State: notifier.ChannelReachable}
	if c.Username != "" {
		check.Name = "@" + c.Username
	}
	if acct.UserID == "" {
		return check, nil
	}
	botID, _ := strconv.ParseInt(acct.UserID, 10, 64)
	var m member
	err := n.c.Call(ctx, "getChatMember", struct {
		ChatID any   `json:"chat_id"`
		UserID int64 `json:"user_id"`
	}{chatID(id), botID}, &m)
	if err != nil {
		if notifier.IsPermanent(err) {
			check.State, check.Detail = notifier.ChannelUnchecked, "cannot read the bot's membership: "+err.Error()
			return check, nil
		}
		return notifier.ChannelCheck{}, err
	}
	no := func(b *bool) bool { return b != nil && !*b }
	switch {
	case m.Status == "left" || m.Status == "kicked":
		check.State, check.Detail = notifier.ChannelUnreachable, "the bot is not in the chat: "+fixMember
	case c.Type == "channel" && (m.Status != "administrator" && m.Status != "creator" || no(m.CanPostMessages)):
		check.State, check.Detail = notifier.ChannelUnreachable, "in a channel the bot must be an administrator allowed to post messages"
	case m.Status == "restricted" && no(m.CanSendMessages):
		check.State, check.Detail = notifier.ChannelUnreachable, fixRights
	case n.topics && !c.IsForum:
		check.State, check.Detail = notifier.ChannelUnreachable, fixTopic
	case n.topics && m.Status != "creator" && (m.Status != "administrator" || no(m.CanManageTopics)):
		check.State, check.Detail = notifier.ChannelUnreachable, fixTopic
	}
	return check, nil
}
