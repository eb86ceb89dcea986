package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/uptime"
)

// now is the tests' clock: far from the wall clock on purpose, so a check
// against time.Now instead of the injected clock fails.
var now = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

const secret = "8f742231b10e8888abcd99yyyzzz85a5"

type fakeView struct {
	snaps []bot.Snapshot
	open  []outage.Outage
}

func (v fakeView) Snapshots() []bot.Snapshot    { return v.snaps }
func (v fakeView) OpenOutages() []outage.Outage { return v.open }

// fakeHistory is the outage history of targets seen a month before now.
type fakeHistory struct {
	outs []outage.Outage
	seen []string
}

func (h fakeHistory) Outages(_ context.Context, since time.Time, target string) ([]outage.Outage, error) {
	var out []outage.Outage
	for _, o := range h.outs {
		if (o.Open() || !o.ResolvedAt.Before(since)) && (target == "" || o.Target == target) {
			out = append(out, o)
		}
	}
	return out, nil
}

// TargetHistories says the fixture's targets were seen a month before now.
func (h fakeHistory) TargetHistories(context.Context) (map[string]store.TargetHistory, error) {
	out := map[string]store.TargetHistory{}
	for _, t := range h.seen {
		out[t] = store.TargetHistory{FirstSeen: now.Add(-30 * 24 * time.Hour)}
	}
	return out, nil
}

func (fakeHistory) Gaps(context.Context, string, time.Time) (map[string][]uptime.Gap, error) {
	return nil, nil
}

// memMutes keeps mutes in memory.
type memMutes struct {
	mu sync.Mutex
	m  map[string]bot.Mute
}

func (m *memMutes) Mute(_ context.Context, mu bot.Mute) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]bot.Mute{}
	}
	m.m[mu.Target] = mu
	return nil
}

func (m *memMutes) Unmute(_ context.Context, target string, _ time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.m[target]
	delete(m.m, target)
	return ok, nil
}

func (m *memMutes) Muted(target string, at time.Time) (bot.Mute, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mu, ok := m.m[target]
	if !ok || !at.Before(mu.Until) {
		return bot.Mute{}, false
	}
	return mu, true
}

// newCommands is real command logic over four targets, one of them in an
// outage.
func newCommands() *bot.Commands {
	openAI := outage.Outage{ID: "o2", Target: "OpenAI", Class: outage.Incident, Title: "Elevated errors on API", Severity: sources.PartialOutage,
		OpenedAt: now.Add(-12 * time.Minute), URL: "https://status.openai.com/incidents/x"}
	return &bot.Commands{
		Now:   func() time.Time { return now },
		Mutes: &memMutes{},
		View: fakeView{
			snaps: []bot.Snapshot{
				{Name: "OpenAI", Status: sources.PartialOutage, Reachable: true, CheckedAt: now.Add(-time.Minute),
					Components: []bot.ComponentSnapshot{{Name: "API", Status: sources.PartialOutage}, {Name: "ChatGPT", Status: sources.Operational}},
					Incidents:  []bot.IncidentSnapshot{{Title: "Elevated errors on API", Status: sources.IncidentInvestigating, StartedAt: now.Add(-12 * time.Minute)}}},
				{Name: "GitHub", Status: sources.Operational, Reachable: true, CheckedAt: now.Add(-time.Minute)},
				{Name: "GitLab", Status: sources.Operational, Reachable: true, CheckedAt: now.Add(-time.Minute)},
				{Name: "Checkout API", Status: sources.Operational, Reachable: true, CheckedAt: now.Add(-time.Minute), Latency: 42 * time.Millisecond},
			},
			open: []outage.Outage{openAI},
		},
		History: fakeHistory{outs: []outage.Outage{
			openAI,
			{ID: "o1", Target: "GitHub", Class: outage.Incident, Title: "Actions delayed", Severity: sources.Degraded,
				OpenedAt: now.Add(-5 * time.Hour), ResolvedAt: now.Add(-5*time.Hour + 72*time.Minute)},
		}, seen: []string{"OpenAI", "GitHub", "GitLab", "Checkout API"}},
	}
}

// recorder is an Answerer that records its calls.
type recorder struct {
	mu     sync.Mutex
	calls  []bot.Request
	answer bot.Answer
}

func (r *recorder) Run(_ context.Context, req bot.Request) bot.Answer {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, req)
	return r.answer
}

func (r *recorder) Calls() []bot.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Request(nil), r.calls...)
}

// form is a slash command's body as Slack sends it.
func form(text string) string {
	return url.Values{
		"token":        {"deprecated-verification-token"},
		"team_id":      {"T0001"},
		"team_domain":  {"example"},
		"channel_id":   {"C2147483705"},
		"channel_name": {"ops"},
		"user_id":      {"U2147483697"},
		"user_name":    {"steve"},
		"command":      {"/outagebot"},
		"text":         {text},
		"api_app_id":   {"A123456"},
		"response_url": {"https://hooks.slack.com/commands/1234/5678"},
		"trigger_id":   {"13345224609.738474920.8088930838d88f008e0"},
	}.Encode()
}

// sign is Slack's v0 signature of body at ts.
func sign(secret string, ts int64, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + strconv.FormatInt(ts, 10) + ":" + body))
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// signed is a slash command request signed at ts.
func signed(body string, ts time.Time) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set(headerTimestamp, strconv.FormatInt(ts.Unix(), 10))
	r.Header.Set(headerSignature, sign(secret, ts.Unix(), body))
	return r
}
