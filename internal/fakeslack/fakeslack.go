// Package fakeslack is a fake Slack Web API for tests. Unlike slack-go's
// slacktest it keeps threads and edits, so a test can assert what a channel
// ends up showing: one root per outage, replies under it, the root's edit
// history. It also injects the faults a chat integration has to survive:
// HTTP 500s, 429 with Retry-After, hangs, a post whose response is lost,
// and per-channel errors such as not_in_channel.
//
// It implements chat.postMessage, chat.update, conversations.history,
// conversations.replies, conversations.info and auth.test, for form and
// JSON bodies as slack-go sends them, and Socket Mode: apps.connections.open
// and the websocket it points to (see socket.go). It listens on loopback
// only.
package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Block Kit limits the fake enforces, so a test catches a message Slack would
// reject (https://api.slack.com/reference/block-kit/blocks).
const (
	maxBlocks      = 50
	maxSectionText = 3000
	maxFieldText   = 2000
	maxHeaderText  = 150
	maxBlockID     = 255
)

// Server is a fake Slack Web API. Its zero value is not usable: call New.
type Server struct {
	srv  *httptest.Server
	done chan struct{}

	mu       sync.Mutex
	token    string // required token, empty = any non-empty token
	channels map[string]*channel
	chErrors map[string]string
	faults   map[string][]*fault
	calls    []Call
	hooks    map[string]string // incoming webhook path -> channel
	hookSeq  int               // numbers webhooks: a removed one's URL is never handed out again
	lastTS   int64             // microseconds
	now      func() time.Time
	sock     socketState
	// info and scopes serve conversations.info (conversations.go).
	info   map[string]ChannelInfo
	scopes []string
	// files serves the file upload methods (files.go).
	files fileState
	// groups serve usergroups.users.list, resp records answers posted to
	// the response_url of interactions (interactions.go).
	groups usergroups
	resp   responses
	// members serve users.conversations (memberships.go).
	members memberships
}

type channel struct {
	id   string
	msgs []*message // every message, top-level and replies, in post order
}

type message struct {
	ts, threadTS   string
	text           string
	blocks         json.RawMessage
	attachments    json.RawMessage
	metadata       *Metadata
	replyBroadcast bool
	edits          []Version
	editedTS       string
	files          []string // ids of the files it shares (files.go)
}

// Metadata is a message's metadata as posted
// (https://api.slack.com/reference/metadata).
type Metadata struct {
	EventType    string         `json:"event_type"`
	EventPayload map[string]any `json:"event_payload"`
}

// Version is the content of a message at one time.
type Version struct {
	Text        string
	Blocks      json.RawMessage
	Attachments json.RawMessage
}

// Message is a message as a test sees it.
type Message struct {
	Channel        string
	TS             string
	ThreadTS       string // empty for a top-level message
	Text           string
	Blocks         json.RawMessage
	Attachments    json.RawMessage
	Metadata       *Metadata
	ReplyBroadcast bool
	// Replies are the thread's replies, oldest first (top-level messages
	// only).
	Replies []Message
	// Edits are the earlier versions of the message, oldest first: one per
	// chat.update.
	Edits []Version
	// Files are the ids of the files the message shares.
	Files []string
}

// Call is one request the server received.
type Call struct {
	Method string
	// Params are the form fields, query parameters or top-level JSON fields
	// (values that are not strings as JSON text), without the token.
	Params url.Values
	// Auth reports whether the request carried a token; AuthHeader whether
	// it came in the Authorization header.
	Auth       bool
	AuthHeader bool
	// At is when the call arrived, by the wall clock (not SetClock's, which
	// dates messages): what a platform's rate limit counts in.
	At time.Time
}

// Fault is an injected failure of one call.
type Fault struct {
	// Delay holds the answer back this long, or until the client gives up.
	Delay time.Duration
	// Status answers with this HTTP status instead of handling the call
	// (unless Drop is set). With 429, RetryAfter sets the Retry-After header.
	Status     int
	RetryAfter time.Duration
	// Error answers 200 {"ok":false,"error":Error} without handling the call.
	Error string
	// Drop handles the call (a post is stored) and then loses the answer: the
	// connection is closed, or Status is answered when set. It is a crash
	// between "posted" and "recorded" as the client sees it.
	Drop bool
}

type fault struct {
	Fault
	left int // calls left; negative = every call
}

