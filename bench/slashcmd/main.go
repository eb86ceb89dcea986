// Command slashcmd is a load harness for the Slack slash command endpoint.
// It serves interact/slack's handler on 127.0.0.1 (a random port) with the
// real command logic over simulated targets, fires signed requests at it
// over loopback at a fixed rate (open loop: a slow answer does not slow the
// sending), and prints the latency distribution. It sends nowhere but
// loopback, and stops by itself: after -n requests (default rate x
// duration) or -timeout, whichever comes first.
//
//	go run ./bench/slashcmd -rate 300 -duration 10s
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/outagebot/outagebot/bot"
	slackcmd "github.com/outagebot/outagebot/interact/slack"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/uptime"
)

// Bounds that keep a mistyped flag from running for long.
const (
	maxRequests = 100_000
	maxDuration = time.Minute
)

const secret = "load-test-signing-secret"

func main() {
	exit := 0
	defer func() { os.Exit(exit) }()
	rate := flag.Float64("rate", 300, "requests per second")
	duration := flag.Duration("duration", 10*time.Second, "how long to send (at most 1m)")
	n := flag.Int("n", 0, "number of requests (default rate x duration; at most 100000)")
	targets := flag.Int("targets", 100, "simulated targets")
	text := flag.String("text", "", "send only this command text (default: a mix of every command)")
	timeout := flag.Duration("timeout", 0, "stop after this long whatever is left (default duration + 10s)")
	floor := flag.Bool("floor", false, "serve a trivial handler instead (no signature check, no command logic), to measure the HTTP-over-loopback floor")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile (client and server) to this file")
	flag.Parse()

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "slashcmd:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "slashcmd:", err)
			os.Exit(1)
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}

	if err := run(*rate, *duration, *n, *targets, *text, *timeout, *floor); err != nil {
		fmt.Fprintln(os.Stderr, "slashcmd:", err)
		exit = 1
	}
}

func run(rate float64, duration time.Duration, n, targets int, text string, timeout time.Duration, floor bool) error {
	if rate <= 0 || targets <= 0 {
		return errors.New("-rate and -targets must be positive")
	}
	duration = min(duration, maxDuration)
	if n <= 0 {
		n = int(rate * duration.Seconds())
	}
	n = min(n, maxRequests)
	if timeout <= 0 {
		timeout = time.Duration(float64(n)/rate*float64(time.Second)) + 10*time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	cmds := commands(targets)
	mux := http.NewServeMux()
	var h http.Handler = slackcmd.NewHandler(slackcmd.HandlerOptions{
		SigningSecret: secret, Commands: cmds, Log: slog.New(slog.DiscardHandler),
	})
	if floor {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"response_type":"ephemeral","text":"floor","blocks":[]}`)
		})
	}
	mux.Handle("POST /slack/commands", h)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	var conns atomic.Int64
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ConnState: func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	endpoint := "http://" + l.Addr().String() + "/slack/commands"

	client := &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil, // loopback only, whatever the environment says
			MaxIdleConnsPerHost: 512,
			IdleConnTimeout:     30 * time.Second,
		},
	}
	mix := texts(targets)
	if text != "" {
		mix = []string{text}
	}

	type result struct {
		text    string
		latency time.Duration
		err     error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / rate)
	cpu0 := cpuTime()
	start := time.Now()
	sent := 0
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		sent++
		t := mix[i%len(mix)]
		body := form(t, i)
		wg.Go(func() {
			// Latency counts from when the request was due, so a sender
			// that falls behind shows up in the figures.
			err := send(ctx, client, endpoint, body)
			results[i] = result{t, time.Since(due), err}
		})
	}
	sending := time.Since(start)
	wg.Wait()
	cpu := cpuTime() - cpu0

	var lat []time.Duration
	byText := map[string][]time.Duration{}
	errs := map[string]int{}
	for _, r := range results[:sent] {
		if r.err != nil {
			errs[r.err.Error()]++
			continue
		}
		lat = append(lat, r.latency)
		byText[r.text] = append(byText[r.text], r.latency)
	}
	fmt.Printf("sent %d signed requests in %s (%.1f req/s) to %s, %d targets\n", sent, sending.Round(time.Millisecond), float64(sent)/sending.Seconds(), endpoint, targets)
	fmt.Printf("answered %d, failed %d, over %d connections\n", len(lat), sent-len(lat), conns.Load())
	for e, c := range errs {
		fmt.Printf("  %d× %s\n", c, e)
	}
	if len(lat) > 0 {
		fmt.Printf("latency  %s\n", summary(lat))
	}
	fmt.Printf("process CPU (client and server) %s, %.0f µs per request\n", cpu.Round(time.Millisecond), float64(cpu.Microseconds())/float64(max(sent, 1)))
	if len(byText) > 1 {
		keys := make([]string, 0, len(byText))
		for k := range byText {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Printf("  %-26q %s\n", k, summary(byText[k]))
		}
	}
	if sent < n {
		return fmt.Errorf("stopped by -timeout after %d of %d requests", sent, n)
	}
	if len(lat) < sent {
		return fmt.Errorf("%d requests failed", sent-len(lat))
	}
	return nil
}

func send(ctx context.Context, client *http.Client, endpoint, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":" + body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"blocks"`) {
		return fmt.Errorf("HTTP %d: %.60s", resp.StatusCode, b)
	}
	return nil
}

