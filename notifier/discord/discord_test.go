package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
)

const (
	testToken   = "MTA5.test-bot-token.KEEP-THIS-SECRET"
	testChannel = "1100000000000000001"
)

// syncBuffer is a log sink safe for concurrent writes.
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

type env struct {
	fake *fakediscord.Server
	n    *Notifier
	logs *syncBuffer
}

func newEnv(t *testing.T, threads bool) *env {
	t.Helper()
	return newEnvLang(t, threads, "")
}

// newEnvLang is newEnv with the channel's messages in lang.
func newEnvLang(t *testing.T, threads bool, lang string) *env {
	t.Helper()
	fake := fakediscord.New()
	t.Cleanup(fake.Close)
	fake.AddChannel(testChannel)
	fake.RequireToken(testToken)
	logs := &syncBuffer{}
	n, err := New(Options{
		Token:   testToken,
		APIURL:  fake.URL(),
		Log:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Threads: threads,
		Lang:    lang,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{fake: fake, n: n, logs: logs}
	t.Cleanup(func() { assertNoSecret(t, "logs", logs.String(), testToken) })
	return e
}

func delivery(id int64, ev outage.Event, root notifier.RemoteRef) notifier.Delivery {
	return notifier.Delivery{
		OutboxID:    id,
		Destination: notifier.Destination{Channel: "ops", Platform: "discord", Address: testChannel},
		Event:       ev,
		Root:        root,
	}
}

func deliver(t *testing.T, n notifier.Notifier, d notifier.Delivery) notifier.RemoteRef {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ref, err := n.Deliver(ctx, d)
	if err != nil {
		t.Fatalf("deliver %s #%d: %v", d.Event.Kind, d.OutboxID, err)
	}
	if ref == "" {
		t.Fatalf("deliver %s #%d: empty ref", d.Event.Kind, d.OutboxID)
	}
	if ed, ok := n.(notifier.RootEditor); ok && d.EditsRoot() {
		// As the dispatcher does after a reply.
		if err := ed.EditRoot(ctx, notifier.RootEdit{Destination: d.Destination, Root: d.Root, Event: d.Event}); err != nil {
			t.Fatalf("edit the root after %s #%d: %v", d.Event.Kind, d.OutboxID, err)
		}
	}
	return ref
}

// lifecycle is an outage's events: opened, two updates, resolved after
// 1h 12m.
func lifecycle() []outage.Event {
	up1 := sample(outage.Updated, outage.Incident)
	up2 := sample(outage.Updated, outage.Incident)
	up2.Seq, up2.At, up2.Body = 3, t0.Add(55*time.Minute), "A fix has been implemented and we are monitoring the results."
	res := sample(outage.Resolved, outage.Incident)
	res.Seq = 4
	return []outage.Event{sample(outage.Opened, outage.Incident), up1, up2, res}
}

func assertNoSecret(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s contain a secret: %s", where, text)
		}
	}
}