// New starts a fake Slack on a loopback port. Close it when done.
func New() *Server {
	s := &Server{
		done:     make(chan struct{}),
		channels: map[string]*channel{},
		chErrors: map[string]string{},
		faults:   map[string][]*fault{},
		hooks:    map[string]string{},
		now:      time.Now,
		sock:     newSocketState(),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close stops the server; calls that hang are released.
func (s *Server) Close() {
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	s.closeSockets()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// URL is the Web API base to give the client (slack.OptionAPIURL): it ends
// in "/api/".
func (s *Server) URL() string { return s.srv.URL + "/api/" }

// Client is an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// RequireToken makes every call with another token fail with invalid_auth.
// By default any non-empty token is accepted.
func (s *Server) RequireToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// SetClock sets the clock message timestamps are taken from (default
// time.Now). Timestamps always increase, whatever the clock says.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// AddChannel creates channels the bot is a member of. Calls naming any
// other channel fail with channel_not_found.
func (s *Server) AddChannel(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if s.channels[id] == nil {
			s.channels[id] = &channel{id: id}
		}
	}
}

// SetChannelError makes every call naming the channel fail with the Slack
// error code (not_in_channel, is_archived, ...); "" clears it.
func (s *Server) SetChannelError(channelID, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == "" {
		delete(s.chErrors, channelID)
		return
	}
	s.chErrors[channelID] = code
}

// Inject makes the next n calls of method ("*" for any method) fail as f
// says; n < 0 means every call until ClearFaults. Faults queue up in the
// order they were injected.
func (s *Server) Inject(method string, n int, f Fault) {
	if n == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], &fault{Fault: f, left: n})
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
}

// FailNext answers the next n calls of method with HTTP 500.
func (s *Server) FailNext(method string, n int) {
	s.Inject(method, n, Fault{Status: http.StatusInternalServerError})
}

// RateLimitNext answers the next n calls of method with 429 and
// Retry-After (whole seconds, as Slack sends it).
func (s *Server) RateLimitNext(method string, n int, after time.Duration) {
	s.Inject(method, n, Fault{Status: http.StatusTooManyRequests, RetryAfter: after})
}

// HangNext holds the next n calls of method for d (or until the client
// gives up), then handles them.
func (s *Server) HangNext(method string, n int, d time.Duration) {
	s.Inject(method, n, Fault{Delay: d})
}

// DropNext handles the next n calls of method and then closes the
// connection without answering.
func (s *Server) DropNext(method string, n int) {
	s.Inject(method, n, Fault{Drop: true})
}

// AddWebhook creates an incoming webhook posting to the channel (created
// if need be) and returns its URL. Its calls are recorded as method
// "webhook"; faults injected for "webhook" apply to them.
func (s *Server) AddWebhook(channelID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.channels[channelID] == nil {
		s.channels[channelID] = &channel{id: channelID}
	}
	s.hookSeq++
	path := fmt.Sprintf("/services/T0FAKE/B%04d/s3cr3t%dwebhook", s.hookSeq, s.hookSeq)
	s.hooks[path] = channelID
	return s.srv.URL + path
}

// RemoveWebhook deletes an incoming webhook made by AddWebhook, as
// removing it from the app does: its URL then answers 404 no_service.
func (s *Server) RemoveWebhook(hookURL string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.hooks, strings.TrimPrefix(hookURL, s.srv.URL))
}

// Calls returns the calls of method received so far ("" for all), oldest
// first.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			c.Params = cloneValues(c.Params)
			out = append(out, c)
		}
	}
	return out
}

// Messages returns the channel's top-level messages, oldest first, each with
// its replies and edit history. Broadcast replies appear as replies (with
// ReplyBroadcast set), not as top-level messages.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channels[channelID]
	if ch == nil {
		return nil
	}
	var out []Message
	for _, m := range ch.msgs {
		if m.threadTS != "" {
			continue
		}
		top := m.export(channelID)
		for _, r := range ch.msgs {
			if r.threadTS == m.ts {
				top.Replies = append(top.Replies, r.export(channelID))
			}
		}
		out = append(out, top)
	}
	return out
}

