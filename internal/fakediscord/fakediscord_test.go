package fakediscord

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

const ch = "1100000000000000001"

type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func call(t *testing.T, s *Server, method, path string, body any) answer {
	t.Helper()
	return callCtx(t, context.Background(), s, method, path, body)
}

func callCtx(t *testing.T, ctx context.Context, s *Server, method, path string, body any) answer {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.URL()+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bot token")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{}
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	raw, _ := io.ReadAll(resp.Body)
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			t.Fatalf("%s %s: body %q: %v", method, path, raw, err)
		}
	}
	return a
}

func (a answer) code() int {
	c, _ := a.body["code"].(float64)
	return int(c)
}

func (a answer) id() string {
	s, _ := a.body["id"].(string)
	return s
}

func newServer(t *testing.T) *Server {
	s := New()
	t.Cleanup(s.Close)
	s.AddChannel(ch)
	return s
}

func TestMessagesAndNonce(t *testing.T) {
	s := newServer(t)
	path := "/api/v9/channels/" + ch + "/messages"
	if a := call(t, s, "POST", "/api/v9/channels/42/messages", map[string]any{"content": "x"}); a.status != 404 || a.code() != CodeUnknownChannel {
		t.Errorf("unknown channel: %d %v", a.status, a.body)
	}
	first := call(t, s, "POST", path, map[string]any{"content": "hello", "nonce": "7", "enforce_nonce": true})
	again := call(t, s, "POST", path, map[string]any{"content": "hello again", "nonce": "7", "enforce_nonce": true})
	if first.status != 200 || again.status != 200 || first.id() == "" || again.id() != first.id() {
		t.Fatalf("enforced nonce: %v then %v", first.body, again.body)
	}
	loose := call(t, s, "POST", path, map[string]any{"content": "no enforce", "nonce": "7"})
	if loose.id() == first.id() {
		t.Errorf("a nonce without enforce_nonce deduplicated")
	}
	msgs := s.Messages(ch)
	if len(msgs) != 2 || msgs[0].Nonce != "7" || !msgs[0].EnforceNonce || msgs[0].Content != "hello" {
		t.Fatalf("messages: %+v", msgs)
	}
	a, _ := strconv.ParseUint(msgs[0].ID, 10, 64)
	b, _ := strconv.ParseUint(msgs[1].ID, 10, 64)
	if b <= a || a < 1<<40 {
		t.Errorf("ids not snowflake-like and increasing: %d %d", a, b)
	}
	if a := call(t, s, "POST", path, map[string]any{"content": "x", "nonce": strings.Repeat("9", 26)}); a.status != 400 {
		t.Errorf("26-character nonce: %d", a.status)
	}
	if a := call(t, s, "POST", path, map[string]any{}); a.status != 400 || a.code() != CodeEmptyMessage {
		t.Errorf("empty message: %d %v", a.status, a.body)
	}
	if a := call(t, s, "POST", path, map[string]any{"embeds": []any{map[string]any{"title": strings.Repeat("é", 257)}}}); a.status != 400 || a.code() != CodeInvalidFormBody {
		t.Errorf("long title: %d %v", a.status, a.body)
	}
	if got := len(s.Calls(RouteCreateMessage)); got != 7 {
		t.Errorf("%d create calls recorded", got)
	}
}

