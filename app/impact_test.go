package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/internal/fakeslack"
)

// fixturePage serves one Statuspage page from testdata/chatgpt, in the
// state the test sets.
type fixturePage struct {
	name  string
	state atomic.Value // string
}

func (p *fixturePage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	file := p.name + "-incidents.json"
	if r.URL.Path == "/api/v2/summary.json" {
		file = p.name + "-" + p.state.Load().(string) + ".json"
	}
	data, err := os.ReadFile(filepath.Join("testdata", "chatgpt", file))
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(recent(data))
}

// A ChatGPT-like outage, end to end through the fake Slack and Discord:
// our support chatbot's probe fails while OpenAI's page is quiet
// (unconfirmed); OpenAI admits an incident, which joins the chatbot's
// thread (confirmed, with the lag); the fallback, Anthropic, degrades; the
// vendor updates and resolves; the chatbot recovers; the report tells it
// all. One thread per channel, every message once.
func TestChatGPTLikeOutageEndToEnd(t *testing.T) {
	const (
		slackChannel   = "C0123456789"
		discordChannel = "112233445566778899"
		secret         = "8f742231b10e8888abcd99yyyzzz85a5"
	)
	openai, openaiURL := newVendor(t, 0)
	anthropic := &fixturePage{name: "anthropic"}
	anthropic.state.Store("operational")
	anthropicSrv := httptest.NewServer(anthropic)
	t.Cleanup(anthropicSrv.Close)
	var chatbotDown atomic.Bool
	chatbot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if chatbotDown.Load() {
			http.Error(w, "upstream model API failed", http.StatusBadGateway)
			return
		}
		fmt.Fprintln(w, "ok")
	}))
	t.Cleanup(chatbot.Close)
	slackAPI := newSlack(t, slackChannel)
	discordAPI := newDiscord(t, discordChannel)

	cfg := parseConfig(t, fmt.Sprintf(`
[bot]
state = %q
listen = "127.0.0.1:0"
report_on_resolve = true
[slack]
bot_token = "xoxb-test"
signing_secret = %q
api_url = %q
[discord]
bot_token = "discord-test"
api_url = %q
[[channel]]
name = "ops"
slack = %q
discord = %q
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
[[target]]
name = "Anthropic"
type = "statuspage"
url = %q
interval = "1s"
[[target]]
name = "Support chatbot"
type = "http"
url = %q
interval = "1s"
timeout = "1s"
failure_threshold = 2
success_threshold = 1
depends_on = [{ target = "OpenAI", components = ["Chat Completions"] }]
alternatives = ["Anthropic"]
`, filepath.Join(t.TempDir(), "state.db"), secret, slackAPI.URL(), discordAPI.URL(), slackChannel, discordChannel,
		openaiURL, anthropicSrv.URL, chatbot.URL))
	a := start(t, cfg).app
	waitPolls(t, openai, 1)
	waitFor(t, "every target polled", func() bool {
		for _, s := range a.Runner().Snapshots() {
			if s.CheckedAt.IsZero() {
				return false
			}
		}
		return true
	})

	// thread is the Slack channel as text: the roots, each with its
	// replies.
	slackText := func(m fakeslack.Message) string { return m.Text + string(m.Blocks) + string(m.Attachments) }
	roots := func() []fakeslack.Message { return slackAPI.Messages(slackChannel) }
	replyWith := func(words string) func() bool {
		return func() bool {
			for _, r := range roots() {
				for _, rep := range r.Replies {
					if strings.Contains(slackText(rep), words) {
						return true
					}
				}
			}
			return false
		}
	}

	chatbotDown.Store(true)
	waitFor(t, "the chatbot's outage, unconfirmed", func() bool {
		rs := roots()
		return len(rs) == 1 && strings.Contains(slackText(rs[0]), "Unconfirmed: OpenAI reports no incident") &&
			strings.Contains(slackText(rs[0]), "Fallback: Anthropic is operational")
	})

	openai.phase.Store(1) // investigating
	waitFor(t, "OpenAI's incident in the chatbot's thread", replyWith("Elevated error rates on Chat Completions"))
	waitFor(t, "the confirmation", replyWith("Confirmed: OpenAI now reports"))

	anthropic.state.Store("degraded")
	waitFor(t, "the fallback's change", replyWith("Fallback now: Anthropic is degraded"))
	waitFor(t, "the root edited to the fallback's state", func() bool {
		return strings.Contains(slackText(roots()[0]), "Fallback: Anthropic is degraded")
	})

	openai.phase.Store(2) // identified
	waitFor(t, "the vendor's update", replyWith("We have identified the cause"))
	openai.phase.Store(3) // resolved
	waitFor(t, "the vendor's restoration", replyWith("This incident has been resolved"))
	chatbotDown.Store(false)
	waitFor(t, "the chatbot's restoration", replyWith("Support chatbot: Restored after"))
	waitFor(t, "the report in the thread", replyWith("Report: Elevated error rates on Chat Completions"))
	waitPolls(t, openai, 2)

	// Slack: one thread for the chatbot and OpenAI, each message once;
	// Anthropic's own degradation is an outage of its own.
	rs := roots()
	if len(rs) != 2 || !strings.Contains(rs[0].Text, "Support chatbot") || !strings.Contains(rs[1].Text, "Anthropic") {
		dumpSlack(t, rs)
		t.Fatalf("%d top-level Slack messages, want the chatbot's and Anthropic's", len(rs))
	}
	seen := map[string]int{}
	var got []string
	for _, rep := range rs[0].Replies {
		seen[rep.Text]++
		if seen[rep.Text] > 1 {
			t.Errorf("posted twice: %q", rep.Text)
		}
		got = append(got, firstLine(rep.Text))
	}
	want := []string{
		":large_yellow_circle: OpenAI: Elevated error rates on Chat Completions · Degraded performance · Investigating",
		":red_circle: Support chatbot: Major outage",
		":red_circle: Support chatbot: Major outage",
		// OpenAI's outage is in the chatbot's thread: its replies say whose.
		":large_orange_circle: OpenAI: Elevated error rates on Chat Completions · Partial outage · Identified",
		":large_green_circle: OpenAI: Elevated error rates on Chat Completions · Restored after 1h 12m",
		":large_green_circle: Support chatbot: Restored after",
		"Report: Elevated error rates on Chat Completions",
	}
	if len(got) != len(want) {
		t.Errorf("replies:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	} else {
		for i := range want {
			if !strings.Contains(got[i], want[i]) {
				t.Errorf("reply %d = %q, want %q", i+1, got[i], want[i])
			}
		}
	}
	if root := slackText(rs[0]); !strings.Contains(root, "Resolved, lasted") || !strings.Contains(root, "Confirmed by OpenAI") {
		t.Errorf("the root was not kept current: %s", root)
	}

	// Discord: the same thread, everything replying to its root.
	msgs := discordAPI.Messages(discordChannel)
	var thread []fakediscord.Message
	for _, m := range msgs[1:] {
		if m.Reference != nil && m.Reference.MessageID == msgs[0].ID {
			thread = append(thread, m)
		}
	}
	if len(msgs) != len(want)+2 || len(thread) != len(want) {
		t.Errorf("%d Discord messages, %d in the thread; want %d and %d", len(msgs), len(thread), len(want)+2, len(want))
	}
	if root, _ := json.Marshal(msgs[0].Embeds); !strings.Contains(string(root), "Confirmed by OpenAI") {
		t.Errorf("Discord root: %s", root)
	}

	// The report, asked for in Slack.
	slash := func(text string) string {
		code, body := slashCommand(t, a.Addr(), secret, slackChannel, text)
		if code != 200 {
			t.Fatalf("/status %s: %d %s", text, code, body)
		}
		return body
	}
	incidents := slash("incidents")
	id := regexp.MustCompile("Support chatbot\\*: .*?`([0-9a-f]{8})`").FindStringSubmatch(incidents)
	if id == nil {
		t.Fatalf("no outage id in: %s", incidents)
	}
	rep := slash("report " + id[1])
	for _, want := range []string{"First detected", "by Support chatbot", "Vendor acknowledged", "after we detected it", "Our services affected", "Support chatbot (failed", "confirmed", "Chat Completions", "Fallback now: Anthropic is degraded"} {
		if !strings.Contains(rep, want) {
			t.Errorf("report lacks %q:\n%s", want, rep)
		}
	}
	if md := slash("report " + id[1] + " markdown"); !strings.Contains(md, "| Time (UTC) | Source | What happened |") {
		t.Errorf("markdown export: %s", md)
	}
}

func dumpSlack(t *testing.T, ms []fakeslack.Message) {
	for _, m := range ms {
		t.Logf("ROOT %s", m.Text)
		for _, r := range m.Replies {
			t.Logf("   REPLY %s", r.Text)
		}
	}
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
