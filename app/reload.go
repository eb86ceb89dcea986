package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/silence"
	"github.com/outagebot/outagebot/store"
)

// Reloading. SIGHUP, POST /-/reload (private listener only) and, with
// [bot] watch_config, a change of the file read the configuration file
// again and apply it without a restart. A file that does not load, or
// that changes a setting only a restart can change, is refused whole: the
// running configuration stays, the reason is logged, returned and shown by
// outagebot_config_last_reload_successful = 0.
//
// Applying swaps one "generation" of the leader's work for the next: the
// scheduler stops starting polls, polls in flight finish and commit, the
// dispatcher, digests and store retries stop; then the runner takes the new
// targets (bot.Runner.Reconfigure keeps every kept target's state, so open
// outages stay open in their threads and nothing is announced again), the
// dispatcher is rebuilt for the new channels, silences are replaced, queued
// deliveries to channels no longer configured are set aside as at start-up,
// and the next generation starts. A standby swaps the same parts without
// running them: it validates the file now and leads with it later.
//
// A removed target is no longer polled; its open outages stay open in the
// store, unannounced, as they would across a restart without it. Should
// it come back under the same name it resumes from that state: an outage
// that ended meanwhile gets its restoration then, one that goes on is not
// announced again. Resolving them on removal would post a recovery nobody
// saw.

// ReloadResult says what a reload changed, by name (digests by key, see
// DigestKey).
type ReloadResult struct {
	Targets  Changes `json:"targets"`
	Channels Changes `json:"channels"`
	Digests  Changes `json:"digests"`
	// Routes and Silences are set when any [[route]] or [[silence]]
	// changed.
	Routes   bool `json:"routes_changed"`
	Silences bool `json:"silences_changed"`
}

// Changes lists what was added, removed and changed.
type Changes struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	Changed []string `json:"changed"`
}

// Empty reports whether the reload changed nothing.
func (r ReloadResult) Empty() bool {
	return r.Targets.empty() && r.Channels.empty() && r.Digests.empty() && !r.Routes && !r.Silences
}

func (c Changes) empty() bool { return len(c.Added)+len(c.Removed)+len(c.Changed) == 0 }

// RefusedError is a reload refused because of the new file: its Problems
// are what `outagebot check` prints, FILE:LINE: message each.
type RefusedError struct {
	Problems []string
}

func (e *RefusedError) Error() string {
	return "the configuration was not reloaded: " + strings.Join(e.Problems, "; ")
}

// reloader is the state of reloading.
type reloader struct {
	// mu lets one reload run at a time.
	mu sync.Mutex
	// live is the configuration in force (guarded by App.genMu).
	live *config.Config
	// seen is the hash of the file as last read by a reload or at start,
	// so that the watch reloads on a change of content only.
	seen [sha256.Size]byte
	// ok and at are the metrics.
	ok, at prometheus.Gauge
}

// generation is one run of the leader's swappable work.
type generation struct {
	stop func()
	done chan struct{}
}

// initReload registers the reload metrics; the configuration a replica
// starts with counts as the first successful load.
func (a *App) initReload(reg prometheus.Registerer, cfg *config.Config) {
	a.reload.live = cfg
	a.reload.ok = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "outagebot_config_last_reload_successful",
		Help: "1 when the last attempt to load the configuration succeeded, 0 when it was refused (the previous configuration runs on).",
	})
	a.reload.at = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "outagebot_config_last_reload_success_timestamp_seconds",
		Help: "When the configuration was last loaded successfully, in seconds since the epoch.",
	})
	reg.MustRegister(a.reload.ok, a.reload.at)
	a.reload.ok.Set(1)
	a.reload.at.Set(float64(a.now().UnixNano()) / 1e9)
	if data, err := os.ReadFile(cfg.Path); err == nil {
		a.reload.seen = sha256.Sum256(data)
	}
}