func TestLifecycleReplies(t *testing.T) {
	e := newEnv(t, false)
	evs := lifecycle()
	root := deliver(t, e.n, delivery(1, evs[0], ""))
	var replies []notifier.RemoteRef
	for i, ev := range evs[1:] {
		replies = append(replies, deliver(t, e.n, delivery(int64(i+2), ev, root)))
	}

	msgs := e.fake.Messages(testChannel)
	if len(msgs) != 4 {
		t.Fatalf("channel holds %d messages, want a root and 3 replies", len(msgs))
	}
	r := msgs[0]
	if r.ID != string(root) || r.Reference != nil || r.Nonce != "1" || !r.EnforceNonce {
		t.Errorf("root: id %s (want %s), reference %+v, nonce %q enforce %v", r.ID, root, r.Reference, r.Nonce, r.EnforceNonce)
	}
	for i, m := range msgs[1:] {
		if m.ID != string(replies[i]) {
			t.Errorf("reply %d: id %s, Deliver returned %s", i, m.ID, replies[i])
		}
		if m.Reference == nil || m.Reference.MessageID != string(root) {
			t.Errorf("reply %d does not reference the root: %+v", i, m.Reference)
		} else if m.Reference.FailIfNotExists == nil || *m.Reference.FailIfNotExists {
			t.Errorf("reply %d: fail_if_not_exists should be false", i)
		}
	}
	if len(r.Edits) != 3 {
		t.Fatalf("root edited %d times, want 3 (two updates and the restoration)", len(r.Edits))
	}
	if got := field(r.Edits[0].Embeds[0], "Status"); got != "Partial outage · Identified" {
		t.Errorf("root after the first update says %q", got)
	}
	final := r.Embeds[0]
	if final.Color != colourGreen || field(final, "Status") != "Resolved, lasted 1h 12m" || !strings.Contains(field(final, "Duration"), "(1h 12m)") {
		t.Errorf("final root: colour %#x, status %q, duration %q", final.Color, field(final, "Status"), field(final, "Duration"))
	}
	if got := msgs[3].Content; got != "Restored after 1h 12m" {
		t.Errorf("restoration reply = %q", got)
	}
	if msgs[1].Embeds[0].Description != evs[1].Body {
		t.Errorf("update reply does not carry the vendor's words: %q", msgs[1].Embeds[0].Description)
	}
	for i, c := range e.fake.Calls(fakediscord.RouteCreateMessage) {
		var body map[string]any
		if err := json.Unmarshal(c.Body, &body); err != nil {
			t.Fatal(err)
		}
		if body["enforce_nonce"] != true || body["nonce"] != strconv.Itoa(i+1) {
			t.Errorf("call %d: nonce %v, enforce_nonce %v", i, body["nonce"], body["enforce_nonce"])
		}
		if c.Authorization != "Bot "+testToken {
			t.Errorf("call %d: authorization header is not the bot token", i)
		}
	}
	if n := len(e.fake.Calls(fakediscord.RouteStartThread)); n != 0 {
		t.Errorf("%d thread starts without Threads", n)
	}
}

