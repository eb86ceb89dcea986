package statusview_test

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/digest"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/statusview"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/uptime"
)

// agreeCase is one target's stored history and live state.
type agreeCase struct {
	name string
	// setup writes the history and returns the live snapshot and the open
	// outages; the view is at now.
	setup func(t *testing.T, s *store.Store) (bot.Snapshot, []outage.Outage)
	now   time.Time
}

func incident(id string, from, to time.Time) outage.Outage {
	return outage.Outage{ID: id, Target: "api", Class: outage.Incident, Title: "Down", Severity: sources.MajorOutage, OpenedAt: from, ResolvedAt: to}
}

func cover(t *testing.T, s *store.Store, from, to time.Time) {
	t.Helper()
	if err := s.Cover(context.Background(), []store.Coverage{{Target: "api", From: from, To: to, Grace: 3 * time.Minute}}, to); err != nil {
		t.Fatal(err)
	}
}

func readNow(now time.Time) bot.Snapshot {
	return bot.Snapshot{Name: "api", Status: sources.Operational, Reachable: true, CheckedAt: now, ReadAt: now}
}

var agreeCases = []agreeCase{
	{name: "maintenance window", now: hm(40, 10, 0), setup: func(t *testing.T, s *store.Store) (bot.Snapshot, []outage.Outage) {
		commit(t, s, "api", hm(0, 0, 0))
		commit(t, s, "api", hm(38, 5, 0), incident("i1", hm(38, 4, 0), hm(38, 5, 0)))
		m := incident("m1", hm(39, 1, 0), time.Time{})
		m.Class, m.Severity = outage.MaintenanceWork, sources.Maintenance
		commit(t, s, "api", hm(39, 1, 0), m)
		// Down during maintenance: down, not maintenance.
		commit(t, s, "api", hm(39, 3, 30), incident("i2", hm(39, 3, 0), hm(39, 3, 30)))
		m.ResolvedAt = hm(39, 4, 0)
		commit(t, s, "api", hm(39, 4, 0), m)
		return readNow(hm(40, 10, 0)), nil
	}},
	{name: "feed unreachable", now: hm(40, 10, 0), setup: func(t *testing.T, s *store.Store) (bot.Snapshot, []outage.Outage) {
		commit(t, s, "api", hm(0, 0, 0))
		u := incident("u1", hm(39, 20, 0), hm(39, 22, 0))
		u.Class, u.Severity = outage.Unreachable, sources.Unknown
		commit(t, s, "api", hm(39, 22, 0), u)
		commit(t, s, "api", hm(40, 2, 0), incident("i1", hm(40, 1, 30), hm(40, 2, 0)))
		return readNow(hm(40, 10, 0)), nil
	}},
	{name: "unreadable now", now: hm(40, 10, 0), setup: func(t *testing.T, s *store.Store) (bot.Snapshot, []outage.Outage) {
		commit(t, s, "api", hm(0, 0, 0))
		commit(t, s, "api", hm(40, 2, 0), incident("i1", hm(40, 1, 30), hm(40, 2, 0)))
		// Not read since 08:00; no unreachable outage stored yet.
		return bot.Snapshot{Name: "api", Status: sources.Unknown, CheckedAt: hm(40, 10, 0), ReadAt: hm(40, 8, 0), UnreachableSince: hm(40, 8, 1)}, nil
	}},
	{name: "gap in coverage", now: hm(40, 10, 0), setup: func(t *testing.T, s *store.Store) (bot.Snapshot, []outage.Outage) {
		commit(t, s, "api", hm(0, 0, 0))
		cover(t, s, hm(0, 0, 0), hm(39, 18, 0))
		cover(t, s, hm(40, 0, 0), hm(40, 10, 0)) // not observing 18:00-00:00
		commit(t, s, "api", hm(40, 3, 0), incident("i1", hm(40, 2, 0), hm(40, 3, 0)))
		return readNow(hm(40, 10, 0)), nil
	}},
	{name: "first seen mid-window", now: hm(40, 10, 0), setup: func(t *testing.T, s *store.Store) (bot.Snapshot, []outage.Outage) {
		commit(t, s, "api", hm(38, 12, 0))
		commit(t, s, "api", hm(39, 1, 0), incident("i1", hm(39, 0, 0), hm(39, 1, 0)))
		return readNow(hm(40, 10, 0)), nil
	}},
	{name: "backdated incident on the first day", now: hm(40, 10, 0), setup: func(t *testing.T, s *store.Store) (bot.Snapshot, []outage.Outage) {
		// The vendor dates the incident 06:00; the bot first saw the page
		// at 10:00: only the hour from 10:00 to 11:00 was observed down.
		i := incident("i1", hm(39, 6, 0), time.Time{})
		commit(t, s, "api", hm(39, 10, 0), i)
		i.ResolvedAt = hm(39, 11, 0)
		commit(t, s, "api", hm(39, 11, 0), i)
		return readNow(hm(40, 10, 0)), nil
	}},
	{name: "backdated into the day before, still open", now: hm(40, 10, 0), setup: func(t *testing.T, s *store.Store) (bot.Snapshot, []outage.Outage) {
		open := incident("i1", hm(39, 20, 0), time.Time{})
		commit(t, s, "api", hm(40, 2, 0), open)
		snap := readNow(hm(40, 10, 0))
		snap.Status = sources.MajorOutage
		return snap, []outage.Outage{open}
	}},
	{name: "first seen moments ago", now: hm(40, 10, 0), setup: func(t *testing.T, s *store.Store) (bot.Snapshot, []outage.Outage) {
		commit(t, s, "api", hm(40, 9, 0))
		return readNow(hm(40, 10, 0)), nil
	}},
	{name: "never seen", now: hm(40, 10, 0), setup: func(t *testing.T, s *store.Store) (bot.Snapshot, []outage.Outage) {
		return bot.Snapshot{Name: "api", Status: sources.Unknown}, nil
	}},
	{name: "outage open across midnight", now: hm(40, 1, 0), setup: func(t *testing.T, s *store.Store) (bot.Snapshot, []outage.Outage) {
		commit(t, s, "api", hm(0, 0, 0))
		commit(t, s, "api", hm(38, 1, 0), incident("i1", hm(37, 23, 0), hm(38, 1, 0)))
		open := incident("i2", hm(39, 23, 0), time.Time{})
		commit(t, s, "api", hm(39, 23, 0), open)
		snap := readNow(hm(40, 1, 0))
		snap.Status = sources.MajorOutage
		return snap, []outage.Outage{open}
	}},
}

