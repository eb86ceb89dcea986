package notifier_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
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
	editSlackChannel   = "C0000000002"
	editDiscordChannel = "223344556677889900"
)

// editPlatform is one chat platform's real notifier against its local
// fake, seen through what the root edits need.
type editPlatform struct {
	name string
	dest string
	// route builds the platform's route with a new notifier (as a restart
	// would), on the test's clock.
	route func(now func() time.Time) notifier.Route
	// failEdits makes the next n edits answer with status (429 with
	// Retry-After 1s); clear lets them through again.
	failEdits func(n, status int)
	clear     func()
	// root reports the thread's root: its text or title, how many times it
	// was edited, and whether it shows the restoration.
	root       func(t *testing.T) (text string, edits int, resolved bool)
	editCalls  func() int
	replyCount func() int
}

func slackPlatform(t *testing.T) *editPlatform {
	fs := fakeslack.New()
	t.Cleanup(fs.Close)
	fs.AddChannel(editSlackChannel)
	dest := notifier.Destination{Channel: "ops", Platform: "slack", Address: editSlackChannel}
	return &editPlatform{
		name: "slack",
		dest: dest.String(),
		route: func(func() time.Time) notifier.Route {
			return notifier.Route{Destination: dest, Notifier: slack.New(slack.Options{Token: "xoxb-test", APIURL: fs.URL(), HTTPClient: fs.Client()})}
		},
		failEdits: func(n, status int) {
			f := fakeslack.Fault{Status: status}
			if status == http.StatusTooManyRequests {
				f.RetryAfter = time.Second
			}
			fs.Inject("chat.update", n, f)
		},
		clear: fs.ClearFaults,
		root: func(t *testing.T) (string, int, bool) {
			msgs := fs.Messages(editSlackChannel)
			if len(msgs) != 1 {
				t.Fatalf("slack: %d top-level messages, want the root alone", len(msgs))
			}
			m := msgs[0]
			return m.Text, len(m.Edits), strings.Contains(m.Text, "Resolved, lasted 1h 12m")
		},
		editCalls: func() int { return len(fs.Calls("chat.update")) },
		replyCount: func() int {
			if msgs := fs.Messages(editSlackChannel); len(msgs) == 1 {
				return len(msgs[0].Replies)
			}
			return -1
		},
	}
}

func discordPlatform(t *testing.T) *editPlatform {
	fd := fakediscord.New()
	t.Cleanup(fd.Close)
	fd.AddChannel(editDiscordChannel)
	dest := notifier.Destination{Channel: "ops", Platform: "discord", Address: editDiscordChannel}
	first := func(t *testing.T) fakediscord.Message {
		msgs := fd.Messages(editDiscordChannel)
		if len(msgs) == 0 {
			t.Fatal("discord: no root")
		}
		return msgs[0]
	}
	return &editPlatform{
		name: "discord",
		dest: dest.String(),
		route: func(now func() time.Time) notifier.Route {
			n, err := discord.New(discord.Options{Token: "discord-token", APIURL: fd.URL(), Now: now})
			if err != nil {
				t.Fatal(err)
			}
			return notifier.Route{Destination: dest, Notifier: n}
		},
		failEdits: func(n, status int) {
			if n < 0 {
				n = 1000 // the Discord fake has no "until cleared"
			}
			if status == http.StatusTooManyRequests {
				fd.RateLimitNext(fakediscord.RouteEditMessage, n, time.Second, false)
				return
			}
			fd.Inject(fakediscord.RouteEditMessage, n, fakediscord.Fault{Status: status, Message: http.StatusText(status)})
		},
		clear: fd.ClearFaults,
		root: func(t *testing.T) (string, int, bool) {
			m := first(t)
			if len(m.Embeds) != 1 {
				t.Fatalf("discord: root has %d embeds", len(m.Embeds))
			}
			text := m.Embeds[0].Title
			for _, f := range m.Embeds[0].Fields {
				text += " / " + f.Name + ": " + f.Value
			}
			return text, len(m.Edits), strings.Contains(text, "Status: Resolved, lasted 1h 12m")
		},
		editCalls:  func() int { return len(fd.Calls(fakediscord.RouteEditMessage)) },
		replyCount: func() int { return len(fd.Messages(editDiscordChannel)) - 1 },
	}
}

// editEnv is a store on a file and a dispatcher over it, which can be
// restarted.
type editEnv struct {
	path string
	st   *store.Store
	disp *notifier.Dispatcher
	clk  *clock
	p    *editPlatform
	o    outage.Outage
}

