package fakeslack

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Socket Mode, as Slack implements it
// (https://api.slack.com/apis/connections/socket-implement):
// apps.connections.open, called with an app-level token (xapp-...), answers
// a single-use websocket URL; on that websocket the server sends hello,
// pings every few seconds and pushes envelopes, and the client acks each
// envelope with {"envelope_id":...,"payload":...}.

// socketPath is where the websocket endpoint listens.
const socketPath = "/link/"

const (
	// defaultAckTimeout is how long an envelope waits for its ack: Slack's
	// 3 seconds for a slash command.
	defaultAckTimeout = 3 * time.Second
	// defaultConnectWait bounds how long SendEnvelope waits for a client
	// to be connected.
	defaultConnectWait = 5 * time.Second
	// defaultPingEvery is how often the server pings: slack-go reconnects
	// when no ping came for 30 s.
	defaultPingEvery = 5 * time.Second
	writeTimeout     = 5 * time.Second
)

// ErrNoSocket is returned when no Socket Mode client is connected.
var ErrNoSocket = errors.New("fakeslack: no Socket Mode connection")

// Ack is a Socket Mode client's acknowledgement of an envelope.
type Ack struct {
	EnvelopeID string
	// Payload is the ack's payload as sent; nil when it had none.
	Payload json.RawMessage
}

// socketState is the Socket Mode side of the server. Its fields are
// guarded by Server.mu, except wg.
type socketState struct {
	appToken    string
	tickets     map[string]bool // issued and not used yet
	ticketSeq   int
	conns       []*socketConn // open, oldest first
	opened      int
	closing     bool
	envSeq      int
	acks        []Ack
	waiters     map[string]chan Ack
	ackTimeout  time.Duration
	connectWait time.Duration
	pingEvery   time.Duration
	// changed is closed (and replaced) whenever a connection opens or
	// closes.
	changed chan struct{}
	wg      sync.WaitGroup
}

func newSocketState() socketState {
	return socketState{
		tickets:     map[string]bool{},
		waiters:     map[string]chan Ack{},
		ackTimeout:  defaultAckTimeout,
		connectWait: defaultConnectWait,
		pingEvery:   defaultPingEvery,
		changed:     make(chan struct{}),
	}
}

type socketConn struct {
	ws   *websocket.Conn
	wmu  sync.Mutex // gorilla/websocket allows one writer at a time
	done chan struct{}
}

func (c *socketConn) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteJSON(v)
}

// RequireAppToken makes apps.connections.open fail with invalid_auth for
// any other token. By default any token starting with "xapp-" is accepted
// (others fail with not_allowed_token_type, as a bot token does at Slack).
func (s *Server) RequireAppToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sock.appToken = token
}

// SetAckTimeout sets how long SendEnvelope and SendSlashCommand wait for
// the ack (default 3 s, Slack's limit for slash commands).
func (s *Server) SetAckTimeout(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sock.ackTimeout = d
}

// SetConnectWait sets how long SendEnvelope and SendSlashCommand wait for
// a client to be connected (default 5 s). A test under load sets both
// this and the ack timeout generously: they bound how long a broken
// client is waited for, and cost nothing when the client works.
func (s *Server) SetConnectWait(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sock.connectWait = d
}

// SetPingInterval sets how often the websocket is pinged (default 5 s);
// it applies to connections opened afterwards.
func (s *Server) SetPingInterval(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sock.pingEvery = d
}

// SocketConnected reports whether a Socket Mode client is connected.
func (s *Server) SocketConnected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sock.conns) > 0
}

// SocketsOpened is how many websocket connections were opened so far, so
// a test can see a client reconnect.
func (s *Server) SocketsOpened() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sock.opened
}

// WaitSocket waits up to timeout until at least n websocket connections
// have been opened and one is open.
func (s *Server) WaitSocket(n int, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		s.mu.Lock()
		ok := len(s.sock.conns) > 0 && s.sock.opened >= n
		changed := s.sock.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-t.C:
			return fmt.Errorf("%w after %s (%d opened, %d wanted)", ErrNoSocket, timeout, s.SocketsOpened(), n)
		case <-s.done:
			return ErrNoSocket
		}
	}
}

// Acks returns every ack received so far, oldest first.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Ack, len(s.sock.acks))
	copy(out, s.sock.acks)
	return out
}

// SendSlashCommand pushes a slash command to the newest connection, as
// Slack does when someone runs it: fields are the form fields an HTTP
// slash command would carry (command, text, user_id, channel_id,
// response_url, trigger_id, ...). It waits (bounded) for a connection and
// then for the ack, and returns the ack's payload.
func (s *Server) SendSlashCommand(fields map[string]string) (json.RawMessage, error) {
	return s.SendEnvelope("slash_commands", fields)
}

// SendEnvelope pushes an envelope of type typ ("slash_commands",
// "interactive", "events_api") with payload to the newest connection and
// returns the ack's payload. It waits up to the connect wait (default 5 s)
// for a connection and then up to the ack timeout for the ack.
func (s *Server) SendEnvelope(typ string, payload any) (json.RawMessage, error) {
	return s.SendEnvelopeRetry(typ, payload, 0, "")
}

