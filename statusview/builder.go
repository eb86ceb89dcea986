package statusview

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/uptime"
)

// Live is the engine's current view (bot.Runner): what every target
// looks like now and which outages are open, from memory.
type Live interface {
	Snapshots() []bot.Snapshot
	OpenOutages() []outage.Outage
}

// History is the stored past (store.Store). It is read through a cache
// that is kept while HistoryGeneration stays the same and the UTC day
// does not change, so a page view costs one small query.
type History interface {
	HistoryGeneration(ctx context.Context) (int64, error)
	Rollups(ctx context.Context, since time.Time) ([]uptime.Day, error)
	RollupsChanged(ctx context.Context, gen int64, since time.Time) ([]uptime.Day, []string, error)
	TargetHistories(ctx context.Context) (map[string]store.TargetHistory, error)
	// RecentOutages lists outages open at any time since since, newest
	// first.
	RecentOutages(ctx context.Context, since time.Time) ([]outage.Outage, error)
	TargetOutages(ctx context.Context, target string, from, to time.Time) ([]outage.Outage, error)
	Events(ctx context.Context, outageID string) ([]outage.Event, error)
	// Gaps are the times the bot was not observing target (every target
	// when "") that end after since.
	Gaps(ctx context.Context, target string, since time.Time) (map[string][]uptime.Gap, error)
}

// Shown is one target that the page shows, in configuration order.
type Shown struct {
	Name, Group, Type string
}

// Builder assembles the status picture. It is safe for concurrent use.
type Builder struct {
	// Title is [web] title.
	Title string
	// Shown are the targets shown, in configuration order.
	Shown   []Shown
	Live    Live
	History History
	// Now is the clock (default time.Now).
	Now func() time.Time

	mu    sync.Mutex
	cache *cached
	// shownMu guards Shown and its index against SetShown.
	shownMu sync.RWMutex
	shownBy map[string]Shown
}

// SetShown replaces the targets shown (a reloaded configuration).
func (b *Builder) SetShown(shown []Shown) {
	b.shownMu.Lock()
	b.Shown, b.shownBy = shown, nil
	b.shownMu.Unlock()
}

// ShownTargets are the targets shown, in configuration order.
func (b *Builder) ShownTargets() []Shown {
	b.shownMu.RLock()
	defer b.shownMu.RUnlock()
	return b.Shown
}

// Windows are the uptime windows, as the API names them.
var Windows = []string{"24h", "7d", "30d", "90d"}

// cached is what the builder read from the store at one history
// generation on one UTC day.
type cached struct {
	gen   int64
	today time.Time
	// days are each target's rolled-up days of the last HistoryDays, with
	// the days that open outages still extend finished until read (they
	// are rolled up again at each view).
	days map[string][]uptime.Day
	// live are the outages of targets with an open one, from the day the
	// earliest of them opened: those days are rolled up at each view.
	live     map[string][]outage.Outage
	liveFrom map[string]time.Time
	// recent are the outages open at some time since yesterday's midnight
	// (the 24h window at any time today).
	recent  map[string][]outage.Outage
	history map[string]store.TargetHistory
	latest  map[string]outage.Event
	// sums are each target's rolled-up days added up per day-based window
	// (dayWindows), for targets whose days no open outage extends.
	sums map[string][3]uptime.Spent
	// gaps are each target's gaps in the bot's observation that end
	// within the last HistoryDays: unknown time, which the rollup counts
	// already and the views finishing days (24h, open outages, unread
	// spells) count with the outages.
	gaps map[string][]uptime.Gap
}

func (b *Builder) now() time.Time {
	if b.Now != nil {
		return b.Now().UTC()
	}
	return time.Now().UTC()
}

