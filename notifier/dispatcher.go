package notifier

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/store"
)

// Outbox is the dispatcher's view of the store.
type Outbox interface {
	Due(ctx context.Context, dest string, now time.Time, limit int) ([]store.OutboxItem, error)
	Claim(ctx context.Context, it store.OutboxItem, now time.Time, lease time.Duration) error
	Settle(ctx context.Context, s store.Settlement) error
	// Root edits are queued by Settle (Settlement.EditRoot) and made
	// apart from the thread's queue.
	DueEdits(ctx context.Context, dest string, now time.Time, limit int) ([]store.RootEdit, error)
	ClaimEdit(ctx context.Context, e store.RootEdit, now time.Time, lease time.Duration) error
	SettleEdit(ctx context.Context, s store.EditSettlement) error
}

// Route binds a destination to the notifier that serves it and the rate at
// which that channel may be written to.
type Route struct {
	Destination Destination
	Notifier    Notifier
	// Limit and Burst bound the calls per second that count against the
	// platform's limit for this channel (posts, replies, edits), not
	// deliveries: one delivery can make several. Zero means unlimited (the
	// console).
	Limit rate.Limit
	Burst int
	// Storm groups many outages opening at once; the zero value turns it
	// off (for notifiers that cannot render a group: webhooks, console).
	Storm Storm
}

// Storm is storm control for one channel: when more than Threshold outages
// open within Window, the openings that are due together are announced by
// one grouped message instead of a root each. The grouped message is the
// root of each of them: their updates and restorations reply in its thread,
// each naming its target.
type Storm struct {
	Threshold int
	Window    time.Duration
}

// MaxGroup bounds the outages in one grouped message; a larger storm posts
// several.
const MaxGroup = 50

// groupRefPrefix marks a thread root that is a grouped message, so that
// later events of its outages know not to edit it to their own state. It
// is stored as part of the root reference and stripped before delivery.
const groupRefPrefix = "group:"

// Options tune a Dispatcher. Zero values take the defaults.
type Options struct {
	// MaxAge is how long a failing delivery is retried (default 24h).
	MaxAge time.Duration
	// BaseBackoff and MaxBackoff bound exponential retry delays (defaults
	// 2s and 5m); PermanentBackoff is the delay after a permanent error
	// (default 10m), slow enough not to hammer, fast enough to recover once
	// someone fixes the cause.
	BaseBackoff      time.Duration
	MaxBackoff       time.Duration
	PermanentBackoff time.Duration
	// AttemptTimeout bounds one delivery call (default 30s).
	AttemptTimeout time.Duration
	// Idle is how often an idle destination looks for due items even when
	// not woken (default 1s).
	Idle time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Observe, if set, is told every attempt's outcome (for metrics).
	Observe func(dest string, outcome store.Outcome, err error)
	// ObserveEdit, if set, is told every root edit's outcome.
	ObserveEdit func(dest string, outcome store.Outcome, err error)
	// PageURL, if set, is an outage's page on the status site: messages
	// link to it.
	PageURL func(outageID string) string
}

// withPage is ev with its outage's page filled in.
func (d *Dispatcher) withPage(ev outage.Event) outage.Event {
	if d.opts.PageURL != nil {
		ev.Page = d.opts.PageURL(ev.OutageID)
	}
	return ev
}

