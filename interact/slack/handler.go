package slack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/interact/guard"
)

const (
	// MaxBody bounds a slash command request. Slack's are well under 4 KiB
	// (a few form fields and at most 4000 characters of text); anything
	// larger is answered 413 before any check or parsing.
	MaxBody = 64 << 10
	// MaxPayloadBody bounds an interaction or an event. A click's payload
	// carries the whole message clicked (up to 50 blocks of up to 3000
	// characters each, and its attachments), form-encoded, and an
	// app_home_opened event the whole Home tab (up to 100 blocks): far
	// more than a slash command.
	MaxPayloadBody = 1 << 20
	// SignatureWindow is how far a request's timestamp may be from now,
	// either way: "If the difference between the current time and the
	// request timestamp is more than five minutes, ignore the request."
	// https://api.slack.com/authentication/verifying-requests-from-slack
	SignatureWindow = 5 * time.Minute
	// answerTimeout bounds the command logic: Slack shows the user an error
	// when a slash command is not answered within 3 seconds.
	// https://api.slack.com/interactivity/slash-commands#responding_basic_receipt
	answerTimeout = 2500 * time.Millisecond
	// replayTTL is how long an accepted request is remembered: its
	// timestamp passes the window from SignatureWindow before it was
	// signed (a clock ahead of ours) until SignatureWindow after.
	replayTTL = 2 * SignatureWindow
	// replayTimeout bounds the replay check, one insert in the store.
	replayTimeout = time.Second
)

// Headers of a signed request.
const (
	headerSignature = "X-Slack-Signature"
	headerTimestamp = "X-Slack-Request-Timestamp"
)

// HandlerOptions configure NewHandler.
type HandlerOptions struct {
	// SigningSecret is the app's signing secret. Empty refuses every
	// request. It never appears in a response or a log line.
	SigningSecret string
	// Commands answers the commands.
	Commands Answerer
	// Log receives refused requests (at most one line a minute, see
	// guard.Refusals) and commands that change state (default: discard).
	Log *slog.Logger
	// Now is the clock the request timestamp is checked against (default
	// time.Now).
	Now func() time.Time
	// Seen remembers the requests answered, so that one sent again is
	// refused. Give the store to share that memory with other replicas and
	// the next process; nil keeps it in this handler.
	Seen guard.Seen
	// Admins is who may mute, unmute and acknowledge; nil lets everyone.
	Admins *Admins
	// APIURL is the Web API base: besides hooks.slack.com, its host is the
	// one response_url may point to (a local stand-in in tests).
	APIURL string
	// HTTPClient posts to response_url (default: a client with a timeout).
	HTTPClient *http.Client
	// Lang is the language of each channel's answers (nil: the default).
	Lang Langs
}

// NewHandler returns the handler of Slack's slash command requests (mount it
// at POST /slack/commands). A request is answered only when its v0
// signature is valid, its timestamp within SignatureWindow of Now and it
// was not seen before; otherwise it gets 401 with the body "unauthorized"
// and nothing runs.
func NewHandler(opts HandlerOptions) http.Handler { return newHandler(opts, nil) }

// NewInteractionHandler returns the handler of clicks on the buttons of
// outage roots (mount it at POST /slack/interactions: the app's
// Interactivity Request URL). Requests are checked exactly as slash
// commands are (v0 signature, 5-minute window, replays refused: 401). A
// click is answered 200 at once; the answer to the clicker goes to the
// request's response_url (only on Slack's hosts).
func NewInteractionHandler(opts HandlerOptions, actor Actor) http.Handler {
	return newHandler(opts, actor)
}

func newHandler(opts HandlerOptions, actor Actor) *handler {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	if opts.SigningSecret == "" {
		log.Error("no Slack signing secret: every slash command will be refused")
	}
	seen := opts.Seen
	if seen == nil {
		seen = guard.NewMemory()
	}
	return &handler{
		actor:    actor,
		admins:   opts.Admins,
		langs:    opts.Lang,
		respond:  newResponder(opts.APIURL, opts.HTTPClient, log),
		secret:   []byte(opts.SigningSecret),
		commands: opts.Commands,
		log:      log,
		now:      now,
		seen:     seen,
		refused:  guard.NewRefusals(log, "refused Slack requests", now),
	}
}