// Reload reads the configuration file again and applies it. A
// *RefusedError means the file was refused and the running configuration
// stays; another error means the file was fine but could not be applied
// now (the store did not answer), and the running configuration stays too.
func (a *App) Reload(ctx context.Context) (ReloadResult, error) {
	a.reload.mu.Lock()
	defer a.reload.mu.Unlock()
	path := a.cfg.Path
	data, err := os.ReadFile(path)
	if err == nil {
		a.reload.seen = sha256.Sum256(data)
	}
	res, err := a.reloadFrom(ctx, path, data, err)
	log := a.log.With("file", path)
	var refused *RefusedError
	switch {
	case errors.As(err, &refused):
		a.reload.ok.Set(0)
		log.Error("configuration refused; the previous one runs on", "problems", strings.Join(refused.Problems, "\n"))
	case err != nil:
		a.reload.ok.Set(0)
		log.Error("configuration not reloaded; the previous one runs on", "err", err)
	default:
		a.reload.ok.Set(1)
		a.reload.at.Set(float64(a.now().UnixNano()) / 1e9)
		log.Info("configuration reloaded",
			"targets_added", res.Targets.Added, "targets_removed", res.Targets.Removed, "targets_changed", res.Targets.Changed,
			"channels_added", res.Channels.Added, "channels_removed", res.Channels.Removed, "channels_changed", res.Channels.Changed,
			"digests_added", res.Digests.Added, "digests_removed", res.Digests.Removed, "digests_changed", res.Digests.Changed,
			"routes_changed", res.Routes, "silences_changed", res.Silences)
	}
	return res, err
}

// reloadFrom validates data (read from path, or readErr) and builds
// everything from it before touching the running bot, so that a refusal
// leaves it as it was.
func (a *App) reloadFrom(ctx context.Context, path string, data []byte, readErr error) (ReloadResult, error) {
	if readErr != nil {
		return ReloadResult{}, &RefusedError{Problems: []string{fmt.Sprintf("%s: %v", path, readErr)}}
	}
	cfg, err := config.Parse(path, data, os.LookupEnv)
	if err != nil {
		var ps config.Problems
		if errors.As(err, &ps) {
			out := make([]string, len(ps))
			for i, p := range ps {
				out[i] = p.String()
			}
			return ReloadResult{}, &RefusedError{Problems: out}
		}
		return ReloadResult{}, &RefusedError{Problems: []string{fmt.Sprintf("%s: %v", path, err)}}
	}
	if ps := restartOnly(a.cfg, cfg, data); len(ps) > 0 {
		return ReloadResult{}, &RefusedError{Problems: ps}
	}
	routes, err := buildRoutes(cfg, a.opts, a.log)
	if err != nil {
		return ReloadResult{}, &RefusedError{Problems: lines(path, err)}
	}
	targets, err := buildTargets(cfg, a.opts, routes)
	if err != nil {
		return ReloadResult{}, &RefusedError{Problems: lines(path, err)}
	}
	routes, targets, followed := a.withSubscriptions(cfg, routes, targets, a.subscriptionRows())
	windows, err := silence.FromConfig(cfg)
	if err != nil {
		return ReloadResult{}, &RefusedError{Problems: lines(path, err)}
	}
	if _, err := digestJobs(cfg); err != nil {
		return ReloadResult{}, &RefusedError{Problems: lines(path, err)}
	}
	disp := notifier.NewDispatcher(a.store, routes, a.log.With("component", "dispatcher"), a.dispatchOptions(cfg))

	a.genMu.Lock()
	defer a.genMu.Unlock()
	res := diffConfig(a.reload.live, cfg)
	leading := a.gen != nil
	if leading {
		a.reloading.Store(true)
		defer a.reloading.Store(false)
		a.stopGeneration()
	}
	if err := a.runner.Reconfigure(ctx, a.store, targets); err != nil {
		if leading {
			a.startGeneration()
		}
		return ReloadResult{}, err
	}
	a.disp.set(disp)
	if !res.Targets.empty() {
		a.replanFleet(cfg, targets)
	}
	a.knownDests(routes)
	a.mutes.SetWindows(windows)
	a.reconfigureWeb(cfg)
	a.reload.live = cfg
	a.appliedSubscriptions(cfg, followed)
	if leading {
		a.startGeneration()
	}
	return res, nil
}

