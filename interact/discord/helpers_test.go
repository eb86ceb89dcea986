package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/uptime"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	testToken = "MTA5.test-bot-token.KEEP-THIS-SECRET"
	testApp   = "1300000000000000001"
	testGuild = "1400000000000000001"
	testUser  = "1500000000000000001"
)

// now is the tests' clock.
var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type fakeView struct{ snaps []bot.Snapshot }

func (v fakeView) Snapshots() []bot.Snapshot    { return v.snaps }
func (v fakeView) OpenOutages() []outage.Outage { return nil }

type fakeHistory struct{}

func (fakeHistory) Outages(context.Context, time.Time, string) ([]outage.Outage, error) {
	return []outage.Outage{{
		ID: "o1", Target: "GitHub", Class: outage.Incident, Title: "Degraded Actions", Severity: sources.Degraded,
		OpenedAt: now.Add(-3 * time.Hour), ResolvedAt: now.Add(-2 * time.Hour),
	}}, nil
}

// TargetHistories says the fixture's targets were seen a month before now.
func (fakeHistory) TargetHistories(context.Context) (map[string]store.TargetHistory, error) {
	out := map[string]store.TargetHistory{}
	for _, t := range []string{"GitHub", "OpenAI", "Google Cloud", "Slack"} {
		out[t] = store.TargetHistory{FirstSeen: now.Add(-30 * 24 * time.Hour)}
	}
	return out, nil
}

func (fakeHistory) Gaps(context.Context, string, time.Time) (map[string][]uptime.Gap, error) {
	return nil, nil
}

type fakeMutes struct {
	mu sync.Mutex
	m  map[string]bot.Mute
}

func (f *fakeMutes) Mute(_ context.Context, m bot.Mute) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m[m.Target] = m
	return nil
}

func (f *fakeMutes) Unmute(_ context.Context, target string, _ time.Time) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.m[target]
	delete(f.m, target)
	return ok, nil
}

func (f *fakeMutes) Muted(target string, at time.Time) (bot.Mute, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.m[target]
	return m, ok && at.Before(m.Until)
}

// commands is the real command logic over a fixed view.
func commands() *bot.Commands {
	return &bot.Commands{
		Now:     func() time.Time { return now },
		History: fakeHistory{},
		Mutes:   &fakeMutes{m: map[string]bot.Mute{}},
		View: fakeView{snaps: []bot.Snapshot{
			{Name: "GitHub", Status: sources.Operational, Reachable: true, CheckedAt: now.Add(-time.Minute)},
			{Name: "OpenAI", Status: sources.PartialOutage, Reachable: true, CheckedAt: now.Add(-time.Minute),
				Components: []bot.ComponentSnapshot{{Name: "API", Status: sources.PartialOutage}, {Name: "ChatGPT", Status: sources.Operational}}},
			{Name: "Google Cloud", Status: sources.Operational, Reachable: true, CheckedAt: now.Add(-2 * time.Minute)},
			{Name: "Slack", Status: sources.Operational, Reachable: true, CheckedAt: now.Add(-time.Minute)},
		}},
	}
}

// recorder is an Answerer that records what it was asked.
type recorder struct {
	Answerer
	mu    sync.Mutex
	runs  []bot.Request
	names int
}

func (r *recorder) Run(ctx context.Context, req bot.Request) bot.Answer {
	r.mu.Lock()
	r.runs = append(r.runs, req)
	r.mu.Unlock()
	return r.Answerer.Run(ctx, req)
}

func (r *recorder) TargetNames() []string {
	r.mu.Lock()
	r.names++
	r.mu.Unlock()
	return r.Answerer.TargetNames()
}

func (r *recorder) calls() (runs []bot.Request, names int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Request(nil), r.runs...), r.names
}

// namesOnly answers TargetNames from a list.
type namesOnly []string

func (n namesOnly) Run(context.Context, bot.Request) bot.Answer { return bot.Answer{Title: "unused"} }
func (n namesOnly) TargetNames() []string                       { return n }

// option is a command option as Discord sends it.
type option struct {
	name, value string
	focused     bool
}

// interaction builds an interaction as Discord sends it, invoked by testUser
// in testGuild.
func interaction(typ discordgo.InteractionType, command string, opts ...option) *discordgo.Interaction {
	data := discordgo.ApplicationCommandInteractionData{ID: "1600000000000000001", Name: command, CommandType: discordgo.ChatApplicationCommand}
	for _, o := range opts {
		data.Options = append(data.Options, &discordgo.ApplicationCommandInteractionDataOption{
			Name: o.name, Type: discordgo.ApplicationCommandOptionString, Value: o.value, Focused: o.focused,
		})
	}
	return &discordgo.Interaction{
		ID: "1700000000000000001", AppID: testApp, Type: typ, Data: data, GuildID: testGuild, ChannelID: "1100000000000000001",
		Member: &discordgo.Member{User: &discordgo.User{ID: testUser, Username: "alice"}},
		Token:  "interaction-token-KEEP-SECRET", Version: 1,
	}
}

// golden compares got with testdata/<name>, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
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
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (run go test -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// indent re-indents JSON for golden files.
func indent(t *testing.T, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	b.WriteByte('\n')
	return b.Bytes()
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func assertNoSecret(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s contains a secret: %s", where, text)
		}
	}
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
