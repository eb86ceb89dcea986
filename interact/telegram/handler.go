// Package telegram answers chat commands sent to the bot in Telegram
// (/status, /incidents, /uptime, /report, /mute, /unmute, /help): Telegram
// posts each update to the bot's webhook (NewHandler, mounted at POST
// Path), the handler runs the platform-neutral command logic and answers
// with sendMessage, as a reply to the command, in the chat it came from.
// A reply is written in the sender's Telegram language when the catalog
// has it, else in the chat's.
package telegram

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/interact/guard"
)

// Path is where the webhook is served; setWebhook points Telegram at it.
const Path = "/telegram/webhook"

const (
	// MaxBody bounds an update; a text message's is a few KiB.
	MaxBody = 256 << 10
	// headerSecret carries setWebhook's secret_token in every update
	// (https://core.telegram.org/bots/api#setwebhook).
	headerSecret = "X-Telegram-Bot-Api-Secret-Token"
	// replayTTL is how long an update id is remembered: Telegram keeps an
	// undelivered update (and retries it) for up to 24 hours.
	replayTTL = 24 * time.Hour
	// replayTimeout bounds the replay check, one insert in the store.
	replayTimeout = time.Second
	// answerTimeout bounds the command and the sendMessage that answers it.
	answerTimeout = 10 * time.Second
)

// Answerer runs one chat command. *bot.Commands is the implementation.
type Answerer interface {
	Run(ctx context.Context, r bot.Request) bot.Answer
}

var _ Answerer = (*bot.Commands)(nil)

// Caller calls a Bot API method; *notifier/telegram.Client is one.
type Caller interface {
	Call(ctx context.Context, method string, params, result any) error
}

// HandlerOptions configure NewHandler.
type HandlerOptions struct {
	// Secret is the secret_token given to setWebhook. Empty refuses every
	// update. It never appears in a response or a log line.
	Secret string
	// Commands answers the commands.
	Commands Answerer
	// API sends the answers (and asks getMe for the bot's username).
	API Caller
	// Chats are the chat ids (or @usernames) commands are answered in:
	// those of the configured channels. AllowAnyChat answers in every chat.
	Chats        []string
	AllowAnyChat bool
	// Log receives refused updates (at most one line a minute) and
	// commands that change state; nil discards.
	Log *slog.Logger
	// Now is the clock of the replay memory (default time.Now).
	Now func() time.Time
	// Seen remembers the updates answered, so that one sent again is not
	// run again. Give the store to share it with other replicas and the
	// next process; nil keeps it in this handler.
	Seen guard.Seen
	// Lang gives a chat's language by its id ("-100123") or @username
	// ([[channel]] locale, else [bot] locale); nil is the default.
	Lang func(chat string) string
}

type handler struct {
	secret   []byte
	cmds     Answerer
	api      Caller
	chats    []string
	anyChat  bool
	log      *slog.Logger
	now      func() time.Time
	seen     guard.Seen
	lang     func(chat string) string
	refused  *guard.Refusals
	elsewere *guard.Refusals

	mu       sync.Mutex
	username string // the bot's, learned from getMe
}

// NewHandler serves Telegram's updates. An update is read (at most
// MaxBody) and must carry X-Telegram-Bot-Api-Secret-Token equal to Secret
// (compared in constant time); otherwise it is 401 "unauthorized", nothing
// runs, and the reason goes only to the rate-limited log. An update whose
// id was handled before is acknowledged and not run again. A command from a
// chat no channel names is ignored unless AllowAnyChat.
func NewHandler(opts HandlerOptions) http.Handler {
	h := &handler{secret: []byte(opts.Secret), cmds: opts.Commands, api: opts.API, chats: opts.Chats,
		anyChat: opts.AllowAnyChat, log: opts.Log, now: opts.Now, seen: opts.Seen, lang: opts.Lang}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.seen == nil {
		h.seen = guard.NewMemory()
	}
	if len(h.secret) == 0 {
		h.log.Error("no Telegram webhook_secret: every update will be refused")
	}
	h.refused = guard.NewRefusals(h.log, "refused Telegram updates", h.now)
	h.elsewere = guard.NewRefusals(h.log, "ignored Telegram commands from a chat no [[channel]] names (set [telegram] allow_any_chat = true to answer them)", h.now)
	return h
}

