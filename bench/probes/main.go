// Command probes is a load harness for outagebot's HTTP probes (not a unit
// test). It starts N local HTTP endpoints spread over several loopback
// ports in a child process (this binary with -serve), generates an
// outagebot configuration with one http target per endpoint, runs the real
// bot in this process (config.Parse, app.New, Run), and after a warm-up
// (six intervals: until every target's state has settled) measures over a
// window: the bot's CPU time (% of one core and
// ms per probe), resident memory, Go heap, goroutines, allocations, and how
// well the schedule was kept (polls made vs scheduled, the largest gap
// between two polls of one target), counted at the endpoints. The
// endpoints' own CPU and memory are reported separately.
//
// It sends nothing anywhere but 127.0.0.1 and stops by itself after
// warm-up + window.
//
//	go run ./bench/probes -targets 1000 -interval 10s
//	go run ./bench/probes -targets 10000 -interval 60s -cpuprofile cpu.pprof -memprofile mem.pprof
//	go run ./bench/probes -targets 1000 -interval 10s -flap 100 -chat-delay 500ms
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/internal/fakeslack"
)

// benchChannel is the fake Slack channel notifications go to (-chat-delay).
const benchChannel = "C0BENCH0001"

// Bounds that keep a mistyped flag from running for long or opening too
// many sockets.
const (
	maxTargets  = 100_000
	maxPorts    = 1000
	maxInterval = 10 * time.Minute
	maxWindow   = 30 * time.Minute
	maxDelay    = 10 * time.Second
	// steadyPolls is how many polls a healthy target takes to settle: until
	// then each poll stores its state, as its streak counters count up to
	// the largest threshold (with the defaults: 3 failures, 2 successes
	// times 3 for a thread that flapped, so 6), which costs a store commit
	// per poll. The default warm-up covers them, so that the window
	// measures the steady state; the warm-up's own figures show start-up.
	steadyPolls = 6
)

type options struct {
	targets  int
	interval time.Duration
	warmup   time.Duration
	window   time.Duration
	workers  int
	delay    time.Duration
	fresh    bool
	ports    int
	listen   string
	keep     bool
	asJSON   bool
	floor    bool
	batch    time.Duration
	free     bool
	cpuProf  string
	memProf  string
	// flap makes this many targets fail and recover in turns, so that
	// outages open and close and are posted; chatDelay is how long the
	// fake Slack they are posted to takes per call.
	flap      int
	chatDelay time.Duration
}

func main() {
	var o options
	flag.IntVar(&o.targets, "targets", 10_000, "number of HTTP probe targets (0: none, for idle figures)")
	flag.DurationVar(&o.interval, "interval", 60*time.Second, "probe interval of every target")
	flag.DurationVar(&o.warmup, "warmup", 0, "warm-up before measuring (default 6 intervals, the polls a target takes to settle; at most 30m)")
	flag.DurationVar(&o.window, "window", 0, "measurement window (default two intervals)")
	flag.IntVar(&o.workers, "workers", 0, "[bot] workers (0: leave unset, the default of 64)")
	flag.DurationVar(&o.delay, "delay", 0, "time each endpoint takes to answer, like 100ms")
	flag.BoolVar(&o.fresh, "fresh", false, "set fresh_connection = true on every probe")
	flag.IntVar(&o.ports, "ports", 50, "loopback ports (listeners) the endpoints are spread over")
	flag.StringVar(&o.listen, "listen", "", "[bot] listen address for /metrics, loopback only, like 127.0.0.1:9100 (default off)")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (config and state) and print its path")
	flag.BoolVar(&o.asJSON, "json", false, "print the figures as JSON")
	flag.StringVar(&o.cpuProf, "cpuprofile", "", "write a CPU profile of the measurement window (bot only) to this file")
	flag.StringVar(&o.memProf, "memprofile", "", "write a heap profile at the end of the window to this file (sampling every 4 KiB costs CPU: take CPU figures from a run without it)")
	flag.BoolVar(&o.floor, "floor", false, "run a bare net/http client on the same schedule instead of the bot, to measure the floor")
	flag.DurationVar(&o.batch, "batch", 0, "EXPERIMENT: drive the polls with the harness's scheduler, waking once per this period to start every poll due, instead of bot.Scheduler (with -floor: 0 wakes once per request)")
	flag.IntVar(&o.flap, "flap", 0, "this many targets fail for 4 intervals and recover for 4, in turns, so that outages open and close (0: none)")
	flag.DurationVar(&o.chatDelay, "chat-delay", 0, "post notifications to a local fake Slack that takes this long per call, like 500ms (0: the console, discarded)")
	flag.BoolVar(&o.free, "free-after-start", false, "EXPERIMENT: call debug.FreeOSMemory once after app.New, returning start-up garbage to the OS")
	serveMode := flag.Bool("serve", false, "internal: run as the endpoint server child")
	lifetime := flag.Duration("lifetime", time.Hour, "internal: the -serve child's longest life")
	flag.Parse()
	if o.memProf != "" && !*serveMode {
		// Sample every 4 KiB allocated instead of every 512 KiB, so that
		// per-target structures show up in the heap profile; it must be
		// set before the allocations it is to see.
		runtime.MemProfileRate = 4 << 10
	}

	if *serveMode {
		if err := serve(o.targets, o.ports, o.interval, o.delay, o.flap, min(*lifetime, 2*time.Hour)); err != nil {
			fmt.Fprintln(os.Stderr, "probes -serve:", err)
			os.Exit(1)
		}
		return
	}
	if o.warmup == 0 {
		o.warmup = min(steadyPolls*o.interval, maxWindow)
	}
	if o.window == 0 {
		o.window = 2 * o.interval
	}
	if err := o.check(); err != nil {
		fmt.Fprintln(os.Stderr, "probes:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "probes:", err)
		os.Exit(1)
	}
	if o.asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(r)
		return
	}
	r.print(os.Stdout)
}

