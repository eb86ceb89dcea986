// Package faketelegram is a local Telegram Bot API for tests: an
// httptest server that keeps chats, messages and forum topics, records
// every call, checks the HTML of every text as Telegram's parser would,
// and answers with the Bot API's real error shapes. Faults are injected
// per method: an error answer (429 with retry_after, 500, 403), a hang,
// or a lost answer (the call takes effect, the connection is dropped).
package faketelegram

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
)

// Message is a message the bot sent.
type Message struct {
	ID       int64
	ThreadID int64
	ReplyTo  int64
	Text     string
	// Edits counts editMessageText calls that changed it.
	Edits int
}

// Topic is a forum topic.
type Topic struct {
	ID     int64
	Name   string
	Closed bool
}

// Call is one recorded request.
type Call struct {
	Method string
	Body   []byte
}

// Fault is what the next call of a method gets instead of its answer.
type Fault struct {
	// Status and Description answer {"ok":false,...}.
	Status      int
	Description string
	// RetryAfter sets parameters.retry_after (seconds).
	RetryAfter int
	// MigrateTo sets parameters.migrate_to_chat_id.
	MigrateTo int64
	// Hang waits this long (or until the client gives up) and answers 500.
	Hang time.Duration
	// Lose makes the call take effect and then drops the connection
	// without an answer.
	Lose bool
}

type chat struct {
	id       string
	typ      string
	title    string
	forum    bool
	blocked  string // 403 description, when the bot was removed
	migrate  int64
	msgs     []*Message
	topics   map[int64]*Topic
	memberAs string
}

// Server is the fake.
type Server struct {
	srv   *httptest.Server
	token string

	mu     sync.Mutex
	chats  map[string]*chat
	nextID int64
	calls  []Call
	faults map[string][]Fault
}

// New starts a fake for token.
func New(token string) *Server {
	s := &Server{token: token, chats: map[string]*chat{}, faults: map[string][]Fault{}, nextID: 100}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the api_url to give the bot.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// AddChat adds a chat the bot is in: typ is "group", "supergroup",
// "channel" or "private"; forum turns topics on.
func (s *Server) AddChat(id, typ string, forum bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chats[id] = &chat{id: id, typ: typ, title: "Chat " + id, forum: forum, topics: map[int64]*Topic{}, memberAs: "administrator"}
}

// AddTopic adds an open forum topic with a given id to chat, turning its
// topics on: a topic someone opened in the client, which commands can
// come from.
func (s *Server) AddTopic(id string, thread int64, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[id]; c != nil {
		c.forum = true
		c.topics[thread] = &Topic{ID: thread, Name: name}
	}
}

// Block makes every call to chat answer 403 with description (like
// "Forbidden: bot was kicked from the group chat").
func (s *Server) Block(id, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[id]; c != nil {
		c.blocked = description
	}
}

// Migrate turns group id into a supergroup with id to: calls to id answer
// 400 with migrate_to_chat_id.
func (s *Server) Migrate(id string, to int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[id]
	if c == nil {
		return
	}
	c.migrate = to
	nid := strconv.FormatInt(to, 10)
	s.chats[nid] = &chat{id: nid, typ: "supergroup", title: c.title, topics: map[int64]*Topic{}, memberAs: "administrator"}
}

// FailNext queues faults for the next calls of method.
func (s *Server) FailNext(method string, f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], f...)
}

// Messages returns copies of the messages in chat, oldest first.
func (s *Server) Messages(id string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[id]
	if c == nil {
		return nil
	}
	out := make([]Message, len(c.msgs))
	for i, m := range c.msgs {
		out[i] = *m
	}
	return out
}

// Topics returns the chat's forum topics by id.
func (s *Server) Topics(id string) []Topic {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Topic
	if c := s.chats[id]; c != nil {
		for _, t := range c.topics {
			out = append(out, *t)
		}
	}
	slices.SortFunc(out, func(a, b Topic) int { return int(a.ID - b.ID) })
	return out
}

// Calls returns the recorded calls of method ("" for all).
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