// update is the part of an Update the handler reads
// (https://core.telegram.org/bots/api#update).
type update struct {
	UpdateID    int64    `json:"update_id"`
	Message     *message `json:"message"`
	ChannelPost *message `json:"channel_post"`
}

type message struct {
	MessageID       int64  `json:"message_id"`
	MessageThreadID int64  `json:"message_thread_id"`
	IsTopicMessage  bool   `json:"is_topic_message"`
	Text            string `json:"text"`
	// Entities mark the command: {"type":"bot_command","offset":0,
	// "length":7} for "/status, please", offsets in UTF-16 units.
	Entities []entity `json:"entities"`
	From     *struct {
		ID           int64  `json:"id"`
		Username     string `json:"username"`
		FirstName    string `json:"first_name"`
		LanguageCode string `json:"language_code"`
	} `json:"from"`
	Chat struct {
		ID       int64  `json:"id"`
		Type     string `json:"type"`
		Username string `json:"username"`
	} `json:"chat"`
}

// entity is a MessageEntity (https://core.telegram.org/bots/api#messageentity).
type entity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !h.verify(r.Header.Get(headerSecret)) {
		h.refused.Refuse("missing or wrong secret token", r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, MaxBody)); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read the request", http.StatusBadRequest)
		return
	}
	var u update
	if err := json.Unmarshal(buf.Bytes(), &u); err != nil || u.UpdateID == 0 {
		http.Error(w, "not an update", http.StatusBadRequest)
		return
	}
	m := u.Message
	if m == nil {
		m = u.ChannelPost
	}
	// Everything else (edits, members joining, other bots' commands) is
	// acknowledged, so Telegram does not send it again, and ignored.
	if m == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	cmd, args, ok := h.parse(r.Context(), commandText(m))
	if !ok {
		w.WriteHeader(http.StatusOK)
		return
	}
	if !h.allowed(m) {
		h.elsewere.Refuse("chat "+strconv.FormatInt(m.Chat.ID, 10)+" is not configured", r.RemoteAddr)
		w.WriteHeader(http.StatusOK)
		return
	}
	if !h.firstSeen(w, r, u.UpdateID) {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), answerTimeout)
	defer cancel()
	req := bot.Request{Text: strings.TrimSpace(cmd + " " + args), Platform: "telegram"}
	h.languages(&req, m)
	req.User = who(m, i18n.For(req.Lang))
	a := h.cmds.Run(ctx, req)
	if a.Announce != "" {
		h.log.Info("telegram command", "user", req.User, "command", cmd, "text", args, "chat", m.Chat.ID)
	}
	if err := h.answer(ctx, m, a); err != nil {
		h.log.Warn("cannot answer a Telegram command", "chat", m.Chat.ID, "command", cmd, "err", err)
	}
	w.WriteHeader(http.StatusOK)
}

// verify compares the secret token in constant time.
func (h *handler) verify(got string) bool {
	return len(h.secret) > 0 && subtle.ConstantTimeCompare([]byte(got), h.secret) == 1
}

// commands are the ones the bot answers; /start (what Telegram sends when
// someone opens a chat with the bot) shows the help.
var commands = []string{"status", "incidents", "uptime", "digest", "report", "mute", "unmute", "help", "start"}

// commandText is m's text with its command set apart by a space, as
// Telegram marks it: a bot_command entity at the start ends where the
// command ends, also when a comma or a full stop follows it ("/status,
// please" is /status). Text without entities (a local Bot API server that
// sends none) is read as it is.
func commandText(m *message) string {
	for _, e := range m.Entities {
		if e.Type != "bot_command" || e.Offset != 0 || e.Length <= 1 {
			continue
		}
		u := utf16.Encode([]rune(m.Text))
		if e.Length > len(u) {
			return m.Text
		}
		cmd, rest := string(utf16.Decode(u[:e.Length])), string(utf16.Decode(u[e.Length:]))
		return cmd + " " + strings.TrimLeft(rest, ",.;:!? ")
	}
	return m.Text
}