// lines splits a joined build error into its lines, each prefixed with the
// file unless it names it already.
func lines(path string, err error) []string {
	var out []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if !strings.HasPrefix(l, path+":") {
			l = path + ": " + l
		}
		out = append(out, l)
	}
	return out
}

// dispatchOptions are the dispatcher's options for cfg.
func (a *App) dispatchOptions(cfg *config.Config) notifier.Options {
	o := a.opts.Dispatch
	if o.MaxAge == 0 {
		o.MaxAge = cfg.Bot.MaxDeliveryAge.Duration
	}
	if o.Now == nil {
		o.Now = a.opts.Now
	}
	o.Observe = a.observeDelivery
	o.ObserveEdit = a.observeEdit
	o.PageURL = cfg.Web.OutageURL
	return o
}

// startGeneration starts the swappable part of the leader's work for the
// configuration in force; a.genMu is held.
func (a *App) startGeneration() {
	wctx := a.workCtx
	gctx, cancel := context.WithCancel(wctx)
	g := &generation{stop: cancel, done: make(chan struct{})}
	a.gen = g
	disp, runner, cfg := a.disp.get(), a.runner, a.reload.live
	// Queued deliveries to channels this configuration does not have are
	// set aside, as at start-up; those of kept channels stay queued.
	orphans, err := a.store.Orphan(wctx, disp.Destinations(), time.Now())
	if err != nil && wctx.Err() == nil {
		a.log.Warn("cannot set aside queued deliveries to channels no longer configured; trying again on the next reload or takeover", "err", err)
	}
	for dest, n := range orphans {
		a.log.Warn("dropping queued deliveries to a destination that is no longer configured", "dest", dest, "deliveries", n)
	}
	jobs := runner.Jobs()
	a.sched.Arm()
	go func() {
		defer close(g.done)
		var wg sync.WaitGroup
		wg.Go(func() { disp.Run(gctx) })
		a.startDigests(gctx, cfg, &wg)
		wg.Go(func() { runner.Retry(gctx) })
		wg.Go(func() { runner.Cover(gctx) })
		// The generation's end stops new polls; those in flight finish on
		// the work's context, which only losing the lead or shutdown ends.
		a.sched.Run(gctx, jobs, func(_ context.Context, j *bot.Job) { runner.Poll(wctx, j) })
		wg.Wait()
	}()
}

// stopGeneration ends the running generation and waits for it: polls in
// flight have committed when it returns. a.genMu is held.
func (a *App) stopGeneration() {
	if a.gen == nil {
		return
	}
	a.gen.stop()
	<-a.gen.done
	a.gen = nil
}

// runWork runs the leader's swappable work until ctx ends, a generation at
// a time.
func (a *App) runWork(ctx context.Context) {
	a.genMu.Lock()
	a.workCtx = ctx
	a.startGeneration()
	a.genMu.Unlock()
	<-ctx.Done()
	a.genMu.Lock()
	a.stopGeneration()
	a.workCtx = nil
	a.genMu.Unlock()
}

// liveDispatcher is the dispatcher in force; a reload replaces it.
type liveDispatcher struct {
	mu sync.RWMutex
	d  *notifier.Dispatcher
}

func (l *liveDispatcher) get() *notifier.Dispatcher {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.d
}

func (l *liveDispatcher) set(d *notifier.Dispatcher) {
	l.mu.Lock()
	l.d = d
	l.mu.Unlock()
}

// Wake wakes the dispatcher in force.
func (l *liveDispatcher) Wake() { l.get().Wake() }

// Destinations lists the destinations of the dispatcher in force.
func (l *liveDispatcher) Destinations() []string { return l.get().Destinations() }

// Drain drains with the dispatcher in force.
func (l *liveDispatcher) Drain(ctx context.Context) { l.get().Drain(ctx) }

