package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// Target is a scheduled source with the policy that judges it and the
// outbox destinations its events go to.
type Target struct {
	Job
	Type    string
	Timeout time.Duration
	Source  sources.Source
	Policy  Policy
	Dests   []string
	// Route, when set, picks each event's destinations (routes with a
	// minimum severity); Dests is then unused.
	Route func(outage.Event) []string
	// DependsOn and Alternatives tie the target to others (see relate).
	DependsOn    []Dependency
	Alternatives []string
	// Group is the target's [[target]] group ("" for none), a label of its
	// metrics.
	Group string
	// Remote marks a target that other replicas poll (package fleet): its
	// observations arrive through Observe, and the scheduler leaves it out.
	Remote bool
	// Follow, when set, also routes events to subscribed chat channels.
	Follow *store.Following
}

// Committer persists an engine step atomically.
type Committer interface {
	Commit(ctx context.Context, c store.Commit) ([]outage.Event, error)
	// LoadState reads back a target's committed state, to settle whether a
	// commit that reported an error took effect after all.
	LoadState(ctx context.Context, target string) ([]byte, error)
}

// StateLoader reads the committed engine states at start-up.
type StateLoader interface {
	LoadStates(ctx context.Context) (map[string][]byte, error)
}

// Runner polls targets, applies the engine and commits the result. Each
// target's state is touched by one poll at a time (the scheduler never runs a
// target twice at once); the mutex only guards it against status queries.
type Runner struct {
	Engine  *Engine
	Store   Committer
	Log     *slog.Logger
	Metrics *Metrics
	// Notify is called after a commit that queued events (to wake the
	// dispatcher).
	Notify func()
	// Mutes, if set, silences new outages of muted targets.
	Mutes *Mutes
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnResolved, if set, is called after a commit for each announced
	// restoration of an incident (to post the post-outage report).
	OnResolved func(ctx context.Context, ev outage.Event)
	// SnapshotEvery, if set, also stores a state whose only change is its
	// snapshot (latency, check time, component details) once the stored one
	// is this old, so that replicas answering commands from the store
	// (standbys) show a current view. Zero stores material changes only.
	SnapshotEvery time.Duration
	// MaxPending bounds the steps held in memory while the store fails
	// (default DefaultMaxPending); RetryEvery is how often they are retried
	// (default DefaultRetryEvery). See pending.go.
	MaxPending int
	RetryEvery time.Duration
	// CoverEvery is how often Cover writes how long each target has been
	// observed (default DefaultCoverEvery; see coverage.go).
	CoverEvery time.Duration
	// TableShowsFirstPoll is set when a status table shows every target's
	// first poll (the console, with no chat; under systemd the table goes
	// to the same journal): a target that fails its first poll is then
	// logged at DEBUG, not WARN, since the table shows the same error.
	// Later failures, which no table shows, stay WARN.
	TableShowsFirstPoll bool
	// Network, if set, is the "our own network is down" rule
	// (netdown.go); netMu serialises its steps and their commits.
	Network *NetworkWatch
	netMu   sync.Mutex

	// tab holds the configured targets and their states. Reconfigure
	// replaces it whole while polls and queries go on: each reads it once
	// and works on the table it read.
	tab atomic.Pointer[table]
	// storeFailing counts targets whose last commit failed, so that a sick
	// store is logged when it starts and stops failing, not on every poll;
	// while it is non-zero, polls leave their commits to Retry.
	storeFailing atomic.Int32
	// pending counts the steps queued over all targets.
	pending   atomic.Int64
	trouble   storeTrouble
	flushFrom int
}

type targetState struct {
	mu sync.Mutex
	st TargetState
	// committed is the state as last stored; losing the lead rolls back to
	// it.
	committed []byte
	// material is the state the store holds once pending is written,
	// without its per-poll noise, to skip commits that would change nothing
	// that matters.
	material materialMark
	// pending are the steps not stored yet, oldest first (pending.go);
	// commitMu is held by whoever writes them, so they land in order.
	pending  []*step
	commitMu sync.Mutex
	// failed is set while this target's last commit failed.
	failed bool
	// polled is set once this runner has polled the target.
	polled bool
	// storedAt is when this runner last stored the state (zero: not since
	// it was loaded).
	storedAt time.Time
	// missing is the configured components last found missing on the page;
	// missingDeps the same for components other targets depend on.
	missing, missingDeps string
	// log is the target's logger, made from logFrom (a With on every poll
	// would allocate).
	log, logFrom *slog.Logger
	// series are the target's poll metrics, looked up once.
	series pollSeries
	// cover is the observation not yet written (coverage.go).
	cover coverage
}

