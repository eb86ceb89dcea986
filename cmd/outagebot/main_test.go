package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixtures are the lifecycle phases of a Statuspage page, shared with the
// app's end-to-end tests.
const fixtures = "../../app/testdata/lifecycle"

func serveFixture(t *testing.T, phase string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := os.ReadFile(filepath.Join(fixtures, phase, filepath.Base(r.URL.Path)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "outagebot.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// testEnv is the process environment the CLI tests run in: the real
// variables (tests set them with t.Setenv), and no configuration file
// outside the working directory, so that no test reads /etc.
func testEnv() procEnv {
	return procEnv{lookupEnv: os.LookupEnv, configFiles: []string{localConfig}}
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	return runCLIIn(testEnv(), args...)
}

func runCLIIn(env procEnv, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = runIn(env, args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestOnceJSONContract(t *testing.T) {
	vendor := serveFixture(t, "2-investigating")
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html><body>502 Bad Gateway</body></html>")
	}))
	defer down.Close()
	path := writeConfig(t, fmt.Sprintf(`
[bot]
state = "unused.db"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
[[target]]
name = "Broken"
type = "statuspage"
url = %q
`, vendor.URL, down.URL))

	code, stdout, stderr := runCLI("once", "--config", path, "--json")
	// An outage and an unreadable target: the outage decides.
	if code != exitFailure {
		t.Fatalf("exit %d, want %d: %s", code, exitFailure, stderr)
	}
	// The shape is the contract: decode strictly into it.
	var got struct {
		Targets []struct {
			Name       string `json:"name"`
			Status     string `json:"status"`
			Reachable  bool   `json:"reachable"`
			Error      string `json:"error"`
			Components []struct {
				Name   string `json:"name"`
				Status string `json:"status"`
			} `json:"components"`
			Incidents []struct {
				Title     string `json:"title"`
				Status    string `json:"status"`
				StartedAt string `json:"started_at"`
			} `json:"incidents"`
			// Spelled out rather than the product's own types, so that a
			// renamed field fails here.
			Maintenances []struct {
				Title      string   `json:"title"`
				Status     string   `json:"status"`
				StartedAt  string   `json:"started_at"`
				EndsAt     string   `json:"ends_at"`
				Components []string `json:"components"`
			} `json:"maintenances"`
			Locations []struct {
				Name      string  `json:"name"`
				Status    string  `json:"status"`
				Failing   bool    `json:"failing"`
				LatencyMS float64 `json:"latency_ms"`
				Error     string  `json:"error"`
			} `json:"locations"`
		} `json:"targets"`
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("output is not the contract JSON: %v\n%s", err, stdout)
	}
	// Errors name the test server's random port: normalise for the golden.
	normal := regexp.MustCompile(`127\.0\.0\.1:\d+`).ReplaceAllString(stdout, "127.0.0.1:PORT")
	golden(t, "once.json.golden", normal)
	if got.Targets[1].Status != "unknown" || got.Targets[1].Reachable || !strings.Contains(got.Targets[1].Error, "HTTP 502") {
		t.Errorf("broken target = %+v", got.Targets[1])
	}
}

// TestOnceJSONMaintenances: a maintenance in progress is listed with when
// work began (not when it was announced), and one announced ahead with its
// planned start; the table says the same.
func TestOnceJSONMaintenances(t *testing.T) {
	const dir = "../../sources/statuspage/testdata/maintenance-major/"
	serve := func(file string) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/api/v2/summary.json" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			http.ServeFile(w, r, dir+file)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	path := writeConfig(t, fmt.Sprintf(`
[bot]
state = "unused.db"
[[target]]
name = "Now"
type = "statuspage"
url = %q
[[target]]
name = "Later"
type = "statuspage"
url = %q
`, serve("summary.json").URL, serve("scheduled.json").URL))

	code, stdout, stderr := runCLI("once", "--config", path, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got onceJSON
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	// The field names are the contract: read them as plain JSON too.
	var raw struct {
		Targets []struct {
			Maintenances []map[string]any `json:"maintenances"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
		t.Fatal(err)
	}
	wantRaw := map[string]any{
		"title": "File storage cluster move", "status": "in_progress",
		"started_at": "2024-06-04T09:00:05Z", "ends_at": "2024-06-04T10:30:00Z",
		"components": []any{"Files"},
	}
	if len(raw.Targets) == 0 || len(raw.Targets[0].Maintenances) != 1 || !reflect.DeepEqual(raw.Targets[0].Maintenances[0], wantRaw) {
		t.Errorf("maintenances as JSON = %v, want [%v]", raw.Targets, wantRaw)
	}
	want := [][]onceMaintenance{
		{{Title: "File storage cluster move", Status: "in_progress", StartedAt: "2024-06-04T09:00:05Z", EndsAt: "2024-06-04T10:30:00Z", Components: []string{"Files"}}},
		{{Title: "File storage cluster move", Status: "scheduled", StartedAt: "2024-06-04T09:00:00Z", EndsAt: "2024-06-04T10:30:00Z", Components: []string{"Files"}}},
	}
	for i, tg := range got.Targets {
		if fmt.Sprint(tg.Maintenances) != fmt.Sprint(want[i]) {
			t.Errorf("%s: maintenances = %+v, want %+v", tg.Name, tg.Maintenances, want[i])
		}
		if tg.Name == "Now" && tg.Status != "maintenance" {
			t.Errorf("%s: status %s, want maintenance", tg.Name, tg.Status)
		}
	}

	_, table, _ := runCLI("once", "--config", path)
	for _, line := range []string{"maintenance File storage cluster move (Files) for ", "until Jun 4 10:30 UTC", "maintenance scheduled Jun 4 09:00 UTC: File storage cluster move"} {
		if !strings.Contains(table, line) {
			t.Errorf("table lacks %q:\n%s", line, table)
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update to accept):\n%s", path, got)
	}
}

func TestCheck(t *testing.T) {
	good := writeConfig(t, `
[[target]]
name = "GitHub"
type = "statuspage"
url = "https://www.githubstatus.com"
`)
	if code, out, errOut := runCLI("check", "--config", good); code != 0 || !strings.Contains(out, ": OK (1 targets") {
		t.Errorf("good config: exit %d, %q %q", code, out, errOut)
	}
	if code, _, _ := runCLI("check", "--config", "../../config.example.toml"); code != 0 {
		t.Errorf("the shipped example config does not pass check")
	}

	// Each webhook channel is named with the platform it is taken for, its
	// token redacted.
	hooks := writeConfig(t, `
[[channel]]
name = "discord-v10"
webhook_url = "https://discord.com/api/v10/webhooks/1234567890123456789/s3cr3t-d1sc0rd-t0ken"

[[channel]]
name = "discord-slack-compatible"
webhook_url = "https://canary.discordapp.com/api/webhooks/1234567890123456789/s3cr3t-d1sc0rd-t0ken/slack?thread_id=1100000000000000001"

[[channel]]
name = "slack"
webhook_url = "https://hooks.slack.com/services/T00000000/B00000000/s3cr3tS1ackT0ken"

[[target]]
name = "GitHub"
type = "statuspage"
url = "https://www.githubstatus.com"
channels = ["discord-v10", "discord-slack-compatible", "slack"]
`)
	code, out, errOut := runCLI("check", "--config", hooks)
	if code != 0 {
		t.Fatalf("webhooks: exit %d, %q %q", code, out, errOut)
	}
	for _, want := range []string{
		hooks + `:2: channel "discord-v10": webhook_url is a Discord webhook (https://discord.com/api/v10/webhooks/1234567890123456789/[redacted])`,
		hooks + `:6: channel "discord-slack-compatible": webhook_url is a Discord webhook (https://canary.discordapp.com/api/webhooks/1234567890123456789/[redacted]/slack?thread_id=1100000000000000001)`,
		hooks + `:10: channel "slack": webhook_url is a Slack webhook (https://hooks.slack.com/services/T00000000/B00000000/[redacted])`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out+errOut, "s3cr3t") {
		t.Errorf("a token is in the output:\n%s%s", out, errOut)
	}

	bad := writeConfig(t, `[bot]
lisen = "127.0.0.1:8080"

[[target]]
name = "GitHub"
type = "statuspage"
url = "not a url"
interval = "soon"
`)
	code, out, errOut = runCLI("check", "--config", bad)
	if code != 1 || out != "" {
		t.Fatalf("bad config: exit %d, stdout %q", code, out)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 problems, got:\n%s", errOut)
	}
	for _, l := range lines {
		if !regexp.MustCompile(`^` + regexp.QuoteMeta(bad) + `:\d+: `).MatchString(l) {
			t.Errorf("not FILE:LINE: message: %q", l)
		}
	}
	for _, want := range []string{":2: bot.lisen: unknown key (did you mean listen?)", `:7: target["GitHub"].url`, `:8: target["GitHub"].interval`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("missing %q in:\n%s", want, errOut)
		}
	}

	if code, _, errOut := runCLI("check", "--config", filepath.Join(t.TempDir(), "missing.toml")); code != 1 || !strings.Contains(errOut, "missing.toml") {
		t.Errorf("missing file: exit %d, %q", code, errOut)
	}
	t.Setenv(envConfig, "")
	t.Chdir(t.TempDir())
	if code, _, _ := runCLI("check"); code != exitUsage {
		t.Errorf("no configuration file anywhere: exit %d, want %d", code, exitUsage)
	}
}

