package fakeslack

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// call posts to the fake as a client would: a form, or JSON when body is
// a map.
func call(t *testing.T, s *Server, method string, params any) map[string]any {
	t.Helper()
	var req *http.Request
	var err error
	switch p := params.(type) {
	case url.Values:
		req, err = http.NewRequest(http.MethodPost, s.URL()+method, strings.NewReader(p.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	default:
		b, _ := json.Marshal(p)
		req, err = http.NewRequest(http.MethodPost, s.URL()+method, strings.NewReader(string(b)))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("Authorization", "Bearer xoxb-test")
	}
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	out := map[string]any{"_status": resp.StatusCode, "_retry_after": resp.Header.Get("Retry-After")}
	_ = json.Unmarshal(body, &out)
	return out
}

func TestThreadsEditsHistory(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddChannel("C1")

	root := call(t, s, "chat.postMessage", url.Values{"token": {"xoxb-test"}, "channel": {"C1"}, "text": {"root"},
		"metadata": {`{"event_type":"e","event_payload":{"outbox_id":1}}`}})
	if root["ok"] != true {
		t.Fatalf("post: %v", root)
	}
	ts := root["ts"].(string)
	reply := call(t, s, "chat.postMessage", map[string]any{"channel": "C1", "text": "reply", "thread_ts": ts, "reply_broadcast": true,
		"blocks": []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "hi"}}}})
	if reply["ok"] != true || reply["ts"].(string) <= ts {
		t.Fatalf("reply: %v", reply)
	}
	if up := call(t, s, "chat.update", url.Values{"token": {"x"}, "channel": {"C1"}, "ts": {ts}, "text": {"root v2"}}); up["ok"] != true {
		t.Fatalf("update: %v", up)
	}

	msgs := s.Messages("C1")
	if len(msgs) != 1 || msgs[0].Text != "root v2" || len(msgs[0].Edits) != 1 || msgs[0].Edits[0].Text != "root" ||
		len(msgs[0].Replies) != 1 || !msgs[0].Replies[0].ReplyBroadcast || msgs[0].Replies[0].Blocks == nil {
		t.Fatalf("messages %+v", msgs)
	}

	h := call(t, s, "conversations.history", url.Values{"token": {"x"}, "channel": {"C1"}, "include_all_metadata": {"1"}, "limit": {"1"}})
	list := h["messages"].([]any)
	if len(list) != 1 || h["has_more"] != true || list[0].(map[string]any)["subtype"] != "thread_broadcast" {
		t.Fatalf("history page 1: %v", h)
	}
	next := h["response_metadata"].(map[string]any)["next_cursor"].(string)
	h = call(t, s, "conversations.history", url.Values{"token": {"x"}, "channel": {"C1"}, "include_all_metadata": {"1"}, "cursor": {next}})
	first := h["messages"].([]any)[0].(map[string]any)
	if first["ts"] != ts || first["metadata"] == nil || first["reply_count"] != float64(1) {
		t.Fatalf("history page 2: %v", h)
	}
	h = call(t, s, "conversations.history", url.Values{"token": {"x"}, "channel": {"C1"}, "oldest": {ts}})
	if n := len(h["messages"].([]any)); n != 1 {
		t.Errorf("oldest (exclusive): %d messages", n)
	}
	r := call(t, s, "conversations.replies", url.Values{"token": {"x"}, "channel": {"C1"}, "ts": {ts}})
	if n := len(r["messages"].([]any)); n != 2 {
		t.Errorf("replies: %v", r)
	}
	if m := r["messages"].([]any)[0].(map[string]any); m["metadata"] != nil {
		t.Errorf("metadata without include_all_metadata: %v", m)
	}
	if c := s.Calls("chat.postMessage"); len(c) != 2 || c[0].AuthHeader || !c[1].AuthHeader || c[0].Params.Has("token") {
		t.Errorf("calls %+v", c)
	}
}

func TestErrorsAndFaults(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddChannel("C1", "C2")
	post := url.Values{"token": {"xoxb-test"}, "channel": {"C1"}, "text": {"x"}}

	if r := call(t, s, "chat.postMessage", url.Values{"channel": {"C1"}, "text": {"x"}}); r["error"] != "not_authed" {
		t.Errorf("no token: %v", r)
	}
	if r := call(t, s, "chat.postMessage", url.Values{"token": {"x"}, "channel": {"C404"}, "text": {"x"}}); r["error"] != "channel_not_found" {
		t.Errorf("unknown channel: %v", r)
	}
	s.SetChannelError("C2", "not_in_channel")
	if r := call(t, s, "chat.postMessage", url.Values{"token": {"x"}, "channel": {"C2"}, "text": {"x"}}); r["error"] != "not_in_channel" {
		t.Errorf("channel error: %v", r)
	}
	if r := call(t, s, "chat.postMessage", url.Values{"token": {"x"}, "channel": {"C1"}, "blocks": {`[{"type":"header","text":{"type":"plain_text","text":"` + strings.Repeat("x", 151) + `"}}]`}}); r["error"] != "invalid_blocks" {
		t.Errorf("long header: %v", r)
	}

	s.FailNext("chat.postMessage", 2)
	for range 2 {
		if r := call(t, s, "chat.postMessage", post); r["_status"] != 500 {
			t.Errorf("fail next: %v", r)
		}
	}
	s.RateLimitNext("chat.postMessage", 1, 3*time.Second)
	if r := call(t, s, "chat.postMessage", post); r["_status"] != 429 || r["_retry_after"] != "3" {
		t.Errorf("rate limit: %v", r)
	}
	if len(s.Messages("C1")) != 0 {
		t.Errorf("failed calls stored messages")
	}
	s.Inject("chat.postMessage", 1, Fault{Drop: true, Status: 500})
	if r := call(t, s, "chat.postMessage", post); r["_status"] != 500 || len(s.Messages("C1")) != 1 {
		t.Errorf("drop: %v, %d messages", r, len(s.Messages("C1")))
	}
	start := time.Now()
	s.HangNext("auth.test", 1, 20*time.Millisecond)
	if r := call(t, s, "auth.test", url.Values{"token": {"x"}}); r["ok"] != true || time.Since(start) < 20*time.Millisecond {
		t.Errorf("hang: %v", r)
	}
	if r := call(t, s, "chat.postMessage", post); r["ok"] != true {
		t.Errorf("after faults: %v", r)
	}
}