// form is a slash command as Slack sends it; trigger_id makes each one
// unique, as Slack's are.
func form(text string, i int) string {
	return url.Values{
		"token": {"x"}, "team_id": {"T0001"}, "team_domain": {"example"}, "channel_id": {"C0001"}, "channel_name": {"ops"},
		"user_id": {"U" + strconv.Itoa(1000+i%50)}, "user_name": {"user"}, "command": {"/outagebot"}, "text": {text},
		"api_app_id": {"A0001"}, "response_url": {"https://hooks.slack.com/commands/T0001/1/x"},
		"trigger_id": {fmt.Sprintf("%d.1.%08x", i, i)},
	}.Encode()
}

// texts is the mix of commands sent: every command, a typo and a bad
// duration, lookups dominating as they would.
func texts(targets int) []string {
	name := func(i int) string { return fmt.Sprintf("target-%03d", i%targets) }
	return []string{
		"status " + name(42), "status", name(7), "incidents 7d", "uptime " + name(3) + " 7d", "uptime",
		"help", "status " + strings.Replace(name(11), "target", "trget", 1), "mute " + name(50) + " 1h load test",
		"unmute " + name(50), "incidents soon", "status " + name(99),
	}
}

func summary(d []time.Duration) string {
	slices.Sort(d)
	q := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
	ms := func(x time.Duration) string { return fmt.Sprintf("%.2fms", float64(x)/float64(time.Millisecond)) }
	return fmt.Sprintf("p50 %s  p90 %s  p99 %s  max %s  (n=%d)", ms(q(0.50)), ms(q(0.90)), ms(q(0.99)), ms(d[len(d)-1]), len(d))
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// commands is the real command logic over n simulated targets, a tenth of
// them in an outage, with a day of history.
func commands(n int) *bot.Commands {
	now := time.Now()
	var snaps []bot.Snapshot
	var open, hist []outage.Outage
	for i := range n {
		name := fmt.Sprintf("target-%03d", i)
		s := bot.Snapshot{Name: name, Status: sources.Operational, Reachable: true, CheckedAt: now.Add(-time.Minute), Latency: 40 * time.Millisecond,
			Components: []bot.ComponentSnapshot{{Name: "API", Status: sources.Operational}, {Name: "Web", Status: sources.Operational}}}
		if i%10 == 0 {
			s.Status = sources.PartialOutage
			s.Components[0].Status = sources.PartialOutage
			s.Incidents = []bot.IncidentSnapshot{{Title: "Elevated errors", Status: sources.IncidentInvestigating, StartedAt: now.Add(-12 * time.Minute)}}
			o := outage.Outage{ID: name + "-o", Target: name, Class: outage.Incident, Title: "Elevated errors", Severity: sources.PartialOutage, OpenedAt: now.Add(-12 * time.Minute)}
			open = append(open, o)
			hist = append(hist, o)
		}
		hist = append(hist, outage.Outage{ID: name + "-r", Target: name, Class: outage.Incident, Title: "Slow", Severity: sources.Degraded,
			OpenedAt: now.Add(-20 * time.Hour), ResolvedAt: now.Add(-19 * time.Hour)})
		snaps = append(snaps, s)
	}
	return &bot.Commands{View: view{snaps, open}, History: history(hist), Mutes: &mutes{m: map[string]bot.Mute{}}}
}

type view struct {
	snaps []bot.Snapshot
	open  []outage.Outage
}

func (v view) Snapshots() []bot.Snapshot    { return v.snaps }
func (v view) OpenOutages() []outage.Outage { return v.open }

type history []outage.Outage

func (h history) Outages(_ context.Context, since time.Time, target string) ([]outage.Outage, error) {
	var out []outage.Outage
	for _, o := range h {
		if (o.Open() || !o.ResolvedAt.Before(since)) && (target == "" || o.Target == target) {
			out = append(out, o)
		}
	}
	return out, nil
}

// TargetHistories says every target with an outage was seen long before
// any window the benchmark asks about.
func (h history) TargetHistories(context.Context) (map[string]store.TargetHistory, error) {
	out := map[string]store.TargetHistory{}
	for _, o := range h {
		out[o.Target] = store.TargetHistory{FirstSeen: time.Unix(0, 0).UTC()}
	}
	return out, nil
}

func (history) Gaps(context.Context, string, time.Time) (map[string][]uptime.Gap, error) {
	return nil, nil
}

type mutes struct {
	mu sync.Mutex
	m  map[string]bot.Mute
}

func (m *mutes) Mute(_ context.Context, mu bot.Mute) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[mu.Target] = mu
	return nil
}

func (m *mutes) Unmute(_ context.Context, target string, _ time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.m[target]
	delete(m.m, target)
	return ok, nil
}

func (m *mutes) Muted(target string, at time.Time) (bot.Mute, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mu, ok := m.m[target]
	return mu, ok && at.Before(mu.Until)
}
