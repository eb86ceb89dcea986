package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// Results is what the collector reads of the store.
type Results interface {
	ResultsSince(ctx context.Context, seq int64, limit int) ([]store.PollResult, error)
	LiveReplicas(ctx context.Context, now time.Time) ([]Replica, error)
	LoadState(ctx context.Context, target string) ([]byte, error)
	PruneResults(ctx context.Context, before time.Time) (int64, error)
}

// Engine is the leader's engine, which the collector feeds.
type Engine interface {
	Observe(ctx context.Context, name string, obs sources.Observation, pollErr error, took time.Duration, locs []bot.LocationSnapshot)
	CommitNotice(ctx context.Context, key string, state []byte, outages []outage.Outage, events []outage.Event) error
}

// DefaultCollectEvery is how often the leader looks for new results: a
// change is applied within this of the poll that saw it.
const DefaultCollectEvery = time.Second

// pageSize bounds the results read at once.
const pageSize = 5000

// Collector runs on the leader only: it applies what the workers wrote.
type Collector struct {
	Store  Results
	Engine Engine
	// Probes are the located probes; Shared names the targets polled for
	// all by one replica.
	Probes []Probe
	Shared []string
	Lease  time.Duration
	// Every is how often it reads (default DefaultCollectEvery).
	Every  time.Duration
	Health *Health
	Log    *slog.Logger
	Now    func() time.Time

	rows    map[string]map[string]store.PollResult // by target, location
	applied map[string]int64                       // seq applied, by target "\x00" location
	// floor is where the next read starts: the highest seq seen two reads
	// ago, so a write whose seq was drawn before a higher one but
	// committed after it is still read (seen twice at most, and applied
	// once: applied).
	floor, last int64
	evalAt      map[string]time.Time
	liveLocs    []string
	unhealthy   map[string]bool
}

func (c *Collector) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Run collects until ctx ends (the lead is lost or the bot stops).
func (c *Collector) Run(ctx context.Context) {
	every := c.Every
	if every <= 0 {
		every = DefaultCollectEvery
	}
	if err := c.start(ctx); err != nil {
		if ctx.Err() == nil {
			c.Log.Error("cannot read the fleet's stored state; retrying", "err", err)
		}
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	failing := false
	lastPrune := c.now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		err := c.Step(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			failing = true
			c.Log.Error("cannot read the fleet's poll results; retrying", "err", err)
		case err == nil && failing:
			failing = false
			c.Log.Info("reading the fleet's poll results works again")
		}
		if now := c.now(); now.Sub(lastPrune) > time.Hour {
			lastPrune = now
			// Results a day old belong to targets or locations gone.
			if _, err := c.Store.PruneResults(ctx, now.Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
				c.Log.Warn("cannot prune old poll results", "err", err)
			}
		}
	}
}

// start loads the open location notices and marks every whole
// observation already stored as applied: the last leader applied them (or
// lost them with its lead, like any poll in flight), and applying one twice
// would count it twice.
func (c *Collector) start(ctx context.Context) error {
	c.rows, c.applied, c.evalAt = map[string]map[string]store.PollResult{}, map[string]int64{}, map[string]time.Time{}
	c.floor, c.last = 0, 0
	if c.Health == nil {
		c.Health = &Health{}
	}
	c.Health.Notices = map[string]*outage.Outage{}
	for _, loc := range c.knownLocations(ctx) {
		data, err := c.Store.LoadState(ctx, NoticeKey(loc))
		if err != nil {
			return err
		}
		var ns bot.NetworkState
		if data != nil && json.Unmarshal(data, &ns) == nil && ns.Notice != nil {
			c.Health.Notices[loc] = ns.Notice
		}
	}
	return c.read(ctx, true)
}

// knownLocations are the locations a notice may be stored for: those the
// probes name and those of live replicas.
func (c *Collector) knownLocations(ctx context.Context) []string {
	set := map[string]bool{}
	for _, p := range c.Probes {
		for _, l := range p.Locations {
			set[l] = true
		}
	}
	if live, err := c.Store.LiveReplicas(ctx, c.now()); err == nil {
		for _, l := range locationsOf(live) {
			set[l] = true
		}
	}
	return sortedKeys(set)
}

