package uptime_test

import (
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
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
			got := uptime.Within(tc.outs, base, base.Add(24*time.Hour), base.Add(10*time.Hour))
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