// reloadTriggers reloads on SIGHUP and, with [bot] watch_config, on a
// change of the file, until ctx ends.
func (a *App) reloadTriggers(ctx context.Context, wg *sync.WaitGroup) {
	hup := a.opts.Hangup
	if hup == nil {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGHUP)
		wg.Go(func() {
			<-ctx.Done()
			signal.Stop(ch)
		})
		hup = ch
	}
	var changed <-chan struct{}
	if a.cfg.Bot.WatchConfig {
		ch := make(chan struct{}, 1)
		if err := watchFile(ctx, wg, a.cfg.Path, a.opts.WatchDebounce, ch, a.log); err != nil {
			a.log.Error("cannot watch the configuration file; reload with SIGHUP or POST /-/reload", "file", a.cfg.Path, "err", err)
		} else {
			changed = ch
		}
	}
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				a.log.Info("SIGHUP: reloading the configuration")
				_, _ = a.Reload(ctx)
			case <-changed:
				if !a.fileChanged() {
					continue
				}
				a.log.Info("the configuration file changed: reloading it")
				_, _ = a.Reload(ctx)
			}
		}
	})
}

// fileChanged reports whether the file's content differs from what the
// last reload read (editors write a file in several steps, and touch it
// without changing it).
func (a *App) fileChanged() bool {
	data, err := os.ReadFile(a.cfg.Path)
	if err != nil {
		// Gone for a moment (replaced by a rename): the event of its return
		// follows.
		return false
	}
	a.reload.mu.Lock()
	defer a.reload.mu.Unlock()
	return sha256.Sum256(data) != a.reload.seen
}

// reloadHandler answers POST /-/reload: 200 with what changed, 400 with
// the problems of a refused file, 503 when it could not be applied now.
func (a *App) reloadHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A reload waits for polls in flight (up to their timeout); the
		// server's write timeout is shorter.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(5 * time.Minute))
		res, err := a.Reload(r.Context())
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		var body any
		var refused *RefusedError
		switch {
		case errors.As(err, &refused):
			w.WriteHeader(http.StatusBadRequest)
			body = map[string]any{"status": "refused", "errors": refused.Problems}
		case err != nil:
			w.WriteHeader(http.StatusServiceUnavailable)
			body = map[string]any{"status": "failed", "errors": []string{err.Error()}}
		default:
			body = struct {
				Status string `json:"status"`
				ReloadResult
			}{"reloaded", res}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(body)
	})
}

// reloadable are the [bot] keys a reload may change; every other setting of
// [bot], [slack] and [discord] is read at start only.
var reloadable = []string{"max_body_size", "max_delivery_age", "storm_threshold", "storm_window"}

// restartOnly lists, as problems, the settings next changes that only a
// restart applies. Values are never quoted: some are secrets.
func restartOnly(cur, next *config.Config, data []byte) []string {
	var out []string
	add := func(section, key string) {
		out = append(out, fmt.Sprintf("%s:%d: %s.%s: changed, but it only takes effect on a restart (restart, or change it back to reload the rest)",
			next.Path, keyLine(data, section, key), section, key))
	}
	diffStruct := func(section string, a, b reflect.Value, skip ...string) {
		for i := range a.NumField() {
			f := a.Type().Field(i)
			key, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
			if key == "" || key == "-" || slices.Contains(skip, key) {
				continue
			}
			if !reflect.DeepEqual(a.Field(i).Interface(), b.Field(i).Interface()) {
				add(section, key)
			}
		}
	}
	diffStruct("bot", reflect.ValueOf(cur.Bot), reflect.ValueOf(next.Bot), reloadable...)
	diffStruct("web", reflect.ValueOf(cur.Web), reflect.ValueOf(next.Web))
	section := func(name string, a, b any) {
		va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
		switch {
		case va.IsNil() && vb.IsNil():
		case va.IsNil() != vb.IsNil():
			out = append(out, fmt.Sprintf("%s:%d: [%s]: added or removed, but it only takes effect on a restart",
				next.Path, keyLine(data, name, ""), name))
		default:
			// broadcast_resolved is read by the notifiers a reload builds.
			diffStruct(name, va.Elem(), vb.Elem(), "broadcast_resolved")
		}
	}
	section("slack", cur.Slack, next.Slack)
	section("discord", cur.Discord, next.Discord)
	section("telegram", cur.Telegram, next.Telegram)
	return out
}

