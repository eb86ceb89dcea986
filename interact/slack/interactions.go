package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
)

// Actor answers the buttons on outage roots (*bot.Commands).
type Actor interface {
	Act(ctx context.Context, r bot.Request, id string) bot.Answer
}

var _ Actor = (*bot.Commands)(nil)

// respondTimeout bounds one post to a response_url.
const respondTimeout = 10 * time.Second

// responder posts answers to the response_url Slack gives with each
// click: only to Slack's own hosts (or the configured API's host, for a
// local stand-in), since the URL comes from the request.
type responder struct {
	client *http.Client
	hosts  []string
	log    *slog.Logger
	wg     sync.WaitGroup
}

// newResponder allows hooks.slack.com and the host of apiURL.
func newResponder(apiURL string, client *http.Client, log *slog.Logger) *responder {
	if client == nil {
		client = &http.Client{Timeout: respondTimeout}
	}
	r := &responder{client: client, hosts: []string{"hooks.slack.com"}, log: log}
	if u, err := url.Parse(apiURL); err == nil && u.Host != "" {
		r.hosts = append(r.hosts, u.Host)
	}
	return r
}

// allowed reports whether a response_url may be posted to.
func (r *responder) allowed(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return false
	}
	for _, h := range r.hosts {
		if u.Host == h && (u.Scheme == "https" || (u.Scheme == "http" && h != "hooks.slack.com")) {
			return true
		}
	}
	return false
}

// post sends resp to raw in the background: the interaction itself has
// been answered (200) already, well inside Slack's 3 seconds. outcome is
// what came of the click, for the log when there is nowhere to answer.
func (r *responder) post(raw string, resp Response, outcome string) {
	if raw == "" {
		// A click on a view (the Home tab) comes without a response_url:
		// there is no message to answer under. What it changed shows
		// where the outage is shown; a refusal shows nowhere, hence
		// the outcome here.
		r.log.Info("no answer to a Slack click outside a message: Slack gives no way to answer it", "outcome", outcome)
		return
	}
	if !r.allowed(raw) {
		r.log.Warn("not answering a Slack interaction: its response_url is not on Slack's hosts")
		return
	}
	r.wg.Go(func() {
		body, err := json.Marshal(interactionResponse{Response: resp})
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), respondTimeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, raw, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := r.client.Do(req)
		if err != nil {
			// The URL is a capability: keep it out of the log.
			var uerr *url.Error
			if errors.As(err, &uerr) {
				err = uerr.Err
			}
			r.log.Warn("cannot answer a Slack interaction", "err", err)
			return
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			r.log.Warn("Slack refused the answer to an interaction", "status", res.StatusCode)
		}
	})
}

// wait waits for answers in flight (tests, shutdown).
func (r *responder) wait() { r.wg.Wait() }

// interactionResponse is an answer posted to a response_url: a new
// message (ephemeral unless it announces), never replacing the root that
// carries the buttons.
type interactionResponse struct {
	Response
	ReplaceOriginal bool `json:"replace_original"`
}

// clicks reads the button clicks of a block_actions payload, refusing
// anything else.
func clicks(payload []byte) (slack.InteractionCallback, []string, error) {
	var cb slack.InteractionCallback
	if err := json.Unmarshal(payload, &cb); err != nil {
		return cb, nil, fmt.Errorf("cannot parse the interaction: %w", err)
	}
	ids, err := clicksOf(cb)
	return cb, ids, err
}

// clicksOf is the action ids of a parsed block_actions callback.
func clicksOf(cb slack.InteractionCallback) ([]string, error) {
	if cb.Type != slack.InteractionTypeBlockActions {
		return nil, fmt.Errorf("unused interaction type %q", cb.Type)
	}
	var ids []string
	for _, a := range cb.ActionCallback.BlockActions {
		if a != nil && a.ActionID != "" {
			ids = append(ids, a.ActionID)
		}
	}
	if len(ids) == 0 {
		return nil, errors.New("an interaction without actions")
	}
	return ids, nil
}

// Outcomes of a click, for the log.
const (
	clickDone    = "done"
	clickRefused = "refused"         // the clicker may not
	clickProblem = "not carried out" // another reason: the outage is over, the store failed, ...
)

// act runs the first click of cb (Slack sends one per block_actions) with
// the clicker's identity and permit, in the language of the channel the
// button was clicked in. It says what came of the click too.
func act(ctx context.Context, actor Actor, admins *Admins, langs Langs, cb slack.InteractionCallback, id string, log *slog.Logger) (bot.Answer, string) {
	// A click on a view (the Home tab) has no channel: the default
	// language.
	channel := firstNonEmpty(cb.Channel.ID, cb.Container.ChannelID)
	lang := langs.of(channel)
	r := bot.Request{User: i18n.For(lang).T("interact.someone", nil), UserID: cb.User.ID, UserName: firstNonEmpty(cb.User.Name, cb.User.Profile.DisplayName),
		Platform: "slack", Lang: lang}
	if cb.User.ID != "" {
		r.User = "<@" + cb.User.ID + ">"
	}
	var refused atomic.Bool
	r.Permit = admins.logged(cb.User.ID, log, &refused)
	a := actor.Act(ctx, r, id)
	outcome := clickDone
	switch {
	case refused.Load():
		outcome = clickRefused
	case a.Problem:
		outcome = clickProblem
	}
	log.Info("button", "user", r.User, "action", clipID(id), "channel", channel, "container", cb.Container.Type, "outcome", outcome)
	return a, outcome
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func clipID(s string) string {
	if len(s) > 120 {
		return s[:120]
	}
	return strings.ToValidUTF8(s, "?")
}

// serveInteraction answers a verified POST /slack/interactions: 200 at
// once with an empty body (Slack ignores a body there), the answer to the
// clicker posted to the response_url.
func (h *handler) serveInteraction(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		http.Error(w, "expected a payload", http.StatusBadRequest)
		return
	}
	cb, ids, err := clicks([]byte(form.Get("payload")))
	if err != nil {
		// A signed request of a kind the bot does not use (a modal's
		// view_submission or view_closed, a shortcut, a menu's
		// block_suggestion): an empty 200 is what each of them takes
		// as "nothing to do" (a modal closes, a menu shows no options).
		h.log.Debug("ignored a Slack interaction", "type", string(cb.Type), "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), answerTimeout)
	a, outcome := act(ctx, h.actor, h.admins, h.langs, cb, ids[0], h.log)
	cancel()
	w.WriteHeader(http.StatusOK)
	h.respond.post(cb.ResponseURL, renderForAsker(a), outcome)
}

// renderForAsker renders an answer for the person who clicked or asked:
// like Render, and when only they see it, user group mentions naming who
// may do something are shown as such (an ephemeral message pings nobody).
func renderForAsker(a bot.Answer) Response {
	r := Render(a)
	if r.ResponseType != slack.ResponseTypeEphemeral {
		return r
	}
	r.Text = groupEscaped.ReplaceAllString(r.Text, "<!subteam^$1>")
	for _, b := range r.Blocks.BlockSet {
		if s, ok := b.(*slack.SectionBlock); ok && s.Text != nil {
			s.Text.Text = groupEscaped.ReplaceAllString(s.Text.Text, "<!subteam^$1>")
		}
	}
	return r
}