func (o options) check() error {
	switch {
	case o.targets < 0 || o.targets > maxTargets:
		return fmt.Errorf("-targets must be 0 to %d", maxTargets)
	case o.ports < 1 || o.ports > maxPorts:
		return fmt.Errorf("-ports must be 1 to %d", maxPorts)
	case o.interval < config.MinInterval || o.interval > maxInterval:
		return fmt.Errorf("-interval must be %s to %s", config.MinInterval, maxInterval)
	case o.warmup < 0 || o.warmup > maxWindow, o.window < time.Second || o.window > maxWindow:
		return fmt.Errorf("-warmup and -window must be at most %s (window at least 1s)", maxWindow)
	case o.delay < 0 || o.delay > maxDelay:
		return fmt.Errorf("-delay must be 0 to %s", maxDelay)
	case o.workers < 0:
		return errors.New("-workers must not be negative")
	case (o.floor || o.batch > 0) && o.targets == 0:
		return errors.New("-floor and -batch need targets")
	case o.batch < 0 || o.batch > o.interval:
		return errors.New("-batch must be 0 to the interval")
	case o.flap < 0 || o.flap > o.targets:
		return errors.New("-flap must be 0 to -targets")
	case o.chatDelay < 0 || o.chatDelay > maxDelay:
		return fmt.Errorf("-chat-delay must be 0 to %s", maxDelay)
	case o.chatDelay > 0 && o.floor:
		return errors.New("-chat-delay needs the bot, not -floor")
	}
	if o.listen != "" {
		host, _, err := net.SplitHostPort(o.listen)
		ip, perr := netip.ParseAddr(host)
		if err != nil || perr != nil || !netip.MustParsePrefix("127.0.0.0/8").Contains(ip) {
			return fmt.Errorf("-listen %q must be a 127.0.0.0/8 address with a port", o.listen)
		}
	}
	return nil
}

