package fakeslack

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Block Kit limits of an actions block and its buttons.
// https://api.slack.com/reference/block-kit/blocks#actions
// https://api.slack.com/reference/block-kit/block-elements#button
const (
	maxActionElements = 25
	maxActionID       = 255
	maxButtonText     = 75
	maxButtonValue    = 2000
)

// checkActions validates an actions block's elements: buttons with a
// plain-text label and an action_id unique in the block.
func checkActions(elements []json.RawMessage) string {
	if len(elements) == 0 || len(elements) > maxActionElements {
		return "invalid_blocks"
	}
	ids := map[string]bool{}
	for _, raw := range elements {
		var b struct {
			Type     string      `json:"type"`
			ActionID string      `json:"action_id"`
			Value    string      `json:"value"`
			Style    string      `json:"style"`
			Text     *textObject `json:"text"`
		}
		if json.Unmarshal(raw, &b) != nil || b.Type != "button" {
			return "invalid_blocks"
		}
		if b.ActionID == "" || len(b.ActionID) > maxActionID || ids[b.ActionID] || len(b.Value) > maxButtonValue {
			return "invalid_blocks"
		}
		ids[b.ActionID] = true
		if b.Text == nil || b.Text.Type != "plain_text" || b.Text.Text == "" || utf8.RuneCountInString(b.Text.Text) > maxButtonText {
			return "invalid_blocks"
		}
		if b.Style != "" && b.Style != "primary" && b.Style != "danger" {
			return "invalid_blocks"
		}
	}
	return ""
}

// usergroups holds user groups' members for usergroups.users.list.
type usergroups struct {
	mu      sync.Mutex
	members map[string][]string
}

// SetUserGroup sets the members of a user group ("S123").
func (s *Server) SetUserGroup(id string, users ...string) {
	s.groups.mu.Lock()
	defer s.groups.mu.Unlock()
	if s.groups.members == nil {
		s.groups.members = map[string][]string{}
	}
	s.groups.members[id] = append([]string(nil), users...)
}

// usergroupUsers answers usergroups.users.list
// (https://api.slack.com/methods/usergroups.users.list): missing_scope
// without usergroups:read when SetScopes was called, no_such_subteam for
// a group it does not know. The caller holds s.mu.
func (s *Server) usergroupUsers(p url.Values) response {
	if s.scopes != nil && !slices.Contains(s.scopes, "usergroups:read") {
		return response{"ok": false, "error": "missing_scope", "needed": "usergroups:read", "provided": strings.Join(s.scopes, ",")}
	}
	s.groups.mu.Lock()
	defer s.groups.mu.Unlock()
	users, ok := s.groups.members[p.Get("usergroup")]
	if !ok {
		return slackError("no_such_subteam")
	}
	return response{"ok": true, "users": append([]string{}, users...)}
}

// BlockAction is a click on a button, as Slack sends it to the app's
// interactivity URL (https://api.slack.com/reference/interaction-payloads/block-actions).
type BlockAction struct {
	UserID, UserName string
	// TeamID is the clicker's workspace (default T0FAKE, auth.test's).
	TeamID    string
	ChannelID string
	MessageTS string
	// InAttachment says the button sits in the message's attachment, as
	// a root's do: Slack then names the container "message_attachment".
	InAttachment    bool
	ActionID, Value string
	// HomeTab makes the click come from the App Home tab: the container
	// is the view, and Slack sends neither channel, message nor
	// response_url.
	HomeTab bool
	// ResponseURL is where the app may answer; empty means the fake's own
	// (see Responses).
	ResponseURL string
	TriggerID   string
}

