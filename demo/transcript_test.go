package demo

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/config"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// virtualClock is the time the story, the engine and the dispatcher share,
// moved by the test a second at a time.
type virtualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *virtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *virtualClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// transcript plays the demo's story on a virtual clock, polling on the
// demo's schedule, and returns what the console printed.
func transcript(t *testing.T, locale string) string {
	t.Helper()
	clock := &virtualClock{t: time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)}
	story := Story()
	page := &Page{Story: story, Start: clock.Now(), Now: clock.Now, URL: "https://status.acme.example"}
	srv := httptest.NewServer(page)
	defer srv.Close()

	text := fmt.Sprintf(configTemplate, filepath.Join(t.TempDir(), "demo.db"), locale, srv.URL, srv.URL+"/health")
	cfg, err := config.Parse("demo.toml", []byte(text), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	ctx := context.Background()
	a, err := app.New(ctx, cfg, app.Options{Stdout: &out, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	jobs := a.Runner().Jobs()
	end := story[len(story)-1].At + 10*time.Second
	for s := time.Duration(0); s <= end; s += time.Second {
		for _, j := range jobs {
			if s%j.Interval == 0 {
				a.Runner().Poll(ctx, j)
			}
		}
		a.Drain(ctx)
		clock.Add(time.Second)
	}
	if n := len(a.Runner().OpenOutages()); n != 0 {
		t.Fatalf("%d outages still open at the end of the story", n)
	}
	return out.String()
}

// The demo's messages say each thing once and never contradict
// themselves: no phrase twice in a message, no target named again in its
// own words, and no restoration that states the outage it ends.
func TestDemoTranscript(t *testing.T) {
	got := transcript(t, "en")
	path := filepath.Join("testdata", "transcript.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("demo transcript differs from %s (-update to accept):\n%s", path, got)
	}

	line := regexp.MustCompile(`^\S+ \S+ UTC  (Acme Cloud|Acme API health)\s+([A-Z]+)\s+(.*?)  +(.*)$`)
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) < 5 {
		t.Fatalf("only %d lines:\n%s", len(lines), got)
	}
	for _, l := range lines {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("line not in columns: %q", l)
			continue
		}
		target, kind, words := m[1], m[2], m[4]
		if p := repeatedPhrase(words); p != "" {
			t.Errorf("%q says %q twice", l, p)
		}
		if strings.Contains(words, target) {
			t.Errorf("%q names its target again", l)
		}
		if kind == "RESOLVED" && regexp.MustCompile(`(?i)\b(down|slow|degraded|outage)\b`).MatchString(words) {
			t.Errorf("%q: a restoration that states the trouble", l)
		}
	}
}

// repeatedPhrase is the first run of three words that occurs twice in s
// (ignoring case and punctuation), or "".
func repeatedPhrase(s string) string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	seen := map[string]bool{}
	for i := 0; i+3 <= len(words); i++ {
		p := strings.Join(words[i:i+3], " ")
		if seen[p] {
			return p
		}
		seen[p] = true
	}
	return ""
}

// The demo in German: the bot's words in German, the vendor's as written.
func TestDemoTranscriptGerman(t *testing.T) {
	got := transcript(t, "de")
	path := filepath.Join("testdata", "transcript.de.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("demo transcript differs from %s (-update to accept):\n%s", path, got)
	}
	// The bot's own words are German; the vendor's stay as the vendor wrote them.
	for _, w := range []string{"NEU", "BEHOBEN", "Antwortet wieder normal.", "We are investigating elevated error rates on the API."} {
		if !strings.Contains(got, w) {
			t.Errorf("the German transcript lacks %q:\n%s", w, got)
		}
	}
}
