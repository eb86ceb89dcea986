package app

// Subscriptions from chat. A Slack or Discord channel subscribes with
// `/status subscribe <target|group|vendor> [least severity]`; the row is
// stored (store.Subscribe) by whichever replica answers. From the stored
// rows the leader derives two things and applies them as a reload does:
//
//   - runtime targets: a catalog vendor that a channel follows and the
//     configuration does not watch (no target made from it, none with its
//     name) is watched with the catalog's settings, polled by the same
//     runner and scheduler. It exists while a subscription to it does, so
//     it survives restarts, reloads and failover with the rows; a
//     configured target of the vendor always wins, so nothing is polled
//     twice.
//   - destinations: a subscribed channel that no [[channel]] names is a
//     destination of its own ("chat:C0123/slack") with its platform's
//     rate; one that a [[channel]] names is that channel's destination, so
//     an event both send is queued once.
//
// Routing itself reads the rows in the transaction that queues an event
// (store.Commit with Following), so it is exactly once through the outbox
// whatever the leader has applied yet.

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/catalog"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/sources/probe"
	"github.com/outagebot/outagebot/sources/registry"
	"github.com/outagebot/outagebot/store"
)

// DefaultSubscriptionSync is how often the leader reads the subscriptions
// that other replicas may have stored.
const DefaultSubscriptionSync = 10 * time.Second

// subDestPrefix marks a destination that belongs to subscriptions alone.
const subDestPrefix = "chat:"

// subscriptions is the app's state of chat subscriptions.
type subscriptions struct {
	mu sync.Mutex
	// rows are the subscriptions as last read; applied is what the runner
	// and dispatcher were built with; cfg is the configuration in force.
	rows    []store.Subscription
	applied subPlan
	cfg     *config.Config
	kick    chan struct{}
}

// subPlan is what the rows ask of the runner and the dispatcher.
type subPlan struct {
	// vendors are the catalog names of the runtime targets.
	vendors []string
	// dests are the destinations of subscribed channels no [[channel]]
	// names.
	dests []notifier.Destination
}

func (p subPlan) equal(q subPlan) bool {
	return slices.Equal(p.vendors, q.vendors) && slices.Equal(p.dests, q.dests)
}

// subscriptionsOn reports whether cfg takes subscriptions from chat.
func subscriptionsOn(cfg *config.Config) bool {
	return cfg.Bot.ChatSubscriptions && (cfg.Slack != nil || cfg.Discord != nil)
}

// planFor derives the plan of rows under cfg.
func planFor(cfg *config.Config, rows []store.Subscription) subPlan {
	var p subPlan
	if !subscriptionsOn(cfg) {
		return p
	}
	for _, r := range rows {
		if r.Kind == store.SubVendor {
			if _, covered := vendorTarget(cfg, r.Name); !covered {
				if v, ok := catalog.Lookup(r.Name); ok && !slices.Contains(p.vendors, v.Name) {
					p.vendors = append(p.vendors, v.Name)
				}
			}
		}
		if d, owned := subDestination(cfg, r.Platform, r.Channel); owned && !slices.Contains(p.dests, d) {
			p.dests = append(p.dests, d)
		}
	}
	slices.Sort(p.vendors)
	slices.SortFunc(p.dests, func(a, b notifier.Destination) int { return strings.Compare(a.String(), b.String()) })
	return p
}

// vendorTarget finds the configured target that watches a catalog vendor:
// one made from it (vendor = "github"), or one with its title as name.
func vendorTarget(cfg *config.Config, vendor string) (config.Target, bool) {
	v, ok := catalog.Lookup(vendor)
	if !ok {
		return config.Target{}, false
	}
	for _, t := range cfg.Targets {
		if strings.EqualFold(t.Vendor, v.Name) || strings.EqualFold(t.Name, v.Title) {
			return t, true
		}
	}
	return config.Target{}, false
}

// vendorOf is the catalog vendor a configured target watches, "" if none.
func vendorOf(t config.Target) string {
	if v, ok := catalog.Lookup(t.Vendor); ok && t.Vendor != "" {
		return v.Name
	}
	for _, v := range catalog.All() {
		if strings.EqualFold(v.Title, t.Name) {
			return v.Name
		}
	}
	return ""
}