func newEditEnv(t *testing.T, p *editPlatform) *editEnv {
	e := &editEnv{path: filepath.Join(t.TempDir(), "state.db"), clk: &clock{t: t0}, p: p}
	e.start(t)
	t.Cleanup(func() { e.st.Close() })
	e.o = outage.Outage{ID: "o-edit", Target: "OpenAI", Key: "inc-1", Class: outage.Incident, Title: "Elevated errors",
		Severity: sources.PartialOutage, OpenedAt: t0}
	return e
}

// start opens the store and a dispatcher with a new notifier, as the
// process does when it starts.
func (e *editEnv) start(t *testing.T) {
	t.Helper()
	st, err := store.Open(context.Background(), e.path)
	if err != nil {
		t.Fatal(err)
	}
	e.st = st
	e.disp = notifier.NewDispatcher(st, []notifier.Route{e.p.route(e.clk.Now)}, slog.New(slog.DiscardHandler),
		notifier.Options{Now: e.clk.Now, BaseBackoff: time.Second, MaxBackoff: 30 * time.Second})
}

func (e *editEnv) restart(t *testing.T) {
	t.Helper()
	e.st.Close()
	e.start(t)
}

// commit queues the outage's next event, at the clock's time.
func (e *editEnv) commit(t *testing.T, kind outage.Kind, body string) {
	t.Helper()
	o := e.o
	if kind == outage.Resolved {
		o.ResolvedAt = t0.Add(72 * time.Minute)
		o.Severity = sources.Operational
	}
	ev := o.Event(kind, e.clk.Now(), body)
	ev.Seq = map[outage.Kind]int{outage.Opened: 1, outage.Updated: 2, outage.Resolved: 3}[kind]
	if _, err := e.st.Commit(context.Background(), store.Commit{Target: o.Target, State: []byte(`{}`), Outages: []outage.Outage{o},
		Events: []outage.Event{ev}, Dests: []string{e.p.dest}, At: e.clk.Now()}); err != nil {
		t.Fatal(err)
	}
}

