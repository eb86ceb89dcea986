package notifier_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
)

// The channel's limit counts calls, not deliveries: a reply and the root
// edit after it are two calls. With a burst of two and no refill in the
// test's time, the root's post and the update's reply go out, and the edit
// waits (retried later) instead of slipping through with the reply.
func TestRateLimitCountsCalls(t *testing.T) {
	for _, platform := range []func(*testing.T) *editPlatform{slackPlatform, discordPlatform} {
		p := platform(t)
		t.Run(p.name, func(t *testing.T) {
			e := newEditEnv(t, p)
			r := p.route(e.clk.Now)
			r.Limit, r.Burst = rate.Every(time.Hour), 2
			e.disp = notifier.NewDispatcher(e.st, []notifier.Route{r}, slog.New(slog.DiscardHandler), notifier.Options{Now: e.clk.Now})
			ctx := context.Background()
			e.commit(t, outage.Opened, "Investigating")
			e.disp.Drain(ctx)
			e.clk.Advance(10 * time.Minute)
			e.commit(t, outage.Updated, "Identified")
			e.disp.Drain(ctx)
			if got := p.replyCount(); got != 1 {
				t.Fatalf("%d replies, want the update's", got)
			}
			if calls := p.editCalls(); calls != 0 {
				t.Errorf("%d edit calls beyond a burst of 2 calls", calls)
			}
			if n := e.pendingEdits(t); n != 1 {
				t.Errorf("%d root edits pending, want the one the limit held back", n)
			}
		})
	}
}
