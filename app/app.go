// Package app assembles outagebot from a configuration: sources, engine,
// store, dispatcher and HTTP server, and runs them until told to stop.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/time/rate"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/httpapi"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/console"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/report"
	"github.com/outagebot/outagebot/silence"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
	"github.com/outagebot/outagebot/sources/probe"
	"github.com/outagebot/outagebot/sources/registry"
	"github.com/outagebot/outagebot/statusview"
	"github.com/outagebot/outagebot/store"
)

// Version is set at build time (-ldflags "-X ...app.Version=v1.2.3");
// left empty, it comes from the module version (see version.go).
var Version = ""

// Options are what the caller provides besides the configuration.
type Options struct {
	// Stdout receives console notifications (default: discarded).
	Stdout io.Writer
	// Greet, if set and no chat is configured, receives a status table once
	// every target has been polled, so a quiet start still shows the bot at
	// work.
	Greet io.Writer
	Log   *slog.Logger
	// Transport, if set, replaces the HTTP transport of feeds (tests).
	Transport http.RoundTripper
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Dispatch tunes the dispatcher (tests shorten its timings).
	Dispatch notifier.Options
	// LeaseTTL is how long the leader's lease lasts without renewal
	// (default DefaultLeaseTTL; tests shorten it).
	LeaseTTL time.Duration
	// ChatLimit and ChatBurst, if set, replace every chat destination's
	// rate limit (messages per second, and the burst), which is otherwise
	// its platform's (tests speed it up to measure it).
	ChatLimit rate.Limit
	ChatBurst int
	// ChatCheck tunes the chat checks at start (tests make them instant).
	ChatCheck ChatCheckOptions
	// Hangup, if set, replaces SIGHUP as the signal to reload the
	// configuration (tests send on it); by default Run listens for SIGHUP.
	Hangup <-chan os.Signal
	// PageRefresh is how often an open status page refreshes itself
	// (default page.DefaultRefresh; tests shorten it).
	PageRefresh time.Duration
	// WatchDebounce is how long the file watch ([bot] watch_config) waits
	// for a file to stop changing before it reloads (default 200ms).
	WatchDebounce time.Duration
	// CollectEvery is how often a fleet's leader reads the replicas'
	// results (default fleet.DefaultCollectEvery; tests shorten it).
	CollectEvery time.Duration
	// Polled, if set, is told of every poll this replica's fleet worker
	// makes (tests and benchmarks measure the schedule with it).
	Polled func(target string, at time.Time)
	// Chat subscriptions (subscriptions.go): CatalogURLs replaces catalog
	// vendors' URLs by name, loopback URLs only (tests point a vendor at a
	// local fake); RuntimeInterval, if set, polls runtime targets that
	// often; SubscriptionSync is how often the leader reads subscriptions
	// other replicas stored (default DefaultSubscriptionSync).
	CatalogURLs      map[string]string
	RuntimeInterval  time.Duration
	SubscriptionSync time.Duration
}

// App is an assembled bot.
type App struct {
	cfg      *config.Config
	log      *slog.Logger
	store    *store.Store
	runner   *bot.Runner
	sched    *bot.Scheduler
	disp     *liveDispatcher
	registry *prometheus.Registry
	listener net.Listener
	// public, when [bot] public_listen is set, serves the command endpoints
	// alone; listener then serves everything else.
	public net.Listener
	// console receives the start-up status table (console mode only).
	console io.Writer
	// commands answers chat commands.
	commands *bot.Commands
	mutes    *bot.Mutes
	now      func() time.Time
	// chat checks the chat tokens and channels (preflight.go); nil without
	// chat.
	chat *chatChecks
	// view is the status picture of the pages, the API and the badges
	// (web.go); nil when [web] is off.
	view *statusview.Builder

	// Leader election (leader.go).
	instance string
	leaseTTL time.Duration
	role     atomic.Int32
	// staleView is set while a standby cannot read the store.
	staleView bool
	// lapsed is set while the leader polls on without having renewed its
	// lease in time (the store does not answer).
	lapsed atomic.Bool

	// Reloading (reload.go). genMu guards the leader's running generation
	// of work (gen, started under workCtx) and what a reload swaps.
	opts       Options
	deliveries *prometheus.CounterVec
	rootEdits  *prometheus.CounterVec
	dests      []string // the destinations with delivery series (metrics.go)
	genMu      sync.Mutex
	gen        *generation
	workCtx    context.Context
	reload     reloader
	reloading  atomic.Bool

	// fleet is set with [bot] location or shard (fleet.go); a reload
	// replaces it under fleetMu.
	fleet   *fleetParts
	fleetMu sync.Mutex
	// fleetStop ends the running worker and collector, so that their
	// loops take up the replaced ones.
	fleetStop fleetStops
	// boards are the live status boards (board.go).
	boards boards
	// subs are the chat subscriptions (subscriptions.go).
	subs subscriptions
}

