package app_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/internal/fakeslack"
	"github.com/outagebot/outagebot/store"
)

// pgProxy stands between the bot and PostgreSQL on loopback, so a test can
// take the database away from the bot (and only from it) and bring it
// back.
type pgProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
}

func newPGProxy(t *testing.T, target string) *pgProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pgProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.cut() })
	return p
}

func (p *pgProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

func (p *pgProxy) pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}

// cut severs every connection and refuses new ones.
func (p *pgProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
}

func (p *pgProxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// proxied points dsn at the proxy.
func (p *pgProxy) proxied(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.target = u.Host
	p.mu.Unlock()
	u.Host = p.ln.Addr().String()
	return u.String()
}

// storeOutageBot runs the bot (the real app, fake Slack, a vendor page)
// with its PostgreSQL connections through a proxy. It returns the proxy,
// the page, the fake Slack, the app and the direct database URL.
func storeOutageBot(t *testing.T, ttl time.Duration) (*pgProxy, *vendorPage, *fakeslack.Server, *app.App, string) {
	t.Helper()
	direct := postgresSchema(t)
	p := newPGProxy(t, "")
	state := p.proxied(t, direct)
	slackAPI := newSlack(t, slackChannel)
	v, feed := newVendor(t, 0)
	cfg := parseConfig(t, fmt.Sprintf(`
[bot]
state = %q
listen = "127.0.0.1:0"
[slack]
bot_token = "xoxb-test"
api_url = %q
[[channel]]
name = "ops"
slack = %q
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
timeout = "1s"
`, state, slackAPI.URL(), slackChannel, feed))
	a := startWith(t, cfg, app.Options{Dispatch: fastRetries, LeaseTTL: ttl}, nil).app
	waitFor(t, "leader", func() bool { return a.Role() == app.RoleLeader && a.Healthy(context.Background()) == nil })
	waitPolls(t, v, 2)
	return p, v, slackAPI, a, direct
}

func get(t *testing.T, a *app.App, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + a.Addr() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// oneThread checks that the channel holds exactly one root, the update once
// and the restoration once, in order.
func oneThread(t *testing.T, slackAPI *fakeslack.Server) {
	t.Helper()
	msgs := slackAPI.Messages(slackChannel)
	if len(msgs) != 1 {
		t.Fatalf("want one root, got %d", len(msgs))
	}
	var replies []string
	for _, r := range msgs[0].Replies {
		replies = append(replies, r.Text)
	}
	if len(replies) != 2 || !strings.Contains(replies[0], "identified") || !strings.Contains(replies[1], "1h 12m") {
		t.Errorf("thread %q: replies %q, want the update then the restoration", msgs[0].Text, replies)
	}
}

// The bot loses its PostgreSQL connections while an outage opens, changes
// and ends, for longer than its leader lease. It polls on, says it is
// unhealthy and why, and once the database is back (no other replica having
// taken over) it writes what it saw through: the channel shows the whole
// outage, every message once, in order.
func TestStoreOutage(t *testing.T) {
	const ttl = 1500 * time.Millisecond
	p, v, slackAPI, a, _ := storeOutageBot(t, ttl)
	ctx := context.Background()

	p.cut()
	for phase := 1; phase < len(phases); phase++ {
		v.phase.Store(int32(phase))
		waitPolls(t, v, 2)
	}
	waitFor(t, "the lease to lapse", func() bool {
		err := a.Healthy(ctx)
		return err != nil && strings.Contains(err.Error(), "lease lapsed")
	})
	code, body := get(t, a, "/healthz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "cannot store poll results") || !strings.Contains(body, `"role":"leader"`) {
		t.Errorf("/healthz while the store is away: %d %s", code, body)
	}
	// Not dead, though: a liveness probe must not restart it and throw
	// away what it holds.
	if code, body := get(t, a, "/livez"); code != http.StatusOK {
		t.Errorf("/livez while the store is away: %d %s", code, body)
	}
	_, metrics := get(t, a, "/metrics")
	if !strings.Contains(metrics, "outagebot_store_failing 1") || strings.Contains(metrics, "outagebot_store_pending_steps 0") {
		t.Errorf("/metrics while the store is away:\n%s", grepLines(metrics, "outagebot_store_"))
	}
	if n := a.Runner().Pending(); n < 3 {
		t.Errorf("%d steps held in memory, want at least the 3 events", n)
	}
	if msgs := slackAPI.Messages(slackChannel); len(msgs) != 0 {
		t.Fatalf("posted while the store was away: %v", msgs)
	}

	p.restore()
	waitFor(t, "healthy again", func() bool { return a.Healthy(ctx) == nil })
	waitFor(t, "the thread", func() bool {
		msgs := slackAPI.Messages(slackChannel)
		return len(msgs) == 1 && len(msgs[0].Replies) == 2
	})
	waitPolls(t, v, 3)
	a.Drain(ctx)
	oneThread(t, slackAPI)
	if _, metrics := get(t, a, "/metrics"); !strings.Contains(metrics, "outagebot_store_failing 0") || !strings.Contains(metrics, "outagebot_store_pending_steps 0") {
		t.Errorf("/metrics after the store came back:\n%s", grepLines(metrics, "outagebot_store_"))
	}
}

// The same, except that another replica takes the lapsed lease while this
// one cannot reach the database: this one drops what it held (writing it
// would double what the new leader announces), and once it leads again it
// carries on from the store. Every message still appears once.
func TestStoreOutageWhileAnotherReplicaTakesOver(t *testing.T) {
	const ttl = 1500 * time.Millisecond
	p, v, slackAPI, a, direct := storeOutageBot(t, ttl)
	ctx := context.Background()

	p.cut()
	v.phase.Store(1)
	waitPolls(t, v, 2)
	waitFor(t, "the lease to lapse", func() bool {
		err := a.Healthy(ctx)
		return err != nil && strings.Contains(err.Error(), "lease lapsed")
	})
	other, err := store.Open(ctx, direct)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	waitFor(t, "the other replica to take the lease", func() bool {
		_, ok, err := other.Acquire(ctx, "other", 2*ttl, time.Now())
		return err == nil && ok
	})
	p.restore()
	// The replica stands by first, then drops what it held once its polls
	// in flight have finished: wait for both, not for the first alone.
	waitFor(t, "standing by with no steps held", func() bool {
		return a.Role() == app.RoleStandby && a.Runner().Pending() == 0
	})
	if _, metrics := get(t, a, "/metrics"); !strings.Contains(metrics, `outagebot_store_pending_dropped_total{reason="not_leader"}`) {
		t.Errorf("/metrics after dropping:\n%s", grepLines(metrics, "outagebot_store_"))
	}
	if msgs := slackAPI.Messages(slackChannel); len(msgs) != 0 {
		t.Fatalf("a deposed leader posted: %v", msgs)
	}

	// The other replica stops without having polled; this one takes over
	// when its lease runs out and derives the outage from the store.
	waitFor(t, "leading again", func() bool { return a.Role() == app.RoleLeader })
	waitFor(t, "the root", func() bool { return len(slackAPI.Messages(slackChannel)) == 1 })
	for phase := 2; phase < len(phases); phase++ {
		v.phase.Store(int32(phase))
		waitPolls(t, v, 2)
	}
	waitFor(t, "the thread", func() bool {
		msgs := slackAPI.Messages(slackChannel)
		return len(msgs) == 1 && len(msgs[0].Replies) == 2
	})
	waitPolls(t, v, 2)
	a.Drain(ctx)
	oneThread(t, slackAPI)
}
