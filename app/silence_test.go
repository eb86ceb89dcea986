package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/bot"
)

// A target inside a configured [[silence]] window is watched and shown as
// silenced, and its outage is not posted.
func TestConfiguredSilence(t *testing.T) {
	now := time.Now().UTC()
	a, slackAPI, v := slackApp(t, `
[[channel]]
name = "ops"
slack = "C00000000A1"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %[1]q
group = "ai"
[[silence]]
targets = ["ai"]
reason = "vendor migration"
`+fmt.Sprintf("start = %q\nend = %q\n", now.Add(-time.Hour).Format(time.RFC3339), now.Add(24*time.Hour).Format(time.RFC3339)), "C00000000A1")
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

// A channel with locale = "de" gets its outage thread in German, in the
// built-in layout, through the whole pipeline.
func TestChannelLocale(t *testing.T) {
	a, slackAPI, v := slackApp(t, `
[[channel]]
name = "ops"
slack = "C00000000A1"
locale = "de"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %[1]q
`, "C00000000A1")
	ctx := context.Background()
	for phase := range phases {
		v.phase.Store(int32(phase))
		a.Runner().Poll(ctx, a.Runner().Jobs()[0])
		a.Drain(ctx)
	}
	msgs := slackAPI.Messages("C00000000A1")
	if len(msgs) != 1 || len(msgs[0].Replies) == 0 {
		t.Fatalf("%d messages, want one thread: %+v", len(msgs), msgs)
	}
	root, last := msgs[0], msgs[0].Replies[len(msgs[0].Replies)-1]
	if !strings.Contains(root.Text, "OpenAI: ") || !strings.Contains(string(root.Attachments), "Behoben, Dauer 1 Std. 12 Min.") {
		t.Errorf("root, edited to the restoration: %s %s", root.Text, root.Attachments)
	}
	if !strings.HasPrefix(last.Text, ":large_green_circle: OpenAI") || !strings.Contains(string(last.Blocks), "Wiederhergestellt nach 1 Std. 12 Min.") {
		t.Errorf("restoration reply: %s %s", last.Text, last.Blocks)
	}
}
