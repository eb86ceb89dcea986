package app_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/internal/fakeslack"
)

// place is what one location's network reaches: a server whose targets
// answer 200 or 503 as the test says, and that records when each was
// polled.
type place struct {
	mu      sync.Mutex
	failing map[string]bool
	polls   map[string][]time.Time
	srv     *httptest.Server
}

func newPlace(t *testing.T) *place {
	p := &place{failing: map[string]bool{}, polls: map[string][]time.Time{}}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		p.mu.Lock()
		p.polls[name] = append(p.polls[name], time.Now())
		bad := p.failing[name] || p.failing["*"]
		p.mu.Unlock()
		if bad {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *place) set(target string, failing bool) {
	p.mu.Lock()
	p.failing[target] = failing
	p.mu.Unlock()
}

// gap is the longest time between two polls of target after from.
func (p *place) gap(target string, from time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	var longest time.Duration
	var prev time.Time
	for _, at := range p.polls[target] {
		if at.Before(from) {
			continue
		}
		if !prev.IsZero() {
			longest = max(longest, at.Sub(prev))
		}
		prev = at
	}
	return longest
}

var fleetTargets = []string{"api", "web", "db"}

// fleetConfig writes one replica's configuration: its location, and the
// probes pointing at its location's place.
func fleetConfig(t *testing.T, state, location, slackURL string, p *place) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `
[bot]
state = %q
listen = "127.0.0.1:0"
location = %q
[slack]
bot_token = "${SLACK_BOT_TOKEN}"
signing_secret = "${SLACK_SIGNING_SECRET}"
api_url = %q
[[channel]]
name = "ops"
slack = %q
`, state, location, slackURL, slackChannel)
	for _, name := range fleetTargets {
		fmt.Fprintf(&b, `
[[target]]
name = %q
type = "http"
url = "%s/%s"
interval = "1s"
timeout = "1s"
failure_threshold = 2
success_threshold = 2
locations = ["eu-west", "us-east", "ap-south"]
quorum = 2
`, name, p.srv.URL, name)
	}
	path := filepath.Join(t.TempDir(), location+".toml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := config.Parse(path, []byte(b.String()), func(k string) (string, bool) {
		return map[string]string{"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": signingSecret}[k], true
	}); err != nil {
		t.Fatal(err)
	}
	return path
}

