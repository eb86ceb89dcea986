// Package discord delivers outage events to Discord with a bot token
// (Notifier) or through a channel webhook (Webhook), using discordgo's REST
// calls and no gateway connection.
//
// An outage is one root message. Updates are replies to it (or, with
// Threads, messages in a thread started from it); the root is edited
// (EditRoot, which the dispatcher calls after each reply and retries as work
// of its own) to the current state after every update, and to green
// "Resolved, lasted 1h 12m" on restoration.
//
// Delivery is idempotent across a crash between sending and recording:
// every bot message carries nonce = the outbox id with enforce_nonce, so
// Discord answers a repeated send within a few minutes with the first
// message instead of posting another. Retrying is the dispatcher's job:
// discordgo's own sleeping and re-sending is switched off, and errors come
// back classified as notifier.RetryAfterError (429),
// notifier.PermanentError (with a Fix) or plain retryable errors. No error or
// log line contains the bot token or a webhook URL.
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/tmpl"
	"github.com/outagebot/outagebot/outage"
)

// Options configure a bot Notifier.
type Options struct {
	// Token is the bot token (with or without the "Bot " prefix).
	Token string
	// APIURL replaces https://discord.com (scheme, host, port); paths stay
	// /api/v9/.... Empty means Discord itself.
	APIURL string
	// HTTPClient is an optional base client; its Transport (default
	// http.DefaultTransport) carries the requests.
	HTTPClient *http.Client
	// Log receives warnings (a root that could not be edited); nil discards.
	Log *slog.Logger
	// Threads posts updates in a thread started from the root message
	// instead of as replies.
	Threads bool
	// Templates, if set, render outage messages from the channel's
	// templates and locale instead of the built-in embeds.
	Templates *tmpl.Renderer
	// Lang is the language of the channel's messages (en, de); empty or
	// unknown is English.
	Lang string
	// Now is the clock that times the rate-limit waits Discord announces
	// (default time.Now); give the dispatcher's.
	Now func() time.Time
	// Mention is who a new outage's root notifies (see Mention).
	Mention Mention
	// Board and Charts say the channel keeps a pinned status board and
	// receives digest charts, so that CheckChannel asks for the
	// permissions those need (Pin Messages, Attach Files).
	Board, Charts bool
}

// Notifier posts to Discord channels as a bot. Destination.Address is the
// channel id.
type Notifier struct {
	s       *discordgo.Session
	log     *slog.Logger
	threads bool
	// board and charts: see Options.
	board, charts bool
	secrets       redactor
	render        renderer
	mention       Mention

	mu sync.Mutex
	// threaded remembers roots whose thread exists, so the common update
	// costs no thread-start call. It is only a cache: after a restart the
	// start call answers 160004 and the thread is used all the same.
	threaded map[string]bool
}

var (
	_ notifier.Notifier   = (*Notifier)(nil)
	_ notifier.RootEditor = (*Notifier)(nil)
	_ notifier.Kinds      = (*Notifier)(nil)
)

// maxThreadCache bounds the thread cache; it is cleared when full.
const maxThreadCache = 4096