// logger returns the target's logger; call it with mu held.
func (ts *targetState) logger(base *slog.Logger, target string) *slog.Logger {
	if ts.logFrom != base {
		ts.log, ts.logFrom = base.With("target", target), base
	}
	return ts.log
}

// materialMark is a state's material part (all but the snapshot) in a
// form to compare a later state with: a plain state (see plainOf) as
// itself, which a steady poll compares without encoding anything; any
// other state encoded.
type materialMark struct {
	plain   plainState
	isPlain bool
	encoded []byte
}

func markOf(st *TargetState) materialMark {
	var m materialMark
	if m.plain, m.isPlain = plainOf(st); !m.isPlain {
		m.encoded = material(*st)
	}
	return m
}

// same reports whether st's material part is the one marked.
func (m materialMark) same(st *TargetState) bool {
	p, plain := plainOf(st)
	switch {
	case plain != m.isPlain:
		// One has an open outage or a remembered incident, the other not:
		// they cannot encode alike.
		return false
	case plain:
		return p == m.plain
	}
	return string(material(*st)) == string(m.encoded)
}

// table is the runner's configured targets, in configuration order, with
// their states. It is never changed once published.
type table struct {
	targets map[string]*Target
	order   []string
	states  map[string]*targetState
	// dependents are, by target, the targets that depend on it.
	dependents map[string][]dependent
}

// newTable makes the table of targets, taking each one's state from keep
// when it has one there and starting a fresh one otherwise.
func newTable(targets []*Target, keep map[string]*targetState) *table {
	tab := &table{targets: map[string]*Target{}, states: map[string]*targetState{}}
	for _, t := range targets {
		tab.targets[t.Name] = t
		tab.order = append(tab.order, t.Name)
		ts, ok := keep[t.Name]
		if !ok {
			ts = &targetState{st: TargetState{Target: t.Name, Snapshot: Snapshot{Name: t.Name, Status: sources.Unknown}}}
		}
		tab.states[t.Name] = ts
	}
	for _, t := range targets {
		for _, d := range t.DependsOn {
			if tab.dependents == nil {
				tab.dependents = map[string][]dependent{}
			}
			tab.dependents[d.Target] = append(tab.dependents[d.Target], dependent{name: t.Name, dep: d})
		}
	}
	return tab
}

// NewRunner prepares targets; call Load before polling.
func NewRunner(e *Engine, c Committer, log *slog.Logger, m *Metrics, targets []*Target) *Runner {
	r := &Runner{Engine: e, Store: c, Log: log, Metrics: m}
	r.tab.Store(newTable(targets, nil))
	m.known(targets)
	return r
}

type dependent struct {
	name string
	dep  Dependency
}

// related gathers what t's poll needs to know of the targets tied to it.
// Each peer is copied under its own lock, before t's is taken.
func (r *Runner) related(tab *table, t *Target) Related {
	var rel Related
	for _, d := range t.DependsOn {
		if p, ok := tab.peer(d.Target); ok {
			rel.Deps = append(rel.Deps, RelatedDep{Dependency: d, Peer: p})
		}
	}
	for _, d := range tab.dependents[t.Name] {
		if p, ok := tab.peer(d.name); ok {
			rel.Dependents = append(rel.Dependents, RelatedDep{Dependency: d.dep, Peer: p})
		}
	}
	for _, name := range t.Alternatives {
		if p, ok := tab.peer(name); ok {
			rel.Alternatives = append(rel.Alternatives, p)
		}
	}
	return rel
}