func TestRepliesEditsThreads(t *testing.T) {
	s := newServer(t)
	path := "/api/v9/channels/" + ch + "/messages"
	root := call(t, s, "POST", path, map[string]any{"content": "root"}).id()

	reply := call(t, s, "POST", path, map[string]any{"content": "r", "message_reference": map[string]any{"message_id": root, "fail_if_not_exists": false}})
	if reply.body["type"] != float64(19) {
		t.Errorf("reply type %v", reply.body["type"])
	}
	if a := call(t, s, "POST", path, map[string]any{"content": "r", "message_reference": map[string]any{"message_id": "5"}}); a.status != 400 {
		t.Errorf("reply to a missing message (fail_if_not_exists default true): %d", a.status)
	}
	call(t, s, "POST", path, map[string]any{"content": "r2", "message_reference": map[string]any{"message_id": "5", "fail_if_not_exists": false}})
	msgs := s.Messages(ch)
	if len(msgs) != 3 || msgs[1].Reference == nil || msgs[1].Reference.MessageID != root || msgs[2].Reference != nil {
		t.Fatalf("replies: %+v", msgs)
	}

	if a := call(t, s, "PATCH", path+"/"+root, map[string]any{"embeds": []any{map[string]any{"title": "now"}}}); a.status != 200 {
		t.Fatalf("edit: %d %v", a.status, a.body)
	}
	m, _ := s.Message(root)
	if len(m.Edits) != 1 || m.Content != "root" || m.Embeds[0].Title != "now" {
		t.Errorf("after edit: %+v", m)
	}
	if a := call(t, s, "GET", path+"/"+root, nil); a.body["edited_timestamp"] == nil {
		t.Errorf("get: %v", a.body)
	}
	if a := call(t, s, "PATCH", path+"/123", map[string]any{"content": "x"}); a.code() != CodeUnknownMessage {
		t.Errorf("edit missing: %v", a.body)
	}

	start := path + "/" + root + "/threads"
	th := call(t, s, "POST", start, map[string]any{"name": "Outage"})
	if th.status != 201 || th.id() != root || th.body["parent_id"] != ch {
		t.Fatalf("thread: %d %v", th.status, th.body)
	}
	if a := call(t, s, "POST", start, map[string]any{"name": "Outage"}); a.status != 400 || a.code() != CodeThreadAlreadyCreated {
		t.Errorf("second thread: %d %v", a.status, a.body)
	}
	call(t, s, "POST", "/api/v9/channels/"+root+"/messages", map[string]any{"content": "in thread"})
	if got := s.Messages(root); len(got) != 1 || got[0].ChannelID != root {
		t.Errorf("thread messages: %+v", got)
	}
	if p, ok := s.IsThread(root); !ok || p != ch {
		t.Errorf("IsThread = %q %v", p, ok)
	}
}

func TestWebhooks(t *testing.T) {
	s := newServer(t)
	u := s.AddWebhook(ch)
	path := strings.TrimPrefix(u, s.URL())
	if !strings.HasPrefix(path, "/api/webhooks/") {
		t.Fatalf("webhook URL %s", u)
	}
	v9 := strings.Replace(path, "/api/", "/api/v9/", 1)
	a := call(t, s, "POST", v9+"?wait=true", map[string]any{"content": "hi", "nonce": "1"})
	if a.status != 200 || a.id() == "" || a.body["webhook_id"] == "" {
		t.Fatalf("execute: %d %v", a.status, a.body)
	}
	if b := call(t, s, "POST", path, map[string]any{"content": "no wait"}); b.status != 204 {
		t.Errorf("execute without wait: %d", b.status)
	}
	if e := call(t, s, "PATCH", v9+"/messages/"+a.id(), map[string]any{"content": "edited"}); e.status != 200 || e.body["content"] != "edited" {
		t.Errorf("webhook edit: %d %v", e.status, e.body)
	}
	if e := call(t, s, "PATCH", "/api/v9/channels/"+ch+"/messages/"+a.id(), map[string]any{"content": "x"}); e.code() != CodeCannotEditOthers {
		t.Errorf("bot edit of a webhook message: %v", e.body)
	}
	wrong := v9[:strings.LastIndex(v9, "/")] + "/nope"
	if e := call(t, s, "POST", wrong+"?wait=true", map[string]any{"content": "x"}); e.status != 401 || e.code() != CodeInvalidWebhookToken {
		t.Errorf("wrong token: %d %v", e.status, e.body)
	}
	if e := call(t, s, "POST", "/api/v9/webhooks/1/x", map[string]any{"content": "x"}); e.status != 404 || e.code() != CodeUnknownWebhook {
		t.Errorf("unknown webhook: %d %v", e.status, e.body)
	}
	if got := s.Messages(ch); len(got) != 2 || got[0].Content != "edited" || len(got[0].Edits) != 1 {
		t.Errorf("webhook messages: %+v", got)
	}
}

