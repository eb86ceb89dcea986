package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/outagebot/outagebot/interact/guard"
)

// SocketOptions configure RunSocketMode.
type SocketOptions struct {
	// AppToken is the app-level token (xapp-...) with connections:write;
	// it opens the websocket. BotToken is the bot token (xoxb-...). Neither
	// appears in an error or a log line.
	AppToken, BotToken string
	// APIURL is the Web API base, like "https://slack.com/api/"; empty means
	// Slack's own. A missing trailing slash is added. The websocket URL is
	// whatever apps.connections.open answers there.
	APIURL string
	// Commands answers the commands.
	Commands Answerer
	// Log receives connection changes, errors and commands that change
	// state (default: discard).
	Log *slog.Logger
	// HTTPClient makes the Web API calls (default: slack-go's).
	HTTPClient *http.Client
	// Actor, when set, answers clicks on the buttons of outage roots.
	Actor Actor
	// Admins is who may mute, unmute and acknowledge; nil lets everyone.
	Admins *Admins
	// HomeOpened, if set, receives the user of each app_home_opened event.
	HomeOpened func(user string)
	// Lang is the language of each channel's answers (nil: the default).
	Lang Langs
	// Seen remembers the events handled, by event_id, so that Slack's
	// redelivery of one is acked and not handled again. Give the store
	// shared with the HTTP events handler and the other replicas; nil
	// keeps them in this process.
	Seen guard.Seen
}

// RunSocketMode answers slash commands over Socket Mode until ctx is
// cancelled, then returns nil. It connects through apps.connections.open,
// acks each slash command with its answer (the JSON NewHandler would
// send), and reconnects the way slack-go's socketmode client does: when
// Slack asks it to, when the connection drops or goes silent, with backoff
// when a connection attempt fails. It returns an error only when it cannot
// run at all (no app token) or Slack refuses the token.
//
// There is no signature to check here: the websocket was opened with the
// app-level token, so everything arriving on it comes from Slack.
func RunSocketMode(ctx context.Context, opts SocketOptions) error {
	if opts.AppToken == "" {
		return errors.New("slack socket mode: no app token (xapp-...)")
	}
	if opts.Commands == nil {
		return errors.New("slack socket mode: no commands to answer")
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	apiURL := opts.APIURL
	if apiURL == "" {
		apiURL = slack.APIURL
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/"
	}
	options := []slack.Option{slack.OptionAppLevelToken(opts.AppToken), slack.OptionAPIURL(apiURL)}
	if opts.HTTPClient != nil {
		options = append(options, slack.OptionHTTPClient(opts.HTTPClient))
	}
	client := socketmode.New(slack.New(opts.BotToken, options...))

	// Answers in flight are waited for after ctx is cancelled (defers run
	// last first), so none is left blocked on a client that stopped.
	// Answers to clicks are posted after the clicks are handled: wait for
	// those last.
	respond := newResponder(apiURL, opts.HTTPClient, log)
	defer respond.wait()
	var answering sync.WaitGroup
	defer answering.Wait()
	evs := newEvents(opts.HomeOpened, opts.Seen, nil, log)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- client.RunContext(ctx) }()

	for {
		select {
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack socket mode: %w", redact(err, opts.AppToken, opts.BotToken))
		case ev := <-client.Events:
			handleEvent(ctx, client, ev, opts, log, &answering, respond, evs)
		}
	}
}

