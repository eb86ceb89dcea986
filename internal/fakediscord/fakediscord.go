// Package fakediscord is an in-memory fake of the part of Discord's REST API
// (v9) that outagebot uses: channel messages (create with nonce, get, edit),
// threads started from a message, webhook execute and webhook message edit,
// the current user and application, channels, the bot's server roles and
// membership (guilds.go), application command bulk overwrite, interaction
// callbacks, and a minimal gateway (GET /gateway and a websocket that says
// HELLO, answers IDENTIFY with READY, acks heartbeats and lets a test push
// INTERACTION_CREATE). It answers on loopback only, keeps everything it was
// sent for assertions, and can inject the failures a delivery must survive:
// 5xx, 429 rate limits, hangs, a lost response after the message was stored,
// and channels the bot may not see.
//
// Point a client at it by replacing https://discord.com with URL(): paths
// stay /api/v9/... as in production.
package fakediscord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Routes, as Discord's documentation writes them, without the /api/v9
// prefix. Use them with Calls and the fault injectors.
const (
	RouteCreateMessage      = "POST /channels/{channel}/messages"
	RouteGetMessage         = "GET /channels/{channel}/messages/{message}"
	RouteEditMessage        = "PATCH /channels/{channel}/messages/{message}"
	RouteStartThread        = "POST /channels/{channel}/messages/{message}/threads"
	RouteExecuteWebhook     = "POST /webhooks/{webhook}/{token}"
	RouteGetWebhook         = "GET /webhooks/{webhook}/{token}"
	RouteGetWebhookMessage  = "GET /webhooks/{webhook}/{token}/messages/{message}"
	RouteEditWebhookMessage = "PATCH /webhooks/{webhook}/{token}/messages/{message}"
	RouteCurrentUser        = "GET /users/@me"
	// Application commands, interactions and the gateway (interactions.go).
	RouteGlobalCommands      = "PUT /applications/{app}/commands"
	RouteGuildCommands       = "PUT /applications/{app}/guilds/{guild}/commands"
	RouteInteractionCallback = "POST /interactions/{interaction}/{token}/callback"
	RouteGateway             = "GET /gateway"
	RouteGatewayBot          = "GET /gateway/bot"
	// RouteGatewaySocket is the websocket GET /gateway points to; it is not
	// under /api/v9.
	RouteGatewaySocket = "GET /gateway-ws/"
)

// Discord JSON error codes the fake answers with
// (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json).
const (
	CodeUnknownChannel       = 10003
	CodeUnknownMessage       = 10008
	CodeUnknownWebhook       = 10015
	CodeUnauthorized         = 40001
	CodeMissingAccess        = 50001
	CodeCannotEditOthers     = 50005
	CodeEmptyMessage         = 50006
	CodeMissingPermissions   = 50013
	CodeInvalidWebhookToken  = 50027
	CodeInvalidFormBody      = 50035
	CodeThreadAlreadyCreated = 160004
)

const (
	discordEpochMillis = 1420070400000
	// nonceWindow is how long an enforced nonce returns its first message;
	// Discord documents "a few minutes".
	nonceWindow               = 5 * time.Minute
	botUserID                 = "1000000000000000001"
	apiPrefix                 = "/api/v9"
	unversionedWebhooksPrefix = "/api"
)

// Limits the fake enforces, as Discord documents them
// (https://discord.com/developers/docs/resources/message#embed-object-embed-limits,
// https://discord.com/developers/docs/resources/message#create-message).
const (
	maxContent          = 2000
	maxEmbeds           = 10
	maxEmbedTitle       = 256
	maxEmbedDescription = 4096
	maxEmbedFields      = 25
	maxFieldName        = 256
	maxFieldValue       = 1024
	maxFooterText       = 2048
	maxAuthorName       = 256
	maxEmbedsTotal      = 6000
	maxNonce            = 25
	maxThreadName       = 100
)