// New builds the bot from cfg, opens the store and restores state.
func New(ctx context.Context, cfg *config.Config, opts Options) (*App, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := bot.NewMetrics(reg)

	routes, err := buildRoutes(cfg, opts, log)
	if err != nil {
		return nil, err
	}
	targets, err := buildTargets(cfg, opts, routes)
	if err != nil {
		return nil, err
	}

	st, err := store.Open(ctx, cfg.Bot.State)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: log, store: st, registry: reg, opts: opts}
	if a.chat, err = newChatChecks(cfg, routes, log, opts.ChatCheck, reg); err != nil {
		st.Close()
		return nil, err
	}
	if !cfg.Chat() {
		a.console = opts.Greet
	}

	deliveries := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "outagebot_deliveries_total",
		Help: "Delivery attempts by destination and result (delivered, retry, gave_up).",
	}, []string{"dest", "result"})
	reg.MustRegister(deliveries, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "outagebot_outbox_depth",
		Help: "Deliveries waiting in the outbox.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		n, err := st.OutboxDepth(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	}))
	edits := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "outagebot_root_edits_total",
		Help: "Attempts to edit a thread's root to its outage's current state, by destination and result (delivered, retry, gave_up).",
	}, []string{"dest", "result"})
	reg.MustRegister(edits)
	a.rootEdits = edits
	a.deliveries = deliveries
	a.knownDests(routes)
	a.disp = &liveDispatcher{d: notifier.NewDispatcher(st, routes, log.With("component", "dispatcher"), a.dispatchOptions(cfg))}
	// Queued deliveries to destinations no longer configured are set aside
	// by the leader when it takes over (leader.go catchUp) and when a
	// reload changes the channels (reload.go startGeneration).

	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	mutes, err := bot.NewMutes(ctx, st, now())
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("load mutes: %w", err)
	}
	windows, err := silence.FromConfig(cfg)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("silences: %w", err)
	}
	mutes.SetWindows(windows)
	a.runner = bot.NewRunner(&bot.Engine{}, st, log.With("component", "engine"), metrics, targets)
	a.runner.Notify = func() { a.disp.Wake(); a.boards.wake() }
	// The start-up table shows each target's first poll, errors included.
	a.runner.TableShowsFirstPoll = a.console != nil
	netMin := cfg.Bot.NetworkDownMinTargets
	if netMin == 0 {
		netMin = -1 // off
	}
	a.runner.Network = &bot.NetworkWatch{Min: netMin}
	if cfg.Bot.ReportOnResolve {
		a.runner.OnResolved = a.postReport
	}
	a.runner.Now = opts.Now
	a.runner.Mutes = mutes
	a.mutes, a.now = mutes, now
	a.initReload(reg, cfg)
	a.registerAppMetrics(reg)
	if isShared(cfg.Bot.State) {
		// Standbys answer commands from the store: keep the stored view
		// fresh even while nothing material changes.
		a.runner.SnapshotEvery = time.Minute
	}
	a.commands = &bot.Commands{View: a.runner, History: st, Mutes: mutes, Now: now, Digest: a.digestNow,
		Report: func(ctx context.Context, id string, markdown bool) (bot.Answer, error) {
			r, err := report.Build(ctx, st, id, now())
			if err != nil {
				return bot.Answer{}, err
			}
			// In the asker's language, as the command answers.
			p := i18n.For(bot.LangFrom(ctx))
			if markdown {
				return report.MarkdownAnswerIn(p, r), nil
			}
			return report.AnswerIn(p, r), nil
		}, Acks: st}
	a.initWeb(cfg)
	if err := a.runner.Load(ctx, st); err != nil {
		st.Close()
		return nil, fmt.Errorf("restore state: %w", err)
	}
	if err := a.initSubscriptions(ctx, cfg); err != nil {
		st.Close()
		return nil, fmt.Errorf("chat subscriptions: %w", err)
	}
	a.instance = cfg.Bot.Instance
	if a.instance == "" {
		a.instance = defaultInstance(cfg.Bot.State)
	}
	a.leaseTTL = opts.LeaseTTL
	if a.leaseTTL <= 0 {
		a.leaseTTL = DefaultLeaseTTL
	}
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "outagebot_leader",
		Help: "1 while this replica holds the leader lease (polls and delivers), 0 while it stands by.",
	}, func() float64 {
		if a.role.Load() == roleLeader {
			return 1
		}
		return 0
	}))
	a.sched = &bot.Scheduler{
		Workers: cfg.Bot.Workers,
		Skipped: func(name string) { metrics.Skipped.WithLabelValues(name).Inc() },
	}
	if a.fleet = a.newFleet(cfg, targets); a.fleet != nil {
		a.fleet.worker.Polled = opts.Polled
	}
	return a, nil
}

