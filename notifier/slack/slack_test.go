package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/internal/fakeslack"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
)

const testToken = "xoxb-1111-2222-SeCrEtToKeN"

// logBuffer collects log output from concurrent writers.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type env struct {
	fs   *fakeslack.Server
	n    *Notifier
	logs *logBuffer
	// editErr is the last root edit's error.
	editErr error
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	fs := fakeslack.New()
	t.Cleanup(fs.Close)
	fs.RequireToken(testToken)
	fs.AddChannel("C1", "C2")
	logs := &logBuffer{}
	opts.Token = testToken
	if opts.APIURL == "" {
		opts.APIURL = fs.URL()
	}
	opts.HTTPClient = fs.Client()
	opts.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return &env{fs: fs, n: New(opts), logs: logs}
}

func (e *env) deliver(t *testing.T, d notifier.Delivery) (notifier.RemoteRef, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	ref, err := e.n.Deliver(ctx, d)
	if err != nil && strings.Contains(err.Error(), testToken) {
		t.Fatalf("the token is in an error: %v", err)
	}
	if err == nil && d.EditsRoot() {
		// As the dispatcher does after a reply.
		e.editErr = e.n.EditRoot(ctx, notifier.RootEdit{Destination: d.Destination, Root: d.Root, Event: d.Event})
		if e.editErr != nil && strings.Contains(e.editErr.Error(), testToken) {
			t.Fatalf("the token is in an error: %v", e.editErr)
		}
	}
	return ref, err
}

func delivery(id int64, ch string, ev outage.Event, root notifier.RemoteRef) notifier.Delivery {
	return notifier.Delivery{
		OutboxID:    id,
		Destination: notifier.Destination{Channel: "ops", Platform: "slack", Address: ch},
		Event:       ev,
		Root:        root,
	}
}

// lifecycle is one outage: opened, two updates, resolved after 1h 12m.
func lifecycle() []outage.Event {
	opened := event(outage.Opened, outage.Incident, 0)
	up1 := event(outage.Updated, outage.Incident, 12*time.Minute)
	up2 := event(outage.Updated, outage.Incident, 40*time.Minute)
	up2.Seq, up2.Phase, up2.Body = 3, "monitoring", "A fix has been implemented and we are monitoring the results."
	resolved := event(outage.Resolved, outage.Incident, 72*time.Minute)
	resolved.Seq = 4
	return []outage.Event{opened, up1, up2, resolved}
}