func TestLifecycleThreads(t *testing.T) {
	e := newEnv(t, true)
	evs := lifecycle()
	root := deliver(t, e.n, delivery(1, evs[0], ""))
	deliver(t, e.n, delivery(2, evs[1], root))
	deliver(t, e.n, delivery(3, evs[2], root))
	// A restart forgets which threads exist: the new notifier's start call
	// answers 160004 and it posts in the existing thread.
	restarted, err := New(Options{Token: testToken, APIURL: e.fake.URL(), Threads: true, Log: slog.New(slog.NewTextHandler(e.logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	deliver(t, restarted, delivery(4, evs[3], root))

	if msgs := e.fake.Messages(testChannel); len(msgs) != 1 || msgs[0].ID != string(root) {
		t.Fatalf("channel should hold only the root, holds %d messages", len(msgs))
	}
	if parent, ok := e.fake.IsThread(string(root)); !ok || parent != testChannel {
		t.Fatalf("no thread started from the root")
	}
	thread := e.fake.Messages(string(root))
	if len(thread) != 3 {
		t.Fatalf("thread holds %d messages, want 3", len(thread))
	}
	for i, m := range thread {
		if m.Reference != nil {
			t.Errorf("thread message %d is a reply; it should just be in the thread", i)
		}
	}
	if got := thread[2].Content; got != "Restored after 1h 12m" {
		t.Errorf("restoration = %q", got)
	}
	if got := len(e.fake.Calls(fakediscord.RouteStartThread)); got != 2 {
		t.Errorf("%d thread-start calls, want 2 (first use, and once after the restart)", got)
	}
	r, _ := e.fake.Message(string(root))
	if len(r.Edits) != 3 || r.Embeds[0].Color != colourGreen {
		t.Errorf("root: %d edits, colour %#x", len(r.Edits), r.Embeds[0].Color)
	}
	starts := e.fake.Calls(fakediscord.RouteStartThread)
	var ts discordgo.ThreadStart
	if err := json.Unmarshal(starts[0].Body, &ts); err != nil || ts.Name != evs[0].Title {
		t.Errorf("thread name %q (%v)", ts.Name, err)
	}
}

func TestThreadRefusedFallsBackToReply(t *testing.T) {
	e := newEnv(t, true)
	evs := lifecycle()
	root := deliver(t, e.n, delivery(1, evs[0], ""))
	e.fake.Inject(fakediscord.RouteStartThread, 1, fakediscord.Fault{Status: http.StatusForbidden, Code: 50013, Message: "Missing Permissions"})
	deliver(t, e.n, delivery(2, evs[1], root))
	msgs := e.fake.Messages(testChannel)
	if len(msgs) != 2 || msgs[1].Reference == nil || msgs[1].Reference.MessageID != string(root) {
		t.Fatalf("the update should be a reply in the channel; channel holds %d messages", len(msgs))
	}
	if !strings.Contains(e.logs.String(), "cannot start a thread") {
		t.Errorf("no warning logged: %s", e.logs)
	}
}

func TestRateLimited(t *testing.T) {
	e := newEnv(t, false)
	ev := sample(outage.Opened, outage.Incident)
	e.fake.RateLimitNext(fakediscord.RouteCreateMessage, 1, 1500*time.Millisecond, false)
	start := time.Now()
	_, err := e.n.Deliver(context.Background(), delivery(1, ev, ""))
	if after, ok := notifier.RetryAfter(err); !ok || after != 1500*time.Millisecond {
		t.Fatalf("err = %v, want a RetryAfterError of 1.5s", err)
	}
	// The bucket is empty for 1.5s: the next call fails at once, locally.
	calls := len(e.fake.Calls(""))
	_, err = e.n.Deliver(context.Background(), delivery(2, ev, ""))
	if after, ok := notifier.RetryAfter(err); !ok || after <= 0 || after > 1500*time.Millisecond {
		t.Fatalf("second call: err = %v, want a RetryAfterError", err)
	}
	if got := len(e.fake.Calls("")); got != calls {
		t.Errorf("the second call reached Discord while its bucket was empty")
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("rate-limited calls took %s: something slept", d)
	}
	if got := len(e.fake.Messages(testChannel)); got != 0 {
		t.Errorf("%d messages posted", got)
	}
}

func TestGlobalRateLimitBlocksEveryRoute(t *testing.T) {
	e := newEnv(t, false)
	e.fake.RateLimitNext(fakediscord.RouteCreateMessage, 1, 2*time.Second, true)
	start := time.Now()
	_, err := e.n.Deliver(context.Background(), delivery(1, sample(outage.Opened, outage.Incident), ""))
	if _, ok := notifier.RetryAfter(err); !ok {
		t.Fatalf("err = %v", err)
	}
	// An edit is another route, but a global limit covers it.
	err = e.n.editRoot(context.Background(), testChannel, "1200000000000000001", sample(outage.Updated, outage.Incident))
	if after, ok := notifier.RetryAfter(err); !ok || after > 2*time.Second {
		t.Fatalf("edit during a global limit: err = %v", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("took %s", d)
	}
}

func TestExhaustedBucketIsNotSleptOn(t *testing.T) {
	e := newEnv(t, false)
	ev := sample(outage.Opened, outage.Incident)
	e.fake.Inject(fakediscord.RouteCreateMessage, 1, fakediscord.Fault{Exhaust: 3 * time.Second})
	deliver(t, e.n, delivery(1, ev, ""))
	start := time.Now()
	_, err := e.n.Deliver(context.Background(), delivery(2, ev, ""))
	if after, ok := notifier.RetryAfter(err); !ok || after > 3*time.Second {
		t.Fatalf("err = %v, want a RetryAfterError", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("took %s: discordgo slept on its bucket", d)
	}
	if got := len(e.fake.Messages(testChannel)); got != 1 {
		t.Errorf("%d messages", got)
	}
}

func TestRateLimitWithoutJSONBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte("<html>slow down</html>"))
	}))
	defer srv.Close()
	n, err := New(Options{Token: testToken, APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = n.Deliver(context.Background(), delivery(1, sample(outage.Opened, outage.Incident), ""))
	if after, ok := notifier.RetryAfter(err); !ok || after != 7*time.Second {
		t.Fatalf("err = %v, want RetryAfter 7s from the header", err)
	}
}

func TestServerErrorsAreRetryable(t *testing.T) {
	for _, status := range []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			e := newEnv(t, false)
			e.fake.Inject(fakediscord.RouteCreateMessage, 1, fakediscord.Fault{Status: status, Message: "oops", Echo: true})
			_, err := e.n.Deliver(context.Background(), delivery(1, sample(outage.Opened, outage.Incident), ""))
			if err == nil || notifier.IsPermanent(err) {
				t.Fatalf("err = %v, want a retryable error", err)
			}
			if _, ok := notifier.RetryAfter(err); ok {
				t.Errorf("%v carries a retry-after", err)
			}
			assertNoSecret(t, "the error", err.Error(), testToken)
			if got := len(e.fake.Calls(fakediscord.RouteCreateMessage)); got != 1 {
				t.Errorf("%d calls: discordgo retried on its own", got)
			}
			// The retry succeeds.
			deliver(t, e.n, delivery(1, sample(outage.Opened, outage.Incident), ""))
		})
	}
}

