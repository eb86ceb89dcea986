package bot

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/uptime"
)

type fakeView struct {
	snaps []Snapshot
	open  []outage.Outage
}

func (v fakeView) Snapshots() []Snapshot        { return v.snaps }
func (v fakeView) OpenOutages() []outage.Outage { return v.open }

type fakeHistory struct {
	outs []outage.Outage
	// seen are the targets the bot saw, and gaps its gaps in observing
	// them.
	seen map[string]store.TargetHistory
	gaps map[string][]uptime.Gap
	err  error
}

func (h fakeHistory) TargetHistories(context.Context) (map[string]store.TargetHistory, error) {
	return h.seen, h.err
}

func (h fakeHistory) Gaps(_ context.Context, target string, since time.Time) (map[string][]uptime.Gap, error) {
	out := map[string][]uptime.Gap{}
	for t, gaps := range h.gaps {
		for _, g := range gaps {
			if (target == "" || t == target) && g.To.After(since) {
				out[t] = append(out[t], g)
			}
		}
	}
	return out, h.err
}

func (h fakeHistory) Outages(_ context.Context, since time.Time, target string) ([]outage.Outage, error) {
	var out []outage.Outage
	for _, o := range h.outs {
		if (o.Open() || !o.ResolvedAt.Before(since)) && (target == "" || o.Target == target) {
			out = append(out, o)
		}
	}
	return out, h.err
}

func newCommands(t testing.TB) *Commands {
	t.Helper()
	now := t0.Add(24 * time.Hour)
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	mutes, err := NewMutes(context.Background(), s, now)
	if err != nil {
		t.Fatal(err)
	}
	openAI := outage.Outage{ID: "o2", Target: "OpenAI", Class: outage.Incident, Title: "Elevated errors on API", Severity: sources.PartialOutage,
		OpenedAt: now.Add(-12 * time.Minute), URL: "https://status.openai.com/incidents/x"}
	return &Commands{
		Now:   func() time.Time { return now },
		Mutes: mutes,
		View: fakeView{
			snaps: []Snapshot{
				{Name: "OpenAI", Status: sources.PartialOutage, Reachable: true, CheckedAt: now.Add(-time.Minute),
					Components: []ComponentSnapshot{{Name: "API", Status: sources.PartialOutage}, {Name: "ChatGPT", Status: sources.Operational}},
					Incidents:  []IncidentSnapshot{{Title: "Elevated errors on API", Status: sources.IncidentInvestigating, StartedAt: now.Add(-12 * time.Minute)}}},
				{Name: "GitHub", Status: sources.Operational, Reachable: true, CheckedAt: now.Add(-time.Minute),
					Maintenances: []MaintenanceSnapshot{{Title: "Database upgrade", Status: sources.MaintenanceScheduled, Start: now.Add(48 * time.Hour),
						End: now.Add(50 * time.Hour), Began: now.Add(48 * time.Hour), Components: []string{"Git Operations"}}}},
				{Name: "GitLab", Status: sources.Operational, Reachable: true, CheckedAt: now.Add(-time.Minute)},
				{Name: "Checkout API", Status: sources.Operational, Reachable: true, CheckedAt: now.Add(-time.Minute), Latency: 42 * time.Millisecond},
			},
			open: []outage.Outage{openAI},
		},
		History: fakeHistory{outs: []outage.Outage{
			openAI,
			{ID: "o1", Target: "GitHub", Class: outage.Incident, Title: "Actions delayed", Severity: sources.Degraded,
				OpenedAt: now.Add(-5 * time.Hour), ResolvedAt: now.Add(-5*time.Hour + 72*time.Minute)},
			{ID: "u1", Target: "GitHub", Class: outage.Unreachable, Title: "GitHub: no status data", Severity: sources.Unknown,
				OpenedAt: now.Add(-3 * time.Hour), ResolvedAt: now.Add(-2 * time.Hour)},
		}, seen: seenSince(now.Add(-30*24*time.Hour), "OpenAI", "GitHub", "GitLab", "Checkout API")},
	}
}

// seenSince is the history of targets first seen at from.
func seenSince(from time.Time, targets ...string) map[string]store.TargetHistory {
	m := map[string]store.TargetHistory{}
	for _, t := range targets {
		m[t] = store.TargetHistory{FirstSeen: from}
	}
	return m
}