// Message is a stored message as the fake last saw it.
type Message struct {
	ID        string
	ChannelID string
	Content   string
	Embeds    []*discordgo.MessageEmbed
	// Reference is the message_reference the message was created with (nil
	// for none, or when fail_if_not_exists=false pointed at a missing
	// message).
	Reference *discordgo.MessageReference
	// Nonce and EnforceNonce are as sent on creation.
	Nonce        string
	EnforceNonce bool
	// WebhookID is set for messages a webhook posted.
	WebhookID string
	// Components are the message's components as last sent (raw JSON,
	// nil for none); AllowedMentions as sent on creation.
	Components      json.RawMessage
	AllowedMentions *discordgo.MessageAllowedMentions
	// Thread is the id of the thread started from this message, if any.
	Thread    string
	CreatedAt time.Time
	// Edits holds the state after each edit, oldest first.
	Edits []Revision
	// Attachments are the files sent with the message (attachments.go).
	Attachments []Attachment
}

// Revision is a message's content and embeds after one edit.
type Revision struct {
	Content string
	Embeds  []*discordgo.MessageEmbed
	At      time.Time
}

// Call is one request the fake received.
type Call struct {
	Route         string
	Method        string
	Path          string
	Query         url.Values
	Authorization string
	Body          []byte
	// Status is the HTTP status answered; 0 when the response was dropped
	// or the client gave up first.
	Status int
	At     time.Time
}

// Fault is a failure injected into the next calls of a route.
type Fault struct {
	// Status, when non-zero, answers with this status and a Discord error
	// body {"message": Message, "code": Code} instead of handling the call.
	Status  int
	Code    int
	Message string
	// RetryAfter and Global shape a 429 answer (body and headers).
	RetryAfter time.Duration
	Global     bool
	// Hang delays the call this long, or until the client gives up (then the
	// call is not handled at all).
	Hang time.Duration
	// Drop handles the call (a message is stored), then closes the
	// connection without answering: a crash between send and record.
	Drop bool
	// Exhaust handles the call normally but answers with rate-limit headers
	// saying the bucket is empty for this long.
	Exhaust time.Duration
	// Echo puts the request's Authorization header and path (with a
	// webhook's token) into the error message, to test that clients never
	// repeat a secret.
	Echo bool
}

type channel struct {
	id     string
	parent string // set for threads
	name   string
	msgs   []*Message
	nonces map[string]nonceSeen
}

type nonceSeen struct {
	msg *Message
	at  time.Time
}

type webhook struct {
	id, token, channel, name string
}

type apiError struct {
	status  int
	code    int
	message string
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu       sync.Mutex
	token    string
	lastID   uint64
	channels map[string]*channel
	messages map[string]*Message
	webhooks map[string]*webhook
	faults   map[string][]Fault
	denied   map[string]apiError
	calls    []*Call
	now      func() time.Time
	pins     map[string][]pinned // channel -> pins, oldest first (pins.go)

	// Application commands, interactions and the gateway (interactions.go,
	// gateway.go), also under mu.
	commands     map[string][]*discordgo.ApplicationCommand // "app/guild"
	interactions map[string]*pushedInteraction
	callbacks    []Callback
	gw           gatewayState
	// guild serves the start-up checks (guilds.go).
	guild guildState
	// changed is closed and replaced whenever a callback or a gateway
	// session's state is recorded, to wake waiters.
	changed chan struct{}
}

// New starts a fake on a loopback port. Close it when done.
func New() *Server {
	s := &Server{
		channels: map[string]*channel{},
		messages: map[string]*Message{},
		webhooks: map[string]*webhook{},
		faults:   map[string][]Fault{},
		denied:   map[string]apiError{},
		now:      time.Now,
		pins:     map[string][]pinned{},

		commands:     map[string][]*discordgo.ApplicationCommand{},
		interactions: map[string]*pushedInteraction{},
		changed:      make(chan struct{}),
	}
	mux := http.NewServeMux()
	s.route(mux, RouteCreateMessage, true, s.createMessage)
	s.route(mux, RouteGetMessage, true, s.getMessage)
	s.route(mux, RouteEditMessage, true, s.editMessage)
	s.route(mux, RouteStartThread, true, s.startThread)
	s.route(mux, RouteExecuteWebhook, false, s.executeWebhook)
	s.route(mux, RouteGetWebhook, false, s.getWebhook)
	s.route(mux, RouteGetWebhookMessage, false, s.getWebhookMessage)
	s.route(mux, RouteEditWebhookMessage, false, s.editWebhookMessage)
	s.route(mux, RouteCurrentUser, true, s.currentUser)
	s.routeInteractions(mux)
	s.routeGuilds(mux)
	s.routePins(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.record(&Call{Route: "", Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Authorization: r.Header.Get("Authorization"), At: s.now(), Status: http.StatusNotFound})
		writeError(w, apiError{http.StatusNotFound, 0, "404: Not Found"})
	})
	s.srv = httptest.NewServer(mux)
	return s
}

