package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/httpapi"
)

// botServer serves the bot's real health endpoints; live is what /livez
// reports.
func botServer(t *testing.T, live error) (srv *httptest.Server, port string) {
	t.Helper()
	ok := func(context.Context) error { return nil }
	liveCheck := func(context.Context) error { return live }
	srv = httptest.NewServer(httpapi.Handler(ok, liveCheck, func() string { return "leader" }, prometheus.NewRegistry(), nil))
	t.Cleanup(srv.Close)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return srv, port
}

func TestHealthcheck(t *testing.T) {
	up, upPort := botServer(t, nil)
	dead, _ := botServer(t, errors.New("the scheduler stopped"))
	redirect := httptest.NewServer(http.RedirectHandler("/elsewhere", http.StatusFound))
	t.Cleanup(redirect.Close)
	hangup := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(hangup.Close)
	// Never answers: only the client's own deadline ends the request.
	release := make(chan struct{})
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); silent.Close() })
	t.Setenv("HEALTHCHECK_TEST_PORT", upPort)

	tests := []struct {
		name   string
		args   []string
		config string // written to a file passed as --config
		code   int
		stdout string // substring
		stderr string // substring
	}{
		{name: "url without a path asks /livez", args: []string{"--url", up.URL}, code: 0, stdout: "GET " + up.URL + "/livez: 200 OK {\"role\":\"leader\",\"status\":\"ok\"}"},
		{name: "url with a path", args: []string{"--url", up.URL + "/readyz"}, code: 0, stdout: "/readyz: 200 OK"},
		{name: "bare address", args: []string{"--url", strings.TrimPrefix(up.URL, "http://")}, code: 0, stdout: up.URL + "/livez: 200 OK"},
		{name: "unhealthy says why", args: []string{"--url", dead.URL}, code: 1,
			stderr: "outagebot healthcheck: GET " + dead.URL + "/livez: 503 Service Unavailable: {\"error\":\"the scheduler stopped\",\"role\":\"leader\",\"status\":\"unhealthy\"}"},
		{name: "redirect is not followed", args: []string{"--url", redirect.URL}, code: 1, stderr: "302 Found"},
		{name: "connection closed", args: []string{"--url", hangup.URL}, code: 1, stderr: "GET " + hangup.URL + "/livez: EOF"},
		{name: "no answer in time", args: []string{"--url", silent.URL, "--timeout", "50ms"}, code: 1, stderr: "GET " + silent.URL + "/livez: no answer within 50ms"},
		{name: "config listen", config: "[bot]\nlisten = \"127.0.0.1:" + upPort + "\"\n", code: 0, stdout: "GET http://127.0.0.1:" + upPort + "/livez: 200 OK"},
		{name: "config listen on every interface asks loopback", config: "[bot]\nlisten = \"0.0.0.0:" + upPort + "\"\n", code: 0, stdout: "GET http://127.0.0.1:" + upPort + "/livez: 200 OK"},
		{name: "config listen with only a port", config: "[bot]\nlisten = \":" + upPort + "\"\n", code: 0, stdout: "GET http://127.0.0.1:" + upPort + "/livez: 200 OK"},
		{name: "config listen from the environment", config: "[bot]\nlisten = \"127.0.0.1:${HEALTHCHECK_TEST_PORT}\"\n", code: 0, stdout: "200 OK"},
		{name: "the rest of the file is not checked", config: "[bot]\nlisten = \"127.0.0.1:" + upPort + "\"\nstate = \"postgres://u:${UNSET_SECRET_FOR_TEST}@db/x\"\n[nonsense]\nkey = 1\n", code: 0, stdout: "200 OK"},
		{name: "config listen from an unset variable", config: "[bot]\nlisten = \"${HEALTHCHECK_TEST_UNSET}\"\n", code: 1, stderr: "bot.listen: environment variable HEALTHCHECK_TEST_UNSET is not set"},
		{name: "http server off", config: "[bot]\nlisten = \"\"\n", code: 1, stderr: `bot.listen is "": the HTTP server is off`},
		{name: "random port", config: "[bot]\nlisten = \"127.0.0.1:0\"\n", code: 1, stderr: "picks a random port"},
		{name: "syntax error", config: "[bot\n", code: 1, stderr: "reading [bot] listen"},
		{name: "missing file", args: []string{"--config", "/nonexistent/outagebot.toml"}, code: 1, stderr: "reading the configuration: open /nonexistent/outagebot.toml"},
		{name: "both url and config", args: []string{"--url", up.URL, "--config", "x.toml"}, code: exitUsage, stderr: "--url and --config both given"},
		{name: "unknown flag", args: []string{"--nope"}, code: exitUsage, stderr: "Run 'outagebot healthcheck --help'"},
		{name: "stray argument", args: []string{up.URL}, code: exitUsage, stderr: "unexpected argument"},
		{name: "bad scheme", args: []string{"--url", "ftp://127.0.0.1:1/"}, code: exitUsage, stderr: "the scheme must be http or https"},
		{name: "bad timeout", args: []string{"--url", up.URL, "--timeout", "0s"}, code: exitUsage, stderr: "--timeout must be positive"},
		{name: "help", args: []string{"--help"}, code: 0, stdout: "Usage: outagebot healthcheck"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"healthcheck"}, tt.args...)
			if tt.config != "" {
				args = append(args, "--config", writeConfig(t, tt.config))
			}
			code, stdout, stderr := runCLI(args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.stdout) {
				t.Errorf("stdout %q, want it to contain %q", stdout, tt.stdout)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q, want it to contain %q", stderr, tt.stderr)
			}
			if (code != 0) != (stderr != "") {
				t.Errorf("exit %d with stderr %q: a failure must say why, a success nothing", code, stderr)
			}
		})
	}
}

