package fakediscord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Gateway opcodes and close codes the fake speaks
// (https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway).
const (
	opDispatch          = 0
	opHeartbeat         = 1
	opIdentify          = 2
	opResume            = 6
	opHello             = 10
	opHeartbeatAck      = 11
	closeAuthFailed     = 4004
	defaultHeartbeat    = 41250 * time.Millisecond
	gatewaySocketPrefix = "/gateway-ws"
)

// Identify is what a session sent in IDENTIFY (op 2).
type Identify struct {
	Token    string           `json:"token"`
	Intents  discordgo.Intent `json:"intents"`
	Compress bool             `json:"compress"`
	Shard    *[2]int          `json:"shard"`
	// Raw is the payload's d as sent.
	Raw json.RawMessage `json:"-"`
}

// gatewayState is the fake gateway's sessions. Guarded by Server.mu.
type gatewayState struct {
	heartbeat  time.Duration
	conns      map[*gwConn]bool
	identifies []Identify
	heartbeats int
	sessions   int
}

// gwConn is one websocket session.
type gwConn struct {
	ws *websocket.Conn

	wmu sync.Mutex // serialises writes; guards seq
	seq int64

	ready bool // under Server.mu
}

type gatewayPayload struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s,omitempty"`
	T  string          `json:"t,omitempty"`
}

// send writes one payload; dispatches (op 0) get the next sequence number.
func (c *gwConn) send(op int, t string, d any) error {
	raw, err := json.Marshal(d)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	p := gatewayPayload{Op: op, D: raw, T: t}
	if op == opDispatch {
		c.seq++
		seq := c.seq
		p.S = &seq
	}
	return c.ws.WriteJSON(p)
}

func (c *gwConn) close(code int, text string) {
	c.wmu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	c.wmu.Unlock()
	_ = c.ws.Close()
}

// GatewayURL is the websocket URL GET /gateway answers with.
func (s *Server) GatewayURL() string {
	return "ws" + strings.TrimPrefix(s.srv.URL, "http") + gatewaySocketPrefix
}

// SetHeartbeatInterval sets the heartbeat_interval HELLO asks of new
// sessions (default 41.25 s, as Discord).
func (s *Server) SetHeartbeatInterval(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gw.heartbeat = d
}

// WaitReady waits until a gateway session has identified and been sent
// READY (or RESUMED).
func (s *Server) WaitReady(ctx context.Context) error {
	err := s.wait(ctx, func() bool {
		for c := range s.gw.conns {
			if c.ready {
				return true
			}
		}
		return false
	})
	if err != nil {
		return fmt.Errorf("no gateway session became ready: %w", err)
	}
	return nil
}

// Identifies returns the IDENTIFY payloads received, oldest first.
func (s *Server) Identifies() []Identify {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Identify, len(s.gw.identifies))
	for i, id := range s.gw.identifies {
		out[i] = id
		out[i].Raw = append(json.RawMessage(nil), id.Raw...)
	}
	return out
}

// Heartbeats is how many heartbeats (op 1) the gateway has acknowledged.
func (s *Server) Heartbeats() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gw.heartbeats
}

// GatewaySessions is how many gateway sessions are connected now.
func (s *Server) GatewaySessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.gw.conns)
}

// DisconnectGateway drops every gateway session without a close frame, as a
// network failure would.
func (s *Server) DisconnectGateway() {
	s.mu.Lock()
	conns := make([]*gwConn, 0, len(s.gw.conns))
	for c := range s.gw.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.Close()
	}
}

// dispatch sends an event to every ready session.
func (s *Server) dispatch(t string, d any) error {
	s.mu.Lock()
	var ready []*gwConn
	for c := range s.gw.conns {
		if c.ready {
			ready = append(ready, c)
		}
	}
	s.mu.Unlock()
	if len(ready) == 0 {
		return fmt.Errorf("fakediscord: no gateway session is ready to receive %s", t)
	}
	for _, c := range ready {
		if err := c.send(opDispatch, t, d); err != nil {
			return fmt.Errorf("fakediscord: send %s: %w", t, err)
		}
	}
	return nil
}

func (s *Server) getGateway(w http.ResponseWriter, r *http.Request) {
	body := map[string]any{"url": s.GatewayURL()}
	if strings.HasSuffix(r.URL.Path, "/bot") {
		body["shards"] = 1
		body["session_start_limit"] = map[string]any{"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
	}
	writeJSON(w, http.StatusOK, body)
}

var upgrader = websocket.Upgrader{
	// Bots send no Origin; accept whatever comes.
	CheckOrigin: func(*http.Request) bool { return true },
}

// gatewaySocket is one gateway session: HELLO, then IDENTIFY -> READY,
// RESUME -> RESUMED and heartbeats -> acks until the connection ends.
func (s *Server) gatewaySocket(w http.ResponseWriter, r *http.Request) {
	s.record(&Call{Route: RouteGatewaySocket, Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), At: s.now(), Status: http.StatusSwitchingProtocols})
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws}
	s.mu.Lock()
	if s.gw.conns == nil {
		s.gw.conns = map[*gwConn]bool{}
	}
	s.gw.conns[c] = true
	interval := s.gw.heartbeat
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.gw.conns, c)
		s.signal()
		s.mu.Unlock()
		_ = ws.Close()
	}()
	if interval <= 0 {
		interval = defaultHeartbeat
	}
	if err := c.send(opHello, "", map[string]any{"heartbeat_interval": interval.Milliseconds()}); err != nil {
		return
	}
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var p gatewayPayload
		if err := json.Unmarshal(msg, &p); err != nil {
			c.close(4002, "Error while decoding payload.")
			return
		}
		switch p.Op {
		case opHeartbeat:
			s.mu.Lock()
			s.gw.heartbeats++
			s.mu.Unlock()
			if err := c.send(opHeartbeatAck, "", nil); err != nil {
				return
			}
		case opIdentify:
			var id Identify
			if err := json.Unmarshal(p.D, &id); err != nil || id.Token == "" {
				c.close(4002, "Error while decoding payload.")
				return
			}
			id.Raw = p.D
			s.mu.Lock()
			s.gw.identifies = append(s.gw.identifies, id)
			token := s.token
			s.gw.sessions++
			session := fmt.Sprintf("fake-session-%d", s.gw.sessions)
			s.mu.Unlock()
			if token != "" && strings.TrimPrefix(id.Token, "Bot ") != token {
				c.close(closeAuthFailed, "Authentication failed.")
				return
			}
			ready := map[string]any{
				"v":                  9,
				"session_id":         session,
				"resume_gateway_url": s.GatewayURL(),
				"user":               map[string]any{"id": botUserID, "username": "outagebot", "discriminator": "0", "bot": true},
				"guilds":             []any{},
				"private_channels":   []any{},
				"application":        map[string]any{"id": botUserID, "flags": 0},
				"shard":              []int{0, 1},
			}
			if err := c.send(opDispatch, "READY", ready); err != nil {
				return
			}
			s.setReady(c)
		case opResume:
			if err := c.send(opDispatch, "RESUMED", map[string]any{}); err != nil {
				return
			}
			s.setReady(c)
		}
	}
}

func (s *Server) setReady(c *gwConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.ready = true
	s.signal()
}