func TestUsageAndVersion(t *testing.T) {
	if code, _, errOut := runCLI(); code != exitUsage || !strings.Contains(errOut, "Usage:") {
		t.Errorf("no args: %d %q", code, errOut)
	}
	if code, _, errOut := runCLI("frobnicate"); code != exitUsage || !strings.Contains(errOut, `unknown command "frobnicate"`) || strings.Count(errOut, "\n") > 3 {
		t.Errorf("unknown command: want a short usage and exit %d, got %d %q", exitUsage, code, errOut)
	}
	if code, out, _ := runCLI("version"); code != 0 || !strings.HasPrefix(out, "outagebot ") {
		t.Errorf("version: %d %q", code, out)
	}
	if code, out, _ := runCLI("vendors"); code != 0 || !regexp.MustCompile(`(?m)^github\s+GitHub\s+code\s+statuspage\s+https://www.githubstatus.com`).MatchString(out) {
		t.Errorf("vendors: %d\n%s", code, out)
	}
}

// run must stop cleanly on cancellation (SIGINT/SIGTERM cancel the same
// context) and leave a usable state file behind.
func TestRunStopsOnCancel(t *testing.T) {
	vendor := serveFixture(t, "1-operational")
	state := filepath.Join(t.TempDir(), "state.db")
	path := writeConfig(t, fmt.Sprintf(`
[bot]
state = %q
listen = "127.0.0.1:0"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
`, state, vendor.URL))
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncWriter
	done := make(chan int)
	go func() { done <- cmdRun(ctx, testEnv(), []string{"--config", path}, &out, &errb) }()
	waitUntil(t, func() bool { return strings.Contains(out.String(), "Watching 1 target.") })
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "outagebot stopped") {
		t.Errorf("no clean stop in the log:\n%s", errb.String())
	}
	if _, err := os.Stat(state); err != nil {
		t.Errorf("state file: %v", err)
	}
}