// Without --url or --config the configuration is found as every command
// finds it; with none found, the default address is asked.
func TestHealthcheckFindsConfig(t *testing.T) {
	_, port := botServer(t, nil)
	path := writeConfig(t, "[bot]\nlisten = \"127.0.0.1:"+port+"\"\n")
	env := procEnv{lookupEnv: func(k string) (string, bool) {
		if k == envConfig {
			return path, true
		}
		return "", false
	}}
	code, stdout, stderr := runCLIIn(env, "healthcheck")
	if code != 0 || !strings.Contains(stdout, "GET http://127.0.0.1:"+port+"/livez: 200 OK") {
		t.Errorf("with %s set: exit %d, stdout %q, stderr %q", envConfig, code, stdout, stderr)
	}

	// Nothing found: the default address. Whether a bot answers there on
	// this machine is not for the test to know; which URL was asked is.
	none := procEnv{lookupEnv: func(string) (string, bool) { return "", false }, configFiles: []string{filepath.Join(t.TempDir(), "absent.toml")}}
	code, stdout, stderr = runCLIIn(none, "healthcheck", "--timeout", "1s")
	if out := stdout + stderr; !strings.Contains(out, "GET http://"+config.DefaultListen+"/livez: ") {
		t.Errorf("with no configuration: exit %d, output %q; want the default address asked", code, out)
	}
}

func TestListenURL(t *testing.T) {
	tests := []struct {
		listen, want, err string
	}{
		{listen: "127.0.0.1:8080", want: "http://127.0.0.1:8080/livez"},
		{listen: "0.0.0.0:8080", want: "http://127.0.0.1:8080/livez"},
		{listen: ":9090", want: "http://127.0.0.1:9090/livez"},
		{listen: "[::]:8080", want: "http://[::1]:8080/livez"},
		{listen: "[::1]:8080", want: "http://[::1]:8080/livez"},
		{listen: "10.0.0.7:8080", want: "http://10.0.0.7:8080/livez"},
		{listen: "localhost:8080", want: "http://localhost:8080/livez"},
		{listen: "", err: `bot.listen is "": the HTTP server is off, so there is no /livez to ask (set bot.listen, or pass --url)`},
		{listen: "8080", err: `bot.listen "8080" is not host:port: address 8080: missing port in address`},
		{listen: "127.0.0.1:0", err: `bot.listen "127.0.0.1:0" picks a random port: pass --url with the port the bot reports at start`},
	}
	for _, tt := range tests {
		got, err := listenURL(tt.listen)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("listenURL(%q) error %v, want %q", tt.listen, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("listenURL(%q) = %q, %v; want %q", tt.listen, got, err, tt.want)
		}
	}
}

// With no listen key the bot serves on the default address, and so the
// health check asks it there; with neither flag, too.
func TestHealthcheckDefaultAddress(t *testing.T) {
	path := writeConfig(t, "[[target]]\nvendor = \"github\"\n")
	got, err := configuredListen(path, os.LookupEnv)
	if err != nil || got != config.DefaultListen {
		t.Errorf("configuredListen = %q, %v; want %q", got, err, config.DefaultListen)
	}
	got, err = configuredListen(writeConfig(t, "[bot]\nstate = \"x.db\"\n"), os.LookupEnv)
	if err != nil || got != config.DefaultListen {
		t.Errorf("configuredListen without listen in [bot] = %q, %v; want %q", got, err, config.DefaultListen)
	}
}

// The image's HEALTHCHECK runs `healthcheck --config /config/outagebot.toml`
// against the configuration baked into the image: it must be valid, listen
// where the check asks, and keep its state in the /data volume.
func TestImageConfig(t *testing.T) {
	const path = "../../deploy/image/outagebot.toml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("deploy/image/outagebot.toml", data, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("the image's configuration is invalid: %v", err)
	}
	if cfg.Bot.Listen != "0.0.0.0:8080" || cfg.Bot.State != "/data/outagebot.db" {
		t.Errorf("listen %q, state %q; want 0.0.0.0:8080 and /data/outagebot.db", cfg.Bot.Listen, cfg.Bot.State)
	}
	listen, err := configuredListen(path, os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := listenURL(listen); err != nil || u != "http://127.0.0.1:8080/livez" {
		t.Errorf("the HEALTHCHECK asks %q, %v; want http://127.0.0.1:8080/livez", u, err)
	}
}