// subDestination is where a subscribed channel's messages go: the
// destination of the [[channel]] that names it, else one of its own
// (owned). ok is false when the bot does not post to that platform.
func subDestination(cfg *config.Config, platform, channel string) (d notifier.Destination, owned bool) {
	for _, ch := range cfg.Channels {
		if (platform == "slack" && ch.Slack == channel) || (platform == "discord" && ch.Discord == channel) {
			return notifier.Destination{Channel: ch.Name, Platform: platform, Address: channel}, false
		}
	}
	return notifier.Destination{Channel: subDestPrefix + channel, Platform: platform, Address: channel}, true
}

// serves reports whether the bot posts to a chat platform.
func serves(cfg *config.Config, platform string) bool {
	return (platform == "slack" && cfg.Slack != nil) || (platform == "discord" && cfg.Discord != nil)
}

// following is what routes a target's events to its subscribers.
func following(cfg *config.Config, keys []store.SubKey) *store.Following {
	return &store.Following{
		Keys: keys,
		Dest: func(platform, channel string) string {
			if !serves(cfg, platform) {
				return ""
			}
			d, _ := subDestination(cfg, platform, channel)
			return d.String()
		},
		Owned: func(dest string) bool { return strings.HasPrefix(dest, subDestPrefix) },
	}
}

// keysOf are the subscriptions that follow a configured target.
func keysOf(t config.Target) []store.SubKey {
	keys := []store.SubKey{{Kind: store.SubTarget, Name: strings.ToLower(t.Name)}}
	if t.Group != "" {
		keys = append(keys, store.SubKey{Kind: store.SubGroup, Name: strings.ToLower(t.Group)})
	}
	if v := vendorOf(t); v != "" {
		keys = append(keys, store.SubKey{Kind: store.SubVendor, Name: v})
	}
	return keys
}

// withSubscriptions adds to what cfg builds the routes and runtime targets
// of rows, and sets every target's subscribers. A runtime target or a
// destination that cannot be built is logged and left out: the
// configuration stays valid whatever chat stored.
func (a *App) withSubscriptions(cfg *config.Config, routes []notifier.Route, targets []*bot.Target, rows []store.Subscription) ([]notifier.Route, []*bot.Target, subPlan) {
	plan := planFor(cfg, rows)
	if !subscriptionsOn(cfg) {
		return routes, targets, plan
	}
	log := a.log.With("component", "subscriptions")
	for _, t := range targets {
		if ct, ok := cfg.FindTarget(t.Name); ok {
			t.Follow = following(cfg, keysOf(ct))
		}
	}
	for _, d := range plan.dests {
		n, limit, burst, err := chatNotifier(cfg, d, log.With("dest", d.String()))
		if err != nil {
			log.Error("cannot post to a subscribed channel", "dest", d.String(), "err", err)
			continue
		}
		if a.opts.ChatLimit > 0 {
			limit, burst = a.opts.ChatLimit, max(a.opts.ChatBurst, 1)
		}
		r := notifier.Route{Destination: d, Notifier: n, Limit: limit, Burst: burst}
		if groups(d.Platform) {
			r.Storm = notifier.Storm{Threshold: cfg.Bot.StormThreshold, Window: cfg.Bot.StormWindow.Duration}
		}
		routes = append(routes, r)
	}
	deps := registry.Deps{Client: httpClient(cfg, a.opts), UserAgent: UserAgent(), MaxBody: int64(cfg.Bot.MaxBodySize), ProbeTransport: probe.NewSharedTransport(), Log: a.opts.Log}
	for _, name := range plan.vendors {
		t, err := a.runtimeTarget(name)
		if err == nil && slices.ContainsFunc(targets, func(x *bot.Target) bool { return strings.EqualFold(x.Name, t.Name) }) {
			err = fmt.Errorf("a configured target is called %q", t.Name)
		}
		if err != nil {
			log.Error("cannot watch a vendor that a channel subscribed to", "vendor", name, "err", err)
			continue
		}
		s, err := registry.New(t, deps)
		if err != nil {
			log.Error("cannot watch a vendor that a channel subscribed to", "vendor", name, "err", err)
			continue
		}
		targets = append(targets, &bot.Target{
			Job:     bot.Job{Name: t.Name, Interval: t.Interval.Duration},
			Type:    t.Type,
			Timeout: t.Timeout.Duration,
			Source:  s,
			Policy:  PolicyFor(t),
			Follow:  following(cfg, []store.SubKey{{Kind: store.SubVendor, Name: name}}),
		})
	}
	return routes, targets, plan
}

