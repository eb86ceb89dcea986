package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/interact/guard"
	"github.com/outagebot/outagebot/internal/faketelegram"
	"github.com/outagebot/outagebot/internal/golden"
	notifytelegram "github.com/outagebot/outagebot/notifier/telegram"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/uptime"
)

var updateGolden = flag.Bool("update", false, "rewrite golden files")

const (
	token  = "7000001:AAH-test-token-KEEP-THIS-SECRET"
	secret = "webhook-s3cr3t_value"
	ops    = "-1001234567890"
)

var now = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

type fakeView struct{ snaps []bot.Snapshot }

func (v fakeView) Snapshots() []bot.Snapshot    { return v.snaps }
func (v fakeView) OpenOutages() []outage.Outage { return nil }

type noHistory struct{}

func (noHistory) Outages(context.Context, time.Time, string) ([]outage.Outage, error) {
	return nil, nil
}

// TargetHistories says the fixture's targets were seen a month before now.
func (noHistory) TargetHistories(context.Context) (map[string]store.TargetHistory, error) {
	out := map[string]store.TargetHistory{}
	for _, t := range []string{"OpenAI", "GitHub"} {
		out[t] = store.TargetHistory{FirstSeen: now.Add(-30 * 24 * time.Hour)}
	}
	return out, nil
}

func (noHistory) Gaps(context.Context, string, time.Time) (map[string][]uptime.Gap, error) {
	return nil, nil
}

type memMutes struct {
	mu sync.Mutex
	m  map[string]bot.Mute
}

func (m *memMutes) Mute(_ context.Context, mu bot.Mute) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]bot.Mute{}
	}
	m.m[mu.Target] = mu
	return nil
}

func (m *memMutes) Unmute(_ context.Context, target string, _ time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.m[target]
	delete(m.m, target)
	return ok, nil
}

func (m *memMutes) Muted(target string, at time.Time) (bot.Mute, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mu, ok := m.m[target]
	return mu, ok && at.Before(mu.Until)
}

// newCommands is the real command logic over two targets, one of them
// with a hostile name.
func newCommands() *bot.Commands {
	return &bot.Commands{
		Now:   func() time.Time { return now },
		Mutes: &memMutes{},
		View: fakeView{snaps: []bot.Snapshot{
			{Name: "OpenAI", Status: sources.PartialOutage, Reachable: true, CheckedAt: now.Add(-time.Minute),
				Incidents: []bot.IncidentSnapshot{{Title: "Errors <b>& </i>", Status: sources.IncidentInvestigating, StartedAt: now.Add(-12 * time.Minute)}}},
			{Name: "GitHub", Status: sources.Operational, Reachable: true, CheckedAt: now.Add(-time.Minute)},
		}},
		History: noHistory{},
	}
}

type env struct {
	fake *faketelegram.Server
	h    http.Handler
	logs *bytes.Buffer
	mu   sync.Mutex
}

func newEnv(t *testing.T, opts HandlerOptions) *env {
	t.Helper()
	fake := faketelegram.New(token)
	t.Cleanup(fake.Close)
	fake.AddChat(ops, "supergroup", false)
	fake.AddChat("-100777", "supergroup", false)
	c, err := notifytelegram.NewClient(token, fake.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{fake: fake, logs: &bytes.Buffer{}}
	if opts.Secret == "" {
		opts.Secret = secret
	}
	if opts.Commands == nil {
		opts.Commands = newCommands()
	}
	if opts.Chats == nil {
		opts.Chats = []string{ops}
	}
	opts.API = c
	opts.Log = slog.New(slog.NewTextHandler(lockedWriter{e}, nil))
	opts.Now = func() time.Time { return now }
	e.h = NewHandler(opts)
	t.Cleanup(func() {
		if s := e.logs.String(); strings.Contains(s, secret) || strings.Contains(s, token) {
			t.Errorf("a secret in the logs: %s", s)
		}
	})
	return e
}

type lockedWriter struct{ e *env }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.e.mu.Lock()
	defer w.e.mu.Unlock()
	return w.e.logs.Write(p)
}

// updateBody is a message update as Telegram sends it.
func updateBody(id int64, chat int64, text string) string {
	b, _ := json.Marshal(map[string]any{
		"update_id": id,
		"message": map[string]any{
			"message_id": 55, "date": now.Unix(), "text": text,
			"from":     map[string]any{"id": 4242, "is_bot": false, "first_name": "Ada", "username": "ada"},
			"chat":     map[string]any{"id": chat, "type": "supergroup", "title": "Ops"},
			"entities": []map[string]any{{"type": "bot_command", "offset": 0, "length": len(strings.Fields(text + " x")[0])}},
		},
	})
	return string(b)
}

