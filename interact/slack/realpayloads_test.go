package slack

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/outagebot/outagebot/internal/fakeslack"
)

// The fixtures under testdata/payloads, testdata/events and
// testdata/commands are shaped as Slack sends them: field for field, ids
// and timestamps included. The response_url they carry is on
// hooks.slack.com; hooksToFake routes it to the fake.

// fixture reads a file under testdata.
func fixture(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hooksToFake is a client that sends what would go to hooks.slack.com to
// the fake's response_url instead, and everything else to the fake as is.
func hooksToFake(fake *fakeslack.Server) *http.Client {
	base, _ := url.Parse(fake.URL())
	inner := fake.Client().Transport
	return &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		if r.URL.Host == "hooks.slack.com" {
			r = r.Clone(r.Context())
			r.URL.Scheme, r.URL.Host, r.URL.Path = base.Scheme, base.Host, "/actions/respond"
			r.Host = base.Host
		}
		return inner.RoundTrip(r)
	})}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// fixtureAdmin is the clicker of the fixtures, an admin through the user
// group S07ONCALL0A.
const fixtureAdmin = "U07ALICE0A1"

// signedForm is the POST Slack makes to the interactivity URL: the
// payload in the single form field "payload", signed at ts.
func signedForm(payload []byte, ts time.Time) *http.Request {
	body := url.Values{"payload": {string(payload)}}.Encode()
	return signedBody("/slack/interactions", "application/x-www-form-urlencoded", body, ts)
}

func signedBody(path, ctype, body string, ts time.Time) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", ctype)
	r.Header.Set(headerTimestamp, strconv.FormatInt(ts.Unix(), 10))
	r.Header.Set(headerSignature, sign(secret, ts.Unix(), body))
	return r
}

// realChatops is the chatops fixture with the fixtures' admin group and a
// handler whose answers reach the fake from hooks.slack.com.
func realChatops(t *testing.T, logs *syncBuffer) (*chatops, *handler) {
	t.Helper()
	c := newChatops(t)
	c.fake.SetUserGroup("S07ONCALL0A", fixtureAdmin)
	admins := NewAdmins([]string{"S07ONCALL0A"}, GroupsOf(slack.New("xoxb-test", slack.OptionAPIURL(c.fake.URL()))), time.Hour, func() time.Time { return now })
	h := newHandler(HandlerOptions{SigningSecret: secret, Now: func() time.Time { return now }, Admins: admins, APIURL: c.fake.URL(),
		HTTPClient: hooksToFake(c.fake), Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}, c.cmds)
	c.admin = admins
	return c, h
}

// A click on a root's Acknowledge button, exactly as Slack posts it (the
// buttons sit in the root's attachment), acknowledges the outage and
// answers the clicker at the response_url.
func TestRealBlockActionsFromARoot(t *testing.T) {
	c, h := realChatops(t, &syncBuffer{})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signedForm(fixture(t, "payloads/block_actions_root.json"), now))
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("answered %d %q, want 200 and no body", w.Code, w.Body)
	}
	h.respond.wait()
	got := c.fake.Responses()
	if len(got) != 1 || got[0].ResponseType != "ephemeral" || got[0].ReplaceOriginal || !strings.Contains(got[0].Text, "Acknowledged by <@"+fixtureAdmin+">") {
		t.Fatalf("answers at the response_url: %+v", got)
	}
	ack, ok, err := c.st.Acknowledgement(context.Background(), "o2")
	if err != nil || !ok || ack.UserID != fixtureAdmin || ack.Name != "alice" {
		t.Errorf("stored ack %+v %v %v", ack, ok, err)
	}
}

// A click carries the whole message clicked: a root with long updates
// makes a payload well over a slash command's 64 KiB once form-encoded.
// It is acted on, not refused as too large.
func TestRealBlockActionsWithALargeMessage(t *testing.T) {
	c, h := realChatops(t, &syncBuffer{})
	var p map[string]any
	if err := json.Unmarshal(fixture(t, "payloads/block_actions_root.json"), &p); err != nil {
		t.Fatal(err)
	}
	att := p["message"].(map[string]any)["attachments"].([]any)[0].(map[string]any)
	blocks := att["blocks"].([]any)
	long := strings.Repeat("Mise à jour : les requêtes échouent & <https://status.example/x|détails>. ", 38)[:2900]
	var big []any
	for range 45 {
		big = append(big, map[string]any{"type": "section", "block_id": "u", "text": map[string]any{"type": "mrkdwn", "text": long, "verbatim": false}})
	}
	att["blocks"] = append(big, blocks...)
	payload, _ := json.Marshal(p)
	req := signedForm(payload, now)
	if req.ContentLength <= MaxBody {
		t.Fatalf("the payload is %d bytes, want more than %d", req.ContentLength, MaxBody)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Fatalf("a %d-byte click answered %d", req.ContentLength, w.Code)
	}
	h.respond.wait()
	if _, ok, _ := c.st.Acknowledgement(context.Background(), "o2"); !ok {
		t.Error("the click was not acted on")
	}
}

