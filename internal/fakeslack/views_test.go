package fakeslack

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

func section(text string) map[string]any {
	return map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": text}}
}

// views.publish takes what Slack takes: a home view of at most 100 valid
// blocks for a user.
func TestPublishViewChecksTheView(t *testing.T) {
	s := New()
	defer s.Close()
	blocks := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = section("line")
		}
		return out
	}
	for _, tc := range []struct {
		name string
		body map[string]any
		ok   bool
	}{
		{"home", map[string]any{"user_id": "U0123ABCD", "view": map[string]any{"type": "home", "blocks": blocks(100)}}, true},
		{"101 blocks", map[string]any{"user_id": "U0123ABCD", "view": map[string]any{"type": "home", "blocks": blocks(101)}}, false},
		{"a modal", map[string]any{"user_id": "U0123ABCD", "view": map[string]any{"type": "modal", "blocks": blocks(1)}}, false},
		{"no user", map[string]any{"view": map[string]any{"type": "home", "blocks": blocks(1)}}, false},
		{"no blocks", map[string]any{"user_id": "U0123ABCD", "view": map[string]any{"type": "home"}}, false},
		{"empty section", map[string]any{"user_id": "U0123ABCD", "view": map[string]any{"type": "home", "blocks": []any{section("")}}}, false},
		{"long callback_id", map[string]any{"user_id": "U0123ABCD", "view": map[string]any{"type": "home", "blocks": blocks(1), "callback_id": strings.Repeat("x", 256)}}, false},
	} {
		got := call(t, s, "views.publish", tc.body)
		if ok := got["ok"] == true; ok != tc.ok {
			t.Errorf("%s: %v, want ok=%v", tc.name, got, tc.ok)
		}
		if !tc.ok && got["error"] != "invalid_arguments" {
			t.Errorf("%s: error %v, want invalid_arguments", tc.name, got["error"])
		}
	}
}

// usergroups.users.list needs usergroups:read, as at Slack.
func TestUserGroupMembersNeedScope(t *testing.T) {
	s := New()
	defer s.Close()
	s.SetUserGroup("S0ONCALL", "U0ALICE")
	if got := call(t, s, "usergroups.users.list", url.Values{"token": {"xoxb-test"}, "usergroup": {"S0ONCALL"}}); got["ok"] != true {
		t.Fatalf("without scopes set: %v", got)
	}
	s.SetScopes("chat:write", "channels:read")
	got := call(t, s, "usergroups.users.list", url.Values{"token": {"xoxb-test"}, "usergroup": {"S0ONCALL"}})
	if got["ok"] != false || got["error"] != "missing_scope" || got["needed"] != "usergroups:read" {
		t.Errorf("without usergroups:read: %v", got)
	}
	s.SetScopes("chat:write", "usergroups:read")
	if got := call(t, s, "usergroups.users.list", url.Values{"token": {"xoxb-test"}, "usergroup": {"S0ONCALL"}}); got["ok"] != true {
		t.Errorf("with usergroups:read: %v", got)
	}
}

func TestUploadURLRefusesLongAltText(t *testing.T) {
	s := New()
	defer s.Close()
	p := url.Values{"token": {"xoxb-test"}, "filename": {"chart.png"}, "length": {"10"}, "alt_txt": {strings.Repeat("é", 1001)}}
	if got := call(t, s, "files.getUploadURLExternal", p); got["error"] != "alt_txt_too_large" {
		t.Errorf("1001 characters of alt_txt: %v", got)
	}
	p.Set("alt_txt", strings.Repeat("é", 1000))
	if got := call(t, s, "files.getUploadURLExternal", p); got["ok"] != true {
		t.Errorf("1000 characters of alt_txt: %v", got)
	}
}

// A click's payload carries the clicked message as the fake keeps it,
// and a click on the Home tab has no channel, message or response_url.
func TestPayloadShapes(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddChannel("C0OPS")
	root := call(t, s, "chat.postMessage", map[string]any{"channel": "C0OPS", "text": "root", "blocks": []any{section("root")}})
	ts, _ := root["ts"].(string)
	var msg map[string]any
	if err := json.Unmarshal(s.Payload(BlockAction{UserID: "U0ALICE", ChannelID: "C0OPS", MessageTS: ts, InAttachment: true, ActionID: "a", Value: "v"}), &msg); err != nil {
		t.Fatal(err)
	}
	c := msg["container"].(map[string]any)
	m := msg["message"].(map[string]any)
	if c["type"] != "message_attachment" || c["message_ts"] != ts || m["text"] != "root" || m["blocks"] == nil || msg["response_url"] == nil {
		t.Errorf("message click: %v", msg)
	}
	var home map[string]any
	if err := json.Unmarshal(s.Payload(BlockAction{UserID: "U0ALICE", HomeTab: true, ActionID: "a", Value: "v"}), &home); err != nil {
		t.Fatal(err)
	}
	if home["container"].(map[string]any)["type"] != "view" || home["channel"] != nil || home["message"] != nil || home["response_url"] != nil {
		t.Errorf("home click: %v", home)
	}
}

// Two blocks of a message cannot share a block_id.
func TestDuplicateBlockIDRefused(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddChannel("C0OPS")
	b := func(id string) map[string]any {
		m := section("x")
		m["block_id"] = id
		return m
	}
	if got := call(t, s, "chat.postMessage", map[string]any{"channel": "C0OPS", "text": "t", "blocks": []any{b("a"), b("b")}}); got["ok"] != true {
		t.Errorf("distinct block_ids: %v", got)
	}
	if got := call(t, s, "chat.postMessage", map[string]any{"channel": "C0OPS", "text": "t", "blocks": []any{b("a"), b("a")}}); got["error"] != "invalid_blocks" {
		t.Errorf("a repeated block_id: %v", got)
	}
}