func TestLifecycle(t *testing.T) {
	e := newEnv(t, Options{APIURL: "", BroadcastResolved: true})
	evs := lifecycle()

	root, err := e.deliver(t, delivery(1, "C1", evs[0], ""))
	if err != nil || root == "" {
		t.Fatalf("opened: ref %q, err %v", root, err)
	}
	var replies []notifier.RemoteRef
	for i, ev := range evs[1:] {
		ref, err := e.deliver(t, delivery(int64(i+2), "C1", ev, root))
		if err != nil {
			t.Fatalf("%s %d: %v", ev.Kind, ev.Seq, err)
		}
		if ref == "" || ref == root {
			t.Fatalf("%s %d: ref %q (root %q)", ev.Kind, ev.Seq, ref, root)
		}
		replies = append(replies, ref)
	}

	msgs := e.fs.Messages("C1")
	if len(msgs) != 1 {
		t.Fatalf("%d top-level messages, want 1 root: %+v", len(msgs), msgs)
	}
	m := msgs[0]
	if m.TS != string(root) {
		t.Errorf("root ts %s, Deliver returned %s", m.TS, root)
	}
	if m.Metadata == nil || m.Metadata.EventType != MetadataEventType || m.Metadata.EventPayload["outbox_id"] != float64(1) ||
		m.Metadata.EventPayload["outage_id"] != "o-1" || m.Metadata.EventPayload["seq"] != float64(1) {
		t.Errorf("root metadata %+v", m.Metadata)
	}
	if len(m.Replies) != 3 {
		t.Fatalf("%d replies, want 3", len(m.Replies))
	}
	for i, r := range m.Replies {
		if r.TS != string(replies[i]) {
			t.Errorf("reply %d ts %s, Deliver returned %s", i, r.TS, replies[i])
		}
		if r.ThreadTS != m.TS {
			t.Errorf("reply %d is not in the root's thread", i)
		}
		if !strings.Contains(r.Text, escape(evs[i+1].Body)) {
			t.Errorf("reply %d %q lacks the vendor's words %q", i, r.Text, evs[i+1].Body)
		}
		if got := r.Metadata.EventPayload["outbox_id"]; got != float64(i+2) {
			t.Errorf("reply %d outbox_id %v", i, got)
		}
	}
	last := m.Replies[2]
	if !strings.Contains(last.Text, "Restored after 1h 12m") || !strings.Contains(string(last.Blocks), "Restored after 1h 12m") {
		t.Errorf("restoration reply %q lacks the duration", last.Text)
	}
	if !last.ReplyBroadcast || m.Replies[0].ReplyBroadcast {
		t.Errorf("broadcast: restoration %v, update %v", last.ReplyBroadcast, m.Replies[0].ReplyBroadcast)
	}

	if len(m.Edits) != 3 {
		t.Errorf("%d root edits, want one per update and one on restoration", len(m.Edits))
	}
	if !strings.Contains(m.Text, "Resolved, lasted 1h 12m") || !strings.Contains(string(m.Attachments), "#2EB67D") ||
		!strings.Contains(string(m.Attachments), "Resolved*, lasted 1h 12m") {
		t.Errorf("root not edited to resolved: %s %s", m.Text, m.Attachments)
	}
	if len(m.Edits) > 1 && !strings.Contains(string(m.Edits[1].Attachments), "Major outage") {
		t.Errorf("second version of the root should show the first update's state: %s", m.Edits[1].Attachments)
	}
	if n := len(e.fs.Calls("conversations.history")) + len(e.fs.Calls("conversations.replies")); n != 0 {
		t.Errorf("first attempts looked up %d times", n)
	}
	for _, c := range e.fs.Calls("") {
		if !c.Auth {
			t.Errorf("%s without a token", c.Method)
		}
	}
	if post := e.fs.Calls("chat.postMessage")[0].Params; post.Get("unfurl_links") != "false" || post.Get("metadata") == "" {
		t.Errorf("post params %v", post)
	}
}

