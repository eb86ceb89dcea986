package slack

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/internal/fakeslack"
	"github.com/outagebot/outagebot/notifier"
)

// CheckHook tells a live webhook from a removed or archived one without
// posting anything, and says that it could not tell when Slack did not
// answer.
func TestWebhookCheckHook(t *testing.T) {
	fs := fakeslack.New()
	defer fs.Close()
	live := fs.AddWebhook("C1")
	removed := fs.AddWebhook("C2")
	fs.RemoveWebhook(removed)
	archived := fs.AddWebhook("C3")
	fs.SetChannelError("C3", "is_archived")
	notSlack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer notSlack.Close()

	tests := []struct {
		name, url string
		state     notifier.ChannelState
		detail    string
	}{
		{"live", live, notifier.ChannelReachable, "answered no_text to an empty message; nothing was posted"},
		{"removed", removed, notifier.ChannelUnreachable, "HTTP 404 no_service: the webhook no longer exists"},
		{"archived", archived, notifier.ChannelUnreachable, "HTTP 410 channel_is_archived: the webhook's channel is archived"},
		{"not Slack", notSlack.URL + "/services/T1/B1/secret", notifier.ChannelUnchecked, "as Slack never does"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := NewWebhook(tt.url, fs.Client(), nil).CheckHook(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if res.State != tt.state || !strings.Contains(res.Detail, tt.detail) {
				t.Errorf("got %+v, want %s with %q", res, tt.state, tt.detail)
			}
			if strings.Contains(res.Detail, "s3cr3t") || strings.Contains(res.Detail, "secret") {
				t.Errorf("the detail shows the secret: %q", res.Detail)
			}
		})
	}
	for _, ch := range []string{"C1", "C2", "C3"} {
		if n := len(fs.Messages(ch)); n != 0 {
			t.Errorf("%s: the check posted %d messages", ch, n)
		}
	}

	// Slack failing is not an answer about the webhook.
	fs.FailNext("webhook", 1)
	if res, err := NewWebhook(live, fs.Client(), nil).CheckHook(t.Context()); err == nil {
		t.Errorf("a 500 from Slack gave %+v and no error", res)
	} else if strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("the error shows the secret: %v", err)
	}
}