// check says which URL each feed target polls from, and what was configured
// when that differs, hiding query values and credentials.
func TestCheckShowsNormalisedURLs(t *testing.T) {
	path := writeConfig(t, `
[[target]]
name = "OpenAI"
type = "statuspage"
url = "https://status.openai.com/api/v2/summary.json"

[[target]]
name = "Slack"
type = "slackstatus"
url = "https://slack-status.com/api/v2.0.0/current"

[[target]]
name = "GitHub"
type = "statuspage"
url = "https://www.githubstatus.com"

[[target]]
name = "Nimbus"
type = "incidentio"
url = "https://Status.Example.com/api/v2/incidents.json?utm_source=chat&page_token=s3cret"

[[target]]
name = "Private feed"
type = "feed"
url = "https://status.example.com/history.atom?lang=en&k=s3cret"

[[target]]
name = "GitLab"
type = "statusio"
url = "https://status.gitlab.com/pages/history/5b36dc6502d06804c08349f7"

[[target]]
name = "Intranet"
type = "cachet"
url = "https://ops:s3cret@example.com/status/api/v1/components/"

[[target]]
name = "API"
type = "http"
url = "https://api.example.com/healthz?key=s3cret"
`)
	code, out, errOut := runCLI("check", "--config", path)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if strings.Contains(out, "s3cret") {
		t.Errorf("check printed a secret:\n%s", out)
	}
	golden(t, "check-urls.golden", strings.ReplaceAll(out, path, "FILE"))
}