func (o Options) withDefaults() Options {
	if o.MaxAge <= 0 {
		o.MaxAge = 24 * time.Hour
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = 2 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Minute
	}
	if o.PermanentBackoff <= 0 {
		o.PermanentBackoff = 10 * time.Minute
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = 30 * time.Second
	}
	if o.Idle <= 0 {
		o.Idle = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Dispatcher drains the outbox: one worker per destination, so a slow or
// failing chat never delays another, and in order per (outage, destination),
// so an update never overtakes the message it replies to.
type Dispatcher struct {
	outbox Outbox
	log    *slog.Logger
	opts   Options
	routes []*route
}

type route struct {
	Route
	lim  *rate.Limiter
	wake chan struct{}
	// passMu lets one pass at a time work on this destination: Drain (at
	// shutdown, or handing over the lead) may run beside the worker, and
	// the fields below are the pass's own.
	passMu sync.Mutex
	// lastErr and lastEditErr are the last logged failures of deliveries
	// and of root edits, so a repeating failure is logged once rather than
	// on every retry.
	lastErr     string
	lastEditErr string
	// storeFails counts consecutive outbox errors; while it is non-zero the
	// destination pauses (backing off) instead of retrying every second.
	storeFails int
	// opened holds when the outages whose roots were posted here lately
	// opened, for storm control (in memory: a restart forgets a storm).
	opened []time.Time
}

// NewDispatcher makes a dispatcher over outbox for the given routes.
func NewDispatcher(outbox Outbox, routes []Route, log *slog.Logger, opts Options) *Dispatcher {
	d := &Dispatcher{outbox: outbox, log: log, opts: opts.withDefaults()}
	for _, r := range routes {
		lim := rate.NewLimiter(rate.Inf, 0)
		if r.Limit > 0 {
			lim = rate.NewLimiter(r.Limit, max(r.Burst, 1))
		}
		d.routes = append(d.routes, &route{Route: r, lim: lim, wake: make(chan struct{}, 1)})
	}
	return d
}

// Destinations lists the outbox keys this dispatcher serves.
func (d *Dispatcher) Destinations() []string {
	out := make([]string, len(d.routes))
	for i, r := range d.routes {
		out[i] = r.Destination.String()
	}
	return out
}

// Wake tells every destination worker that new items may be due. It never
// blocks.
func (d *Dispatcher) Wake() {
	for _, r := range d.routes {
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
}

// Run delivers until ctx is cancelled. A delivery in flight when ctx ends is
// finished or abandoned by its own timeout; its outbox row stays pending and
// is retried on the next start.
func (d *Dispatcher) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, r := range d.routes {
		wg.Go(func() { d.worker(ctx, r) })
	}
	wg.Wait()
}

// Drain delivers everything due now and returns when no destination has a
// due item left (retries scheduled for later stay queued).
func (d *Dispatcher) Drain(ctx context.Context) {
	var wg sync.WaitGroup
	for _, r := range d.routes {
		wg.Go(func() {
			for ctx.Err() == nil && d.pass(ctx, r) > 0 {
			}
		})
	}
	wg.Wait()
}

func (d *Dispatcher) worker(ctx context.Context, r *route) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-timer.C:
		}
		for ctx.Err() == nil && d.pass(ctx, r) > 0 {
		}
		wait := d.opts.Idle
		r.passMu.Lock()
		fails := r.storeFails
		r.passMu.Unlock()
		if fails > 0 {
			// The outbox cannot be read or written: back off rather than
			// hammer a sick database (and never deliver what cannot be
			// recorded).
			wait = min(d.opts.Idle<<min(fails, 5), 30*time.Second)
		}
		timer.Reset(wait)
	}
}

// storeTrouble logs an outbox failure once, when it starts.
func (d *Dispatcher) storeTrouble(r *route, what string, err error) {
	if errors.Is(err, store.ErrNotLeader) {
		// Another replica took over and this dispatcher is being stopped:
		// nothing was sent, the new leader delivers.
		return
	}
	if r.storeFails == 0 {
		d.log.Error("cannot use the outbox; deliveries to this destination pause until it works", "dest", r.Destination.String(), "op", what, "err", err)
	}
	r.storeFails++
}

func (d *Dispatcher) storeOK(r *route) {
	if r.storeFails > 0 {
		d.log.Info("the outbox works again", "dest", r.Destination.String())
		r.storeFails = 0
	}
}