func TestCommands(t *testing.T) {
	tests := []struct {
		text string
		want []string // substrings of the answer's text, in order
		// problem marks answers to requests that could not be done.
		problem bool
		public  bool
	}{
		{"", []string{"Status of 4 targets", "Needs attention", "🟠 *OpenAI*: partial outage — Elevated errors on API [investigating] for 12m", "Operational", "*GitHub*"}, false, false},
		{"status", []string{"Status of 4 targets"}, false, false},
		{"openai", []string{"🟠 OpenAI: partial outage", "Checked 1m ago.", "Open outages", "Elevated errors on API — since Nov 23 13:48 UTC (12m) https://status.openai.com/incidents/x", "Components", "🟠 API: partial outage"}, false, false},
		{"STATUS OpenAI", []string{"🟠 OpenAI: partial outage"}, false, false},
		{"github", []string{"GitHub: operational", "Maintenance", "Database upgrade — scheduled Nov 25 14:00 UTC to Nov 25 16:00 UTC · Git Operations"}, false, false},
		{"status check", []string{"🟢 Checkout API: operational", "Latency 42ms."}, false, false},
		{"opnai", []string{`I don't know a target called "opnai"`, "Did you mean OpenAI?"}, true, false},
		{"git", []string{`"git" matches 2 targets`, "GitHub, GitLab"}, true, false},
		{"zzzzzzzz", []string{"Known targets: OpenAI, GitHub, GitLab, Checkout API."}, true, false},
		{"incidents", []string{"2 outages in the last 24h", "🟠 *OpenAI*: Elevated errors on API — Nov 23 13:48 UTC, ongoing for 12m", "✅ *GitHub*: Actions delayed — Nov 23 09:00 UTC, lasted 1h 12m"}, false, false},
		{"incidents 1h", []string{"1 outage in the last 1h", "OpenAI"}, false, false},
		{"incidents soon", []string{"I could not read that window", `"soon" is not a duration`}, true, false},
		{"uptime", []string{"Uptime over the last 24h", "*OpenAI*: 99.2% (down 12m)", "*GitHub*: 94.8% (down 1h 12m)", "*Checkout API*: 100%"}, false, false},
		{"uptime github 7d", []string{"Uptime over 7d: today so far (UTC) and the 6 days before", "*GitHub*: 99.2% (down 1h 12m)"}, false, false},
		{"uptime nope", []string{`I don't know a target called "nope"`}, true, false},
		{"help", []string{"outagebot commands", "`mute <target> <duration> [reason]`"}, false, false},
		{"mute", []string{"Usage: `mute <target> <duration> [reason]`"}, true, false},
		{"mute github", []string{"Usage"}, true, false},
		{"mute github forever", []string{"I could not find a duration"}, true, false},
		{"mute github 30d", []string{"That mute is too long", "The longest mute is 7d"}, true, false},
		{"mute github nand", []string{"I could not find a duration", "at most 7d"}, true, false},
		{"mute github infd", []string{"I could not find a duration", "at most 7d"}, true, false},
		{"mute github -2h", []string{"I could not find a duration"}, true, false},
		{"mute github 999999999d", []string{"That mute is too long", "The longest mute is 7d"}, true, false},
		{"incidents 999999999d", []string{"I could not read that window", `"999999999d" is too long: the longest is 400d`}, true, false},
		{"incidents nand", []string{"I could not read that window", `"nand" is not a duration`, "up to 400d"}, true, false},
		{"incidents infw", []string{"I could not read that window", `"infw" is not a duration`}, true, false},
		{"uptime github 999999999d", []string{"I could not read that window", "the longest is 400d"}, true, false},
		{"mute gthub 2h", []string{`I don't know a target called "gthub"`, "Did you mean GitHub?"}, true, false},
		{"unmute", []string{"Usage: `unmute <target>`"}, true, false},
		{"unmute github", []string{"GitHub was not muted"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			a := newCommands(t).Run(context.Background(), Request{Text: tt.text, User: "<@U1>"})
			text := a.Text()
			rest := text
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("answer lacks %q (in order):\n%s", w, text)
				}
				rest = rest[i+len(w):]
			}
			if a.Problem != tt.problem {
				t.Errorf("Problem = %v, want %v:\n%s", a.Problem, tt.problem, text)
			}
		})
	}
}