// report is what a run measured.
type report struct {
	Targets   int           `json:"targets"`
	Interval  time.Duration `json:"interval_ns"`
	Warmup    time.Duration `json:"warmup_ns"`
	Window    time.Duration `json:"window_ns"` // as measured
	Workers   int           `json:"workers"`
	Delay     time.Duration `json:"delay_ns"`
	Fresh     bool          `json:"fresh_connection"`
	Floor     bool          `json:"floor"`
	Batch     time.Duration `json:"batch_ns,omitempty"`
	Free      bool          `json:"free_after_start,omitempty"`
	Ports     int           `json:"ports"`
	Flap      int           `json:"flap,omitempty"`
	ChatDelay time.Duration `json:"chat_delay_ns,omitempty"`
	// ChatCalls counts the fake Slack's chat.postMessage and chat.update
	// calls by the end of the window.
	ChatCalls int `json:"chat_calls,omitempty"`
	CPUs      int `json:"gomaxprocs"`

	// Bot (this process).
	ParseTime time.Duration `json:"config_parse_ns"`
	NewTime   time.Duration `json:"app_new_ns"`
	Idle      usage         `json:"idle"`      // before the config is generated
	AfterNew  usage         `json:"after_new"` // the bot built, not yet running
	Warm      usage         `json:"after_warmup"`
	End       usage         `json:"end"`
	WarmCPU   time.Duration `json:"warmup_cpu_ns"` // from app.New to the window
	WarmPct   float64       `json:"warmup_core_percent"`
	BotCPU    time.Duration `json:"bot_cpu_ns"` // in the window
	BotSys    time.Duration `json:"bot_sys_cpu_ns"`
	CorePct   float64       `json:"bot_core_percent"`
	MsPerPoll float64       `json:"bot_cpu_ms_per_probe"`
	BytesPoll float64       `json:"alloc_bytes_per_probe"`
	AllocPoll float64       `json:"allocs_per_probe"`
	GCs       uint32        `json:"gc_cycles_in_window"`

	// Schedule, counted at the endpoints.
	Scheduled float64     `json:"polls_scheduled"`
	Server    serverStats `json:"server"`
	Adherence float64     `json:"polls_made_percent"`

	// Endpoint servers (child process).
	ServerCPU time.Duration `json:"server_cpu_ns"`
	ServerPct float64       `json:"server_core_percent"`

	// Statuses at the end, as the bot sees them.
	Statuses map[string]int `json:"statuses"`
	// Metrics scraped from /metrics when -listen is set.
	Metrics map[string]float64 `json:"metrics,omitempty"`
}