func TestAPIURLWithoutSlashAndCheck(t *testing.T) {
	fs := fakeslack.New()
	defer fs.Close()
	fs.AddChannel("C1")
	n := New(Options{Token: testToken, APIURL: strings.TrimSuffix(fs.URL(), "/"), HTTPClient: fs.Client()})
	if err := n.Check(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Deliver(t.Context(), delivery(1, "C1", event(outage.Opened, outage.Incident, 0), "")); err != nil {
		t.Fatal(err)
	}
	if len(fs.Calls("auth.test")) != 1 || len(fs.Messages("C1")) != 1 {
		t.Errorf("calls %+v", fs.Calls(""))
	}

	bad := New(Options{Token: "xoxb-wrong", APIURL: fs.URL(), HTTPClient: fs.Client()})
	fs.RequireToken(testToken)
	err := bad.Check(t.Context())
	var p *notifier.PermanentError
	if !errors.As(err, &p) || !strings.Contains(p.Fix, "bot_token") {
		t.Errorf("wrong token: %v", err)
	}
}

func TestErrorClassification(t *testing.T) {
	e := newEnv(t, Options{})
	opened := event(outage.Opened, outage.Incident, 0)

	e.fs.RateLimitNext("chat.postMessage", 1, 7*time.Second)
	_, err := e.deliver(t, delivery(1, "C1", opened, ""))
	if after, ok := notifier.RetryAfter(err); !ok || after != 7*time.Second {
		t.Errorf("429: %v (after %v, %v)", err, after, ok)
	}

	e.fs.FailNext("chat.postMessage", 1)
	_, err = e.deliver(t, delivery(1, "C1", opened, ""))
	if err == nil || notifier.IsPermanent(err) {
		t.Errorf("500 should be retryable: %v", err)
	}
	if _, ok := notifier.RetryAfter(err); ok {
		t.Errorf("500 has no Retry-After: %v", err)
	}

	e.fs.Inject("chat.postMessage", 1, fakeslack.Fault{Error: "internal_error"})
	_, err = e.deliver(t, delivery(1, "C1", opened, ""))
	if err == nil || notifier.IsPermanent(err) || !strings.Contains(err.Error(), "internal_error") {
		t.Errorf("internal_error should be retryable: %v", err)
	}

	// A call that hangs past the attempt's deadline is a retryable timeout.
	e.fs.HangNext("chat.postMessage", 1, 10*time.Second)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	_, err = e.n.Deliver(ctx, delivery(1, "C1", opened, ""))
	cancel()
	if err == nil || notifier.IsPermanent(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hang: %v", err)
	}
	// On a busy machine the deadline can pass before the request reaches
	// the fake, leaving the hang armed for a later call.
	e.fs.ClearFaults()

	// Any 5xx is retryable.
	e.fs.Inject("chat.postMessage", 1, fakeslack.Fault{Status: http.StatusBadGateway})
	if _, err = e.deliver(t, delivery(1, "C1", opened, "")); err == nil || notifier.IsPermanent(err) {
		t.Errorf("502: %v", err)
	}

	// An unknown channel is permanent, with a fix; the others still work.
	_, err = e.deliver(t, delivery(1, "C404", opened, ""))
	var p *notifier.PermanentError
	if !errors.As(err, &p) || !strings.Contains(err.Error(), "channel_not_found") || !strings.Contains(p.Fix, "/invite @outagebot") {
		t.Errorf("channel_not_found: %v", err)
	}
	if _, err := e.deliver(t, delivery(2, "C1", opened, "")); err != nil {
		t.Errorf("C1 after C404 failed: %v", err)
	}

	for code, fix := range map[string]string{
		"not_in_channel":    "invite the bot to the channel: /invite @outagebot",
		"is_archived":       "archived",
		"invalid_auth":      "check bot_token",
		"account_inactive":  "bot_token",
		"token_revoked":     "bot_token",
		"missing_scope":     "chat:write",
		"restricted_action": "admin",
	} {
		e.fs.SetChannelError("C2", code)
		_, err := e.deliver(t, delivery(3, "C2", opened, ""))
		var p *notifier.PermanentError
		if !errors.As(err, &p) || !strings.Contains(p.Fix, fix) || !strings.Contains(err.Error(), code) {
			t.Errorf("%s: %v, want a permanent error with a fix containing %q", code, err, fix)
		}
		if _, err := e.deliver(t, delivery(4, "C1", opened, "")); err != nil {
			t.Errorf("C1 while C2 answers %s: %v", code, err)
		}
	}
	e.fs.SetChannelError("C2", "")
	if _, err := e.deliver(t, delivery(5, "C2", opened, "")); err != nil {
		t.Errorf("C2 after the fix: %v", err)
	}

	// No channel configured.
	_, err = e.deliver(t, delivery(6, "", opened, ""))
	if !notifier.IsPermanent(err) {
		t.Errorf("empty address: %v", err)
	}
}

// A crash between "posted" and "recorded": the first attempt's answer is
// lost, the retry finds the message by its metadata and does not post again.
func TestCrashBetweenPostAndRecordRoot(t *testing.T) {
	e := newEnv(t, Options{})
	opened := event(outage.Opened, outage.Incident, 0)
	opened.At = time.Now() // the look-up window starts an hour before the event

	e.fs.DropNext("chat.postMessage", 1)
	if _, err := e.deliver(t, delivery(41, "C1", opened, "")); err == nil || notifier.IsPermanent(err) {
		t.Fatalf("dropped answer: %v, want a retryable error", err)
	}
	// Other messages land in the channel in between.
	if _, err := e.deliver(t, delivery(50, "C1", event(outage.Opened, outage.MaintenanceWork, 0), "")); err != nil {
		t.Fatal(err)
	}
	d := delivery(41, "C1", opened, "")
	d.Attempt = 1
	ref, err := e.deliver(t, d)
	if err != nil {
		t.Fatal(err)
	}
	msgs := e.fs.Messages("C1")
	if len(msgs) != 2 || ref != notifier.RemoteRef(msgs[0].TS) {
		t.Fatalf("ref %s, messages %+v", ref, msgs)
	}
	hist := e.fs.Calls("conversations.history")
	if len(hist) != 1 {
		t.Fatalf("conversations.history called %d times", len(hist))
	}
	if p := hist[0].Params; p.Get("include_all_metadata") != "1" || p.Get("limit") != "100" || p.Get("oldest") == "" || p.Get("channel") != "C1" {
		t.Errorf("history params %v", p)
	}
	if n := len(e.fs.Calls("chat.postMessage")); n != 2 {
		t.Errorf("%d posts, want 2 (the dropped one and the other outage)", n)
	}
}

func TestCrashBetweenPostAndRecordReply(t *testing.T) {
	e := newEnv(t, Options{})
	evs := lifecycle()
	root, err := e.deliver(t, delivery(1, "C1", evs[0], ""))
	if err != nil {
		t.Fatal(err)
	}
	e.fs.DropNext("chat.postMessage", 1)
	if _, err := e.deliver(t, delivery(2, "C1", evs[1], root)); err == nil {
		t.Fatal("dropped answer: no error")
	}
	d := delivery(2, "C1", evs[1], root)
	d.Attempt = 1
	ref, err := e.deliver(t, d)
	if err != nil {
		t.Fatal(err)
	}
	msgs := e.fs.Messages("C1")
	if len(msgs) != 1 || len(msgs[0].Replies) != 1 || ref != notifier.RemoteRef(msgs[0].Replies[0].TS) {
		t.Fatalf("ref %s, messages %+v", ref, msgs)
	}
	if calls := e.fs.Calls("conversations.replies"); len(calls) != 1 || calls[0].Params.Get("ts") != string(root) {
		t.Errorf("conversations.replies calls %+v", calls)
	}
	// The root is still edited, once, by the attempt that found the reply.
	if n := len(msgs[0].Edits); n != 1 {
		t.Errorf("%d root edits, want 1", n)
	}
}

func TestRetryWithNothingPostedPostsOnce(t *testing.T) {
	e := newEnv(t, Options{})
	d := delivery(7, "C1", event(outage.Opened, outage.Incident, 0), "")
	d.Attempt = 3
	if _, err := e.deliver(t, d); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fs.Messages("C1")); n != 1 {
		t.Errorf("%d messages", n)
	}
	if n := len(e.fs.Calls("conversations.history")); n != 1 {
		t.Errorf("%d look-ups", n)
	}
}

