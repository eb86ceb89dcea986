package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/outagebot/outagebot/i18n"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/demo"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/report"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/auto"
	"github.com/outagebot/outagebot/sources/pageurl"
	"github.com/outagebot/outagebot/sources/registry"
	"github.com/outagebot/outagebot/store"
)

const runHelp = `Runs the bot: polls every target on its schedule, posts each outage, its
updates and its restoration to the configured chats (or prints them here
when none is configured), answers chat commands and serves the HTTP
endpoints, until SIGINT or SIGTERM.

The first log line names the configuration file used and what chose it.
Log settings: --log-level and --log-format, else OUTAGEBOT_LOG_LEVEL and
OUTAGEBOT_LOG_FORMAT, else [bot] log_level and log_format.

Exit status: 0 after a clean stop; 1 when the bot could not start or
stopped with an error; 64 usage error; 78 the configuration could not be
loaded.`

func cmdRun(ctx context.Context, env procEnv, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("run", runHelp, "outagebot run --config /etc/outagebot/outagebot.toml --log-format json")
	path := configFlag(fs)
	logs := addLogFlags(fs, "[bot] log_level", "[bot] log_format")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if code, ok := noArgs(fs, stderr); !ok {
		return code
	}
	// A wrong log flag is a usage error whatever the file says: check it
	// before the file is looked for.
	if _, err := logs.resolve(env.lookupEnv, config.DefaultLogLevel, config.DefaultLogFormat); err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	cfg, found, code := openConfig(fs, env, *path, stderr, exitConfig)
	if cfg == nil {
		return code
	}
	settings, err := logs.resolve(env.lookupEnv, cfg.Bot.LogLevel, cfg.Bot.LogFormat)
	if err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	log := settings.logger(stderr)
	log.Info("configuration loaded", found.logAttrs()...)
	if !cfg.Chat() {
		log.Info("no Slack or Discord configured: notifications are printed to the terminal")
	}
	a, err := app.New(ctx, cfg, app.Options{Stdout: stdout, Greet: stdout, Log: log})
	if err != nil {
		log.Error("cannot start", "err", err)
		return exitFailure
	}
	if err := a.Run(ctx); err != nil {
		log.Error("stopped with an error", "err", err)
		return exitFailure
	}
	return exitOK
}

const checkHelp = `Validates a configuration file: every problem is printed as FILE:LINE: KEY:
message, one a line, including each environment variable that a ${VAR}
reference names and that is not set. For each feed target it prints the
URL the bot will poll, and it detects the format of type = "auto" targets
(which asks their pages over the network). FILE may be given as an argument
or with --config; without either, the file is found as run finds it.

Exit status: 0 valid; 1 invalid, unreadable, or (with --online) a chat
token or channel that does not work; 64 usage error.`

func cmdCheck(env procEnv, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("check [FILE]", checkHelp, `outagebot check outagebot.toml
outagebot check --online --config /etc/outagebot/outagebot.toml`)
	path := configFlag(fs)
	online := fs.Bool("online", false, "also ask Slack, Discord and Telegram whether the tokens work and the bot can post in each channel (sends nothing)")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	named := *path
	switch {
	case fs.NArg() > 1:
		return usageError(fs, stderr, "one configuration file at a time, not %d", fs.NArg())
	case fs.NArg() == 1 && named != "" && named != fs.Arg(0):
		return usageError(fs, stderr, "two files named: --config %s and %s", named, fs.Arg(0))
	case fs.NArg() == 1:
		named = fs.Arg(0)
	}
	cfg, _, code := openConfig(fs, env, named, stderr, exitFailure)
	if cfg == nil {
		return code
	}
	printWebhooks(cfg, stdout)
	for _, w := range cfg.Warnings {
		fmt.Fprintln(stderr, w)
	}
	code = exitOK
	for _, t := range cfg.Targets {
		n, ok, err := registry.Normalize(t)
		switch {
		case !ok:
		case err != nil:
			fmt.Fprintf(stderr, "%s:%d: %v\n", cfg.Path, t.Line, err)
			code = exitFailure
		default:
			fmt.Fprintln(stdout, normalised(t.Name, n))
		}
	}
	for _, r := range app.DetectAuto(context.Background(), cfg, 10*time.Second) {
		switch {
		case r.Err == nil:
			fmt.Fprintf(stdout, "%s:%d: target %q: type auto detected %s (%s)\n", cfg.Path, r.Target.Line, r.Target.Name, r.Type, pageurl.Display(r.URL))
		case errors.Is(r.Err, auto.ErrUnrecognised):
			fmt.Fprintf(stderr, "%s:%d: target %q: %v\n", cfg.Path, r.Target.Line, r.Target.Name, r.Err)
			code = exitFailure
		default:
			fmt.Fprintf(stderr, "%s:%d: target %q: warning: type auto could not detect the format now: %v\n", cfg.Path, r.Target.Line, r.Target.Name, r.Err)
		}
	}
	if code != 0 {
		return code
	}
	if *online && checkOnline(cfg, stdout, stderr) != 0 {
		return exitFailure
	}
	fmt.Fprintf(stdout, "%s: OK (%d targets, %d channels, %d digests)\n", cfg.Path, len(cfg.Targets), len(cfg.Channels), len(cfg.Digests))
	return exitOK
}

