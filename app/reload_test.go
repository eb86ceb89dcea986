package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/internal/fakeslack"
)

const (
	opsChannel = "C0000000OPS"
	aiChannel  = "C00000000AI"
)

// reloadFixture is a bot whose configuration file a test rewrites: three
// status pages (A, B and C, serving the lifecycle fixtures), one Slack.
type reloadFixture struct {
	path, state string
	slack       *fakeslack.Server
	pages       map[string]*vendorPage
	urls        map[string]string
	hup         chan os.Signal
	// slackExtra is more of the [slack] section.
	slackExtra string
}

func newReloadFixture(t *testing.T) *reloadFixture {
	t.Helper()
	f := &reloadFixture{
		path:  filepath.Join(t.TempDir(), "outagebot.toml"),
		state: filepath.Join(t.TempDir(), "state.db"),
		slack: fakeslack.New(),
		pages: map[string]*vendorPage{},
		urls:  map[string]string{},
		hup:   make(chan os.Signal, 1),
	}
	t.Cleanup(f.slack.Close)
	f.slack.AddChannel(opsChannel, aiChannel)
	for _, name := range []string{"A", "B", "C"} {
		f.pages[name], f.urls[name] = newVendor(t, 0)
	}
	return f
}

// write writes the configuration: a [bot] and [slack] header, then body
// with PAGE_A, PAGE_B and PAGE_C standing for the pages' URLs.
func (f *reloadFixture) write(t *testing.T, bot, body string) {
	t.Helper()
	text := fmt.Sprintf("[bot]\nstate = %q\nlisten = \"127.0.0.1:0\"\n%s\n[slack]\nbot_token = \"xoxb-test\"\napi_url = %q\n%s", f.state, bot, f.slack.URL(), f.slackExtra) +
		strings.NewReplacer("PAGE_A", f.urls["A"], "PAGE_B", f.urls["B"], "PAGE_C", f.urls["C"]).Replace(body)
	// Written whole and renamed into place, as editors and tools do, so a
	// watch never reads half a file.
	tmp := f.path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, f.path); err != nil {
		t.Fatal(err)
	}
}

// start runs the bot on the file until the test ends, and waits for it
// to lead.
func (f *reloadFixture) start(t *testing.T, opts app.Options) *app.App {
	t.Helper()
	a, _ := runFile(t, f.path, f.hup, opts)
	waitFor(t, "the bot to lead", func() bool { return a.Role() == app.RoleLeader })
	return a
}

// runFile runs a bot on the configuration file at path until stop is
// called or the test ends.
func runFile(t *testing.T, path string, hup chan os.Signal, opts app.Options) (a *app.App, stop func()) {
	t.Helper()
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	opts.Dispatch = fastRetries
	if opts.Hangup == nil {
		opts.Hangup = hup
	}
	b := startWith(t, cfg, opts, nil)
	return b.app, b.stop
}

// roots are the top-level messages in channel about target.
func (f *reloadFixture) roots(channel, target string) []fakeslack.Message {
	var out []fakeslack.Message
	for _, m := range f.slack.Messages(channel) {
		if strings.Contains(m.Text, target) {
			out = append(out, m)
		}
	}
	return out
}

// waitThread waits until target's one thread in channel has n replies.
func (f *reloadFixture) waitThread(t *testing.T, channel, target string, replies int) fakeslack.Message {
	t.Helper()
	waitFor(t, fmt.Sprintf("%s's thread in %s with %d replies", target, channel, replies), func() bool {
		r := f.roots(channel, target)
		return len(r) == 1 && len(r[0].Replies) >= replies
	})
	return f.roots(channel, target)[0]
}

const (
	targetA = `
[[target]]
name = "Alpha"
type = "statuspage"
url = "PAGE_A"
interval = "1s"
timeout = "1s"
channels = ["ops"]
`
	targetB = `
[[target]]
name = "Bravo"
type = "statuspage"
url = "PAGE_B"
interval = "1s"
timeout = "1s"
channels = ["ops"]
`
	channelOps = `
[[channel]]
name = "ops"
slack = "` + opsChannel + `"
`
	channelOpsTemplated = `
[[channel]]
name = "ops"
slack = "` + opsChannel + `"
title_template = "RELOADED {{.Target}}: {{.Title}}"
`
	channelAI = `
[[channel]]
name = "ai"
slack = "` + aiChannel + `"
`
)

