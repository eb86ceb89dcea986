package chart_test

import (
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/digest/chart"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
)

// A lane with no measured time says so in words, never 100%.
func TestAltTextUnmeasured(t *testing.T) {
	since := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	c := &outage.Chart{Since: since, Until: since.Add(24 * time.Hour), Zone: "UTC", Lanes: []outage.ChartLane{
		{Target: "New", Unmeasured: true},
		{Target: "Old", Uptime: 100},
	}}
	for lang, want := range map[string]string{
		"en": "New no measured time. The other target: 100%.",
		"de": "New keine gemessene Zeit. Das andere Ziel: 100 %.",
	} {
		if got := chart.AltText(c, i18n.For(lang)); !strings.HasSuffix(got, want) {
			t.Errorf("%s: %q, want it to end %q", lang, got, want)
		}
	}
}
