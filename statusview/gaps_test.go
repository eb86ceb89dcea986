package statusview_test

import (
	"context"
	"log/slog"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/statusview"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/uptime"
)

type steady struct{ status sources.Status }

func (s *steady) Poll(context.Context) (sources.Observation, error) {
	return sources.Observation{Components: []sources.Component{{ID: "endpoint", Name: "Web", Status: s.status}}}, nil
}

// run is one run of the bot: a runner over the store on an injected clock.
type run struct {
	r   *bot.Runner
	now *time.Time
}

func startBot(t *testing.T, s *store.Store, src *steady, now *time.Time) *run {
	t.Helper()
	targets := []*bot.Target{{Job: bot.Job{Name: "api", Interval: time.Minute}, Type: "http", Timeout: time.Second,
		Source: src, Policy: bot.Policy{Probe: true, FailureThreshold: 1, SuccessThreshold: 1}}}
	r := bot.NewRunner(&bot.Engine{}, s, slog.New(slog.DiscardHandler), bot.NewMetrics(prometheus.NewRegistry()), targets)
	r.Now = func() time.Time { return *now }
	if err := r.Load(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return &run{r: r, now: now}
}

// pollFor polls every minute for d, writing the coverage every ten.
func (b *run) pollFor(t *testing.T, d time.Duration) {
	t.Helper()
	end := b.now.Add(d)
	for i := 0; !b.now.After(end); i++ {
		for _, j := range b.r.Jobs() {
			b.r.Poll(context.Background(), j)
		}
		if i%10 == 0 {
			if err := b.r.FlushCoverage(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		*b.now = b.now.Add(time.Minute)
	}
	*b.now = b.now.Add(-time.Minute)
	// Stopping writes what is left (Cover does it when its context ends).
	if err := b.r.FlushCoverage(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// The bot watches a healthy probe, is stopped for five hours, and comes
// back: those hours are not up and not down. The 24h uptime leaves them
// out, the day shows them as unknown (no data), and nothing is downtime.
func TestGapWhileTheBotWasStopped(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	src := &steady{status: sources.Operational}
	now := hm(0, 6, 0)

	first := startBot(t, s, src, &now)
	first.pollFor(t, 4*time.Hour) // 06:00-10:00
	now = hm(0, 15, 0)            // stopped for five hours
	second := startBot(t, s, src, &now)
	second.pollFor(t, 3*time.Hour) // 15:00-18:00

	b := &statusview.Builder{Title: "Status", Live: second.r, History: s, Now: func() time.Time { return now },
		Shown: []statusview.Shown{{Name: "api", Type: "http"}}}
	tg, ok, err := b.Target(ctx, "api")
	if err != nil || !ok {
		t.Fatalf("target: %v %v", ok, err)
	}
	if tg.Uptime.Day == nil || *tg.Uptime.Day != 1 {
		t.Errorf("24h uptime %v, want 100%% of the seven hours observed", tg.Uptime.Day)
	}
	today := tg.Days[len(tg.Days)-1]
	if today.Worst != sources.Unknown || today.Down != 0 || today.Unknown != 5*time.Hour {
		t.Errorf("today: worst %s, down %v, unknown %v; want unknown (no data) for the 5h gap, nothing down", today.Worst, today.Down, today.Unknown)
	}
	gaps, err := s.Gaps(ctx, "api", hm(0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if want := (uptime.Gap{From: hm(0, 10, 0), To: hm(0, 15, 0)}); len(gaps["api"]) != 1 || gaps["api"][0] != want {
		t.Errorf("gaps %v, want %v", gaps["api"], want)
	}

	// The bot is stopped again from 18:00 to 06:00 the next morning, then
	// the probe is down from 06:01 for an hour. In the last 24h (07:01 to
	// 07:01) the gaps (10:00-15:00, 18:00-06:00) are 17h measured on
	// neither side; of the 7h measured, one was down.
	now = hm(1, 6, 0)
	second.pollFor(t, 0)
	src.status = sources.MajorOutage
	now = now.Add(time.Minute)
	second.pollFor(t, time.Hour)
	tg, _, err = b.Target(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	if want := 6.0 / 7; tg.Uptime.Day == nil || math.Abs(*tg.Uptime.Day-want) > 1e-9 {
		t.Errorf("24h uptime %v, want %v", deref(tg.Uptime.Day), want)
	}
	today = tg.Days[len(tg.Days)-1]
	if today.Worst != sources.MajorOutage || today.Down != time.Hour || today.Unknown != 6*time.Hour {
		t.Errorf("today: worst %s, down %v, unknown %v; want major outage, 1h down, 6h unknown", today.Worst, today.Down, today.Unknown)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