// Each kind of change is applied to a running bot while Alpha has an open
// outage: the change takes effect, and Alpha's outage goes on in its
// thread, announced once.
func TestReloadAppliesEachKindOfChange(t *testing.T) {
	silence := func() string {
		// The window is around the test's run, whatever the date.
		now := time.Now().UTC()
		return fmt.Sprintf("\n[[silence]]\ntargets = [\"Bravo\"]\nreason = \"migration\"\nstart = %q\nend = %q\n",
			now.Add(-time.Hour).Format(time.RFC3339), now.Add(24*time.Hour).Format(time.RFC3339))
	}
	digest := func(schedule string) string {
		return fmt.Sprintf("\n[[digest]]\nschedule = %q\nwindow = \"24h\"\nchannels = [\"ops\"]\n", schedule)
	}
	cases := []struct {
		name          string
		before, after string
		// alphaPage serves Alpha after the reload (default A).
		alphaPage string
		want      app.ReloadResult
		// beforeReload runs once Alpha's outage is announced; check once
		// the reload has returned.
		beforeReload func(t *testing.T, f *reloadFixture, a *app.App)
		check        func(t *testing.T, f *reloadFixture, a *app.App)
	}{{
		name:   "target added",
		before: channelOps + targetA,
		after:  channelOps + targetA + targetB,
		want:   app.ReloadResult{Targets: app.Changes{Added: []string{"Bravo"}}},
		check: func(t *testing.T, f *reloadFixture, a *app.App) {
			f.pages["B"].phase.Store(1)
			f.waitThread(t, opsChannel, "Bravo", 0)
		},
	}, {
		name:   "target removed",
		before: channelOps + targetA + targetB,
		after:  channelOps + targetA,
		want:   app.ReloadResult{Targets: app.Changes{Removed: []string{"Bravo"}}},
		beforeReload: func(t *testing.T, f *reloadFixture, a *app.App) {
			f.pages["B"].phase.Store(1)
			f.waitThread(t, opsChannel, "Bravo", 0)
		},
		check: func(t *testing.T, f *reloadFixture, a *app.App) {
			polls := f.pages["B"].polls.Load()
			waitPolls(t, f.pages["A"], 3)
			if got := f.pages["B"].polls.Load(); got != polls {
				t.Errorf("Bravo was polled %d times after the reload returned", got-polls)
			}
			if slices.ContainsFunc(a.Runner().Snapshots(), func(s bot.Snapshot) bool { return s.Name == "Bravo" }) {
				t.Error("Bravo is still shown")
			}
			// Kept open, not resolved: nobody saw it end.
			outs, err := a.Store().Outages(context.Background(), time.Time{}, "Bravo")
			if err != nil || len(outs) != 1 || !outs[0].ResolvedAt.IsZero() {
				t.Errorf("Bravo's outage must stay open in the store: %+v, %v", outs, err)
			}
			if r := f.roots(opsChannel, "Bravo"); len(r) != 1 || len(r[0].Replies) != 0 {
				t.Errorf("Bravo's thread changed after its removal: %+v", r)
			}
			// Configured again, Bravo resumes where it stopped: its outage
			// ended meanwhile, and the restoration goes into its thread.
			f.pages["B"].phase.Store(3)
			f.write(t, "", channelOps+targetA+targetB)
			if _, err := a.Reload(context.Background()); err != nil {
				t.Fatal(err)
			}
			// The vendor's update and its restoration, both missed.
			root := f.waitThread(t, opsChannel, "Bravo", 2)
			if last := root.Replies[len(root.Replies)-1]; !strings.Contains(last.Text, "1h 12m") {
				t.Errorf("Bravo's last reply is not the restoration: %q", last.Text)
			}
		},
	}, {
		name:      "target interval and url changed",
		before:    channelOps + targetA,
		after:     channelOps + strings.NewReplacer(`"PAGE_A"`, `"PAGE_C"`, `"1s"`, `"2s"`).Replace(targetA),
		alphaPage: "C",
		want:      app.ReloadResult{Targets: app.Changes{Changed: []string{"Alpha"}}},
		beforeReload: func(t *testing.T, f *reloadFixture, a *app.App) {
			f.pages["C"].phase.Store(1) // the page moved, the incident did not
		},
		check: func(t *testing.T, f *reloadFixture, a *app.App) {
			if j := a.Runner().Jobs(); len(j) != 1 || j[0].Interval != 2*time.Second {
				t.Errorf("jobs after the reload: %+v", j)
			}
			polls := f.pages["A"].polls.Load()
			waitPolls(t, f.pages["C"], 2)
			if got := f.pages["A"].polls.Load(); got != polls {
				t.Errorf("the old URL was polled %d times after the reload returned", got-polls)
			}
		},
	}, {
		name:   "channel added",
		before: channelOps + targetA,
		after:  channelOps + channelAI + targetA + strings.Replace(targetB, `["ops"]`, `["ai"]`, 1),
		want:   app.ReloadResult{Targets: app.Changes{Added: []string{"Bravo"}}, Channels: app.Changes{Added: []string{"ai"}}},
		check: func(t *testing.T, f *reloadFixture, a *app.App) {
			f.pages["B"].phase.Store(1)
			f.waitThread(t, aiChannel, "Bravo", 0)
		},
	}, {
		name:   "channel removed",
		before: channelOps + channelAI + strings.Replace(targetA, `["ops"]`, `["ops", "ai"]`, 1),
		after:  channelOps + targetA,
		want:   app.ReloadResult{Targets: app.Changes{Changed: []string{"Alpha"}}, Channels: app.Changes{Removed: []string{"ai"}}},
		beforeReload: func(t *testing.T, f *reloadFixture, a *app.App) {
			// #ai fails, so Alpha's announcement waits for it in the outbox.
			waitFor(t, "a delivery to #ai to wait", func() bool {
				n, err := a.Store().OutboxDepth(context.Background())
				return err == nil && n > 0
			})
		},
		check: func(t *testing.T, f *reloadFixture, a *app.App) {
			// Set aside as at start-up, not delivered or left queued.
			waitFor(t, "the outbox to empty", func() bool {
				n, err := a.Store().OutboxDepth(context.Background())
				return err == nil && n == 0
			})
			if m := f.slack.Messages(aiChannel); len(m) != 0 {
				t.Errorf("#ai got %d messages", len(m))
			}
		},
	}, {
		name:   "digest schedule changed",
		before: channelOps + targetA + digest("CRON_TZ=UTC 0 9 * * *"),
		after:  channelOps + targetA + digest("CRON_TZ=UTC 0 10 * * *"),
		want: app.ReloadResult{Digests: app.Changes{
			Added:   []string{app.DigestKey(0, config.Digest{Schedule: "CRON_TZ=UTC 0 10 * * *"})},
			Removed: []string{app.DigestKey(0, config.Digest{Schedule: "CRON_TZ=UTC 0 9 * * *"})}}},
		check: func(t *testing.T, f *reloadFixture, a *app.App) {
			// The new schedule is registered: its scheduler armed it.
			key := app.DigestKey(0, config.Digest{Schedule: "CRON_TZ=UTC 0 10 * * *"})
			future := time.Now().Add(24 * time.Hour)
			waitFor(t, "the new digest to be armed", func() bool {
				at, err := a.Store().DigestArmed(context.Background(), key, future)
				return err == nil && at.Before(future)
			})
		},
	}, {
		name:   "silence added",
		before: channelOps + targetA + targetB,
		after:  channelOps + targetA + targetB + silence(),
		want:   app.ReloadResult{Silences: true},
		check: func(t *testing.T, f *reloadFixture, a *app.App) {
			f.pages["B"].phase.Store(1)
			waitFor(t, "Bravo's outage", func() bool {
				outs, err := a.Store().Outages(context.Background(), time.Time{}, "Bravo")
				return err == nil && len(outs) == 1
			})
			status := a.Commands().Run(context.Background(), bot.Request{Text: "status"}).Text()
			if !strings.Contains(status, "silenced until") {
				t.Errorf("status does not show the silence:\n%s", status)
			}
			// Alpha's update below is delivered after Bravo's commit: had
			// Bravo been announced, it would be posted by then.
			t.Cleanup(func() {
				if r := f.roots(opsChannel, "Bravo"); len(r) != 0 {
					t.Errorf("Bravo was announced during its silence: %+v", r)
				}
			})
		},
	}, {
		name:   "template changed",
		before: channelOps + targetA + targetB,
		after:  channelOpsTemplated + targetA + targetB,
		want:   app.ReloadResult{Channels: app.Changes{Changed: []string{"ops"}}},
		check: func(t *testing.T, f *reloadFixture, a *app.App) {
			f.pages["B"].phase.Store(1)
			root := f.waitThread(t, opsChannel, "Bravo", 0)
			if !strings.Contains(root.Text, "RELOADED Bravo") {
				t.Errorf("Bravo's root is not from the new template: %q", root.Text)
			}
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newReloadFixture(t)
			f.write(t, "", tc.before)
			f.slack.SetChannelError(aiChannel, "")
			if tc.name == "channel removed" {
				f.slack.SetChannelError(aiChannel, "internal_error")
			}
			a := f.start(t, app.Options{})
			f.pages["A"].phase.Store(1)
			f.waitThread(t, opsChannel, "Alpha", 0)
			if tc.beforeReload != nil {
				tc.beforeReload(t, f, a)
			}

			f.write(t, "", tc.after)
			got, err := a.Reload(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !equalResult(got, tc.want) {
				t.Errorf("reload result\n got %+v\nwant %+v", got, tc.want)
			}
			if m := metrics(t, a); !strings.Contains(m, "\noutagebot_config_last_reload_successful 1\n") {
				t.Errorf("metrics after a reload:\n%s", grepLines(m, "outagebot_config"))
			}
			tc.check(t, f, a)

			// Alpha's outage goes on in its one thread: the update is a
			// reply, nothing is announced again.
			page := tc.alphaPage
			if page == "" {
				page = "A"
			}
			f.pages[page].phase.Store(2)
			root := f.waitThread(t, opsChannel, "Alpha", 1)
			if len(root.Replies) != 1 {
				t.Errorf("Alpha's thread after the reload: %+v", root.Replies)
			}
		})
	}
}

func equalResult(a, b app.ReloadResult) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// metrics fetches the bot's /metrics.
func metrics(t *testing.T, a *app.App) string {
	t.Helper()
	resp, err := http.Get("http://" + a.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// grepLines keeps the lines of text that contain word.
func grepLines(text, word string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// A file that does not load, or changes what only a restart changes, is
// refused whole: the old configuration runs on, the metric says 0, the
// problems are returned as check prints them. Fixing the file reloads it.
func TestReloadRefusesAnInvalidConfig(t *testing.T) {
	f := newReloadFixture(t)
	f.write(t, "", channelOps+targetA)
	a := f.start(t, app.Options{})
	f.pages["A"].phase.Store(1)
	f.waitThread(t, opsChannel, "Alpha", 0)
	before := grepLines(metrics(t, a), "outagebot_config_last_reload_success_timestamp_seconds ")
	if before == "" {
		t.Fatal("no outagebot_config_last_reload_success_timestamp_seconds")
	}

	for _, tc := range []struct {
		name, bot, body string
		want            []string
	}{{
		name: "invalid",
		body: channelOps + targetA + targetB + "\n[[target]]\nname = \"Charlie\"\ntype = \"statuspage\"\nurl = \"PAGE_C\"\nintervall = \"1m\"\n",
		want: []string{filepath.Base(f.path) + `:33: target["Charlie"].intervall: unknown key (did you mean interval?)`},
	}, {
		name: "restart only",
		bot:  "workers = 8",
		body: channelOps + targetA + targetB,
		want: []string{filepath.Base(f.path) + ":4: bot.workers: changed, but it only takes effect on a restart"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			f.write(t, tc.bot, tc.body)
			_, err := a.Reload(context.Background())
			refused, ok := err.(*app.RefusedError)
			if !ok {
				t.Fatalf("reload: %v, want it refused", err)
			}
			got := strings.Join(refused.Problems, "\n")
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("problems lack %q:\n%s", w, got)
				}
			}
			m := metrics(t, a)
			if !strings.Contains(m, "\noutagebot_config_last_reload_successful 0\n") {
				t.Errorf("metrics after a refused reload:\n%s", grepLines(m, "outagebot_config"))
			}
			if got := grepLines(m, "outagebot_config_last_reload_success_timestamp_seconds "); got != before {
				t.Errorf("the success timestamp moved on a refusal: %s, was %s", got, before)
			}
			if n := len(a.Runner().Jobs()); n != 1 {
				t.Errorf("%d targets run, want the old 1", n)
			}
		})
	}
	// The old configuration runs on: Alpha's update reaches its thread.
	f.pages["A"].phase.Store(2)
	f.waitThread(t, opsChannel, "Alpha", 1)

	f.write(t, "", channelOps+targetA+targetB)
	if _, err := a.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	m := metrics(t, a)
	if !strings.Contains(m, "\noutagebot_config_last_reload_successful 1\n") ||
		grepLines(m, "outagebot_config_last_reload_success_timestamp_seconds ") == before {
		t.Errorf("metrics after the file was fixed:\n%s", grepLines(m, "outagebot_config"))
	}
}

// POST /-/reload answers what changed (200) or what was refused (400), on
// the private listener only: the public one, which Slack reaches, has no
// such route.
func TestReloadEndpoint(t *testing.T) {
	f := newReloadFixture(t)
	bot := "public_listen = \"127.0.0.1:0\""
	f.slackExtra = "signing_secret = \"s3cret\"\n"
	f.write(t, bot, channelOps+targetA)
	a := f.start(t, app.Options{})
	post := func(addr string) (int, map[string]any) {
		t.Helper()
		resp, err := http.Post("http://"+addr+"/-/reload", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	if code, _ := post(a.PublicAddr()); code != http.StatusNotFound {
		t.Errorf("POST /-/reload on the public listener: %d, want 404", code)
	}

	f.write(t, bot, channelOps+targetB)
	code, body := post(a.Addr())
	want := map[string]any{
		"status":           "reloaded",
		"targets":          map[string]any{"added": []any{"Bravo"}, "removed": []any{"Alpha"}, "changed": nil},
		"channels":         map[string]any{"added": nil, "removed": nil, "changed": nil},
		"digests":          map[string]any{"added": nil, "removed": nil, "changed": nil},
		"routes_changed":   false,
		"silences_changed": false,
	}
	if code != http.StatusOK || fmt.Sprint(body) != fmt.Sprint(want) {
		t.Errorf("reload: %d %v\nwant 200 %v", code, body, want)
	}

	f.write(t, bot, channelOps+strings.Replace(targetB, `"1s"`, `"soon"`, 1))
	code, body = post(a.Addr())
	if code != http.StatusBadRequest || body["status"] != "refused" ||
		!strings.Contains(fmt.Sprint(body["errors"]), filepath.Base(f.path)+":") ||
		!strings.Contains(fmt.Sprint(body["errors"]), "interval") {
		t.Errorf("refused reload: %d %v", code, body)
	}
	if strings.Contains(fmt.Sprint(body), "s3cret") || strings.Contains(fmt.Sprint(body), "xoxb-test") {
		t.Errorf("a secret in the answer: %v", body)
	}
}

// SIGHUP reloads. The test routes the signal to the bot's channel, as Run
// does with its own when none is given.
func TestReloadOnSIGHUP(t *testing.T) {
	f := newReloadFixture(t)
	f.write(t, "", channelOps+targetA)
	signal.Notify(f.hup, syscall.SIGHUP)
	defer signal.Stop(f.hup)
	a := f.start(t, app.Options{})
	f.write(t, "", channelOps+targetA+targetB)
	self, err := os.FindProcess(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if err := self.Signal(syscall.SIGHUP); err != nil {
		t.Skipf("cannot send SIGHUP here: %v", err)
	}
	waitFor(t, "Bravo to be polled", func() bool { return f.pages["B"].polls.Load() > 0 })
	if n := len(a.Runner().Jobs()); n != 2 {
		t.Errorf("%d targets after SIGHUP, want 2", n)
	}
}

// With watch_config, saving the file reloads it; saving a broken file is
// refused and the running configuration stays.
func TestReloadOnFileChange(t *testing.T) {
	f := newReloadFixture(t)
	f.write(t, "watch_config = true", channelOps+targetA)
	a := f.start(t, app.Options{WatchDebounce: 10 * time.Millisecond})
	f.write(t, "watch_config = true", channelOps+targetA+targetB)
	waitFor(t, "Bravo to be polled", func() bool { return f.pages["B"].polls.Load() > 0 })

	f.write(t, "watch_config = true", channelOps+targetA+targetB+"[[target]]\n")
	waitFor(t, "the broken file to be refused", func() bool {
		return strings.Contains(metrics(t, a), "\noutagebot_config_last_reload_successful 0\n")
	})
	if n := len(a.Runner().Jobs()); n != 2 {
		t.Errorf("%d targets after a broken save, want the 2 running", n)
	}
	waitPolls(t, f.pages["B"], 2)
}

// Two replicas on one store, each with its own file. The standby validates
// its file and keeps it; the leader applies its own. When the standby takes
// over it leads with what it reloaded, and nothing is announced twice.
func TestReloadReplicas(t *testing.T) {
	for name, state := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "state.db") },
		"postgres": postgresSchema,
	} {
		t.Run(name, func(t *testing.T) {
			f := newReloadFixture(t)
			f.state = state(t)
			pathA := f.path
			f.write(t, "instance = \"a\"", channelOps+targetA)
			f.path = filepath.Join(t.TempDir(), "b.toml")
			f.write(t, "instance = \"b\"", channelOps+targetA)
			opts := app.Options{LeaseTTL: 600 * time.Millisecond}
			a, stopA := runFile(t, pathA, make(chan os.Signal, 1), opts)
			waitFor(t, "a to lead", func() bool { return a.Role() == app.RoleLeader })
			b, _ := runFile(t, f.path, make(chan os.Signal, 1), opts)
			waitFor(t, "b to stand by", func() bool { return b.Role() == app.RoleStandby })
			f.pages["A"].phase.Store(1)
			f.waitThread(t, opsChannel, "Alpha", 0)

			// The standby reloads first: it shows Bravo, but polls nothing.
			f.write(t, "instance = \"b\"", channelOps+targetA+targetB)
			if res, err := b.Reload(context.Background()); err != nil || len(res.Targets.Added) != 1 {
				t.Fatalf("standby reload: %+v %v", res, err)
			}
			if !slices.ContainsFunc(b.Runner().Snapshots(), func(s bot.Snapshot) bool { return s.Name == "Bravo" }) {
				t.Error("the standby does not show Bravo")
			}
			waitPolls(t, f.pages["A"], 2)
			if n := f.pages["B"].polls.Load(); n != 0 {
				t.Errorf("Bravo polled %d times before the leader reloaded", n)
			}
			// A refused file on the standby leaves it as it was.
			f.write(t, "instance = \"b\"", "[[target]]\n")
			if _, err := b.Reload(context.Background()); err == nil {
				t.Error("the standby took a broken file")
			}
			f.write(t, "instance = \"b\"", channelOps+targetA+targetB)
			if _, err := b.Reload(context.Background()); err != nil {
				t.Fatal(err)
			}

			// The leader's own file has not changed: its reload changes
			// nothing. The standby takes over with its reloaded file.
			f.path = pathA
			if res, err := a.Reload(context.Background()); err != nil || !res.Empty() {
				t.Fatalf("leader reload of an unchanged file: %+v %v", res, err)
			}
			f.pages["B"].phase.Store(1)
			stopA()
			waitFor(t, "b to lead", func() bool { return b.Role() == app.RoleLeader })
			f.waitThread(t, opsChannel, "Bravo", 0)
			f.pages["A"].phase.Store(2)
			f.waitThread(t, opsChannel, "Alpha", 1)
		})
	}
}