func (m *message) export(channelID string) Message {
	out := Message{
		Channel:        channelID,
		TS:             m.ts,
		ThreadTS:       m.threadTS,
		Text:           m.text,
		Blocks:         slices.Clone(m.blocks),
		Attachments:    slices.Clone(m.attachments),
		ReplyBroadcast: m.replyBroadcast,
		Edits:          slices.Clone(m.edits),
		Files:          slices.Clone(m.files),
	}
	if m.metadata != nil {
		md := *m.metadata
		out.Metadata = &md
	}
	return out
}

// response is what a handler answers: a JSON object, or an HTTP status.
type response map[string]any

func slackError(code string) response { return response{"ok": false, "error": code} }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	method, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		if r.URL.Path == socketPath {
			s.serveSocket(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, uploadPath) {
			s.serveUpload(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/services/") {
			s.serveWebhook(w, r)
			return
		}
		if r.URL.Path == "/actions/respond" && r.Method == http.MethodPost {
			s.serveResponse(w, r)
			return
		}
		http.NotFound(w, r)
		return
	}
	params, token, header, err := readParams(r)
	if err != nil {
		writeJSON(w, http.StatusOK, slackError("invalid_form_data"))
		return
	}

	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: method, Params: cloneValues(params), Auth: token != "", AuthHeader: header, At: time.Now()})
	f := s.takeFault(method)
	s.mu.Unlock()

	if s.before(w, r, f, func(code string) { writeJSON(w, http.StatusOK, slackError(code)) }) {
		return
	}
	s.mu.Lock()
	resp := s.handle(method, params, token)
	s.mu.Unlock()
	if s.drop(w, f) {
		return
	}
	s.scopeHeader(w)
	writeJSON(w, http.StatusOK, resp)
}

// before applies a fault ahead of handling a call: it waits out a delay and
// answers an injected status or error. It reports whether the call is over.
func (s *Server) before(w http.ResponseWriter, r *http.Request, f *Fault, answerError func(code string)) bool {
	if f == nil {
		return false
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true
		case <-s.done:
			return true
		}
	}
	if f.Drop {
		return false
	}
	switch {
	case f.Status != 0:
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((f.RetryAfter+time.Second-1)/time.Second)))
		}
		http.Error(w, http.StatusText(f.Status), f.Status)
		return true
	case f.Error != "":
		answerError(f.Error)
		return true
	}
	return false
}

// drop loses the answer of a handled call when the fault says so: it
// answers Status if set, else closes the connection.
func (s *Server) drop(w http.ResponseWriter, f *Fault) bool {
	if f == nil || !f.Drop {
		return false
	}
	if f.Status == 0 {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
			return true
		}
	}
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	http.Error(w, http.StatusText(status), status)
	return true
}