// URL is the base to use instead of https://discord.com (scheme, host and
// port, no path).
func (s *Server) URL() string { return s.srv.URL }

// Close shuts the fake down, gateway sessions included.
func (s *Server) Close() {
	s.DisconnectGateway()
	s.srv.Close()
}

// RequireToken makes bot routes answer 401 unless the Authorization header is
// "Bot <token>". Without it any "Bot ..." header is accepted. A 401 echoes
// the header it got, as a careless server might, so tests can check that a
// client never repeats it.
func (s *Server) RequireToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// AddChannel makes a text channel the bot can post in. Unknown channels
// answer 404 Unknown Channel (10003).
func (s *Server) AddChannel(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.channels[id]; !ok {
		s.channels[id] = &channel{id: id, nonces: map[string]nonceSeen{}}
	}
}

// AddWebhook creates a webhook on a channel (which is added if needed) and
// returns its URL as Discord shows it: URL()/api/webhooks/{id}/{token}.
func (s *Server) AddWebhook(channelID string) string {
	s.AddChannel(channelID)
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextID()
	wh := &webhook{id: id, token: "fakeWebhookToken-" + id + "-keepThisSecret_x9", channel: channelID, name: "Captain Hook"}
	s.webhooks[id] = wh
	return s.srv.URL + "/api/webhooks/" + wh.id + "/" + wh.token
}

// DenyChannel makes every call on a channel answer 403 Missing Access
// (50001), as Discord does when the bot cannot see it.
func (s *Server) DenyChannel(id string) {
	s.DenyChannelWith(id, http.StatusForbidden, CodeMissingAccess, "Missing Access")
}

// DenyChannelWith makes every call on a channel answer the given error.
func (s *Server) DenyChannelWith(id string, status, code int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied[id] = apiError{status, code, message}
}

// Inject queues f for the next n calls of route.
func (s *Server) Inject(route string, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[route] = append(s.faults[route], f)
	}
}

// FailNext makes the next n calls of route answer 500.
func (s *Server) FailNext(route string, n int) {
	s.Inject(route, n, Fault{Status: http.StatusInternalServerError, Message: "500: Internal Server Error"})
}

// RateLimitNext makes the next n calls of route answer 429 with retry_after
// in the body and Retry-After and X-RateLimit-* headers.
func (s *Server) RateLimitNext(route string, n int, retryAfter time.Duration, global bool) {
	s.Inject(route, n, Fault{Status: http.StatusTooManyRequests, Message: "You are being rate limited.", RetryAfter: retryAfter, Global: global})
}

// HangNext makes the next n calls of route wait for d (or until the client
// gives up) before being handled.
func (s *Server) HangNext(route string, n int, d time.Duration) {
	s.Inject(route, n, Fault{Hang: d})
}

// DropNext makes the next n calls of route be handled (stored) and then lose
// their response: the connection closes without an answer.
func (s *Server) DropNext(route string, n int) {
	s.Inject(route, n, Fault{Drop: true})
}

// ClearFaults removes every queued fault and channel denial.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string][]Fault{}
	s.denied = map[string]apiError{}
}

// Messages returns the messages of a channel or thread, oldest first.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[channelID]
	if !ok {
		return nil
	}
	out := make([]Message, len(ch.msgs))
	for i, m := range ch.msgs {
		out[i] = copyMessage(m)
	}
	return out
}

// Message returns a message by id.
func (s *Server) Message(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok {
		return Message{}, false
	}
	return copyMessage(m), true
}

