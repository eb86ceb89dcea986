package silence

import (
	"testing"
	"time"

	"github.com/outagebot/outagebot/config"
)

func mustLoad(t *testing.T, doc string) Set {
	t.Helper()
	cfg, err := config.Parse("test.toml", []byte(`
[[target]]
name = "GitHub"
vendor = "github"
group = "code"

[[target]]
name = "OpenAI"
vendor = "openai"
group = "ai"
`+doc), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	s, err := FromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestWindows checks, at chosen instants, whether each target is silenced
// and until when. The Berlin cases straddle the 2026 changes: clocks jump
// from 02:00 to 03:00 on 29 March and fall back from 03:00 to 02:00 on 25
// October.
func TestWindows(t *testing.T) {
	type check struct {
		at     string
		target string
		until  string // "" = not silenced
	}
	tests := []struct {
		name   string
		doc    string
		checks []check
	}{
		{
			name: "weekly, by group, in its zone",
			doc: `[[silence]]
schedule = "0 2 * * SUN"
timezone = "Europe/Berlin"
duration = "2h"
targets = ["code"]
reason = "database maintenance"`,
			checks: []check{
				{"2026-02-08T00:59:59Z", "GitHub", ""},
				{"2026-02-08T01:00:00Z", "GitHub", "2026-02-08T03:00:00Z"}, // 02:00 CET
				{"2026-02-08T02:59:59Z", "GitHub", "2026-02-08T03:00:00Z"},
				{"2026-02-08T03:00:00Z", "GitHub", ""},
				{"2026-02-08T01:30:00Z", "OpenAI", ""},                     // another group
				{"2026-02-09T01:30:00Z", "GitHub", ""},                     // a Monday
				{"2026-07-05T00:30:00Z", "GitHub", "2026-07-05T02:00:00Z"}, // 02:00 CEST
			},
		},
		{
			name: "a start in the skipped hour happens as the clock jumps",
			doc: `[[silence]]
schedule = "CRON_TZ=Europe/Berlin 30 2 * * SUN"
duration = "2h"`,
			checks: []check{
				// 02:30 never happens on 29 March; the window starts at 03:00
				// CEST (01:00 UTC) and lasts two real hours.
				{"2026-03-29T00:59:59Z", "OpenAI", ""},
				{"2026-03-29T01:00:00Z", "OpenAI", "2026-03-29T03:00:00Z"},
				{"2026-03-29T02:59:00Z", "GitHub", "2026-03-29T03:00:00Z"},
				{"2026-03-29T03:00:00Z", "GitHub", ""},
			},
		},
		{
			name: "a start in the repeated hour happens once",
			doc: `[[silence]]
schedule = "CRON_TZ=Europe/Berlin 30 2 * * SUN"
duration = "2h"`,
			checks: []check{
				// 02:30 CEST is 00:30 UTC; 02:30 CET an hour later starts
				// nothing, so the window ends two hours after the first.
				{"2026-10-25T00:30:00Z", "GitHub", "2026-10-25T02:30:00Z"},
				{"2026-10-25T01:45:00Z", "GitHub", "2026-10-25T02:30:00Z"},
				{"2026-10-25T02:30:00Z", "GitHub", ""},
				{"2026-10-25T03:15:00Z", "GitHub", ""},
			},
		},
		{
			name: "fixed wall-clock times across the spring change",
			doc: `[[silence]]
start = "2026-03-29 01:00"
end = "2026-03-29 04:00"
timezone = "Europe/Berlin"
targets = ["openai"]
reason = "migration"`,
			checks: []check{
				// Three hours on the wall clock, two real ones.
				{"2026-03-28T23:59:59Z", "OpenAI", ""},
				{"2026-03-29T00:00:00Z", "OpenAI", "2026-03-29T02:00:00Z"},
				{"2026-03-29T01:59:59Z", "OpenAI", "2026-03-29T02:00:00Z"},
				{"2026-03-29T02:00:00Z", "OpenAI", ""},
				{"2026-03-29T01:00:00Z", "GitHub", ""},
			},
		},
		{
			name: "RFC 3339 bounds ignore the timezone; overlapping windows end last",
			doc: `[[silence]]
start = "2026-05-01T10:00:00Z"
end = "2026-05-01T14:00:00+02:00"

[[silence]]
schedule = "0 * * * *"
duration = "90m"
targets = ["GitHub"]`,
			checks: []check{
				{"2026-05-01T09:59:00Z", "OpenAI", ""},
				{"2026-05-01T10:00:00Z", "OpenAI", "2026-05-01T12:00:00Z"},
				{"2026-05-01T12:00:00Z", "OpenAI", ""},
				{"2026-05-01T10:45:00Z", "GitHub", "2026-05-01T12:00:00Z"}, // the fixed one ends later
				{"2026-05-01T13:15:00Z", "GitHub", "2026-05-01T14:30:00Z"}, // 13:00's, not 12:00's
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustLoad(t, tt.doc)
			for _, c := range tt.checks {
				m, ok := s.Silenced(c.target, utc(c.at))
				switch {
				case c.until == "" && ok:
					t.Errorf("%s at %s: silenced until %s, want not silenced", c.target, c.at, m.Until.UTC().Format(time.RFC3339))
				case c.until != "" && !ok:
					t.Errorf("%s at %s: not silenced, want until %s", c.target, c.at, c.until)
				case ok && !m.Until.Equal(utc(c.until)):
					t.Errorf("%s at %s: silenced until %s, want %s", c.target, c.at, m.Until.UTC().Format(time.RFC3339), c.until)
				case ok && (!m.Scheduled || m.Target != c.target):
					t.Errorf("%s at %s: mute %+v is not marked as a configured window", c.target, c.at, m)
				}
			}
		})
	}
}

// BenchmarkSilenced is the cost a configured silence adds to every poll of
// a target it covers (the runner asks on each step).
func BenchmarkSilenced(b *testing.B) {
	cfg, err := config.Parse("bench.toml", []byte(`
[[target]]
name = "GitHub"
vendor = "github"
[[silence]]
schedule = "CRON_TZ=Europe/Berlin 0 2 * * SUN"
duration = "2h"
[[silence]]
start = "2026-12-24 18:00"
end = "2026-12-27 08:00"
timezone = "Europe/Berlin"
`), func(string) (string, bool) { return "", false })
	if err != nil {
		b.Fatal(err)
	}
	s, err := FromConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	at := utc("2026-02-11T12:00:00Z") // a Wednesday: outside both
	b.ReportAllocs()
	for b.Loop() {
		s.Silenced("GitHub", at)
	}
}
