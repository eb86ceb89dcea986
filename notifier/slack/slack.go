// Package slack posts outages to Slack through the Web API (slack-go): one
// message per outage, every update threaded under it, the root edited to the
// outage's current state, and a restoration reply that says how long it
// lasted. Incoming webhooks, which can neither thread nor edit, are served by
// Webhook.
//
// The bot token needs these scopes:
//
//   - chat:write: post, reply and edit (chat.postMessage, chat.update);
//   - channels:history: look up an uncertain earlier post in a public
//     channel (conversations.history, conversations.replies);
//   - groups:history: the same in a private channel;
//   - files:write: share a digest's chart (files.getUploadURLExternal,
//     files.completeUploadExternal).
//
// Deliveries are made exactly once where Slack allows it: every message
// carries metadata (event_type "outagebot_event", with the outbox id), and a
// retried delivery first looks for a message with its outbox id, so a post
// whose answer was lost (a crash between "posted" and "recorded") is found
// rather than posted again.
package slack

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/tmpl"
	"github.com/outagebot/outagebot/outage"
)

// MetadataEventType is the event_type of the metadata outagebot attaches to
// every message it posts.
const MetadataEventType = "outagebot_event"

// Bounds of the look-up for a message an earlier attempt may have posted:
// at most lookupPages pages of lookupPageSize messages, from lookupSlack
// before the event.
const (
	lookupPageSize = 100
	lookupPages    = 3
	lookupSlack    = time.Hour
)

// Options configure a Notifier.
type Options struct {
	// Token is the bot token (xoxb-...). It never appears in an error or a
	// log line.
	Token string
	// APIURL is the Web API base, like "https://slack.com/api/"; empty means
	// Slack's own. A missing trailing slash is added.
	APIURL string
	// HTTPClient makes the calls (default: a plain http.Client; the
	// dispatcher's context bounds each attempt).
	HTTPClient *http.Client
	// Log receives warnings that do not fail a delivery (default: discard).
	Log *slog.Logger
	// BroadcastResolved also shows the restoration reply in the channel
	// (reply_broadcast).
	BroadcastResolved bool
	// Lang is the language of the channel's messages (an i18n language;
	// default English).
	Lang string
	// Templates, if set, render outage messages from the channel's
	// templates instead of the built-in Block Kit layout.
	Templates *tmpl.Renderer
	// Mention is who a new outage's root notifies (see Mention).
	Mention Mention
}

// Notifier delivers events to Slack channels through the Web API. The
// delivery's Destination.Address is the channel id. It is safe for
// concurrent use.
type Notifier struct {
	api       *slack.Client
	secrets   []string
	log       *slog.Logger
	broadcast bool
	render    renderer
	mention   Mention
}

var (
	_ notifier.Notifier   = (*Notifier)(nil)
	_ notifier.RootEditor = (*Notifier)(nil)
	_ notifier.Kinds      = (*Notifier)(nil)
)