// IsThread reports whether id is a thread channel and returns its parent.
func (s *Server) IsThread(id string) (parent string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, found := s.channels[id]
	if !found || ch.parent == "" {
		return "", false
	}
	return ch.parent, true
}

// Calls returns the calls of a route in the order received; route "" means
// every call.
func (s *Server) Calls(route string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if route == "" || c.Route == route {
			cc := *c
			cc.Body = bytes.Clone(c.Body)
			cc.Query = cloneValues(c.Query)
			out = append(out, cc)
		}
	}
	return out
}

// route registers a handler under /api/v9 (and webhooks also under the
// unversioned /api, as Discord shows webhook URLs).
func (s *Server) route(mux *http.ServeMux, route string, bot bool, h func(w http.ResponseWriter, r *http.Request)) {
	method, path, _ := strings.Cut(route, " ")
	handler := s.wrap(route, bot, h)
	mux.HandleFunc(method+" "+apiPrefix+path, handler)
	if strings.HasPrefix(path, "/webhooks/") {
		mux.HandleFunc(method+" "+unversionedWebhooksPrefix+path, handler)
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (s *Server) wrap(route string, bot bool, h func(w http.ResponseWriter, r *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		auth := r.Header.Get("Authorization")
		call := &Call{Route: route, Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Authorization: auth, Body: body, At: s.now()}
		s.record(call)

		s.mu.Lock()
		var f Fault
		if q := s.faults[route]; len(q) > 0 {
			f, s.faults[route] = q[0], q[1:]
		}
		token := s.token
		denied, isDenied := s.denied[r.PathValue("channel")]
		s.mu.Unlock()

		if f.Hang > 0 {
			t := time.NewTimer(f.Hang)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		sw := &statusWriter{ResponseWriter: w}
		defer func() { s.setStatus(call, sw.status) }()

		if bot && (!strings.HasPrefix(auth, "Bot ") || (token != "" && auth != "Bot "+token)) {
			writeError(sw, apiError{http.StatusUnauthorized, 0, fmt.Sprintf("401: Unauthorized (authorization %q)", auth)})
			return
		}
		if f.Status != 0 {
			e := apiError{f.Status, f.Code, f.Message}
			if f.Echo {
				e.message += fmt.Sprintf(" (request %s %s, authorization %q)", r.Method, r.URL.Path, auth)
			}
			if f.Status == http.StatusTooManyRequests {
				writeRateLimited(sw, e.message, f.RetryAfter, f.Global, s.now())
				return
			}
			writeError(sw, e)
			return
		}
		if isDenied {
			writeError(sw, denied)
			return
		}
		if f.Drop {
			h(httptest.NewRecorder(), r)
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
				}
			}
			return
		}
		if f.Exhaust > 0 {
			setRateLimitHeaders(sw.Header(), f.Exhaust, false, s.now())
		}
		h(sw, r)
	}
}

func (s *Server) record(c *Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
}

func (s *Server) setStatus(c *Call, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Status = status
}

// nextID returns a snowflake-like id, increasing. Callers hold s.mu.
func (s *Server) nextID() string {
	id := uint64(s.now().UnixMilli()-discordEpochMillis) << 22
	if id <= s.lastID {
		id = s.lastID + 1
	}
	s.lastID = id
	return strconv.FormatUint(id, 10)
}

// messageBody is what create and execute accept.
type messageBody struct {
	Content         string                            `json:"content"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
	Reference       *discordgo.MessageReference       `json:"message_reference"`
	Nonce           json.RawMessage                   `json:"nonce"`
	EnforceNonce    bool                              `json:"enforce_nonce"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Attachments     []attachmentBody                  `json:"attachments"`
	Components      json.RawMessage                   `json:"components"`
}

func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	var b messageBody
	atts, e, bad := decodeMessage(r, &b)
	if bad {
		writeError(w, e)
		return
	}
	nonce, err := parseNonce(b.Nonce)
	if err != nil {
		writeError(w, apiError{http.StatusBadRequest, CodeInvalidFormBody, "Invalid Form Body: nonce: " + err.Error()})
		return
	}
	if e, bad := validate(b.Content, b.Embeds); bad {
		writeError(w, e)
		return
	}
	if e, bad := validateComponents(b.Components); bad {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[r.PathValue("channel")]
	if !ok {
		writeError(w, apiError{http.StatusNotFound, CodeUnknownChannel, "Unknown Channel"})
		return
	}
	now := s.now()
	if b.EnforceNonce && nonce != "" {
		if seen, ok := ch.nonces[nonce]; ok && now.Sub(seen.at) < nonceWindow {
			writeJSON(w, http.StatusOK, wire(seen.msg))
			return
		}
	}
	ref := b.Reference
	if ref != nil {
		refCh := ref.ChannelID
		if refCh == "" {
			refCh = ch.id
		}
		target, ok := s.messages[ref.MessageID]
		if refCh != ch.id || !ok || target.ChannelID != refCh {
			if ref.FailIfNotExists == nil || *ref.FailIfNotExists {
				writeError(w, apiError{http.StatusBadRequest, CodeInvalidFormBody, "Invalid Form Body: message_reference: Unknown message"})
				return
			}
			ref = nil
		}
	}
	m := &Message{
		ID:              s.nextID(),
		ChannelID:       ch.id,
		Content:         b.Content,
		Embeds:          cloneEmbeds(b.Embeds),
		Reference:       ref,
		Nonce:           nonce,
		EnforceNonce:    b.EnforceNonce,
		CreatedAt:       now,
		Components:      nonEmpty(b.Components),
		AllowedMentions: b.AllowedMentions,
		Attachments:     atts,
	}
	s.store(ch, m)
	if nonce != "" {
		ch.nonces[nonce] = nonceSeen{msg: m, at: now}
	}
	writeJSON(w, http.StatusOK, wire(m))
}

// store adds m to ch. Callers hold s.mu.
func (s *Server) store(ch *channel, m *Message) {
	ch.msgs = append(ch.msgs, m)
	s.messages[m.ID] = m
}

func (s *Server) getMessage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.lookup(r.PathValue("channel"), r.PathValue("message"))
	if m == nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, wire(m))
}