// parse reads "/status@botname openai" into ("status", "openai"). A
// command addressed to another bot, or none of ours, is not one.
func (h *handler) parse(ctx context.Context, text string) (cmd, args string, ok bool) {
	if !strings.HasPrefix(text, "/") {
		return "", "", false
	}
	first, rest, _ := strings.Cut(text[1:], " ")
	if i := strings.IndexAny(first, "\n\t"); i >= 0 {
		first, rest = first[:i], first[i+1:]+" "+rest
	}
	name, target, addressed := strings.Cut(first, "@")
	name = strings.ToLower(name)
	if !slices.Contains(commands, name) {
		return "", "", false
	}
	if addressed {
		if me := h.botName(ctx); me != "" && !strings.EqualFold(target, me) {
			return "", "", false
		}
	}
	if name == "start" {
		name = "help"
	}
	return name, strings.TrimSpace(rest), true
}

// botName is the bot's username, asked of getMe once; "" while unknown
// (then a command addressed to any bot is taken as ours).
func (h *handler) botName(ctx context.Context) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.username != "" || h.api == nil {
		return h.username
	}
	var me struct {
		Username string `json:"username"`
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := h.api.Call(cctx, "getMe", struct{}{}, &me); err == nil {
		h.username = me.Username
	}
	return h.username
}

// allowed reports whether commands are answered in m's chat.
func (h *handler) allowed(m *message) bool {
	if h.anyChat {
		return true
	}
	id := strconv.FormatInt(m.Chat.ID, 10)
	return slices.ContainsFunc(h.chats, func(c string) bool {
		return c == id || m.Chat.Username != "" && strings.EqualFold(c, "@"+m.Chat.Username)
	})
}

// firstSeen remembers the update id and reports whether it is new. A
// repeat is acknowledged (200, so Telegram stops sending it) and not run.
// When the memory cannot be asked it answers 503 and Telegram tries again
// later: answering unchecked could run a command twice.
func (h *handler) firstSeen(w http.ResponseWriter, r *http.Request, id int64) bool {
	ctx, cancel := context.WithTimeout(r.Context(), replayTimeout)
	defer cancel()
	first, err := h.seen.Remember(ctx, "telegram:"+strconv.FormatInt(id, 10), h.now(), replayTTL)
	switch {
	case err != nil:
		h.log.Error("cannot check a Telegram update for a replay; refusing it", "err", err)
		http.Error(w, "try again later", http.StatusServiceUnavailable)
		return false
	case !first:
		h.refused.Refuse("replayed update", r.RemoteAddr)
		w.WriteHeader(http.StatusOK)
		return false
	}
	return true
}

// languages sets r's languages: the chat's, and the sender's own when
// Telegram sent one the catalog has.
func (h *handler) languages(r *bot.Request, m *message) {
	if h.lang != nil {
		r.Lang = h.lang(strconv.FormatInt(m.Chat.ID, 10))
		if r.Lang == "" && m.Chat.Username != "" {
			r.Lang = h.lang("@" + m.Chat.Username)
		}
	}
	if m.From != nil && m.From.LanguageCode != "" {
		r.UserLang = i18n.Match(m.From.LanguageCode)
	}
}

// who names the sender as the chat shows them; p names a channel post
// and an unknown sender (announcements name the user to the chat).
func who(m *message, p *i18n.Printer) string {
	switch {
	case m.From == nil:
		return p.T("interact.the_channel", nil)
	case m.From.Username != "":
		return "@" + m.From.Username
	case m.From.FirstName != "":
		return m.From.FirstName
	}
	return p.T("interact.someone", nil)
}

// answer sends a as a reply to the command, in its topic when it came
// from one.
func (h *handler) answer(ctx context.Context, m *message, a bot.Answer) error {
	p := map[string]any{
		"chat_id":              m.Chat.ID,
		"text":                 Render(a),
		"parse_mode":           "HTML",
		"link_preview_options": map[string]any{"is_disabled": true},
		"reply_parameters":     map[string]any{"message_id": m.MessageID, "allow_sending_without_reply": true},
	}
	if m.IsTopicMessage && m.MessageThreadID != 0 {
		p["message_thread_id"] = m.MessageThreadID
	}
	if h.api == nil {
		return errors.New("no Bot API client")
	}
	return h.api.Call(ctx, "sendMessage", p, nil)
}