// SendEnvelopeRetry is SendEnvelope for Slack's redelivery of an envelope
// that was not acked in time: attempt counts from 1 and reason is Slack's
// ("timeout").
func (s *Server) SendEnvelopeRetry(typ string, payload any, attempt int, reason string) (json.RawMessage, error) {
	s.mu.Lock()
	connectWait := s.sock.connectWait
	s.mu.Unlock()
	if err := s.WaitSocket(1, connectWait); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.sock.conns) == 0 {
		s.mu.Unlock()
		return nil, ErrNoSocket
	}
	c := s.sock.conns[len(s.sock.conns)-1]
	s.sock.envSeq++
	id := fmt.Sprintf("fake-envelope-%04d", s.sock.envSeq)
	wait := make(chan Ack, 1)
	s.sock.waiters[id] = wait
	timeout := s.sock.ackTimeout
	s.mu.Unlock()
	forget := func() {
		s.mu.Lock()
		delete(s.sock.waiters, id)
		s.mu.Unlock()
	}

	err := c.write(map[string]any{
		"envelope_id":              id,
		"type":                     typ,
		"payload":                  payload,
		"accepts_response_payload": typ != "events_api",
		"retry_attempt":            attempt,
		"retry_reason":             reason,
	})
	if err != nil {
		forget()
		return nil, fmt.Errorf("fakeslack: send %s: %w", typ, err)
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case a := <-wait:
		return a.Payload, nil
	case <-t.C:
		forget()
		return nil, fmt.Errorf("fakeslack: no ack for %s within %s", id, timeout)
	case <-s.done:
		forget()
		return nil, errors.New("fakeslack: closed")
	}
}

// RequestDisconnect sends Slack's disconnect message (reason
// "refresh_requested") on every open connection; a client is expected to
// open a new one.
func (s *Server) RequestDisconnect() { s.Disconnect("refresh_requested") }

// Disconnect sends a disconnect message with reason on every open
// connection, as Slack does (https://api.slack.com/apis/socket-mode):
// "warning" a few seconds before it refreshes a connection,
// "refresh_requested" when it does, "link_disabled" when the app's
// Socket Mode was turned off. The connection stays open: the client is
// expected to close it and open a new one.
func (s *Server) Disconnect(reason string) {
	for _, c := range s.openSockets() {
		_ = c.write(map[string]any{"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": "applink-fakeslack"}})
	}
}

// DropSockets closes every open connection without a word, like a
// network failure.
func (s *Server) DropSockets() {
	for _, c := range s.openSockets() {
		_ = c.ws.NetConn().Close()
	}
}

func (s *Server) openSockets() []*socketConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*socketConn(nil), s.sock.conns...)
}

// openConnection answers apps.connections.open. The caller holds s.mu.
func (s *Server) openConnection(token string) response {
	switch {
	case token == "":
		return slackError("not_authed")
	case !strings.HasPrefix(token, "xapp-"):
		return slackError("not_allowed_token_type")
	case s.sock.appToken != "" && token != s.sock.appToken:
		return slackError("invalid_auth")
	}
	s.sock.ticketSeq++
	ticket := fmt.Sprintf("fake-ticket-%d", s.sock.ticketSeq)
	s.sock.tickets[ticket] = true
	wsURL := "ws" + strings.TrimPrefix(s.srv.URL, "http") + socketPath + "?ticket=" + ticket + "&app_id=A0FAKE"
	return response{"ok": true, "url": wsURL}
}

// serveSocket is the websocket endpoint: it takes a ticket from
// apps.connections.open once, says hello, pings, and records acks until
// the client or the server closes the connection.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := s.sock.tickets[ticket]
	delete(s.sock.tickets, ticket)
	s.mu.Unlock()
	if !valid {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	// Slack's clients send their own Origin (slack-go: https://api.slack.com).
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered
	}
	c := &socketConn{ws: ws, done: make(chan struct{})}

	s.mu.Lock()
	if s.sock.closing {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	s.sock.opened++
	n := len(s.sock.conns) + 1
	s.sock.conns = append(s.sock.conns, c)
	every := s.sock.pingEvery
	s.sock.wg.Add(2)
	s.socketsChanged()
	s.mu.Unlock()

	go func() {
		defer s.sock.wg.Done()
		s.ping(c, every)
	}()
	defer s.sock.wg.Done()
	defer s.dropSocket(c)

	hello := map[string]any{
		"type":            "hello",
		"num_connections": n,
		"debug_info":      map[string]any{"host": "fakeslack", "build_number": 1, "approximate_connection_time": 18060},
		"connection_info": map[string]any{"app_id": "A0FAKE"},
	}
	if err := c.write(hello); err != nil {
		return
	}
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &ack) != nil || ack.EnvelopeID == "" {
			continue
		}
		a := Ack{EnvelopeID: ack.EnvelopeID, Payload: ack.Payload}
		s.mu.Lock()
		s.sock.acks = append(s.sock.acks, a)
		if wait := s.sock.waiters[a.EnvelopeID]; wait != nil {
			wait <- a
			delete(s.sock.waiters, a.EnvelopeID)
		}
		s.mu.Unlock()
	}
}

// ping pings c every interval until it closes.
func (s *Server) ping(c *socketConn, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if err := c.ws.WriteControl(websocket.PingMessage, []byte("fakeslack"), time.Now().Add(writeTimeout)); err != nil {
			return
		}
		select {
		case <-tick.C:
		case <-c.done:
			return
		case <-s.done:
			return
		}
	}
}

func (s *Server) dropSocket(c *socketConn) {
	s.mu.Lock()
	for i, o := range s.sock.conns {
		if o == c {
			s.sock.conns = append(s.sock.conns[:i], s.sock.conns[i+1:]...)
			break
		}
	}
	s.socketsChanged()
	s.mu.Unlock()
	close(c.done)
	_ = c.ws.Close()
}

// socketsChanged wakes WaitSocket. The caller holds s.mu.
func (s *Server) socketsChanged() {
	close(s.sock.changed)
	s.sock.changed = make(chan struct{})
}

// closeSockets closes every connection and waits for their goroutines.
func (s *Server) closeSockets() {
	s.mu.Lock()
	s.sock.closing = true
	conns := append([]*socketConn(nil), s.sock.conns...)
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.Close()
	}
	s.sock.wg.Wait()
}