// lookup finds a message in a channel. Callers hold s.mu.
func (s *Server) lookup(channelID, messageID string) (*Message, apiError) {
	if _, ok := s.channels[channelID]; !ok {
		return nil, apiError{http.StatusNotFound, CodeUnknownChannel, "Unknown Channel"}
	}
	m, ok := s.messages[messageID]
	if !ok || m.ChannelID != channelID {
		return nil, apiError{http.StatusNotFound, CodeUnknownMessage, "Unknown Message"}
	}
	return m, apiError{}
}

func (s *Server) editMessage(w http.ResponseWriter, r *http.Request) {
	fields, ok := decodeFields(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.lookup(r.PathValue("channel"), r.PathValue("message"))
	if m == nil {
		writeError(w, e)
		return
	}
	if m.WebhookID != "" {
		writeError(w, apiError{http.StatusForbidden, CodeCannotEditOthers, "Cannot edit a message authored by another user"})
		return
	}
	s.edit(w, m, fields)
}

// edit applies the fields of a PATCH to m and answers. Callers hold s.mu.
func (s *Server) edit(w http.ResponseWriter, m *Message, fields map[string]json.RawMessage) {
	content, embeds := m.Content, m.Embeds
	if raw, ok := fields["content"]; ok {
		content = ""
		if err := json.Unmarshal(raw, &content); err != nil {
			writeError(w, apiError{http.StatusBadRequest, CodeInvalidFormBody, "Invalid Form Body: content: " + err.Error()})
			return
		}
	}
	if raw, ok := fields["embeds"]; ok {
		embeds = nil
		if err := json.Unmarshal(raw, &embeds); err != nil {
			writeError(w, apiError{http.StatusBadRequest, CodeInvalidFormBody, "Invalid Form Body: embeds: " + err.Error()})
			return
		}
	}
	if e, bad := validate(content, embeds); bad {
		writeError(w, e)
		return
	}
	if raw, ok := fields["components"]; ok {
		if e, bad := validateComponents(raw); bad {
			writeError(w, e)
			return
		}
		m.Components = nonEmpty(raw)
	}
	m.Content, m.Embeds = content, cloneEmbeds(embeds)
	m.Edits = append(m.Edits, Revision{Content: content, Embeds: cloneEmbeds(embeds), At: s.now()})
	writeJSON(w, http.StatusOK, wire(m))
}

func decodeFields(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, bool) {
	var fields map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&fields); err != nil {
		writeError(w, apiError{http.StatusBadRequest, CodeInvalidFormBody, "Invalid Form Body: " + err.Error()})
		return nil, false
	}
	return fields, true
}