// pass delivers the due items of one destination and returns how many it
// settled.
func (d *Dispatcher) pass(ctx context.Context, r *route) int {
	r.passMu.Lock()
	defer r.passMu.Unlock()
	dest := r.Destination.String()
	items, err := d.outbox.Due(ctx, dest, d.opts.Now(), 64)
	if err != nil {
		if ctx.Err() == nil {
			d.storeTrouble(r, "read", err)
		}
		return 0
	}
	n := 0
	if group := d.stormGroup(r, items); len(group) > 0 {
		if !d.deliverGroup(ctx, r, group) {
			return n
		}
		n += len(group)
		items = slices.DeleteFunc(items, func(it store.OutboxItem) bool {
			return slices.ContainsFunc(group, func(g store.OutboxItem) bool { return g.ID == it.ID })
		})
	}
	for _, it := range items {
		if ctx.Err() != nil {
			return n
		}
		if !d.deliver(ctx, r, it) {
			return n
		}
		n++
	}
	// Edits come after the replies: a reply settled above has queued its
	// root's edit, which is then made in this same pass.
	edits, err := d.outbox.DueEdits(ctx, dest, d.opts.Now(), 64)
	if err != nil {
		if ctx.Err() == nil {
			d.storeTrouble(r, "read", err)
		}
		return n
	}
	for _, e := range edits {
		if ctx.Err() != nil {
			return n
		}
		ok, settled := d.edit(ctx, r, e)
		if !ok {
			return n
		}
		if settled {
			n++
		}
	}
	return n
}

// stormGroup returns the due openings to announce as one grouped message,
// or nil. Counted are the outages opened within the storm window of the
// newest due opening: those whose roots were posted here already and those
// due now. When they are more than the threshold, the due ones form the
// group (two at least: a group of one is just a root).
func (d *Dispatcher) stormGroup(r *route, items []store.OutboxItem) []store.OutboxItem {
	s := r.Storm
	if s.Threshold <= 0 || s.Window <= 0 {
		return nil
	}
	var fresh, retry []store.OutboxItem
	for _, it := range items {
		if groupable(it) && d.opts.Now().Sub(it.CreatedAt) <= d.opts.MaxAge {
			if it.Attempts > 0 {
				retry = append(retry, it)
			} else {
				fresh = append(fresh, it)
			}
		}
	}
	// Openings whose attempt may have gone out are never mixed with fresh
	// ones. A group's members come back together (they are settled
	// together) and form the same group again, which then looks for its
	// message; a fresh opening joining them could be counted as posted in
	// a group message that does not list it.
	if g := r.storm(retry); g != nil {
		return g
	}
	return r.storm(fresh)
}

// storm returns the openings of cand that make a storm with the roots
// posted lately, or nil.
func (r *route) storm(cand []store.OutboxItem) []store.OutboxItem {
	var newest time.Time
	for _, it := range cand {
		if it.Event.At.After(newest) {
			newest = it.Event.At
		}
	}
	if len(cand) == 0 {
		return nil
	}
	within := func(t time.Time) bool { return newest.Sub(t) < r.Storm.Window }
	// Roots older than the window before an opening due now count for no
	// storm to come.
	r.opened = slices.DeleteFunc(r.opened, func(t time.Time) bool { return !within(t) })
	cand = slices.DeleteFunc(slices.Clone(cand), func(it store.OutboxItem) bool { return !within(it.Event.At) })
	if len(cand) < 2 || len(r.opened)+len(cand) <= r.Storm.Threshold {
		return nil
	}
	return cand[:min(len(cand), MaxGroup)]
}

// groupable reports whether it opens an outage's thread here: maintenance
// notices and digests are not part of a storm.
func groupable(it store.OutboxItem) bool {
	return it.Event.Kind == outage.Opened && it.Root == "" &&
		(it.Event.Class == outage.Incident || it.Event.Class == outage.Unreachable)
}

