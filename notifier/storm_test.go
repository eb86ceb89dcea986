package notifier_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/internal/fakeslack"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/discord"
	"github.com/outagebot/outagebot/notifier/slack"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

const (
	stormSlackChannel   = "C0000000001"
	stormDiscordChannel = "112233445566778899"
)

// stormEnv is a store and a dispatcher with storm control, delivering to
// the real Slack and Discord notifiers against the local fakes.
type stormEnv struct {
	st    *store.Store
	disp  *notifier.Dispatcher
	slack *fakeslack.Server
	disc  *fakediscord.Server
	clk   *clock
}

func newStormEnv(t *testing.T, threshold int, discordThreads bool) *stormEnv {
	t.Helper()
	e := &stormEnv{st: openStore(t), slack: fakeslack.New(), disc: fakediscord.New(), clk: &clock{t: t0}}
	t.Cleanup(e.slack.Close)
	t.Cleanup(e.disc.Close)
	e.slack.AddChannel(stormSlackChannel)
	e.disc.AddChannel(stormDiscordChannel)
	dn, err := discord.New(discord.Options{Token: "discord-token", APIURL: e.disc.URL(), Threads: discordThreads})
	if err != nil {
		t.Fatal(err)
	}
	storm := notifier.Storm{Threshold: threshold, Window: 2 * time.Minute}
	e.disp = notifier.NewDispatcher(e.st, []notifier.Route{
		{Destination: notifier.Destination{Channel: "ops", Platform: "slack", Address: stormSlackChannel},
			Notifier: slack.New(slack.Options{Token: "xoxb-test", APIURL: e.slack.URL(), HTTPClient: e.slack.Client()}), Storm: storm},
		{Destination: notifier.Destination{Channel: "ops", Platform: "discord", Address: stormDiscordChannel}, Notifier: dn, Storm: storm},
	}, slog.New(slog.DiscardHandler), notifier.Options{Now: e.clk.Now, BaseBackoff: time.Millisecond})
	return e
}

var stormDests = []string{"ops/slack", "ops/discord"}

// open queues the opening of one outage per target, at the clock's time.
func (e *stormEnv) open(t *testing.T, targets ...string) []outage.Outage {
	t.Helper()
	var outs []outage.Outage
	for _, name := range targets {
		o := outage.Outage{ID: "o-" + name, Target: name, Key: name, Class: outage.Incident, Title: name + " is failing",
			Severity: sources.MajorOutage, OpenedAt: e.clk.Now()}
		ev := o.Event(outage.Opened, e.clk.Now(), "HTTP 503")
		if _, err := e.st.Commit(context.Background(), store.Commit{Target: name, State: []byte(`{}`), Outages: []outage.Outage{o}, Events: []outage.Event{ev}, Dests: stormDests, At: e.clk.Now()}); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, o)
	}
	return outs
}

func (e *stormEnv) resolve(t *testing.T, o outage.Outage) {
	t.Helper()
	o.ResolvedAt = e.clk.Now()
	o.Severity = sources.Operational
	ev := o.Event(outage.Resolved, e.clk.Now(), "back")
	ev.Seq = 2
	if _, err := e.st.Commit(context.Background(), store.Commit{Target: o.Target, State: []byte(`{}`), Outages: []outage.Outage{o}, Events: []outage.Event{ev}, Dests: stormDests, At: e.clk.Now()}); err != nil {
		t.Fatal(err)
	}
}

func names(n int, prefix string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d", prefix, i+1)
	}
	return out
}

func TestStormIsOneMessageWithThreadedUpdates(t *testing.T) {
	for _, threads := range []bool{false, true} {
		t.Run(fmt.Sprintf("discord_threads=%v", threads), func(t *testing.T) {
			e := newStormEnv(t, 5, threads)
			ctx := context.Background()
			outs := e.open(t, names(8, "probe-")...)
			e.disp.Drain(ctx)

			sm := e.slack.Messages(stormSlackChannel)
			if len(sm) != 1 || !strings.Contains(string(sm[0].Blocks), "8 outages at once") {
				t.Fatalf("slack: %d top-level messages, want one grouped message: %+v", len(sm), sm)
			}
			for _, n := range names(8, "probe-") {
				if !strings.Contains(string(sm[0].Blocks), n) {
					t.Errorf("slack: the grouped message does not list %s", n)
				}
			}
			dm := e.disc.Messages(stormDiscordChannel)
			if len(dm) != 1 || len(dm[0].Embeds) != 1 || dm[0].Embeds[0].Title != "8 outages at once" {
				t.Fatalf("discord: %d messages, want one grouped message: %+v", len(dm), dm)
			}

			// Two restorations: each replies under the grouped message, named,
			// and the grouped message is left as it was.
			e.clk.Advance(10 * time.Minute)
			e.resolve(t, outs[2])
			e.resolve(t, outs[5])
			e.disp.Drain(ctx)

			sm = e.slack.Messages(stormSlackChannel)
			if len(sm) != 1 || len(sm[0].Replies) != 2 {
				t.Fatalf("slack: %d top-level messages and %d replies, want 1 and 2", len(sm), len(sm[0].Replies))
			}
			for i, o := range []outage.Outage{outs[2], outs[5]} {
				if r := sm[0].Replies[i]; !strings.Contains(string(r.Blocks), "*"+o.Target+"*") || !strings.Contains(r.Text, "Restored after 10m") {
					t.Errorf("slack reply %d does not name %s and its restoration: %s %s", i, o.Target, r.Text, r.Blocks)
				}
			}
			if len(sm[0].Edits) != 0 || len(e.slack.Calls("chat.update")) != 0 {
				t.Errorf("slack: the grouped message was edited %d times", len(sm[0].Edits))
			}

			root := dm[0]
			var replies []fakediscord.Message
			if threads {
				replies = e.disc.Messages(root.ID) // a thread started from the root has its id
			} else {
				for _, m := range e.disc.Messages(stormDiscordChannel) {
					if m.Reference != nil && m.Reference.MessageID == root.ID {
						replies = append(replies, m)
					}
				}
			}
			if len(replies) != 2 || !strings.HasPrefix(replies[0].Content, "**"+outs[2].Target+"**: Restored after 10m") ||
				!strings.HasPrefix(replies[1].Content, "**"+outs[5].Target+"**: Restored after 10m") {
				t.Errorf("discord replies under the grouped message: %+v", replies)
			}
			if got, _ := e.disc.Message(root.ID); len(got.Edits) != 0 {
				t.Errorf("discord: the grouped message was edited %d times", len(got.Edits))
			}
		})
	}
}

