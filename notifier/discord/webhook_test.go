package discord

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
)

func newWebhookEnv(t *testing.T) (*fakediscord.Server, string, *Webhook, *syncBuffer) {
	t.Helper()
	fake := fakediscord.New()
	t.Cleanup(fake.Close)
	u := fake.AddWebhook(testChannel)
	logs := &syncBuffer{}
	w, err := NewWebhook(u, nil, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { assertNoSecret(t, "logs", logs.String(), u, webhookToken(u)) })
	return fake, u, w, logs
}

func webhookToken(u string) string { return u[strings.LastIndex(u, "/")+1:] }

func TestWebhookLifecycle(t *testing.T) {
	fake, _, w, _ := newWebhookEnv(t)
	evs := lifecycle()
	root := deliver(t, w, delivery(1, evs[0], ""))
	var refs []notifier.RemoteRef
	for i, ev := range evs[1:] {
		refs = append(refs, deliver(t, w, delivery(int64(i+2), ev, root)))
	}
	msgs := fake.Messages(testChannel)
	if len(msgs) != 4 {
		t.Fatalf("channel holds %d messages, want one per event", len(msgs))
	}
	if msgs[0].ID != string(root) || msgs[0].WebhookID == "" {
		t.Errorf("first message %s (webhook %q), Deliver returned %s", msgs[0].ID, msgs[0].WebhookID, root)
	}
	for i, m := range msgs[1:] {
		if m.ID != string(refs[i]) {
			t.Errorf("message %d: %s, Deliver returned %s", i+1, m.ID, refs[i])
		}
	}
	if len(msgs[0].Edits) != 3 {
		t.Fatalf("original edited %d times, want 3", len(msgs[0].Edits))
	}
	final := msgs[0].Embeds[0]
	if final.Color != colourGreen || field(final, "Status") != "Resolved, lasted 1h 12m" {
		t.Errorf("final original: colour %#x, status %q", final.Color, field(final, "Status"))
	}
	if msgs[3].Content != "Restored after 1h 12m" {
		t.Errorf("restoration %q", msgs[3].Content)
	}
	for _, c := range fake.Calls(fakediscord.RouteExecuteWebhook) {
		if c.Query.Get("wait") != "true" {
			t.Errorf("execute without wait=true: %v", c.Query)
		}
		if c.Authorization != "" {
			t.Errorf("webhook call sent an Authorization header")
		}
	}
}

func TestWebhookRootEditFailureStillDelivers(t *testing.T) {
	fake, u, w, _ := newWebhookEnv(t)
	evs := lifecycle()
	root := deliver(t, w, delivery(1, evs[0], ""))
	fake.Inject(fakediscord.RouteEditWebhookMessage, 1, fakediscord.Fault{Status: http.StatusInternalServerError, Message: "boom", Echo: true})
	d := delivery(2, evs[1], root)
	ref, err := w.Deliver(context.Background(), d)
	if err != nil || ref == root || ref == "" {
		t.Fatalf("ref %q (root %q), err %v", ref, root, err)
	}
	err = w.EditRoot(context.Background(), notifier.RootEdit{Destination: d.Destination, Root: root, Event: d.Event})
	if err == nil || notifier.IsPermanent(err) {
		t.Fatalf("edit: err = %v, want retryable", err)
	}
	assertNoSecret(t, "the edit's error", err.Error(), u, webhookToken(u))
	if err := w.EditRoot(context.Background(), notifier.RootEdit{Destination: d.Destination, Root: root, Event: d.Event}); err != nil {
		t.Fatal(err)
	}
	if m, _ := fake.Message(string(root)); len(m.Edits) != 1 {
		t.Errorf("root edits = %d, want 1", len(m.Edits))
	}
}

func TestWebhookSecretsStayOut(t *testing.T) {
	fake, u, w, _ := newWebhookEnv(t)
	tok := webhookToken(u)
	ev := sample(outage.Opened, outage.Incident)

	fake.Inject(fakediscord.RouteExecuteWebhook, 1, fakediscord.Fault{Status: http.StatusInternalServerError, Message: "boom", Echo: true})
	_, err := w.Deliver(context.Background(), delivery(1, ev, ""))
	if err == nil || notifier.IsPermanent(err) {
		t.Fatalf("err = %v, want retryable", err)
	}
	assertNoSecret(t, "the error", err.Error(), u, tok)

	fake.RateLimitNext(fakediscord.RouteExecuteWebhook, 1, 1500*time.Millisecond, false)
	_, err = w.Deliver(context.Background(), delivery(1, ev, ""))
	if _, ok := notifier.RetryAfter(err); !ok {
		t.Fatalf("err = %v, want RetryAfter", err)
	}
	assertNoSecret(t, "the error", err.Error(), u, tok)

	// A wrong token: permanent, with a fix, and without the token.
	bad := strings.TrimSuffix(u, tok) + "wrongTokenAlsoSecret"
	wb, err := NewWebhook(bad, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = wb.Deliver(context.Background(), delivery(1, ev, ""))
	var perm *notifier.PermanentError
	if !errors.As(err, &perm) || !strings.Contains(perm.Fix, "webhook_url") {
		t.Fatalf("err = %v, want a PermanentError about webhook_url", err)
	}
	assertNoSecret(t, "the error", err.Error(), bad, "wrongTokenAlsoSecret")

	// A network failure: url.Error would print the URL.
	fake.Close()
	_, err = w.Deliver(context.Background(), delivery(1, ev, ""))
	if err == nil || notifier.IsPermanent(err) {
		t.Fatalf("err = %v, want retryable", err)
	}
	assertNoSecret(t, "the error", err.Error(), u, tok)
}

func TestNewWebhookRejects(t *testing.T) {
	for _, u := range []string{
		"https://discord.com/api/webhooks/123",
		"https://discord.com/api/channels/123/secretTOKEN",
		"discord.com/api/webhooks/123/secretTOKEN",
		"https://discord.com/api/webhooks/abc/secretTOKEN",
		"https://discord.com/api/webhooks/123/secretTOKEN?thread_id=x",
		"https://disc ord.com/api/webhooks/123/secretTOKEN",
		"https://user:pw@discord.com/api/webhooks/123/secretTOKEN",
	} {
		_, err := NewWebhook(u, nil, nil)
		if err == nil {
			t.Errorf("%q accepted", u)
			continue
		}
		assertNoSecret(t, "the error", err.Error(), "secretTOKEN", u)
	}
	for _, u := range []string{
		"https://discord.com/api/webhooks/123/abc-DEF_ghi",
		"https://discord.com/api/v10/webhooks/123/abc",
		"https://ptb.discord.com/api/webhooks/123/abc?thread_id=456",
	} {
		if _, err := NewWebhook(u, nil, nil); err != nil {
			t.Errorf("%q: %v", u, err)
		}
	}
}