func TestPermanentErrors(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(*fakediscord.Server)
		channel string
		token   string
		code    int
		fix     string
	}{
		{"missing access", func(s *fakediscord.Server) { s.DenyChannel(testChannel) }, testChannel, testToken, 50001, "View Channel and Send Messages"},
		{"missing permissions", func(s *fakediscord.Server) {
			s.DenyChannelWith(testChannel, http.StatusForbidden, 50013, "Missing Permissions")
		}, testChannel, testToken, 50013, "Embed Links"},
		{"unknown channel", func(*fakediscord.Server) {}, "1999999999999999999", testToken, 10003, "channel id"},
		{"bad token", func(*fakediscord.Server) {}, testChannel, "wrong-token-ALSO-SECRET", 0, "check bot_token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, false)
			tc.setup(e.fake)
			n, err := New(Options{Token: tc.token, APIURL: e.fake.URL()})
			if err != nil {
				t.Fatal(err)
			}
			d := delivery(1, sample(outage.Opened, outage.Incident), "")
			d.Destination.Address = tc.channel
			_, err = n.Deliver(context.Background(), d)
			var perm *notifier.PermanentError
			if !errors.As(err, &perm) {
				t.Fatalf("err = %v, want a PermanentError", err)
			}
			if !strings.Contains(perm.Fix, tc.fix) {
				t.Errorf("fix %q does not say %q", perm.Fix, tc.fix)
			}
			var api *APIError
			if !errors.As(err, &api) || api.Code != tc.code {
				t.Errorf("err = %v, want Discord code %d", err, tc.code)
			}
			assertNoSecret(t, "the error", err.Error(), tc.token, testToken)
		})
	}
	t.Run("not a channel id", func(t *testing.T) {
		e := newEnv(t, false)
		d := delivery(1, sample(outage.Opened, outage.Incident), "")
		d.Destination.Address = "#ops"
		_, err := e.n.Deliver(context.Background(), d)
		if !notifier.IsPermanent(err) {
			t.Fatalf("err = %v", err)
		}
		if len(e.fake.Calls("")) != 0 {
			t.Errorf("a request was made for an invalid channel id")
		}
	})
}

