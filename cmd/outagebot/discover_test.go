package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const minimalConfig = `
[[target]]
name = "GitHub"
type = "statuspage"
url = "https://www.githubstatus.com"
`

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// The configuration file is --config, else OUTAGEBOT_CONFIG, else
// ./outagebot.toml, else the system file; check says which it read, and
// with none an error lists where it looked.
func TestConfigDiscovery(t *testing.T) {
	tests := []struct {
		name          string
		flag, env     string // "" = not given; paths relative to the temp dir
		local, system bool   // whether ./outagebot.toml and the system file exist
		want          string // the file check reads; "" = none found
		wantFrom      string
	}{
		{name: "flag wins over everything", flag: "named.toml", env: "env.toml", local: true, system: true, want: "named.toml", wantFrom: "--config"},
		{name: "environment before the files", env: "env.toml", local: true, system: true, want: "env.toml", wantFrom: envConfig},
		{name: "working directory before the system", local: true, system: true, want: localConfig, wantFrom: "search"},
		{name: "system file last", system: true, want: "etc/outagebot/outagebot.toml", wantFrom: "search"},
		{name: "nothing anywhere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			system := filepath.Join(dir, "etc/outagebot/outagebot.toml")
			env := procEnv{lookupEnv: os.LookupEnv, configFiles: []string{localConfig, system}}
			for _, f := range []string{"named.toml", "env.toml"} {
				writeFile(t, f, minimalConfig)
			}
			if tt.local {
				writeFile(t, localConfig, minimalConfig)
			}
			if tt.system {
				writeFile(t, system, minimalConfig)
			}
			t.Setenv(envConfig, tt.env)
			args := []string{"check"}
			if tt.flag != "" {
				args = append(args, "--config", tt.flag)
			}

			found, err := env.findConfig(tt.flag)
			code, out, errOut := runCLIIn(env, args...)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("found %+v", found)
				}
				for _, place := range []string{"--config FILE", envConfig, "./outagebot.toml", system} {
					if !strings.Contains(errOut, place) {
						t.Errorf("error does not name %s:\n%s", place, errOut)
					}
				}
				if code != exitUsage {
					t.Errorf("exit %d, want %d", code, exitUsage)
				}
				return
			}
			want := tt.want
			if strings.HasPrefix(want, "etc/") {
				want = system
			}
			if err != nil || found.path != want || found.from != tt.wantFrom {
				t.Errorf("found %+v, %v; want %s from %s", found, err, want, tt.wantFrom)
			}
			if code != exitOK || !strings.Contains(out, "\n"+want+": OK (1 targets") {
				t.Errorf("check: exit %d, stdout %q, stderr %q; want %s checked", code, out, errOut, want)
			}
		})
	}
}

// A file that --config or OUTAGEBOT_CONFIG names is read even when it is
// missing, so that a typo is reported instead of another file used.
func TestConfigNamedButMissing(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, localConfig, minimalConfig)
	for _, tt := range []struct {
		flag, env string
	}{
		{flag: "typo.toml"},
		{env: "typo.toml"},
	} {
		t.Setenv(envConfig, tt.env)
		args := []string{"once"}
		if tt.flag != "" {
			args = append(args, "--config", tt.flag)
		}
		code, _, errOut := runCLI(args...)
		if code != exitConfig || !strings.Contains(errOut, "typo.toml") {
			t.Errorf("%+v: exit %d, stderr %q; want %d naming typo.toml", tt, code, errOut, exitConfig)
		}
		if code, _, errOut := runCLI(append([]string{"check"}, args[1:]...)...); code != exitFailure || !strings.Contains(errOut, "typo.toml") {
			t.Errorf("%+v: check exit %d, stderr %q; want %d", tt, code, errOut, exitFailure)
		}
	}
}

// check takes the file as an argument, as well as with --config.
func TestCheckFileArgument(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv(envConfig, "")
	writeFile(t, "a.toml", minimalConfig)
	writeFile(t, "b.toml", "[bot]\nlisen = 1\n")
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"a.toml"}, exitOK, "a.toml: OK (1 targets"},
		{[]string{"--config", "a.toml", "a.toml"}, exitOK, "a.toml: OK (1 targets"},
		{[]string{"--online=false", "a.toml"}, exitOK, "a.toml: OK (1 targets"},
		{[]string{"b.toml"}, exitFailure, "b.toml:2: bot.lisen: unknown key (did you mean listen?)"},
		{[]string{"--config", "a.toml", "b.toml"}, exitUsage, "two files named: --config a.toml and b.toml"},
		{[]string{"a.toml", "b.toml"}, exitUsage, "one configuration file at a time, not 2"},
	}
	for _, tt := range tests {
		code, out, errOut := runCLI(append([]string{"check"}, tt.args...)...)
		if code != tt.code || !strings.Contains(out+errOut, tt.out) {
			t.Errorf("check %q: exit %d, %q %q; want %d and %q", tt.args, code, out, errOut, tt.code, tt.out)
		}
	}
}