func TestFaults(t *testing.T) {
	s := newServer(t)
	path := "/api/v9/channels/" + ch + "/messages"
	msg := map[string]any{"content": "x"}

	s.FailNext(RouteCreateMessage, 2)
	for range 2 {
		if a := call(t, s, "POST", path, msg); a.status != 500 {
			t.Errorf("injected 500: %d", a.status)
		}
	}
	if a := call(t, s, "POST", path, msg); a.status != 200 {
		t.Errorf("after the faults: %d", a.status)
	}

	s.RateLimitNext(RouteCreateMessage, 1, 1500*time.Millisecond, false)
	a := call(t, s, "POST", path, msg)
	if a.status != 429 || a.body["retry_after"] != 1.5 || a.body["global"] != false || a.body["message"] != "You are being rate limited." {
		t.Errorf("429: %d %v", a.status, a.body)
	}
	if a.header.Get("Retry-After") != "2" || a.header.Get("X-RateLimit-Remaining") != "0" || a.header.Get("X-RateLimit-Reset-After") != "1.500" {
		t.Errorf("429 headers: %v", a.header)
	}

	s.DropNext(RouteCreateMessage, 1)
	before := len(s.Messages(ch))
	if a := call(t, s, "POST", path, msg); a.status != 0 {
		t.Errorf("dropped call answered %d", a.status)
	}
	if got := len(s.Messages(ch)); got != before+1 {
		t.Errorf("dropped call stored %d messages", got-before)
	}

	s.HangNext(RouteCreateMessage, 1, 10*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	callCtx(t, ctx, s, "POST", path, msg)
	if time.Since(start) > 2*time.Second {
		t.Errorf("hang outlived the client")
	}
	if got := len(s.Messages(ch)); got != before+1 {
		t.Errorf("an abandoned hung call stored a message")
	}

	s.DenyChannel(ch)
	if a := call(t, s, "POST", path, msg); a.status != 403 || a.code() != CodeMissingAccess {
		t.Errorf("denied: %d %v", a.status, a.body)
	}
	s.ClearFaults()

	s.RequireToken("right")
	if a := call(t, s, "POST", path, msg); a.status != 401 || !strings.Contains(a.body["message"].(string), "Bot token") {
		t.Errorf("wrong token: %d %v", a.status, a.body)
	}
	calls := s.Calls(RouteCreateMessage)
	if last := calls[len(calls)-1]; last.Status != 401 || last.Authorization != "Bot token" {
		t.Errorf("last call %+v", last)
	}
	var dropped int
	for _, c := range calls {
		if c.Status == 0 {
			dropped++
		}
	}
	if dropped != 2 {
		t.Errorf("%d calls without an answer, want 2 (dropped and abandoned)", dropped)
	}
}

// Pins as Discord serves them: the current list in pages with pinned_at
// and has_more, the deprecated one a plain array of the first 50 pins,
// pinning only with Pin Messages.
func TestPins(t *testing.T) {
	s := newServer(t)
	var ids []string
	for i := range 55 {
		a := call(t, s, "POST", "/api/v9/channels/"+ch+"/messages", map[string]any{"content": strconv.Itoa(i)})
		ids = append(ids, a.id())
		route := "/api/v9/channels/" + ch + "/messages/pins/"
		if i%2 == 1 {
			route = "/api/v9/channels/" + ch + "/pins/"
		}
		if a := call(t, s, "PUT", route+a.id(), nil); a.status != http.StatusNoContent {
			t.Fatalf("pin %d: %d %v", i, a.status, a.body)
		}
	}
	page := call(t, s, "GET", "/api/v9/channels/"+ch+"/messages/pins?limit=50", nil)
	items, _ := page.body["items"].([]any)
	if page.status != 200 || len(items) != 50 || page.body["has_more"] != true {
		t.Fatalf("first page: %d, %d items, has_more %v", page.status, len(items), page.body["has_more"])
	}
	first := items[0].(map[string]any)
	last := items[49].(map[string]any)
	if first["message"].(map[string]any)["id"] != ids[54] || first["message"].(map[string]any)["pinned"] != true {
		t.Errorf("newest pin first: %v", first)
	}
	at, _ := last["pinned_at"].(string)
	if _, err := time.Parse(time.RFC3339Nano, at); err != nil {
		t.Errorf("pinned_at %q: %v", at, err)
	}
	next := call(t, s, "GET", "/api/v9/channels/"+ch+"/messages/pins?before="+url.QueryEscape(at), nil)
	items, _ = next.body["items"].([]any)
	if len(items) != 5 || next.body["has_more"] != false || items[4].(map[string]any)["message"].(map[string]any)["id"] != ids[0] {
		t.Errorf("second page: %d items, has_more %v", len(items), next.body["has_more"])
	}
	if a := call(t, s, "GET", "/api/v9/channels/"+ch+"/messages/pins?limit=51", nil); a.status != 400 {
		t.Errorf("limit 51: %d", a.status)
	}
	req, _ := http.NewRequest("GET", s.URL()+"/api/v9/channels/"+ch+"/pins", nil)
	req.Header.Set("Authorization", "Bot token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var old []map[string]any
	err = json.NewDecoder(resp.Body).Decode(&old)
	resp.Body.Close()
	if err != nil || len(old) != 50 || old[0]["id"] != ids[54] {
		t.Errorf("deprecated list: %d messages (%v), want the first 50", len(old), err)
	}

	s.SetPermissions(DefaultPermissions&^PermissionPinMessages|discordgo.PermissionManageMessages, 0)
	if a := call(t, s, "PUT", "/api/v9/channels/"+ch+"/messages/pins/"+ids[0], nil); a.status != 403 || a.code() != CodeMissingPermissions {
		t.Errorf("pin with Manage Messages only: %d %v", a.status, a.body)
	}
}