// normalised says which URL a feed target's source polls from, and what
// was configured when that differs: "target OpenAI: statuspage
// https://status.openai.com (from https://status.openai.com/api/v2/summary.json)".
// Query values and credentials are hidden.
func normalised(name string, n pageurl.Result) string {
	line := fmt.Sprintf("target %s: %s %s", name, n.Type, pageurl.Display(n.URL))
	if !n.Changed() {
		return line
	}
	line += " (from " + pageurl.Display(n.From)
	if n.DroppedQuery {
		line += "; the query is not sent"
	}
	return line + ")"
}

// onceJSON is the contract shape of `once --json`.
type onceJSON struct {
	Targets []onceTarget `json:"targets"`
}

type onceTarget struct {
	Name       string          `json:"name"`
	Status     sources.Status  `json:"status"`
	Reachable  bool            `json:"reachable"`
	Error      string          `json:"error,omitempty"`
	Components []onceComponent `json:"components"`
	Incidents  []onceIncident  `json:"incidents"`
	// Maintenances were added after the first release (fields are only
	// ever added to this contract).
	Maintenances []onceMaintenance `json:"maintenances"`
	// Locations are a probe's results by location ([bot] location): once
	// polls from here, so it shows this location alone.
	Locations []onceLocation `json:"locations"`
}

type onceLocation struct {
	Name      string         `json:"name"`
	Status    sources.Status `json:"status"`
	Failing   bool           `json:"failing"`
	LatencyMS float64        `json:"latency_ms"`
	Error     string         `json:"error,omitempty"`
}

type onceMaintenance struct {
	Title  string `json:"title"`
	Status string `json:"status"`
	// StartedAt is when work began (the planned start while scheduled).
	StartedAt  string   `json:"started_at,omitempty"`
	EndsAt     string   `json:"ends_at,omitempty"`
	Components []string `json:"components"`
}

type onceComponent struct {
	Name   string         `json:"name"`
	Status sources.Status `json:"status"`
}

type onceIncident struct {
	Title     string `json:"title"`
	Status    string `json:"status"`
	StartedAt string `json:"started_at"`
}

const onceHelp = `Polls every target once, now, and prints each one's status: a table, or
with --json the same as JSON. It sends nothing to chat and stores nothing.

Exit status, for scripts asking "is something down?":
  0   every target is operational or in maintenance
  1   at least one target is in outage: degraded, partial_outage or
      major_outage (this wins over 2)
  2   no target is in outage, but at least one could not be read (unknown)
  64  usage error
  70  once could not finish (its output could not be written)
  78  the configuration could not be loaded`

func cmdOnce(ctx context.Context, env procEnv, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("once", onceHelp, `outagebot once --config outagebot.toml
outagebot once --json | jq -r '.targets[] | select(.status != "operational") | .name'`)
	path := configFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	logs := addLogFlags(fs, "warn", "text")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if code, ok := noArgs(fs, stderr); !ok {
		return code
	}
	// The status is the output: the log has only what went wrong, unless
	// asked for more.
	settings, err := logs.resolve(env.lookupEnv, "warn", "text")
	if err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	cfg, _, code := openConfig(fs, env, *path, stderr, exitConfig)
	if cfg == nil {
		return code
	}
	snaps, err := app.Once(ctx, cfg, app.Options{Log: settings.logger(stderr)})
	if err != nil {
		// Once fails only when it cannot build the targets from the
		// configuration.
		fmt.Fprintf(stderr, "outagebot once: %v\n", err)
		return exitConfig
	}
	if *asJSON {
		out := onceJSON{Targets: []onceTarget{}}
		for _, s := range snaps {
			out.Targets = append(out.Targets, withLocation(toOnce(s), s, cfg))
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "outagebot once: write the output: %v\n", err)
			return exitSoftware
		}
		return onceExit(snaps)
	}
	if err := bot.WriteTable(stdout, snaps, time.Now()); err != nil {
		fmt.Fprintf(stderr, "outagebot once: write the output: %v\n", err)
		return exitSoftware
	}
	return onceExit(snaps)
}