// A button clicked on the App Home tab comes with the view as container,
// and with no channel, message or response_url: it is acted on, and there
// is nothing to answer at.
func TestRealBlockActionsFromTheHomeTab(t *testing.T) {
	logs := &syncBuffer{}
	c, h := realChatops(t, logs)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signedForm(fixture(t, "payloads/block_actions_home.json"), now))
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("answered %d %q, want 200 and no body", w.Code, w.Body)
	}
	h.respond.wait()
	if ack, ok, _ := c.st.Acknowledgement(context.Background(), "o2"); !ok || ack.UserID != fixtureAdmin {
		t.Errorf("the click from the Home tab was not acted on: %+v", ack)
	}
	if n := len(c.fake.Responses()); n != 0 {
		t.Errorf("%d answers posted", n)
	}
	if l := logs.String(); strings.Contains(l, "not on Slack's hosts") || !strings.Contains(l, "container=view") ||
		!strings.Contains(l, `msg="no answer to a Slack click outside a message: Slack gives no way to answer it" outcome=done`) {
		t.Errorf("logs:\n%s", l)
	}
}

// A click on the Home tab by someone who may not acknowledge is refused;
// the refusal shows nowhere, so the log says it was one.
func TestRealBlockActionsFromTheHomeTabRefused(t *testing.T) {
	logs := &syncBuffer{}
	c, h := realChatops(t, logs)
	var p map[string]any
	if err := json.Unmarshal(fixture(t, "payloads/block_actions_home.json"), &p); err != nil {
		t.Fatal(err)
	}
	p["user"].(map[string]any)["id"] = "U07MALLORY1"
	payload, _ := json.Marshal(p)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signedForm(payload, now))
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("answered %d %q, want 200 and no body", w.Code, w.Body)
	}
	h.respond.wait()
	if _, ok, _ := c.st.Acknowledgement(context.Background(), "o2"); ok {
		t.Error("acknowledged by someone who may not")
	}
	l := logs.String()
	if !strings.Contains(l, `msg="no answer to a Slack click outside a message: Slack gives no way to answer it" outcome=refused`) ||
		!strings.Contains(l, "msg=button user=<@U07MALLORY1>") || strings.Contains(l, "outcome=done") || strings.Contains(l, "acted on") {
		t.Errorf("logs:\n%s", l)
	}
}

// Slack posts every kind of interaction to the one Request URL. Those the
// bot does not use are answered 200 with an empty body, which closes a
// modal and shows a menu no options, and change nothing.
func TestRealOtherInteractionsAcknowledged(t *testing.T) {
	for _, name := range []string{"view_submission", "view_closed", "shortcut", "message_action", "block_suggestion"} {
		t.Run(name, func(t *testing.T) {
			logs := &syncBuffer{}
			c, h := realChatops(t, logs)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, signedForm(fixture(t, "payloads/"+name+".json"), now))
			if w.Code != http.StatusOK || w.Body.Len() != 0 {
				t.Errorf("answered %d %q, want 200 and no body", w.Code, w.Body)
			}
			h.respond.wait()
			if n := len(c.fake.Responses()); n != 0 {
				t.Errorf("%d answers posted", n)
			}
			if _, ok, _ := c.st.Acknowledgement(context.Background(), "o2"); ok {
				t.Error("acted on")
			}
			if l := logs.String(); strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") || !strings.Contains(l, "type="+name) {
				t.Errorf("logs:\n%s", l)
			}
		})
	}
}