func run(ctx context.Context, o options) (*report, error) {
	r := &report{Targets: o.targets, Interval: o.interval, Warmup: o.warmup, Workers: o.workers,
		Delay: o.delay, Fresh: o.fresh, Floor: o.floor, Batch: o.batch, Free: o.free, Ports: o.ports, CPUs: runtime.GOMAXPROCS(0), Flap: o.flap, ChatDelay: o.chatDelay}
	if r.Workers == 0 {
		r.Workers = config.DefaultWorkers
	}
	r.Idle = measure()

	dir, err := os.MkdirTemp("", "outagebot-bench-probes-")
	if err != nil {
		return nil, err
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "probes: keeping", dir)
	} else {
		defer os.RemoveAll(dir)
	}

	var child *child
	var ports []int
	if o.targets > 0 {
		child, err = startChild(o)
		if err != nil {
			return nil, err
		}
		defer child.close()
		ports = child.ports
	}

	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ran := make(chan error, 1)
	var statuses func() map[string]int
	chatCalls := func() int { return 0 }
	var a *app.App
	if o.floor {
		f := &floorClient{}
		statuses = f.counts
		r.AfterNew = measure()
		go func() { f.run(rctx, o, ports); ran <- nil }()
	} else {
		slackURL := ""
		if o.chatDelay > 0 {
			// Every Web API call of the bot waits chatDelay, then is
			// handled: a slow chat, not a broken one.
			fake := fakeslack.New()
			defer fake.Close()
			fake.AddChannel(benchChannel)
			fake.HangNext("*", -1, o.chatDelay)
			slackURL = fake.URL()
			chatCalls = func() int { return len(fake.Calls("chat.postMessage")) + len(fake.Calls("chat.update")) }
		}
		path := filepath.Join(dir, "outagebot.toml")
		data := configText(o, filepath.Join(dir, "state.db"), ports, slackURL)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, err
		}
		t0 := time.Now()
		cfg, err := config.Parse(path, data, func(string) (string, bool) { return "", false })
		if err != nil {
			return nil, fmt.Errorf("generated configuration: %w", err)
		}
		r.ParseTime = time.Since(t0)
		t0 = time.Now()
		a, err = app.New(ctx, cfg, app.Options{Stdout: io.Discard})
		if err != nil {
			return nil, err
		}
		r.NewTime = time.Since(t0)
		if o.free {
			debug.FreeOSMemory()
		} else {
			runtime.GC()
		}
		r.AfterNew = measure()
		statuses = func() map[string]int {
			out := map[string]int{}
			for _, s := range a.Runner().Snapshots() {
				out[string(s.Status)]++
			}
			return out
		}
		if o.batch > 0 {
			// The experiment: the real runner, engine, store and probes,
			// driven by the harness's batching scheduler instead of
			// bot.Scheduler (no dispatcher: nothing is delivered anyway).
			runner := a.Runner()
			jobs := runner.Jobs()
			go func() {
				schedule(rctx, len(jobs), o.interval, o.batch, r.Workers, func(ctx context.Context, i int) { runner.Poll(ctx, jobs[i]) })
				ran <- a.Close()
			}()
		} else {
			go func() { ran <- a.Run(rctx) }()
		}
	}

	if !sleep(ctx, o.warmup) {
		return nil, ctx.Err()
	}
	var mark serverStats
	if child != nil {
		if mark, err = child.ask("mark"); err != nil {
			return nil, err
		}
	}
	r.Warm = measure()
	if o.cpuProf != "" {
		f, err := os.Create(o.cpuProf)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
	}

	if !sleep(ctx, o.window) {
		pprof.StopCPUProfile()
		return nil, ctx.Err()
	}

	r.End = measure()
	if o.cpuProf != "" {
		pprof.StopCPUProfile()
	}
	if child != nil {
		if r.Server, err = child.ask("stats"); err != nil {
			return nil, err
		}
	}
	r.Window = r.End.At.Sub(r.Warm.At)
	r.WarmCPU = r.Warm.CPU - r.AfterNew.CPU
	if d := r.Warm.At.Sub(r.AfterNew.At); d > 0 {
		r.WarmPct = 100 * r.WarmCPU.Seconds() / d.Seconds()
	}
	r.BotCPU = r.End.CPU - r.Warm.CPU
	r.BotSys = r.End.SysCPU - r.Warm.SysCPU
	r.CorePct = 100 * r.BotCPU.Seconds() / r.Window.Seconds()
	r.GCs = r.End.NumGC - r.Warm.NumGC
	if n := float64(r.Server.Window); n > 0 {
		r.MsPerPoll = float64(r.BotCPU.Microseconds()) / 1000 / n
		r.BytesPoll = float64(r.End.TotalAlloc-r.Warm.TotalAlloc) / n
		r.AllocPoll = float64(r.End.Mallocs-r.Warm.Mallocs) / n
	}
	r.Scheduled = float64(o.targets) * r.Window.Seconds() / o.interval.Seconds()
	if r.Scheduled > 0 {
		r.Adherence = 100 * float64(r.Server.Window) / r.Scheduled
	}
	if child != nil {
		r.ServerCPU = r.Server.Usage.CPU - mark.Usage.CPU
		r.ServerPct = 100 * r.ServerCPU.Seconds() / r.Window.Seconds()
	}

	r.Statuses = statuses()
	r.ChatCalls = chatCalls()
	if o.listen != "" && a != nil {
		r.Metrics = scrape(ctx, a.Addr())
	}
	if o.memProf != "" {
		if err := writeHeapProfile(o.memProf); err != nil {
			return nil, err
		}
	}

	cancel()
	select {
	case err := <-ran:
		if err != nil {
			return nil, fmt.Errorf("bot: %w", err)
		}
	case <-time.After(30 * time.Second):
		return nil, errors.New("the bot did not stop within 30s of being cancelled")
	}
	return r, nil
}

