package slack

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/internal/fakeslack"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
)

func TestWebhookPostsOneMessagePerEvent(t *testing.T) {
	fs := fakeslack.New()
	defer fs.Close()
	hook := fs.AddWebhook("C9")
	w := NewWebhook(hook, fs.Client(), nil)
	for i, ev := range lifecycle() {
		ref, err := w.Deliver(t.Context(), delivery(int64(i+1), "", ev, "ignored"))
		if err != nil {
			t.Fatalf("%s: %v", ev.Kind, err)
		}
		if ref != "" {
			t.Errorf("%s: ref %q, want none", ev.Kind, ref)
		}
	}
	msgs := fs.Messages("C9")
	if len(msgs) != 4 {
		t.Fatalf("%d messages, want 4", len(msgs))
	}
	for i, m := range msgs {
		want := RenderRoot(en, lifecycle()[i])
		if m.Text != want.Text || len(m.Replies) != 0 || !strings.Contains(string(m.Attachments), want.Attachments[0].Color) {
			t.Errorf("message %d: %q %s, want %q", i, m.Text, m.Attachments, want.Text)
		}
	}
	if !strings.Contains(msgs[3].Text, "Resolved, lasted 1h 12m") {
		t.Errorf("restoration %q", msgs[3].Text)
	}
	if p := fs.Calls("webhook")[0].Params; p.Get("unfurl_links") != "false" || p.Get("blocks") == "" {
		t.Errorf("webhook params %v", p)
	}
}

func TestWebhookErrors(t *testing.T) {
	fs := fakeslack.New()
	defer fs.Close()
	hook := fs.AddWebhook("C9")
	logs := &logBuffer{}
	w := NewWebhook(hook, fs.Client(), slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	d := delivery(1, "", event(outage.Opened, outage.Incident, 0), "")
	secrets := []string{hook, mustPath(t, hook), "s3cr3t"}

	fs.FailNext("webhook", 1)
	_, err := w.Deliver(t.Context(), d)
	if err == nil || notifier.IsPermanent(err) {
		t.Errorf("500: %v", err)
	}
	assertNoSecret(t, err, secrets...)

	fs.RateLimitNext("webhook", 1, 3*time.Second)
	_, err = w.Deliver(t.Context(), d)
	if after, ok := notifier.RetryAfter(err); !ok || after != 3*time.Second {
		t.Errorf("429: %v", err)
	}

	fs.DropNext("webhook", 1)
	_, err = w.Deliver(t.Context(), d)
	if err == nil || notifier.IsPermanent(err) {
		t.Errorf("dropped connection: %v", err)
	}
	assertNoSecret(t, err, secrets...)

	fs.HangNext("webhook", 1, 10*time.Second)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	_, err = w.Deliver(ctx, d)
	cancel()
	if err == nil || notifier.IsPermanent(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hang: %v", err)
	}
	// The deadline can pass before the request reaches the fake, leaving
	// the hang armed for the next call.
	fs.ClearFaults()
	assertNoSecret(t, err, secrets...)

	fs.SetChannelError("C9", "is_archived")
	_, err = w.Deliver(t.Context(), d)
	var p *notifier.PermanentError
	if !errors.As(err, &p) || !strings.Contains(p.Fix, "archived") {
		t.Errorf("archived: %v", err)
	}
	assertNoSecret(t, err, secrets...)
	fs.SetChannelError("C9", "")

	gone := NewWebhook(hook+"x", fs.Client(), nil)
	_, err = gone.Deliver(t.Context(), d)
	if !errors.As(err, &p) || !strings.Contains(p.Fix, "webhook_url") {
		t.Errorf("unknown webhook: %v", err)
	}
	assertNoSecret(t, err, append(secrets, hook+"x")...)

	// Connection refused: the transport's error names the URL.
	fs.Close()
	_, err = w.Deliver(t.Context(), d)
	if err == nil || notifier.IsPermanent(err) {
		t.Errorf("closed server: %v", err)
	}
	assertNoSecret(t, err, secrets...)

	if _, err := NewWebhook("", nil, nil).Deliver(t.Context(), d); !notifier.IsPermanent(err) {
		t.Errorf("no URL: %v", err)
	}
	for _, s := range secrets {
		if strings.Contains(logs.String(), s) {
			t.Errorf("webhook secret in the log:\n%s", logs)
		}
	}
}

func mustPath(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

var _ = http.StatusOK