func (e *editEnv) pendingEdits(t *testing.T) int {
	t.Helper()
	n, err := e.st.PendingEdits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// settle drains in steps of the clock until no edit is pending, or fails.
func (e *editEnv) settle(t *testing.T, step time.Duration) {
	t.Helper()
	for range 50 {
		e.disp.Drain(context.Background())
		if e.pendingEdits(t) == 0 {
			return
		}
		e.clk.Advance(step)
	}
	t.Fatalf("%s: root edits still pending after 50 steps of %s", e.p.name, step)
}

// After the restoration there is no next update to edit the root again: a
// failed edit is retried (after Retry-After, for a 429) until the root shows
// the outage's end, and only the newest state is edited in.
func TestRootEditIsRetriedUntilTheRootShowsTheEnd(t *testing.T) {
	for _, platform := range []func(*testing.T) *editPlatform{slackPlatform, discordPlatform} {
		for _, status := range []int{http.StatusInternalServerError, http.StatusTooManyRequests} {
			p := platform(t)
			t.Run(fmt.Sprintf("%s/%d", p.name, status), func(t *testing.T) {
				e := newEditEnv(t, p)
				ctx := context.Background()
				e.commit(t, outage.Opened, "Investigating")
				e.disp.Drain(ctx)

				// The update's edit fails; so does the restoration's, which
				// comes before the update's retry is due.
				p.failEdits(2, status)
				e.clk.Advance(10 * time.Minute)
				e.commit(t, outage.Updated, "Identified")
				e.disp.Drain(ctx)
				e.clk.Advance(62 * time.Minute)
				e.commit(t, outage.Resolved, "Resolved")
				e.disp.Drain(ctx)
				if got := p.replyCount(); got != 2 {
					t.Fatalf("%d replies, want the update and the restoration: a failed edit must not hold them up", got)
				}
				if calls := p.editCalls(); calls != 2 {
					t.Fatalf("%d edit calls, want 2 failed ones", calls)
				}
				if n := e.pendingEdits(t); n != 1 {
					t.Errorf("%d root edits pending, want 1: the restoration's, which replaced the update's", n)
				}

				if status == http.StatusTooManyRequests {
					// Not before Slack's or Discord's Retry-After of 1s.
					e.clk.Advance(900 * time.Millisecond)
					e.disp.Drain(ctx)
					if calls := p.editCalls(); calls != 2 {
						t.Fatalf("edited again %s after a 429 that asked for 1s", 900*time.Millisecond)
					}
				}
				e.settle(t, 500*time.Millisecond)
				text, edits, resolved := p.root(t)
				if !resolved {
					t.Errorf("the root still shows %q, want the restoration", text)
				}
				if edits != 1 {
					t.Errorf("root edited %d times, want once, straight to the last state", edits)
				}
				e.disp.Drain(ctx)
				if calls := p.editCalls(); calls != 3 {
					t.Errorf("%d edit calls, want 3 (two failures, one success)", calls)
				}
			})
		}
	}
}

// outboxCrash is the store until the process dies right after recording a
// reply, before it makes the root's edit.
type outboxCrash struct {
	*store.Store
}

var errCrashed = errors.New("the process died here")

func (outboxCrash) DueEdits(context.Context, string, time.Time, int) ([]store.RootEdit, error) {
	return nil, errCrashed
}

// A root edit owed when the process stops is made after it starts again:
// after a crash between the reply and the edit, and after a restart while
// the edit was failing.
func TestRootEditSurvivesRestart(t *testing.T) {
	for _, platform := range []func(*testing.T) *editPlatform{slackPlatform, discordPlatform} {
		p := platform(t)
		t.Run(p.name+"/crash between reply and edit", func(t *testing.T) {
			e := newEditEnv(t, p)
			ctx := context.Background()
			e.commit(t, outage.Opened, "Investigating")
			e.disp.Drain(ctx)
			e.clk.Advance(72 * time.Minute)
			e.commit(t, outage.Resolved, "Resolved")
			crashed := notifier.NewDispatcher(outboxCrash{e.st}, []notifier.Route{p.route(e.clk.Now)}, slog.New(slog.DiscardHandler),
				notifier.Options{Now: e.clk.Now})
			crashed.Drain(ctx)
			if got, calls := p.replyCount(), p.editCalls(); got != 1 || calls != 0 {
				t.Errorf("before the crash: %d replies, %d edits; want the restoration's reply and no edit", got, calls)
			}
			e.restart(t)
			e.clk.Advance(time.Second)
			e.settle(t, time.Second)
			if text, edits, resolved := p.root(t); !resolved || edits != 1 {
				t.Errorf("after the restart the root shows %q (%d edits), want the restoration", text, edits)
			}
		})
	}
	for _, platform := range []func(*testing.T) *editPlatform{slackPlatform, discordPlatform} {
		p := platform(t)
		t.Run(p.name+"/restart while failing", func(t *testing.T) {
			e := newEditEnv(t, p)
			ctx := context.Background()
			e.commit(t, outage.Opened, "Investigating")
			e.disp.Drain(ctx)
			p.failEdits(-1, http.StatusInternalServerError)
			e.clk.Advance(72 * time.Minute)
			e.commit(t, outage.Resolved, "Resolved")
			e.disp.Drain(ctx)
			if n := e.pendingEdits(t); n != 1 {
				t.Errorf("%d root edits pending, want 1", n)
			}
			e.restart(t)
			p.clear()
			e.settle(t, 10*time.Second)
			if text, edits, resolved := p.root(t); !resolved || edits != 1 {
				t.Errorf("after the restart the root shows %q (%d edits), want the restoration", text, edits)
			}
		})
	}
}

// An edit is given up, logged and counted, once the event it shows is older
// than the maximum delivery age.
func TestRootEditGivesUpAfterMaxAge(t *testing.T) {
	p := slackPlatform(t)
	e := newEditEnv(t, p)
	ctx := context.Background()
	var outcomes []store.Outcome
	e.disp = notifier.NewDispatcher(e.st, []notifier.Route{p.route(e.clk.Now)}, slog.New(slog.DiscardHandler),
		notifier.Options{Now: e.clk.Now, MaxAge: time.Hour, BaseBackoff: time.Minute, MaxBackoff: 10 * time.Minute,
			ObserveEdit: func(_ string, o store.Outcome, _ error) { outcomes = append(outcomes, o) }})
	e.commit(t, outage.Opened, "Investigating")
	e.disp.Drain(ctx)
	p.failEdits(-1, http.StatusInternalServerError)
	e.commit(t, outage.Updated, "Identified")
	for range 20 {
		e.disp.Drain(ctx)
		e.clk.Advance(10 * time.Minute)
	}
	if n := e.pendingEdits(t); n != 0 {
		t.Fatalf("%d edits still pending after the maximum delivery age", n)
	}
	if len(outcomes) < 2 || outcomes[len(outcomes)-1] != store.GaveUp || outcomes[0] != store.Retry {
		t.Errorf("outcomes %v, want retries then one give-up", outcomes)
	}
}
