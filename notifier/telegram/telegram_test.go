package telegram_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/internal/faketelegram"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/telegram"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	testToken = "7000001:AAH-test-token-KEEP-THIS-SECRET"
	opsChat   = "-1001234567890"
	otherChat = "-1009876543210"
)

var t0 = time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type env struct {
	fake *faketelegram.Server
	logs *syncBuffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	fake := faketelegram.New(testToken)
	t.Cleanup(fake.Close)
	fake.AddChat(opsChat, "supergroup", false)
	fake.AddChat(otherChat, "supergroup", false)
	e := &env{fake: fake, logs: &syncBuffer{}}
	t.Cleanup(func() { assertNoSecret(t, "logs", e.logs.String()) })
	return e
}

func (e *env) notifier(t *testing.T, topics bool) *telegram.Notifier {
	t.Helper()
	return e.notifierLang(t, topics, "")
}

// notifierLang is notifier with the chat's messages in lang.
func (e *env) notifierLang(t *testing.T, topics bool, lang string) *telegram.Notifier {
	t.Helper()
	n, err := telegram.New(telegram.Options{
		Token:  testToken,
		APIURL: e.fake.URL(),
		Log:    slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Topics: topics,
		Lang:   lang,
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func assertNoSecret(t *testing.T, where, text string) {
	t.Helper()
	if strings.Contains(text, testToken) || strings.Contains(text, "KEEP-THIS-SECRET") {
		t.Errorf("%s contain the token: %s", where, text)
	}
}

func dest(name, chat string) notifier.Destination {
	return notifier.Destination{Channel: name, Platform: "telegram", Address: chat}
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// sampleOutage is a vendor incident that opens at t0.
func sampleOutage(id string) outage.Outage {
	return outage.Outage{
		ID: id, Target: "OpenAI", Key: id, Class: outage.Incident, Title: "Elevated errors on the API",
		Severity: sources.PartialOutage, Phase: sources.IncidentStatus("investigating"), OpenedAt: t0,
		URL:        "https://status.openai.com/incidents/abc",
		Components: []outage.ComponentState{{Name: "API", Status: sources.PartialOutage}, {Name: "ChatGPT", Status: sources.Degraded}},
	}
}

// lifecycle is an outage's events: opened, updated (identified), resolved
// after 1h 12m.
func lifecycle(id string) []outage.Event {
	o := sampleOutage(id)
	opened := o.Event(outage.Opened, t0, "We are investigating elevated error rates.")
	o.Phase = sources.IncidentStatus("identified")
	updated := o.Event(outage.Updated, t0.Add(20*time.Minute), "The issue has been identified and a fix is being implemented.")
	o.ResolvedAt = t0.Add(72 * time.Minute)
	resolved := o.Event(outage.Resolved, o.ResolvedAt, "This incident has been resolved.")
	return []outage.Event{opened, updated, resolved}
}

func commit(t *testing.T, s *store.Store, evs []outage.Event, dests ...string) {
	t.Helper()
	o := sampleOutage(evs[0].OutageID)
	if _, err := s.Commit(context.Background(), store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o}, Events: evs, Dests: dests, At: t0}); err != nil {
		t.Fatal(err)
	}
}

func dispatcher(s notifier.Outbox, clk *clock, routes ...notifier.Route) *notifier.Dispatcher {
	return notifier.NewDispatcher(s, routes, slog.New(slog.DiscardHandler), notifier.Options{Now: clk.Now})
}

// TestLifecycle: an outage through the real dispatcher and a real SQLite
// store: the root, the update as a reply to it, the restoration saying how
// long it lasted, and the root edited to each state.
func TestLifecycle(t *testing.T) {
	e := newEnv(t)
	s := openStore(t)
	commit(t, s, lifecycle("o1"), "ops/telegram")
	clk := &clock{t: t0.Add(time.Minute)}
	d := dispatcher(s, clk, notifier.Route{Destination: dest("ops", opsChat), Notifier: e.notifier(t, false)})
	d.Drain(context.Background())

	msgs := e.fake.Messages(opsChat)
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want root, update, restoration: %+v", len(msgs), msgs)
	}
	root, upd, res := msgs[0], msgs[1], msgs[2]
	if root.ReplyTo != 0 || upd.ReplyTo != root.ID || res.ReplyTo != root.ID {
		t.Errorf("replies do not hang off the root: %+v", msgs)
	}
	if !strings.Contains(upd.Text, "Identified") || !strings.Contains(upd.Text, "fix is being implemented") {
		t.Errorf("update: %q", upd.Text)
	}
	if !strings.Contains(res.Text, "Restored after 1h 12m") {
		t.Errorf("restoration does not say how long it lasted: %q", res.Text)
	}
	if root.Edits != 2 || !strings.Contains(root.Text, "Resolved</b>, lasted 1h 12m") {
		t.Errorf("root edited %d times, now %q", root.Edits, root.Text)
	}
	for _, c := range e.fake.Calls("sendMessage")[1:] {
		if !strings.Contains(string(c.Body), `"reply_parameters":{"message_id":`+fmt.Sprint(root.ID)+`,"allow_sending_without_reply":true}`) {
			t.Errorf("reply without reply_parameters: %s", c.Body)
		}
	}
	// Nothing is left to do.
	clk.Advance(time.Hour)
	d.Drain(context.Background())
	if n := len(e.fake.Calls("sendMessage")); n != 3 {
		t.Errorf("%d sends after a second drain, want 3", n)
	}
}

// TestTopics: with telegram_topics each outage has a forum topic: its
// messages go there, and the topic is closed on restoration.
func TestTopics(t *testing.T) {
	e := newEnv(t)
	forum := "-1005550000000"
	e.fake.AddChat(forum, "supergroup", true)
	s := openStore(t)
	commit(t, s, lifecycle("o1"), "ops/telegram")
	clk := &clock{t: t0.Add(time.Minute)}
	dispatcher(s, clk, notifier.Route{Destination: dest("ops", forum), Notifier: e.notifier(t, true)}).Drain(context.Background())

	topics := e.fake.Topics(forum)
	if len(topics) != 1 || !topics[0].Closed || !strings.Contains(topics[0].Name, "OpenAI: Elevated errors") {
		t.Fatalf("topics: %+v", topics)
	}
	msgs := e.fake.Messages(forum)
	if len(msgs) != 3 {
		t.Fatalf("%d messages", len(msgs))
	}
	for _, m := range msgs {
		if m.ThreadID != topics[0].ID {
			t.Errorf("message %d outside the topic: %+v", m.ID, m)
		}
	}
	if msgs[0].Edits != 2 {
		t.Errorf("root edited %d times", msgs[0].Edits)
	}
}

// A topic created by an attempt whose message then failed is reused by the
// retry, not opened again.
func TestTopicReusedByRetry(t *testing.T) {
	e := newEnv(t)
	forum := "-1005550000000"
	e.fake.AddChat(forum, "supergroup", true)
	n := e.notifier(t, true)
	e.fake.FailNext("sendMessage", faketelegram.Fault{Status: 500, Description: "Internal Server Error"})
	d := notifier.Delivery{OutboxID: 9, Destination: dest("ops", forum), Event: lifecycle("o1")[0]}
	if _, err := n.Deliver(context.Background(), d); err == nil || notifier.IsPermanent(err) {
		t.Fatalf("first attempt: %v", err)
	}
	d.Attempt = 1
	ref, err := n.Deliver(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	topics := e.fake.Topics(forum)
	if len(topics) != 1 || !strings.HasSuffix(string(ref), fmt.Sprintf("/%d", topics[0].ID)) {
		t.Errorf("topics %+v, ref %s", topics, ref)
	}
}

// failingSettle loses the outcome of the first settlement, as a crash
// between sending and recording would.
type failingSettle struct {
	*store.Store
	mu   sync.Mutex
	fail int
}

func (f *failingSettle) Settle(ctx context.Context, st store.Settlement) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail > 0 {
		f.fail--
		return errors.New("disk I/O error")
	}
	return f.Store.Settle(ctx, st)
}

// TestCrashBetweenSendAndRecord: Telegram has no idempotency key and no
// look-up, so a send whose outcome was never recorded is sent once more,
// and exactly once more: the bound is one duplicate per crash.
func TestCrashBetweenSendAndRecord(t *testing.T) {
	for _, tc := range []struct {
		name    string
		crashes int
		// lose drops the answer instead (the send happened, the bot never
		// heard back).
		lose bool
	}{
		{name: "one crash", crashes: 1},
		{name: "two crashes", crashes: 2},
		{name: "lost answer", lose: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			s := openStore(t)
			commit(t, s, lifecycle("o1"), "ops/telegram")
			clk := &clock{t: t0.Add(time.Minute)}
			n := e.notifier(t, false)
			if tc.lose {
				e.fake.FailNext("sendMessage", faketelegram.Fault{Lose: true})
			}
			fs := &failingSettle{Store: s}
			d := dispatcher(fs, clk, notifier.Route{Destination: dest("ops", opsChat), Notifier: n})
			for range tc.crashes {
				fs.fail = 1
				d.Drain(context.Background())
				clk.Advance(time.Minute) // past the claim's lease
			}
			for range 5 {
				d.Drain(context.Background())
				clk.Advance(10 * time.Minute)
			}
			msgs := e.fake.Messages(opsChat)
			roots := 0
			for _, m := range msgs {
				if m.ReplyTo == 0 {
					roots++
				}
			}
			wantRoots := 1 + max(tc.crashes, 0)
			if tc.lose {
				wantRoots = 2
			}
			if roots != wantRoots || len(msgs) != wantRoots+2 {
				t.Fatalf("%d roots in %d messages, want %d roots (one duplicate per crash) and 2 replies: %+v", roots, len(msgs), wantRoots, msgs)
			}
			last := msgs[len(msgs)-3]
			if msgs[len(msgs)-1].ReplyTo != last.ID {
				t.Errorf("the thread goes on under the recorded root %d: %+v", last.ID, msgs)
			}
		})
	}
}