// Payload is the interaction's JSON payload, shaped as Slack sends it:
// the clicked message as the fake keeps it (text, blocks, attachments),
// enterprise fields null on a workspace install, the state of the
// message's inputs, and the action with its block, label and style.
func (s *Server) Payload(a BlockAction) []byte {
	team := a.TeamID
	if team == "" {
		team = "T0FAKE"
	}
	trigger := a.TriggerID
	if trigger == "" {
		trigger = "8120370381472.7921358224819.1e9cb1f5dc7a3b7c8a1d3c0f1bd5ff0e"
	}
	now := time.Now()
	act := map[string]any{
		"type": "button", "action_id": a.ActionID, "block_id": "outagebot_actions", "value": a.Value,
		"text":      map[string]any{"type": "plain_text", "text": "Acknowledge", "emoji": true},
		"action_ts": fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000),
	}
	p := map[string]any{
		"type":                  "block_actions",
		"user":                  map[string]any{"id": a.UserID, "username": a.UserName, "name": a.UserName, "team_id": team},
		"api_app_id":            "A0FAKE",
		"token":                 "Shh_its_a_seekrit",
		"trigger_id":            trigger,
		"team":                  map[string]any{"id": team, "domain": "example"},
		"enterprise":            nil,
		"is_enterprise_install": false,
		"state":                 map[string]any{"values": map[string]any{}},
		"actions":               []map[string]any{act},
	}
	if a.HomeTab {
		p["container"] = map[string]any{"type": "view", "view_id": "V0FAKEHOME"}
		p["view"] = map[string]any{
			"id": "V0FAKEHOME", "team_id": team, "type": "home", "blocks": []any{}, "private_metadata": "",
			"callback_id": "outagebot_status_board", "state": map[string]any{"values": map[string]any{}},
			"hash": "1733330000.a1b2c3d4", "title": map[string]any{"type": "plain_text", "text": "View Title", "emoji": true},
			"clear_on_close": false, "notify_on_close": false, "close": nil, "submit": nil,
			"previous_view_id": nil, "root_view_id": "V0FAKEHOME", "app_id": "A0FAKE", "external_id": "",
			"app_installed_team_id": team, "bot_id": "B0BOT",
		}
		raw, _ := json.Marshal(p)
		return raw
	}
	ru := a.ResponseURL
	if ru == "" {
		ru = s.srv.URL + "/actions/respond"
	}
	container := map[string]any{"type": "message", "message_ts": a.MessageTS, "channel_id": a.ChannelID, "is_ephemeral": false}
	if a.InAttachment {
		container["type"] = "message_attachment"
		container["attachment_id"] = 1
		container["is_app_unfurl"] = false
	}
	p["container"] = container
	p["channel"] = map[string]any{"id": a.ChannelID, "name": "ops"}
	p["message"] = s.clickedMessage(a.ChannelID, a.MessageTS, team)
	p["response_url"] = ru
	raw, _ := json.Marshal(p)
	return raw
}

// clickedMessage is the message a click came from as Slack puts it in
// the payload: the message the fake keeps when it has it, with the bot's
// identity around it.
func (s *Server) clickedMessage(channelID, ts, team string) map[string]any {
	out := map[string]any{"type": "message", "user": "U0BOT", "ts": ts, "text": "", "bot_id": "B0BOT", "app_id": "A0FAKE", "team": team}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channels[channelID]
	if ch == nil {
		return out
	}
	m := ch.find(ts)
	if m == nil {
		return out
	}
	for k, v := range ch.render(m, false) {
		out[k] = v
	}
	return out
}

// SignedInteraction builds the POST Slack makes to an interactivity URL:
// the form field payload, signed with secret at ts (v0 HMAC).
func SignedInteraction(target, secret string, ts time.Time, payload []byte) *http.Request {
	body := url.Values{"payload": {string(payload)}}.Encode()
	req, _ := http.NewRequest(http.MethodPost, target, bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sec := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", sec, body)
	req.Header.Set("X-Slack-Request-Timestamp", sec)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return req
}

// Response is what an app posted to a response_url.
type Response struct {
	ResponseType    string          `json:"response_type"`
	Text            string          `json:"text"`
	ReplaceOriginal bool            `json:"replace_original"`
	Blocks          json.RawMessage `json:"blocks,omitempty"`
}

// responses records the answers posted to the fake's response_url.
type responses struct {
	mu   sync.Mutex
	list []Response
	wake chan struct{}
}

// Responses returns the answers posted to the fake's response_url so far.
func (s *Server) Responses() []Response {
	s.resp.mu.Lock()
	defer s.resp.mu.Unlock()
	return append([]Response(nil), s.resp.list...)
}

// WaitResponses waits until n answers were posted to the response_url or
// timeout passes; it returns them.
func (s *Server) WaitResponses(n int, timeout time.Duration) []Response {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.resp.mu.Lock()
		if len(s.resp.list) >= n {
			out := append([]Response(nil), s.resp.list...)
			s.resp.mu.Unlock()
			return out
		}
		if s.resp.wake == nil {
			s.resp.wake = make(chan struct{})
		}
		wake := s.resp.wake
		s.resp.mu.Unlock()
		select {
		case <-wake:
		case <-deadline.C:
			return s.Responses()
		}
	}
}

func (s *Server) serveResponse(w http.ResponseWriter, r *http.Request) {
	var resp Response
	if err := json.NewDecoder(r.Body).Decode(&resp); err != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	if len(resp.Blocks) > 0 {
		if code := checkBlocks(resp.Blocks); code != "" {
			http.Error(w, code, http.StatusBadRequest)
			return
		}
	}
	s.resp.mu.Lock()
	s.resp.list = append(s.resp.list, resp)
	if s.resp.wake != nil {
		close(s.resp.wake)
		s.resp.wake = nil
	}
	s.resp.mu.Unlock()
	w.Write([]byte("ok"))
}
