package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
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

func flags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration file (TOML)")
	return fs, path
}

// loadConfig parses flags and loads the file; on failure it prints every
// problem and returns the exit code to use.
func loadConfig(fs *flag.FlagSet, path *string, args []string, stderr io.Writer) (*config.Config, int) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, 0
		}
		return nil, 2
	}
	if *path == "" {
		fmt.Fprintf(stderr, "outagebot %s: --config FILE is required (try --config config.example.toml)\n", fs.Name())
		return nil, 2
	}
	cfg, err := config.Load(*path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, 1
	}
	return cfg, 0
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, path := flags("run", stderr)
	cfg, code := loadConfig(fs, path, args, stderr)
	if cfg == nil {
		return code
	}
	log := newLogger(stderr, cfg.Bot.LogLevel, cfg.Bot.LogFormat)
	if !cfg.Chat() {
		log.Info("no Slack or Discord configured: notifications are printed to the terminal")
	}
	a, err := app.New(ctx, cfg, app.Options{Stdout: stdout, Greet: stdout, Log: log})
	if err != nil {
		log.Error("cannot start", "err", err)
		return 1
	}
	if err := a.Run(ctx); err != nil {
		log.Error("stopped with an error", "err", err)
		return 1
	}
	return 0
}

func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs, path := flags("check", stderr)
	online := fs.Bool("online", false, "also ask Slack and Discord whether the tokens work and the bot can post in each channel (sends nothing)")
	cfg, code := loadConfig(fs, path, args, stderr)
	if cfg == nil {
		return code
	}
	code = 0
	for _, t := range cfg.Targets {
		n, ok, err := registry.Normalize(t)
		switch {
		case !ok:
		case err != nil:
			fmt.Fprintf(stderr, "%s:%d: %v\n", cfg.Path, t.Line, err)
			code = 1
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
			code = 1
		default:
			fmt.Fprintf(stderr, "%s:%d: target %q: warning: type auto could not detect the format now: %v\n", cfg.Path, r.Target.Line, r.Target.Name, r.Err)
		}
	}
	if code != 0 {
		return code
	}
	if *online && checkOnline(cfg, stdout, stderr) != 0 {
		return 1
	}
	fmt.Fprintf(stdout, "%s: OK (%d targets, %d channels, %d digests)\n", cfg.Path, len(cfg.Targets), len(cfg.Channels), len(cfg.Digests))
	return 0
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

func cmdOnce(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, path := flags("once", stderr)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	cfg, code := loadConfig(fs, path, args, stderr)
	if cfg == nil {
		return code
	}
	snaps, err := app.Once(ctx, cfg, app.Options{Log: newLogger(stderr, "warn", "text")})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *asJSON {
		out := onceJSON{Targets: []onceTarget{}}
		for _, s := range snaps {
			out.Targets = append(out.Targets, toOnce(s))
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return 1
		}
		return 0
	}
	if err := bot.WriteTable(stdout, snaps, time.Now()); err != nil {
		return 1
	}
	return 0
}

func toOnce(s bot.Snapshot) onceTarget {
	t := onceTarget{Name: s.Name, Status: s.Status, Reachable: s.Reachable, Error: s.Error,
		Components: []onceComponent{}, Incidents: []onceIncident{}, Maintenances: []onceMaintenance{}}
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

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("v", false, "also print the bot's log")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	level := "error"
	if *verbose {
		level = "info"
	}
	if err := demo.Run(ctx, stdout, newLogger(stderr, level, "text")); err != nil {
		fmt.Fprintln(stderr, "demo:", err)
		return 1
	}
	return 0
}

// maxHistoryWindow bounds incidents --window: the whole history a store
// could hold, unlike chat commands' windows (bot.MaxWindow).
const maxHistoryWindow = 100 * 365 * 24 * time.Hour

// cmdIncidents lists the outages in a recent window from the store alone,
// with the ids that report takes.
func cmdIncidents(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, path := flags("incidents", stderr)
	window := fs.String("window", "24h", "how far back, like 24h, 7d or 30d")
	cfg, code := loadConfig(fs, path, args, stderr)
	if cfg == nil {
		return code
	}
	w, err := bot.ParseDuration(*window, maxHistoryWindow)
	if err != nil {
		fmt.Fprintf(stderr, "outagebot incidents: --window: %v\n", err)
		return 2
	}
	st, err := store.Open(ctx, cfg.Bot.State)
	if err != nil {
		fmt.Fprintf(stderr, "outagebot incidents: open the store: %v\n", err)
		return 1
	}
	defer st.Close()
	now := time.Now()
	outs, err := st.Outages(ctx, now.Add(-w), "")
	if err != nil {
		fmt.Fprintf(stderr, "outagebot incidents: %v\n", err)
		return 1
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
		return 1
	}
	if n == 0 {
		fmt.Fprintf(stdout, "No outages in the last %s.\n", bot.FormatWindow(w))
	}
	return 0
}

// cmdReport prints an outage's report from the store alone: it polls
// nothing and sends nothing, so it is safe next to a running bot.
func cmdReport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, path := flags("report", stderr)
	id := fs.String("outage", "", "the outage id, or its first characters (outagebot incidents lists them)")
	format := fs.String("format", "markdown", "markdown or json")
	cfg, code := loadConfig(fs, path, args, stderr)
	if cfg == nil {
		return code
	}
	if *id == "" {
		fmt.Fprintln(stderr, "outagebot report: --outage ID is required (`outagebot incidents --config FILE` lists ids)")
		return 2
	}
	if *format != "markdown" && *format != "json" {
		fmt.Fprintf(stderr, "outagebot report: --format must be markdown or json, not %q\n", *format)
		return 2
	}
	st, err := store.Open(ctx, cfg.Bot.State)
	if err != nil {
		fmt.Fprintf(stderr, "outagebot report: open the store: %v\n", err)
		return 1
	}
	defer st.Close()
	r, err := report.Build(ctx, st, *id, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "outagebot report: %v\n", err)
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrAmbiguous) {
			return 2
		}
		return 1
	}
	if *format == "json" {
		data, err := report.JSON(r)
		if err != nil {
			fmt.Fprintf(stderr, "outagebot report: %v\n", err)
			return 1
		}
		_, _ = stdout.Write(append(data, '\n'))
		return 0
	}
	fmt.Fprint(stdout, report.Markdown(r))
	return 0
}

func cmdVersion(stdout io.Writer) int {
	fmt.Fprintf(stdout, "outagebot %s (%s, %s/%s)\n", app.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return 0
}