type handler struct {
	// actor, when set, makes this the interactions endpoint.
	actor    Actor
	admins   *Admins
	langs    Langs
	respond  *responder
	secret   []byte
	commands Answerer
	log      *slog.Logger
	now      func() time.Time
	seen     guard.Seen
	refused  *guard.Refusals
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// The body is read whole, within a bound, before anything looks at
	// it: the signature covers its exact bytes.
	limit := int64(MaxBody)
	if h.actor != nil {
		limit = MaxPayloadBody
	}
	body, ok := readBody(w, r, limit)
	if !ok {
		return
	}

	// Slack checks a custom certificate with an ssl_check request; it
	// wants a 200 and nothing else, and it may come unsigned (Bolt answers
	// it before checking the signature). Answering it does nothing, so it
	// is answered whoever asks.
	if isSSLCheck(body) {
		w.WriteHeader(http.StatusOK)
		return
	}
	sig, reason := h.verify(r.Header, body)
	if reason != "" {
		h.refuse(w, reason, r.RemoteAddr)
		return
	}
	if !h.firstSeen(w, r, sig) {
		return
	}

	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		http.Error(w, "expected a form", http.StatusUnsupportedMediaType)
		return
	}
	if h.actor != nil {
		h.serveInteraction(w, r, body)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	cmd, err := slack.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "cannot parse the command", http.StatusBadRequest)
		return
	}

	ctx, cancel := context.WithTimeout(r.Context(), answerTimeout)
	a := answer(ctx, h.commands, h.admins, h.langs, cmd, h.log)
	cancel()

	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(renderForAsker(a))
}

// isSSLCheck reports whether body is Slack's certificate check: the form
// fields ssl_check=1 and token, and no command.
func isSSLCheck(body []byte) bool {
	form, err := url.ParseQuery(string(body))
	return err == nil && form.Get("ssl_check") == "1" && form.Get("command") == "" && form.Get("payload") == ""
}

// readBody reads a request's body whole, up to limit bytes; past that,
// or when it cannot be read, it answers (413, 400) and reports false.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	if r.ContentLength > limit {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return nil, false
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit)); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return nil, false
		}
		http.Error(w, "cannot read the request", http.StatusBadRequest)
		return nil, false
	}
	return buf.Bytes(), true
}

// refuse answers 401 with no reason: the reason goes to the rate-limited
// log.
func (h *handler) refuse(w http.ResponseWriter, reason, remote string) {
	h.refused.Refuse(reason, remote)
	http.Error(w, "unauthorized", http.StatusUnauthorized)
}

// firstSeen records a verified request's signature, which covers its
// timestamp and body, and refuses a request seen before. When the memory
// cannot be asked it answers 503: answering unchecked would let a captured
// command through.
func (h *handler) firstSeen(w http.ResponseWriter, r *http.Request, sig [sha256.Size]byte) bool {
	ctx, cancel := context.WithTimeout(r.Context(), replayTimeout)
	defer cancel()
	first, err := h.seen.Remember(ctx, "slack:"+hex.EncodeToString(sig[:]), h.now(), replayTTL)
	switch {
	case err != nil:
		h.log.Error("cannot check a Slack request for a replay; refusing it", "err", err)
		http.Error(w, "try again later", http.StatusServiceUnavailable)
		return false
	case !first:
		h.refuse(w, "replayed request", r.RemoteAddr)
		return false
	}
	return true
}

// verify checks a request's v0 signature and the age of its timestamp. It
// returns the signature, or why the request is refused.
//
// It does not use slack.NewSecretsVerifier, which would do the same
// HMAC, because that compares the timestamp with the wall clock
// (time.Since), so the window could not be checked against an injected
// clock; the HMAC comparison is constant-time (hmac.Equal) as there.
func (h *handler) verify(header http.Header, body []byte) (sig [sha256.Size]byte, reason string) {
	if len(h.secret) == 0 {
		return sig, "no signing secret configured"
	}
	ts, sigHeader := header.Get(headerTimestamp), header.Get(headerSignature)
	if ts == "" || sigHeader == "" {
		return sig, "missing signature headers"
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return sig, "malformed timestamp"
	}
	if d := h.now().Sub(time.Unix(secs, 0)); d > SignatureWindow || d < -SignatureWindow {
		return sig, "timestamp outside the 5-minute window"
	}
	hexSig, ok := strings.CutPrefix(sigHeader, "v0=")
	if !ok || hex.DecodedLen(len(hexSig)) != sha256.Size {
		return sig, "malformed signature"
	}
	if _, err := hex.Decode(sig[:], []byte(hexSig)); err != nil {
		return sig, "malformed signature"
	}
	mac := hmac.New(sha256.New, h.secret)
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	var want [sha256.Size]byte
	if !hmac.Equal(mac.Sum(want[:0]), sig[:]) {
		return sig, "invalid signature"
	}
	return sig, ""
}

// answer runs one command, logging those that change state (mute,
// unmute): who did what.
func answer(ctx context.Context, c Answerer, admins *Admins, langs Langs, cmd slack.SlashCommand, log *slog.Logger) bot.Answer {
	req := request(cmd, langs)
	req.Permit = admins.logged(cmd.UserID, log, nil)
	a := c.Run(ctx, req)
	if a.Announce != "" {
		log.Info("slash command", "user", req.User, "command", cmd.Command, "text", cmd.Text, "channel", cmd.ChannelID)
	}
	return a
}