func (e *env) post(body, secretHeader string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, Path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if secretHeader != "" {
		r.Header.Set(headerSecret, secretHeader)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// TestWebhookSecret: only an update carrying the secret token runs a
// command; a forged or absent header gets 401 and runs nothing.
func TestWebhookSecret(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header string
		want   int
		runs   bool
	}{
		{name: "signed", header: secret, want: 200, runs: true},
		{name: "absent", header: "", want: 401},
		{name: "forged", header: "webhook-s3cr3t_valuf", want: 401},
		{name: "prefix", header: secret[:5], want: 401},
		{name: "longer", header: secret + "x", want: 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{answer: bot.Answer{Title: "ok"}}
			e := newEnv(t, HandlerOptions{Commands: rec})
			w := e.post(updateBody(1, -1001234567890, "/status"), tc.header)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d", w.Code, tc.want)
			}
			if ran := len(rec.calls) > 0; ran != tc.runs {
				t.Errorf("ran %v, want %v", ran, tc.runs)
			}
			if sent := len(e.fake.Calls("sendMessage")) > 0; sent != tc.runs {
				t.Errorf("answered %v, want %v", sent, tc.runs)
			}
			if tc.want == 401 && strings.TrimSpace(w.Body.String()) != "unauthorized" {
				t.Errorf("body %q says more than unauthorized", w.Body.String())
			}
		})
	}
}

// An empty secret in the configuration refuses everything, also an
// update with an empty header.
func TestNoSecretRefusesAll(t *testing.T) {
	rec := &recorder{}
	h := NewHandler(HandlerOptions{Commands: rec})
	r := httptest.NewRequest(http.MethodPost, Path, strings.NewReader(updateBody(1, -1001234567890, "/status")))
	r.Header.Set(headerSecret, "")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 401 || len(rec.calls) != 0 {
		t.Errorf("status %d, %d runs", w.Code, len(rec.calls))
	}
}

// TestReplayedUpdateRunsOnce: an update id already handled (Telegram
// re-sending it, or someone replaying a capture) is acknowledged and not
// run again, also by a second handler sharing the memory (another
// replica).
func TestReplayedUpdateRunsOnce(t *testing.T) {
	rec := &recorder{answer: bot.Answer{Title: "muted"}}
	seen := guard.NewMemory()
	e := newEnv(t, HandlerOptions{Commands: rec, Seen: seen})
	body := updateBody(900, -1001234567890, "/mute openai 1h")
	for i := range 3 {
		if w := e.post(body, secret); w.Code != 200 {
			t.Fatalf("attempt %d: status %d", i, w.Code)
		}
	}
	other := newEnv(t, HandlerOptions{Commands: rec, Seen: seen})
	other.post(body, secret)
	if len(rec.calls) != 1 {
		t.Errorf("ran %d times, want once", len(rec.calls))
	}
	// A new update id runs.
	e.post(updateBody(901, -1001234567890, "/mute openai 1h"), secret)
	if len(rec.calls) != 2 {
		t.Errorf("ran %d times after a new update", len(rec.calls))
	}
}

// TestCommands: each command is parsed, run through the real command
// logic and answered with sendMessage in the chat, as a reply.
func TestCommands(t *testing.T) {
	for i, tc := range []struct {
		text, want string
	}{
		{"/status", "OpenAI"},
		{"/status@outagebot_test_bot openai", "OpenAI: partial outage"},
		{"/incidents 7d", "No outages"},
		{"/uptime github 7d", "GitHub"},
		{"/report", "Reports are not available"},
		{"/mute openai 2h deploy", "muted OpenAI"},
		{"/unmute openai", "OpenAI was not muted"},
		{"/help", "outagebot commands"},
		{"/start", "outagebot commands"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			e := newEnv(t, HandlerOptions{})
			if w := e.post(updateBody(int64(100+i), -1001234567890, tc.text), secret); w.Code != 200 {
				t.Fatalf("status %d", w.Code)
			}
			msgs := e.fake.Messages(ops)
			if len(msgs) != 1 {
				t.Fatalf("%d answers", len(msgs))
			}
			if msgs[0].ReplyTo != 55 || !strings.Contains(msgs[0].Text, tc.want) {
				t.Errorf("answer (reply to %d): %q, want it to contain %q", msgs[0].ReplyTo, msgs[0].Text, tc.want)
			}
		})
	}
}

// Messages that are no command of ours are acknowledged and ignored.
func TestIgnored(t *testing.T) {
	for i, text := range []string{"hello", "/status@some_other_bot", "/unknown", ""} {
		rec := &recorder{}
		e := newEnv(t, HandlerOptions{Commands: rec})
		if w := e.post(updateBody(int64(i+1), -1001234567890, text+" "), secret); w.Code != 200 {
			t.Errorf("%q: status %d", text, w.Code)
		}
		if len(rec.calls) != 0 || len(e.fake.Calls("sendMessage")) != 0 {
			t.Errorf("%q was run", text)
		}
	}
}

