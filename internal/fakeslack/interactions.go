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
	"strconv"
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
// (https://api.slack.com/methods/usergroups.users.list).
func (s *Server) usergroupUsers(p url.Values) response {
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
	ChannelID        string
	MessageTS        string
	ActionID, Value  string
	// ResponseURL is where the app may answer; empty means the fake's own
	// (see Responses).
	ResponseURL string
	TriggerID   string
}

// Payload is the interaction's JSON payload.
func (s *Server) Payload(a BlockAction) []byte {
	ru := a.ResponseURL
	if ru == "" {
		ru = s.srv.URL + "/actions/respond"
	}
	p := map[string]any{
		"type":         "block_actions",
		"user":         map[string]any{"id": a.UserID, "username": a.UserName, "name": a.UserName},
		"api_app_id":   "A1",
		"token":        "deprecated",
		"trigger_id":   a.TriggerID,
		"team":         map[string]any{"id": "T1", "domain": "example"},
		"channel":      map[string]any{"id": a.ChannelID, "name": "ops"},
		"container":    map[string]any{"type": "message", "message_ts": a.MessageTS, "channel_id": a.ChannelID, "is_ephemeral": false},
		"message":      map[string]any{"type": "message", "ts": a.MessageTS},
		"response_url": ru,
		"actions": []map[string]any{{
			"type": "button", "action_id": a.ActionID, "block_id": "outagebot_actions", "value": a.Value,
			"text":      map[string]any{"type": "plain_text", "text": "x"},
			"action_ts": strconv.FormatInt(time.Now().Unix(), 10) + ".000100",
		}},
	}
	raw, _ := json.Marshal(p)
	return raw
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