func TestNoStormBelowTheThreshold(t *testing.T) {
	e := newStormEnv(t, 5, false)
	ctx := context.Background()
	e.open(t, names(5, "a-")...) // five at once is not more than five
	e.disp.Drain(ctx)
	if n := len(e.slack.Messages(stormSlackChannel)); n != 5 {
		t.Errorf("slack: %d messages, want a root each", n)
	}

	// Outside the window they count afresh: another five are not a storm.
	e.clk.Advance(3 * time.Minute)
	e.open(t, names(5, "b-")...)
	e.disp.Drain(ctx)
	if n := len(e.slack.Messages(stormSlackChannel)); n != 10 {
		t.Errorf("slack: %d messages, want a root each", n)
	}

	// Within the window of those, two more make seven: the two are grouped.
	e.clk.Advance(time.Minute)
	e.open(t, names(2, "c-")...)
	e.disp.Drain(ctx)
	sm := e.slack.Messages(stormSlackChannel)
	if len(sm) != 11 || !strings.Contains(string(sm[10].Blocks), "2 outages at once") {
		t.Errorf("slack: %d messages, the last %s; want the two late ones grouped", len(sm), sm[len(sm)-1].Blocks)
	}
	if n := len(e.disc.Messages(stormDiscordChannel)); n != 11 {
		t.Errorf("discord: %d messages, want 11", n)
	}

	// A new storm: seven grouped. A minute later three more: with the seven
	// they are more than five, so they are grouped too.
	e.clk.Advance(3 * time.Minute)
	e.open(t, names(7, "d-")...)
	e.disp.Drain(ctx)
	e.clk.Advance(time.Minute)
	e.open(t, names(3, "e-")...)
	e.disp.Drain(ctx)
	sm = e.slack.Messages(stormSlackChannel)
	if len(sm) != 13 || !strings.Contains(string(sm[11].Blocks), "7 outages at once") || !strings.Contains(string(sm[12].Blocks), "3 outages at once") {
		t.Errorf("slack: %d messages, the last %s; want the storm's later three grouped", len(sm), sm[len(sm)-1].Blocks)
	}
}

func TestStormOffWithZeroThreshold(t *testing.T) {
	e := newStormEnv(t, 0, false)
	e.open(t, names(12, "p-")...)
	e.disp.Drain(context.Background())
	if n := len(e.slack.Messages(stormSlackChannel)); n != 12 {
		t.Errorf("slack: %d messages, want a root each", n)
	}
}

// A grouped message whose answer was lost is found again on the retry, not
// posted twice, and still becomes every outage's root.
func TestStormLostAnswerPostsOnce(t *testing.T) {
	e := newStormEnv(t, 5, false)
	ctx := context.Background()
	outs := e.open(t, names(7, "p-")...)
	e.slack.DropNext("chat.postMessage", 1)
	e.disc.DropNext(fakediscord.RouteCreateMessage, 1)
	e.disp.Drain(ctx)
	e.clk.Advance(time.Minute)
	e.disp.Drain(ctx)
	e.resolve(t, outs[0])
	e.disp.Drain(ctx)
	sm := e.slack.Messages(stormSlackChannel)
	if len(sm) != 1 || len(sm[0].Replies) != 1 {
		t.Fatalf("slack: %d messages (want 1 grouped), replies %v", len(sm), sm)
	}
	if n := len(e.slack.Calls("conversations.history")); n != 1 {
		t.Errorf("slack: %d history look-ups, want the retry to look once", n)
	}
	var top int
	for _, m := range e.disc.Messages(stormDiscordChannel) {
		if m.Reference == nil {
			top++
		}
	}
	if top != 1 {
		t.Errorf("discord: %d top-level messages, want 1", top)
	}
}

