package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/uptime"
)

// permitFunc is a Permit.
type permitFunc func(p *i18n.Printer) (bool, string, error)

func (f permitFunc) Allows(_ context.Context, p *i18n.Printer) (bool, string, error) { return f(p) }

// fakeAcks holds outages and their first acknowledgement.
type fakeAcks struct {
	outs map[string]outage.Outage
	acks map[string]outage.Ack
	err  error
}

func (f *fakeAcks) Outage(_ context.Context, id string) (outage.Outage, error) {
	o, ok := f.outs[id]
	if !ok {
		return outage.Outage{}, errors.New("no such outage")
	}
	return o, nil
}

func (f *fakeAcks) Acknowledge(_ context.Context, id string, a outage.Ack) (outage.Ack, bool, error) {
	if f.err != nil {
		return outage.Ack{}, false, f.err
	}
	if got, ok := f.acks[id]; ok {
		return got, false, nil
	}
	f.acks[id] = a
	return a, true, nil
}

// fakeDir knows a target, a group and a catalog vendor nobody configured.
type fakeDir struct{}

func (fakeDir) Find(name string) (Followed, []string, bool) {
	switch strings.ToLower(name) {
	case "github":
		return Followed{Kind: store.SubTarget, Name: "GitHub", Display: "GitHub"}, nil, true
	case "payments":
		return Followed{Kind: store.SubGroup, Name: "payments", Display: "payments"}, nil, true
	case "atlassian":
		return Followed{Kind: store.SubVendor, Name: "atlassian", Display: "Atlassian", Runtime: true, Interval: 5 * time.Minute}, nil, true
	}
	return Followed{}, Suggest(name, fakeDir{}.Names()), false
}

func (fakeDir) Names() []string { return []string{"GitHub", "payments", "atlassian"} }

// answersFixture is newCommands with everything a command may use: a
// store for subscriptions, buttons, a digest and a report builder.
func answersFixture(t *testing.T) (*Commands, *store.Store) {
	t.Helper()
	c := newCommands(t)
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "subs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	now := c.now()
	c.Subs = &Subscriptions{
		Store: s, Dir: fakeDir{},
		Configured: func(platform, channel string) []Delivery {
			if channel != "C0CONF" {
				return nil
			}
			return []Delivery{{Target: "OpenAI", Channel: "ops"}, {Target: "GitHub", MinSeverity: "major_outage", Channel: "ops"}}
		},
		Serves: func(platform string) bool { return platform == "slack" },
	}
	c.Acks = &fakeAcks{
		outs: map[string]outage.Outage{
			"o2": {ID: "o2", Target: "OpenAI", Class: outage.Incident, Title: "Elevated errors on API", OpenedAt: now.Add(-12 * time.Minute)},
			"o1": {ID: "o1", Target: "GitHub", Class: outage.Incident, Title: "Actions delayed", OpenedAt: now.Add(-5 * time.Hour), ResolvedAt: now.Add(-4 * time.Hour)},
			"o3": {ID: "o3", Target: "GitLab", Class: outage.Incident, Title: "Slow pipelines", OpenedAt: now.Add(-time.Hour)},
		},
		acks: map[string]outage.Ack{"o3": {UserID: "U7", Name: "carol", Platform: "slack", At: now.Add(-30 * time.Minute)}},
	}
	c.Digest = func(ctx context.Context, w time.Duration) (Answer, error) {
		if w > 30*24*time.Hour {
			return Answer{}, errors.New("too far back")
		}
		return Answer{Title: fmt.Sprintf("digest of %s, asked in %q", FormatWindow(w), LangFrom(ctx))}, nil
	}
	c.Report = func(ctx context.Context, id string, markdown bool) (Answer, error) {
		if id != "o1" {
			return Answer{}, errors.New("no outage " + id)
		}
		return Answer{Title: fmt.Sprintf("report of %s (markdown %v), asked in %q", id, markdown, LangFrom(ctx))}, nil
	}
	return c, s
}

// answerCase is one request and what is set up before it.
type answerCase struct {
	name string
	// text is the command; button, when set, is a click instead.
	text, button string
	platform     string
	channel      string
	permit       Permit
	setup        func(t *testing.T, c *Commands, s *store.Store)
}