// noteRoot records a root posted for an outage opened at at.
func (r *route) noteRoot(it store.OutboxItem) {
	if r.Storm.Threshold > 0 && groupable(it) {
		r.opened = append(r.opened, it.Event.At)
	}
}

// deliverGroup posts one grouped message for items and records it as the
// root of each. It reports whether the outcomes were recorded.
func (d *Dispatcher) deliverGroup(ctx context.Context, r *route, items []store.OutboxItem) bool {
	attempt := 0
	group := make([]outage.Event, len(items))
	for i, it := range items {
		if err := d.outbox.Claim(context.WithoutCancel(ctx), it, d.opts.Now(), d.opts.AttemptTimeout+5*time.Second); err != nil {
			// The items claimed so far come back after their lease, marked
			// as possibly delivered; nothing was sent.
			d.storeTrouble(r, "claim", err)
			return false
		}
		group[i] = it.Event
		attempt = max(attempt, it.Attempts)
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.opts.AttemptTimeout)
	ref, err := r.Notifier.Deliver(actx, Delivery{
		OutboxID:    items[0].ID,
		Destination: r.Destination,
		Event:       d.withPage(items[0].Event),
		Attempt:     attempt,
		Group:       group,
		Pace:        r.lim,
	})
	cancel()
	if err == nil {
		d.log.Info("many outages at once: announced them in one message", "dest", r.Destination.String(), "outages", len(items))
		ref = groupRefPrefix + ref
		for _, it := range items {
			// They count towards the storm still going on.
			r.noteRoot(it)
		}
	}
	sts := make([]store.Settlement, len(items))
	for i, it := range items {
		sts[i] = d.outcome(ctx, r, it, ref, err)
	}
	all, ok := d.outbox.(groupSettler)
	if !ok {
		for i, it := range items {
			if !d.settle(ctx, r, it, sts[i], err, "") {
				return false
			}
		}
		return true
	}
	for _, st := range sts {
		if d.opts.Observe != nil {
			d.opts.Observe(r.Destination.String(), st.Outcome, err)
		}
	}
	if serr := all.SettleAll(context.WithoutCancel(ctx), sts); serr != nil {
		// The claims stand: the retry re-forms this group and looks for
		// its message before it posts again.
		d.storeTrouble(r, "settle", serr)
		return false
	}
	d.storeOK(r)
	return true
}

// groupSettler records a group's outcomes in one transaction (the store
// does; a plain Outbox settles them one by one).
type groupSettler interface {
	SettleAll(ctx context.Context, sts []store.Settlement) error
}

// deliver makes one attempt and records its outcome. It reports whether the
// outcome was recorded.
func (d *Dispatcher) deliver(ctx context.Context, r *route, it store.OutboxItem) bool {
	if age := d.opts.Now().Sub(it.CreatedAt); age > d.opts.MaxAge {
		// Too old to be news (a destination that was away for days): give
		// up without sending a stale alert.
		return d.settle(ctx, r, it, store.Settlement{Item: it, Outcome: store.GaveUp, Err: "not sent: older than the maximum delivery age", At: d.opts.Now()},
			nil, "not delivering an event older than the maximum delivery age", "age", age.Round(time.Second))
	}
	if !Handles(r.Notifier, it.Event.Kind) {
		// A kind this destination does not show (an acknowledgement on a
		// webhook): done, as far as this destination goes.
		return d.settle(ctx, r, it, store.Settlement{Item: it, Outcome: store.Delivered, At: d.opts.Now()}, nil, "")
	}
	// Record the attempt first: an attempt whose outcome is lost (a crash, a
	// failed write) then comes back marked as possibly delivered, and the
	// notifier checks before posting again. Nothing is sent that could not
	// be recorded.
	if err := d.outbox.Claim(context.WithoutCancel(ctx), it, d.opts.Now(), d.opts.AttemptTimeout+5*time.Second); err != nil {
		d.storeTrouble(r, "claim", err)
		return false
	}
	// A call in flight finishes even when shutdown begins: abandoning it
	// half-way is what makes duplicates.
	root, grouped := strings.CutPrefix(it.Root, groupRefPrefix)
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.opts.AttemptTimeout)
	dl := Delivery{
		OutboxID:    it.ID,
		Destination: r.Destination,
		Event:       d.withPage(it.Event),
		Root:        RemoteRef(root),
		Joined:      it.Joined(),
		GroupedRoot: grouped,
		Attempt:     it.Attempts,
		Pace:        r.lim,
	}
	ref, err := r.Notifier.Deliver(actx, dl)
	cancel()
	if err == nil && it.Root == "" {
		r.noteRoot(it)
	}
	st := d.outcome(ctx, r, it, ref, err)
	if _, editor := r.Notifier.(RootEditor); editor && dl.EditsRoot() {
		// The root must come to show the new state even when the reply
		// itself was refused; recording the edit with the reply's outcome
		// means a crash after the reply cannot lose it.
		st.EditRoot = err == nil || IsRejected(err)
	}
	return d.settle(ctx, r, it, st, err, "")
}

