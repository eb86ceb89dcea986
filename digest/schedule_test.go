package digest

import (
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/outagebot/outagebot/config"
)

func mustSchedule(t *testing.T, spec string) cron.Schedule {
	t.Helper()
	s, err := config.ParseSchedule(spec)
	if err != nil {
		t.Fatalf("%s: %v", spec, err)
	}
	return WallClock(s)
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// Due times across time zones and daylight-saving changes, checked by hand
// against the zones' rules: Europe/Berlin changes on 2026-03-29 (02:00 CET
// -> 03:00 CEST) and 2026-10-25 (03:00 CEST -> 02:00 CET);
// America/New_York on 2026-03-08 (02:00 EST -> 03:00 EDT) and 2026-11-01
// (02:00 EDT -> 01:00 EST).
func TestScheduleNext(t *testing.T) {
	cases := []struct {
		name, spec, from string
		want             []string
	}{
		{"weekdays at 09:00 in Berlin skip the weekend", "CRON_TZ=Europe/Berlin 0 9 * * MON-FRI", "2026-03-06T10:00:00Z",
			[]string{"2026-03-09T08:00:00Z", "2026-03-10T08:00:00Z"}},
		{"09:00 Berlin moves an hour earlier in UTC with summer time", "CRON_TZ=Europe/Berlin 0 9 * * *", "2026-03-27T12:00:00Z",
			[]string{"2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z", "2026-03-30T07:00:00Z"}},
		{"09:00 New York", "CRON_TZ=America/New_York 0 9 * * *", "2026-03-06T20:00:00Z",
			[]string{"2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z", "2026-03-09T13:00:00Z"}},
		{"02:30 Berlin on the spring-forward day runs at 03:00 CEST", "CRON_TZ=Europe/Berlin 30 2 * * *", "2026-03-27T12:00:00Z",
			[]string{"2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"}},
		{"02:30 New York on the spring-forward day runs at 03:00 EDT", "CRON_TZ=America/New_York 30 2 * * *", "2026-03-07T00:00:00Z",
			[]string{"2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"}},
		{"02:30 Berlin on the fall-back day runs once", "CRON_TZ=Europe/Berlin 30 2 * * *", "2026-10-23T12:00:00Z",
			[]string{"2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}},
		{"01:30 New York on the fall-back day runs once", "CRON_TZ=America/New_York 30 1 * * *", "2026-10-31T12:00:00Z",
			[]string{"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"}},
		{"hourly follows real time through a skipped hour", "CRON_TZ=Europe/Berlin 30 * * * *", "2026-03-29T00:00:00Z",
			[]string{"2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z", "2026-03-29T02:30:00Z"}},
		{"@daily in Berlin across the change", "CRON_TZ=Europe/Berlin @daily", "2026-03-28T12:00:00Z",
			[]string{"2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"}},
		{"a run just after a skipped one is not moved", "CRON_TZ=Europe/Berlin 0 3 * * *", "2026-03-28T12:00:00Z",
			[]string{"2026-03-29T01:00:00Z", "2026-03-30T01:00:00Z"}},
		{"@every counts from the time given", "@every 90m", "2026-03-29T00:10:00Z",
			[]string{"2026-03-29T01:40:00Z", "2026-03-29T03:10:00Z"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := mustSchedule(t, c.spec)
			at := utc(c.from)
			for i, w := range c.want {
				at = s.Next(at)
				if !at.Equal(utc(w)) {
					t.Fatalf("run %d: %s, want %s", i+1, at.UTC().Format(time.RFC3339), w)
				}
			}
		})
	}
}

// TestUpstreamDropsSkippedRun documents robfig/cron #541, which WallClock
// works around: without it, 02:30 on the spring-forward day never comes.
// If this fails, upstream changed and WallClock may be simpler.
func TestUpstreamDropsSkippedRun(t *testing.T) {
	raw, err := config.ParseSchedule("CRON_TZ=Europe/Berlin 30 2 * * *")
	if err != nil {
		t.Fatal(err)
	}
	if got := raw.Next(utc("2026-03-28T01:30:00Z")); !got.Equal(utc("2026-03-30T00:30:00Z")) {
		t.Errorf("robfig/cron now runs %s after the 28th's run", got.UTC())
	}
	if got := raw.Next(utc("2026-10-25T00:30:00Z")); !got.Equal(utc("2026-10-25T01:30:00Z")) {
		t.Errorf("robfig/cron no longer repeats 02:30 on the fall-back day: %s", got.UTC())
	}
}

// Last is the window maths of catch-up: the latest due time within
// (now-window, now].
func TestLast(t *testing.T) {
	weekdays := "CRON_TZ=Europe/Berlin 0 9 * * MON-FRI"
	cases := []struct {
		name, spec, now string
		window          time.Duration
		want            string // "" for none
	}{
		{"this morning's run", weekdays, "2026-03-09T08:30:00Z", 24 * time.Hour, "2026-03-09T08:00:00Z"},
		{"Friday's run is more than a window old on Monday morning", weekdays, "2026-03-09T07:30:00Z", 24 * time.Hour, ""},
		{"a three-day window reaches back to Friday", weekdays, "2026-03-09T07:30:00Z", 72 * time.Hour, "2026-03-06T08:00:00Z"},
		{"a run due right now counts", weekdays, "2026-03-10T08:00:00Z", 24 * time.Hour, "2026-03-10T08:00:00Z"},
		{"a run a second less than a window old counts", weekdays, "2026-03-10T07:59:59Z", 24 * time.Hour, "2026-03-09T08:00:00Z"},
		{"a run exactly a window old does not", weekdays, "2026-03-10T07:59:59Z", 24*time.Hour - time.Second, ""},
		{"every minute over a week", "* * * * *", "2026-03-10T12:34:56Z", 7 * 24 * time.Hour, "2026-03-10T12:34:00Z"},
		{"the run moved out of the skipped hour", "CRON_TZ=Europe/Berlin 30 2 * * *", "2026-03-29T01:10:00Z", 24 * time.Hour, "2026-03-29T01:00:00Z"},
		{"@every has no fixed times", "@every 1h", "2026-03-10T12:00:00Z", 24 * time.Hour, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Last(mustSchedule(t, c.spec), utc(c.now), c.window)
			if c.want == "" {
				if !got.IsZero() {
					t.Errorf("Last = %s, want none", got.UTC())
				}
				return
			}
			if !got.Equal(utc(c.want)) {
				t.Errorf("Last = %s, want %s", got.UTC(), c.want)
			}
		})
	}
}