func (s *Server) startThread(w http.ResponseWriter, r *http.Request) {
	var b discordgo.ThreadStart
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		writeError(w, apiError{http.StatusBadRequest, CodeInvalidFormBody, "Invalid Form Body: " + err.Error()})
		return
	}
	if n := utf8.RuneCountInString(b.Name); n < 1 || n > maxThreadName {
		writeError(w, apiError{http.StatusBadRequest, CodeInvalidFormBody, "Invalid Form Body: name: Must be between 1 and 100 in length."})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.lookup(r.PathValue("channel"), r.PathValue("message"))
	if m == nil {
		writeError(w, e)
		return
	}
	if s.channels[m.ChannelID].parent != "" {
		writeError(w, apiError{http.StatusBadRequest, 50024, "Cannot execute action on this channel type"})
		return
	}
	if m.Thread != "" {
		writeError(w, apiError{http.StatusBadRequest, CodeThreadAlreadyCreated, "A thread has already been created for this message"})
		return
	}
	// A thread started from a message has the message's id.
	m.Thread = m.ID
	s.channels[m.ID] = &channel{id: m.ID, parent: m.ChannelID, name: b.Name, nonces: map[string]nonceSeen{}}
	writeJSON(w, http.StatusCreated, map[string]any{
		"id":              m.ID,
		"type":            discordgo.ChannelTypeGuildPublicThread,
		"guild_id":        "1",
		"parent_id":       m.ChannelID,
		"name":            b.Name,
		"owner_id":        botUserID,
		"message_count":   0,
		"member_count":    1,
		"thread_metadata": map[string]any{"archived": false, "auto_archive_duration": b.AutoArchiveDuration, "locked": false},
	})
}

// webhook finds the webhook of a request and checks its token. Callers hold
// s.mu.
func (s *Server) webhook(r *http.Request) (*webhook, apiError) {
	wh, ok := s.webhooks[r.PathValue("webhook")]
	if !ok {
		return nil, apiError{http.StatusNotFound, CodeUnknownWebhook, "Unknown Webhook"}
	}
	if wh.token != r.PathValue("token") {
		return nil, apiError{http.StatusUnauthorized, CodeInvalidWebhookToken, "Invalid Webhook Token"}
	}
	return wh, apiError{}
}

func (s *Server) executeWebhook(w http.ResponseWriter, r *http.Request) {
	var b messageBody
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		writeError(w, apiError{http.StatusBadRequest, CodeInvalidFormBody, "Invalid Form Body: " + err.Error()})
		return
	}
	if e, bad := validate(b.Content, b.Embeds); bad {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	wh, e := s.webhook(r)
	if wh == nil {
		writeError(w, e)
		return
	}
	ch := s.channels[wh.channel]
	if tid := r.URL.Query().Get("thread_id"); tid != "" {
		t, ok := s.channels[tid]
		if !ok || t.parent != wh.channel {
			writeError(w, apiError{http.StatusBadRequest, CodeUnknownChannel, "Unknown Channel"})
			return
		}
		ch = t
	}
	// Webhooks ignore nonce and message_reference.
	m := &Message{
		ID:        s.nextID(),
		ChannelID: ch.id,
		Content:   b.Content,
		Embeds:    cloneEmbeds(b.Embeds),
		WebhookID: wh.id,
		CreatedAt: s.now(),
	}
	s.store(ch, m)
	if r.URL.Query().Get("wait") != "true" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, wire(m))
}

