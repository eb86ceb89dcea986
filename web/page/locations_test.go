package page

import (
	"reflect"
	"testing"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/statusview"
)

// Each location reads as words as well as a mark, in both locales.
func TestLocationViews(t *testing.T) {
	for _, tc := range []struct {
		name, locale string
		in           statusview.Location
		want         locationView
	}{
		{"fine with latency", "en", statusview.Location{Name: "eu-west", Status: sources.Operational, Latency: 42*time.Millisecond + 600*time.Microsecond},
			locationView{Name: "eu-west", Mark: "✓", Word: "fine", Class: "ok", Detail: "43 ms"}},
		{"fine under a millisecond", "en", statusview.Location{Name: "eu-west", Status: sources.Operational, Latency: 300 * time.Microsecond},
			locationView{Name: "eu-west", Mark: "✓", Word: "fine", Class: "ok", Detail: "<1 ms"}},
		{"fine without latency", "de", statusview.Location{Name: "eu-west", Status: sources.Degraded},
			locationView{Name: "eu-west", Mark: "✓", Word: "in Ordnung", Class: "ok"}},
		{"failing with an error", "en", statusview.Location{Name: "us-east", Status: sources.MajorOutage, Failing: true, Latency: time.Second, Error: "timeout"},
			locationView{Name: "us-east", Mark: "✗", Word: "failing", Class: "major", Detail: "timeout"}},
		{"failing without an error", "de", statusview.Location{Name: "us-east", Status: sources.Degraded, Failing: true},
			locationView{Name: "us-east", Mark: "✗", Word: "gestört", Class: "major", Detail: "Eingeschränkte Leistung"}},
		{"no result yet", "en", statusview.Location{Name: "ap-south", Status: sources.Unknown},
			locationView{Name: "ap-south", Mark: "?", Word: "Unknown", Class: "unk"}},
		{"left out", "en", statusview.Location{Name: "ap-south", Status: sources.MajorOutage, Failing: true, Excluded: "its own network looks down"},
			locationView{Name: "ap-south", Detail: "(left out: its own network looks down)"}},
		{"left out, in German", "de", statusview.Location{Name: "ap-south", Excluded: "no live replica"},
			locationView{Name: "ap-south", Detail: "(nicht gezählt: no live replica)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := newLocale(tc.locale)
			if err != nil {
				t.Fatal(err)
			}
			got := l.locations([]statusview.Location{tc.in})
			if len(got) != 1 || !reflect.DeepEqual(got[0], tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	l, _ := newLocale("en")
	if got := l.locations(nil); got != nil {
		t.Errorf("a single-location target shows %+v", got)
	}
}