// Three replicas in three locations, each reaching the targets through
// its own place. One location failing opens nothing; two (the quorum)
// open one outage that says where; a location that reaches nothing gets
// one notice and is left out; the leader and then a worker are killed
// with SIGKILL mid-outage and come back; the outage keeps one thread and
// ends with one restoration.
func TestFleetQuorumAcrossLocations(t *testing.T) {
	state := postgresSchema(t)
	slackAPI := newSlack(t, slackChannel)
	const ttl = 2 * time.Second
	locs := []string{"eu-west", "us-east", "ap-south"}
	places, cfgs := map[string]*place{}, map[string]string{}
	for _, l := range locs {
		places[l] = newPlace(t)
		cfgs[l] = fleetConfig(t, state, l, slackAPI.URL(), places[l])
	}
	reps := map[string]*replica{}
	for _, l := range locs {
		reps[l] = startReplica(t, l, cfgs[l], ttl)
	}
	leader := func() (string, *replica) {
		for _, l := range locs {
			if code, role := reps[l].health(); code == 200 && role == "leader" {
				return l, reps[l]
			}
		}
		return "", nil
	}
	waitFor(t, "a leader", func() bool { l, _ := leader(); return l != "" })
	var asks atomic.Int64
	status := func(target string) string {
		_, r := leader()
		if r == nil {
			return ""
		}
		// Each request differs (a new user), or the replay guard would
		// refuse a second identical one within the same second.
		n := asks.Add(1)
		_, body := slashAs(t, r.addr, fmt.Sprintf("U%d", n), target)
		return body
	}
	waitFor(t, "every location to report api", func() bool {
		s := status("api")
		return strings.Count(s, ": operational") >= 3
	})
	msgs := func() []fakeslack.Message { return slackAPI.Messages(slackChannel) }
	text := func(m fakeslack.Message) string { return m.Text + string(m.Blocks) + string(m.Attachments) }

	// One location fails: below the quorum, nothing is announced.
	places["eu-west"].set("api", true)
	waitFor(t, "eu-west's verdict", func() bool { return strings.Contains(status("api"), "eu-west: failing") })
	if n := len(msgs()); n != 0 {
		t.Fatalf("%d messages with one location of three failing, want none", n)
	}

	// Two fail: the quorum. One root, saying where.
	places["us-east"].set("api", true)
	waitFor(t, "the outage", func() bool { return len(msgs()) == 1 })
	if root := text(msgs()[0]); !strings.Contains(root, "Failing from eu-west and us-east; fine from ap-south") {
		t.Errorf("root does not say where: %s", root)
	}

	// ap-south reaches nothing: one notice about ap-south, no outage of
	// web or db, and api's outage stays (eu-west and us-east still fail).
	places["ap-south"].set("*", true)
	waitFor(t, "the location notice", func() bool { return len(msgs()) == 2 })
	if n := text(msgs()[1]); !strings.Contains(n, "ap-south") || !strings.Contains(n, "reach nothing") {
		t.Errorf("second message is not ap-south's notice: %s", n)
	}
	waitFor(t, "ap-south left out", func() bool { return strings.Contains(status("web"), "ap-south: left out") })
	places["ap-south"].set("*", false)
	waitFor(t, "the notice's end", func() bool { m := msgs(); return len(m) == 2 && len(m[1].Replies) == 1 })

	// The leader dies mid-outage and a replacement starts in its place;
	// then a worker does the same.
	for round := range 2 {
		var victim string
		if round == 0 {
			victim, _ = leader()
		} else {
			for _, l := range locs {
				if code, role := reps[l].health(); code == 200 && role == "standby" {
					victim = l
					break
				}
			}
		}
		killed := time.Now()
		reps[victim].kill()
		reps[victim] = startReplica(t, victim+"-again", cfgs[victim], ttl)
		waitFor(t, "a leader after the kill", func() bool { l, _ := leader(); return l != "" })
		waitFor(t, "the replacement to probe", func() bool { return places[victim].gap("api", killed) > 0 })
	}
	checkAt := time.Now()
	waitFor(t, "all three to report again", func() bool {
		s := status("api")
		return strings.Count(s, "failing") >= 2 && strings.Contains(s, "ap-south: operational")
	})

	// Recovery everywhere: one restoration in the one thread.
	places["eu-west"].set("api", false)
	places["us-east"].set("api", false)
	waitFor(t, "the restoration", func() bool {
		m := msgs()
		return len(m) >= 1 && len(m[0].Replies) >= 1
	})
	m := msgs()
	if len(m) != 2 {
		t.Errorf("%d top-level messages, want 2 (api's outage, ap-south's notice)", len(m))
	}
	if n := len(m[0].Replies); n != 1 {
		t.Errorf("api's thread has %d replies, want 1 (the restoration)", n)
	}
	for _, l := range locs {
		if g := places[l].gap("web", checkAt); g > time.Second+ttl {
			t.Errorf("web from %s: a gap of %s after the kills settled, want at most interval + lease", l, g)
		}
		t.Logf("web from %s: longest gap %s since the kills settled", l, places[l].gap("web", checkAt).Round(time.Millisecond))
	}
}

// slashAs sends a signed /status command from user to the bot at addr; a
// replica killed meanwhile answers 0 and "".
func slashAs(t *testing.T, addr, user, text string) (int, string) {
	t.Helper()
	form := slashForm(user, slackChannel, text).Encode()
	code, body, err := tryPost("http://"+addr+"/slack/commands", form, slackHeaders(signingSecret, time.Now(), formType, form))
	if err != nil {
		return 0, ""
	}
	return code, body
}