// onceExit is once's exit code for what the poll saw. An outage wins over
// an unreadable target: a script asking "is something down?" gets yes when
// something is known to be down, whatever else could not be read.
// Maintenance is planned work, not an outage.
func onceExit(snaps []bot.Snapshot) int {
	code := exitOK
	for _, s := range snaps {
		switch {
		case !s.Reachable || s.Status == sources.Unknown:
			code = exitUnreachable
		case s.Status.Rank() >= sources.Degraded.Rank():
			return exitFailure
		}
	}
	return code
}

func toOnce(s bot.Snapshot) onceTarget {
	t := onceTarget{Name: s.Name, Status: s.Status, Reachable: s.Reachable, Error: s.Error,
		Components: []onceComponent{}, Incidents: []onceIncident{}, Maintenances: []onceMaintenance{}, Locations: []onceLocation{}}
	for _, l := range s.Locations {
		t.Locations = append(t.Locations, onceLocation{Name: l.Name, Status: l.Status, Failing: l.Failing, LatencyMS: float64(l.Latency.Microseconds()) / 1000, Error: l.Error})
	}
	for _, c := range s.Components {
		t.Components = append(t.Components, onceComponent{Name: c.Name, Status: c.Status})
	}
	for _, i := range s.Incidents {
		t.Incidents = append(t.Incidents, onceIncident{Title: i.Title, Status: string(i.Status), StartedAt: i.StartedAt.UTC().Format(time.RFC3339)})
	}
	for _, m := range s.Maintenances {
		om := onceMaintenance{Title: m.Title, Status: string(m.Status), StartedAt: rfc3339(m.Began), EndsAt: rfc3339(m.End), Components: m.Components}
		if om.Components == nil {
			om.Components = []string{}
		}
		t.Maintenances = append(t.Maintenances, om)
	}
	return t
}

// rfc3339 is t in UTC, or "" when it is unknown.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

const demoHelp = `Runs the bot offline against a built-in simulated status page that breaks
and recovers within a minute, printing what the bot would post. It needs
no configuration and no network.

Exit status: 0 when the demo ran to its end; 1 when it failed; 64 usage
error.`

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("demo", demoHelp, "outagebot demo -v")
	verbose := fs.Bool("v", false, "also print the bot's log")
	locale := fs.String("locale", i18n.Default, "the language of the bot's messages: "+strings.Join(i18n.Languages, " or "))
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if code, ok := noArgs(fs, stderr); !ok {
		return code
	}
	if !i18n.Known(*locale) {
		fmt.Fprintf(stderr, "outagebot demo: --locale %q: must be one of %s\n", *locale, strings.Join(i18n.Languages, ", "))
		return exitUsage
	}
	level := "error"
	if *verbose {
		level = "info"
	}
	if err := demo.Run(ctx, stdout, newLogger(stderr, level, "text"), *locale); err != nil {
		fmt.Fprintln(stderr, "outagebot demo:", err)
		return exitFailure
	}
	return exitOK
}

// maxHistoryWindow bounds incidents --window: the whole history a store
// could hold, unlike chat commands' windows (bot.MaxWindow).
const maxHistoryWindow = 100 * 365 * 24 * time.Hour

// cmdIncidents lists the outages in a recent window from the store alone,
// with the ids that report takes.
const incidentsHelp = `Lists the outages of a recent window from the stored history, with the ids
that report takes. It reads the store ([bot] state) alone: it polls nothing
and sends nothing, so it is safe next to a running bot.

Exit status: 0 listed (also when there were none); 1 the store could not be
read; 64 usage error; 78 the configuration could not be loaded.`