// serveWebhook answers an incoming webhook post the way Slack does: "ok"
// as text, or a status with the error code as text.
func (s *Server) serveWebhook(w http.ResponseWriter, r *http.Request) {
	params, _, _, err := readParams(r)

	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: "webhook", Params: cloneValues(params), At: time.Now()})
	f := s.takeFault("webhook")
	s.mu.Unlock()

	if s.before(w, r, f, func(code string) { http.Error(w, code, http.StatusBadRequest) }) {
		return
	}
	if err != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	status, body := s.webhookPost(r.URL.Path, params)
	if s.drop(w, f) {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (s *Server) webhookPost(path string, p url.Values) (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.hooks[path]
	if !ok {
		return http.StatusNotFound, "no_service"
	}
	switch code := s.chErrors[id]; code {
	case "":
	case "is_archived", "channel_is_archived":
		return http.StatusGone, "channel_is_archived"
	default:
		return http.StatusNotFound, code
	}
	m := &message{text: p.Get("text")}
	var code string
	if m.blocks, code = validBlocks(p.Get("blocks")); code != "" {
		return http.StatusBadRequest, "invalid_blocks"
	}
	if m.attachments, code = validAttachments(p.Get("attachments")); code != "" {
		return http.StatusBadRequest, "invalid_attachments"
	}
	if m.text == "" && m.blocks == nil && m.attachments == nil {
		return http.StatusBadRequest, "no_text"
	}
	m.ts = s.nextTS()
	ch := s.channels[id]
	ch.msgs = append(ch.msgs, m)
	return http.StatusOK, "ok"
}

// takeFault pops the next fault for method. The caller holds s.mu.
func (s *Server) takeFault(method string) *Fault {
	for _, key := range []string{method, "*"} {
		q := s.faults[key]
		if len(q) == 0 {
			continue
		}
		f := q[0]
		if f.left > 0 {
			f.left--
			if f.left == 0 {
				s.faults[key] = q[1:]
			}
		}
		out := f.Fault
		return &out
	}
	return nil
}

// handle answers one call. The caller holds s.mu.
func (s *Server) handle(method string, p url.Values, token string) response {
	if method == "apps.connections.open" {
		return s.openConnection(token)
	}
	switch {
	case token == "":
		return slackError("not_authed")
	case s.token != "" && token != s.token:
		return slackError("invalid_auth")
	}
	switch method {
	case "auth.test":
		return response{"ok": true, "url": "https://fake.slack.test/", "team": "Fake", "user": "outagebot",
			"team_id": "T0FAKE", "user_id": "U0BOT", "bot_id": "B0BOT"}
	case "views.publish":
		return publishView(p)
	case "chat.postMessage":
		return s.postMessage(p)
	case "chat.update":
		return s.update(p)
	case "conversations.history":
		return s.history(p)
	case "conversations.replies":
		return s.replies(p)
	case "conversations.info":
		return s.conversationInfo(p)
	case "usergroups.users.list":
		return s.usergroupUsers(p)
	case "users.conversations":
		return s.userConversations(p)
	}
	if r, ok := s.handleFiles(method, p); ok {
		return r
	}
	return slackError("unknown_method")
}

// channel resolves the call's channel, or says why it cannot.
func (s *Server) channel(p url.Values) (*channel, response) {
	id := p.Get("channel")
	if id == "" {
		return nil, slackError("channel_not_found")
	}
	if code := s.chErrors[id]; code != "" {
		return nil, slackError(code)
	}
	ch := s.channels[id]
	if ch == nil {
		return nil, slackError("channel_not_found")
	}
	return ch, nil
}

func (s *Server) postMessage(p url.Values) response {
	ch, errResp := s.channel(p)
	if errResp != nil {
		return errResp
	}
	m := &message{text: p.Get("text"), replyBroadcast: truthy(p.Get("reply_broadcast"))}
	var code string
	if m.blocks, code = validBlocks(p.Get("blocks")); code != "" {
		return slackError(code)
	}
	if m.attachments, code = validAttachments(p.Get("attachments")); code != "" {
		return slackError(code)
	}
	if raw := p.Get("metadata"); raw != "" {
		var md Metadata
		if err := json.Unmarshal([]byte(raw), &md); err != nil || md.EventType == "" {
			return slackError("invalid_metadata_format")
		}
		m.metadata = &md
	}
	if m.text == "" && m.blocks == nil && m.attachments == nil {
		return slackError("no_text")
	}
	if ts := p.Get("thread_ts"); ts != "" {
		parent := ch.find(ts)
		if parent == nil {
			return slackError("thread_not_found")
		}
		m.threadTS = parent.ts
		if parent.threadTS != "" {
			m.threadTS = parent.threadTS
		}
	} else {
		m.replyBroadcast = false
	}
	m.ts = s.nextTS()
	ch.msgs = append(ch.msgs, m)
	return response{"ok": true, "channel": ch.id, "ts": m.ts, "message": ch.render(m, true)}
}

func (s *Server) update(p url.Values) response {
	ch, errResp := s.channel(p)
	if errResp != nil {
		return errResp
	}
	m := ch.find(p.Get("ts"))
	if m == nil {
		return slackError("message_not_found")
	}
	blocks, code := validBlocks(p.Get("blocks"))
	if code != "" {
		return slackError(code)
	}
	attachments, code := validAttachments(p.Get("attachments"))
	if code != "" {
		return slackError(code)
	}
	var md *Metadata
	if raw := p.Get("metadata"); raw != "" {
		md = new(Metadata)
		if err := json.Unmarshal([]byte(raw), md); err != nil || md.EventType == "" {
			return slackError("invalid_metadata_format")
		}
	}
	if !p.Has("text") && blocks == nil && attachments == nil {
		return slackError("no_text")
	}
	m.edits = append(m.edits, Version{Text: m.text, Blocks: m.blocks, Attachments: m.attachments})
	if p.Has("text") {
		m.text = p.Get("text")
	}
	if blocks != nil {
		m.blocks = blocks
	}
	if attachments != nil {
		m.attachments = attachments
	}
	if md != nil {
		m.metadata = md
	}
	m.editedTS = s.nextTS()
	return response{"ok": true, "channel": ch.id, "ts": m.ts, "text": m.text, "message": ch.render(m, true)}
}

func (s *Server) history(p url.Values) response {
	ch, errResp := s.channel(p)
	if errResp != nil {
		return errResp
	}
	withMeta := truthy(p.Get("include_all_metadata"))
	var list []*message
	for _, m := range slices.Backward(ch.msgs) { // newest first
		if (m.threadTS == "" || m.replyBroadcast) && inWindow(m.ts, p) {
			list = append(list, m)
		}
	}
	page, next := paginate(list, p)
	msgs := make([]any, len(page))
	for i, m := range page {
		msgs[i] = s.withFiles(ch.render(m, withMeta), m)
	}
	return response{"ok": true, "messages": msgs, "has_more": next != "",
		"response_metadata": map[string]any{"next_cursor": next}}
}

func (s *Server) replies(p url.Values) response {
	ch, errResp := s.channel(p)
	if errResp != nil {
		return errResp
	}
	root := ch.find(p.Get("ts"))
	if root == nil {
		return slackError("thread_not_found")
	}
	if root.threadTS != "" {
		root = ch.find(root.threadTS)
	}
	withMeta := truthy(p.Get("include_all_metadata"))
	list := []*message{root}
	for _, m := range ch.msgs {
		if m.threadTS == root.ts && inWindow(m.ts, p) {
			list = append(list, m)
		}
	}
	page, next := paginate(list, p)
	msgs := make([]any, len(page))
	for i, m := range page {
		msgs[i] = s.withFiles(ch.render(m, withMeta), m)
	}
	return response{"ok": true, "messages": msgs, "has_more": next != "",
		"response_metadata": map[string]any{"next_cursor": next}}
}

func (ch *channel) find(ts string) *message {
	for _, m := range ch.msgs {
		if m.ts == ts {
			return m
		}
	}
	return nil
}

// render is a message as the Web API returns it.
func (ch *channel) render(m *message, withMeta bool) map[string]any {
	out := map[string]any{"type": "message", "user": "U0BOT", "bot_id": "B0BOT", "ts": m.ts, "text": m.text}
	if m.blocks != nil {
		out["blocks"] = m.blocks
	}
	if m.attachments != nil {
		out["attachments"] = m.attachments
	}
	if withMeta && m.metadata != nil {
		out["metadata"] = m.metadata
	}
	if m.editedTS != "" {
		out["edited"] = map[string]any{"user": "U0BOT", "ts": m.editedTS}
	}
	if m.threadTS != "" {
		out["thread_ts"] = m.threadTS
		if m.replyBroadcast {
			out["subtype"] = "thread_broadcast"
		}
	} else {
		n := 0
		for _, r := range ch.msgs {
			if r.threadTS == m.ts {
				n++
			}
		}
		if n > 0 {
			out["thread_ts"] = m.ts
			out["reply_count"] = n
		}
	}
	return out
}

// nextTS is a new message timestamp, strictly after the previous one.
func (s *Server) nextTS() string {
	us := s.now().UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// parseTS reads a Slack timestamp ("1700000000.000100" or "1700000000") as
// microseconds.
func parseTS(ts string) (int64, bool) {
	secs, frac, _ := strings.Cut(ts, ".")
	sec, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return 0, false
	}
	frac = (frac + "000000")[:6]
	us, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, false
	}
	return sec*1e6 + us, true
}