// getWebhook answers Get Webhook with Token as Discord does: the webhook
// object without its user, token included.
func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	wh, e := s.webhook(r)
	if wh == nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": wh.id, "type": 1, "guild_id": "1", "channel_id": wh.channel, "name": wh.name,
		"avatar": nil, "application_id": nil, "token": wh.token,
	})
}

// DeleteWebhook removes a webhook, as a channel admin would: its URL then
// answers 404 Unknown Webhook.
func (s *Server) DeleteWebhook(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.webhooks, id)
}

// webhookMessage finds a message a webhook posted. Callers hold s.mu.
func (s *Server) webhookMessage(r *http.Request) (*Message, apiError) {
	wh, e := s.webhook(r)
	if wh == nil {
		return nil, e
	}
	m, ok := s.messages[r.PathValue("message")]
	if !ok || m.WebhookID != wh.id {
		return nil, apiError{http.StatusNotFound, CodeUnknownMessage, "Unknown Message"}
	}
	return m, apiError{}
}

func (s *Server) getWebhookMessage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.webhookMessage(r)
	if m == nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, wire(m))
}

func (s *Server) editWebhookMessage(w http.ResponseWriter, r *http.Request) {
	fields, ok := decodeFields(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.webhookMessage(r)
	if m == nil {
		writeError(w, e)
		return
	}
	s.edit(w, m, fields)
}

func (s *Server) currentUser(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"id": botUserID, "username": "outagebot", "discriminator": "0", "bot": true, "verified": true,
	})
}

func parseNonce(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
	} else {
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return "", err
		}
		s = n.String()
	}
	if utf8.RuneCountInString(s) > maxNonce {
		return "", fmt.Errorf("must be %d or fewer in length", maxNonce)
	}
	return s, nil
}

// validate checks a message against Discord's limits.
func validate(content string, embeds []*discordgo.MessageEmbed) (apiError, bool) {
	if content == "" && len(embeds) == 0 {
		return apiError{http.StatusBadRequest, CodeEmptyMessage, "Cannot send an empty message"}, true
	}
	var problems []string
	check := func(what, s string, max int) int {
		n := utf8.RuneCountInString(s)
		if n > max {
			problems = append(problems, fmt.Sprintf("%s: must be %d or fewer in length (is %d)", what, max, n))
		}
		return n
	}
	check("content", content, maxContent)
	if len(embeds) > maxEmbeds {
		problems = append(problems, fmt.Sprintf("embeds: must be %d or fewer", maxEmbeds))
	}
	total := 0
	for i, e := range embeds {
		if e == nil {
			continue
		}
		p := fmt.Sprintf("embeds.%d.", i)
		total += check(p+"title", e.Title, maxEmbedTitle)
		total += check(p+"description", e.Description, maxEmbedDescription)
		if e.Footer != nil {
			total += check(p+"footer.text", e.Footer.Text, maxFooterText)
		}
		if e.Author != nil {
			total += check(p+"author.name", e.Author.Name, maxAuthorName)
		}
		if len(e.Fields) > maxEmbedFields {
			problems = append(problems, fmt.Sprintf("%sfields: must be %d or fewer", p, maxEmbedFields))
		}
		for j, f := range e.Fields {
			if f.Name == "" || f.Value == "" {
				problems = append(problems, fmt.Sprintf("%sfields.%d: name and value are required", p, j))
			}
			total += check(fmt.Sprintf("%sfields.%d.name", p, j), f.Name, maxFieldName)
			total += check(fmt.Sprintf("%sfields.%d.value", p, j), f.Value, maxFieldValue)
		}
		if e.Timestamp != "" {
			if _, err := time.Parse(time.RFC3339, e.Timestamp); err != nil {
				problems = append(problems, p+"timestamp: Could not parse "+e.Timestamp)
			}
		}
	}
	if total > maxEmbedsTotal {
		problems = append(problems, fmt.Sprintf("embeds: Embed size exceeds maximum size of %d (is %d)", maxEmbedsTotal, total))
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return apiError{http.StatusBadRequest, CodeInvalidFormBody, "Invalid Form Body: " + strings.Join(problems, "; ")}, true
	}
	return apiError{}, false
}