// TestBlockedChatDoesNotBlockOthers: a chat that refuses the bot for good
// (403) keeps its own deliveries waiting; another chat gets everything.
func TestBlockedChatDoesNotBlockOthers(t *testing.T) {
	e := newEnv(t)
	e.fake.Block(opsChat, "Forbidden: bot was kicked from the supergroup chat")
	s := openStore(t)
	commit(t, s, lifecycle("o1"), "ops/telegram", "other/telegram")
	clk := &clock{t: t0.Add(time.Minute)}
	var mu sync.Mutex
	var errs []error
	d := notifier.NewDispatcher(s, []notifier.Route{
		{Destination: dest("ops", opsChat), Notifier: e.notifier(t, false)},
		{Destination: dest("other", otherChat), Notifier: e.notifier(t, false)},
	}, slog.New(slog.DiscardHandler), notifier.Options{Now: clk.Now, Observe: func(dest string, _ store.Outcome, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, err)
		}
	}})
	d.Drain(context.Background())
	if got := len(e.fake.Messages(otherChat)); got != 3 {
		t.Errorf("the other chat got %d messages, want 3", got)
	}
	if len(errs) != 1 || !notifier.IsPermanent(errs[0]) || notifier.IsRejected(errs[0]) || !strings.Contains(errs[0].Error(), "add the bot to the chat") {
		t.Fatalf("errors: %v", errs)
	}
	assertNoSecret(t, "errors", errs[0].Error())
}