// inWindow applies oldest, latest and inclusive.
func inWindow(ts string, p url.Values) bool {
	t, _ := parseTS(ts)
	incl := truthy(p.Get("inclusive"))
	if o, ok := parseTS(p.Get("oldest")); ok && (t < o || (t == o && !incl)) {
		return false
	}
	if l, ok := parseTS(p.Get("latest")); ok && (t > l || (t == l && !incl)) {
		return false
	}
	return true
}

// paginate applies limit and cursor (an offset into list).
func paginate(list []*message, p url.Values) ([]*message, string) {
	limit := 100
	if n, err := strconv.Atoi(p.Get("limit")); err == nil && n > 0 {
		limit = min(n, 999)
	}
	off := 0
	if c, ok := strings.CutPrefix(p.Get("cursor"), "offset:"); ok {
		if n, err := strconv.Atoi(c); err == nil && n > 0 {
			off = min(n, len(list))
		}
	}
	end := min(off+limit, len(list))
	next := ""
	if end < len(list) {
		next = "offset:" + strconv.Itoa(end)
	}
	return list[off:end], next
}

// validBlocks checks a blocks parameter against the Block Kit limits the
// fake knows; it returns nil blocks when the parameter is absent.
func validBlocks(raw string) (json.RawMessage, string) {
	if raw == "" {
		return nil, ""
	}
	if code := checkBlocks([]byte(raw)); code != "" {
		return nil, code
	}
	return json.RawMessage(raw), ""
}