// New returns a Notifier. It makes no call until the first delivery.
func New(opts Options) *Notifier {
	apiURL := opts.APIURL
	if apiURL == "" {
		apiURL = slack.APIURL
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/"
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{
		api:       slack.New(opts.Token, slack.OptionAPIURL(apiURL), slack.OptionHTTPClient(hc)),
		secrets:   []string{opts.Token},
		log:       log,
		broadcast: opts.BroadcastResolved,
		render:    renderer{p: i18n.For(opts.Lang), t: opts.Templates, chrome: true},
		mention:   opts.Mention,
	}
}

// Check verifies the token with auth.test; errors are classified like a
// delivery's.
func (n *Notifier) Check(ctx context.Context) error {
	if _, err := n.api.AuthTestContext(ctx); err != nil {
		return classify(n.secrets, "auth.test", err)
	}
	return nil
}

// Deliver posts one event. An opened event posts the root and returns its
// ts. An updated or resolved event replies in the root's thread and returns
// the reply's ts; the dispatcher then has the root edited to the current
// state (EditRoot) as work of its own. Without a root (the opened event could not be delivered) the
// event is posted as a new top-level message, which becomes the root. An
// outage that joined another's thread only replies there. A digest is
// always a top-level message of its own, and so is a group of outages
// opening at once; replies under a group name their target and leave the
// group as it is.
func (n *Notifier) Deliver(ctx context.Context, d notifier.Delivery) (notifier.RemoteRef, error) {
	ch := d.Destination.Address
	if ch == "" {
		return "", &notifier.PermanentError{
			Err: errors.New("slack: no channel id for " + d.Destination.String()),
			Fix: `set the channel's slack = "C..." to the channel id`,
		}
	}
	log := n.log.With("channel", ch, "target", d.Event.Target, "outage", d.Event.OutageID,
		"event", d.Event.Kind, "seq", d.Event.Seq, "outbox_id", d.OutboxID)

	root := string(d.Root)
	if len(d.Group) > 0 {
		ts, err := n.post(ctx, log, ch, "", d, RenderGroup(n.render.p, d.Group))
		return notifier.RemoteRef(ts), err
	}
	// A digest or a report was written in every language when it was made
	// (see outage.Written); the channel's is posted.
	if d.Event.Kind == outage.Digest {
		ts, err := n.post(ctx, log, ch, "", d, RenderDigest(n.render.p, d.Event))
		if err == nil && d.Event.Chart != nil {
			err = n.shareChart(ctx, log, ch, ts, d)
		}
		return notifier.RemoteRef(ts), err
	}
	if d.Event.Kind == outage.Report {
		ts, err := n.post(ctx, log, ch, root, d, RenderDigest(n.render.p, d.Event))
		return notifier.RemoteRef(ts), err
	}
	if d.Joined && root != "" {
		// The root is another outage's: reply in its thread, never edit it,
		// and say whose reply it is when the rendering would not.
		msg := n.render.reply(d.Event)
		if d.GroupedRoot || !d.Event.Joined() || n.render.t != nil {
			msg = namedReply(d.Event, msg)
		}
		ts, err := n.post(ctx, log, ch, root, d, msg)
		return notifier.RemoteRef(ts), err
	}
	if d.Event.Kind == outage.Opened || root == "" {
		msg := n.render.root(d.Event)
		if n.mention.applies(d.Event) {
			msg = withMention(msg, n.mention.text())
		}
		ts, err := n.post(ctx, log, ch, "", d, msg)
		return notifier.RemoteRef(ts), err
	}
	if d.GroupedRoot {
		// The root lists several outages: editing it to this one's state
		// would erase the others.
		ts, err := n.post(ctx, log, ch, root, d, namedReply(d.Event, n.render.reply(d.Event)))
		return notifier.RemoteRef(ts), err
	}
	ts, err := n.post(ctx, log, ch, root, d, n.render.reply(d.Event))
	return notifier.RemoteRef(ts), err
}

// post posts msg at the top of the channel (root empty) or in root's
// thread, unless an earlier attempt of the same delivery already did.
func (n *Notifier) post(ctx context.Context, log *slog.Logger, ch, root string, d notifier.Delivery, msg Message) (string, error) {
	if d.Attempt > 0 {
		ts, err := n.lookup(ctx, ch, root, d)
		switch {
		case err != nil:
			log.Warn("cannot look for an earlier attempt's message; posting, which may repeat it", "err", err)
		case ts != "":
			log.Info("an earlier attempt had posted this event; not posting it again", "ts", ts)
			return ts, nil
		}
	}
	opts := append(msg.options(),
		slack.MsgOptionMetadata(metadata(d)),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl())
	if root != "" {
		opts = append(opts, slack.MsgOptionTS(root))
		if d.Event.Kind == outage.Resolved && n.broadcast {
			opts = append(opts, slack.MsgOptionBroadcast())
		}
	}
	if err := notifier.Wait(ctx, d.Pace); err != nil {
		return "", err
	}
	_, ts, err := n.api.PostMessageContext(ctx, ch, opts...)
	if err != nil {
		return "", classify(n.secrets, "chat.postMessage", err)
	}
	return ts, nil
}

// goneCodes are chat.update's answers for a root that can no longer be
// edited (https://api.slack.com/methods/chat.update#errors): retrying
// cannot help.
var goneCodes = map[string]bool{
	"message_not_found":   true,
	"cant_update_message": true,
	"edit_window_closed":  true,
}

// EditRoot edits the root e.Root to show e.Event's state (chat.update).
// Editing to the same state again is harmless, so a retry needs no
// look-up.
func (n *Notifier) EditRoot(ctx context.Context, e notifier.RootEdit) error {
	ch := e.Destination.Address
	if ch == "" || e.Root == "" {
		return &notifier.PermanentError{Err: errors.New("slack: root edit without a channel or root for " + e.Destination.String()), Rejected: true}
	}
	if err := notifier.Wait(ctx, e.Pace); err != nil {
		return err
	}
	_, _, _, err := n.api.UpdateMessageContext(ctx, ch, string(e.Root), n.render.root(e.Event).options()...)
	if err == nil {
		return nil
	}
	cerr := classify(n.secrets, "chat.update", err)
	var api slack.SlackErrorResponse
	if errors.As(err, &api) && goneCodes[api.Err] && !notifier.IsPermanent(cerr) {
		return &notifier.PermanentError{Err: cerr, Fix: "the root message was deleted or can no longer be edited", Rejected: true}
	}
	return cerr
}

// lookup finds the message an earlier attempt of d posted: in the channel's
// recent history for a top-level message, in root's thread for a reply. It
// returns "" when there is none.
func (n *Notifier) lookup(ctx context.Context, ch, root string, d notifier.Delivery) (string, error) {
	oldest := ""
	if !d.Event.At.IsZero() {
		oldest = slackTS(d.Event.At.Add(-lookupSlack))
	}
	cursor := ""
	for range lookupPages {
		var (
			msgs []slack.Message
			more bool
			next string
			err  error
		)
		if root == "" {
			var resp *slack.GetConversationHistoryResponse
			resp, err = n.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
				ChannelID: ch, Cursor: cursor, Limit: lookupPageSize, Oldest: oldest, IncludeAllMetadata: true,
			})
			if err != nil {
				return "", classify(n.secrets, "conversations.history", err)
			}
			msgs, more, next = resp.Messages, resp.HasMore, resp.ResponseMetaData.NextCursor
		} else {
			msgs, more, next, err = n.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
				ChannelID: ch, Timestamp: root, Cursor: cursor, Limit: lookupPageSize, Oldest: oldest, IncludeAllMetadata: true,
			})
			if err != nil {
				return "", classify(n.secrets, "conversations.replies", err)
			}
		}
		for _, m := range msgs {
			_, isGroup := m.Metadata.EventPayload["group"]
			if m.Metadata.EventType == MetadataEventType && payloadInt(m.Metadata.EventPayload["outbox_id"]) == d.OutboxID && isGroup == (len(d.Group) > 0) {
				return m.Timestamp, nil
			}
		}
		if !more || next == "" {
			break
		}
		cursor = next
	}
	return "", nil
}

