package statusview_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/statusview"
	"github.com/outagebot/outagebot/store"
)

type live struct {
	snaps []bot.Snapshot
	open  []outage.Outage
}

func (l *live) Snapshots() []bot.Snapshot    { return l.snaps }
func (l *live) OpenOutages() []outage.Outage { return l.open }

var day0 = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func hm(d, h, m int) time.Time {
	return day0.Add(time.Duration(d)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

func commit(t *testing.T, s *store.Store, target string, at time.Time, os ...outage.Outage) {
	t.Helper()
	c := store.Commit{Target: target, State: []byte(`{}`), Outages: os, At: at}
	var evs []outage.Event
	for i := range os {
		os[i].Seq = seqs[os[i].ID]
		evs = append(evs, os[i].Event(outage.Updated, at, "vendor words at "+at.Format("15:04")))
		seqs[os[i].ID] = os[i].Seq
	}
	c.Outages, c.Events = os, evs
	if _, err := s.Commit(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

// seqs numbers each outage's events across commits.
var seqs = map[string]int{}

func f(v float64) *float64 { return &v }

// The builder reads what the store rolled up and finishes the days that
// open outages still extend, up to the moment of the view.
func TestBuilder(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	// api: watched since day 0; down 2h across the midnight of day 1 (one
	// outage) and 1h on day 2 in two overlapping outages; open since 22:00
	// on day 3 (two overlapping open outages, one since 23:00).
	commit(t, s, "api", hm(0, 0, 0))
	a1 := outage.Outage{ID: "a1", Target: "api", Key: "1", Class: outage.Incident, Title: "Errors", Severity: sources.MajorOutage, OpenedAt: hm(0, 23, 0)}
	commit(t, s, "api", a1.OpenedAt, a1)
	a1.ResolvedAt = hm(1, 1, 0)
	commit(t, s, "api", a1.ResolvedAt, a1)
	a2 := outage.Outage{ID: "a2", Target: "api", Key: "2", Class: outage.Incident, Title: "Slow", Severity: sources.Degraded, OpenedAt: hm(2, 10, 0)}
	a3 := outage.Outage{ID: "a3", Target: "api", Key: "3", Class: outage.Incident, Title: "Slower", Severity: sources.PartialOutage, OpenedAt: hm(2, 10, 30)}
	commit(t, s, "api", a3.OpenedAt, a2, a3)
	a2.ResolvedAt, a3.ResolvedAt = hm(2, 11, 0), hm(2, 10, 45)
	commit(t, s, "api", a2.ResolvedAt, a2, a3)
	a4 := outage.Outage{ID: "a4", Target: "api", Key: "4", Class: outage.Incident, Title: "Down", Severity: sources.MajorOutage, OpenedAt: hm(3, 22, 0)}
	a5 := outage.Outage{ID: "a5", Target: "api", Key: "5", Class: outage.Incident, Title: "Also down", Severity: sources.PartialOutage, OpenedAt: hm(3, 23, 0)}
	commit(t, s, "api", a5.OpenedAt, a4, a5)
	// feed: watched since day 3 noon; in maintenance since day 4 02:00.
	commit(t, s, "feed", hm(3, 12, 0))
	m1 := outage.Outage{ID: "m1", Target: "feed", Key: "m", Class: outage.MaintenanceWork, Title: "Upgrade", Severity: sources.Maintenance, OpenedAt: hm(4, 2, 0)}
	commit(t, s, "feed", m1.OpenedAt, m1)

	now := hm(4, 6, 0) // the open outages last 8h and 7h so far
	l := &live{
		snaps: []bot.Snapshot{
			{Name: "api", Status: sources.MajorOutage, Reachable: true, CheckedAt: now},
			{Name: "feed", Status: sources.Maintenance, Reachable: true, CheckedAt: now, Components: []bot.ComponentSnapshot{{Name: "Web", Status: sources.Maintenance}}},
			{Name: "hidden", Status: sources.Operational},
		},
		open: []outage.Outage{a4, a5, m1},
	}
	b := &statusview.Builder{Title: "Status", Live: l, History: s, Now: func() time.Time { return now },
		Shown: []statusview.Shown{{Name: "api", Group: "core", Type: "http"}, {Name: "feed", Group: "vendors", Type: "statuspage"}}}

	p, err := b.Page(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.Overall != sources.MajorOutage || len(p.Groups) != 2 || p.Groups[0].Name != "core" || p.Groups[1].Targets[0].Name != "feed" {
		t.Fatalf("page: overall %s, groups %+v", p.Overall, p.Groups)
	}
	if len(p.Open) != 3 || p.Open[0].ID != "m1" || p.Open[0].Latest != "vendor words at 02:00" || p.Open[0].Group != "vendors" {
		t.Errorf("open outages, newest first: %+v", p.Open)
	}
	api := p.Groups[0].Targets[0]
	if !api.Since.Equal(a4.OpenedAt) {
		t.Errorf("api since %v, want %v", api.Since, a4.OpenedAt)
	}
	if len(api.Days) != statusview.HistoryDays || !api.Days[len(api.Days)-1].Date.Equal(hm(4, 0, 0)) {
		t.Fatalf("api days: %d ending %v", len(api.Days), api.Days[len(api.Days)-1].Date)
	}
	last := api.Days[len(api.Days)-5:] // days 0..4
	for i, want := range []struct {
		worst sources.Status
		down  time.Duration
		n     int
	}{
		{sources.MajorOutage, time.Hour, 1},
		{sources.MajorOutage, time.Hour, 1},
		{sources.PartialOutage, time.Hour, 2}, // union of 10:00-11:00 and 10:30-10:45
		{sources.MajorOutage, 2 * time.Hour, 2},
		{sources.MajorOutage, 6 * time.Hour, 2}, // still open: until now
	} {
		d := last[i]
		if d.Worst != want.worst || d.Down != want.down || len(d.Outages) != want.n {
			t.Errorf("api day %d: worst %s down %v outages %d, want %s %v %d", i, d.Worst, d.Down, len(d.Outages), want.worst, want.down, want.n)
		}
	}
	if d := api.Days[len(api.Days)-6]; d.Worst != sources.Unknown {
		t.Errorf("the day before api was first seen is %s, want unknown", d.Worst)
	}
	// 24h: down since 22:00 of day 3: 8h of 24h. 7d: since day 0 00:00,
	// 102h observed, 2+1+2+6 = 11h down.
	wantUp := statusview.Uptime{Day: f(1 - 8.0/24), Week: f(1 - 11.0/102), Month: f(1 - 11.0/102), Quarter: f(1 - 11.0/102)}
	assertUptime(t, "api", api.Uptime, wantUp)

	feed := p.Groups[1].Targets[0]
	if !feed.Since.Equal(m1.OpenedAt) || len(feed.Components) != 1 {
		t.Errorf("feed: since %v components %v", feed.Since, feed.Components)
	}
	// Maintenance is never downtime; the maintenance is left out of both
	// sides: 18h observed, 4h of it maintenance: 100%.
	assertUptime(t, "feed", feed.Uptime, statusview.Uptime{Day: f(1), Week: f(1), Month: f(1), Quarter: f(1)})
	if d := feed.Days[len(feed.Days)-1]; d.Worst != sources.Maintenance || d.Maintenance != 4*time.Hour || d.Down != 0 {
		t.Errorf("feed today: %+v", d)
	}

	list, err := b.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Days != nil || len(list[0].OpenOutages) != 2 {
		t.Errorf("list: %+v", list)
	}
	if _, ok, _ := b.Target(ctx, "hidden"); ok {
		t.Error("a target not shown has a detail view")
	}

	// The outages end: the next view reads the store again.
	a4.ResolvedAt, a5.ResolvedAt = hm(4, 5, 0), hm(4, 5, 0)
	commit(t, s, "api", a4.ResolvedAt, a4, a5)
	l.open = []outage.Outage{m1}
	l.snaps[0].Status = sources.Operational
	api, _, err = b.Target(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	if !api.Since.Equal(hm(4, 5, 0)) || api.Days[len(api.Days)-1].Down != 5*time.Hour || len(api.OpenOutages) != 0 {
		t.Errorf("after the restoration: since %v today %+v", api.Since, api.Days[len(api.Days)-1])
	}
	// 24h: 7h of 24h down (22:00 to 05:00); 7d: 2+1+2+5 = 10h of 102h.
	assertUptime(t, "api after", api.Uptime, statusview.Uptime{Day: f(1 - 7.0/24), Week: f(1 - 10.0/102), Month: f(1 - 10.0/102), Quarter: f(1 - 10.0/102)})
	// Only api was read again; feed's picture is what it was.
	feedAgain, _, err := b.Target(ctx, "feed")
	if err != nil {
		t.Fatal(err)
	}
	assertUptime(t, "feed after", feedAgain.Uptime, feed.Uptime)
	if d := feedAgain.Days[len(feedAgain.Days)-1]; d.Maintenance != 4*time.Hour {
		t.Errorf("feed today after api's change: %+v", d)
	}
	// api's days now come from the store alone and are named by a
	// version, which the next change of the history renews; feed's today
	// grows with its open maintenance and has none.
	if api.DaysVersion == 0 || feedAgain.DaysVersion != 0 {
		t.Errorf("days versions: api %d, feed %d", api.DaysVersion, feedAgain.DaysVersion)
	}
	same, _, err := b.Target(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	if same.DaysVersion != api.DaysVersion {
		t.Errorf("api's version moved without a change: %d, then %d", api.DaysVersion, same.DaysVersion)
	}
	commit(t, s, "api", hm(4, 5, 30), outage.Outage{ID: "a6", Target: "api", Key: "6", Class: outage.Incident, Title: "Blip", Severity: sources.Degraded, OpenedAt: hm(4, 5, 10), ResolvedAt: hm(4, 5, 20)})
	changed, _, err := b.Target(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	if changed.DaysVersion == 0 || changed.DaysVersion == api.DaysVersion {
		t.Errorf("api's version after a new outage: %d, before %d", changed.DaysVersion, api.DaysVersion)
	}
}

func assertUptime(t *testing.T, name string, got, want statusview.Uptime) {
	t.Helper()
	for _, w := range []struct {
		name      string
		got, want *float64
	}{{"24h", got.Day, want.Day}, {"7d", got.Week, want.Week}, {"30d", got.Month, want.Month}, {"90d", got.Quarter, want.Quarter}} {
		switch {
		case (w.got == nil) != (w.want == nil):
			t.Errorf("%s %s: got %v, want %v", name, w.name, w.got, w.want)
		case w.got != nil && (*w.got-*w.want > 1e-9 || *w.want-*w.got > 1e-9):
			t.Errorf("%s %s: got %v, want %v", name, w.name, *w.got, *w.want)
		}
	}
}

// Views read while outages are written: each sees a consistent cache
// (run with -race).
func TestBuilderConcurrentViews(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := hm(4, 6, 0)
	l := &live{snaps: []bot.Snapshot{{Name: "api", Status: sources.Operational}, {Name: "db", Status: sources.Operational}}}
	b := &statusview.Builder{Live: l, History: s, Now: func() time.Time { return now },
		Shown: []statusview.Shown{{Name: "api"}, {Name: "db"}}}
	// Both watched since the first day: the outages below were observed.
	commit(t, s, "api", hm(0, 0, 0))
	commit(t, s, "db", hm(0, 0, 0))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 20 {
			o := outage.Outage{ID: fmt.Sprintf("c%d", i), Target: []string{"api", "db"}[i%2], Key: fmt.Sprint(i), Class: outage.Incident, Title: "t",
				Severity: sources.Degraded, OpenedAt: hm(3, i, 0), ResolvedAt: hm(3, i, 30)}
			if _, err := s.Commit(ctx, store.Commit{Target: o.Target, State: []byte(`{}`), Outages: []outage.Outage{o}, At: now}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for {
		if _, err := b.List(ctx); err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.Target(ctx, "db"); err != nil {
			t.Fatal(err)
		}
		select {
		case <-done:
			// Once the writes are over, the view holds all 20 outages:
			// 10 half hours each.
			api, _, err := b.Target(ctx, "api")
			if err != nil {
				t.Fatal(err)
			}
			if d := api.Days[len(api.Days)-2]; d.Down != 5*time.Hour || len(d.Outages) != 10 {
				t.Errorf("api yesterday: down %v, %d outages", d.Down, len(d.Outages))
			}
			return
		default:
		}
	}
}

// A multi-location probe's per-location state reaches every view (page,
// list and one target) as the snapshot holds it; a single-location
// target has none.
func TestBuilderLocations(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := hm(4, 6, 0)
	locs := []bot.LocationSnapshot{
		{Name: "eu-west", Status: sources.Operational, Latency: 42 * time.Millisecond, CheckedAt: now.Add(-time.Minute)},
		{Name: "us-east", Status: sources.MajorOutage, Failing: true, CheckedAt: now.Add(-2 * time.Minute), Error: "timeout"},
		{Name: "ap-south", Excluded: "no live replica"},
	}
	want := []statusview.Location{
		{Name: "eu-west", Status: sources.Operational, Latency: 42 * time.Millisecond, CheckedAt: now.Add(-time.Minute)},
		{Name: "us-east", Status: sources.MajorOutage, Failing: true, CheckedAt: now.Add(-2 * time.Minute), Error: "timeout"},
		{Name: "ap-south", Status: sources.Unknown, Excluded: "no live replica"},
	}
	l := &live{snaps: []bot.Snapshot{
		{Name: "multi", Status: sources.Operational, Reachable: true, CheckedAt: now, Locations: locs},
		{Name: "single", Status: sources.Operational, Reachable: true, CheckedAt: now, Latency: time.Millisecond},
	}}
	b := &statusview.Builder{Live: l, History: s, Now: func() time.Time { return now },
		Shown: []statusview.Shown{{Name: "multi", Type: "http"}, {Name: "single", Type: "http"}}}

	p, err := b.Page(ctx)
	if err != nil {
		t.Fatal(err)
	}
	list, err := b.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	one, _, err := b.Target(ctx, "multi")
	if err != nil {
		t.Fatal(err)
	}
	single, _, err := b.Target(ctx, "single")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		got  statusview.Target
		want []statusview.Location
	}{
		{"page", p.Groups[0].Targets[0], want},
		{"list", list[0], want},
		{"target", one, want},
		{"single-location page", p.Groups[0].Targets[1], nil},
		{"single-location list", list[1], nil},
		{"single-location target", single, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got.Locations, tc.want) {
				t.Errorf("locations %+v, want %+v", tc.got.Locations, tc.want)
			}
		})
	}
}

// Time when a target could not be read is unknown, measured on neither
// side of its uptime, whether or not an unreachable outage was recorded
// for it: below unreachable_threshold, and while our own network is down
// (its polls are held back and no outage opens), none is.
// cell is what a test expects of one day cell.
type cell struct {
	Worst         sources.Status
	Down, Unknown time.Duration
	Outages       int
}

func TestBuilderUnreadTime(t *testing.T) {
	now := hm(4, 6, 0)
	// incident: down from 10:00 to 12:00 on day 3, for a target watched
	// since day 0.
	watched := func(id string) func(*testing.T, *store.Store) {
		return func(t *testing.T, s *store.Store) {
			commit(t, s, id, hm(0, 0, 0))
			o := outage.Outage{ID: id + "-i", Target: id, Key: "i", Class: outage.Incident, Title: "Errors", Severity: sources.MajorOutage, OpenedAt: hm(3, 10, 0)}
			commit(t, s, id, o.OpenedAt, o)
			o.ResolvedAt = hm(3, 12, 0)
			commit(t, s, id, o.ResolvedAt, o)
		}
	}
	netDown := outage.Outage{ID: "net", Target: outage.SelfTarget, Key: "network", Class: outage.Unreachable, Severity: sources.Unknown, OpenedAt: hm(4, 2, 0)}
	openIncident := outage.Outage{ID: "both-i", Target: "both", Key: "i", Class: outage.Incident, Title: "Down", Severity: sources.MajorOutage, OpenedAt: hm(3, 23, 0)}
	unreachable := outage.Outage{ID: "late-u", Target: "late", Key: "unreachable", Class: outage.Unreachable, Title: "late: no status data", Severity: sources.Unknown, OpenedAt: hm(4, 4, 0)}
	for _, tc := range []struct {
		name   string
		setup  func(*testing.T, *store.Store)
		snap   bot.Snapshot
		open   []outage.Outage
		status sources.Status
		since  time.Time
		uptime statusview.Uptime
		// today and yesterday are the last two day cells.
		today, yesterday cell
	}{
		{
			// First polled at 05:00 (the poll failed, or was held back):
			// an hour known of, none of it measured.
			name:   "never read",
			setup:  func(t *testing.T, s *store.Store) { commit(t, s, "never read", hm(4, 5, 0)) },
			snap:   bot.Snapshot{Name: "never read", CheckedAt: now, UnreachableSince: hm(4, 5, 0), Error: "no such host"},
			status: sources.Unknown, since: hm(4, 5, 0),
			uptime:    statusview.Uptime{},
			today:     cell{Worst: sources.Unknown, Unknown: time.Hour},
			yesterday: cell{Worst: sources.Unknown},
		},
		{
			// Network down from the very first poll: that poll was held
			// back, and the store's first-seen (in milliseconds) precedes
			// its unreachable-since by a sliver that is not measured time.
			name:   "never read, held back",
			setup:  func(t *testing.T, s *store.Store) { commit(t, s, "held", hm(4, 5, 0)) },
			snap:   bot.Snapshot{Name: "held", Status: sources.Unknown, CheckedAt: now, UnreachableSince: hm(4, 5, 0).Add(500 * time.Microsecond), Error: "no such host"},
			open:   []outage.Outage{netDown},
			status: sources.Unknown, since: hm(4, 5, 0),
			uptime:    statusview.Uptime{},
			today:     cell{Worst: sources.Unknown, Unknown: time.Hour},
			yesterday: cell{Worst: sources.Unknown},
		},
		{
			// First polled at 01:00 and never read; restarted at 05:00,
			// when the held-back polls began a new unreachable spell: the
			// hours before the restart are not up either.
			name:   "never read, restarted",
			setup:  func(t *testing.T, s *store.Store) { commit(t, s, "restarted", hm(4, 1, 0)) },
			snap:   bot.Snapshot{Name: "restarted", Status: sources.Unknown, CheckedAt: now, UnreachableSince: hm(4, 5, 0), Error: "no such host"},
			open:   []outage.Outage{netDown},
			status: sources.Unknown, since: hm(4, 1, 0),
			uptime:    statusview.Uptime{},
			today:     cell{Worst: sources.Unknown, Unknown: 5 * time.Hour},
			yesterday: cell{Worst: sources.Unknown},
		},
		{
			// Last read at 01:00 (as stored), restarted at 03:00 while
			// our network is down: unknown from the last read, not from
			// the restart. 24h: 2h down of 19h measured; 7d: 102h watched,
			// 5h unknown.
			name:   "restart while unreadable",
			setup:  watched("restart"),
			snap:   bot.Snapshot{Name: "restart", Status: sources.Operational, CheckedAt: now, ReadAt: hm(4, 1, 0), UnreachableSince: hm(4, 3, 0)},
			open:   []outage.Outage{netDown},
			status: sources.Operational, since: hm(3, 12, 0),
			uptime:    statusview.Uptime{Day: f(1 - 2.0/19), Week: f(1 - 2.0/97), Month: f(1 - 2.0/97), Quarter: f(1 - 2.0/97)},
			today:     cell{Worst: sources.Unknown, Unknown: 5 * time.Hour},
			yesterday: cell{Worst: sources.MajorOutage, Down: 2 * time.Hour, Outages: 1},
		},
		{
			// Unreadable since midnight, below the threshold: the status
			// stays what was last read, the 6h are unknown. 24h: 2h down
			// of 18h measured; 7d: 102h watched, 6h unknown.
			name:   "below threshold",
			setup:  watched("below threshold"),
			snap:   bot.Snapshot{Name: "below threshold", Status: sources.Operational, CheckedAt: now, UnreachableSince: hm(4, 0, 0)},
			status: sources.Operational, since: hm(3, 12, 0),
			uptime:    statusview.Uptime{Day: f(1 - 2.0/18), Week: f(1 - 2.0/96), Month: f(1 - 2.0/96), Quarter: f(1 - 2.0/96)},
			today:     cell{Worst: sources.Unknown, Unknown: 6 * time.Hour},
			yesterday: cell{Worst: sources.MajorOutage, Down: 2 * time.Hour, Outages: 1},
		},
		{
			// Our own network is down and the polls are held back; the
			// state was stored before it said since when it could not be
			// read, so the unread time runs from the last time it was
			// known read: the end of its outage at 12:00 on day 3.
			name:   "network down",
			setup:  watched("network down"),
			snap:   bot.Snapshot{Name: "network down", Status: sources.Operational, CheckedAt: now},
			open:   []outage.Outage{netDown},
			status: sources.Operational, since: hm(3, 12, 0),
			uptime:    statusview.Uptime{Day: f(1 - 2.0/6), Week: f(1 - 2.0/84), Month: f(1 - 2.0/84), Quarter: f(1 - 2.0/84)},
			today:     cell{Worst: sources.Unknown, Unknown: 6 * time.Hour},
			yesterday: cell{Worst: sources.MajorOutage, Down: 2 * time.Hour, Unknown: 12 * time.Hour, Outages: 1},
		},
		{
			// Down since 23:00, unreadable since 02:00 behind our network
			// outage: the incident stays open and its time stays down,
			// never also unknown.
			name: "down then unread",
			setup: func(t *testing.T, s *store.Store) {
				commit(t, s, "both", hm(0, 0, 0))
				commit(t, s, "both", openIncident.OpenedAt, openIncident)
			},
			snap:   bot.Snapshot{Name: "both", Status: sources.MajorOutage, CheckedAt: now, UnreachableSince: hm(4, 2, 0)},
			open:   []outage.Outage{netDown, openIncident},
			status: sources.MajorOutage, since: hm(3, 23, 0),
			uptime:    statusview.Uptime{Day: f(1 - 7.0/24), Week: f(1 - 7.0/102), Month: f(1 - 7.0/102), Quarter: f(1 - 7.0/102)},
			today:     cell{Worst: sources.MajorOutage, Down: 6 * time.Hour, Outages: 1},
			yesterday: cell{Worst: sources.MajorOutage, Down: time.Hour, Outages: 1},
		},
		{
			// Unreadable since 03:00, the unreachable outage opened at the
			// threshold at 04:00: the hour before it is unknown too.
			name: "past threshold",
			setup: func(t *testing.T, s *store.Store) {
				commit(t, s, "late", hm(0, 0, 0))
				commit(t, s, "late", unreachable.OpenedAt, unreachable)
			},
			snap:   bot.Snapshot{Name: "late", Status: sources.Unknown, CheckedAt: now, ReadAt: hm(4, 3, 0), UnreachableSince: hm(4, 3, 0).Add(time.Minute)},
			open:   []outage.Outage{unreachable},
			status: sources.Unknown, since: hm(4, 4, 0),
			uptime:    statusview.Uptime{Day: f(1), Week: f(1), Month: f(1), Quarter: f(1)},
			today:     cell{Worst: sources.Unknown, Unknown: 3 * time.Hour, Outages: 1},
			yesterday: cell{Worst: sources.Operational},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			tc.setup(t, s)
			b := &statusview.Builder{Live: &live{snaps: []bot.Snapshot{tc.snap}, open: tc.open}, History: s, Now: func() time.Time { return now },
				Shown: []statusview.Shown{{Name: tc.snap.Name}}}
			got, _, err := b.Target(ctx, tc.snap.Name)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tc.status || !got.Since.Equal(tc.since) {
				t.Errorf("status %s since %v, want %s since %v", got.Status, got.Since, tc.status, tc.since)
			}
			assertUptime(t, tc.name, got.Uptime, tc.uptime)
			for i, want := range []cell{tc.yesterday, tc.today} {
				d := got.Days[len(got.Days)-2+i]
				if d.Worst != want.Worst || d.Down != want.Down || d.Unknown != want.Unknown || len(d.Outages) != want.Outages {
					t.Errorf("day %s: worst %s down %v unknown %v outages %d, want %s %v %v %d", d.Date.Format(time.DateOnly),
						d.Worst, d.Down, d.Unknown, len(d.Outages), want.Worst, want.Down, want.Unknown, want.Outages)
				}
			}
			// The list the API serves agrees.
			list, err := b.List(ctx)
			if err != nil {
				t.Fatal(err)
			}
			assertUptime(t, tc.name+" in the list", list[0].Uptime, tc.uptime)
		})
	}
}