// A captured click is refused 401, and changes nothing, when its
// signature is missing, forged, made over other bytes or too old.
func TestRealBlockActionsRefused(t *testing.T) {
	payload := fixture(t, "payloads/block_actions_root.json")
	body := url.Values{"payload": {string(payload)}}.Encode()
	for name, mutate := range map[string]func(r *http.Request){
		"no signature": func(r *http.Request) { r.Header.Del(headerSignature) },
		"no timestamp": func(r *http.Request) { r.Header.Del(headerTimestamp) },
		"forged":       func(r *http.Request) { r.Header.Set(headerSignature, sign("not-the-secret", now.Unix(), body)) },
		"other bytes": func(r *http.Request) {
			r.Header.Set(headerSignature, sign(secret, now.Unix(), strings.Replace(body, "ack", "mute", 1)))
		},
		"six minutes old": func(r *http.Request) {
			old := now.Add(-6 * time.Minute).Unix()
			r.Header.Set(headerTimestamp, strconv.FormatInt(old, 10))
			r.Header.Set(headerSignature, sign(secret, old, body))
		},
		"v1 scheme": func(r *http.Request) {
			r.Header.Set(headerSignature, "v1="+strings.TrimPrefix(sign(secret, now.Unix(), body), "v0="))
		},
	} {
		t.Run(name, func(t *testing.T) {
			c, h := realChatops(t, &syncBuffer{})
			req := signedForm(payload, now)
			mutate(req)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", w.Code)
			}
			h.respond.wait()
			if _, ok, _ := c.st.Acknowledgement(context.Background(), "o2"); ok || len(c.fake.Responses()) != 0 || len(c.fake.Calls("usergroups.users.list")) != 0 {
				t.Error("a refused click had effects")
			}
		})
	}
}

// A slash command exactly as Slack posts it, with a charset in its
// Content-Type, is answered synchronously with an ephemeral message.
func TestRealSlashCommand(t *testing.T) {
	h := NewHandler(HandlerOptions{SigningSecret: secret, Commands: newCommands(), Now: func() time.Time { return now }})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signedBody("/slack/commands", "application/x-www-form-urlencoded; charset=utf-8", string(fixture(t, "commands/status.form")), now))
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", w.Code, w.Header().Get("Content-Type"))
	}
	var r Response
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil || r.ResponseType != "ephemeral" || !strings.Contains(r.Text, "OpenAI") {
		t.Errorf("answer %s (%v)", w.Body, err)
	}
}

// homeRecorder records the users whose Home tab opened.
type homeRecorder struct {
	mu    sync.Mutex
	users []string
}

func (h *homeRecorder) opened(u string) { h.mu.Lock(); h.users = append(h.users, u); h.mu.Unlock() }
func (h *homeRecorder) get() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.users...)
}

// The Events API as Slack calls it: the url_verification challenge, the
// Home tab (not the Messages tab) opened, a retry of an event already
// handled, a rate-limit notice, events the bot does not use, and forged
// or unsigned requests.
func TestRealEvents(t *testing.T) {
	logs := &syncBuffer{}
	home := &homeRecorder{}
	clock := now
	h := NewEventsHandler(EventsOptions{SigningSecret: secret, HomeOpened: home.opened, Now: func() time.Time { return clock },
		Log: slog.New(slog.NewTextHandler(logs, nil))})
	post := func(t *testing.T, path string, ts time.Time, header map[string]string) *httptest.ResponseRecorder {
		t.Helper()
		r := signedBody(EventsPath, "application/json", string(fixture(t, path)), ts)
		for k, v := range header {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}

	w := post(t, "events/url_verification.json", now, nil)
	if w.Code != http.StatusOK || w.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("url_verification: %d %q", w.Code, w.Body)
	}
	for _, path := range []string{"events/app_home_opened_home.json", "events/app_home_opened_messages.json", "events/app_mention.json", "events/scope_granted.json"} {
		if w := post(t, path, now, nil); w.Code != http.StatusOK {
			t.Errorf("%s: %d", path, w.Code)
		}
	}
	if got := home.get(); len(got) != 1 || got[0] != fixtureAdmin {
		t.Fatalf("home opened for %q, want %s once", got, fixtureAdmin)
	}
	// Slack retries the event a minute later: newly signed, with the
	// retry headers and the same event_id.
	clock = now.Add(time.Minute)
	if w := post(t, "events/app_home_opened_home.json", clock, map[string]string{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}); w.Code != http.StatusOK {
		t.Errorf("retry: %d", w.Code)
	}
	if got := home.get(); len(got) != 1 {
		t.Errorf("a retry was handled again: %q", got)
	}
	if w := post(t, "events/app_home_opened_first.json", clock, nil); w.Code != http.StatusOK {
		t.Errorf("another user's event: %d", w.Code)
	}
	if got := home.get(); len(got) != 2 || got[1] != "U07BOB00A1B" {
		t.Errorf("home opened for %q", got)
	}
	if w := post(t, "events/app_rate_limited.json", clock, nil); w.Code != http.StatusOK {
		t.Errorf("app_rate_limited: %d", w.Code)
	}
	if !strings.Contains(logs.String(), "too many events") {
		t.Errorf("app_rate_limited not logged:\n%s", logs)
	}

	body := string(fixture(t, "events/app_home_opened_first.json"))
	for name, r := range map[string]*http.Request{
		"unsigned": httptest.NewRequest(http.MethodPost, EventsPath, strings.NewReader(body)),
		"forged": func() *http.Request {
			r := signedBody(EventsPath, "application/json", body, clock)
			r.Header.Set(headerSignature, sign("not-the-secret", clock.Unix(), body))
			return r
		}(),
		"stale": signedBody(EventsPath, "application/json", body, clock.Add(-10*time.Minute)),
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, w.Code)
		}
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, EventsPath, nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", w.Code)
	}
	if got := home.get(); len(got) != 2 {
		t.Errorf("refused requests were handled: %q", got)
	}
}