// Runner exposes the engine's view (for status queries and tests).
func (a *App) Runner() *bot.Runner { return a.runner }

// Commands answers chat commands from the bot's state.
func (a *App) Commands() *bot.Commands { return a.commands }

// Store exposes the store (for status queries and tests).
func (a *App) Store() *store.Store { return a.store }

// Addr is the HTTP server's address once Listen or Run has opened it.
func (a *App) Addr() string {
	if a.listener == nil {
		return ""
	}
	return a.listener.Addr().String()
}

// PublicAddr is the address of the command endpoints' own listener once
// Listen or Run has opened it ("" without [bot] public_listen).
func (a *App) PublicAddr() string {
	if a.public == nil {
		return ""
	}
	return a.public.Addr().String()
}

// Healthy is nil when the store accepts writes and this replica does its
// part: the leader's scheduler runs; a standby stands by.
func (a *App) Healthy(ctx context.Context) error {
	switch a.role.Load() {
	case roleLeader:
		if !a.sched.Running() && !a.reloading.Load() {
			return errors.New("scheduler is not running")
		}
		err := a.runner.Health()
		if a.lapsed.Load() {
			return errors.Join(errors.New("the leader lease lapsed: the store does not answer; polling on"), err)
		}
		if err != nil {
			return err
		}
	case roleStandby:
	default:
		return errNotRunning
	}
	return a.store.Ping(ctx)
}

// Alive reports whether the process does its own part, whatever the store
// does: a leader's scheduler runs, a standby stands by. It is what a
// liveness probe should ask; Healthy is for readiness and alerts.
func (a *App) Alive(ctx context.Context) error {
	switch a.role.Load() {
	case roleLeader:
		if !a.sched.Running() && !a.reloading.Load() {
			return errors.New("scheduler is not running")
		}
	case roleStandby:
	default:
		return errNotRunning
	}
	return nil
}

// Listen opens the HTTP listeners (so callers can learn the ports before
// Run).
func (a *App) Listen() error {
	if a.cfg.Bot.Listen != "" && a.listener == nil {
		l, err := net.Listen("tcp", a.cfg.Bot.Listen)
		if err != nil {
			return fmt.Errorf("listen on %s for health and metrics: %w (set bot.listen to another address, or to \"\" to turn the HTTP server off)", a.cfg.Bot.Listen, err)
		}
		a.listener = l
	}
	if a.cfg.Bot.PublicListen != "" && a.public == nil {
		l, err := net.Listen("tcp", a.cfg.Bot.PublicListen)
		if err != nil {
			if a.listener != nil {
				a.listener.Close()
				a.listener = nil
			}
			return fmt.Errorf("listen on %s for the command endpoints: %w (set bot.public_listen to another address, or to \"\" to serve them on bot.listen)", a.cfg.Bot.PublicListen, err)
		}
		a.public = l
	}
	return nil
}