func TestLookupFailureFallsBackToPosting(t *testing.T) {
	e := newEnv(t, Options{})
	e.fs.FailNext("conversations.history", 1)
	d := delivery(7, "C1", event(outage.Opened, outage.Incident, 0), "")
	d.Attempt = 1
	if _, err := e.deliver(t, d); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fs.Messages("C1")); n != 1 {
		t.Errorf("%d messages", n)
	}
	if !strings.Contains(e.logs.String(), "cannot look for an earlier attempt") {
		t.Errorf("look-up failure not logged: %s", e.logs)
	}

	// missing_scope on the look-up (no channels:history): still posts.
	e.fs.Inject("conversations.replies", 1, fakeslack.Fault{Error: "missing_scope"})
	root := notifier.RemoteRef(e.fs.Messages("C1")[0].TS)
	d = delivery(8, "C1", event(outage.Updated, outage.Incident, time.Minute), root)
	d.Attempt = 2
	if _, err := e.deliver(t, d); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fs.Messages("C1")[0].Replies); n != 1 {
		t.Errorf("%d replies", n)
	}
}

// A failed root edit never fails the reply, and comes back classified for
// the dispatcher, which retries it: a root that is gone is a refusal, a 500
// is retried with backoff, a 429 after Slack's Retry-After.
func TestRootEditFailures(t *testing.T) {
	e := newEnv(t, Options{})
	evs := lifecycle()
	root, err := e.deliver(t, delivery(1, "C1", evs[0], ""))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		name  string
		fault fakeslack.Fault
		check func(error) bool
	}{
		{"gone", fakeslack.Fault{Error: "cant_update_message"}, notifier.IsRejected},
		{"500", fakeslack.Fault{Status: 500}, func(err error) bool {
			_, after := notifier.RetryAfter(err)
			return err != nil && !notifier.IsPermanent(err) && !after
		}},
		{"429", fakeslack.Fault{Status: 429, RetryAfter: time.Second}, func(err error) bool {
			after, ok := notifier.RetryAfter(err)
			return ok && after == time.Second
		}},
	} {
		e.fs.Inject("chat.update", 1, c.fault)
		ref, err := e.deliver(t, delivery(int64(i+2), "C1", evs[1], root))
		if err != nil || ref == "" || ref == root {
			t.Fatalf("%s: ref %q, err %v", c.name, ref, err)
		}
		if !c.check(e.editErr) {
			t.Errorf("%s: edit error %v (%T)", c.name, e.editErr, e.editErr)
		}
	}
	m := e.fs.Messages("C1")[0]
	if len(m.Replies) != 3 || len(m.Edits) != 0 {
		t.Errorf("%d replies, %d edits", len(m.Replies), len(m.Edits))
	}
	if _, err := e.deliver(t, delivery(5, "C1", evs[3], root)); err != nil || e.editErr != nil {
		t.Fatalf("restoration: %v, edit %v", err, e.editErr)
	}
	if m := e.fs.Messages("C1")[0]; len(m.Edits) != 1 || !strings.Contains(m.Text, "Resolved") {
		t.Errorf("%d edits after recovery, root %q", len(m.Edits), m.Text)
	}
}