// app_home_opened carries the whole Home tab the user last saw: a full
// board is well over 64 KiB, and is still an event to handle.
func TestRealEventWithALargeHomeView(t *testing.T) {
	home := &homeRecorder{}
	h := NewEventsHandler(EventsOptions{SigningSecret: secret, HomeOpened: home.opened, Now: func() time.Time { return now }})
	var p map[string]any
	if err := json.Unmarshal(fixture(t, "events/app_home_opened_home.json"), &p); err != nil {
		t.Fatal(err)
	}
	view := p["event"].(map[string]any)["view"].(map[string]any)
	var blocks []any
	for i := range 100 {
		blocks = append(blocks, map[string]any{"type": "section", "block_id": strconv.Itoa(i), "text": map[string]any{"type": "mrkdwn",
			"text": strings.Repeat(":red_circle: *Target* major outage since <!date^1733330000^{date_short_pretty} {time}|2024-12-04 16:33 UTC> ", 8)}})
	}
	view["blocks"] = blocks
	body, _ := json.Marshal(p)
	if len(body) <= MaxBody {
		t.Fatalf("the event is %d bytes, want more than %d", len(body), MaxBody)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signedBody(EventsPath, "application/json", string(body), now))
	if w.Code != http.StatusOK || len(home.get()) != 1 {
		t.Errorf("a %d-byte event: %d, home opened for %q", len(body), w.Code, home.get())
	}
}

// Without usergroups:read the members of an admin group cannot be read:
// a click by someone who is not listed by id is refused (never let
// through), the answer says which scope is missing, and the operator
// finds it in the log. Admins listed by id, including an Enterprise
// Grid W... id, need no scope.
func TestAdminGroupWithoutScope(t *testing.T) {
	logs := &syncBuffer{}
	c := newChatops(t)
	c.fake.SetUserGroup("S07ONCALL0A", fixtureAdmin)
	c.fake.SetScopes("chat:write", "commands", "channels:read")
	admins := NewAdmins([]string{"S07ONCALL0A", "W07GRID0A1B"}, GroupsOf(slack.New("xoxb-test", slack.OptionAPIURL(c.fake.URL()))), time.Hour, func() time.Time { return now })
	h := newHandler(HandlerOptions{SigningSecret: secret, Now: func() time.Time { return now }, Admins: admins, APIURL: c.fake.URL(),
		HTTPClient: hooksToFake(c.fake), Log: slog.New(slog.NewTextHandler(logs, nil))}, c.cmds)

	w := httptest.NewRecorder()
	h.ServeHTTP(w, signedForm(fixture(t, "payloads/block_actions_root.json"), now))
	h.respond.wait()
	got := c.fake.Responses()
	if w.Code != http.StatusOK || len(got) != 1 || !strings.Contains(got[0].Text, "usergroups:read") {
		t.Fatalf("%d, answers %+v: want a refusal naming usergroups:read", w.Code, got)
	}
	if strings.Contains(got[0].Text, "try again in a moment") || !strings.Contains(got[0].Text, "admins must fix its setup") {
		t.Errorf("a missing scope is not mended by trying again, and the refusal must say so: %s", got[0].Text)
	}
	if _, ok, _ := c.st.Acknowledgement(context.Background(), "o2"); ok {
		t.Fatal("acknowledged although the admin group could not be read")
	}
	if l := logs.String(); !strings.Contains(l, "level=ERROR") || !strings.Contains(l, "usergroups:read") {
		t.Errorf("the operator is not told:\n%s", l)
	}

	var p map[string]any
	_ = json.Unmarshal(fixture(t, "payloads/block_actions_root.json"), &p)
	p["user"].(map[string]any)["id"] = "W07GRID0A1B"
	payload, _ := json.Marshal(p)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, signedForm(payload, now))
	h.respond.wait()
	if ack, ok, _ := c.st.Acknowledgement(context.Background(), "o2"); w.Code != http.StatusOK || !ok || ack.UserID != "W07GRID0A1B" {
		t.Errorf("an admin listed by W... id: %d, ack %+v", w.Code, ack)
	}
}
