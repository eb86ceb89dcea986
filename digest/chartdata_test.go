package digest

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/outagebot/outagebot/bot"
	goldenfile "github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// The chart's data for the sample day: lanes worst first, outages clipped
// to the window, maintenance and the unreadable feed as bars of their own
// (the one still unreadable runs to the digest's time), uptime as the
// text digest says it.
func TestChartData(t *testing.T) {
	v, h := sample()
	d, err := Build(context.Background(), Inputs{View: v, History: h}, 24*time.Hour, at, nil)
	if err != nil {
		t.Fatal(err)
	}
	goldenfile.JSON(t, "sample-chart", d.Chart(), false, *update)
}

// Beyond MaxChartLanes targets the quietest are counted, not drawn.
func TestChartDataCapsLanes(t *testing.T) {
	v := &view{}
	var h history
	for i := range outage.MaxChartLanes + 7 {
		name := fmt.Sprintf("T%02d", i)
		v.snaps = append(v.snaps, bot.Snapshot{Name: name, Status: sources.Operational})
		if i%10 == 9 {
			h.outs = append(h.outs, out(name, "Down", outage.Incident, "2026-03-02T07:00:00Z", "2026-03-02T07:00:00Z"))
			h.outs[len(h.outs)-1].ResolvedAt = at.Add(-time.Duration(i) * time.Minute)
		}
	}
	d, err := Build(context.Background(), Inputs{View: v, History: h}, 24*time.Hour, at, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := d.Chart()
	if len(c.Lanes) != outage.MaxChartLanes || c.More != 7 || c.MoreDown != 0 {
		t.Fatalf("%d lanes, %d more (%d down)", len(c.Lanes), c.More, c.MoreDown)
	}
	for i, want := range []string{"T09", "T19", "T00"} {
		if c.Lanes[i].Target != want {
			t.Errorf("lane %d is %s, want %s", i, c.Lanes[i].Target, want)
		}
	}
	if (Digest{}).Chart() != nil {
		t.Error("a digest of no targets has a chart")
	}
}

// A job with Chart carries the chart's data in its event, through the
// store; one without does not.
func TestSchedulerChart(t *testing.T) {
	for _, want := range []bool{true, false} {
		t.Run(fmt.Sprint(want), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
				defer st.Close()
				j := job(t, "0 9 * * *", 24*time.Hour)
				j.Chart = want
				run(t, st, quietInputs(st), []Job{j}, utc("2026-03-02T08:00:00Z"), 2*time.Hour, nil)
				items, err := st.Due(context.Background(), dest, time.Now().Add(100*365*24*time.Hour), 10)
				if err != nil || len(items) != 1 {
					t.Fatalf("%d items, err %v", len(items), err)
				}
				c := items[0].Event.Chart
				if (c != nil) != want {
					t.Fatalf("chart %+v, want one: %v", c, want)
				}
				// The store never saw GitHub: no time of it was measured.
				if want && (len(c.Lanes) != 1 || c.Lanes[0].Target != "GitHub" || !c.Lanes[0].Unmeasured || c.Zone != "UTC") {
					t.Errorf("chart %+v", c)
				}
			})
		})
	}
}