// runtimeTarget is the catalog's target for a vendor, with the test
// hooks' URL and interval.
func (a *App) runtimeTarget(vendor string) (config.Target, error) {
	t, err := config.CatalogTarget(vendor)
	if err != nil {
		return t, err
	}
	if u, ok := a.opts.CatalogURLs[t.Vendor]; ok {
		if !loopback(u) {
			return t, fmt.Errorf("the catalog URL override %q is not on this machine (127.0.0.1, ::1 or localhost)", u)
		}
		t.URL = u
	}
	if a.opts.RuntimeInterval > 0 {
		t.Interval.Duration = a.opts.RuntimeInterval
		t.Timeout.Duration = min(t.Timeout.Duration, a.opts.RuntimeInterval)
	}
	return t, nil
}

// loopback reports whether a URL's host is this machine.
func loopback(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// initSubscriptions wires the subscription commands and applies the
// stored subscriptions (runtime targets, destinations, routing) before
// anything is polled.
func (a *App) initSubscriptions(ctx context.Context, cfg *config.Config) error {
	a.subs.kick = make(chan struct{}, 1)
	a.subs.cfg = cfg
	s := &bot.Subscriptions{
		Store:      a.store,
		Dir:        directory{a},
		Configured: a.configured,
		Serves:     func(p string) bool { return serves(a.subConfig(), p) },
		Changed: func() {
			select {
			case a.subs.kick <- struct{}{}:
			default:
			}
		},
	}
	s.Off = !cfg.Bot.ChatSubscriptions
	a.commands.Subs = s
	return a.syncSubscriptions(ctx, true)
}

// subConfig is the configuration in force, for answers.
func (a *App) subConfig() *config.Config {
	a.subs.mu.Lock()
	defer a.subs.mu.Unlock()
	return a.subs.cfg
}

// syncSubscriptions reads the stored subscriptions and applies them when
// they ask for other runtime targets or destinations (always with force).
func (a *App) syncSubscriptions(ctx context.Context, force bool) error {
	rows, err := a.store.Subscriptions(ctx, "", "")
	if err != nil {
		return err
	}
	a.reload.mu.Lock()
	defer a.reload.mu.Unlock()
	a.genMu.Lock()
	defer a.genMu.Unlock()
	cfg := a.reload.live
	plan := planFor(cfg, rows)
	a.subs.mu.Lock()
	a.subs.rows = rows
	same := plan.equal(a.subs.applied)
	a.subs.mu.Unlock()
	if same && !force {
		return nil
	}
	routes, err := buildRoutes(cfg, a.opts, a.log)
	if err != nil {
		return err
	}
	targets, err := buildTargets(cfg, a.opts, routes)
	if err != nil {
		return err
	}
	routes, targets, plan = a.withSubscriptions(cfg, routes, targets, rows)
	disp := notifier.NewDispatcher(a.store, routes, a.log.With("component", "dispatcher"), a.dispatchOptions(cfg))
	leading := a.gen != nil
	if leading {
		a.reloading.Store(true)
		defer a.reloading.Store(false)
		a.stopGeneration()
	}
	err = a.runner.Reconfigure(ctx, a.store, targets)
	if err == nil {
		a.disp.set(disp)
		a.appliedSubscriptions(cfg, plan)
		if !force {
			a.log.Info("chat subscriptions applied", "runtime_targets", plan.vendors, "destinations", len(plan.dests))
		}
	}
	if leading {
		a.startGeneration()
	}
	return err
}

// appliedSubscriptions records what the runner and dispatcher now run
// with.
func (a *App) appliedSubscriptions(cfg *config.Config, plan subPlan) {
	a.subs.mu.Lock()
	a.subs.applied, a.subs.cfg = plan, cfg
	a.subs.mu.Unlock()
}

// subscriptionRows are the subscriptions as last read.
func (a *App) subscriptionRows() []store.Subscription {
	a.subs.mu.Lock()
	defer a.subs.mu.Unlock()
	return a.subs.rows
}

// watchSubscriptions applies new subscriptions on the leader: at once when
// this replica took them, within the sync interval when another did.
func (a *App) watchSubscriptions(ctx context.Context) {
	every := a.opts.SubscriptionSync
	if every <= 0 {
		every = DefaultSubscriptionSync
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-a.subs.kick:
		}
		if err := a.syncSubscriptions(ctx, false); err != nil && ctx.Err() == nil {
			a.log.Warn("cannot apply the chat subscriptions; trying again", "err", err)
		}
	}
}

// directory resolves subscription names against the configuration in
// force and the catalog.
type directory struct{ a *App }