type params struct {
	ChatID          json.RawMessage `json:"chat_id"`
	MessageThreadID int64           `json:"message_thread_id"`
	MessageID       int64           `json:"message_id"`
	UserID          int64           `json:"user_id"`
	Text            string          `json:"text"`
	ParseMode       string          `json:"parse_mode"`
	Name            string          `json:"name"`
	ReplyParameters *struct {
		MessageID                int64 `json:"message_id"`
		AllowSendingWithoutReply bool  `json:"allow_sending_without_reply"`
	} `json:"reply_parameters"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, _ := strings.Cut(rest, "/")
	if !ok || r.Method != http.MethodPost {
		fail(w, http.StatusNotFound, "Not Found", nil)
		return
	}
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: method, Body: body})
	var f *Fault
	if q := s.faults[method]; len(q) > 0 {
		f = &q[0]
		s.faults[method] = q[1:]
	}
	s.mu.Unlock()
	if token != s.token {
		fail(w, http.StatusUnauthorized, "Unauthorized", nil)
		return
	}
	if f != nil && !f.Lose {
		if f.Hang > 0 {
			select {
			case <-r.Context().Done():
			case <-time.After(f.Hang):
			}
			fail(w, http.StatusInternalServerError, "Internal Server Error", nil)
			return
		}
		p := map[string]any{}
		if f.RetryAfter > 0 {
			p["retry_after"] = f.RetryAfter
		}
		if f.MigrateTo != 0 {
			p["migrate_to_chat_id"] = f.MigrateTo
		}
		fail(w, f.Status, f.Description, p)
		return
	}
	var p params
	if len(body) > 0 && json.Unmarshal(body, &p) != nil {
		fail(w, http.StatusBadRequest, "Bad Request: can't parse JSON", nil)
		return
	}
	status, result, desc, extra := s.apply(method, p)
	if f != nil && f.Lose {
		// It happened; the answer never arrives.
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
	}
	if status != http.StatusOK {
		fail(w, status, desc, extra)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func fail(w http.ResponseWriter, status int, desc string, p map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	a := map[string]any{"ok": false, "error_code": status, "description": desc}
	if len(p) > 0 {
		a["parameters"] = p
	}
	_ = json.NewEncoder(w).Encode(a)
}

// apply carries out a call and returns its answer.
func (s *Server) apply(method string, p params) (status int, result any, desc string, extra map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if method == "getMe" {
		return http.StatusOK, map[string]any{"id": 7000001, "is_bot": true, "first_name": "outagebot", "username": "outagebot_test_bot", "can_join_groups": true}, "", nil
	}
	var id string
	if err := json.Unmarshal(p.ChatID, &id); err != nil {
		var n int64
		if json.Unmarshal(p.ChatID, &n) != nil {
			return http.StatusBadRequest, nil, "Bad Request: chat_id is empty", nil
		}
		id = strconv.FormatInt(n, 10)
	}
	c := s.chats[id]
	switch {
	case c == nil:
		return http.StatusBadRequest, nil, "Bad Request: chat not found", nil
	case c.blocked != "":
		return http.StatusForbidden, nil, c.blocked, nil
	case c.migrate != 0:
		return http.StatusBadRequest, nil, "Bad Request: group chat was upgraded to a supergroup chat", map[string]any{"migrate_to_chat_id": c.migrate}
	}
	chatJSON := map[string]any{"id": chatNumber(id), "type": c.typ, "title": c.title}
	switch method {
	case "getChat":
		chatJSON["is_forum"] = c.forum
		return http.StatusOK, chatJSON, "", nil
	case "getChatMember":
		return http.StatusOK, map[string]any{"status": c.memberAs, "user": map[string]any{"id": p.UserID, "is_bot": true}, "can_manage_topics": true, "can_post_messages": true}, "", nil
	case "sendMessage":
		if msg := checkText(p.Text, p.ParseMode); msg != "" {
			return http.StatusBadRequest, nil, msg, nil
		}
		if p.MessageThreadID != 0 {
			t := c.topics[p.MessageThreadID]
			if t == nil {
				return http.StatusBadRequest, nil, "Bad Request: message thread not found", nil
			}
			if t.Closed {
				return http.StatusBadRequest, nil, "Bad Request: TOPIC_CLOSED", nil
			}
		}
		var replyTo int64
		if rp := p.ReplyParameters; rp != nil {
			if s.find(c, rp.MessageID) == nil && !rp.AllowSendingWithoutReply {
				return http.StatusBadRequest, nil, "Bad Request: message to be replied not found", nil
			}
			replyTo = rp.MessageID
		}
		s.nextID++
		m := &Message{ID: s.nextID, ThreadID: p.MessageThreadID, ReplyTo: replyTo, Text: p.Text}
		c.msgs = append(c.msgs, m)
		res := map[string]any{"message_id": m.ID, "date": time.Now().Unix(), "chat": chatJSON, "text": p.Text}
		if m.ThreadID != 0 {
			res["message_thread_id"] = m.ThreadID
			res["is_topic_message"] = true
		}
		return http.StatusOK, res, "", nil
	case "editMessageText":
		m := s.find(c, p.MessageID)
		if m == nil {
			return http.StatusBadRequest, nil, "Bad Request: message to edit not found", nil
		}
		if msg := checkText(p.Text, p.ParseMode); msg != "" {
			return http.StatusBadRequest, nil, msg, nil
		}
		if m.Text == p.Text {
			return http.StatusBadRequest, nil, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message", nil
		}
		m.Text = p.Text
		m.Edits++
		return http.StatusOK, map[string]any{"message_id": m.ID, "chat": chatJSON, "text": p.Text}, "", nil
	case "createForumTopic":
		if !c.forum {
			return http.StatusBadRequest, nil, "Bad Request: the chat is not a forum", nil
		}
		if n := len(utf16.Encode([]rune(p.Name))); n == 0 || n > 128 {
			return http.StatusBadRequest, nil, "Bad Request: TOPIC_NAME_INVALID", nil
		}
		s.nextID++
		t := &Topic{ID: s.nextID, Name: p.Name}
		c.topics[t.ID] = t
		return http.StatusOK, map[string]any{"message_thread_id": t.ID, "name": t.Name, "icon_color": 7322096}, "", nil
	case "closeForumTopic":
		t := c.topics[p.MessageThreadID]
		if t == nil {
			return http.StatusBadRequest, nil, "Bad Request: message thread not found", nil
		}
		if t.Closed {
			return http.StatusBadRequest, nil, "Bad Request: TOPIC_NOT_MODIFIED", nil
		}
		t.Closed = true
		return http.StatusOK, true, "", nil
	}
	return http.StatusNotFound, nil, "Not Found", nil
}

func (s *Server) find(c *chat, id int64) *Message {
	for _, m := range c.msgs {
		if m.ID == id {
			return m
		}
	}
	return nil
}

func chatNumber(id string) any {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return n
	}
	return id
}

// allowedTags are the tags of Telegram's HTML style
// (https://core.telegram.org/bots/api#html-style).
var allowedTags = []string{"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "tg-emoji", "code", "pre", "blockquote"}

// checkText parses text as Telegram would and returns its error, or "".
// Text with parse_mode HTML must use only the supported tags, properly
// nested, and only &lt; &gt; &amp; &quot; or numeric entities; the text
// left after parsing must be 1-4096 UTF-16 units.
func checkText(text, mode string) string {
	visible := text
	if mode == "HTML" {
		var err string
		if visible, err = parseHTML(text); err != "" {
			return "Bad Request: can't parse entities: " + err
		}
	}
	n := len(utf16.Encode([]rune(strings.TrimSpace(visible))))
	switch {
	case n == 0:
		return "Bad Request: message text is empty"
	case n > 4096:
		return "Bad Request: message is too long"
	}
	return ""
}

func parseHTML(s string) (string, string) {
	var out strings.Builder
	var stack []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", fmt.Sprintf("unclosed start tag at byte offset %d", i)
			}
			tag := s[i+1 : i+end]
			i += end + 1
			if name, ok := strings.CutPrefix(tag, "/"); ok {
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return "", fmt.Sprintf("unmatched end tag %q", name)
				}
				stack = stack[:len(stack)-1]
				continue
			}
			name, _, _ := strings.Cut(tag, " ")
			if !slices.Contains(allowedTags, name) {
				return "", fmt.Sprintf("unsupported start tag %q", name)
			}
			stack = append(stack, name)
		case '&':
			end := strings.IndexByte(s[i:], ';')
			if end < 0 {
				return "", "unterminated entity"
			}
			ent := s[i : i+end+1]
			switch {
			case ent == "&lt;":
				out.WriteByte('<')
			case ent == "&gt;":
				out.WriteByte('>')
			case ent == "&amp;":
				out.WriteByte('&')
			case ent == "&quot;":
				out.WriteByte('"')
			case strings.HasPrefix(ent, "&#"):
				out.WriteByte('?')
			default:
				return "", fmt.Sprintf("unsupported entity %q", ent)
			}
			i += end + 1
		case '>':
			return "", "unexpected > in text"
		default:
			out.WriteByte(s[i])
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Sprintf("unclosed tag %q", stack[len(stack)-1])
	}
	return out.String(), ""
}