// Step reads what changed, judges the locations' health and applies every
// probe whose results, locations or health changed, or that was not
// judged for an interval (results go stale).
func (c *Collector) Step(ctx context.Context) error {
	if c.rows == nil {
		if err := c.start(ctx); err != nil {
			return err
		}
	}
	now := c.now()
	live, err := c.Store.LiveReplicas(ctx, now)
	if err != nil {
		return err
	}
	locs := locationsOf(live)
	changed := !equal(locs, c.liveLocs)
	c.liveLocs = locs
	dirty := map[string]bool{}
	if err := c.readInto(ctx, false, dirty); err != nil {
		return err
	}
	unhealthy := c.Health.Unhealthy(c.Probes, c.rows, locs, c.stale(0), now)
	for _, ch := range c.Health.Step(unhealthy, now) {
		if err := c.commitNotice(ctx, ch); err != nil {
			c.Health.Undo(ch.Location, c.noticeBefore(ch))
			delete(unhealthy, ch.Location)
			if ch.Notice == nil {
				unhealthy[ch.Location] = true
			}
			c.Log.Error("cannot store a location notice; retrying with the next step", "location", ch.Location, "err", err)
			continue
		}
		if ch.Notice != nil {
			c.Log.Warn("every probe from this location fails while others reach them: its network looks down; its results are left out of quorums", "location", ch.Location)
		} else {
			c.Log.Info("the location reaches its probes again", "location", ch.Location)
		}
	}
	if !equalSet(unhealthy, c.unhealthy) {
		changed = true
	}
	c.unhealthy = unhealthy
	for _, p := range c.Probes {
		if !changed && !dirty[p.Name] && now.Sub(c.evalAt[p.Name]) < p.Interval {
			continue
		}
		j := Combine(p, c.rows[p.Name], locs, unhealthy, c.stale(p.Interval), now)
		c.evalAt[p.Name] = now
		var took time.Duration
		if len(j.Obs.Components) > 0 {
			took = j.Obs.Components[0].Latency
		}
		c.Engine.Observe(ctx, p.Name, j.Obs, j.Err, took, j.Locations)
	}
	return nil
}

// stale is how old a result may be and still count: two intervals and a
// lease (a poll may be skipped while its replica's share moves).
func (c *Collector) stale(interval time.Duration) time.Duration {
	if interval <= 0 {
		for _, p := range c.Probes {
			interval = max(interval, p.Interval)
		}
	}
	return 2*interval + c.Lease
}

// read reads every result written since the floor.
func (c *Collector) read(ctx context.Context, first bool) error {
	return c.readInto(ctx, first, map[string]bool{})
}

// readInto reads the results written since the floor, keeps the located
// ones (marking their targets dirty) and applies the whole observations,
// except on the first read of a lead (see start).
func (c *Collector) readInto(ctx context.Context, first bool, dirty map[string]bool) error {
	from, top := c.floor, c.last
	for {
		rows, err := c.Store.ResultsSince(ctx, from, pageSize)
		if err != nil {
			return err
		}
		for _, r := range rows {
			from, top = r.Seq, max(top, r.Seq)
			key := r.Target + "\x00" + r.Location
			if c.applied[key] >= r.Seq {
				continue
			}
			c.applied[key] = r.Seq
			if len(r.Observation) > 0 {
				if !first {
					c.applyShared(ctx, r)
				}
				continue
			}
			if c.rows[r.Target] == nil {
				c.rows[r.Target] = map[string]store.PollResult{}
			}
			c.rows[r.Target][r.Location] = r
			dirty[r.Target] = true
		}
		if len(rows) < pageSize {
			break
		}
	}
	c.floor, c.last = c.last, top
	return nil
}

// applyShared hands a whole observation that one replica made for all to
// the engine.
func (c *Collector) applyShared(ctx context.Context, r store.PollResult) {
	var w wireObservation
	if err := json.Unmarshal(r.Observation, &w); err != nil {
		c.Log.Error("cannot decode a stored observation; skipped", "target", r.Target, "replica", r.Replica, "err", err)
		return
	}
	var err error
	if w.Error != "" {
		err = errors.New(w.Error)
	}
	c.Engine.Observe(ctx, r.Target, w.Obs, err, time.Duration(w.TookNS), nil)
}

func (c *Collector) commitNotice(ctx context.Context, ch NoticeChange) error {
	data, err := json.Marshal(bot.NetworkState{Notice: ch.Notice})
	if err != nil {
		return err
	}
	return c.Engine.CommitNotice(ctx, NoticeKey(ch.Location), data, ch.Outages, ch.Events)
}

// noticeBefore is a location's notice as it was before change ch.
func (c *Collector) noticeBefore(ch NoticeChange) *outage.Outage {
	if ch.Notice != nil {
		return nil
	}
	o := ch.Outages[0]
	o.ResolvedAt = time.Time{}
	return &o
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalSet(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}