func TestMuteLifecycle(t *testing.T) {
	c := newCommands(t)
	ctx := context.Background()
	a := c.Run(ctx, Request{Text: "mute Checkout API 2h deploy in progress", User: "<@U1>"})
	if a.Problem || !strings.Contains(a.Title, "Checkout API is muted until Nov 23 16:00 UTC") {
		t.Fatalf("mute: %s", a.Text())
	}
	if a.Announce != "🔕 <@U1> muted Checkout API for 2h (until Nov 23 16:00 UTC): deploy in progress." {
		t.Errorf("announcement = %q", a.Announce)
	}
	if _, ok := c.Mutes.Muted("Checkout API", c.now()); !ok {
		t.Fatal("not muted")
	}
	if s := c.Run(ctx, Request{Text: "status"}).Text(); !strings.Contains(s, "(muted until Nov 23 16:00 UTC by <@U1>: deploy in progress)") {
		t.Errorf("status does not show the mute:\n%s", s)
	}
	if s := c.Run(ctx, Request{Text: "checkout"}).Text(); !strings.Contains(s, "Muted until Nov 23 16:00 UTC by <@U1>: deploy in progress.") {
		t.Errorf("detail does not show the mute:\n%s", s)
	}
	a = c.Run(ctx, Request{Text: "unmute checkout api", User: "<@U2>"})
	if a.Announce != "🔔 <@U2> unmuted Checkout API." {
		t.Errorf("unmute: %+v", a)
	}
	if _, ok := c.Mutes.Muted("Checkout API", c.now()); ok {
		t.Error("still muted")
	}
}

func TestHistoryFailureIsExplained(t *testing.T) {
	c := newCommands(t)
	c.History = fakeHistory{err: errors.New("database is locked")}
	a := c.Run(context.Background(), Request{Text: "incidents"})
	if !a.Problem || !strings.Contains(a.Text(), "database is locked") {
		t.Errorf("answer: %s", a.Text())
	}
}

func TestParseWindow(t *testing.T) {
	for in, want := range map[string]time.Duration{"90m": 90 * time.Minute, "24h": 24 * time.Hour, "7d": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "1h30m": 90 * time.Minute, "1.5d": 36 * time.Hour} {
		if got, err := ParseWindow(in); err != nil || got != want {
			t.Errorf("ParseWindow(%q) = %v, %v", in, got, err)
		}
	}
	for in, want := range map[string]time.Duration{"400d": MaxWindow, "9600h": MaxWindow, "57w": 399 * 24 * time.Hour, "0.5d": 12 * time.Hour, "30s": 30 * time.Second} {
		if got, err := ParseWindow(in); err != nil || got != want {
			t.Errorf("ParseWindow(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"nand", "NaNd", "infd", "+Infd", "-infw", "inf", "nan", "1e9d", "0x10d", "0x1p4d", ".d", "1.2.3d", "-0d", "9999999999h"} {
		if d, err := ParseWindow(in); err == nil {
			t.Errorf("ParseWindow(%q) = %v, want an error", in, d)
		}
	}
	for _, in := range []string{"999999999d", "401d", "58w", "9601h", "1000000000000000000000000d"} {
		if d, err := ParseWindow(in); !errors.Is(err, ErrWindowTooLong) {
			t.Errorf("ParseWindow(%q) = %v, %v; want it too long", in, d, err)
		}
	}
	for _, in := range []string{"", "0", "-1h", "soon", "d", "0d", "-2w"} {
		if _, err := ParseWindow(in); err == nil {
			t.Errorf("ParseWindow(%q) accepted", in)
		}
	}
}

func TestFormatPercent(t *testing.T) {
	for in, want := range map[float64]string{100: "100%", 99.95: "99.95%", 99.9999: "99.999%", 95: "95%", 99.2: "99.2%", 0: "0%"} {
		if got := FormatPercent(in); got != want {
			t.Errorf("FormatPercent(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestSilenceWindowInStatusAndUnmute(t *testing.T) {
	c := newCommands(t)
	ctx := context.Background()
	until := c.now().Add(time.Hour)
	c.Mutes.(*Mutes).SetWindows(windowFunc(func(target string, at time.Time) (Mute, bool) {
		if target != "GitHub" {
			return Mute{}, false
		}
		return Mute{Target: target, Until: until, By: "configuration", Reason: "weekly maintenance", Scheduled: true}, true
	}))
	if s := c.Run(ctx, Request{Text: "status"}).Text(); !strings.Contains(s, "GitHub*: operational (silenced until Nov 23 15:00 UTC: weekly maintenance)") {
		t.Errorf("status does not show the window:\n%s", s)
	}
	if s := c.Run(ctx, Request{Text: "github"}).Text(); !strings.Contains(s, "Silenced until Nov 23 15:00 UTC: weekly maintenance.") {
		t.Errorf("detail does not show the window:\n%s", s)
	}
	a := c.Run(ctx, Request{Text: "unmute github", User: "<@U1>"})
	if a.Announce != "" || !strings.Contains(a.Text(), "GitHub stays silenced until Nov 23 15:00 UTC by a configured [[silence]] window: weekly maintenance") {
		t.Errorf("unmute under a window: %+v", a)
	}
}