// New builds a Notifier. It makes no network call.
func New(opts Options) (*Notifier, error) {
	token := strings.TrimSpace(opts.Token)
	token = strings.TrimSpace(strings.TrimPrefix(token, "Bot "))
	if token == "" {
		return nil, errors.New("discord: bot_token is empty")
	}
	origin, err := parseAPIURL(opts.APIURL)
	if err != nil {
		return nil, err
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{
		s:        newSessionAt("Bot "+token, origin, opts.HTTPClient, opts.Now),
		log:      log,
		threads:  opts.Threads,
		board:    opts.Board,
		charts:   opts.Charts,
		render:   renderer{t: opts.Templates, p: i18n.For(opts.Lang)},
		mention:  opts.Mention,
		secrets:  redactor{token},
		threaded: map[string]bool{},
	}, nil
}

// Deliver posts one event: opened posts the root and returns its id;
// updated and resolved reply under d.Root (or in its thread) and return the
// reply's id (the root's edit is EditRoot's). Without a root they post a
// new root instead. An outage that joined another's thread only replies
// there. A digest is a message of its own, and so is a group of outages
// opening at once; replies to a group name their target and leave the group
// as it is.
func (n *Notifier) Deliver(ctx context.Context, d notifier.Delivery) (notifier.RemoteRef, error) {
	ch := d.Destination.Address
	if !isSnowflake(ch) {
		return "", &notifier.PermanentError{
			Err: fmt.Errorf("discord: channel id %q is not a Discord id", ch),
			Fix: "set discord = \"<channel id>\" in [[channel]]: enable Developer Mode, right-click the channel, Copy Channel ID",
		}
	}
	ev := d.Event
	nonce := strconv.FormatInt(d.OutboxID, 10)
	root := string(d.Root)
	if len(d.Group) > 0 {
		// Not the first item's own nonce: a repeat must return the group,
		// never that item's own message (nor the other way round).
		return n.send(ctx, d.Pace, ch, RenderGroup(n.render.p, d.Group), "g"+nonce)
	}
	// A digest or a report was written in every language when it was made
	// (see outage.Written); the channel's is posted.
	switch ev.Kind {
	case outage.Digest:
		msg := RenderDigest(n.render.p, ev)
		var atts []attachment
		if ev.Chart != nil {
			atts = withChart(n.log.With("channel", ch, "outage", ev.OutageID, "outbox_id", d.OutboxID), msg, ev.Chart, n.render.p)
		}
		return n.sendFiles(ctx, d.Pace, ch, msg, nonce, atts)
	case outage.Report:
		if !isSnowflake(root) {
			return n.send(ctx, d.Pace, ch, RenderDigest(n.render.p, ev), nonce)
		}
	case outage.Opened:
		if !d.Joined || !isSnowflake(root) {
			return n.send(ctx, d.Pace, ch, n.rootMessage(ev), nonce)
		}
	case outage.Updated, outage.Resolved, outage.Acknowledged:
		if !isSnowflake(root) {
			return n.send(ctx, d.Pace, ch, n.rootMessage(ev), nonce)
		}
	default:
		return "", &notifier.PermanentError{Err: fmt.Errorf("discord: unknown event kind %q", ev.Kind), Fix: "upgrade outagebot"}
	}

	msg, name := n.render.reply(ev), ThreadName(n.render.p, ev)
	if ev.Kind == outage.Report {
		msg = RenderDigest(n.render.p, ev)
	}
	if d.GroupedRoot {
		msg, name = namedReply(ev, msg), groupThreadName(n.render.p)
	} else if d.Joined && n.render.t != nil {
		// A templated reply is its body alone: under another outage's
		// root it must say whose it is.
		msg = namedReply(ev, msg)
	}
	target := ch
	if n.threads {
		thread, err := n.thread(ctx, d.Pace, ch, root, name, ev)
		if err != nil {
			return "", err
		}
		target = thread
	}
	if target == ch {
		no := false
		msg.Reference = &discordgo.MessageReference{MessageID: root, ChannelID: ch, FailIfNotExists: &no}
	}
	ref, err := n.send(ctx, d.Pace, target, msg, nonce)
	if err != nil {
		return "", err
	}
	if ev.Kind == outage.Resolved && !d.GroupedRoot && !d.Joined {
		// When the thread ends is its owner's business.
		n.forgetThread(root)
	}
	return ref, nil
}

// EditRoot edits the root message e.Root to show e.Event's state. A root
// that no longer exists is a refusal: retrying cannot bring it back.
func (n *Notifier) EditRoot(ctx context.Context, e notifier.RootEdit) error {
	ch, root := e.Destination.Address, string(e.Root)
	if !isSnowflake(ch) || !isSnowflake(root) {
		return &notifier.PermanentError{Err: fmt.Errorf("discord: cannot edit root %q in channel %q: not Discord ids", root, ch), Rejected: true}
	}
	if err := notifier.Wait(ctx, e.Pace); err != nil {
		return err
	}
	err := n.editRoot(ctx, ch, root, e.Event)
	if apiCode(err) == codeUnknownMessage {
		return &notifier.PermanentError{Err: err, Fix: "the root message was deleted", Rejected: true}
	}
	return err
}

// messageCreate is discordgo's MessageSend plus the idempotency fields it
// lacks (https://discord.com/developers/docs/resources/message#create-message-jsonform-params).
type messageCreate struct {
	discordgo.MessageSend
	Nonce        string `json:"nonce,omitempty"`
	EnforceNonce bool   `json:"enforce_nonce,omitempty"`
	// Attachments describe msg.Files, sent in the same multipart request.
	Attachments []attachment `json:"attachments,omitempty"`
}

// send posts msg to a channel (or thread) with a nonce that makes a repeat
// return the first message.
func (n *Notifier) send(ctx context.Context, pace notifier.Pacer, channelID string, msg *discordgo.MessageSend, nonce string) (notifier.RemoteRef, error) {
	return n.sendFiles(ctx, pace, channelID, msg, nonce, nil)
}

// sendFiles is send with msg.Files attached as atts describe them, in one
// multipart request.
func (n *Notifier) sendFiles(ctx context.Context, pace notifier.Pacer, channelID string, msg *discordgo.MessageSend, nonce string, atts []attachment) (notifier.RemoteRef, error) {
	if err := notifier.Wait(ctx, pace); err != nil {
		return "", err
	}
	if len(nonce) > maxNonce {
		nonce = nonce[len(nonce)-maxNonce:]
	}
	body := messageCreate{MessageSend: *msg, Nonce: nonce, EnforceNonce: nonce != "", Attachments: atts}
	endpoint := discordgo.EndpointChannelMessages(channelID)
	ctx, info := withCallInfo(ctx)
	var (
		resp []byte
		err  error
	)
	if len(msg.Files) == 0 {
		resp, err = n.s.RequestWithBucketID(http.MethodPost, endpoint, body, endpoint, discordgo.WithContext(ctx))
	} else {
		var ctype string
		var payload []byte
		if ctype, payload, err = discordgo.MultipartBodyWithJSON(body, msg.Files); err != nil {
			return "", &notifier.PermanentError{Err: fmt.Errorf("discord: encode the message's files: %w", err), Rejected: true}
		}
		resp, err = n.s.RequestRaw(http.MethodPost, endpoint, ctype, payload, endpoint, 0, discordgo.WithContext(ctx))
	}
	op := "send message to channel " + channelID
	if err != nil {
		return "", classify(op, err, info, n.secrets, false)
	}
	var m discordgo.Message
	if err := discordgo.Unmarshal(resp, &m); err != nil || m.ID == "" {
		// Sent, but we cannot tell its id: retrying is safe (the nonce
		// returns the same message) and gets it.
		return "", &transportError{msg: fmt.Sprintf("discord: %s: unreadable answer", op), err: err}
	}
	return notifier.RemoteRef(m.ID), nil
}

// editRoot edits the root message to the event's state.
func (n *Notifier) editRoot(ctx context.Context, channelID, root string, ev outage.Event) error {
	edit := discordgo.NewMessageEdit(channelID, root).SetEmbed(withAck(n.render.p, n.render.root(ev), ev))
	edit.AllowedMentions = noMentions()
	// Buttons are set on every edit, so a root keeps them (and loses the
	// ones that no longer apply once the outage is over).
	comps := Buttons(n.render.p, ev)
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	edit.Components = &comps
	ctx, info := withCallInfo(ctx)
	_, err := n.s.ChannelMessageEditComplex(edit, discordgo.WithContext(ctx))
	return classify("edit message "+root+" in channel "+channelID, err, info, n.secrets, false)
}

// thread returns the channel to post an update in: the thread started from
// the root (its id is the root's id), started now if needed. If Discord
// refuses a thread there for good (no permission, a channel type without
// threads, a deleted root), it falls back to replying in the channel.
func (n *Notifier) thread(ctx context.Context, pace notifier.Pacer, channelID, root, name string, ev outage.Event) (string, error) {
	n.mu.Lock()
	known := n.threaded[root]
	n.mu.Unlock()
	if known {
		return root, nil
	}
	if err := notifier.Wait(ctx, pace); err != nil {
		return "", err
	}
	ctx, info := withCallInfo(ctx)
	th, err := n.s.MessageThreadStartComplex(channelID, root, &discordgo.ThreadStart{
		Name:                name,
		AutoArchiveDuration: threadArchiveMinutes,
	}, discordgo.WithContext(ctx))
	id := root
	if err == nil && th != nil && isSnowflake(th.ID) {
		id = th.ID
	}
	if err != nil {
		err = classify("start a thread on message "+root+" in channel "+channelID, err, info, n.secrets, false)
		switch {
		case apiCode(err) == codeThreadAlreadyCreated:
		case notifier.IsPermanent(err):
			n.log.Warn("cannot start a thread for the outage; replying in the channel instead",
				"channel", channelID, "root", root, "target", ev.Target, "outage", ev.OutageID, "err", err)
			return channelID, nil
		default:
			return "", err
		}
	}
	n.mu.Lock()
	if len(n.threaded) >= maxThreadCache {
		clear(n.threaded)
	}
	n.threaded[root] = true
	n.mu.Unlock()
	return id, nil
}

func (n *Notifier) forgetThread(root string) {
	n.mu.Lock()
	delete(n.threaded, root)
	n.mu.Unlock()
}
