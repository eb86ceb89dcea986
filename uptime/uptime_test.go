package uptime_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/uptime"
)

var base = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func span(class outage.Class, from, to int) outage.Outage {
	o := outage.Outage{Class: class, OpenedAt: base.Add(time.Duration(from) * time.Hour)}
	if to >= 0 {
		o.ResolvedAt = base.Add(time.Duration(to) * time.Hour)
	}
	return o
}

func TestWithin(t *testing.T) {
	for _, tc := range []struct {
		name string
		outs []outage.Outage
		want uptime.Spent
	}{
		{"nothing", nil, uptime.Spent{}},
		{"overlapping outages count once", []outage.Outage{span(outage.Incident, 1, 3), span(outage.Incident, 2, 4)}, uptime.Spent{Down: 3 * time.Hour}},
		{"nested", []outage.Outage{span(outage.Incident, 1, 5), span(outage.Incident, 2, 3)}, uptime.Spent{Down: 4 * time.Hour}},
		{"apart", []outage.Outage{span(outage.Incident, 1, 2), span(outage.Incident, 3, 4)}, uptime.Spent{Down: 2 * time.Hour}},
		{"open counts until now", []outage.Outage{span(outage.Incident, 8, -1)}, uptime.Spent{Down: 2 * time.Hour}},
		{"maintenance inside down is down", []outage.Outage{span(outage.Incident, 1, 3), span(outage.MaintenanceWork, 2, 5)}, uptime.Spent{Down: 2 * time.Hour, Maintenance: 2 * time.Hour}},
		{"unknown outside both", []outage.Outage{span(outage.Incident, 1, 2), span(outage.MaintenanceWork, 2, 3), span(outage.Unreachable, 0, 4)}, uptime.Spent{Down: time.Hour, Maintenance: time.Hour, Unknown: 2 * time.Hour}},
		{"clipped to the span", []outage.Outage{span(outage.Incident, -5, 1), span(outage.Incident, 9, 30)}, uptime.Spent{Down: 2 * time.Hour}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := uptime.Within(tc.outs, nil, base, base.Add(24*time.Hour), base.Add(10*time.Hour))
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestFraction(t *testing.T) {
	if _, ok := uptime.Fraction(time.Hour, uptime.Spent{Maintenance: time.Hour}); ok {
		t.Error("an hour of maintenance alone has an uptime")
	}
	if f, ok := uptime.Fraction(4*time.Hour, uptime.Spent{Down: time.Hour, Unknown: 2 * time.Hour}); !ok || f != 0.5 {
		t.Errorf("got %v %v, want 0.5 (one of the two measured hours was down)", f, ok)
	}
}

func gap(from, to int) uptime.Gap {
	return uptime.Gap{From: base.Add(time.Duration(from) * time.Hour), To: base.Add(time.Duration(to) * time.Hour)}
}

// Time the bot was not observing is unknown: never down, never up, and an
// outage recorded as open through it counts first, as its duration does.
func TestWithinGaps(t *testing.T) {
	for _, tc := range []struct {
		name string
		outs []outage.Outage
		gaps []uptime.Gap
		want uptime.Spent
	}{
		{"a gap alone is unknown", nil, []uptime.Gap{gap(1, 4)}, uptime.Spent{Unknown: 3 * time.Hour}},
		{"gaps count once", nil, []uptime.Gap{gap(1, 4), gap(3, 5)}, uptime.Spent{Unknown: 4 * time.Hour}},
		{"a gap and an unreachable outage count once", []outage.Outage{span(outage.Unreachable, 2, 6)}, []uptime.Gap{gap(1, 4)}, uptime.Spent{Unknown: 5 * time.Hour}},
		{"an outage open across a gap is down through it", []outage.Outage{span(outage.Incident, 1, 6)}, []uptime.Gap{gap(2, 4)}, uptime.Spent{Down: 5 * time.Hour}},
		{"a gap that outlasts an outage is unknown past it", []outage.Outage{span(outage.Incident, 1, 3)}, []uptime.Gap{gap(2, 5)}, uptime.Spent{Down: 2 * time.Hour, Unknown: 2 * time.Hour}},
		{"maintenance open across a gap stays maintenance", []outage.Outage{span(outage.MaintenanceWork, 0, 5)}, []uptime.Gap{gap(1, 6)}, uptime.Spent{Maintenance: 5 * time.Hour, Unknown: time.Hour}},
		{"clipped to the span", nil, []uptime.Gap{gap(-5, 1), gap(23, 30)}, uptime.Spent{Unknown: time.Hour}},
		{"nothing after now", nil, []uptime.Gap{gap(9, 12)}, uptime.Spent{Unknown: time.Hour}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := uptime.Within(tc.outs, tc.gaps, base, base.Add(24*time.Hour), base.Add(10*time.Hour))
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// A day the bot missed in part or whole has a row, coloured unknown
// unless an outage colours it, and its gap time is never down.
func TestDaysWithGaps(t *testing.T) {
	now := base.Add(3 * 24 * time.Hour)
	for _, tc := range []struct {
		name string
		outs []outage.Outage
		gaps []uptime.Gap
		want []uptime.Day
	}{
		{"a gap inside a day", nil, []uptime.Gap{gap(2, 5)},
			[]uptime.Day{{Date: base, Worst: sources.Unknown, Unknown: 3 * time.Hour}}},
		{"a gap across days", nil, []uptime.Gap{gap(20, 50)},
			[]uptime.Day{
				{Date: base, Worst: sources.Unknown, Unknown: 4 * time.Hour},
				{Date: base.Add(24 * time.Hour), Worst: sources.Unknown, Unknown: 24 * time.Hour},
				{Date: base.Add(48 * time.Hour), Worst: sources.Unknown, Unknown: 2 * time.Hour},
			}},
		{"a gap while an outage was open", []outage.Outage{span(outage.Incident, 1, 8)}, []uptime.Gap{gap(2, 10)},
			[]uptime.Day{{Date: base, Worst: sources.Degraded, Down: 7 * time.Hour, Unknown: 2 * time.Hour,
				Outages: []uptime.DayOutage{{Class: outage.Incident, Duration: 7 * time.Hour}}}}},
		{"no gap, no outage, no row", nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := uptime.Days("api", tc.outs, tc.gaps, base, now, now)
			for i := range tc.want {
				tc.want[i].Target = "api"
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// Since leaves out what the bot did not observe: the hours a vendor dated
// an incident before the bot first saw the target, and incidents over by
// then.
func TestSince(t *testing.T) {
	seen := base.Add(10 * time.Hour)
	at := func(h int) time.Time { return base.Add(time.Duration(h) * time.Hour) }
	for _, tc := range []struct {
		name      string
		outs      []outage.Outage
		firstSeen time.Time
		want      []outage.Outage
	}{
		{"nothing", nil, seen, nil},
		{"all after first seen", []outage.Outage{span(outage.Incident, 11, 12)}, seen, []outage.Outage{span(outage.Incident, 11, 12)}},
		{"backdated, resolved after", []outage.Outage{span(outage.Incident, 6, 11)}, seen, []outage.Outage{{Class: outage.Incident, OpenedAt: at(10), ResolvedAt: at(11)}}},
		{"backdated, still open", []outage.Outage{span(outage.Incident, 6, -1)}, seen, []outage.Outage{{Class: outage.Incident, OpenedAt: at(10)}}},
		{"over before first seen", []outage.Outage{span(outage.Incident, 6, 10), span(outage.MaintenanceWork, 12, 13)}, seen, []outage.Outage{span(outage.MaintenanceWork, 12, 13)}},
		{"no first seen clips nothing", []outage.Outage{span(outage.Incident, 6, 11)}, time.Time{}, []outage.Outage{span(outage.Incident, 6, 11)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]outage.Outage(nil), tc.outs...)
			got := uptime.Since(tc.outs, tc.firstSeen)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
			if !reflect.DeepEqual(tc.outs, in) {
				t.Errorf("the outages given were changed: %+v", tc.outs)
			}
		})
	}
}
