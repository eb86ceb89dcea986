package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/outagebot/outagebot/config"
)

// healthcheckBodyLimit bounds what is read of the answer: the health
// endpoints answer a line of JSON, and the reason goes to stderr.
const healthcheckBodyLimit = 4 << 10

// cmdHealthcheck asks a running bot's /livez whether the process works: exit
// 0 on 200, 1 otherwise with the reason on stderr. It is the image's
// HEALTHCHECK, so it needs no shell or curl. It never exits 2, which
// Docker reserves.
func cmdHealthcheck(ctx context.Context, env procEnv, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("healthcheck",
		"Asks a running bot's /livez (is the process working) and exits 0 when it answers 200.\n"+
			"The address is --url, else [bot] listen of the configuration file, else the default\n"+
			config.DefaultListen+"; a listen address on every interface is asked on loopback. Only\n"+
			"[bot] listen is read: the rest of the file is check's business.\n\n"+
			"Exit status: 0 healthy; 1 not (the status and answer, or the connection error, on\n"+
			"stderr); 64 usage error.",
		"outagebot healthcheck --config /config/outagebot.toml\noutagebot healthcheck --url http://127.0.0.1:8080/readyz")
	rawURL := fs.String("url", "", "ask `URL`, like http://127.0.0.1:8080/livez (one without a path asks /livez)")
	path := configFlag(fs)
	timeout := fs.Duration("timeout", 2*time.Second, "how long to wait for the answer")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if code, ok := noArgs(fs, stderr); !ok {
		return code
	}
	if *rawURL != "" && *path != "" {
		return usageError(fs, stderr, "--url and --config both given: use one")
	}
	if *timeout <= 0 {
		return usageError(fs, stderr, "--timeout must be positive, got %s", *timeout)
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "outagebot healthcheck: "+format+"\n", a...)
		return exitFailure
	}

	target := ""
	if *rawURL != "" {
		u, err := livezURL(*rawURL)
		if err != nil {
			return usageError(fs, stderr, "%v", err)
		}
		target = u
	} else {
		listen, file := config.DefaultListen, ""
		found, err := env.findConfig(*path)
		var nf *notFoundError
		switch {
		case errors.As(err, &nf):
			// No configuration: the bot, if any, listens on the default.
		case err != nil:
			return fail("%v", err)
		default:
			file = found.path
			if listen, err = configuredListen(file, env.lookupEnv); err != nil {
				return fail("%v", err)
			}
		}
		u, err := listenURL(listen)
		if err != nil {
			if file != "" {
				return fail("%s: %v", file, err)
			}
			return fail("%v", err)
		}
		target = u
	}

	status, body, err := healthGET(ctx, target, *timeout)
	if err != nil {
		return fail("%v", err)
	}
	if status != http.StatusOK {
		if body != "" {
			return fail("GET %s: %d %s: %s", target, status, http.StatusText(status), body)
		}
		return fail("GET %s: %d %s", target, status, http.StatusText(status))
	}
	fmt.Fprintf(stdout, "GET %s: %d %s %s\n", target, status, http.StatusText(status), body)
	return exitOK
}

// healthGET asks url once and returns the status and the start of the body
// on one line.
func healthGET(ctx context.Context, target string, timeout time.Duration) (int, string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, "", fmt.Errorf("GET %s: %w", target, err)
	}
	client := &http.Client{
		// The bot is on this host or this pod's network: an HTTP_PROXY set
		// for the bot's own polls must not carry its health check away.
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
		// A redirect is not the health endpoint answering: report it as is.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return 0, "", fmt.Errorf("GET %s: no answer within %s", target, timeout)
		}
		// The client's error repeats the method and URL.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, "", fmt.Errorf("GET %s: %w", target, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, healthcheckBodyLimit))
	if err != nil && resp.StatusCode == http.StatusOK {
		return 0, "", fmt.Errorf("GET %s: reading the answer: %w", target, err)
	}
	return resp.StatusCode, strings.Join(strings.Fields(string(data)), " "), nil
}

// livezURL completes a --url: a bare address or a URL without a path asks
// /livez.
func livezURL(raw string) (string, error) {
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("--url %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("--url %q: the scheme must be http or https", raw)
	}
	if u.Host == "" {
		return "", fmt.Errorf("--url %q: no host", raw)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/livez"
	}
	return u.String(), nil
}

// listenURL is the /livez URL of a [bot] listen address. A wildcard host
// (every interface) is asked on loopback, which it includes.
func listenURL(listen string) (string, error) {
	if listen == "" {
		return "", errors.New(`bot.listen is "": the HTTP server is off, so there is no /livez to ask (set bot.listen, or pass --url)`)
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("bot.listen %q is not host:port: %w", listen, err)
	}
	if port == "0" {
		return "", fmt.Errorf("bot.listen %q picks a random port: pass --url with the port the bot reports at start", listen)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/livez", nil
}

// configuredListen reads [bot] listen from the file at path, default
// included. Only that key is read: the health check asks the running
// process, and a mistake elsewhere in the file (or a secret missing from
// this environment) is for `outagebot check` to report, not a reason to
// call a working bot unhealthy.
func configuredListen(path string, lookupEnv func(string) (string, bool)) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading the configuration: %w", err)
	}
	var doc struct {
		Bot struct {
			Listen *string `toml:"listen"`
		} `toml:"bot"`
	}
	if err := toml.Unmarshal(data, &doc); err != nil {
		return "", fmt.Errorf("%s: reading [bot] listen: %w (outagebot check --config %s says more)", path, err, path)
	}
	if doc.Bot.Listen == nil {
		return config.DefaultListen, nil
	}
	listen, problems := config.Expand(*doc.Bot.Listen, lookupEnv)
	if len(problems) > 0 {
		return "", fmt.Errorf("%s: bot.listen: %s", path, strings.Join(problems, "; "))
	}
	return listen, nil
}