// TestErrors: each failure the Bot API answers is classified as the
// dispatcher needs it.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		fault     faketelegram.Fault
		retryAt   time.Duration
		permanent bool
		rejected  bool
	}{
		{name: "flood control", fault: faketelegram.Fault{Status: 429, Description: "Too Many Requests: retry after 7", RetryAfter: 7}, retryAt: 7 * time.Second},
		{name: "server error", fault: faketelegram.Fault{Status: 500, Description: "Internal Server Error"}},
		{name: "bad gateway", fault: faketelegram.Fault{Status: 502, Description: "Bad Gateway"}},
		{name: "blocked", fault: faketelegram.Fault{Status: 403, Description: "Forbidden: bot was blocked by the user"}, permanent: true},
		{name: "chat not found", fault: faketelegram.Fault{Status: 400, Description: "Bad Request: chat not found"}, permanent: true},
		{name: "no rights", fault: faketelegram.Fault{Status: 400, Description: "Bad Request: not enough rights to send text messages to the chat"}, permanent: true},
		{name: "token", fault: faketelegram.Fault{Status: 401, Description: "Unauthorized"}, permanent: true},
		{name: "unparsable", fault: faketelegram.Fault{Status: 400, Description: "Bad Request: can't parse entities: unsupported start tag"}, permanent: true, rejected: true},
		{name: "lost answer", fault: faketelegram.Fault{Lose: true}},
		{name: "timeout", fault: faketelegram.Fault{Hang: 10 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			n := e.notifier(t, false)
			e.fake.FailNext("sendMessage", tc.fault)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if tc.fault.Hang > 0 {
				// The attempt's deadline, as the dispatcher sets it.
				var c2 context.CancelFunc
				ctx, c2 = context.WithTimeout(ctx, 50*time.Millisecond)
				defer c2()
			}
			_, err := n.Deliver(ctx, notifier.Delivery{OutboxID: 1, Destination: dest("ops", opsChat), Event: lifecycle("o1")[0]})
			if err == nil {
				t.Fatal("no error")
			}
			assertNoSecret(t, "the error", err.Error())
			after, ok := notifier.RetryAfter(err)
			if tc.retryAt > 0 && (!ok || after != tc.retryAt) {
				t.Errorf("retry after %v %v, want %v: %v", after, ok, tc.retryAt, err)
			}
			if notifier.IsPermanent(err) != tc.permanent || notifier.IsRejected(err) != tc.rejected {
				t.Errorf("permanent %v rejected %v, want %v %v: %v", notifier.IsPermanent(err), notifier.IsRejected(err), tc.permanent, tc.rejected, err)
			}
		})
	}
}