// run's first log line names the file and what chose it, in the format the
// flags or the environment ask for.
func TestRunFirstLogLine(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	path := filepath.Join(dir, "bot.toml")
	writeFile(t, path, fmt.Sprintf(`
[bot]
state = %q
listen = "127.0.0.1:0"
log_format = "json"
[[target]]
name = "GitHub"
type = "statuspage"
url = "http://127.0.0.1:1"
`, filepath.Join(dir, "state.db")))
	tests := []struct {
		name     string
		args     []string
		envLevel string
		envFmt   string
		json     bool   // whether the line is JSON
		from     string // config_from
		silent   bool   // the line is below the level
	}{
		{name: "config file's format", args: []string{"--config", path}, json: true, from: "--config"},
		{name: "environment over the file", envFmt: "text", json: false, from: envConfig},
		{name: "flag over the environment", args: []string{"--log-format", "json"}, envFmt: "text", json: true, from: envConfig},
		{name: "level from the environment", envLevel: "warn", from: envConfig, silent: true},
		{name: "level flag over the environment", args: []string{"--log-level", "debug"}, envLevel: "error", json: true, from: envConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(envConfig, path)
			t.Setenv(envLogLevel, tt.envLevel)
			t.Setenv(envLogFormat, tt.envFmt)
			// A stopped context: the bot starts and stops at once, after
			// its first line.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var out, errb syncWriter
			cmdRun(ctx, testEnv(), tt.args, &out, &errb)
			first, _, _ := strings.Cut(errb.String(), "\n")
			if tt.silent {
				if strings.Contains(first, "configuration loaded") {
					t.Errorf("info line at warn level: %s", first)
				}
				return
			}
			if tt.json {
				var line struct {
					Msg  string `json:"msg"`
					Conf string `json:"config"`
					From string `json:"config_from"`
				}
				if err := json.Unmarshal([]byte(first), &line); err != nil || line.Msg != "configuration loaded" || line.Conf != path || line.From != tt.from {
					t.Errorf("first line %q (%v), want JSON naming %s from %s", first, err, path, tt.from)
				}
				return
			}
			want := fmt.Sprintf(`msg="configuration loaded" config=%s config_from=%s`, path, tt.from)
			if !strings.HasPrefix(first, "time=") || !strings.Contains(first, want) {
				t.Errorf("first line %q, want text with %q", first, want)
			}
		})
	}
}

// A wrong value in a logging flag or variable is a usage error naming
// where it came from; flags override the environment, which overrides the
// fallback.
func TestLogSettings(t *testing.T) {
	str := func(s string) *string { return &s }
	tests := []struct {
		name              string
		flagLevel, flagFm string
		env               map[string]string
		wantLevel         string
		wantFormat        string
		err               string
	}{
		{name: "fallback", wantLevel: "INFO", wantFormat: "text"},
		{name: "environment", env: map[string]string{envLogLevel: "debug", envLogFormat: "json"}, wantLevel: "DEBUG", wantFormat: "json"},
		{name: "flags win", flagLevel: "error", flagFm: "text", env: map[string]string{envLogLevel: "debug", envLogFormat: "json"}, wantLevel: "ERROR", wantFormat: "text"},
		{name: "case does not matter", flagLevel: "WARN", flagFm: "JSON", wantLevel: "WARN", wantFormat: "json"},
		{name: "bad flag", flagLevel: "loud", err: `--log-level: log level "loud" is not one of debug, info, warn, error`},
		{name: "bad variable", env: map[string]string{envLogFormat: "xml"}, err: `OUTAGEBOT_LOG_FORMAT: log format "xml" is not one of text, json`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			s, err := logFlags{level: str(tt.flagLevel), format: str(tt.flagFm)}.resolve(lookup, "info", "text")
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Errorf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || s.level.String() != tt.wantLevel || s.format != tt.wantFormat {
				t.Errorf("got %v %s, %v; want %s %s", s.level, s.format, err, tt.wantLevel, tt.wantFormat)
			}
		})
	}
	t.Setenv(envLogLevel, "verbose")
	if code, _, errOut := runCLI("once", "--config", writeConfig(t, minimalConfig)); code != exitUsage || !strings.Contains(errOut, envLogLevel) {
		t.Errorf("once with a bad %s: exit %d, %q", envLogLevel, code, errOut)
	}
}
