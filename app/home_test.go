package app_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
)

// The Slack App Home tab: published on a signed app_home_opened event,
// re-published when an outage opens; a forged event is refused and the
// url_verification challenge answered.
func TestSlackHomeTab(t *testing.T) {
	const secret = "test-signing-secret"
	v, feed := newVendor(t, 0)
	api := newSlack(t, "C0123456789")
	// U42 is in #ops, which the target posts to; U43 only elsewhere.
	api.SetMemberships("U42", "C0123456789", "C0OTHER001")
	api.SetMemberships("U43", "C0OTHER001")
	cfg := parseConfig(t, fmt.Sprintf(`
[bot]
state = %q
listen = "127.0.0.1:0"
[slack]
bot_token = "xoxb-test"
signing_secret = %q
api_url = %q
[[channel]]
name = "ops"
slack = "C0123456789"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
`, filepath.Join(t.TempDir(), "state.db"), secret, api.URL(), feed))
	a := startWith(t, cfg, app.Options{Dispatch: fastRetries}, func(a *app.App) { a.SetBoards(time.Nanosecond, nil) }).app
	post := func(body string, sign bool) (int, string) {
		t.Helper()
		headers := slackHeaders(secret, time.Now(), "application/json", body)
		if !sign {
			headers["X-Slack-Signature"] = "v0=" + strings.Repeat("0", 64)
		}
		return httpPost(t, "http://"+a.Addr()+"/slack/events", body, headers)
	}
	var publishedTo func(user, want string) func() bool
	waitFor(t, "the leader to start", func() bool { return a.Role() == app.RoleLeader })
	waitPolls(t, v, 1)

	if code, body := post(`{"type":"url_verification","challenge":"abc123"}`, true); code != 200 || body != "abc123" {
		t.Errorf("url_verification: %d %q", code, body)
	}
	opened := `{"type":"event_callback","event":{"type":"app_home_opened","user":"U42","tab":"home"}}`
	if code, _ := post(opened, false); code != http.StatusUnauthorized {
		t.Errorf("forged event: %d, want 401", code)
	}
	if n := len(api.Calls("views.publish")); n != 0 {
		t.Fatalf("a forged event published %d views", n)
	}
	if code, _ := post(opened, true); code != 200 {
		t.Fatalf("app_home_opened: %d", code)
	}
	published := func(want string) func() bool { return publishedTo("U42", want) }
	publishedTo = func(user, want string) func() bool {
		return func() bool {
			for _, c := range api.Calls("views.publish") {
				if c.Params.Get("user_id") == user && strings.Contains(c.Params.Get("view"), want) {
					return true
				}
			}
			return false
		}
	}
	waitFor(t, "the Home tab to be published", published("The only target is operational"))
	// Someone whose channels follow nothing is told so, not shown others'.
	if code, _ := post(strings.Replace(opened, "U42", "U43", 1), true); code != 200 {
		t.Fatalf("app_home_opened: %d", code)
	}
	waitFor(t, "U43's Home tab", publishedTo("U43", "No channel you are in follows a target yet"))
	v.phase.Store(1)
	waitFor(t, "the Home tab to be re-published with the outage", published("1 of 1 targets need attention"))
}