// keyLine finds the line of key in [section] of a TOML document (of the
// header with key ""), for messages; 1 when it is not written there (a
// default, or a dotted key elsewhere).
func keyLine(data []byte, section, key string) int {
	in := false
	header := 0
	for i, l := range bytes.Split(data, []byte("\n")) {
		s := strings.TrimSpace(string(l))
		if strings.HasPrefix(s, "[") {
			in = strings.TrimSpace(strings.Trim(s, "[]")) == section
			if in {
				header = i + 1
			}
			continue
		}
		if in && key != "" {
			k, _, ok := strings.Cut(s, "=")
			if ok && strings.Trim(strings.TrimSpace(k), `"'`) == key {
				return i + 1
			}
		}
	}
	return max(header, 1)
}

// diffConfig says what changed from cur to next.
func diffConfig(cur, next *config.Config) ReloadResult {
	var r ReloadResult
	r.Targets = diffNamed(cur.Targets, next.Targets, func(t config.Target) string { return t.Name })
	r.Channels = diffNamed(cur.Channels, next.Channels, func(c config.Channel) string { return c.Name })
	keys := func(cfg *config.Config) []keyed {
		out := make([]keyed, len(cfg.Digests))
		for i, d := range cfg.Digests {
			out[i] = keyed{DigestKey(i, d), d}
		}
		return out
	}
	r.Digests = diffNamed(keys(cur), keys(next), func(k keyed) string { return k.key })
	r.Routes = !equalIgnoringLines(reflect.ValueOf(cur.Routes), reflect.ValueOf(next.Routes))
	r.Silences = !equalIgnoringLines(reflect.ValueOf(cur.Silences), reflect.ValueOf(next.Silences))
	return r
}

type keyed struct {
	key string
	d   config.Digest
}

func diffNamed[T any](cur, next []T, name func(T) string) Changes {
	var c Changes
	old := map[string]T{}
	for _, x := range cur {
		old[name(x)] = x
	}
	seen := map[string]bool{}
	for _, x := range next {
		n := name(x)
		seen[n] = true
		was, ok := old[n]
		switch {
		case !ok:
			c.Added = append(c.Added, n)
		case !equalIgnoringLines(reflect.ValueOf(was), reflect.ValueOf(x)):
			c.Changed = append(c.Changed, n)
		}
	}
	for _, x := range cur {
		if !seen[name(x)] {
			c.Removed = append(c.Removed, name(x))
		}
	}
	return c
}

// equalIgnoringLines compares two configuration values as DeepEqual does,
// except for the fields named Line (where a table starts in the file): a
// comment added above a target does not change it.
func equalIgnoringLines(a, b reflect.Value) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	switch a.Kind() {
	case reflect.Struct:
		if a.Type() != b.Type() {
			return false
		}
		for i := range a.NumField() {
			if a.Type().Field(i).Name == "Line" {
				continue
			}
			if !equalIgnoringLines(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !equalIgnoringLines(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equalIgnoringLines(a.Elem(), b.Elem())
	}
	if !a.CanInterface() {
		// Unexported fields: compared as a whole.
		return reflect.DeepEqual(fmt.Sprint(a), fmt.Sprint(b))
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

// observeEdit counts a root edit attempt's outcome.
func (a *App) observeEdit(dest string, o store.Outcome, _ error) {
	a.rootEdits.WithLabelValues(dest, deliveryResults[o]).Inc()
}

// observeDelivery counts a delivery attempt's outcome.
func (a *App) observeDelivery(dest string, o store.Outcome, _ error) {
	a.deliveries.WithLabelValues(dest, deliveryResults[o]).Inc()
}
