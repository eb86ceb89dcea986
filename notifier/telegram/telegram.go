// Package telegram delivers outage events to Telegram chats through the
// Bot API (plain net/http, JSON bodies, parse_mode HTML with every vendor
// word escaped).
//
// An outage is one root message; its id is the remote reference, as
// Slack's ts is. Updates and the restoration are replies to it
// (reply_parameters, allow_sending_without_reply so a deleted root never
// blocks the thread), and the root is edited to the current state through
// the dispatcher's durable root edits (EditRoot). With Topics, each outage
// gets a forum topic of its own (createForumTopic), its messages go there
// (message_thread_id), and the topic is closed on restoration.
//
// # Exactly once is not possible; at most one duplicate per crash
//
// Telegram offers bots no idempotency key and no way to find a message by
// anything the sender chose: sendMessage has no client id or nonce
// (Discord's enforce_nonce), and a bot cannot read a chat's history
// (Slack's conversations.history with metadata), so a message whose answer
// was lost cannot be looked up. Recording before sending does not help:
// the message id to record is only known from the answer. What remains is
// the dispatcher's claim-send-settle: the attempt is claimed in the store
// before the call and settled after it, so an attempt whose answer is lost
// (a crash, a dropped connection, a timeout after Telegram stored it) is
// sent once more on retry, and one that was recorded never is. Each such
// loss costs at most one duplicate message, never more; the store test in
// this package proves the bound.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/tmpl"
	"github.com/outagebot/outagebot/outage"
)

// Options configure a Notifier.
type Options struct {
	// Token is the bot token from @BotFather ("123456:ABC-DEF...").
	Token string
	// APIURL replaces https://api.telegram.org; methods stay at
	// /bot{token}/{method}.
	APIURL string
	// HTTPClient is an optional base client.
	HTTPClient *http.Client
	// Log receives warnings (a migrated group, a topic not closed); nil
	// discards.
	Log *slog.Logger
	// Topics opens a forum topic per outage.
	Topics bool
	// Templates, if set, render outage messages from the channel's
	// templates and locale.
	Templates *tmpl.Renderer
	// Lang is the language of the chat's messages (en, de); empty or
	// unknown is English.
	Lang string
}

// Notifier posts to Telegram chats as a bot. Destination.Address is the
// chat id (numeric, negative for groups) or @channelusername.
type Notifier struct {
	c      *Client
	log    *slog.Logger
	topics bool
	render renderer

	mu sync.Mutex
	// migrated follows groups that became supergroups: old chat id to new.
	migrated map[string]string
	// topicFor remembers the topic created for an opened delivery whose
	// message is not yet sent, so a retry in this process reuses it
	// instead of opening another.
	topicFor map[int64]int64
}

var (
	_ notifier.Notifier   = (*Notifier)(nil)
	_ notifier.RootEditor = (*Notifier)(nil)
)

// maxTopicCache bounds topicFor; it is cleared when full.
const maxTopicCache = 1024