// shardConfig writes a replica's configuration with shared polling of n
// probes on place p.
func shardConfig(t *testing.T, state, slackURL string, p *place, n int) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `
[bot]
state = %q
listen = "127.0.0.1:0"
shard = true
[slack]
bot_token = "${SLACK_BOT_TOKEN}"
signing_secret = "${SLACK_SIGNING_SECRET}"
api_url = %q
[[channel]]
name = "ops"
slack = %q
`, state, slackURL, slackChannel)
	for i := range n {
		fmt.Fprintf(&b, "\n[[target]]\nname = \"t%d\"\ntype = \"http\"\nurl = \"%s/t%d\"\ninterval = \"1s\"\ntimeout = \"1s\"\n", i, p.srv.URL, i)
	}
	path := filepath.Join(t.TempDir(), "shard.toml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// With shard = true, three replicas share twelve probes: each probe is
// polled by one replica at a time (never twice within half an interval);
// when a replica is killed with SIGKILL its probes move to the others
// within a lease, so no probe waits longer than an interval plus the
// lease and the heartbeat period; the leader's engine sees every probe.
func TestFleetSharedPolling(t *testing.T) {
	state := postgresSchema(t)
	slackAPI := newSlack(t, slackChannel)
	const ttl, interval, n = 2 * time.Second, time.Second, 12
	p := newPlace(t)
	cfg := shardConfig(t, state, slackAPI.URL(), p, n)
	var reps []*replica
	for _, name := range []string{"a", "b", "c"} {
		reps = append(reps, startReplica(t, name, cfg, ttl))
	}
	polledSince := func(from time.Time) int {
		p.mu.Lock()
		defer p.mu.Unlock()
		got := 0
		for i := range n {
			if ts := p.polls[fmt.Sprintf("t%d", i)]; len(ts) > 0 && !ts[len(ts)-1].Before(from) {
				got++
			}
		}
		return got
	}
	start := time.Now()
	waitFor(t, "every probe polled", func() bool { return polledSince(start) == n })
	// Once the three see each other, watch a steady stretch.
	waitFor(t, "the replicas to see each other", func() bool {
		for _, r := range reps {
			if !strings.Contains(r.logs.String(), "live=3") {
				return false
			}
		}
		return true
	})
	steady := time.Now()
	waitFor(t, "a steady stretch", func() bool { return polledSince(steady.Add(3*interval)) == n })
	minGap := func(target string, from, to time.Time) time.Duration {
		p.mu.Lock()
		defer p.mu.Unlock()
		shortest, prev := time.Hour, time.Time{}
		for _, at := range p.polls[target] {
			if at.Before(from) || at.After(to) {
				continue
			}
			if !prev.IsZero() {
				shortest = min(shortest, at.Sub(prev))
			}
			prev = at
		}
		return shortest
	}
	now := time.Now()
	for i := range n {
		name := fmt.Sprintf("t%d", i)
		if g := minGap(name, steady, now); g < interval/2 {
			t.Errorf("%s polled twice within %s: by two replicas", name, g)
		}
	}

	// Kill one replica; its probes move to the other two.
	victim := reps[1]
	if _, role := victim.health(); role == "leader" {
		victim = reps[2]
	}
	killed := time.Now()
	victim.kill()
	bound := interval + ttl + ttl/3 + 500*time.Millisecond
	waitFor(t, "a stretch after the kill", func() bool { return polledSince(killed.Add(bound+2*interval)) == n })
	var worst time.Duration
	for i := range n {
		name := fmt.Sprintf("t%d", i)
		g := p.gap(name, killed.Add(-interval))
		worst = max(worst, g)
		if g > bound {
			t.Errorf("%s: a gap of %s after a replica died, want at most %s (interval + lease + heartbeat period)", name, g, bound)
		}
	}
	t.Logf("largest gap across the kill: %s (bound %s)", worst.Round(time.Millisecond), bound)
}
