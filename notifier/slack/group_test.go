package slack

import (
	"fmt"
	"testing"
	"time"

	"github.com/outagebot/outagebot/i18n"
	goldenfile "github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// groupEvents are n outages opened within a minute, of mixed severity.
func groupEvents(n int) []outage.Event {
	sev := []sources.Status{sources.Degraded, sources.MajorOutage, sources.PartialOutage}
	evs := make([]outage.Event, n)
	for i := range evs {
		o := outage.Outage{ID: fmt.Sprintf("o-%d", i), Target: fmt.Sprintf("Probe %03d", i+1), Class: outage.Incident,
			Title: "Connection refused & <timeouts>", Severity: sev[i%3], OpenedAt: t0.Add(time.Duration(i) * time.Second)}
		evs[i] = o.Event(outage.Opened, o.OpenedAt, "")
	}
	return evs
}

func TestRenderGroupGolden(t *testing.T) {
	inEveryLanguage(t, func(t *testing.T, p *i18n.Printer) {
		for _, n := range []int{3, 50} {
			name := fmt.Sprintf("group-%d-outages", n)
			t.Run(name, func(t *testing.T) {
				m := RenderGroup(p, groupEvents(n))
				checkLimits(t, name, m)
				checkGolden(t, goldenName(p, name), m)
			})
		}
		ev := event(outage.Resolved, outage.Incident, 72*time.Minute)
		reply := namedReply(ev, RenderReply(p, ev))
		checkLimits(t, "named reply", reply)
		checkGolden(t, goldenName(p, "group-reply"), reply)
	})
}

// checkGolden compares v, as JSON the way the platform receives it, with
// testdata/name.golden (go test -update rewrites it).
func checkGolden(t *testing.T, name string, v any) {
	t.Helper()
	goldenfile.JSON(t, name, v, true, *update)
}
