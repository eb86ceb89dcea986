package discord

import (
	"fmt"
	"testing"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

func TestRenderGroupGolden(t *testing.T) {
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	sev := []sources.Status{sources.Degraded, sources.MajorOutage, sources.PartialOutage}
	for _, lang := range langs {
		for _, n := range []int{3, 50, 200} {
			name := goldenName(fmt.Sprintf("group-%d-outages", n), lang)
			t.Run(name, func(t *testing.T) {
				evs := make([]outage.Event, n)
				for i := range evs {
					o := outage.Outage{ID: fmt.Sprintf("o-%d", i), Target: fmt.Sprintf("Probe %03d", i+1), Class: outage.Incident,
						Title: "Connection refused", Severity: sev[i%3], OpenedAt: at.Add(time.Duration(i) * time.Second)}
					evs[i] = o.Event(outage.Opened, o.OpenedAt, "")
				}
				m := RenderGroup(i18n.For(lang), evs)
				checkDigestLimits(t, m.Embeds)
				checkGolden(t, name, m)
			})
		}
	}
}

// checkGolden compares v, as JSON the way the platform receives it, with
// testdata/name.golden (go test -update rewrites it).
func checkGolden(t *testing.T, name string, v any) {
	t.Helper()
	golden.JSON(t, name, v, false, *update)
}