// TestRetryAfterHoldsTheChat: after a 429 the dispatcher sends nothing to
// the chat before retry_after has passed.
func TestRetryAfterHoldsTheChat(t *testing.T) {
	e := newEnv(t)
	e.fake.FailNext("sendMessage", faketelegram.Fault{Status: 429, Description: "Too Many Requests: retry after 30", RetryAfter: 30})
	s := openStore(t)
	commit(t, s, lifecycle("o1"), "ops/telegram")
	clk := &clock{t: t0.Add(time.Minute)}
	d := dispatcher(s, clk, notifier.Route{Destination: dest("ops", opsChat), Notifier: e.notifier(t, false)})
	d.Drain(context.Background())
	clk.Advance(29 * time.Second)
	d.Drain(context.Background())
	if n := len(e.fake.Calls("sendMessage")); n != 1 {
		t.Fatalf("%d sends within retry_after, want 1", n)
	}
	clk.Advance(2 * time.Second)
	d.Drain(context.Background())
	if n := len(e.fake.Messages(opsChat)); n != 3 {
		t.Errorf("%d messages after retry_after, want 3", n)
	}
}

// TestMigratedGroupIsFollowed: a group upgraded to a supergroup answers
// with migrate_to_chat_id; the notifier sends there and says so.
func TestMigratedGroupIsFollowed(t *testing.T) {
	e := newEnv(t)
	group := "-4001"
	e.fake.AddChat(group, "group", false)
	e.fake.Migrate(group, -1004001)
	n := e.notifier(t, false)
	evs := lifecycle("o1")
	ref, err := n.Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Destination: dest("ops", group), Event: evs[0]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Deliver(context.Background(), notifier.Delivery{OutboxID: 2, Destination: dest("ops", group), Event: evs[1], Root: ref}); err != nil {
		t.Fatal(err)
	}
	if got := len(e.fake.Messages("-1004001")); got != 2 {
		t.Errorf("the supergroup got %d messages", got)
	}
	if !strings.Contains(e.logs.String(), `telegram = \"-1004001\"`) {
		t.Errorf("the log does not say which id to configure: %s", e.logs.String())
	}
	// The second delivery went straight to the new id.
	if n := len(e.fake.Calls("sendMessage")); n != 3 {
		t.Errorf("%d sends, want 3 (one refused by the old group)", n)
	}
}

// TestEditNotModifiedIsSuccess: editing the root to the state it already
// shows (a retry after a lost answer) is done, not an error.
func TestEditNotModifiedIsSuccess(t *testing.T) {
	e := newEnv(t)
	n := e.notifier(t, false)
	evs := lifecycle("o1")
	ref, err := n.Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Destination: dest("ops", opsChat), Event: evs[0]})
	if err != nil {
		t.Fatal(err)
	}
	edit := notifier.RootEdit{Destination: dest("ops", opsChat), Root: ref, Event: evs[1]}
	for i := range 2 {
		if err := n.EditRoot(context.Background(), edit); err != nil {
			t.Fatalf("edit %d: %v", i, err)
		}
	}
	if len(e.fake.Calls("editMessageText")) != 2 || e.fake.Messages(opsChat)[0].Edits != 1 {
		t.Errorf("edits: %d calls, %d changes", len(e.fake.Calls("editMessageText")), e.fake.Messages(opsChat)[0].Edits)
	}
	// A deleted root is a refusal of the edit, not a reason to retry.
	edit.Root = "999999"
	if err := n.EditRoot(context.Background(), edit); !notifier.IsRejected(err) {
		t.Errorf("editing a missing root: %v", err)
	}
}

func TestNewValidates(t *testing.T) {
	for _, tc := range []struct{ token, url string }{
		{"", ""},
		{"123:abc/def", ""},
		{testToken, "ftp://example.com"},
	} {
		if _, err := telegram.New(telegram.Options{Token: tc.token, APIURL: tc.url}); err == nil {
			t.Errorf("New(%q, %q) accepted", tc.token, tc.url)
		} else {
			assertNoSecret(t, "the error", err.Error())
		}
	}
}

// A network failure never shows the URL, which carries the token.
func TestTransportErrorHidesToken(t *testing.T) {
	e := newEnv(t)
	url := e.fake.URL()
	e.fake.Close()
	n, err := telegram.New(telegram.Options{Token: testToken, APIURL: url, HTTPClient: &http.Client{Timeout: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = n.Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Destination: dest("ops", opsChat), Event: lifecycle("o1")[0]})
	if err == nil || notifier.IsPermanent(err) {
		t.Fatalf("err = %v", err)
	}
	assertNoSecret(t, "the error", err.Error())
}