// configText generates the configuration: one http target per endpoint,
// spread round-robin over the ports.
func configText(o options, state string, ports []int, slackURL string) []byte {
	var b strings.Builder
	b.WriteString("# Generated by bench/probes.\n")
	if o.targets == 0 {
		b.WriteString("target = []\n")
	}
	b.WriteString("\n[bot]\n")
	fmt.Fprintf(&b, "state = %q\n", state)
	fmt.Fprintf(&b, "listen = %q\n", o.listen)
	if o.workers > 0 {
		fmt.Fprintf(&b, "workers = %d\n", o.workers)
	}
	if slackURL != "" {
		fmt.Fprintf(&b, "\n[slack]\nbot_token = \"xoxb-bench\"\napi_url = %q\n\n[[channel]]\nname = \"ops\"\nslack = %q\n", slackURL, benchChannel)
	}
	for i := range o.targets {
		fmt.Fprintf(&b, "\n[[target]]\nname = \"probe-%05d\"\ntype = \"http\"\nurl = \"http://127.0.0.1:%d/t/%d\"\ninterval = %q\n",
			i, ports[i%len(ports)], i, o.interval.String())
		if o.fresh {
			b.WriteString("fresh_connection = true\n")
		}
	}
	return []byte(b.String())
}

// child is the endpoint server process.
type child struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	out   *bufio.Scanner
	ports []int
}

func startChild(o options) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	life := o.warmup + o.window + 2*time.Minute
	cmd := exec.Command(exe, "-serve",
		"-targets", strconv.Itoa(o.targets), "-ports", strconv.Itoa(o.ports),
		"-interval", o.interval.String(), "-delay", o.delay.String(), "-flap", strconv.Itoa(o.flap), "-lifetime", life.String())
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	c.out.Buffer(nil, 1<<20)
	var h hello
	if err := c.read(&h); err != nil {
		c.close()
		return nil, fmt.Errorf("endpoint server: %w", err)
	}
	c.ports = h.Ports
	return c, nil
}

func (c *child) read(v any) error {
	if !c.out.Scan() {
		if err := c.out.Err(); err != nil {
			return err
		}
		return io.ErrUnexpectedEOF
	}
	return json.Unmarshal(c.out.Bytes(), v)
}

func (c *child) ask(cmd string) (serverStats, error) {
	var s serverStats
	if _, err := io.WriteString(c.in, cmd+"\n"); err != nil {
		return s, fmt.Errorf("endpoint server: %w", err)
	}
	if err := c.read(&s); err != nil {
		return s, fmt.Errorf("endpoint server: %w", err)
	}
	return s, nil
}

// close ends the child: closing its stdin tells it to exit; a child that
// does not is killed (by its own pid only).
func (c *child) close() {
	c.in.Close()
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

// sleep waits d; false means ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC() // the in-use figures are as of the last GC
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// scrape reads a few totals from the bot's /metrics (one request, over
// loopback, with a timeout).
func scrape(ctx context.Context, addr string) map[string]float64 {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return nil
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 256<<20))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, rest, ok := strings.Cut(line, "{")
		var val string
		if ok {
			_, val, _ = strings.Cut(rest, "} ")
		} else {
			name, val, _ = strings.Cut(line, " ")
		}
		switch name {
		case "outagebot_polls_total", "outagebot_polls_skipped_total", "outagebot_store_commit_errors_total":
			key := name
			if name == "outagebot_polls_total" {
				_, res, _ := strings.Cut(rest, `result="`)
				res, _, _ = strings.Cut(res, `"`)
				key += "{result=" + res + "}"
			}
			v, _ := strconv.ParseFloat(strings.TrimSpace(val), 64)
			out[key] += v
		}
	}
	return out
}