// An opening posted whose record was lost (a crash between posting and
// recording) is not taken for a group's message, nor swallowed by one: its
// retry finds its own message, and the storm that follows is one group of
// the others.
func TestStormAfterALostRecord(t *testing.T) {
	e := newStormEnv(t, 3, false)
	ctx := context.Background()
	e.open(t, "first")
	// Post it as the dispatcher would, claim it, and record nothing.
	dn, err := discord.New(discord.Options{Token: "discord-token", APIURL: e.disc.URL()})
	if err != nil {
		t.Fatal(err)
	}
	posters := map[string]notifier.Notifier{
		"ops/slack":   slack.New(slack.Options{Token: "xoxb-test", APIURL: e.slack.URL(), HTTPClient: e.slack.Client()}),
		"ops/discord": dn,
	}
	addr := map[string]string{"ops/slack": stormSlackChannel, "ops/discord": stormDiscordChannel}
	for _, dest := range stormDests {
		due, err := e.st.Due(ctx, dest, e.clk.Now(), 10)
		if err != nil || len(due) != 1 {
			t.Fatalf("%s: %v %v", dest, due, err)
		}
		if err := e.st.Claim(ctx, due[0], e.clk.Now(), 30*time.Second); err != nil {
			t.Fatal(err)
		}
		platform := strings.TrimPrefix(dest, "ops/")
		if _, err := posters[dest].Deliver(ctx, notifier.Delivery{OutboxID: due[0].ID, Event: due[0].Event,
			Destination: notifier.Destination{Channel: "ops", Platform: platform, Address: addr[dest]}}); err != nil {
			t.Fatal(err)
		}
	}
	e.clk.Advance(time.Second)
	e.open(t, names(5, "b-")...)
	e.clk.Advance(time.Minute) // past the claim's lease
	e.disp.Drain(ctx)
	var texts []string
	for _, m := range e.slack.Messages(stormSlackChannel) {
		texts = append(texts, m.Text)
	}
	if len(texts) != 2 || !strings.Contains(texts[0], "first") || !strings.Contains(texts[1], "5 outages at once") || strings.Contains(texts[1], "first") {
		t.Errorf("slack top-level messages: %q; want first's own, then one group of the five others", texts)
	}
	var top int
	for _, m := range e.disc.Messages(stormDiscordChannel) {
		if m.Reference == nil {
			top++
		}
	}
	if top != 2 {
		t.Errorf("discord: %d top-level messages, want 2", top)
	}
	for _, dest := range stormDests {
		if due, _ := e.st.Due(ctx, dest, e.clk.Now().Add(time.Hour), 100); len(due) != 0 {
			t.Errorf("%s: %d deliveries left", dest, len(due))
		}
	}
}

// partialSettle loses the record of the fourth item settled, and of any
// batch that includes it, as a crash part-way through recording would.
type partialSettle struct {
	*store.Store
	n int
}

func (p *partialSettle) Settle(ctx context.Context, st store.Settlement) error {
	p.n++
	if p.n == 4 {
		return fmt.Errorf("disk I/O error")
	}
	return p.Store.Settle(ctx, st)
}

func (p *partialSettle) SettleAll(ctx context.Context, sts []store.Settlement) error {
	first := p.n + 1
	p.n += len(sts)
	if first <= 4 && 4 <= p.n {
		return fmt.Errorf("disk I/O error")
	}
	return p.Store.SettleAll(ctx, sts)
}

// A group whose record was interrupted is posted once: its members are
// recorded together or not at all, come back together, form the same group
// and find its message.
func TestStormInterruptedRecordPostsOnce(t *testing.T) {
	e := newStormEnv(t, 3, false)
	ctx := context.Background()
	storm := notifier.Storm{Threshold: 3, Window: 2 * time.Minute}
	disp := notifier.NewDispatcher(&partialSettle{Store: e.st}, []notifier.Route{
		{Destination: notifier.Destination{Channel: "ops", Platform: "slack", Address: stormSlackChannel},
			Notifier: slack.New(slack.Options{Token: "xoxb-test", APIURL: e.slack.URL(), HTTPClient: e.slack.Client()}), Storm: storm},
	}, slog.New(slog.DiscardHandler), notifier.Options{Now: e.clk.Now, BaseBackoff: time.Millisecond})
	e.open(t, names(6, "p-")...)
	disp.Drain(ctx)
	e.clk.Advance(time.Minute) // past the claims' lease
	disp.Drain(ctx)
	sm := e.slack.Messages(stormSlackChannel)
	if len(sm) != 1 || !strings.Contains(sm[0].Text, "6 outages at once") {
		var texts []string
		for _, m := range sm {
			texts = append(texts, m.Text)
		}
		t.Fatalf("slack: %q; want one group of six", texts)
	}
	if due, _ := e.st.Due(ctx, "ops/slack", e.clk.Now().Add(time.Hour), 100); len(due) != 0 {
		t.Errorf("%d deliveries left", len(due))
	}
}