// Without a root (the opened event was never delivered), an update is
// posted as a top-level message that can serve as the root.
func TestUpdateWithoutRoot(t *testing.T) {
	e := newEnv(t, Options{})
	ref, err := e.deliver(t, delivery(2, "C1", event(outage.Updated, outage.Incident, 5*time.Minute), ""))
	if err != nil || ref == "" {
		t.Fatalf("ref %q, err %v", ref, err)
	}
	msgs := e.fs.Messages("C1")
	if len(msgs) != 1 || msgs[0].TS != string(ref) || len(msgs[0].Replies) != 0 || len(msgs[0].Attachments) == 0 {
		t.Fatalf("messages %+v", msgs)
	}
	if len(e.fs.Calls("chat.update")) != 0 {
		t.Error("edited although there is no root")
	}
	// Later events thread under it.
	if _, err := e.deliver(t, delivery(3, "C1", event(outage.Resolved, outage.Incident, time.Hour), ref)); err != nil {
		t.Fatal(err)
	}
	if m := e.fs.Messages("C1"); len(m) != 1 || len(m[0].Replies) != 1 || len(m[0].Edits) != 1 {
		t.Errorf("messages %+v", m)
	}
}

// The token never appears in an error or a log line, whatever the server
// answers: it echoes the Authorization header and the token parameter back
// in every way a response can carry them.
func TestTokenNeverInErrorsOrLogs(t *testing.T) {
	echo := func(r *http.Request) string {
		_ = r.ParseForm()
		return r.Header.Get("Authorization") + " " + r.Form.Get("token")
	}
	answers := map[string]http.HandlerFunc{
		"error-field": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": echo(r)})
		},
		"missing-scope-needed": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "missing_scope", "needed": echo(r), "provided": echo(r)})
		},
		"status-500-body": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "internal error for "+echo(r), http.StatusInternalServerError)
		},
		"status-403-body": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "forbidden "+echo(r), http.StatusForbidden)
		},
		"retry-after": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", strings.TrimSpace(echo(r)))
			w.WriteHeader(http.StatusTooManyRequests)
		},
		"not-json": func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, echo(r))
		},
		"json-type-error": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprintf(w, `{"ok": %q}`, echo(r))
		},
		"redirect-with-token": func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/gone/") {
				if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
					_ = c.Close()
				}
				return
			}
			http.Redirect(w, r, "/gone/"+strings.ReplaceAll(echo(r), " ", "_"), http.StatusTemporaryRedirect)
		},
	}
	for name, h := range answers {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(h)
			defer srv.Close()
			logs := &logBuffer{}
			n := New(Options{Token: testToken, APIURL: srv.URL + "/api/", HTTPClient: srv.Client(),
				Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			opened := event(outage.Opened, outage.Incident, 0)
			retry := delivery(1, "C1", opened, "")
			retry.Attempt = 1
			updated := delivery(2, "C1", event(outage.Updated, outage.Incident, time.Minute), "1700000000.000100")
			updated.Attempt = 1
			ds := []notifier.Delivery{delivery(1, "C1", opened, ""), retry, updated}
			for _, d := range ds {
				_, err := n.Deliver(t.Context(), d)
				if err == nil {
					t.Fatalf("%s: no error", d.Event.Kind)
				}
				assertNoSecret(t, err, testToken)
			}
			assertNoSecret(t, n.Check(t.Context()), testToken)
			if strings.Contains(logs.String(), testToken) || strings.Contains(logs.String(), "SeCrEt") {
				t.Errorf("the token is in the log:\n%s", logs)
			}
		})
	}

	// Nor does a root edit's error when the answer carries the token.
	fs := fakeslack.New()
	defer fs.Close()
	fs.AddChannel("C1")
	logs := &logBuffer{}
	n := New(Options{Token: testToken, APIURL: fs.URL(), HTTPClient: fs.Client(),
		Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	root, err := n.Deliver(t.Context(), delivery(1, "C1", event(outage.Opened, outage.Incident, 0), ""))
	if err != nil {
		t.Fatal(err)
	}
	fs.Inject("chat.update", 1, fakeslack.Fault{Error: "bad " + testToken})
	up := delivery(2, "C1", event(outage.Updated, outage.Incident, time.Minute), root)
	err = n.EditRoot(t.Context(), notifier.RootEdit{Destination: up.Destination, Root: root, Event: up.Event})
	if err == nil {
		t.Fatal("edit: no error")
	}
	assertNoSecret(t, err, testToken)
	if strings.Contains(logs.String(), testToken) {
		t.Errorf("the token is in the log:\n%s", logs)
	}
}

// assertNoSecret checks err and everything it wraps.
func assertNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		for _, s := range secrets {
			if strings.Contains(err.Error(), s) || strings.Contains(fmt.Sprintf("%+v", err), s) {
				t.Errorf("secret %q in error (%T): %v", s, err, err)
			}
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
}

// An outage that joined another's thread replies there, opened event
// included, and never edits the root, which belongs to the other outage.
func TestJoinedOutageRepliesWithoutEditingTheRoot(t *testing.T) {
	e := newEnv(t, Options{})
	evs := lifecycle()
	root, err := e.deliver(t, delivery(1, "C1", evs[0], ""))
	if err != nil {
		t.Fatal(err)
	}
	for i, kind := range []outage.Kind{outage.Opened, outage.Updated, outage.Resolved} {
		ev := linked(kind, "o-1")
		if kind == outage.Resolved {
			ev.ResolvedAt = ev.At
		}
		d := delivery(int64(i+2), "C1", ev, root)
		d.Joined = true
		if _, err := e.deliver(t, d); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
	}
	msgs := e.fs.Messages("C1")
	if len(msgs) != 1 || len(msgs[0].Replies) != 3 {
		t.Fatalf("want the one root with 3 replies, got %+v", msgs)
	}
	if len(msgs[0].Edits) != 0 || !strings.Contains(msgs[0].Text, "OpenAI") {
		t.Errorf("the joined outage edited the root: %d edits, %q", len(msgs[0].Edits), msgs[0].Text)
	}
	if first := msgs[0].Replies[0]; !strings.Contains(first.Text, "Support chatbot: Support chatbot is down") || !strings.Contains(string(first.Blocks), "Likely caused by OpenAI") {
		t.Errorf("the joined outage's first reply does not say what it is: %s %s", first.Text, first.Blocks)
	}
}