func (d directory) Find(name string) (bot.Followed, []string, bool) {
	cfg := d.a.subConfig()
	q := strings.ToLower(strings.TrimSpace(name))
	if t, ok := cfg.FindTarget(q); ok {
		return bot.Followed{Kind: store.SubTarget, Name: t.Name, Display: t.Name}, nil, true
	}
	for _, t := range cfg.Targets {
		if t.Group != "" && strings.EqualFold(t.Group, q) {
			return bot.Followed{Kind: store.SubGroup, Name: t.Group, Display: t.Group}, nil, true
		}
	}
	v, ok := catalog.Lookup(q)
	if !ok {
		for _, c := range catalog.All() {
			if strings.EqualFold(c.Title, q) {
				v, ok = c, true
			}
		}
	}
	if ok {
		if t, covered := vendorTarget(cfg, v.Name); covered {
			return bot.Followed{Kind: store.SubVendor, Name: v.Name, Display: t.Name}, nil, true
		}
		interval := config.DefaultFeedInterval
		if d.a.opts.RuntimeInterval > 0 {
			interval = d.a.opts.RuntimeInterval
		}
		return bot.Followed{Kind: store.SubVendor, Name: v.Name, Display: v.Title, Runtime: true, Interval: interval}, nil, true
	}
	return bot.Followed{}, bot.Suggest(name, d.Names()), false
}

func (d directory) Names() []string {
	cfg := d.a.subConfig()
	var out []string
	for _, t := range cfg.Targets {
		out = append(out, t.Name)
		if t.Group != "" && !slices.Contains(out, t.Group) {
			out = append(out, t.Group)
		}
	}
	for _, v := range catalog.Names() {
		if !slices.ContainsFunc(out, func(n string) bool { return strings.EqualFold(n, v) }) {
			out = append(out, v)
		}
	}
	return out
}

// configured lists what the configuration sends to a chat channel: each
// target with the [[channel]] that carries it and from which severity.
func (a *App) configured(platform, channel string) []bot.Delivery {
	return configuredDeliveries(a.subConfig(), platform, channel)
}

func configuredDeliveries(cfg *config.Config, platform, channel string) []bot.Delivery {
	var out []bot.Delivery
	for _, t := range cfg.Targets {
		for _, d := range cfg.DeliveriesFor(t) {
			ch := d.Channel
			if !((platform == "slack" && ch.Slack == channel) || (platform == "discord" && ch.Discord == channel)) {
				continue
			}
			out = append(out, bot.Delivery{Target: t.Name, MinSeverity: d.MinSeverity, Channel: ch.Name})
		}
	}
	return out
}

// WriteSubscriptions prints what each channel hears of and why: the
// configuration's deliveries ([[channel]], target channels and
// [[route]]) and the subscriptions made from chat, with the destination
// each one sends to. An event that both send to a destination is queued
// there once.
func WriteSubscriptions(w io.Writer, cfg *config.Config, rows []store.Subscription) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tFOLLOWS\tFROM\tSENDS TO")
	for _, t := range cfg.Targets {
		for _, d := range cfg.DeliveriesFor(t) {
			for _, dest := range destinationsOf(d.Channel) {
				fmt.Fprintf(tw, "config\ttarget %s\t%s\t%s\n", t.Name, orEverything(d.MinSeverity), dest)
			}
		}
	}
	for _, r := range rows {
		what := r.Kind + " " + r.Name
		var to string
		switch {
		case !subscriptionsOn(cfg):
			to = "nothing: [bot] chat_subscriptions is off or no [slack]/[discord] is configured"
		case !serves(cfg, r.Platform):
			to = "nothing: no [" + r.Platform + "] section"
		default:
			d, _ := subDestination(cfg, r.Platform, r.Channel)
			to = d.String()
		}
		if r.Kind == store.SubVendor {
			if t, ok := vendorTarget(cfg, r.Name); ok {
				what += " (target " + t.Name + ")"
			} else if _, ok := catalog.Lookup(r.Name); ok {
				what += " (watched for subscriptions)"
			} else {
				what += " (not in the catalog: nothing to watch)"
			}
		}
		fmt.Fprintf(tw, "chat %s %s by %s\t%s\t%s\t%s\n", r.Platform, r.Channel, r.CreatedBy, what, orEverything(r.MinSeverity), to)
	}
	return tw.Flush()
}

func orEverything(min string) string {
	if min == "" {
		return "everything"
	}
	return min
}
