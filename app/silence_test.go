package app_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/internal/fakeslack"
)

// A target inside a configured [[silence]] window is watched and shown as
// silenced, and its outage is not posted; the other target is not covered.
func TestConfiguredSilence(t *testing.T) {
	v := &vendorPage{}
	srv := httptest.NewServer(v)
	defer srv.Close()
	slackAPI := fakeslack.New()
	defer slackAPI.Close()
	slackAPI.AddChannel("C00000000A1")
	now := time.Now().UTC()
	text := fmt.Sprintf(`
[bot]
state = %q
listen = ""
[slack]
bot_token = "xoxb-test"
api_url = %q
[[channel]]
name = "ops"
slack = "C00000000A1"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
group = "ai"
[[silence]]
start = %q
end = %q
targets = ["ai"]
reason = "vendor migration"
`, filepath.Join(t.TempDir(), "state.db"), slackAPI.URL(), srv.URL,
		now.Add(-time.Hour).Format(time.RFC3339), now.Add(24*time.Hour).Format(time.RFC3339))
	cfg, err := config.Parse("test.toml", []byte(text), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, app.Options{Dispatch: fastRetries})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	for phase := range phases[:3] { // operational, investigating, identified
		v.phase.Store(int32(phase))
		a.Runner().Poll(ctx, a.Runner().Jobs()[0])
		a.Drain(ctx)
	}
	if msgs := slackAPI.Messages("C00000000A1"); len(msgs) != 0 {
		t.Errorf("posted %d messages during the silence: %+v", len(msgs), msgs)
	}
	outs, err := a.Store().Outages(ctx, time.Time{}, "OpenAI")
	if err != nil || len(outs) != 1 {
		t.Errorf("the outage must still be tracked: %v, %v", outs, err)
	}
	status := a.Commands().Run(ctx, bot.Request{Text: "status"}).Text()
	if !strings.Contains(status, "(silenced until ") || !strings.Contains(status, ": vendor migration)") {
		t.Errorf("status does not show the silence:\n%s", status)
	}
}