func validAttachments(raw string) (json.RawMessage, string) {
	if raw == "" {
		return nil, ""
	}
	var atts []struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(raw), &atts); err != nil {
		return nil, "invalid_attachments"
	}
	for _, a := range atts {
		if len(a.Blocks) > 0 && string(a.Blocks) != "null" {
			if code := checkBlocks(a.Blocks); code != "" {
				return nil, code
			}
		}
	}
	return json.RawMessage(raw), ""
}

type textObject struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

func checkBlocks(raw []byte) string { return checkBlocksUpTo(raw, maxBlocks) }

// checkBlocksUpTo checks blocks where at most max are allowed: 50 in a
// message, 100 in a view.
func checkBlocksUpTo(raw []byte, max int) string {
	var blocks []struct {
		Type     string            `json:"type"`
		BlockID  string            `json:"block_id"`
		Text     *textObject       `json:"text"`
		Fields   []*textObject     `json:"fields"`
		Elements []json.RawMessage `json:"elements"`
	}
	if err := json.Unmarshal(raw, &blocks); err != nil || len(blocks) > max {
		return "invalid_blocks"
	}
	// A block_id is at most 255 characters and names one block of the
	// blocks it is in.
	ids := map[string]bool{}
	for _, b := range blocks {
		if b.BlockID == "" {
			continue
		}
		if len(b.BlockID) > maxBlockID || ids[b.BlockID] {
			return "invalid_blocks"
		}
		ids[b.BlockID] = true
	}
	for _, b := range blocks {
		switch b.Type {
		case "header":
			if b.Text == nil || b.Text.Type != "plain_text" || b.Text.Text == "" || utf8.RuneCountInString(b.Text.Text) > maxHeaderText {
				return "invalid_blocks"
			}
		case "section":
			if b.Text == nil && len(b.Fields) == 0 {
				return "invalid_blocks"
			}
			if b.Text != nil && (b.Text.Text == "" || utf8.RuneCountInString(b.Text.Text) > maxSectionText) {
				return "invalid_blocks"
			}
			if len(b.Fields) > 10 {
				return "invalid_blocks"
			}
			for _, f := range b.Fields {
				if f == nil || utf8.RuneCountInString(f.Text) > maxFieldText {
					return "invalid_blocks"
				}
			}
		case "context":
			if len(b.Elements) == 0 || len(b.Elements) > 10 {
				return "invalid_blocks"
			}
			for _, raw := range b.Elements {
				var e *textObject
				if json.Unmarshal(raw, &e) != nil || e == nil || utf8.RuneCountInString(e.Text) > maxSectionText {
					return "invalid_blocks"
				}
			}
		case "actions":
			if code := checkActions(b.Elements); code != "" {
				return code
			}
		case "":
			return "invalid_blocks"
		}
	}
	return ""
}

// readParams reads a call's parameters from a form body, a JSON body or
// the query, and its token from the Authorization header or the form.
func readParams(r *http.Request) (p url.Values, token string, header bool, err error) {
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && auth != "" {
		token, header = auth, true
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case r.Method == http.MethodPost && ctype == "application/json":
		body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
		if err != nil {
			return nil, "", false, err
		}
		var obj map[string]json.RawMessage
		if len(body) > 0 {
			if err := json.Unmarshal(body, &obj); err != nil {
				return nil, "", false, err
			}
		}
		p = r.URL.Query()
		for k, v := range obj {
			var s string
			if json.Unmarshal(v, &s) == nil {
				p.Set(k, s)
			} else if string(v) != "null" {
				p.Set(k, string(v))
			}
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, "", false, err
		}
		p = cloneValues(r.Form)
	}
	if t := p.Get("token"); t != "" && token == "" {
		token = t
	}
	p.Del("token")
	return p, token, header, nil
}

func truthy(v string) bool { return v == "1" || v == "true" }

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
