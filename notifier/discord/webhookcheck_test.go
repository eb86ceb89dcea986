package discord

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/notifier"
)

// CheckHook asks Discord about the webhook (GET, never a post): a live one
// is reachable with its name and channel, a deleted one or a wrong token
// unreachable with the fix, and Discord failing is an error to retry.
func TestWebhookCheckHook(t *testing.T) {
	fake := fakediscord.New()
	defer fake.Close()
	live := fake.AddWebhook(testChannel)
	deleted := fake.AddWebhook(testChannel)
	fake.DeleteWebhook(strings.Split(strings.TrimPrefix(deleted, fake.URL()+"/api/webhooks/"), "/")[0])
	badToken := live[:strings.LastIndex(live, "/")+1] + "notTheToken"

	tests := []struct {
		name, url string
		state     notifier.ChannelState
		detail    string
	}{
		{"live", live, notifier.ChannelReachable, `Discord webhook "Captain Hook" posting to channel ` + testChannel},
		{"live, in a thread", live + "?thread_id=1300000000000000001", notifier.ChannelReachable, "in thread 1300000000000000001"},
		{"deleted", deleted, notifier.ChannelUnreachable, "the webhook was deleted"},
		{"wrong token", badToken, notifier.ChannelUnreachable, "its token part is wrong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := NewWebhook(tt.url, nil, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			res, err := w.CheckHook(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if res.State != tt.state || !strings.Contains(res.Detail, tt.detail) {
				t.Errorf("got %+v, want %s with %q", res, tt.state, tt.detail)
			}
			assertNoSecret(t, "detail", res.Detail, tt.url, webhookToken(live))
		})
	}
	if calls := fake.Calls(fakediscord.RouteExecuteWebhook); len(calls) != 0 {
		t.Errorf("the check executed the webhook %d times", len(calls))
	}

	fake.FailNext(fakediscord.RouteGetWebhook, 1)
	w, _ := NewWebhook(live, nil, nil)
	if res, err := w.CheckHook(t.Context()); err == nil {
		t.Errorf("a 500 from Discord gave %+v and no error", res)
	} else {
		assertNoSecret(t, "error", err.Error(), live, webhookToken(live))
	}
}
