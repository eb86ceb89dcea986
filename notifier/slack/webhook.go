package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/slack-go/slack"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/tmpl"
	"github.com/outagebot/outagebot/outage"
)

// Webhook delivers events to a Slack incoming webhook. A webhook can neither
// reply in a thread nor edit, so every event is a message of its own,
// rendered like the root of the outage in its current state. Nothing can be
// looked up either: a delivery whose answer was lost may be posted twice.
//
// The webhook URL is a secret: it never appears in an error or a log line.
type Webhook struct {
	url     string
	secrets []string
	client  *http.Client
	log     *slog.Logger
	render  renderer
}

var _ notifier.Notifier = (*Webhook)(nil)

// NewWebhook returns a notifier posting to the incoming webhook at rawURL.
// httpClient may be nil (http.DefaultClient), and so may log.
func NewWebhook(rawURL string, httpClient *http.Client, log *slog.Logger) *Webhook {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	secrets := []string{rawURL}
	if u, err := url.Parse(rawURL); err == nil {
		// The path (/services/T.../B.../secret) is the credential; it is
		// also redacted wherever it shows up without the host.
		if u.Path != "" && u.Path != "/" {
			secrets = append(secrets, u.Path)
		}
		if u.RawQuery != "" {
			secrets = append(secrets, u.RawQuery)
		}
	}
	return &Webhook{url: rawURL, secrets: secrets, client: httpClient, log: log, render: renderer{p: i18n.For(i18n.Default)}}
}

// SetTemplates renders outage messages from a channel's templates; call it
// before the first delivery.
func (w *Webhook) SetTemplates(t *tmpl.Renderer) { w.render.t = t }

// SetLang writes messages in lang (an i18n language); call it before the
// first delivery.
func (w *Webhook) SetLang(lang string) { w.render.p = i18n.For(lang) }

// Deliver posts the event as a message of its own and returns an empty
// reference: a webhook message cannot be replied to or edited.
func (w *Webhook) Deliver(ctx context.Context, d notifier.Delivery) (notifier.RemoteRef, error) {
	if w.url == "" {
		return "", &notifier.PermanentError{Err: errors.New("slack webhook: no URL"), Fix: "set the channel's webhook_url"}
	}
	msg := w.render.root(d.Event)
	if d.Event.Kind == outage.Digest || d.Event.Kind == outage.Report {
		msg = RenderDigest(w.render.p, d.Event)
	}
	noUnfurl := false
	wm := &slack.WebhookMessage{
		Text:        msg.Text,
		Blocks:      &slack.Blocks{BlockSet: msg.Blocks},
		Attachments: msg.Attachments,
		UnfurlLinks: &noUnfurl,
		UnfurlMedia: &noUnfurl,
	}
	if err := notifier.Wait(ctx, d.Pace); err != nil {
		return "", err
	}
	var err error
	if w.client != nil {
		err = slack.PostWebhookCustomHTTPContext(ctx, w.url, w.client, wm)
	} else {
		err = slack.PostWebhookContext(ctx, w.url, wm)
	}
	if err != nil {
		return "", w.classify(err)
	}
	w.log.Debug("posted to the Slack webhook", "dest", d.Destination.String(), "outage", d.Event.OutageID, "seq", d.Event.Seq)
	return "", nil
}

// classify sorts a webhook failure. Slack answers a webhook's permanent
// problems with 4xx statuses: 400 invalid_payload, 403 action_prohibited,
// 404 no_service or channel_not_found, 410 channel_is_archived
// (https://api.slack.com/messaging/webhooks#handling_errors).
func (w *Webhook) classify(err error) error {
	var status slack.StatusCodeError
	if !errors.As(err, &status) || transientStatus(status.Code) {
		return classify(w.secrets, "webhook", err)
	}
	cerr := newCallError(w.secrets, "webhook", fmt.Sprintf("HTTP %d", status.Code), err)
	fix := hookFix(status.Code)
	return &notifier.PermanentError{Err: cerr, Fix: fix, Rejected: fix == fixPayload}
}

// transientStatus reports whether a webhook's HTTP status mends itself:
// Slack away, busy or slow.
func transientStatus(code int) bool {
	return code >= 500 || code == http.StatusTooManyRequests || code == http.StatusRequestTimeout
}

// hookFix is what to do about a webhook's permanent 4xx.
func hookFix(code int) string {
	switch code {
	case http.StatusBadRequest:
		return fixPayload
	case http.StatusForbidden:
		return "Slack refuses posts through this webhook (action_prohibited): check the app's permissions in the workspace"
	case http.StatusGone:
		return "the webhook's channel is archived: unarchive it or create a new incoming webhook and update webhook_url"
	}
	return "the webhook no longer exists (or its channel was deleted): create a new incoming webhook and update webhook_url"
}

// CheckHook asks Slack whether the webhook exists without posting: it
// sends a message with no text, which Slack refuses with 400 no_text (or
// invalid_payload) only after it has found the webhook, and with the
// documented codes when the webhook is gone (404 no_service, 403
// invalid_token or action_prohibited, 410 channel_is_archived;
// https://api.slack.com/messaging/webhooks#handling_errors). An error
// means Slack could not answer; ask again later.
func (w *Webhook) CheckHook(ctx context.Context) (notifier.ChannelCheck, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, strings.NewReader("{}"))
	if err != nil {
		return notifier.ChannelCheck{State: notifier.ChannelUnreachable, Detail: "webhook_url is not a URL that can be called"}, nil
	}
	req.Header.Set("Content-Type", "application/json")
	client := w.client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return notifier.ChannelCheck{}, classify(w.secrets, "webhook", err)
	}
	defer resp.Body.Close()
	// The answer is a short code; a longer body is not Slack's.
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	code := redact(w.secrets, strings.TrimSpace(string(b)))
	switch {
	case resp.StatusCode == http.StatusBadRequest:
		return notifier.ChannelCheck{State: notifier.ChannelReachable,
			Detail: "Slack incoming webhook: Slack knows it (it answered " + code + " to an empty message; nothing was posted)"}, nil
	case transientStatus(resp.StatusCode):
		return notifier.ChannelCheck{}, newCallError(w.secrets, "webhook", fmt.Sprintf("HTTP %d", resp.StatusCode), errors.New(code))
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		// Slack never takes an empty message: this is something else
		// answering on that URL.
		return notifier.ChannelCheck{State: notifier.ChannelUnchecked,
			Detail: fmt.Sprintf("the URL answered HTTP %d to an empty message, as Slack never does: check webhook_url", resp.StatusCode)}, nil
	}
	return notifier.ChannelCheck{State: notifier.ChannelUnreachable, Detail: fmt.Sprintf("Slack answered HTTP %d %s: %s", resp.StatusCode, code, hookFix(resp.StatusCode))}, nil
}