// load returns the cache, brought up to date when the history changed
// (reading again only the targets whose rollup changed) or read whole
// when a new UTC day began.
func (b *Builder) load(ctx context.Context, now time.Time) (*cached, error) {
	gen, err := b.History.HistoryGeneration(ctx)
	if err != nil {
		return nil, err
	}
	today := uptime.Midnight(now)
	b.mu.Lock()
	defer b.mu.Unlock()
	prev := b.cache
	if prev != nil && prev.gen == gen && prev.today.Equal(today) {
		return prev, nil
	}
	if prev != nil && !prev.today.Equal(today) {
		prev = nil
	}
	c, err := b.read(ctx, gen, today, prev)
	if err != nil {
		return nil, err
	}
	b.cache = c
	return c, nil
}

// read builds the cache of generation gen; with prev (same day, older
// generation) it re-reads only what changed since. prev is never
// modified: views in flight may still be reading it.
func (b *Builder) read(ctx context.Context, gen int64, today time.Time, prev *cached) (*cached, error) {
	c := &cached{gen: gen, today: today, days: map[string][]uptime.Day{}, sums: map[string][3]uptime.Spent{}, gaps: map[string][]uptime.Gap{},
		live: map[string][]outage.Outage{}, liveFrom: map[string]time.Time{}, recent: map[string][]outage.Outage{}, latest: map[string]outage.Event{}}
	first := today.Add(-(HistoryDays - 1) * uptime.DayLength)
	changed := map[string]bool{}
	if prev == nil {
		rolled, err := b.History.Rollups(ctx, first)
		if err != nil {
			return nil, err
		}
		for _, d := range rolled {
			c.days[d.Target] = append(c.days[d.Target], d)
		}
	} else {
		rolled, targets, err := b.History.RollupsChanged(ctx, prev.gen, first)
		if err != nil {
			return nil, err
		}
		maps.Copy(c.days, prev.days)
		for _, t := range targets {
			changed[t] = true
			delete(c.days, t)
		}
		for _, d := range rolled {
			c.days[d.Target] = append(c.days[d.Target], d)
		}
	}
	for target, days := range c.days {
		if s, ok := prev.sumsOf(target); ok && !changed[target] {
			c.sums[target] = s
			continue
		}
		c.sums[target] = windowSums(days, today)
	}
	if err := b.readGaps(ctx, c, prev, changed, first); err != nil {
		return nil, err
	}
	var err error
	if c.history, err = b.History.TargetHistories(ctx); err != nil {
		return nil, err
	}
	recent, err := b.History.RecentOutages(ctx, today.Add(-uptime.DayLength))
	if err != nil {
		return nil, err
	}
	for _, o := range recent {
		c.recent[o.Target] = append(c.recent[o.Target], o)
		if !o.Open() {
			continue
		}
		if f, ok := c.liveFrom[o.Target]; !ok || o.OpenedAt.Before(f) {
			c.liveFrom[o.Target] = o.OpenedAt
		}
		if ev, ok := prev.latestOf(o.ID); ok && !changed[o.Target] {
			c.latest[o.ID] = ev
			continue
		}
		evs, err := b.History.Events(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		for _, ev := range slices.Backward(evs) {
			if ev.Body != "" {
				c.latest[o.ID] = ev
				break
			}
		}
	}
	for target, from := range c.liveFrom {
		from = later(uptime.Midnight(from), first)
		c.liveFrom[target] = from
		if prev != nil && !changed[target] && prev.liveFrom[target].Equal(from) {
			if outs, ok := prev.live[target]; ok {
				c.live[target] = outs
				continue
			}
		}
		outs, err := b.History.TargetOutages(ctx, target, from, today.Add(uptime.DayLength*2))
		if err != nil {
			return nil, err
		}
		c.live[target] = outs
	}
	return c, nil
}

// gapsReadAlone is how many changed targets have their gaps read one by
// one; more (a restart that opened a gap for every target) are read in
// one query.
const gapsReadAlone = 16

// readGaps fills c.gaps: everything when there is no prev, else prev's
// gaps with those of the changed targets read again (a new gap rolls its
// days up again, so its target is among them).
func (b *Builder) readGaps(ctx context.Context, c, prev *cached, changed map[string]bool, first time.Time) error {
	if prev == nil || len(changed) > gapsReadAlone {
		gaps, err := b.History.Gaps(ctx, "", first)
		if err != nil {
			return err
		}
		c.gaps = gaps
		return nil
	}
	maps.Copy(c.gaps, prev.gaps)
	for t := range changed {
		gaps, err := b.History.Gaps(ctx, t, first)
		if err != nil {
			return err
		}
		delete(c.gaps, t)
		if g, ok := gaps[t]; ok {
			c.gaps[t] = g
		}
	}
	return nil
}

func (c *cached) sumsOf(target string) ([3]uptime.Spent, bool) {
	if c == nil {
		return [3]uptime.Spent{}, false
	}
	s, ok := c.sums[target]
	return s, ok
}

func (c *cached) latestOf(id string) (outage.Event, bool) {
	if c == nil {
		return outage.Event{}, false
	}
	ev, ok := c.latest[id]
	return ev, ok
}

// dayWindows are the day-based uptime windows.
var dayWindows = [3]uptime.Window{uptime.Last7d, uptime.Last30d, uptime.Last90d}

// windowSums adds up the rolled-up days within each day-based window.
func windowSums(days []uptime.Day, today time.Time) [3]uptime.Spent {
	var out [3]uptime.Spent
	for i, w := range dayWindows {
		start := w.Start(today)
		for _, d := range days {
			if !d.Date.Before(start) {
				out[i].Down += d.Down
				out[i].Maintenance += d.Maintenance
				out[i].Unknown += d.Unknown
			}
		}
	}
	return out
}

// Page builds the whole status page.
func (b *Builder) Page(ctx context.Context) (Page, error) {
	now := b.now()
	c, err := b.load(ctx, now)
	if err != nil {
		return Page{}, err
	}
	snaps := b.snapshots()
	open := b.Live.OpenOutages()
	p := Page{Title: b.Title, Generated: now, Overall: sources.Operational}
	first := true
	byGroup := map[string]int{}
	for _, s := range b.ShownTargets() {
		t := b.target(c, s, snaps[s.Name], open, now, true)
		if first || worse(t.Status, p.Overall) {
			p.Overall, first = t.Status, false
		}
		i, ok := byGroup[s.Group]
		if !ok {
			i = len(p.Groups)
			byGroup[s.Group] = i
			p.Groups = append(p.Groups, Group{Name: s.Group})
		}
		p.Groups[i].Targets = append(p.Groups[i].Targets, t)
	}
	shown := b.shown()
	for _, o := range slices.Backward(open) {
		s, ok := shown[o.Target]
		if !ok {
			continue
		}
		p.Open = append(p.Open, listed(o, s.Group, c.latest[o.ID]))
	}
	return p, nil
}

// List builds every shown target without its daily history (the
// API's list).
func (b *Builder) List(ctx context.Context) ([]Target, error) {
	now := b.now()
	c, err := b.load(ctx, now)
	if err != nil {
		return nil, err
	}
	snaps := b.snapshots()
	open := b.Live.OpenOutages()
	shown := b.ShownTargets()
	out := make([]Target, 0, len(shown))
	for _, s := range shown {
		out = append(out, b.target(c, s, snaps[s.Name], open, now, false))
	}
	return out, nil
}

// Target builds one shown target with its daily history; ok is false when
// no shown target has that name.
func (b *Builder) Target(ctx context.Context, name string) (t Target, ok bool, err error) {
	s, ok := b.Find(name)
	if !ok {
		return Target{}, false, nil
	}
	now := b.now()
	c, err := b.load(ctx, now)
	if err != nil {
		return Target{}, false, err
	}
	return b.target(c, s, b.snapshots()[s.Name], b.Live.OpenOutages(), now, true), true, nil
}

// Find is the shown target called name, whatever the case of name: names
// are unique whatever their case (config), and chat finds "openai" for
// OpenAI, so the API and the badges do too, for a URL typed by hand.
func (b *Builder) Find(name string) (Shown, bool) {
	m := b.shown()
	if s, ok := m[name]; ok {
		return s, true
	}
	for _, s := range b.ShownTargets() {
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return Shown{}, false
}

// Shows reports whether the page shows target, and its group.
func (b *Builder) Shows(target string) (Shown, bool) {
	s, ok := b.shown()[target]
	return s, ok
}

// shown indexes Shown by name, once per list.
func (b *Builder) shown() map[string]Shown {
	b.shownMu.RLock()
	m := b.shownBy
	b.shownMu.RUnlock()
	if m != nil {
		return m
	}
	b.shownMu.Lock()
	defer b.shownMu.Unlock()
	m = make(map[string]Shown, len(b.Shown))
	for _, s := range b.Shown {
		m[s.Name] = s
	}
	b.shownBy = m
	return m
}

func (b *Builder) snapshots() map[string]bot.Snapshot {
	all := b.Live.Snapshots()
	m := make(map[string]bot.Snapshot, len(all))
	for _, s := range all {
		m[s.Name] = s
	}
	return m
}

// worse orders current statuses for the page's banner: unknown is worse
// than operational (something is not known to be fine) and better than
// any problem.
func worse(a, b sources.Status) bool { return bannerRank(a) > bannerRank(b) }

func bannerRank(s sources.Status) int {
	switch s {
	case sources.Operational:
		return 0
	case sources.Unknown, "":
		return 1
	case sources.Maintenance:
		return 2
	}
	return s.Rank() + 1
}

func (b *Builder) target(c *cached, s Shown, snap bot.Snapshot, open []outage.Outage, now time.Time, withDays bool) Target {
	t := Target{Name: s.Name, Group: s.Group, Type: s.Type, Status: snap.Status, CheckedAt: snap.CheckedAt,
		Latency: snap.Latency, Reachable: snap.Reachable, Error: snap.Error}
	if t.Status == "" {
		t.Status = sources.Unknown
	}
	for _, comp := range snap.Components {
		t.Components = append(t.Components, Component{Name: comp.Name, Status: comp.Status})
	}
	for _, m := range snap.Maintenances {
		t.Maintenances = append(t.Maintenances, Maintenance{Title: m.Title, Status: m.Status, Start: m.Start, End: m.End})
	}
	for _, l := range snap.Locations {
		loc := Location{Name: l.Name, Status: l.Status, Failing: l.Failing, Latency: l.Latency,
			CheckedAt: l.CheckedAt, Error: l.Error, Excluded: l.Excluded}
		if loc.Status == "" {
			loc.Status = sources.Unknown // a location with no result yet
		}
		t.Locations = append(t.Locations, loc)
	}
	var mine []outage.Outage
	for _, o := range open {
		if o.Target == s.Name {
			mine = append(mine, o)
			t.OpenOutages = append(t.OpenOutages, o.ID)
		}
	}
	hist, seen := c.history[s.Name]
	t.Since = since(t.Status, mine, hist, seen)
	u, isUnread := unread(s.Name, snap, hist, seen, now)
	if isUnread && t.Status == sources.Unknown && !slices.ContainsFunc(mine, func(o outage.Outage) bool { return o.Class == outage.Unreachable }) {
		// Unknown with no outage to say since when: since it was last read.
		t.Since = u.OpenedAt
	}

	days := c.days[s.Name]
	from, live := c.liveFrom[s.Name]
	if !live && withDays {
		// The days come from the cache alone, which is read again only
		// when the history generation or the UTC day changes.
		t.DaysVersion = daysVersion(c.gen, c.today)
	}
	if live {
		keep := days[:0:0]
		for _, d := range days {
			if d.Date.Before(from) {
				keep = append(keep, d)
			}
		}
		days = append(keep, uptime.Days(s.Name, uptime.Since(c.live[s.Name], hist.FirstSeen), c.gaps[s.Name], from, now, now)...)
	}
	recent := c.recent[s.Name]
	if isUnread {
		known := uptime.Since(append(mine[:len(mine):len(mine)], recent...), hist.FirstSeen)
		days = withUnread(days, s.Name, known, c.gaps[s.Name], u, c.today.Add(-(HistoryDays-1)*uptime.DayLength), now)
		recent = append(recent[:len(recent):len(recent)], u)
	}
	if seen {
		t.Uptime = windows(c, s.Name, days, recent, isUnread, hist.FirstSeen, now)
	}
	if withDays {
		t.Days = daily(days, hist.FirstSeen, seen, now)
	}
	return t
}

// daysVersion is never zero: a generation and a day in one word (days
// since 1970 fit in 17 bits for centuries).
func daysVersion(gen int64, today time.Time) uint64 {
	return uint64(gen+1)<<17 | uint64(today.Unix()/int64(uptime.DayLength/time.Second))&(1<<17-1)
}

// since is when the current status began: the first open outage of the
// kind that explains it, else the end of the last outage (or when the
// target was first seen).
func since(status sources.Status, open []outage.Outage, h store.TargetHistory, seen bool) time.Time {
	want := outage.Incident
	switch status {
	case sources.Maintenance:
		want = outage.MaintenanceWork
	case sources.Unknown:
		want = outage.Unreachable
	case sources.Operational:
		want = ""
	}
	var first time.Time
	for _, o := range open {
		if (want == "" || o.Class == want) && (first.IsZero() || o.OpenedAt.Before(first)) {
			first = o.OpenedAt
		}
	}
	if !first.IsZero() && want != "" {
		return first
	}
	if !seen {
		return time.Time{}
	}
	if h.LastResolved.After(h.FirstSeen) {
		return h.LastResolved
	}
	return h.FirstSeen
}

// windows is the uptime per window, measured as every uptime figure is
// (uptime.Of): the last 24h exactly; 7d, 30d and 90d as today so far and
// the 6, 29 or 89 UTC days before. recent are the outages since
// yesterday (with the unread spell); days changed from the rolled-up ones
// make the cached sums stale. The day windows add up rolled-up days
// instead of reading their outages again: the same time, spent the same
// way.
func windows(c *cached, name string, days []uptime.Day, recent []outage.Outage, changed bool, firstSeen, now time.Time) Uptime {
	var u Uptime
	if m := uptime.Of(uptime.Last24h, uptime.Observed{Seen: true, FirstSeen: firstSeen, Outages: recent, Gaps: c.gaps[name]}, now); m.OK {
		u.Day = &m.Up
	}
	sums, ok := c.sums[name]
	if _, live := c.liveFrom[name]; live || changed || !ok {
		sums = windowSums(days, c.today)
	}
	for i, dst := range []**float64{&u.Week, &u.Month, &u.Quarter} {
		if f, ok := uptime.Share(dayWindows[i].From(firstSeen, now), now, sums[i]); ok {
			*dst = &f
		}
	}
	return u
}

// daily is the HistoryDays days ending today, oldest first.
func daily(rolled []uptime.Day, firstSeen time.Time, seen bool, now time.Time) []Day {
	out := make([]Day, HistoryDays)
	today := uptime.Midnight(now)
	firstDay := uptime.Midnight(firstSeen)
	j := 0
	for i := range out {
		date := today.Add(-time.Duration(HistoryDays-1-i) * uptime.DayLength)
		d := Day{Date: date, Worst: sources.Operational}
		if !seen || date.Before(firstDay) {
			d.Worst = sources.Unknown
		}
		for j < len(rolled) && rolled[j].Date.Before(date) {
			j++
		}
		if j < len(rolled) && rolled[j].Date.Equal(date) {
			r := rolled[j]
			d.Worst, d.Down, d.Maintenance, d.Unknown = r.Worst, r.Down, r.Maintenance, r.Unknown
			for _, o := range r.Outages {
				d.Outages = append(d.Outages, DayOutage{ID: o.ID, Title: o.Title, Severity: o.Severity, Class: o.Class, Duration: o.Duration})
			}
		}
		out[i] = d
	}
	return out
}

func listed(o outage.Outage, group string, latest outage.Event) Outage {
	return Outage{ID: o.ID, Target: o.Target, Group: group, Title: o.Title, Class: o.Class, Severity: o.Severity,
		Started: o.OpenedAt, Resolved: o.ResolvedAt, Latest: latest.Body, LatestAt: latest.At, URL: o.URL,
		TitleSaid: o.TitleSaid, LatestSaid: latest.Said}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
