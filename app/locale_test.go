package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/app"
)

// One outage, four Slack channels in one run: each writes in its own
// language. A channel's locale picks the language of the built-in Block
// Kit rendering (no templates involved); a webhook follows its channel's
// locale too; a channel with a template writes its default words in its
// language.
func TestSlackChannelsSpeakTheirLocale(t *testing.T) {
	v, feed := newVendor(t, 0)
	slackAPI := newSlack(t, "C0123456781", "C0123456782", "C0123456783")
	hook := slackAPI.AddWebhook("C0123456784")

	text := fmt.Sprintf(`
[bot]
state = %q
listen = ""
[slack]
bot_token = "xoxb-test-token"
api_url = %q
[[channel]]
name = "ops"
slack = "C0123456781"
[[channel]]
name = "ops-de"
slack = "C0123456782"
locale = "de"
[[channel]]
name = "hook-de"
webhook_url = %q
locale = "de"
[[channel]]
name = "noc-de"
slack = "C0123456783"
locale = "de"
title_template = "NOC {{.Target}}"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
`, filepath.Join(t.TempDir(), "state.db"), slackAPI.URL(), hook, feed)
	cfg := parseConfig(t, text)
	a := newApp(t, cfg, app.Options{Dispatch: fastRetries})
	ctx := context.Background()
	for phase := range phases {
		v.phase.Store(int32(phase))
		a.Runner().Poll(ctx, a.Runner().Jobs()[0])
		a.Drain(ctx)
	}
	for _, ch := range []string{"C0123456781", "C0123456782", "C0123456783"} {
		if msgs := slackAPI.Messages(ch); len(msgs) != 1 || len(msgs[0].Replies) != 2 {
			t.Fatalf("%s: %+v, want one thread with an update and the restoration", ch, msgs)
		}
	}
	if n := len(slackAPI.Messages("C0123456784")); n != 3 {
		t.Fatalf("the webhook got %d messages, want 3", n)
	}

	restoration := func(ch string) string { return slackAPI.Messages(ch)[0].Replies[1].Text }
	everything := func(ch string) string {
		var b strings.Builder
		for _, m := range slackAPI.Messages(ch) {
			b.WriteString(m.Text + string(m.Blocks) + string(m.Attachments))
			for _, r := range m.Replies {
				b.WriteString(r.Text + string(r.Blocks))
			}
		}
		return b.String()
	}
	if got := restoration("C0123456781"); !strings.Contains(got, "Restored after 1h 12m") {
		t.Errorf("English channel's restoration: %q", got)
	}
	if got := restoration("C0123456782"); !strings.Contains(got, "Wiederhergestellt nach 1 Std. 12 Min.") {
		t.Errorf("German channel's restoration: %q", got)
	}
	if got := restoration("C0123456783"); !strings.Contains(got, "Wiederhergestellt nach 1 Std. 12 Min.") {
		t.Errorf("templated German channel's restoration: %q", got)
	}
	// The German channel keeps the built-in layout: a header, the side bar
	// with its component list, the Report button.
	german := slackAPI.Messages("C0123456782")[0]
	for _, want := range []string{`"type":"header"`, "Komponenten:", "Bericht", "Behoben, Dauer 1 Std. 12 Min."} {
		if !strings.Contains(everything("C0123456782"), want) {
			t.Errorf("German root lacks %q: %s %s", want, german.Blocks, german.Attachments)
		}
	}
	for _, english := range []string{"Restored after", "Components:", "Acknowledge", "lasted"} {
		if strings.Contains(everything("C0123456782"), english) || strings.Contains(everything("C0123456784"), english) {
			t.Errorf("a German channel says %q", english)
		}
	}
	for _, german := range []string{"Wiederhergestellt", "Komponenten", "Bestätigen", "Dauer"} {
		if strings.Contains(everything("C0123456781"), german) {
			t.Errorf("the English channel says %q", german)
		}
	}
	if got := everything("C0123456784"); !strings.Contains(got, "Behoben, Dauer 1 Std. 12 Min.") || !strings.Contains(got, "Status-Seite") {
		t.Errorf("German webhook's messages: %s", got)
	}
}

// Without a chat the console writes in [bot] locale.
func TestConsoleSpeaksTheBotLocale(t *testing.T) {
	v, feed := newVendor(t, 0)
	text := fmt.Sprintf(`
[bot]
state = %q
listen = ""
locale = "de"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
`, filepath.Join(t.TempDir(), "state.db"), feed)
	cfg := parseConfig(t, text)
	out := &syncBuffer{}
	a := newApp(t, cfg, app.Options{Stdout: out, Dispatch: fastRetries})
	ctx := context.Background()
	for phase := range phases {
		v.phase.Store(int32(phase))
		a.Runner().Poll(ctx, a.Runner().Jobs()[0])
		a.Drain(ctx)
	}
	lines := out.Lines()
	if len(lines) != 3 || !strings.Contains(lines[0], "  NEU ") || !strings.Contains(lines[1], "  UPDATE ") ||
		!strings.Contains(lines[2], "  BEHOBEN    nach 1 Std. 12 Min.") {
		t.Errorf("console:\n%s", strings.Join(lines, "\n"))
	}
}
