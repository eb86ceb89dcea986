package formattest_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
	"github.com/outagebot/outagebot/sources/statuspage"
)

// TestStatuspageMaintenanceLifecycle follows a maintenance the way
// Statuspage really publishes one: announced three days ahead with impact
// "major" (its started_at is the announcement), put in progress by the
// schedule, and completed after it leaves summary.json, so its last words
// are only in scheduled-maintenances.json.
func TestStatuspageMaintenanceLifecycle(t *testing.T) {
	const dir = pkg + "statuspage/testdata/maintenance-major/"
	p := &page{}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	clk := &clock{}
	src := statuspage.New(srv.URL, fetch.New(fetch.Options{}), statuspage.WithNow(clk.now))
	eng := &bot.Engine{NewID: func() string { return "maint-1" }}
	st := &bot.TargetState{Target: "Vendor"}

	poll := func(at string, files map[string]string) []outage.Event {
		t.Helper()
		p.set(files)
		now, _ := time.Parse(time.RFC3339, at)
		clk.set(now)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		obs, err := src.Poll(ctx)
		if err != nil {
			t.Fatalf("poll at %s: %v", at, err)
		}
		return eng.Apply(st, policy, obs, nil, now).Events
	}

	if evs := poll("2024-06-02T12:00:00Z", map[string]string{"/api/v2/summary.json": dir + "scheduled.json"}); len(evs) != 0 {
		t.Fatalf("announced maintenance posted %d events, want none before it starts: %+v", len(evs), evs)
	}

	evs := poll("2024-06-04T09:01:00Z", map[string]string{"/api/v2/summary.json": dir + "summary.json"})
	if len(evs) != 1 || evs[0].Kind != outage.Opened {
		t.Fatalf("in progress: events %s, want [opened]", kinds(evs))
	}
	open := evs[0]
	began := time.Date(2024, 6, 4, 9, 0, 5, 60e6, time.UTC)
	switch {
	case open.Class != outage.MaintenanceWork:
		t.Errorf("opened as class %s, want maintenance", open.Class)
	case open.Severity != sources.Maintenance:
		t.Errorf("opened with severity %s, want maintenance whatever the vendor's impact", open.Severity)
	case !open.OpenedAt.Equal(began):
		t.Errorf("opened at %v, want %v (when work began, not when it was announced)", open.OpenedAt, began)
	}

	evs = poll("2024-06-04T10:32:00Z", map[string]string{
		"/api/v2/summary.json":                dir + "completed.json",
		"/api/v2/scheduled-maintenances.json": dir + "scheduled-maintenances.json",
	})
	if len(evs) == 0 || evs[len(evs)-1].Kind != outage.Resolved {
		t.Fatalf("completed: events %s, want it resolved", kinds(evs))
	}
	var words []string
	for _, ev := range evs {
		words = append(words, ev.Body)
	}
	if got := strings.Join(words, "\n"); !strings.Contains(got, "The scheduled maintenance has been completed") {
		t.Errorf("the restoration lost the vendor's last words; bodies:\n%s", got)
	}
	done := evs[len(evs)-1]
	if d, want := done.Duration(), 91*time.Minute+7*time.Second; d.Round(time.Second) != want {
		t.Errorf("maintenance lasted %v, want %v (from work begun to the vendor's completion)", d, want)
	}
	for _, ev := range evs {
		if ev.Severity != sources.Maintenance {
			t.Errorf("%s event with severity %s, want maintenance", ev.Kind, ev.Severity)
		}
	}
	if len(st.Outages) != 0 {
		t.Errorf("%d outages still open", len(st.Outages))
	}
}