func cmdIncidents(ctx context.Context, env procEnv, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("incidents", incidentsHelp, "outagebot incidents --config outagebot.toml --window 7d")
	path := configFlag(fs)
	window := fs.String("window", "24h", "how far back, like 24h, 7d or 30d")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if code, ok := noArgs(fs, stderr); !ok {
		return code
	}
	w, err := bot.ParseDuration(*window, maxHistoryWindow)
	if err != nil {
		return usageError(fs, stderr, "--window: %v", err)
	}
	cfg, _, code := openConfig(fs, env, *path, stderr, exitConfig)
	if cfg == nil {
		return code
	}
	st, err := store.Open(ctx, cfg.Bot.State)
	if err != nil {
		fmt.Fprintf(stderr, "outagebot incidents: open the store: %v\n", err)
		return exitFailure
	}
	defer st.Close()
	now := time.Now()
	outs, err := st.Outages(ctx, now.Add(-w), "")
	if err != nil {
		fmt.Fprintf(stderr, "outagebot incidents: %v\n", err)
		return exitFailure
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTARGET\tTITLE\tSTARTED (UTC)\tSTATE\tVENDOR")
	n := 0
	for _, o := range outs {
		if o.Class == outage.Unreachable {
			continue
		}
		state := o.Span(now)
		vendor := "-"
		if o.Link != nil {
			vendor = string(o.Link.Confirm) + " (" + o.Link.Vendor + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", o.ID, o.Target, o.Title, o.OpenedAt.UTC().Format("2006-01-02 15:04"), state, vendor)
		n++
	}
	if err := tw.Flush(); err != nil {
		return exitFailure
	}
	if n == 0 {
		fmt.Fprintf(stdout, "No outages in the last %s.\n", bot.FormatWindow(w))
	}
	return exitOK
}

// cmdReport prints an outage's report from the store alone: it polls
// nothing and sends nothing, so it is safe next to a running bot.
const reportHelp = `Prints the post-outage report of one outage from the stored history:
summary, impact, durations and the full timeline, as Markdown or JSON. It
reads the store ([bot] state) alone: it polls nothing and sends nothing, so
it is safe next to a running bot. outagebot incidents lists the ids.

Exit status: 0 printed; 1 no such outage, an id prefix that fits several,
or a store that could not be read; 64 usage error; 78 the configuration
could not be loaded.`

func cmdReport(ctx context.Context, env procEnv, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("report", reportHelp, "outagebot report --config outagebot.toml --outage 5e1f --format json")
	path := configFlag(fs)
	id := fs.String("outage", "", "the outage `ID`, or its first characters (outagebot incidents lists them)")
	format := fs.String("format", "markdown", "markdown or json")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if code, ok := noArgs(fs, stderr); !ok {
		return code
	}
	if *id == "" {
		return usageError(fs, stderr, "--outage ID is required (`outagebot incidents` lists ids)")
	}
	if *format != "markdown" && *format != "json" {
		return usageError(fs, stderr, "--format must be markdown or json, not %q", *format)
	}
	cfg, _, code := openConfig(fs, env, *path, stderr, exitConfig)
	if cfg == nil {
		return code
	}
	st, err := store.Open(ctx, cfg.Bot.State)
	if err != nil {
		fmt.Fprintf(stderr, "outagebot report: open the store: %v\n", err)
		return exitFailure
	}
	defer st.Close()
	r, err := report.Build(ctx, st, *id, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "outagebot report: %v\n", err)
		return exitFailure
	}
	if *format == "json" {
		data, err := report.JSON(r)
		if err != nil {
			fmt.Fprintf(stderr, "outagebot report: %v\n", err)
			return exitFailure
		}
		_, _ = stdout.Write(append(data, '\n'))
		return exitOK
	}
	fmt.Fprint(stdout, report.Markdown(r))
	return exitOK
}

func cmdVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", "Prints the version, the Go version it was built with, and the platform.\n\nExit status: 0; 64 usage error.", "outagebot version")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if code, ok := noArgs(fs, stderr); !ok {
		return code
	}
	fmt.Fprintf(stdout, "outagebot %s\n", app.CurrentBuild().Describe(runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH))
	return exitOK
}

// withLocation adds this replica's own location to a probe's entry when
// [bot] location is set: once polls from here alone.
func withLocation(t onceTarget, s bot.Snapshot, cfg *config.Config) onceTarget {
	ct, ok := cfg.FindTarget(s.Name)
	if cfg.Bot.Location == "" || !ok || !ct.IsProbe() || len(t.Locations) > 0 {
		return t
	}
	t.Locations = append(t.Locations, onceLocation{Name: cfg.Bot.Location, Status: s.Status, Failing: s.Status.IsProblem() || s.Status == sources.Unknown,
		LatencyMS: float64(s.Latency.Microseconds()) / 1000, Error: s.Error})
	return t
}
