package bot

import (
	"strings"
	"testing"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// A health outage's title and body never say the same thing: a single
// component and its status are in the title, so the body does not name
// them; several are counted in the title and named in the body.
func TestHealthWordsSayEachThingOnce(t *testing.T) {
	one := []outage.ComponentState{{Name: "API", Status: sources.Degraded}}
	two := []outage.ComponentState{{Name: "API", Status: sources.PartialOutage}, {Name: "Chat", Status: sources.Degraded}}
	for _, tc := range []struct {
		comps     []outage.ComponentState
		changed   bool
		title     string
		body      string
		bodyNames bool
	}{
		{one, false, "Degraded performance on API", "The status page shows this, with no incident posted yet.", false},
		{one, true, "Degraded performance on API", "The status page now shows this, still with no incident posted.", false},
		{two, false, "2 components: partial outage", "The status page shows API partial outage, Chat degraded performance, with no incident posted yet.", true},
		{two, true, "2 components: partial outage", "The status page now shows API partial outage, Chat degraded performance.", true},
	} {
		title, body := healthTitle(tc.comps).en, healthBody(tc.comps, tc.changed).en
		if title != tc.title || body != tc.body {
			t.Errorf("%v changed=%v:\n got %q / %q\nwant %q / %q", tc.comps, tc.changed, title, body, tc.title, tc.body)
		}
		if names := strings.Contains(body, "API"); names != tc.bodyNames {
			t.Errorf("%q: names the component: %v, want %v", body, names, tc.bodyNames)
		}
	}
	for sev, want := range map[sources.Status]string{sources.Degraded: "Slow", sources.MajorOutage: "Down", sources.PartialOutage: "Down"} {
		if got := probeTitle(sev).en; got != want {
			t.Errorf("probeTitle(%s) = %q, want %q", sev, got, want)
		}
	}
}