func (tab *table) peer(name string) (Peer, bool) {
	ts, ok := tab.states[name]
	if !ok {
		return Peer{}, false
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.peerView(name), true
}

// Jobs returns the targets' schedule entries.
func (r *Runner) Jobs() []*Job {
	tab := r.tab.Load()
	out := make([]*Job, 0, len(tab.order))
	for _, name := range tab.order {
		if !tab.targets[name].Remote {
			out = append(out, &tab.targets[name].Job)
		}
	}
	return out
}

// Load restores committed states. States of targets no longer configured
// are ignored (kept in the store). It runs at start-up, when a replica
// takes over as leader (to carry on from its predecessor's last commit), and
// periodically on a standby, whose answers to commands come from the store;
// it must not run while polls are in flight.
func (r *Runner) Load(ctx context.Context, l StateLoader) error {
	states, err := l.LoadStates(ctx)
	if err != nil {
		return err
	}
	tab := r.tab.Load()
	for name, data := range states {
		if name == networkStateKey && r.Network != nil {
			var ns NetworkState
			if err := json.Unmarshal(data, &ns); err != nil {
				return fmt.Errorf("decode stored network state: %w", err)
			}
			r.netMu.Lock()
			r.Network.Notice = ns.Notice
			r.netMu.Unlock()
			continue
		}
		ts, ok := tab.states[name]
		if !ok {
			continue
		}
		var st TargetState
		if err := json.Unmarshal(data, &st); err != nil {
			return fmt.Errorf("decode stored state of %s: %w", name, err)
		}
		if st.Initialized && st.Snapshot.ReadAt.IsZero() {
			// Stored before ReadAt was kept: it was read, at the latest
			// when its current unreadable spell began.
			st.Snapshot.ReadAt = st.Snapshot.UnreachableSince
			if st.Snapshot.ReadAt.IsZero() {
				st.Snapshot.ReadAt = st.Snapshot.CheckedAt
			}
		}
		ts.mu.Lock()
		if len(ts.pending) > 0 {
			// The store is the authority once reloaded: steps derived from
			// an older basis must not be written over it.
			r.dropLocked(ts)
		}
		ts.st = st
		ts.committed = data
		ts.material = markOf(&st)
		ts.storedAt = time.Time{}
		ts.mu.Unlock()
	}
	return nil
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Poll polls one job's target once, applies and commits. It is the
// scheduler's poll function.
func (r *Runner) Poll(ctx context.Context, j *Job) {
	tab := r.tab.Load()
	t, ok := tab.targets[j.Name]
	if !ok || &t.Job != j {
		// Reconfigured away (removed, or replaced by its new settings)
		// since the scheduler was handed this job.
		return
	}
	pctx, cancel := context.WithTimeout(ctx, t.Timeout)
	start := r.now()
	obs, err := t.Source.Poll(pctx)
	cancel()
	end := r.now()
	if ctx.Err() != nil {
		// Shutting down: this poll saw a cancelled context, not the target.
		return
	}
	if err == context.DeadlineExceeded {
		// A source that says no more than this gets the words it lacks.
		err = fmt.Errorf("no answer within %s: %w", t.Timeout, err)
	}
	r.Metrics.observePoll(&tab.states[j.Name].series, t, end.Sub(start), obs, err, end)
	r.apply(ctx, tab, t, obs, err)
}

// apply folds one poll result in and commits it. The target's lock is held
// while the engine runs, not while the store commits, so status queries
// never wait on the database.
func (r *Runner) apply(ctx context.Context, tab *table, t *Target, obs sources.Observation, pollErr error) {
	var rel Related
	if len(t.DependsOn) > 0 || len(t.Alternatives) > 0 || len(tab.dependents[t.Name]) > 0 {
		rel = r.related(tab, t)
	}
	ts := tab.states[t.Name]
	// A remote target's polls ran elsewhere: this machine's network says
	// nothing about them (each location's own is watched in package fleet).
	if r.Network != nil && !t.Remote && r.networkStep(ctx, tab, t, obs, pollErr) {
		if r.hold(ts, t, obs, pollErr) && r.storeFailing.Load() == 0 {
			_ = r.flush(ctx, t, ts)
		}
		return
	}
	ts.mu.Lock()
	// Observed, whatever the poll found: a failing feed is unknown by its
	// own outage. Polls held back while our network is down (above) are
	// not: the bot sees nothing then.
	r.observed(ts, t, r.now())
	wasFailing := ts.st.FailStreak > 0
	change := r.Engine.Apply(&ts.st, t.Policy, obs, pollErr, r.now())
	relate(&ts.st, &change, rel, r.now())
	log := ts.logger(r.Log, t.Name)
	if pollErr != nil && !wasFailing {
		// One line when a source starts failing; the unreachable notice
		// follows after the threshold.
		level := slog.LevelWarn
		if r.TableShowsFirstPoll && !ts.polled {
			level = slog.LevelDebug
		}
		log.Log(ctx, level, "poll failed", "err", pollErr)
	} else if pollErr == nil && wasFailing {
		log.Info("poll works again")
	}
	ts.polled = true
	r.checkComponents(ts, t, obs, pollErr, log)
	r.checkDependencies(tab, ts, t, obs, pollErr, log)
	quiet := r.silence(&ts.st, change)
	if change.Empty() && len(ts.pending) == 0 && ts.material.same(&ts.st) &&
		(r.SnapshotEvery <= 0 || r.now().Sub(ts.storedAt) < r.SnapshotEvery) {
		ts.mu.Unlock()
		return
	}
	data, err := json.Marshal(ts.st)
	mark := markOf(&ts.st)
	if err != nil {
		ts.mu.Unlock()
		log.Error("cannot encode state", "err", err)
		return
	}
	r.enqueue(ts, store.Commit{Target: t.Name, State: data, Outages: change.Outages, Events: change.Events, Dests: t.Dests, DestsFor: t.Route, Quiet: quiet, At: r.now(), Follow: t.Follow}, mark, log)
	ts.mu.Unlock()
	if r.storeFailing.Load() == 0 {
		// Committed now, so that a change is announced within the poll
		// that saw it; while the store fails, Retry writes the queue.
		_ = r.flush(ctx, t, ts)
	}
}

// checkComponents warns once when configured components vanish from a
// vendor's page, and once when they are back.
func (r *Runner) checkComponents(ts *targetState, t *Target, obs sources.Observation, pollErr error, log *slog.Logger) {
	if pollErr != nil || t.Policy.Probe || len(t.Policy.Components) == 0 || obs.NotModified {
		return
	}
	missing := strings.Join(missingComponents(obs, t.Policy.Components), ", ")
	if missing == ts.missing {
		return
	}
	if missing != "" {
		var known []string
		for _, c := range obs.Components {
			if len(known) == 12 {
				known = append(known, "…")
				break
			}
			known = append(known, c.Name)
		}
		log.Warn("configured components are not on the status page (renamed, or the page migrated?); they are not being watched", "missing", missing, "page_has", strings.Join(known, ", "))
	} else {
		log.Info("all configured components are on the status page again")
	}
	ts.missing = missing
}

// checkDependencies warns once when a component that another target
// depends on (depends_on) is not on this target's page: a mistyped or
// renamed component would leave the dependent's outages unconfirmed for
// ever, silently.
func (r *Runner) checkDependencies(tab *table, ts *targetState, t *Target, obs sources.Observation, pollErr error, log *slog.Logger) {
	deps := tab.dependents[t.Name]
	if pollErr != nil || len(deps) == 0 || obs.NotModified {
		return
	}
	var missing []string
	for _, d := range deps {
		for _, want := range d.dep.Components {
			if !slices.ContainsFunc(obs.Components, func(c sources.Component) bool { return strings.EqualFold(c.Name, want) }) {
				missing = append(missing, d.name+" needs "+want)
			}
		}
	}
	m := strings.Join(missing, "; ")
	if m == ts.missingDeps {
		return
	}
	if m != "" {
		log.Warn("components that other targets depend on are not on the status page (renamed, or mistyped in depends_on?); their outages cannot be confirmed", "missing", m)
	} else {
		log.Info("every component that other targets depend on is on the status page")
	}
	ts.missingDeps = m
}

// landed reports whether the store holds exactly the state a failed commit
// tried to write.
func (r *Runner) landed(ctx context.Context, target string, data []byte) bool {
	stored, err := r.Store.LoadState(ctx, target)
	return err == nil && stored != nil && string(stored) == string(data)
}

// silence decides which outages of this step are not announced: those that
// open while the target is muted. Once the mute ends they are announced
// with their next event, which then starts their thread.
func (r *Runner) silence(st *TargetState, change Change) []string {
	_, muted := r.Mutes.Muted(st.Target, r.now())
	if !muted {
		st.Silenced = nil
		return nil
	}
	for _, ev := range change.Events {
		if ev.Kind == outage.Opened && !slices.Contains(st.Silenced, ev.OutageID) {
			st.Silenced = append(st.Silenced, ev.OutageID)
		}
	}
	var quiet []string
	for _, ev := range change.Events {
		if slices.Contains(st.Silenced, ev.OutageID) && !slices.Contains(quiet, ev.OutageID) {
			quiet = append(quiet, ev.OutageID)
		}
	}
	// Forget resolved outages, but not the one a flap may reopen (Recent):
	// its return is the same unannounced outage, not news.
	st.Silenced = slices.DeleteFunc(st.Silenced, func(id string) bool {
		if st.Recent != nil && st.Recent.Outage.ID == id {
			return false
		}
		for _, t := range st.Outages {
			if t.Outage.ID == id {
				return false
			}
		}
		return true
	})
	return quiet
}

// restore takes the engine back to the stored state data, keeping the fresh
// snapshot: the live view stays live.
func (r *Runner) restore(ts *targetState, data []byte) {
	snap := ts.st.Snapshot
	var st TargetState
	if data == nil || json.Unmarshal(data, &st) != nil {
		st = TargetState{Target: ts.st.Target}
	}
	st.Snapshot = snap
	ts.st = st
	ts.material = markOf(&st)
}

// plainState is the whole material part of a TargetState that holds no
// outages, incidents, mutes or quiet components: a steady probe's, and a
// quiet vendor page's. It is comparable, so a steady poll costs a
// comparison instead of an encoding. Two equal plainStates encode equally
// (== on time.Time compares its location too); TestPlainStateCoversTargetState
// fails when TargetState gets a field this does not account for.
type plainState struct {
	Target                            string
	Initialized                       bool
	FailStreak, BadStreak, GoodStreak int
	BadSince, GoodSince               time.Time
	SeverityStreak                    int
	LastSeverity                      sources.Status
}

// plainOf returns st's plain form, or false when st holds more than that.
// An empty map or slice counts as none: it encodes as none (omitempty).
func plainOf(st *TargetState) (plainState, bool) {
	if len(st.Outages) > 0 || len(st.Ignored) > 0 || len(st.Silenced) > 0 || len(st.Quiet) > 0 || st.Recent != nil {
		return plainState{}, false
	}
	return plainState{
		Target: st.Target, Initialized: st.Initialized,
		FailStreak: st.FailStreak, BadStreak: st.BadStreak, GoodStreak: st.GoodStreak,
		BadSince: st.BadSince, GoodSince: st.GoodSince,
		SeverityStreak: st.SeverityStreak, LastSeverity: st.LastSeverity,
	}, true
}

// material encodes the state without the snapshot, which changes with every
// latency and error text: it is stored along with material changes only.
func material(st TargetState) []byte {
	st.Snapshot = Snapshot{}
	b, _ := json.Marshal(st)
	return b
}

func openIncidents(st TargetState) int {
	n := 0
	for _, t := range st.Outages {
		if t.Outage.Class != outage.Unreachable {
			n++
		}
	}
	return n
}

// Snapshots returns every target's current view, in configuration order.
func (r *Runner) Snapshots() []Snapshot {
	tab := r.tab.Load()
	out := make([]Snapshot, 0, len(tab.order))
	for _, name := range tab.order {
		out = append(out, tab.snapshot(name))
	}
	return out
}

// Snapshot returns one target's current view.
func (r *Runner) Snapshot(name string) Snapshot {
	return r.tab.Load().snapshot(name)
}

func (tab *table) snapshot(name string) Snapshot {
	ts := tab.states[name]
	ts.mu.Lock()
	defer ts.mu.Unlock()
	s := ts.st.Snapshot
	s.Components = append([]ComponentSnapshot(nil), s.Components...)
	s.Incidents = append([]IncidentSnapshot(nil), s.Incidents...)
	s.Locations = slices.Clone(s.Locations)
	return s
}

// OpenOutages returns the open outages of every target, oldest first.
func (r *Runner) OpenOutages() []outage.Outage {
	var out []outage.Outage
	tab := r.tab.Load()
	for _, name := range tab.order {
		ts := tab.states[name]
		ts.mu.Lock()
		for _, t := range ts.st.Outages {
			out = append(out, t.Outage)
		}
		ts.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OpenedAt.Before(out[j].OpenedAt) })
	return out
}

// networkStep feeds the poll to the "our own network is down" rule,
// commits the notice it opens or ends, and reports whether the poll is to
// be held back from the engine.
func (r *Runner) networkStep(ctx context.Context, tab *table, t *Target, obs sources.Observation, pollErr error) (hold bool) {
	netFail := sources.NetworkFailure(pollErr)
	if pollErr == nil && t.Policy.Probe && len(obs.Components) > 0 {
		c := obs.Components[0]
		netFail = c.Network && c.Status == sources.MajorOutage
	}
	r.netMu.Lock()
	defer r.netMu.Unlock()
	before := r.Network.Notice
	step := r.Network.Step(t.Name, netFail, len(tab.targets), r.now())
	if step.Change.Empty() {
		return step.Hold
	}
	data, err := json.Marshal(NetworkState{Notice: r.Network.Notice})
	if err == nil {
		_, err = r.Store.Commit(ctx, store.Commit{Target: networkStateKey, State: data, Outages: step.Change.Outages,
			Events: step.Change.Events, DestsFor: func(ev outage.Event) []string { return everyDest(tab, ev) }, At: r.now()})
	}
	if err != nil {
		// The next poll takes the step again.
		r.Network.Undo(before)
		r.Log.Error("cannot store the network notice; retrying with the next poll", "err", err)
		return step.Hold
	}
	if before == nil {
		r.Log.Warn("every target failed at once without reaching its server: this machine's network looks down; their outages are not announced until it is back",
			"targets", len(tab.targets), "last_err", pollErrText(obs, pollErr))
	} else {
		r.Log.Info("the network is back", "target", t.Name, "offline_for", r.now().Sub(before.OpenedAt).Round(time.Second).String())
	}
	if r.Notify != nil {
		r.Notify()
	}
	return step.Hold
}

// everyDest routes a notice about the bot itself to every destination that
// any target's events of its kind go to.
func everyDest(tab *table, ev outage.Event) []string {
	var out []string
	for _, name := range tab.order {
		t := tab.targets[name]
		dests := t.Dests
		if t.Route != nil {
			dests = t.Route(ev)
		}
		for _, d := range dests {
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	sort.Strings(out)
	return out
}

// hold records a poll that failed while the network is down in the
// target's live view only: the engine does not count it, so no outage
// opens and none needs restoring once the network is back. A target that
// was never stored is stored now (queued reports it), like every other
// target on its first poll: the store's first-seen time is when the bot
// first polled a target, whether or not that poll got through.
func (r *Runner) hold(ts *targetState, t *Target, obs sources.Observation, pollErr error) (queued bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	now := r.now()
	ts.st.Snapshot.Name = t.Name
	ts.st.Snapshot.CheckedAt = now
	ts.st.Snapshot.Reachable = false
	ts.st.Snapshot.Error = pollErrText(obs, pollErr)
	if ts.st.Snapshot.UnreachableSince.IsZero() {
		ts.st.Snapshot.UnreachableSince = now
	}
	if ts.committed != nil || len(ts.pending) > 0 {
		return false
	}
	data, err := json.Marshal(ts.st)
	if err != nil {
		return false
	}
	r.enqueue(ts, store.Commit{Target: t.Name, State: data, Dests: t.Dests, DestsFor: t.Route, At: now}, markOf(&ts.st), ts.logger(r.Log, t.Name))
	return true
}

func pollErrText(obs sources.Observation, pollErr error) string {
	if pollErr != nil {
		return pollErr.Error()
	}
	if len(obs.Components) > 0 {
		return obs.Components[0].Detail
	}
	return ""
}