// TestChatsRefused: a command from a chat no channel names is not run,
// unless allow_any_chat.
func TestChatsRefused(t *testing.T) {
	rec := &recorder{answer: bot.Answer{Title: "ok"}}
	e := newEnv(t, HandlerOptions{Commands: rec})
	e.post(updateBody(1, -100777, "/status"), secret)
	if len(rec.calls) != 0 || len(e.fake.Calls("sendMessage")) != 0 {
		t.Fatal("a command from an unconfigured chat ran")
	}
	if !strings.Contains(e.logs.String(), "allow_any_chat") {
		t.Errorf("the log does not say how to allow it: %s", e.logs.String())
	}
	e = newEnv(t, HandlerOptions{Commands: rec, AllowAnyChat: true})
	e.post(updateBody(2, -100777, "/status"), secret)
	if len(rec.calls) != 1 || len(e.fake.Messages("-100777")) != 1 {
		t.Errorf("allow_any_chat: %d runs", len(rec.calls))
	}
}

// TestRenderGolden: an answer as Telegram HTML, hostile words escaped.
func TestRenderGolden(t *testing.T) {
	cmds := newCommands()
	for _, tc := range []string{"status", "status openai", "help"} {
		a := cmds.Run(context.Background(), bot.Request{Text: tc, User: "@ada"})
		golden.Text(t, strings.ReplaceAll(tc, " ", "-"), Render(a)+"\n", *updateGolden)
	}
}

// An answer too long for one message is cut at a whole line and still
// parses.
func TestRenderLong(t *testing.T) {
	var lines []string
	for i := range 500 {
		lines = append(lines, fmt.Sprintf("*target-%d* `<x>` & more words here", i))
	}
	e := newEnv(t, HandlerOptions{})
	err := e.h.(*handler).answer(context.Background(), &message{MessageID: 1, Chat: struct {
		ID       int64  `json:"id"`
		Type     string `json:"type"`
		Username string `json:"username"`
	}{ID: -1001234567890}}, bot.Answer{Title: "Long", Sections: []bot.Section{{Lines: lines}}})
	if err != nil {
		t.Fatalf("Telegram would refuse it: %v", err)
	}
	if m := e.fake.Messages(ops); len(m) != 1 || !strings.Contains(m[0].Text, "more") {
		t.Errorf("messages %+v", m)
	}
}

type recorder struct {
	mu     sync.Mutex
	calls  []bot.Request
	answer bot.Answer
}

func (r *recorder) Run(_ context.Context, req bot.Request) bot.Answer {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, req)
	return r.answer
}

// Updates as the Bot API posts them (testdata/updates): the command is
// where its bot_command entity says, a command for another bot or one
// that does not start the message is no command, an edit runs nothing,
// and the answer goes to the forum topic the command came from, not to a
// reply thread of a plain supergroup.
func TestRealUpdates(t *testing.T) {
	for _, tc := range []struct {
		file   string
		runs   string // the request's text, "" for none
		lang   string // the asker's language, when Telegram sent one we have
		thread int64  // message_thread_id of the answer
	}{
		{file: "group-addressed", runs: "status openai", lang: "en"},
		{file: "other-bot"},
		{file: "punctuation", runs: "status openai 🙏", lang: "en"},
		{file: "forum-topic", runs: "status openai", lang: "de", thread: 951},
		{file: "reply-thread", runs: "status openai"},
		{file: "channel-post", runs: "status"},
		{file: "edited"},
		{file: "code-not-command"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", "updates", tc.file+".json"))
			if err != nil {
				t.Fatal(err)
			}
			rec := &recorder{answer: bot.Answer{Title: "ok"}}
			e := newEnv(t, HandlerOptions{Commands: rec})
			e.fake.AddTopic(ops, 951, "🟠 OpenAI: Elevated errors on the API")
			if w := e.post(string(body), secret); w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if tc.runs == "" {
				if len(rec.calls) != 0 || len(e.fake.Calls("sendMessage")) != 0 {
					t.Errorf("ran %+v", rec.calls)
				}
				return
			}
			if len(rec.calls) != 1 || rec.calls[0].Text != tc.runs || rec.calls[0].UserLang != tc.lang {
				t.Fatalf("ran %+v, want %q (asker's language %q)", rec.calls, tc.runs, tc.lang)
			}
			msgs := e.fake.Messages(ops)
			if len(msgs) != 1 || msgs[0].ThreadID != tc.thread {
				t.Errorf("answers %+v, want one in thread %d", msgs, tc.thread)
			}
		})
	}
}