func (r *report) print(w io.Writer) {
	conn := "keep-alive (shared transport)"
	if r.Fresh {
		conn = "fresh_connection"
	}
	fmt.Fprintf(w, "outagebot probe load: %d http targets every %s, %d workers, %d ports, delay %s, %s, GOMAXPROCS %d, GOGC %s, GOMEMLIMIT %s\n",
		r.Targets, r.Interval, r.Workers, r.Ports, r.Delay, conn, r.CPUs, envOr("GOGC", "100"), envOr("GOMEMLIMIT", "off"))
	if r.Free {
		fmt.Fprintln(w, "EXPERIMENT: debug.FreeOSMemory() once after app.New")
	}
	if r.Flap > 0 || r.ChatDelay > 0 {
		fmt.Fprintf(w, "%d targets flapping (4 intervals down, 4 up); notifications to a fake Slack taking %s per call: %d chat.postMessage/chat.update calls by the end\n",
			r.Flap, r.ChatDelay, r.ChatCalls)
	}
	fmt.Fprintf(w, "warm-up %s, window %.1fs; config.Parse %s, app.New %s\n\n",
		r.Warmup, r.Window.Seconds(), r.ParseTime.Round(time.Millisecond), r.NewTime.Round(time.Millisecond))
	who := "bot (this process)"
	switch {
	case r.Floor:
		who = "FLOOR: bare net/http client instead of the bot (this process)"
	case r.Batch > 0:
		who = "bot (this process), EXPERIMENT: polls started by the harness's scheduler"
	}
	if r.Batch > 0 {
		who += fmt.Sprintf(", one wake-up per %s", r.Batch)
	}
	fmt.Fprintln(w, who)
	fmt.Fprintf(w, "  CPU in window      %.3fs (%.3fs system) = %.2f%% of one core", r.BotCPU.Seconds(), r.BotSys.Seconds(), r.CorePct)
	if r.Server.Window > 0 {
		fmt.Fprintf(w, "; %.3f ms per probe", r.MsPerPoll)
	}
	fmt.Fprintln(w)
	note := ""
	if !r.Floor && r.Targets > 0 {
		note = " (start-up: first polls store their state)"
	}
	fmt.Fprintf(w, "  CPU in warm-up     %.3fs = %.2f%% of one core%s\n", r.WarmCPU.Seconds(), r.WarmPct, note)
	fmt.Fprintf(w, "  RSS                idle %s | built %s | after warm-up %s | end %s | peak %s\n",
		mb(r.Idle.RSS), mb(r.AfterNew.RSS), mb(r.Warm.RSS), mb(r.End.RSS), mb(r.End.HWM))
	fmt.Fprintf(w, "  RSS at end         %s anonymous + %s file pages (the program's code)\n", mb(r.End.RSSAnon), mb(r.End.RSSFile))
	fmt.Fprintf(w, "  Go heap in use     idle %s | built %s | after warm-up %s | end %s (Go sys %s)\n",
		mb(int64(r.Idle.HeapInuse)), mb(int64(r.AfterNew.HeapInuse)), mb(int64(r.Warm.HeapInuse)), mb(int64(r.End.HeapInuse)), mb(int64(r.End.Sys)))
	fmt.Fprintf(w, "  Go beside the heap stacks %s, freed heap not yet returned %s, runtime metadata %s (end)\n",
		mb(int64(r.End.StackInuse)), mb(int64(r.End.HeapIdle)), mb(int64(r.End.Meta)))
	fmt.Fprintf(w, "  goroutines         idle %d | built %d | after warm-up %d | end %d\n",
		r.Idle.Goroutines, r.AfterNew.Goroutines, r.Warm.Goroutines, r.End.Goroutines)
	if r.Server.Window > 0 {
		fmt.Fprintf(w, "  allocations        %.0f B and %.1f objects per probe; %d GC cycles in window\n", r.BytesPoll, r.AllocPoll, r.GCs)
	}
	if r.Targets > 0 {
		s := r.Server
		fmt.Fprintf(w, "\nschedule (counted at the endpoints)\n")
		fmt.Fprintf(w, "  polls              %d made / %.0f scheduled = %.1f%%\n", s.Window, r.Scheduled, r.Adherence)
		fmt.Fprintf(w, "  per target         min %d, max %d polls in window; %d targets not polled in window\n", s.MinPolls, s.MaxPolls, s.Unpolled)
		fmt.Fprintf(w, "  gap between polls  max %s, p99 %s, median %s (interval %s); %d of %d gaps over 1.5x interval\n",
			s.MaxGap.Round(time.Millisecond), s.P99Gap.Round(time.Millisecond), s.MedianGap.Round(time.Millisecond), r.Interval, s.LateGaps, s.Gaps)
		fmt.Fprintf(w, "\nendpoint servers (child process)\n")
		fmt.Fprintf(w, "  CPU in window      %.3fs = %.2f%% of one core; RSS %s; %d connections accepted in all\n",
			r.ServerCPU.Seconds(), r.ServerPct, mb(s.Usage.RSS), s.Conns)
	}
	fmt.Fprintf(w, "\nstatus at end       %v\n", r.Statuses)
	if len(r.Metrics) > 0 {
		fmt.Fprintf(w, "metrics             %v\n", r.Metrics)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