// serve runs an HTTP server for h on l until shutdown is called.
func (a *App) serve(l net.Listener, h http.Handler) (shutdown func()) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
	}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("HTTP server stopped", "addr", l.Addr().String(), "err", err)
		}
	}()
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = srv.Shutdown(sctx)
		cancel()
	}
}

// startHTTP serves the private listener (health, metrics and, without a
// public listener, the command endpoints) and the public one (the command
// endpoints alone).
func (a *App) startHTTP() (shutdown func()) {
	var stops []func()
	commands := a.commandEndpoints()
	if a.public != nil {
		mux := http.NewServeMux()
		for pattern, h := range commands {
			mux.Handle(pattern, h)
		}
		stops = append(stops, a.serve(a.public, mux))
		a.log.Info("serving the command endpoints alone", "addr", "http://"+a.public.Addr().String(), "endpoints", slices.Sorted(maps.Keys(commands)))
		commands = nil
	}
	if a.listener != nil {
		// Reloading is for operators: never on the public listener.
		private := map[string]http.Handler{"POST /-/reload": a.reloadHandler()}
		maps.Copy(private, commands)
		stops = append(stops, a.serve(a.listener, httpapi.Handler(a.Healthy, a.Alive, a.Role, a.registry, private, append(a.chatHealth(), a.webRoutes()...)...)))
		parts := []string{"health", "metrics"}
		if a.view != nil {
			parts = append(parts, "the status page at /", "the API at /api/v1/")
		}
		if a.public == nil && len(commands) > 0 {
			parts = append(parts, "the command endpoints")
		}
		what := strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
		a.log.Info("serving "+what, "addr", "http://"+a.listener.Addr().String())
	}
	return func() {
		for _, stop := range stops {
			stop()
		}
	}
}

// Run polls, dispatches and serves HTTP until ctx is cancelled, then shuts
// down in order: polls in flight finish their commit, deliveries in flight
// finish or stay queued, the store is closed.
func (a *App) Run(ctx context.Context) error {
	if err := a.Listen(); err != nil {
		return err
	}
	stopHTTP := a.startHTTP()
	a.log.Info("outagebot started", "version", Version, "targets", len(a.runner.Jobs()), "destinations", a.disp.Destinations(), "instance", a.instance)

	var wg sync.WaitGroup
	wg.Go(func() { a.chat.Run(ctx) })
	a.startCommands(ctx, &wg)
	a.reloadTriggers(ctx, &wg)
	if a.console != nil {
		wg.Go(func() { a.greet(ctx) })
	}
	if a.fleet != nil {
		// Every replica of a fleet polls its share, leader or not.
		wg.Go(func() { a.runFleet(ctx, fleetWorker) })
	}
	// Every replica answers commands; only the lease holder runs work.
	a.lead(ctx, a.work)
	wg.Wait()

	stopHTTP()
	a.log.Info("outagebot stopped")
	return a.store.Close()
}

// work is what only the leader runs: polling, delivery, digests and the
// Discord gateway. It
// returns once ctx ends and polls in flight have committed (or had their
// commits refused, when the lease was lost).
func (a *App) work(ctx context.Context) {
	var wg sync.WaitGroup
	a.startDiscord(ctx, &wg)
	a.startBoards(ctx, &wg)
	wg.Go(func() { a.pruneSeen(ctx) })
	wg.Go(func() { a.pruneCoverage(ctx) })
	if a.fleet != nil {
		wg.Go(func() { a.runFleet(ctx, fleetCollector) })
	}
	wg.Go(func() { a.watchSubscriptions(ctx) })

	// Polling, delivery, digests and store retries are what a reload swaps.
	a.runWork(ctx)
	wg.Wait()
}

