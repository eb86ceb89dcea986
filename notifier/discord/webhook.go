package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/internal/webhookurl"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/tmpl"
	"github.com/outagebot/outagebot/outage"
)

// Webhook posts through a channel webhook
// (https://discord.com/developers/docs/resources/webhook#execute-webhook).
// A webhook cannot reply, so every event is a new message; after updated
// and resolved events the dispatcher has the outage's first message edited
// to the current state (EditRoot).
//
// Webhook messages carry no nonce: a crash between posting and recording
// can post one message twice. Use a bot channel where that matters.
type Webhook struct {
	s        *discordgo.Session
	id       string
	token    string
	threadID string
	log      *slog.Logger
	secrets  redactor
	render   renderer
}

// SetTemplates renders outage messages from a channel's templates and
// locale; call it before the first delivery.
func (w *Webhook) SetTemplates(t *tmpl.Renderer) { w.render.t = t }

// SetLang writes the messages in lang (en, de; empty or unknown is
// English); call it before the first delivery.
func (w *Webhook) SetLang(lang string) { w.render.p = i18n.For(lang) }

var (
	_ notifier.Notifier   = (*Webhook)(nil)
	_ notifier.RootEditor = (*Webhook)(nil)
)

// NewWebhook builds a Webhook from its URL in any form Discord hands out
// (see package webhookurl: discord.com or discordapp.com, ptb. and canary.,
// with or without an API version, a /slack or /github suffix, ?thread_id=
// to post in a thread or forum post). Requests go to the URL's scheme and
// host (so a local fake works) with Discord's own JSON on discordgo's
// /api/v9/ paths, whatever suffix the URL had. The URL is a secret: it
// appears in no error or log line. It makes no network call.
func NewWebhook(rawURL string, httpClient *http.Client, log *slog.Logger) (*Webhook, error) {
	u, err := webhookurl.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("discord webhook_url %w", err)
	}
	if u.Platform != webhookurl.Discord {
		return nil, errors.New("discord webhook_url has no webhook id and token; want https://discord.com/api/webhooks/{id}/{token}")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	origin := &url.URL{Scheme: u.Scheme, Host: u.Host}
	return &Webhook{
		s:        newSession("", origin, httpClient),
		id:       u.ID,
		token:    u.Token,
		threadID: u.ThreadID,
		log:      log,
		secrets:  redactor{rawURL, u.Token},
		render:   renderer{p: i18n.For(i18n.Default)},
	}, nil
}

// Deliver posts the event as a new message and returns its id. The root
// (the opened event's message) is edited to the current state by EditRoot.
func (w *Webhook) Deliver(ctx context.Context, d notifier.Delivery) (notifier.RemoteRef, error) {
	ev := d.Event
	var msg *discordgo.MessageSend
	switch ev.Kind {
	case outage.Digest, outage.Report:
		msg = RenderDigest(w.render.p, ev)
	case outage.Opened:
		msg = w.render.post(ev)
	case outage.Updated, outage.Resolved:
		msg = w.render.reply(ev)
		if !isSnowflake(string(d.Root)) {
			msg = w.render.post(ev)
		}
	default:
		return "", &notifier.PermanentError{Err: fmt.Errorf("discord webhook: unknown event kind %q", ev.Kind), Fix: "upgrade outagebot"}
	}
	ref, err := w.execute(ctx, d.Pace, msg)
	if err == nil {
		w.log.Debug("posted to the Discord webhook", "dest", d.Destination.String(), "outage", ev.OutageID, "event", ev.Kind, "seq", ev.Seq)
	}
	return ref, err
}

// EditRoot edits the outage's first webhook message to e.Event's state.
func (w *Webhook) EditRoot(ctx context.Context, e notifier.RootEdit) error {
	root := string(e.Root)
	if !isSnowflake(root) {
		return &notifier.PermanentError{Err: fmt.Errorf("discord webhook: cannot edit root %q: not a Discord id", root), Rejected: true}
	}
	if err := notifier.Wait(ctx, e.Pace); err != nil {
		return err
	}
	err := w.editRoot(ctx, root, e.Event)
	if apiCode(err) == codeUnknownMessage {
		return &notifier.PermanentError{Err: err, Fix: "the webhook's first message of the outage was deleted", Rejected: true}
	}
	return err
}

func (w *Webhook) execute(ctx context.Context, pace notifier.Pacer, msg *discordgo.MessageSend) (notifier.RemoteRef, error) {
	if err := notifier.Wait(ctx, pace); err != nil {
		return "", err
	}
	params := &discordgo.WebhookParams{
		Content:         msg.Content,
		Embeds:          msg.Embeds,
		AllowedMentions: msg.AllowedMentions,
	}
	ctx, info := withCallInfo(ctx)
	opt := discordgo.WithContext(ctx)
	var m *discordgo.Message
	var err error
	if w.threadID != "" {
		m, err = w.s.WebhookThreadExecute(w.id, w.token, true, w.threadID, params, opt)
	} else {
		m, err = w.s.WebhookExecute(w.id, w.token, true, params, opt)
	}
	if err != nil {
		return "", classify("execute webhook", err, info, w.secrets, true)
	}
	if m == nil || m.ID == "" {
		return "", &transportError{msg: "discord: execute webhook: answer without a message id"}
	}
	return notifier.RemoteRef(m.ID), nil
}

func (w *Webhook) editRoot(ctx context.Context, root string, ev outage.Event) error {
	embeds := []*discordgo.MessageEmbed{w.render.root(ev)}
	ctx, info := withCallInfo(ctx)
	opts := []discordgo.RequestOption{discordgo.WithContext(ctx)}
	if w.threadID != "" {
		// A message in a thread is edited with ?thread_id=, which
		// WebhookMessageEdit has no parameter for.
		opts = append(opts, func(cfg *discordgo.RequestConfig) {
			q := cfg.Request.URL.Query()
			q.Set("thread_id", w.threadID)
			cfg.Request.URL.RawQuery = q.Encode()
		})
	}
	_, err := w.s.WebhookMessageEdit(w.id, w.token, root, &discordgo.WebhookEdit{
		Embeds:          &embeds,
		AllowedMentions: noMentions(),
	}, opts...)
	return classify("edit webhook message "+root, err, info, w.secrets, true)
}

// CheckHook asks Discord about the webhook without posting (Get Webhook
// with Token, GET /webhooks/{id}/{token}): reachable with the webhook's
// name and channel, or unreachable with the fix when Discord no longer
// knows it. An error means Discord could not answer; ask again later.
func (w *Webhook) CheckHook(ctx context.Context) (notifier.ChannelCheck, error) {
	ctx, info := withCallInfo(ctx)
	wh, err := w.s.WebhookWithToken(w.id, w.token, discordgo.WithContext(ctx))
	if err != nil {
		err = classify("get webhook", err, info, w.secrets, true)
		var perm *notifier.PermanentError
		if errors.As(err, &perm) {
			return notifier.ChannelCheck{State: notifier.ChannelUnreachable, Detail: perm.Fix}, nil
		}
		return notifier.ChannelCheck{}, err
	}
	detail := fmt.Sprintf("Discord webhook %q posting to channel %s (checked without posting)", wh.Name, wh.ChannelID)
	if w.threadID != "" {
		detail += ", in thread " + w.threadID
	}
	return notifier.ChannelCheck{Name: wh.Name, State: notifier.ChannelReachable, Detail: detail}, nil
}