type wireMessage struct {
	ID              string                      `json:"id"`
	Type            discordgo.MessageType       `json:"type"`
	ChannelID       string                      `json:"channel_id"`
	Content         string                      `json:"content"`
	Embeds          []*discordgo.MessageEmbed   `json:"embeds"`
	Reference       *discordgo.MessageReference `json:"message_reference,omitempty"`
	Nonce           string                      `json:"nonce,omitempty"`
	Timestamp       string                      `json:"timestamp"`
	EditedTimestamp *string                     `json:"edited_timestamp"`
	Author          map[string]any              `json:"author"`
	WebhookID       string                      `json:"webhook_id,omitempty"`
	Attachments     []any                       `json:"attachments"`
	Mentions        []any                       `json:"mentions"`
	MentionRoles    []string                    `json:"mention_roles"`
	Pinned          bool                        `json:"pinned"`
	TTS             bool                        `json:"tts"`
	MentionEveryone bool                        `json:"mention_everyone"`
}

func wire(m *Message) wireMessage {
	w := wireMessage{
		ID:           m.ID,
		ChannelID:    m.ChannelID,
		Content:      m.Content,
		Embeds:       m.Embeds,
		Reference:    m.Reference,
		Nonce:        m.Nonce,
		Timestamp:    m.CreatedAt.UTC().Format(time.RFC3339Nano),
		Author:       map[string]any{"id": botUserID, "username": "outagebot", "discriminator": "0", "bot": true},
		WebhookID:    m.WebhookID,
		Attachments:  wireAttachments(m),
		Mentions:     []any{},
		MentionRoles: []string{},
	}
	if w.Embeds == nil {
		w.Embeds = []*discordgo.MessageEmbed{}
	}
	if m.Reference != nil {
		w.Type = discordgo.MessageTypeReply
	}
	if m.WebhookID != "" {
		w.Author = map[string]any{"id": m.WebhookID, "username": "Status", "discriminator": "0000", "bot": true}
	}
	if n := len(m.Edits); n > 0 {
		t := m.Edits[n-1].At.UTC().Format(time.RFC3339Nano)
		w.EditedTimestamp = &t
	}
	return w
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, e apiError) {
	writeJSON(w, e.status, map[string]any{"message": e.message, "code": e.code})
}

func writeRateLimited(w http.ResponseWriter, message string, after time.Duration, global bool, now time.Time) {
	setRateLimitHeaders(w.Header(), after, global, now)
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(after.Seconds()))))
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"message":     message,
		"retry_after": after.Seconds(),
		"global":      global,
	})
}

// setRateLimitHeaders writes Discord's bucket headers for an empty bucket
// (https://discord.com/developers/docs/topics/rate-limits#header-format).
func setRateLimitHeaders(h http.Header, after time.Duration, global bool, now time.Time) {
	h.Set("X-RateLimit-Limit", "5")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(now.Add(after).UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(after.Seconds(), 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", "fakediscordbucket")
	if global {
		h.Set("X-RateLimit-Global", "true")
		h.Set("X-RateLimit-Scope", "global")
	} else {
		h.Set("X-RateLimit-Scope", "user")
	}
}

func copyMessage(m *Message) Message {
	c := *m
	c.Components = append(json.RawMessage(nil), m.Components...)
	c.Embeds = cloneEmbeds(m.Embeds)
	if m.Reference != nil {
		r := *m.Reference
		c.Reference = &r
	}
	c.Edits = make([]Revision, len(m.Edits))
	for i, e := range m.Edits {
		c.Edits[i] = Revision{Content: e.Content, Embeds: cloneEmbeds(e.Embeds), At: e.At}
	}
	return c
}

// cloneEmbeds deep-copies embeds through JSON, which is how they travel.
func cloneEmbeds(in []*discordgo.MessageEmbed) []*discordgo.MessageEmbed {
	if in == nil {
		return nil
	}
	b, err := json.Marshal(in)
	if err != nil {
		return nil
	}
	var out []*discordgo.MessageEmbed
	_ = json.Unmarshal(b, &out)
	return out
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