func muteGitHub(t *testing.T, c *Commands, _ *store.Store) {
	if err := c.Mutes.Mute(context.Background(), Mute{Target: "GitHub", Until: c.now().Add(2 * time.Hour), By: "<@U1>", Reason: "deploy"}); err != nil {
		t.Fatal(err)
	}
}

func silenceGitHub(t *testing.T, c *Commands, _ *store.Store) {
	until := c.now().Add(time.Hour)
	c.Mutes.(*Mutes).SetWindows(windowFunc(func(target string, at time.Time) (Mute, bool) {
		if target != "GitHub" {
			return Mute{}, false
		}
		return Mute{Target: target, Until: until, By: "configuration", Reason: "weekly maintenance", Scheduled: true}, true
	}))
}

func subscribed(kind, name, min string) func(t *testing.T, c *Commands, s *store.Store) {
	return func(t *testing.T, c *Commands, s *store.Store) {
		_, _, _, err := s.Subscribe(context.Background(), store.Subscription{Platform: "slack", Channel: "C0OPS", Kind: kind, Name: name,
			MinSeverity: min, CreatedBy: "<@U2>", CreatedAt: c.now().Add(-48 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// probeView shows a probe checked from three locations, an unreachable
// page, one never polled and one in maintenance.
func probeView(t *testing.T, c *Commands, _ *store.Store) {
	now := c.now()
	c.View = fakeView{snaps: []Snapshot{
		{Name: "Checkout API", Status: sources.MajorOutage, Reachable: true, CheckedAt: now.Add(-30 * time.Second), Latency: 1500 * time.Millisecond,
			Error: "HTTP 503", Notes: []string{"Confirmed by Stripe: API errors"},
			NotesSaid: []outage.Text{outage.Say("engine.cause.confirmed", outage.Str("Vendor", "Stripe"), outage.Str("Title", "API errors"))},
			Locations: []LocationSnapshot{
				{Name: "eu-west", Status: sources.MajorOutage, Failing: true, Latency: 1200 * time.Millisecond, Error: "HTTP 503"},
				{Name: "us-east", Status: sources.Operational, Latency: 80 * time.Millisecond},
				{Name: "ap-south", Excluded: "no recent result"},
			}},
		{Name: "Stripe", Status: sources.Unknown, Reachable: false, CheckedAt: now.Add(-time.Minute), Error: "connection refused"},
		{Name: "Fastly", Status: sources.Unknown},
		{Name: "Heroku", Status: sources.Maintenance, Reachable: true, CheckedAt: now.Add(-time.Minute),
			Components: []ComponentSnapshot{{Name: "Dynos", Status: sources.Maintenance}},
			Incidents: []IncidentSnapshot{
				{Title: "Dyno restarts", Status: sources.IncidentIdentified, StartedAt: now.Add(-3 * time.Hour)},
				{Title: "Slow builds", Status: sources.IncidentMonitoring, StartedAt: now.Add(-time.Hour)},
			},
			Maintenances: []MaintenanceSnapshot{
				{Title: "Database upgrade", Status: sources.MaintenanceInProgress, Began: now.Add(-20 * time.Minute), End: now.Add(40 * time.Minute), Components: []string{"Postgres"}},
				{Title: "Router swap", Status: sources.MaintenanceCompleted, End: now.Add(-2 * time.Hour)},
			}},
	}}
}

func allGood(t *testing.T, c *Commands, _ *store.Store) {
	now := c.now()
	c.View = fakeView{snaps: []Snapshot{
		{Name: "GitHub", Status: sources.Operational, Reachable: true, CheckedAt: now.Add(-time.Minute),
			Components: []ComponentSnapshot{{Name: "Git", Status: sources.Operational}, {Name: "API", Status: sources.Operational}}},
		{Name: "GitLab", Status: sources.Operational, Reachable: true, CheckedAt: now.Add(-time.Minute)},
	}}
}

func linkedHistory(t *testing.T, c *Commands, _ *store.Store) {
	now := c.now()
	c.History = fakeHistory{outs: []outage.Outage{
		{ID: "0123456789abcdef", Target: "Checkout API", Class: outage.Incident, Title: "Down", Severity: sources.MajorOutage,
			OpenedAt: now.Add(-40 * time.Minute), Link: &outage.Link{Vendor: "Stripe", Confirm: outage.Confirmed}},
		{ID: "o9", Target: "Payments", Class: outage.Incident, Title: "Slow", Severity: sources.Degraded,
			OpenedAt: now.Add(-3 * time.Hour), ResolvedAt: now.Add(-2 * time.Hour), Link: &outage.Link{Vendor: "Stripe", Confirm: outage.Unconfirmed}},
		{ID: "o8", Target: "Search", Class: outage.Incident, Title: "Errors", Severity: sources.PartialOutage,
			OpenedAt: now.Add(-6 * time.Hour), ResolvedAt: now.Add(-5 * time.Hour), Link: &outage.Link{Vendor: "Elastic", Confirm: outage.Withdrawn}},
	}}
}

// measuredHistory has time that is not measured: GitHub's maintenance
// and a gap in the bot's observation, GitLab first seen 6 hours ago, and
// Checkout API never seen at all.
func measuredHistory(t *testing.T, c *Commands, _ *store.Store) {
	now := c.now()
	seen := seenSince(now.Add(-30*24*time.Hour), "OpenAI", "GitHub")
	seen["GitLab"] = store.TargetHistory{FirstSeen: now.Add(-6 * time.Hour)}
	c.History = fakeHistory{outs: []outage.Outage{
		{ID: "o1", Target: "GitHub", Class: outage.Incident, Title: "Actions delayed", Severity: sources.Degraded,
			OpenedAt: now.Add(-5 * time.Hour), ResolvedAt: now.Add(-5*time.Hour + 72*time.Minute)},
		{ID: "m1", Target: "GitHub", Class: outage.MaintenanceWork, Title: "Database upgrade", Severity: sources.Maintenance,
			OpenedAt: now.Add(-10 * time.Hour), ResolvedAt: now.Add(-8 * time.Hour)},
		{ID: "o3", Target: "GitLab", Class: outage.Incident, Title: "Slow pipelines", Severity: sources.Degraded,
			OpenedAt: now.Add(-time.Hour), ResolvedAt: now.Add(-30 * time.Minute)},
	}, seen: seen, gaps: map[string][]uptime.Gap{"GitHub": {{From: now.Add(-20 * time.Hour), To: now.Add(-19 * time.Hour)}}}}
}

var denied = permitFunc(func(*i18n.Printer) (bool, string, error) { return false, "<@U9>", nil })

// answerCases are every answer a command or button gives, each case
// written in every language.
var answerCases = []answerCase{
	{name: "help", text: "help"},
	{name: "status-overview", text: "status"},
	{name: "status-all-operational", text: "status", setup: allGood},
	{name: "status-detail", text: "openai"},
	{name: "status-detail-maintenance", text: "github"},
	{name: "status-detail-latency", text: "status check"},
	{name: "status-detail-all-components", text: "github", setup: allGood},
	{name: "status-probes", text: "status", setup: probeView},
	{name: "status-detail-locations", text: "checkout", setup: probeView},
	{name: "status-detail-unreachable", text: "stripe", setup: probeView},
	{name: "status-detail-not-polled", text: "fastly", setup: probeView},
	{name: "status-detail-in-maintenance", text: "heroku", setup: probeView},
	{name: "status-muted", text: "status", setup: muteGitHub},
	{name: "status-detail-muted", text: "github", setup: muteGitHub},
	{name: "status-silenced", text: "status", setup: silenceGitHub},
	{name: "status-detail-silenced", text: "github", setup: silenceGitHub},
	{name: "unknown-target-suggestion", text: "opnai"},
	{name: "unknown-target", text: "zzzzzzzz"},
	{name: "ambiguous-target", text: "git"},
	{name: "incidents", text: "incidents"},
	{name: "incidents-one", text: "incidents 1h"},
	{name: "incidents-linked", text: "incidents 7d", setup: linkedHistory},
	{name: "incidents-none", text: "incidents 2w", setup: func(t *testing.T, c *Commands, _ *store.Store) { c.History = fakeHistory{} }},
	{name: "incidents-history-down", text: "incidents", setup: func(t *testing.T, c *Commands, _ *store.Store) {
		c.History = fakeHistory{err: errors.New("database is locked")}
	}},
	{name: "bad-window", text: "incidents soon"},
	{name: "window-too-long", text: "incidents 999999999d"},
	{name: "uptime", text: "uptime"},
	{name: "uptime-target", text: "uptime github 7d"},
	{name: "uptime-days", text: "uptime 2d", setup: measuredHistory},
	{name: "uptime-hours", text: "uptime 12h", setup: measuredHistory},
	{name: "uptime-window-too-long", text: "uptime github 999999999d"},
	{name: "uptime-unknown-target", text: "uptime nope"},
	{name: "digest", text: "digest now 7d"},
	{name: "digest-bad-window", text: "digest now soon"},
	{name: "digest-failed", text: "digest now 60d"},
	{name: "digest-unavailable", text: "digest", setup: func(t *testing.T, c *Commands, _ *store.Store) { c.Digest = nil }},
	{name: "report", text: "report o1 markdown"},
	{name: "report-which", text: "report"},
	{name: "report-none", text: "report zz"},
	{name: "report-unavailable", text: "report o1", setup: func(t *testing.T, c *Commands, _ *store.Store) { c.Report = nil }},
	{name: "mute", text: "mute github 2h deploy in progress"},
	{name: "mute-days", text: "mute Checkout API 3d"},
	{name: "mute-usage", text: "mute"},
	{name: "mute-no-duration", text: "mute github forever"},
	{name: "mute-too-long", text: "mute github 30d"},
	{name: "mute-unknown-target", text: "mute gthub 2h"},
	{name: "unmute", text: "unmute github", setup: muteGitHub},
	{name: "unmute-not-muted", text: "unmute github"},
	{name: "unmute-usage", text: "unmute"},
	{name: "unmute-silenced", text: "unmute github", setup: silenceGitHub},
	{name: "refusal", text: "mute github 2h", permit: denied},
	{name: "refusal-admins", text: "unmute github", permit: permitFunc(func(*i18n.Printer) (bool, string, error) { return false, "", nil })},
	{name: "refusal-check-failed", text: "subscribe github", permit: permitFunc(func(*i18n.Printer) (bool, string, error) {
		return false, "", errors.New("usergroups.users.list: ratelimited")
	})},
	{name: "subscribe", text: "subscribe github", platform: "slack"},
	{name: "subscribe-group", text: "subscribe payments major_outage", platform: "slack"},
	{name: "subscribe-runtime", text: "subscribe atlassian", platform: "slack"},
	{name: "subscribe-already", text: "subscribe github", platform: "slack", setup: subscribed(store.SubTarget, "github", "")},
	{name: "subscribe-changed", text: "subscribe github partial_outage", platform: "slack", setup: subscribed(store.SubTarget, "github", "")},
	{name: "subscribe-bad-severity", text: "subscribe github worst", platform: "slack"},
	{name: "subscribe-unknown", text: "subscribe githib", platform: "slack"},
	{name: "subscribe-usage", text: "subscribe", platform: "slack"},
	{name: "subscribe-telegram", text: "subscribe github", platform: "telegram"},
	{name: "subscribe-not-served", text: "subscribe github", platform: "discord"},
	{name: "subscribe-off", text: "subscribe github", platform: "slack", setup: func(t *testing.T, c *Commands, _ *store.Store) { c.Subs.Off = true }},
	{name: "subscribe-unavailable", text: "subscribe github", platform: "slack", setup: func(t *testing.T, c *Commands, _ *store.Store) { c.Subs = nil }},
	{name: "unsubscribe", text: "unsubscribe github", platform: "slack", setup: subscribed(store.SubTarget, "github", "")},
	{name: "unsubscribe-runtime", text: "unsubscribe atlassian", platform: "slack", setup: subscribed(store.SubVendor, "atlassian", "")},
	{name: "unsubscribe-not-following", text: "unsubscribe payments", platform: "slack", setup: subscribed(store.SubTarget, "github", "")},
	{name: "unsubscribe-usage", text: "unsubscribe", platform: "slack"},
	{name: "subscriptions", text: "subscriptions", platform: "slack", channel: "C0CONF", setup: func(t *testing.T, c *Commands, s *store.Store) {
		for _, sub := range []store.Subscription{
			{Kind: store.SubGroup, Name: "payments", MinSeverity: "partial_outage"},
			{Kind: store.SubVendor, Name: "atlassian"},
			{Kind: store.SubTarget, Name: "gone"},
		} {
			sub.Platform, sub.Channel, sub.CreatedBy, sub.CreatedAt = "slack", "C0CONF", "<@U2>", c.now().Add(-48*time.Hour)
			if _, _, _, err := s.Subscribe(context.Background(), sub); err != nil {
				t.Fatal(err)
			}
		}
	}},
	{name: "subscriptions-configured", text: "subscriptions", platform: "slack", channel: "C0CONF"},
	{name: "subscriptions-chat", text: "subscriptions", platform: "slack", setup: subscribed(store.SubTarget, "github", "major_outage")},
	{name: "subscriptions-nothing", text: "subscriptions", platform: "slack"},
	{name: "button-acknowledge", button: "outagebot:ack:o2", platform: "slack"},
	{name: "button-already-acknowledged", button: "outagebot:ack:o3", platform: "discord"},
	{name: "button-acknowledge-over", button: "outagebot:ack:o1", platform: "slack"},
	{name: "button-acknowledge-failed", button: "outagebot:ack:o2", platform: "slack", setup: func(t *testing.T, c *Commands, _ *store.Store) {
		c.Acks.(*fakeAcks).err = errors.New("disk full")
	}},
	{name: "button-acknowledge-timeout", button: "outagebot:ack:o2", platform: "slack", setup: func(t *testing.T, c *Commands, _ *store.Store) {
		c.Acks.(*fakeAcks).err = context.DeadlineExceeded
	}},
	{name: "button-acknowledge-refused", button: "outagebot:ack:o2", platform: "slack", permit: denied},
	{name: "button-mute", button: "outagebot:mute:o2", platform: "slack"},
	{name: "button-report", button: "outagebot:report:o1", platform: "slack"},
	{name: "button-unknown", button: "something:else", platform: "slack"},
	{name: "button-no-outage", button: "outagebot:ack:o404", platform: "slack"},
	{name: "button-unavailable", button: "outagebot:ack:o2", platform: "slack", setup: func(t *testing.T, c *Commands, _ *store.Store) { c.Acks = nil }},
}

// TestAnswersInEveryLanguage writes every answer in every language to
// testdata/answers/<case>.<lang>.golden (go test -update rewrites them).
func TestAnswersInEveryLanguage(t *testing.T) {
	for _, tc := range answerCases {
		for _, lang := range i18n.Languages {
			t.Run(tc.name+"/"+lang, func(t *testing.T) {
				c, s := answersFixture(t)
				if tc.setup != nil {
					tc.setup(t, c, s)
				}
				r := Request{Text: tc.text, User: "<@U1>", UserID: "U1", UserName: "alice", Platform: tc.platform, Channel: tc.channel, Permit: tc.permit, Lang: lang}
				if r.Channel == "" && r.Platform != "" {
					r.Channel = "C0OPS"
				}
				var a Answer
				if tc.button != "" {
					a = c.Act(context.Background(), r, tc.button)
				} else {
					a = c.Run(context.Background(), r)
				}
				if a.Lang != lang {
					t.Errorf("answer says it is in %q", a.Lang)
				}
				answerGolden(t, filepath.Join("answers", tc.name+"."+lang+".golden"), dumpAnswer(a))
			})
		}
	}
}

// dumpAnswer is an answer as a golden file shows it.
func dumpAnswer(a Answer) []byte {
	var b bytes.Buffer
	if a.Problem {
		b.WriteString("[problem]\n")
	}
	if a.Announce != "" {
		b.WriteString("[announce] " + a.Announce + "\n")
	}
	b.WriteString(a.Text())
	b.WriteString("\n")
	return b.Bytes()
}

func answerGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// What only the asker sees is in their own language; an answer the
// channel sees with its announcement is in the channel's.
func TestAnswerLanguageFollowsItsAudience(t *testing.T) {
	c, _ := answersFixture(t)
	ctx := context.Background()
	r := Request{User: "<@U1>", Lang: "en", UserLang: "de"}

	r.Text = "mute github"
	if a := c.Run(ctx, r); a.Lang != "de" || !strings.HasPrefix(a.Title, "Aufruf:") {
		t.Errorf("a usage error for a German reader: %q in %q", a.Title, a.Lang)
	}
	r.Text = "mute github 2h"
	a := c.Run(ctx, r)
	if a.Lang != "en" || !strings.Contains(a.Title, "is muted until") || !strings.Contains(a.Announce, "muted GitHub for 2h") {
		t.Errorf("a mute the channel sees: %q / %q in %q", a.Title, a.Announce, a.Lang)
	}
	r.Text = "help"
	if a := c.Run(ctx, r); a.Lang != "de" || a.Title != "outagebot-Befehle" {
		t.Errorf("help for a German reader: %q in %q", a.Title, a.Lang)
	}
	r.Text = "digest now"
	if a := c.Run(ctx, r); !strings.Contains(a.Title, `asked in "de"`) {
		t.Errorf("the digest builder was not told the asker's language: %q", a.Title)
	}
	// No language at all is the default.
	if a := c.Run(ctx, Request{Text: "help"}); a.Lang != i18n.Default || a.Title != "outagebot commands" {
		t.Errorf("help without a language: %q in %q", a.Title, a.Lang)
	}
}

// The English printer writes windows, percentages, spans and
// acknowledgements exactly as the English-only helpers the rest of the
// bot still uses.
func TestEnglishWordsMatchTheHelpers(t *testing.T) {
	en := i18n.For("en")
	for _, d := range []time.Duration{time.Hour, 24 * time.Hour, 48 * time.Hour, 72 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 30 * 24 * time.Hour,
		MaxWindow, 90 * time.Minute, 30 * time.Minute, 45 * time.Second, 36 * time.Hour, 49 * time.Hour} {
		if got, want := en.Window(d), FormatWindow(d); got != want {
			t.Errorf("window(%s) = %q, FormatWindow %q", d, got, want)
		}
	}
	for _, v := range []float64{100, 99.95, 99.9999, 95, 99.2, 0, 99.1234, 12.5} {
		if got, want := en.Share(v), FormatPercent(v); got != want {
			t.Errorf("percent(%v) = %q, FormatPercent %q", v, got, want)
		}
	}
	now := t0.Add(24 * time.Hour)
	for _, o := range []outage.Outage{{OpenedAt: now.Add(-12 * time.Minute)}, {OpenedAt: now.Add(-5 * time.Hour), ResolvedAt: now.Add(-3*time.Hour - 48*time.Minute)}} {
		if got, want := span(en, o, now), o.Span(now); got != want {
			t.Errorf("span = %q, Span %q", got, want)
		}
	}
	ack := outage.Ack{UserID: "U1", Name: "alice", Platform: "slack", At: now}
	for _, platform := range []string{"slack", "discord"} {
		if got, want := ackLine(en, ack, platform), ack.Line(platform); got != want {
			t.Errorf("ackLine = %q, Line %q", got, want)
		}
	}
	if got, want := i18n.For("de").Share(99.95), "99,95 %"; got != want {
		t.Errorf("German percent = %q, want %q", got, want)
	}
	if got, want := i18n.For("de").Window(7*24*time.Hour), "7 Tage"; got != want {
		t.Errorf("German window = %q, want %q", got, want)
	}
}

// ParseWindow's errors keep their English text and their kind.
func TestWindowErrorsInEveryLanguage(t *testing.T) {
	for in, want := range map[string]string{
		"":           "Keine Dauer angegeben: Zahl und Einheit angeben (m, h, d oder w), etwa 30m, 2h, 7d oder 2w, höchstens 400 Tage",
		"soon":       `"soon" ist keine Dauer: Zahl und Einheit angeben (m, h, d oder w), etwa 30m, 2h, 7d oder 2w, höchstens 400 Tage`,
		"999999999d": `"999999999d" ist zu lang: höchstens 400 Tage`,
	} {
		_, err := ParseWindow(in)
		if err == nil {
			t.Fatalf("ParseWindow(%q) accepted", in)
		}
		if got := windowError(i18n.For("en"), err); got != err.Error() {
			t.Errorf("English %q, error %q", got, err.Error())
		}
		if got := windowError(i18n.For("de"), err); got != want {
			t.Errorf("German %q, want %q", got, want)
		}
	}
	if got := windowError(i18n.For("de"), errors.New("other")); got != "other" {
		t.Errorf("a foreign error: %q", got)
	}
}