// greet shows a console user the state of every target once each has been
// polled, so a quiet start (everything operational) still shows the bot
// working.
func (a *App) greet(ctx context.Context) {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		snaps := a.runner.Snapshots()
		polled := 0
		for _, s := range snaps {
			if !s.CheckedAt.IsZero() {
				polled++
			}
		}
		if polled < len(snaps) {
			continue
		}
		var b strings.Builder
		noun := "targets"
		if len(snaps) == 1 {
			noun = "target"
		}
		fmt.Fprintf(&b, "Watching %d %s. Current status:\n\n", len(snaps), noun)
		_ = bot.WriteTable(&b, snaps, time.Now())
		b.WriteString("\nOutages will be printed here as they start, change and end (Ctrl-C to stop).\n\n")
		_, _ = io.WriteString(a.console, b.String())
		return
	}
}

// Close releases the store when Run was never called.
func (a *App) Close() error { return a.store.Close() }

// Drain delivers everything that is due now (used by tests and the demo).
func (a *App) Drain(ctx context.Context) { a.disp.Drain(ctx) }

func httpClient(cfg *config.Config, opts Options) *fetch.Client {
	return fetch.New(fetch.Options{
		UserAgent: UserAgent(),
		MaxBody:   int64(cfg.Bot.MaxBodySize),
		Transport: opts.Transport,
	})
}

// UserAgent names outagebot and its version to the servers it polls.
func UserAgent() string {
	return "outagebot/" + Version + " (+https://github.com/outagebot/outagebot)"
}

// buildTargets makes a scheduled target per configured one, sending its
// events to the destinations of its channels.
func buildTargets(cfg *config.Config, opts Options, routes []notifier.Route) ([]*bot.Target, error) {
	client := httpClient(cfg, opts)
	deps := registry.Deps{Client: client, UserAgent: UserAgent(), MaxBody: int64(cfg.Bot.MaxBodySize), ProbeTransport: probe.NewSharedTransport(), Log: opts.Log}
	var out []*bot.Target
	var errs []error
	for _, t := range cfg.Targets {
		src, err := registry.New(t, deps)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: target %q: %w", cfg.Path, t.Line, t.Name, err))
			continue
		}
		out = append(out, &bot.Target{
			Job:     bot.Job{Name: t.Name, Interval: t.Interval.Duration},
			Type:    t.Type,
			Timeout: t.Timeout.Duration,
			Source:  src,
			Policy:  PolicyFor(t),
			Dests:   destsFor(cfg, t, routes),
			Route:   routeFor(cfg, t),

			DependsOn:    dependenciesOf(t),
			Alternatives: t.Alternatives,
			Group:        t.Group,
		})
		markRemote(cfg, t, out[len(out)-1])
	}
	return out, errors.Join(errs...)
}

func dependenciesOf(t config.Target) []bot.Dependency {
	var out []bot.Dependency
	for _, d := range t.DependsOn {
		out = append(out, bot.Dependency{Target: d.Target, Components: d.Components})
	}
	return out
}

// PolicyFor turns a target's thresholds into the engine's policy.
func PolicyFor(t config.Target) bot.Policy {
	return bot.Policy{
		Probe:                t.IsProbe(),
		FailureThreshold:     t.FailureThreshold,
		SuccessThreshold:     t.SuccessThreshold,
		UnreachableThreshold: t.UnreachableThreshold,
		AnnounceExisting:     t.Announce(),
		Components:           t.Components,
		RemindEvery:          t.RemindEvery.Duration,
		MaintenanceNotice:    t.MaintenanceNotice.Duration,
	}
}

// consoleDest is where everything goes when no chat is configured.
var consoleDest = notifier.Destination{Channel: "console", Platform: "console"}

