package app_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
)

// vendorPage serves the lifecycle fixtures; the test moves it from one phase
// to the next.
type vendorPage struct {
	phase atomic.Int32
	polls atomic.Int32
}

var phases = []string{"1-operational", "2-investigating", "3-identified", "4-resolved"}

func (v *vendorPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	dir := filepath.Join("testdata", "lifecycle", phases[v.phase.Load()])
	var file string
	switch r.URL.Path {
	case "/api/v2/summary.json":
		v.polls.Add(1)
		file = "summary.json"
	case "/api/v2/incidents.json":
		file = "incidents.json"
	default:
		http.NotFound(w, r)
		return
	}
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	data = recent(data)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
}

// fixtureDay is the day the lifecycle fixtures were written on.
const fixtureDay = "2026-11-22T"

// recent moves a fixture's timestamps to yesterday, keeping the times of
// day: the bot treats a days-old incident as history (the Statuspage source
// reports resolved incidents for a week, deliveries expire after a day), so
// fixtures served at their written dates would test the calendar, not the bot.
func recent(data []byte) []byte {
	day := time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02T")
	return bytes.ReplaceAll(data, []byte(fixtureDay), []byte(day))
}

// syncBuffer is the console the bot prints to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := strings.Split(strings.TrimSpace(s.b.String()), "\n")
	if len(out) == 1 && out[0] == "" {
		return nil
	}
	return out
}

func testConfig(t *testing.T, state, url string) *config.Config {
	t.Helper()
	text := fmt.Sprintf(`
[bot]
state = %q
listen = ""

[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
timeout = "1s"
`, state, url)
	return parseConfig(t, text)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitPolls waits until the page has been polled n more times.
func waitPolls(t *testing.T, v *vendorPage, n int32) {
	t.Helper()
	target := v.polls.Load() + n
	waitFor(t, fmt.Sprintf("%d polls", n), func() bool { return v.polls.Load() >= target })
}

// count is how many console lines announce word (OPENED, RESOLVED, ...).
func count(lines []string, word string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, "  "+word+" ") {
			n++
		}
	}
	return n
}

func TestLifecycleThroughRealPipeline(t *testing.T) {
	v, feed := newVendor(t, 0)
	state := filepath.Join(t.TempDir(), "state.db")
	b := start(t, testConfig(t, state, feed))

	waitPolls(t, v, 2)
	for phase := 1; phase < len(phases); phase++ {
		v.phase.Store(int32(phase))
		waitFor(t, "event of "+phases[phase], func() bool { return len(b.out.Lines()) >= phase })
	}
	waitPolls(t, v, 2)
	b.stop()

	lines := b.out.Lines()
	if len(lines) != 3 {
		t.Fatalf("want exactly 3 notifications, got %d:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	wants := []string{
		"OpenAI  OPENED       degraded                 Elevated error rates on Chat Completions [investigating]: We are investigating elevated error rates for Chat Completions. https://stspg.io/abc123",
		"OpenAI  UPDATED      partial outage",
		"OpenAI  RESOLVED     after 1h 12m             Elevated error rates on Chat Completions [resolved]: This incident has been resolved. Error rates are back to normal.",
	}
	for i, w := range wants {
		if !strings.Contains(lines[i], w) {
			t.Errorf("line %d:\n got: %s\nwant: …%s…", i+1, lines[i], w)
		}
	}
	if !strings.Contains(lines[1], "We have identified the cause as a faulty deployment and are rolling it back.") {
		t.Errorf("update does not carry the vendor's words: %s", lines[1])
	}

	// The store holds the same story, in order, all delivered.
	events := storedEvents(t, state)
	var kinds []outage.Kind
	for _, ev := range events {
		kinds = append(kinds, ev.Kind)
	}
	if fmt.Sprint(kinds) != "[opened updated resolved]" {
		t.Errorf("stored events = %v", kinds)
	}
	if d := events[len(events)-1].Duration(); d != time.Hour+11*time.Minute+54*time.Second {
		t.Errorf("duration = %s, want 1h11m54s (vendor start to vendor resolution)", d)
	}
}

func storedEvents(t *testing.T, state string) []outage.Event {
	t.Helper()
	cfg := testConfig(t, state, "http://127.0.0.1:1")
	a, err := app.New(context.Background(), cfg, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	outs, err := a.Store().Outages(context.Background(), time.Time{}, "")
	if err != nil || len(outs) != 1 {
		t.Fatalf("outages = %v, %v", outs, err)
	}
	evs, err := a.Store().Events(context.Background(), outs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := a.Store().OutboxDepth(context.Background()); n != 0 {
		t.Errorf("outbox still holds %d deliveries", n)
	}
	return evs
}

func TestRestartMidOutageDoesNotAnnounceAgain(t *testing.T) {
	v, feed := newVendor(t, 1)
	cfg := testConfig(t, filepath.Join(t.TempDir(), "state.db"), feed)

	first := start(t, cfg)
	waitFor(t, "opened", func() bool { return len(first.out.Lines()) == 1 })
	first.stop()

	second := start(t, cfg)
	waitPolls(t, v, 3)
	second.stop()
	if lines := second.out.Lines(); len(lines) != 0 {
		t.Fatalf("restart announced again:\n%s", strings.Join(lines, "\n"))
	}
}

func TestOutageThatEndedWhileStoppedIsResolvedOnFirstPoll(t *testing.T) {
	v, feed := newVendor(t, 2)
	cfg := testConfig(t, filepath.Join(t.TempDir(), "state.db"), feed)

	first := start(t, cfg)
	waitFor(t, "opened", func() bool { return len(first.out.Lines()) == 1 })
	first.stop()

	v.phase.Store(3) // resolved while the bot was down
	second := start(t, cfg)
	waitFor(t, "restoration", func() bool { return len(second.out.Lines()) == 1 })
	waitPolls(t, v, 2)
	second.stop()
	lines := second.out.Lines()
	if len(lines) != 1 || count(lines, "RESOLVED") != 1 || !strings.Contains(lines[0], "after 1h 12m") {
		t.Fatalf("want one restoration after 1h 12m, got:\n%s", strings.Join(lines, "\n"))
	}
}

// A crash after the state commit and before delivery must still deliver:
// the event waits in the outbox.
func TestCrashBetweenCommitAndDeliveryStillDelivers(t *testing.T) {
	v, feed := newVendor(t, 1)
	cfg := testConfig(t, filepath.Join(t.TempDir(), "state.db"), feed)

	// Poll and commit, but never dispatch: the process "dies" here.
	out := &syncBuffer{}
	a, err := app.New(context.Background(), cfg, app.Options{Stdout: out})
	if err != nil {
		t.Fatal(err)
	}
	a.Runner().Poll(context.Background(), a.Runner().Jobs()[0])
	if n, _ := a.Store().OutboxDepth(context.Background()); n != 1 {
		t.Fatalf("outbox depth after commit = %d, want 1", n)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if len(out.Lines()) != 0 {
		t.Fatal("delivered before the crash")
	}

	b := start(t, cfg)
	waitFor(t, "delivery after restart", func() bool { return len(b.out.Lines()) == 1 })
	waitPolls(t, v, 2)
	b.stop()
	if lines := b.out.Lines(); len(lines) != 1 || count(lines, "OPENED") != 1 {
		t.Fatalf("want the opened event delivered once, got:\n%s", strings.Join(lines, "\n"))
	}
}

// fastRetries keeps test deliveries prompt.
var fastRetries = notifier.Options{BaseBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Idle: 50 * time.Millisecond}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