func handleEvent(ctx context.Context, client *socketmode.Client, ev socketmode.Event, opts SocketOptions, log *slog.Logger, answering *sync.WaitGroup, respond *responder, evs *events) {
	switch ev.Type {
	case socketmode.EventTypeConnected:
		log.Info("connected to Slack Socket Mode")
	case socketmode.EventTypeConnectionError:
		var err error = errors.New("unknown error")
		if e, ok := ev.Data.(*slack.ConnectionErrorEvent); ok {
			err = e.ErrorObj
		}
		log.Warn("cannot connect to Slack Socket Mode; retrying", "err", redact(err, opts.AppToken, opts.BotToken))
	case socketmode.EventTypeInvalidAuth:
		log.Error("Slack refused the app token for Socket Mode")
	case socketmode.EventTypeDisconnect:
		log.Info("Slack asked to reconnect Socket Mode")
	case socketmode.EventTypeErrorBadMessage:
		badMessage(ctx, client, ev, log, evs)
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		log.Warn("Slack Socket Mode error", "type", string(ev.Type))
	case socketmode.EventTypeSlashCommand:
		cmd, ok := ev.Data.(slack.SlashCommand)
		if !ok || ev.Request == nil {
			return
		}
		// Each command is answered on its own goroutine so a slow store
		// read does not hold up the next event.
		answering.Go(func() {
			actx, cancel := context.WithTimeout(ctx, answerTimeout)
			defer cancel()
			resp := renderForAsker(answer(actx, opts.Commands, opts.Admins, opts.Lang, cmd, log)).fit(maxSocketAck)
			if err := client.AckCtx(ctx, ev.Request.EnvelopeID, resp); err != nil && ctx.Err() == nil {
				log.Warn("cannot answer a Slack slash command", "err", err)
			}
		})
	case socketmode.EventTypeInteractive:
		if ev.Request == nil {
			return
		}
		// The click is acked at once (Slack wants it within 3 seconds);
		// the answer goes to the response_url.
		ack(ctx, client, ev.Request.EnvelopeID, log)
		cb, ok := ev.Data.(slack.InteractionCallback)
		if !ok || opts.Actor == nil {
			return
		}
		ids, err := clicksOf(cb)
		if err != nil {
			log.Debug("ignored a Slack interaction", "err", err)
			return
		}
		answering.Go(func() {
			actx, cancel := context.WithTimeout(ctx, answerTimeout)
			defer cancel()
			a, outcome := act(actx, opts.Actor, opts.Admins, opts.Lang, cb, ids[0], log)
			respond.post(cb.ResponseURL, renderForAsker(a), outcome)
		})
	case socketmode.EventTypeEventsAPI:
		// Slack redelivers what is not acked, and may deliver an event
		// again (retry_attempt) when an ack was lost: evs handles each
		// event_id once.
		if ev.Request != nil {
			if env, err := decodeEnvelope(ev.Request.Payload); err == nil {
				evs.handle(ctx, env)
			}
			ack(ctx, client, ev.Request.EnvelopeID, log)
		}
	}
}

// badMessage handles an envelope slack-go could not parse: an Events API
// event of a type it does not know, or a payload in a shape it does not
// expect. Unacked, Slack would deliver it again and again, so it is acked
// like any other; an Events API envelope is still read for what the bot
// uses, which needs only a few of its fields.
func badMessage(ctx context.Context, client *socketmode.Client, ev socketmode.Event, log *slog.Logger, evs *events) {
	bad, ok := ev.Data.(*socketmode.ErrorBadMessage)
	if !ok {
		log.Warn("Slack Socket Mode error", "type", string(ev.Type))
		return
	}
	var env struct {
		EnvelopeID string          `json:"envelope_id"`
		Type       string          `json:"type"`
		Payload    json.RawMessage `json:"payload"`
	}
	if json.Unmarshal(bad.Message, &env) != nil || env.EnvelopeID == "" {
		log.Warn("an unreadable Slack Socket Mode message", "err", bad.Cause)
		return
	}
	log.Debug("a Slack Socket Mode envelope slack-go cannot parse", "type", env.Type, "err", bad.Cause)
	if env.Type == string(socketmode.RequestTypeEventsAPI) {
		if e, err := decodeEnvelope(env.Payload); err == nil {
			evs.handle(ctx, e)
		}
	}
	ack(ctx, client, env.EnvelopeID, log)
}

// ack acknowledges an envelope with no payload. A failed ack is only
// logged: there is nothing else to do, and Slack delivers the envelope
// again.
func ack(ctx context.Context, client *socketmode.Client, envelopeID string, log *slog.Logger) {
	if err := client.AckCtx(ctx, envelopeID, nil); err != nil && ctx.Err() == nil {
		log.Warn("cannot ack a Slack Socket Mode event", "err", err)
	}
}

// redact keeps the tokens out of an error's text.
func redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return errors.New(msg)
}