func buildRoutes(cfg *config.Config, opts Options, log *slog.Logger) ([]notifier.Route, error) {
	if !cfg.Chat() {
		names := make([]string, len(cfg.Targets))
		for i, t := range cfg.Targets {
			names[i] = t.Name
		}
		return []notifier.Route{{Destination: consoleDest, Notifier: console.New(opts.Stdout, console.WithTargets(names), console.WithLang(cfg.Bot.Locale))}}, nil
	}
	var routes []notifier.Route
	var errs []error
	for _, ch := range cfg.Channels {
		for _, d := range destinationsOf(ch) {
			n, limit, burst, err := chatNotifier(cfg, d, log.With("dest", d.String()))
			if err != nil {
				errs = append(errs, fmt.Errorf("channel %q: %w", ch.Name, err))
				continue
			}
			if opts.ChatLimit > 0 {
				limit, burst = opts.ChatLimit, max(opts.ChatBurst, 1)
			}
			r := notifier.Route{Destination: d, Notifier: n, Limit: limit, Burst: burst}
			if groups(d.Platform) {
				// Webhooks cannot thread, so a grouped message would
				// leave its outages' updates nowhere to go.
				r.Storm = notifier.Storm{Threshold: cfg.Bot.StormThreshold, Window: cfg.Bot.StormWindow.Duration}
			}
			routes = append(routes, r)
		}
	}
	return routes, errors.Join(errs...)
}

func destinationsOf(ch config.Channel) []notifier.Destination {
	var out []notifier.Destination
	if ch.Slack != "" {
		out = append(out, notifier.Destination{Channel: ch.Name, Platform: "slack", Address: ch.Slack})
	}
	if ch.Discord != "" {
		out = append(out, notifier.Destination{Channel: ch.Name, Platform: "discord", Address: ch.Discord})
	}
	if ch.Telegram != "" {
		out = append(out, notifier.Destination{Channel: ch.Name, Platform: "telegram", Address: ch.Telegram})
	}
	if ch.WebhookURL != "" {
		out = append(out, notifier.Destination{Channel: ch.Name, Platform: "webhook", Address: ch.WebhookURL})
	}
	return append(out, moreDestinationsOf(ch)...)
}

// routeFor is nil without [[route]] (every event goes to Dests); otherwise
// it sends each event to the channels whose threshold it meets.
// Maintenance and unreachable notices only go to channels without a
// threshold: a route with min_severity is for outages at least that bad.
func routeFor(cfg *config.Config, t config.Target) func(outage.Event) []string {
	if !cfg.Chat() || len(cfg.Routes) == 0 {
		return nil
	}
	deliveries := cfg.DeliveriesFor(t)
	return func(ev outage.Event) []string {
		var out []string
		for _, d := range deliveries {
			if d.MinSeverity != "" && (ev.Class != outage.Incident || !meets(ev.Severity, d.MinSeverity)) {
				continue
			}
			for _, dest := range destinationsOf(d.Channel) {
				out = append(out, dest.String())
			}
		}
		return out
	}
}

func meets(s sources.Status, min string) bool {
	return s.Rank() >= sources.Status(min).Rank()
}

func destsFor(cfg *config.Config, t config.Target, routes []notifier.Route) []string {
	if !cfg.Chat() {
		return []string{consoleDest.String()}
	}
	var out []string
	for _, ch := range cfg.ChannelsFor(t) {
		for _, d := range destinationsOf(ch) {
			out = append(out, d.String())
		}
	}
	return out
}

// postReport queues the post-outage report in the thread of an outage that
// has just been resolved, once nothing in its story is still open (the
// last restoration posts it), once per thread: a thread that flaps back
// open and ends again does not post another. Failing to is logged: the
// report can still be asked for.
func (a *App) postReport(ctx context.Context, ev outage.Event) {
	log := a.log.With("target", ev.Target, "outage", ev.OutageID)
	r, err := report.Build(ctx, a.store, ev.OutageID, a.now())
	if err != nil {
		log.Warn("cannot build the post-outage report", "err", err)
		return
	}
	if r.Ongoing {
		return
	}
	queued, err := a.store.QueueInThread(ctx, report.Event(r, ev.ThreadKey()), a.now())
	switch {
	case err != nil:
		log.Warn("cannot queue the post-outage report", "err", err)
	case queued:
		a.disp.Wake()
	}
}