// edit makes one attempt at a root edit and records its outcome. ok says
// whether the outbox could be used; settled whether an outcome was
// recorded (an edit replaced meanwhile by a newer one is skipped).
func (d *Dispatcher) edit(ctx context.Context, r *route, e store.RootEdit) (ok, settled bool) {
	ed, editor := r.Notifier.(RootEditor)
	now := d.opts.Now()
	log := d.log.With("dest", r.Destination.String(), "target", e.Event.Target, "outage", e.Event.OutageID, "event", e.Event.Kind, "seq", e.Event.Seq, "root", e.Root)
	st := store.EditSettlement{Edit: e, At: now}
	var err error
	switch age := now.Sub(e.CreatedAt); {
	case !editor:
		// The channel moved to a notifier that cannot edit (a webhook
		// that replaced a bot channel).
		st.Outcome, st.Err = store.GaveUp, "not edited: this destination cannot edit messages"
	case age > d.opts.MaxAge:
		st.Outcome, st.Err = store.GaveUp, "not edited: older than the maximum delivery age"
		log.Warn("not editing a thread's root to a state older than the maximum delivery age", "age", age.Round(time.Second))
	default:
		if cerr := d.outbox.ClaimEdit(context.WithoutCancel(ctx), e, now, d.opts.AttemptTimeout+5*time.Second); cerr != nil {
			if errors.Is(cerr, store.ErrNotFound) {
				return true, false
			}
			d.storeTrouble(r, "claim", cerr)
			return false, false
		}
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.opts.AttemptTimeout)
		err = ed.EditRoot(actx, RootEdit{
			Destination: r.Destination,
			Root:        RemoteRef(e.Root),
			Event:       d.withPage(e.Event),
			Attempt:     e.Attempts,
			Pace:        r.lim,
		})
		cancel()
		now = d.opts.Now()
		st.At = now
		switch {
		case err == nil:
			st.Outcome = store.Delivered
			if r.lastEditErr != "" {
				log.Info("editing thread roots works again")
				r.lastEditErr = ""
			}
		case IsRejected(err):
			st.Outcome, st.Err = store.GaveUp, err.Error()
			log.Error("the platform refuses this root edit (the message may have been deleted); giving it up", "err", err)
		case now.Sub(e.CreatedAt) > d.opts.MaxAge:
			st.Outcome, st.Err = store.GaveUp, err.Error()
			log.Error("giving up editing a thread's root after the maximum delivery age; it shows an earlier state",
				"age", now.Sub(e.CreatedAt).Round(time.Second), "attempts", e.Attempts+1, "err", err)
		default:
			st.Outcome, st.Err = store.Retry, err.Error()
			st.NextAt = now.Add(d.backoff(e.Attempts, err))
			if msg := err.Error(); msg != r.lastEditErr {
				r.lastEditErr = msg
				log.Warn("cannot edit the thread's root to the outage's current state; will retry", "attempt", e.Attempts+1,
					"retry_at", st.NextAt.UTC().Format(time.RFC3339), "err", err)
			}
		}
	}
	if d.opts.ObserveEdit != nil {
		d.opts.ObserveEdit(r.Destination.String(), st.Outcome, err)
	}
	if serr := d.outbox.SettleEdit(context.WithoutCancel(ctx), st); serr != nil {
		// The claim's lease runs out and the edit is made again: editing
		// to the same state twice is harmless.
		d.storeTrouble(r, "settle", serr)
		return false, false
	}
	d.storeOK(r)
	return true, true
}