// TestCrashBetweenSendAndRecord: Discord stored the message but the answer
// was lost; the retry (same outbox id) must get the same message back and
// post nothing new.
func TestCrashBetweenSendAndRecord(t *testing.T) {
	e := newEnv(t, false)
	ev := sample(outage.Opened, outage.Incident)
	e.fake.DropNext(fakediscord.RouteCreateMessage, 1)
	d := delivery(7, ev, "")
	_, err := e.n.Deliver(context.Background(), d)
	if err == nil || notifier.IsPermanent(err) {
		t.Fatalf("first attempt: err = %v, want a retryable error", err)
	}
	if got := len(e.fake.Messages(testChannel)); got != 1 {
		t.Fatalf("the fake stored %d messages before dropping the answer", got)
	}
	d.Attempt = 1
	ref := deliver(t, e.n, d)
	msgs := e.fake.Messages(testChannel)
	if len(msgs) != 1 {
		t.Fatalf("channel holds %d messages after the retry, want 1", len(msgs))
	}
	if string(ref) != msgs[0].ID {
		t.Errorf("retry returned %s, the stored message is %s", ref, msgs[0].ID)
	}
	calls := e.fake.Calls(fakediscord.RouteCreateMessage)
	if len(calls) != 2 {
		t.Fatalf("%d create calls", len(calls))
	}
	for i, c := range calls {
		var body struct {
			Nonce        string `json:"nonce"`
			EnforceNonce bool   `json:"enforce_nonce"`
		}
		if err := json.Unmarshal(c.Body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Nonce != "7" || !body.EnforceNonce {
			t.Errorf("call %d: nonce %q enforce_nonce %v", i, body.Nonce, body.EnforceNonce)
		}
	}
}

func TestHangIsBoundedByContext(t *testing.T) {
	e := newEnv(t, false)
	e.fake.HangNext(fakediscord.RouteCreateMessage, 1, 10*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.n.Deliver(ctx, delivery(1, sample(outage.Opened, outage.Incident), ""))
	if err == nil || notifier.IsPermanent(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a retryable deadline error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
}

// A failed root edit never fails the reply, and comes back classified for
// the dispatcher, which retries it: a 500 with backoff, a 429 after
// Discord's retry_after, a deleted root not at all. No error carries the
// token, whatever the server echoes.
func TestRootEditFailures(t *testing.T) {
	e := newEnv(t, false)
	// The 429's wait passes on a clock of the test's, not by sleeping.
	var mu sync.Mutex
	now := time.Now()
	n, err := New(Options{Token: testToken, APIURL: e.fake.URL(), Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	if err != nil {
		t.Fatal(err)
	}
	e.n = n
	evs := lifecycle()
	root := deliver(t, e.n, delivery(1, evs[0], ""))
	for i, c := range []struct {
		name  string
		fault fakediscord.Fault
		check func(error) bool
	}{
		{"500", fakediscord.Fault{Status: http.StatusInternalServerError, Message: "boom", Echo: true}, func(err error) bool {
			_, after := notifier.RetryAfter(err)
			return err != nil && !notifier.IsPermanent(err) && !after
		}},
		{"gone", fakediscord.Fault{Status: http.StatusNotFound, Code: codeUnknownMessage, Message: "Unknown Message"}, notifier.IsRejected},
		{"429", fakediscord.Fault{Status: http.StatusTooManyRequests, Message: "You are being rate limited.", RetryAfter: time.Second}, func(err error) bool {
			after, ok := notifier.RetryAfter(err)
			return ok && after == time.Second
		}},
	} {
		e.fake.Inject(fakediscord.RouteEditMessage, 1, c.fault)
		d := delivery(int64(i+2), evs[1], root)
		ref, err := e.n.Deliver(context.Background(), d)
		if err != nil || ref == "" || ref == root {
			t.Fatalf("%s: ref %q, err %v", c.name, ref, err)
		}
		err = e.n.EditRoot(context.Background(), notifier.RootEdit{Destination: d.Destination, Root: root, Event: d.Event})
		if !c.check(err) {
			t.Errorf("%s: edit error %v (%T)", c.name, err, err)
		}
		if err != nil {
			assertNoSecret(t, c.name, err.Error(), testToken)
		}
	}
	if r, _ := e.fake.Message(string(root)); len(r.Edits) != 0 {
		t.Errorf("root edited despite the failures")
	}
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	deliver(t, e.n, delivery(5, evs[3], root))
	if r, _ := e.fake.Message(string(root)); len(r.Edits) != 1 || r.Embeds[0].Color != colourGreen {
		t.Errorf("root edits = %d, want 1, green", len(r.Edits))
	}
}

func TestUpdateWithoutRootPostsNewRoot(t *testing.T) {
	e := newEnv(t, false)
	evs := lifecycle()
	ref := deliver(t, e.n, delivery(2, evs[1], ""))
	msgs := e.fake.Messages(testChannel)
	if len(msgs) != 1 || msgs[0].ID != string(ref) || msgs[0].Reference != nil {
		t.Fatalf("want one standalone message, got %d", len(msgs))
	}
	if got := field(msgs[0].Embeds[0], "Status"); got != "Partial outage · Identified" {
		t.Errorf("status %q", got)
	}
	// Later events reply to it and edit it.
	deliver(t, e.n, delivery(4, evs[3], ref))
	if r, _ := e.fake.Message(string(ref)); len(r.Edits) != 1 || r.Embeds[0].Color != colourGreen {
		t.Errorf("root not edited green")
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Options{Token: " "}); err == nil {
		t.Error("empty token accepted")
	}
	for _, u := range []string{"discord.com", "ftp://x", "http://127.0.0.1:1/api/v9", "http://x?y=1"} {
		if _, err := New(Options{Token: "t", APIURL: u}); err == nil {
			t.Errorf("api_url %q accepted", u)
		}
	}
	for _, u := range []string{"", "https://discord.com", "http://127.0.0.1:8080/"} {
		if _, err := New(Options{Token: "t", APIURL: u}); err != nil {
			t.Errorf("api_url %q: %v", u, err)
		}
	}
	// "Bot " is added once.
	e := newEnv(t, false)
	n, err := New(Options{Token: "Bot " + testToken, APIURL: e.fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	deliver(t, n, delivery(1, sample(outage.Opened, outage.Incident), ""))
}

func TestBucketKey(t *testing.T) {
	cases := map[string]string{
		"POST /api/v9/channels/123/messages":                  "POST channels/123/messages",
		"PATCH /api/v9/channels/123/messages/456":             "PATCH channels/123/messages/:id",
		"POST /api/v9/channels/123/messages/456/threads":      "POST channels/123/messages/:id/threads",
		"POST /api/v9/webhooks/77/tok":                        "POST webhooks/77/tok",
		"PATCH /api/v9/webhooks/77/tok/messages/9":            "PATCH webhooks/77/tok/messages/:id",
		"PATCH /api/webhooks/77/123/messages/9":               "PATCH webhooks/77/123/messages/:id",
		"GET /api/v9/users/@me":                               "GET users/@me",
		"GET /api/v10/channels/1/messages/2/reactions/x/@me/": "GET channels/1/messages/:id/reactions/x/@me",
	}
	for in, want := range cases {
		method, path, _ := strings.Cut(in, " ")
		if got := bucketKey(method, path); got != want {
			t.Errorf("bucketKey(%s) = %q, want %q", in, got, want)
		}
	}
}

// TestTransportHidesRateLimitHeaders: discordgo sleeps (ignoring the
// context) before a request to a bucket its headers said was empty; it must
// never see them.
func TestTransportHidesRateLimitHeaders(t *testing.T) {
	fake := fakediscord.New()
	defer fake.Close()
	fake.AddChannel(testChannel)
	fake.Inject(fakediscord.RouteGetMessage, 1, fakediscord.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second, Message: "You are being rate limited."})
	origin, err := parseAPIURL(fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	tr := newTransport(nil, origin)
	req, err := http.NewRequest(http.MethodGet, discordgo.EndpointChannelMessage(testChannel, "1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bot x")
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for k := range resp.Header {
		if strings.HasPrefix(strings.ToLower(k), "x-ratelimit") {
			t.Errorf("header %s reaches discordgo", k)
		}
	}
	if req.URL.Host != "discord.com" {
		t.Errorf("the caller's request was modified: %s", req.URL)
	}
	if w := tr.wait(bucketKey(http.MethodGet, req.URL.Path)); w <= 0 || w > time.Second {
		t.Errorf("bucket wait %s, want up to 1s", w)
	}
}

// An outage that joined another's thread replies to its root and never
// edits it.
func TestJoinedOutageRepliesWithoutEditingTheRoot(t *testing.T) {
	e := newEnv(t, false)
	root := deliver(t, e.n, delivery(1, lifecycle()[0], ""))
	for i, kind := range []outage.Kind{outage.Opened, outage.Updated, outage.Resolved} {
		ev := sample(kind, outage.Incident)
		ev.OutageID, ev.Target, ev.Thread = "o-chatbot", "Support chatbot", "o-1"
		ev.Notes = []string{"Likely caused by OpenAI: Elevated error rates"}
		d := delivery(int64(i+2), ev, root)
		d.Joined = true
		deliver(t, e.n, d)
	}
	msgs := e.fake.Messages(testChannel)
	if len(msgs) != 4 {
		t.Fatalf("%d messages, want the root and 3 replies", len(msgs))
	}
	for i, m := range msgs[1:] {
		if m.Reference == nil || m.Reference.MessageID != string(root) {
			t.Errorf("message %d is not a reply to the root", i+2)
		}
	}
	if len(msgs[0].Edits) != 0 {
		t.Errorf("the joined outage edited the root %d times", len(msgs[0].Edits))
	}
	if related := field(msgs[1].Embeds[0], "Related"); !strings.Contains(related, "Likely caused by OpenAI") {
		t.Errorf("the joined outage's first reply lacks its relation: %q", related)
	}
}