// The chat's uptime command and the digests show what the status page
// shows for the same target at the same moment: one rule, whatever the
// maintenance, unknown time, gaps in observation, first-seen or open
// outages.
func TestChatAndDigestAgreeWithThePage(t *testing.T) {
	ctx := context.Background()
	en := i18n.For("en")
	for _, tc := range agreeCases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := store.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			snap, open := tc.setup(t, s)
			now := func() time.Time { return tc.now }
			view := &live{snaps: []bot.Snapshot{snap}, open: open}
			page := &statusview.Builder{Title: "Status", Live: view, History: s, Now: now, Shown: []statusview.Shown{{Name: "api", Type: "http"}}}
			tg, ok, err := page.Target(ctx, "api")
			if err != nil || !ok {
				t.Fatalf("page: %v %v", ok, err)
			}
			chat := &bot.Commands{View: view, History: s, Now: now}
			for _, w := range []struct {
				typed string
				page  *float64
				win   uptime.Window
			}{
				{"24h", tg.Uptime.Day, uptime.Last24h},
				{"7d", tg.Uptime.Week, uptime.Last7d},
				{"30d", tg.Uptime.Month, uptime.Last30d},
				{"90d", tg.Uptime.Quarter, uptime.Last90d},
			} {
				if got := uptime.WindowOf(mustWindow(t, w.typed)); got != w.win {
					t.Errorf("%s reads as %+v, want the page's %+v", w.typed, got, w.win)
				}
				want := "*api*: no measured time"
				if w.page != nil {
					want = "*api*: " + en.Share(100**w.page)
				}
				line := chat.Run(ctx, bot.Request{Text: "uptime api " + w.typed}).Sections[0].Lines[0]
				t.Logf("%s: %s", w.typed, line)
				if !strings.HasPrefix(line, want) {
					t.Errorf("%s: chat says %q, the page %q", w.typed, line, want)
				}
				m, err := bot.Uptimes(ctx, s, []bot.Snapshot{snap}, w.win, tc.now)
				if err != nil {
					t.Fatal(err)
				}
				if !same(m[0], w.page) {
					t.Errorf("%s: measured %+v, the page %v", w.typed, m[0], deref(w.page))
				}
			}
			d, err := digest.Build(ctx, digest.Inputs{View: view, History: s}, 24*time.Hour, tc.now, nil)
			if err != nil {
				t.Fatal(err)
			}
			u := d.Uptime[0]
			if tg.Uptime.Day == nil {
				if !u.Unmeasured {
					t.Errorf("digest: %v%%, the page: no measured time", u.Percent)
				}
			} else if u.Unmeasured || math.Abs(u.Percent-100**tg.Uptime.Day) > 1e-9 {
				t.Errorf("digest: %v%% (unmeasured %v), the page %v%%", u.Percent, u.Unmeasured, 100**tg.Uptime.Day)
			}
		})
	}
}

func same(m uptime.Measure, page *float64) bool {
	if page == nil {
		return !m.OK
	}
	return m.OK && math.Abs(m.Up-*page) < 1e-12
}

func mustWindow(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := bot.ParseWindow(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