// New builds a Notifier. It makes no network call.
func New(opts Options) (*Notifier, error) {
	c, err := NewClient(opts.Token, opts.APIURL, opts.HTTPClient)
	if err != nil {
		return nil, err
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{c: c, log: log, topics: opts.Topics, render: renderer{t: opts.Templates, p: i18n.For(opts.Lang)},
		migrated: map[string]string{}, topicFor: map[int64]int64{}}, nil
}

// Client is the notifier's Bot API client (command answers use it too).
func (n *Notifier) Client() *Client { return n.c }

var chatIDForm = regexp.MustCompile(`^(-?[1-9][0-9]{0,18}|@[A-Za-z][A-Za-z0-9_]{3,31})$`)

// ValidChatID reports whether s is a chat id Telegram accepts: an integer
// (negative for groups and channels) or @username of a public channel or
// supergroup.
func ValidChatID(s string) bool { return chatIDForm.MatchString(s) }

// chatID is a chat id as JSON: a number when numeric, else the @name.
func chatID(s string) any {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	return s
}

// ref is a root reference: the message id and, with topics, the topic
// ("123" or "123/45").
type ref struct{ msg, topic int64 }

func parseRef(r notifier.RemoteRef) (ref, bool) {
	m, t, hasTopic := strings.Cut(string(r), "/")
	var out ref
	var err error
	if out.msg, err = strconv.ParseInt(m, 10, 64); err != nil || out.msg <= 0 {
		return ref{}, false
	}
	if hasTopic {
		if out.topic, err = strconv.ParseInt(t, 10, 64); err != nil || out.topic <= 0 {
			return ref{}, false
		}
	}
	return out, true
}

func (r ref) String() string {
	if r.topic != 0 {
		return fmt.Sprintf("%d/%d", r.msg, r.topic)
	}
	return strconv.FormatInt(r.msg, 10)
}

// sendParams are sendMessage's (https://core.telegram.org/bots/api#sendmessage).
type sendParams struct {
	ChatID             any              `json:"chat_id"`
	MessageThreadID    int64            `json:"message_thread_id,omitempty"`
	Text               string           `json:"text"`
	ParseMode          string           `json:"parse_mode"`
	LinkPreviewOptions *linkPreview     `json:"link_preview_options,omitempty"`
	ReplyParameters    *replyParameters `json:"reply_parameters,omitempty"`
}

type linkPreview struct {
	IsDisabled bool `json:"is_disabled"`
}

type replyParameters struct {
	MessageID                int64 `json:"message_id"`
	AllowSendingWithoutReply bool  `json:"allow_sending_without_reply"`
}

type editParams struct {
	ChatID             any          `json:"chat_id"`
	MessageID          int64        `json:"message_id"`
	Text               string       `json:"text"`
	ParseMode          string       `json:"parse_mode"`
	LinkPreviewOptions *linkPreview `json:"link_preview_options,omitempty"`
}

type topicParams struct {
	ChatID          any    `json:"chat_id"`
	Name            string `json:"name,omitempty"`
	MessageThreadID int64  `json:"message_thread_id,omitempty"`
}

// message is the part of a Message the notifier reads.
type message struct {
	MessageID int64 `json:"message_id"`
}

// Deliver posts one event: opened posts the root (in a new topic with
// Topics) and returns its reference; updated and resolved reply under
// d.Root and return the root's reference, and a restoration closes the
// outage's topic. Without a root they post a new root instead. An outage
// that joined another's thread only replies there. A digest is a message
// of its own, and so is a group of outages opening at once.
func (n *Notifier) Deliver(ctx context.Context, d notifier.Delivery) (notifier.RemoteRef, error) {
	chat := d.Destination.Address
	if !ValidChatID(chat) {
		return "", &notifier.PermanentError{Err: fmt.Errorf("telegram: chat id %q is not a Telegram chat id", chat), Fix: fixChat}
	}
	ev := d.Event
	root, hasRoot := parseRef(d.Root)
	if len(d.Group) > 0 {
		r, err := n.send(ctx, d.Pace, chat, RenderGroup(n.render.p, d.Group), ref{})
		return refOf(r, 0), err
	}
	switch ev.Kind {
	case outage.Digest:
		r, err := n.send(ctx, d.Pace, chat, RenderDigest(ev.In(n.render.p.Lang())), ref{})
		return refOf(r, 0), err
	case outage.Report:
		if !hasRoot {
			r, err := n.send(ctx, d.Pace, chat, RenderDigest(ev.In(n.render.p.Lang())), ref{})
			return refOf(r, 0), err
		}
		return n.reply(ctx, d, chat, RenderDigest(ev.In(n.render.p.Lang())), root)
	case outage.Opened:
		if !d.Joined || !hasRoot {
			return n.open(ctx, d, chat)
		}
	case outage.Updated, outage.Resolved:
		if !hasRoot {
			return n.open(ctx, d, chat)
		}
	default:
		return "", &notifier.PermanentError{Err: fmt.Errorf("telegram: unknown event kind %q", ev.Kind), Fix: "upgrade outagebot"}
	}
	text := n.render.reply(ev)
	if d.GroupedRoot || (d.Joined && n.render.t != nil) {
		text = named(ev, text)
	}
	r, err := n.reply(ctx, d, chat, text, root)
	if err == nil && ev.Kind == outage.Resolved && root.topic != 0 && !d.Joined && !d.GroupedRoot {
		n.closeTopic(ctx, d.Pace, chat, root.topic, ev)
	}
	return r, err
}

// open posts the root of an outage's thread, in a topic of its own with
// Topics.
func (n *Notifier) open(ctx context.Context, d notifier.Delivery, chat string) (notifier.RemoteRef, error) {
	var topic int64
	if n.topics && d.Event.Kind != outage.Resolved {
		var err error
		if topic, err = n.topic(ctx, d, chat); err != nil {
			return "", err
		}
	}
	r, err := n.send(ctx, d.Pace, chat, n.render.root(d.Event), ref{topic: topic})
	if err != nil {
		return "", err
	}
	n.mu.Lock()
	delete(n.topicFor, d.OutboxID)
	n.mu.Unlock()
	return refOf(r, topic), nil
}

// reply posts text under root and returns root's reference (the thread's
// root stays the same).
func (n *Notifier) reply(ctx context.Context, d notifier.Delivery, chat, text string, root ref) (notifier.RemoteRef, error) {
	if _, err := n.send(ctx, d.Pace, chat, text, root); err != nil {
		return "", err
	}
	return notifier.RemoteRef(root.String()), nil
}

func refOf(msg int64, topic int64) notifier.RemoteRef {
	if msg == 0 {
		return ""
	}
	return notifier.RemoteRef(ref{msg: msg, topic: topic}.String())
}

// send posts text, as a reply to under.msg and in topic under.topic when
// set, and returns the new message's id.
func (n *Notifier) send(ctx context.Context, pace notifier.Pacer, chat, text string, under ref) (int64, error) {
	p := sendParams{Text: text, ParseMode: "HTML", LinkPreviewOptions: &linkPreview{IsDisabled: true}, MessageThreadID: under.topic}
	if under.msg != 0 {
		p.ReplyParameters = &replyParameters{MessageID: under.msg, AllowSendingWithoutReply: true}
	}
	var m message
	err := n.call(ctx, pace, chat, "sendMessage", func(id any) any { p.ChatID = id; return p }, &m)
	if err != nil {
		return 0, err
	}
	if m.MessageID <= 0 {
		return 0, &transportError{msg: "telegram: sendMessage: the answer has no message_id"}
	}
	return m.MessageID, nil
}

// EditRoot edits the root message to e.Event's state. "message is not
// modified" (the root already shows it, after a retry) is success; a
// root that no longer exists is a refusal.
func (n *Notifier) EditRoot(ctx context.Context, e notifier.RootEdit) error {
	chat := e.Destination.Address
	root, ok := parseRef(e.Root)
	if !ValidChatID(chat) || !ok {
		return &notifier.PermanentError{Err: fmt.Errorf("telegram: cannot edit root %q in chat %q", e.Root, chat), Rejected: true}
	}
	p := editParams{MessageID: root.msg, Text: n.render.root(e.Event), ParseMode: "HTML", LinkPreviewOptions: &linkPreview{IsDisabled: true}}
	err := n.call(ctx, e.Pace, chat, "editMessageText", func(id any) any { p.ChatID = id; return p }, nil)
	if a := apiError(err); a != nil && strings.Contains(strings.ToLower(a.Description), "message is not modified") {
		return nil
	}
	return err
}

// topic creates the outage's forum topic, or returns the one created by
// an earlier attempt of the same delivery in this process.
func (n *Notifier) topic(ctx context.Context, d notifier.Delivery, chat string) (int64, error) {
	n.mu.Lock()
	id, ok := n.topicFor[d.OutboxID]
	n.mu.Unlock()
	if ok {
		return id, nil
	}
	p := topicParams{Name: TopicName(n.render.p, d.Event)}
	var t struct {
		MessageThreadID int64 `json:"message_thread_id"`
	}
	if err := n.call(ctx, d.Pace, chat, "createForumTopic", func(id any) any { p.ChatID = id; return p }, &t); err != nil {
		return 0, err
	}
	if t.MessageThreadID <= 0 {
		return 0, &transportError{msg: "telegram: createForumTopic: the answer has no message_thread_id"}
	}
	n.mu.Lock()
	if len(n.topicFor) >= maxTopicCache {
		clear(n.topicFor)
	}
	n.topicFor[d.OutboxID] = t.MessageThreadID
	n.mu.Unlock()
	return t.MessageThreadID, nil
}

// closeTopic closes a resolved outage's topic. A failure is logged, not
// returned: the restoration is posted, and failing the delivery would post
// it again.
func (n *Notifier) closeTopic(ctx context.Context, pace notifier.Pacer, chat string, topic int64, ev outage.Event) {
	p := topicParams{MessageThreadID: topic}
	err := n.call(ctx, pace, chat, "closeForumTopic", func(id any) any { p.ChatID = id; return p }, nil)
	if err != nil && !strings.Contains(strings.ToLower(err.Error()), "topic_not_modified") {
		n.log.Warn("cannot close the outage's forum topic; it stays open", "chat", chat, "topic", topic, "target", ev.Target, "outage", ev.OutageID, "err", err)
	}
}

// call waits for the pace, calls method in chat (following a group that
// became a supergroup) and decodes the result.
func (n *Notifier) call(ctx context.Context, pace notifier.Pacer, chat, method string, params func(chatID any) any, result any) error {
	configured := chat
	n.mu.Lock()
	to, moved := n.migrated[configured]
	n.mu.Unlock()
	if moved {
		chat = to
	}
	if err := notifier.Wait(ctx, pace); err != nil {
		return err
	}
	err := n.c.Call(ctx, method, params(chatID(chat)), result)
	a := apiError(err)
	if a == nil || a.MigrateTo == 0 {
		return err
	}
	// The group became a supergroup with a new id: follow it now, and ask
	// the operator to put the new id in the configuration.
	to = strconv.FormatInt(a.MigrateTo, 10)
	n.log.Warn("the Telegram group became a supergroup with a new chat id; sending there. Set it in the configuration",
		"old_chat", chat, "new_chat", to, "fix", fmt.Sprintf("telegram = %q in [[channel]]", to))
	n.mu.Lock()
	n.migrated[configured] = to
	n.mu.Unlock()
	if err := notifier.Wait(ctx, pace); err != nil {
		return err
	}
	err = n.c.Call(ctx, method, params(chatID(to)), result)
	if a := apiError(err); a != nil && a.MigrateTo != 0 {
		return &notifier.PermanentError{Err: errors.New("telegram: the chat keeps moving"), Fix: fmt.Sprintf("set telegram = \"%d\" in [[channel]]", a.MigrateTo)}
	}
	return err
}
