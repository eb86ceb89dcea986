package config

import (
	"errors"
	"flag"
	"github.com/outagebot/outagebot/i18n"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// testEnv is the environment the bad-* cases see. Its values hold s3cr3t so
// that a leak into a message fails the test.
var testEnv = map[string]string{
	"WRONG_SLACK_TOKEN": "xoxp-from-env-s3cr3t",
}

func fakeEnv(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

func noEnv(string) (string, bool) { return "", false }

// TestBad checks every testdata/bad-*.toml against its exact expected
// messages in testdata/bad-*.golden (go test -update rewrites them).
func TestBad(t *testing.T) {
	files, err := filepath.Glob("testdata/bad-*.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 15 {
		t.Fatalf("only %d bad-*.toml cases", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".toml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := Parse(filepath.ToSlash(file), data, fakeEnv(testEnv))
			if err == nil {
				t.Fatalf("Parse accepted it: %+v", cfg)
			}
			if cfg != nil {
				t.Error("Parse returned a config with its problems")
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error is %T, not Problems: %v", err, err)
			}
			got := err.Error() + "\n"

			// Secrets are never quoted: every secret in testdata contains
			// SECRET, and so do the values in testEnv.
			if strings.Contains(got, "s3cr3t") {
				t.Errorf("a secret leaked into the messages:\n%s", got)
			}
			for i, p := range ps {
				if p.Line < 1 {
					t.Errorf("problem %d has line %d", i, p.Line)
				}
				if i > 0 && p.Line < ps[i-1].Line {
					t.Errorf("problems not sorted by line: %d after %d", p.Line, ps[i-1].Line)
				}
			}

			golden := strings.TrimSuffix(file, ".toml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("messages differ from %s\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

func TestProblemFormat(t *testing.T) {
	ps := Problems{
		{File: "c.toml", Line: 3, Key: "bot.listen", Msg: "bad"},
		{File: "c.toml", Line: 7, Msg: "syntax error: x"},
	}
	want := "c.toml:3: bot.listen: bad\nc.toml:7: syntax error: x"
	if got := ps.Error(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestGoodDefaults(t *testing.T) {
	data, err := os.ReadFile("testdata/good.toml")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-1-2-abc",
		"PROBE_TOKEN":     "t0k3n",
	}
	cfg, err := Parse("testdata/good.toml", data, fakeEnv(env))
	if err != nil {
		t.Fatal(err)
	}
	no := false
	want := &Config{
		Path:     "testdata/good.toml",
		Warnings: []string{`testdata/good.toml:6: [slack]: warning: no admins: anyone in a channel can mute, unmute and acknowledge; set admins = ["U...", "S..."] to limit that`},
		Bot: Bot{
			State:          "outagebot.db",
			Listen:         "",
			LogLevel:       "info",
			LogFormat:      "text",
			Locale:         i18n.Default,
			Workers:        64,
			MaxBodySize:    5 << 20,
			MaxDeliveryAge: Duration{24 * time.Hour},
			StormThreshold: 5,
			StormWindow:    Duration{2 * time.Minute},

			NetworkDownMinTargets: 2,
			ChatSubscriptions:     true,
		},
		Slack: &Slack{BotToken: "xoxb-1-2-abc"},
		Channels: []Channel{
			{Name: "ops", Slack: "C0123456789", MentionMinSeverity: "partial_outage", Line: 9},
			{Name: "hooks", WebhookURL: "http://127.0.0.1:9/hook", MentionMinSeverity: "partial_outage", Line: 37},
		},
		Targets: []Target{
			{
				Name: "OpenAI", Type: "statuspage", URL: "https://status.openai.com",
				Interval: Duration{time.Minute}, Timeout: Duration{10 * time.Second},
				FailureThreshold: 1, SuccessThreshold: 1, UnreachableThreshold: 3, MaintenanceNotice: Duration{time.Hour},
				AnnounceExisting: ptr(true), FollowRedirects: RedirectsSameHost, Line: 13,
			},
			{
				Name: "API", Type: "http", URL: "https://api.example.com/healthz",
				Interval: Duration{5 * time.Second}, Timeout: Duration{5 * time.Second},
				Channels:         []string{"OPS"},
				FailureThreshold: 3, SuccessThreshold: 2, UnreachableThreshold: 3, MaintenanceNotice: Duration{time.Hour},
				AnnounceExisting: &no, Method: "GET",
				Headers:         map[string]string{"Authorization": "Bearer t0k3n", "X-Cost": "$5"},
				FollowRedirects: RedirectsSameHost,
				Line:            18,
			},
			{
				Name: "Post", Type: "http", URL: "http://localhost:8081/",
				Interval: Duration{30 * time.Second}, Timeout: Duration{2 * time.Second},
				FailureThreshold: 3, SuccessThreshold: 2, UnreachableThreshold: 3, MaintenanceNotice: Duration{time.Hour},
				AnnounceExisting: ptr(true), Method: "POST", ExpectStatus: []int{200, 204},
				DegradedLatency: Duration{time.Second}, FreshConnection: true,
				FollowRedirects: RedirectsSameHost,
				Line:            27,
			},
		},
		Digests: []Digest{{Schedule: "CRON_TZ=Europe/Berlin 0 9 * * MON-FRI", Window: Duration{24 * time.Hour}, Chart: ptr(true)}},
		Web:     Web{Title: DefaultWebTitle, Locale: i18n.Default},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got\n%+v\nwant\n%+v", cfg, want)
		for i := range min(len(cfg.Targets), len(want.Targets)) {
			if !reflect.DeepEqual(cfg.Targets[i], want.Targets[i]) {
				t.Errorf("target %d:\ngot  %+v\nwant %+v", i, cfg.Targets[i], want.Targets[i])
			}
		}
	}

	if !cfg.Chat() {
		t.Error("Chat() = false with a [slack] section")
	}
	if got := cfg.ChannelsFor(cfg.Targets[1]); len(got) != 1 || got[0].Name != "ops" {
		t.Errorf("ChannelsFor(API) = %+v, want [ops]", got)
	}
	if got := cfg.ChannelsFor(cfg.Targets[0]); len(got) != 2 {
		t.Errorf("ChannelsFor(OpenAI) = %+v, want every channel", got)
	}
	if got := cfg.ChannelsForDigest(cfg.Digests[0]); len(got) != 2 {
		t.Errorf("ChannelsForDigest = %+v, want every channel", got)
	}
	if cfg.Targets[0].IsProbe() || !cfg.Targets[1].IsProbe() {
		t.Error("IsProbe is wrong")
	}
	if !cfg.Targets[0].Announce() || cfg.Targets[1].Announce() {
		t.Error("Announce is wrong")
	}
	if tg, ok := cfg.FindTarget("openai"); !ok || tg.Name != "OpenAI" {
		t.Errorf("FindTarget(openai) = %+v, %v", tg, ok)
	}
}

func ptr[T any](v T) *T { return &v }

func TestTargetDefaults(t *testing.T) {
	tests := []struct {
		name, body   string
		interval     time.Duration
		timeout      time.Duration
		fail, succes int
	}{
		{"feed", `type = "statuspage"`, time.Minute, 10 * time.Second, 1, 1},
		{"probe", `type = "http"`, 30 * time.Second, 10 * time.Second, 3, 2},
		{"short interval", "type = \"http\"\ninterval = \"3s\"", 3 * time.Second, 3 * time.Second, 3, 2},
		{"explicit", "type = \"http\"\ninterval = \"1h\"\ntimeout = \"1m\"\nfailure_threshold = 5\nsuccess_threshold = 4", time.Hour, time.Minute, 5, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := "[[target]]\nname = \"x\"\nurl = \"https://example.com\"\n" + tt.body + "\n"
			cfg, err := Parse("t.toml", []byte(doc), noEnv)
			if err != nil {
				t.Fatal(err)
			}
			tg := cfg.Targets[0]
			if tg.Interval.Duration != tt.interval || tg.Timeout.Duration != tt.timeout ||
				tg.FailureThreshold != tt.fail || tg.SuccessThreshold != tt.succes || tg.UnreachableThreshold != 3 {
				t.Errorf("got interval %v timeout %v thresholds %d/%d/%d", tg.Interval, tg.Timeout,
					tg.FailureThreshold, tg.SuccessThreshold, tg.UnreachableThreshold)
			}
			if tg.Line != 1 {
				t.Errorf("Line = %d, want 1", tg.Line)
			}
		})
	}
}

// TestFollowRedirects reads follow_redirects in its forms, the earlier
// booleans included, and its default on the types that take it.
func TestFollowRedirects(t *testing.T) {
	tests := []struct {
		name, body string
		want       Redirects
	}{
		{"http default", `type = "http"`, RedirectsSameHost},
		{"feed default", `type = "statuspage"`, RedirectsSameHost},
		{"any", "type = \"feed\"\nfollow_redirects = \"any\"", RedirectsAny},
		{"none", "type = \"http\"\nfollow_redirects = 'none'", RedirectsNone},
		{"true is same-host", "type = \"http\"\nfollow_redirects = true", RedirectsSameHost},
		{"false is none", "type = \"http\"\nfollow_redirects = false", RedirectsNone},
		{"gcp, written out", "type = \"gcp\"\nfollow_redirects = \"same-host\"", RedirectsSameHost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := "[[target]]\nname = \"x\"\nurl = \"https://example.com\"\n" + tt.body + "\n"
			cfg, err := Parse("t.toml", []byte(doc), noEnv)
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Targets[0].FollowRedirects; got != tt.want {
				t.Errorf("FollowRedirects = %q, want %q", got, tt.want)
			}
		})
	}
	cfg, err := Parse("t.toml", []byte("[[target]]\nname = \"x\"\ntype = \"tcp\"\naddress = \"example.com:80\"\n"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Targets[0].FollowRedirects; got != "" {
		t.Errorf("a tcp target's FollowRedirects = %q, want none set", got)
	}
}

// TestDecodeFallback checks decode's own handling of what indexing normally
// catches first: values go-toml rejects and unknown keys.
func TestDecodeFallback(t *testing.T) {
	doc := "[bot]\nworkers = \"x\"\nstate = 5\n\n[[target]]\nname = \"a\"\n\n[[target]]\nname = \"b\"\nbogus = 1\n"
	ix, _ := indexDocument([]byte(doc), &collector{})
	c := &collector{file: "f.toml", idx: ix}
	cfg := decode([]byte(doc), ix, map[int]bool{}, c)
	if cfg == nil || len(cfg.Targets) != 2 || cfg.Targets[1].Name != "b" {
		t.Fatalf("decode gave %+v", cfg)
	}
	want := "f.toml:2: bot.workers: must be a whole number\n" +
		"f.toml:3: bot.state: must be a string in quotes\n" +
		"f.toml:10: target[\"b\"].bogus: unknown key"
	if got := c.problems(cfg).Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestByteOrderMark(t *testing.T) {
	doc := "\xef\xbb\xbf[[target]]\nname = \"a\"\ntype = \"http\"\nurl = \"https://example.com\"\n"
	cfg, err := Parse("bom.toml", []byte(doc), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Targets[0].Line != 1 {
		t.Errorf("Line = %d, want 1", cfg.Targets[0].Line)
	}
}

// TestExample loads the quick-start file with an empty environment: it must
// need no secrets.
func TestExample(t *testing.T) {
	data, err := os.ReadFile("../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse("config.example.toml", data, noEnv)
	if err != nil {
		t.Fatalf("config.example.toml:\n%v", err)
	}
	if cfg.Chat() {
		t.Error("the example configures chat: it must run on the console")
	}
	if cfg.Bot.State != "outagebot.db" || cfg.Bot.Listen != "127.0.0.1:8080" {
		t.Errorf("bot = %+v", cfg.Bot)
	}
	want := map[string][2]string{
		"OpenAI":     {"incidentio", "https://status.openai.com"},
		"GitHub":     {"statuspage", "https://www.githubstatus.com"},
		"Discord":    {"statuspage", "https://discordstatus.com"},
		"Anthropic":  {"incidentio", "https://status.claude.com"},
		"Cloudflare": {"statuspage", "https://www.cloudflarestatus.com"},
	}
	for name, w := range want {
		tg, ok := cfg.FindTarget(name)
		if !ok || tg.Type != w[0] || tg.URL != w[1] {
			t.Errorf("target %s = %+v, %v; want a %s target at %s", name, tg, ok, w[0], w[1])
		}
	}
	probe, ok := cfg.FindTarget("Example")
	if !ok || !probe.IsProbe() || probe.URL != "https://example.com" || probe.BodyContains != "Example Domain" {
		t.Errorf("probe = %+v, %v", probe, ok)
	}
}

// TestExampleCommentedSections uncomments the chat, channel and digest
// examples and checks that they are valid too, with the variables set.
func TestExampleCommentedSections(t *testing.T) {
	data, err := os.ReadFile("../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	section := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case line == "# [slack]" || line == "# [discord]" || line == "# [telegram]" || line == "# [[channel]]" || line == "# [[digest]]" || line == "# [[silence]]" || line == "# [web]":
			section = true
		case line == "":
			section = false
		}
		if section {
			line = strings.TrimPrefix(line, "# ")
		}
		out = append(out, line)
	}
	env := fakeEnv(map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1",
		"DISCORD_BOT_TOKEN": "d", "DISCORD_APPLICATION_ID": "123",
		"DISCORD_PUBLIC_KEY": strings.Repeat("ab", 32), "OPS_WEBHOOK_URL": "https://hooks.slack.com/services/x",
		"HOOK_SECRET": "0123456789abcdef", "TEAMS_WEBHOOK_URL": "https://prod-01.westeurope.logic.azure.com:443/workflows/x/triggers/manual/paths/invoke?api-version=2016-06-01&sig=y", "PD_ROUTING_KEY": "0123456789abcdef0123456789abcdef",
		"TELEGRAM_BOT_TOKEN": "123456:AAHabcdefghijklmnopqrstuvwxyz", "TELEGRAM_WEBHOOK_SECRET": "a-secret_1",
		"OUTAGEBOT_WEB_TOKEN": "0123456789abcdef0123",
	})
	cfg, err := Parse("config.example.toml", []byte(strings.Join(out, "\n")), env)
	if err != nil {
		t.Fatalf("with its examples uncommented:\n%v", err)
	}
	if ch := cfg.Channels; len(ch) == 1 && (ch[0].Webhook == nil || ch[0].Teams == nil || ch[0].PagerDuty == nil) {
		t.Errorf("the channel example lacks a destination: %+v", ch[0])
	}
	if cfg.Telegram == nil || cfg.Telegram.APIURL != DefaultTelegramAPIURL || cfg.Channels[0].Telegram != "-1001234567890" {
		t.Errorf("uncommenting found telegram %+v, channel %+v", cfg.Telegram, cfg.Channels[0])
	}
	if w := cfg.Web; !w.Enabled || w.Title != "ACME status" || w.BaseURL == "" || len(w.BasicAuthUsers) != 1 || w.Token == "" || !w.PublicBadges {
		t.Errorf("uncommenting [web] gave %+v", w)
	}
	if cfg.Slack == nil || cfg.Discord == nil || len(cfg.Channels) != 1 || len(cfg.Digests) != 1 || len(cfg.Silences) != 1 {
		t.Errorf("uncommenting found slack %v discord %v channels %d digests %d silences %d",
			cfg.Slack != nil, cfg.Discord != nil, len(cfg.Channels), len(cfg.Digests), len(cfg.Silences))
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{"30s", 30 * time.Second, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"0s", 0, ""},
		{"-1s", 0, "must not be negative"},
		{"5", 0, "invalid duration"},
		{"", 0, "invalid duration"},
	}
	for _, tt := range tests {
		var d Duration
		err := d.UnmarshalText([]byte(tt.in))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: error %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || d.Duration != tt.want {
			t.Errorf("%q: got %v, %v; want %v", tt.in, d, err, tt.want)
		}
		text, _ := d.MarshalText()
		var back Duration
		if err := back.UnmarshalText(text); err != nil || back != d {
			t.Errorf("%q: round trip gave %v, %v", tt.in, back, err)
		}
	}
}

func TestByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want ByteSize
		ok   bool
	}{
		{"5MiB", 5 << 20, true},
		{"512KiB", 512 << 10, true},
		{"10MB", 10_000_000, true},
		{"1GiB", 1 << 30, true},
		{"1048576", 1 << 20, true},
		{"1_000", 1000, true},
		{"2 kb", 2000, true},
		{"1.5KiB", 1536, true},
		{"0", 0, true},
		{"100B", 100, true},
		{"-1", 0, false},
		{"5M", 0, false},
		{"MiB", 0, false},
		{"", 0, false},
		{"1.2.3MB", 0, false},
		{"99999999999TiB", 0, false},
	}
	for _, tt := range tests {
		var b ByteSize
		err := b.UnmarshalText([]byte(tt.in))
		if (err == nil) != tt.ok || b != tt.want {
			t.Errorf("%q: got %d, %v; want %d, ok=%v", tt.in, b, err, tt.want, tt.ok)
		}
		if err == nil {
			text, _ := b.MarshalText()
			var back ByteSize
			if err := back.UnmarshalText(text); err != nil || back != b {
				t.Errorf("%q: round trip through %q gave %d, %v", tt.in, text, back, err)
			}
		}
	}
}

func TestExpand(t *testing.T) {
	env := fakeEnv(map[string]string{"A": "x", "EMPTY": "", "D": "$B"})
	const unterminated = "unterminated ${ (write $$ for a literal $)"
	const invalid = "invalid variable name in ${...} (write $$ for a literal $)"
	tests := []struct {
		in, want string
		msgs     []string
	}{
		{"plain", "plain", nil},
		{"${A}", "x", nil},
		{"a${A}b${A}", "axbx", nil},
		{"${EMPTY}", "", nil},
		{"${D}", "$B", nil}, // values are not expanded again
		{"$$", "$", nil},
		{"$${A}", "${A}", nil},
		{"$5 and $", "$5 and $", nil},
		{"${B}", "", []string{"environment variable B is not set"}},
		{"${A", "", []string{unterminated}},
		{"${}", "", []string{invalid}},
		{"${A-B}", "", []string{invalid}},
		// Every unset variable is named, each once and in order, so one
		// run of check lists all there are to set.
		{"https://${USER}:${PASS}@${A}/", "", []string{"environment variable USER is not set", "environment variable PASS is not set"}},
		{"${B}${B}$${C}${C}", "", []string{"environment variable B is not set", "environment variable C is not set"}},
		// A syntax error ends the scan; what was found before it stays.
		{"${B} ${C", "", []string{"environment variable B is not set", unterminated}},
	}
	for _, tt := range tests {
		got, msgs := expand(tt.in, env)
		if got != tt.want || !slices.Equal(msgs, tt.msgs) {
			t.Errorf("expand(%q) = %q, %q; want %q, %q", tt.in, got, msgs, tt.want, tt.msgs)
		}
	}
}

func TestParseSchedule(t *testing.T) {
	for _, spec := range []string{"CRON_TZ=UTC", "TZ=", "CRON_TZ=", "", "@every", "* * * * * * *"} {
		if _, err := ParseSchedule(spec); err == nil {
			t.Errorf("ParseSchedule(%q) accepted it", spec)
		}
	}
	for _, spec := range []string{"@daily", "0 9 * * MON-FRI", "CRON_TZ=UTC 30 8 * * *", "@every 1h"} {
		if _, err := ParseSchedule(spec); err != nil {
			t.Errorf("ParseSchedule(%q): %v", spec, err)
		}
	}
}

func TestChat(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want bool
	}{
		{"none", Config{Channels: []Channel{{Name: "x", Slack: "C0123456789"}}}, false},
		{"slack", Config{Slack: &Slack{}}, true},
		{"discord", Config{Discord: &Discord{}}, true},
		{"webhook", Config{Channels: []Channel{{Name: "x", WebhookURL: "https://h"}}}, true},
	}
	for _, tt := range tests {
		if got := tt.cfg.Chat(); got != tt.want {
			t.Errorf("%s: Chat() = %v", tt.name, got)
		}
	}
}

func TestLoad(t *testing.T) {
	if _, err := Load("testdata/does-not-exist.toml"); err == nil || !strings.Contains(err.Error(), "does-not-exist.toml") {
		t.Errorf("Load of a missing file: %v", err)
	}
	path := filepath.Join(t.TempDir(), "c.toml")
	if err := os.WriteFile(path, []byte("[[target]]\nname = \"a\"\ntype = \"http\"\nurl = \"https://example.com\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Path != path {
		t.Errorf("Path = %q", cfg.Path)
	}
}

// FuzzParse checks that Parse never panics, and that it returns either a
// config or problems that all have a line.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.toml")
	files = append(files, "../config.example.toml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	env := fakeEnv(map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "PROBE_TOKEN": "t"})
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.toml", data, env)
		if err == nil {
			if cfg == nil {
				t.Fatal("no config and no error")
			}
			return
		}
		var ps Problems
		if !errors.As(err, &ps) {
			t.Fatalf("error is %T, not Problems: %v", err, err)
		}
		if len(ps) == 0 {
			t.Fatal("empty Problems")
		}
		lines := strings.Count(string(data), "\n") + 1
		for _, p := range ps {
			if p.Line < 1 || p.Line > lines {
				t.Fatalf("problem on line %d of %d: %s", p.Line, lines, p)
			}
		}
	})
}

func TestChannelTemplates(t *testing.T) {
	cfg, err := Parse("t.toml", []byte(`
[[channel]]
name = "ops"
webhook_url = "https://hooks.slack.com/services/x"
locale = "de"
title_template = "{{.Emoji}} {{.Target}}: {{.Title}}"
body_template = "{{.Status}} since {{.OpenedAt}}{{with .Body}}: {{.}}{{end}}{{range .Components}} {{.Name}}{{end}}"

[[channel]]
name = "plain"
webhook_url = "https://hooks.slack.com/services/y"

[[channel]]
name = "german"
webhook_url = "https://hooks.slack.com/services/z"
locale = "de"

[[target]]
name = "OpenAI"
type = "statuspage"
url = "https://status.openai.com"
`), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	// A locale alone keeps the built-in rendering, in its language.
	if !cfg.Channels[0].Templated() || cfg.Channels[1].Templated() || cfg.Channels[2].Templated() {
		t.Errorf("templated = %v, %v, %v", cfg.Channels[0].Templated(), cfg.Channels[1].Templated(), cfg.Channels[2].Templated())
	}
	if got := cfg.LocaleOf(cfg.Channels[2]); got != "de" {
		t.Errorf("locale %q", got)
	}
}

func TestWatchConfig(t *testing.T) {
	for _, tc := range []struct {
		bot  string
		want bool
	}{
		{"", false},
		{"watch_config = false\n", false},
		{"watch_config = true\n", true},
	} {
		data := "[bot]\n" + tc.bot + "[[target]]\nname = \"a\"\ntype = \"http\"\nurl = \"https://example.com\"\n"
		cfg, err := Parse("c.toml", []byte(data), noEnv)
		if err != nil {
			t.Fatalf("%q: %v", tc.bot, err)
		}
		if cfg.Bot.WatchConfig != tc.want {
			t.Errorf("%q: WatchConfig = %v, want %v", tc.bot, cfg.Bot.WatchConfig, tc.want)
		}
	}
}