// metadata marks a message with its delivery, so a retry can find it.
func metadata(d notifier.Delivery) slack.SlackMetadata {
	p := map[string]any{
		"outbox_id": d.OutboxID,
		"outage_id": d.Event.OutageID,
		"seq":       d.Event.Seq,
	}
	if len(d.Group) > 0 {
		// A grouped message carries its first item's outbox id, which that
		// item's own message may carry too: the look-up tells them apart.
		p["group"] = len(d.Group)
	}
	return slack.SlackMetadata{EventType: MetadataEventType, EventPayload: p}
}

// payloadInt reads an integer from decoded metadata (a JSON number or a
// string); -1 when it is neither.
func payloadInt(v any) int64 {
	switch v := v.(type) {
	case float64:
		if v == float64(int64(v)) {
			return int64(v)
		}
	case string:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	case int64:
		return v
	case int:
		return int64(v)
	}
	return -1
}

// slackTS is t as a Slack timestamp ("1700000000.000000").
func slackTS(t time.Time) string {
	us := t.UnixMicro()
	if us < 0 {
		return "0"
	}
	return strconv.FormatInt(us/1e6, 10) + "." + leftPad(strconv.FormatInt(us%1e6, 10), 6)
}

func leftPad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat("0", n-len(s)) + s
}

// options are the message's content as chat options.
func (m Message) options() []slack.MsgOption {
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(m.Blocks...)}
	if len(m.Attachments) > 0 {
		opts = append(opts, slack.MsgOptionAttachments(m.Attachments...))
	}
	return opts
}