// outcome turns an attempt's result into its settlement, logging a failure
// once while it repeats.
func (d *Dispatcher) outcome(ctx context.Context, r *route, it store.OutboxItem, ref RemoteRef, err error) store.Settlement {
	now := d.opts.Now()
	st := store.Settlement{Item: it, At: now}
	log := d.log.With("dest", r.Destination.String(), "target", it.Event.Target, "outage", it.Event.OutageID, "event", it.Event.Kind, "seq", it.Event.Seq)
	switch {
	case err == nil:
		st.Outcome, st.Ref = store.Delivered, string(ref)
		if r.lastErr != "" {
			log.Info("delivery works again")
			r.lastErr = ""
		}
	case IsRejected(err):
		st.Outcome, st.Err = store.GaveUp, err.Error()
		log.Error("the platform rejected this message; giving it up so the thread can go on", "err", err)
	case now.Sub(it.CreatedAt) > d.opts.MaxAge:
		st.Outcome, st.Err = store.GaveUp, err.Error()
		log.Error("giving up on a delivery after the maximum delivery age", "age", now.Sub(it.CreatedAt).Round(time.Second), "attempts", it.Attempts+1, "err", err)
	default:
		st.Outcome, st.Err = store.Retry, err.Error()
		st.NextAt = now.Add(d.backoff(it.Attempts, err))
		if msg := err.Error(); msg != r.lastErr {
			r.lastErr = msg
			level := slog.LevelWarn
			if IsPermanent(err) {
				level = slog.LevelError
			}
			log.Log(ctx, level, "delivery failed; will retry", "attempt", it.Attempts+1, "retry_at", st.NextAt.UTC().Format(time.RFC3339), "err", err)
		}
	}
	return st
}

// settle records an outcome (logging msg first, when given).
func (d *Dispatcher) settle(ctx context.Context, r *route, it store.OutboxItem, st store.Settlement, err error, msg string, args ...any) bool {
	dest := r.Destination.String()
	if msg != "" {
		d.log.Warn(msg, append([]any{"dest", dest, "target", it.Event.Target, "outage", it.Event.OutageID, "event", it.Event.Kind}, args...)...)
	}
	if d.opts.Observe != nil {
		d.opts.Observe(dest, st.Outcome, err)
	}
	if serr := d.outbox.Settle(context.WithoutCancel(ctx), st); serr != nil {
		// The claim stands: the retry will look before it posts again.
		d.storeTrouble(r, "settle", serr)
		return false
	}
	d.storeOK(r)
	return true
}

// backoff is the delay before the next attempt: what the platform asked for,
// else exponential with full jitter.
func (d *Dispatcher) backoff(attempts int, err error) time.Duration {
	if after, ok := RetryAfter(err); ok {
		return after + time.Duration(rand.Int64N(int64(250*time.Millisecond)))
	}
	if IsPermanent(err) {
		return d.opts.PermanentBackoff
	}
	ceil := d.opts.BaseBackoff << min(attempts, 20)
	if ceil <= 0 || ceil > d.opts.MaxBackoff {
		ceil = d.opts.MaxBackoff
	}
	// Half fixed, half random: spreads retries without ever retrying at once.
	return ceil/2 + time.Duration(rand.Int64N(int64(ceil/2)+1))
}
