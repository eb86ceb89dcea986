package console

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// terminalEvents are the cases a terminal must lay out: short and long
// words, several components, notes, a link, every kind of notice.
func terminalEvents() []outage.Event {
	t0 := time.Date(2026, 11, 22, 14, 2, 11, 0, time.UTC)
	o := outage.Outage{ID: "o1", Target: "OpenAI", Class: outage.Incident, Title: "Elevated error rates on Chat Completions",
		Severity: sources.Degraded, Phase: sources.IncidentInvestigating, URL: "https://status.openai.com/incidents/01JMYB4A4Q8X3ZP3QH5W0D4KQY", OpenedAt: t0,
		Components: []outage.ComponentState{{Name: "Chat Completions", Status: sources.Degraded}}}
	var evs []outage.Event
	evs = append(evs, o.Event(outage.Opened, t0.Add(time.Minute), "We are investigating elevated error rates for requests to Chat Completions and the Responses API. Some requests may fail or take longer than usual.\n\nWe will post an update within 30 minutes."))
	o.Severity, o.Phase = sources.PartialOutage, sources.IncidentIdentified
	o.Components = []outage.ComponentState{{Name: "Chat Completions", Status: sources.PartialOutage}, {Name: "Embeddings", Status: sources.Degraded}}
	evs = append(evs, o.Event(outage.Updated, t0.Add(19*time.Minute), "We have identified the cause."))
	o.ResolvedAt, o.Phase = t0.Add(71*time.Minute+54*time.Second), sources.IncidentResolved
	evs = append(evs, o.Event(outage.Resolved, o.ResolvedAt, "This incident has been resolved."))

	h := outage.Outage{ID: "h1", Target: "Acme Cloud", Class: outage.Incident, Title: "Degraded performance on API", Severity: sources.Degraded, OpenedAt: t0,
		Components: []outage.ComponentState{{Name: "API", Status: sources.Degraded}}, Related: outage.Related{Affects: "Acme API health works"}}
	evs = append(evs, h.Event(outage.Opened, t0, "The status page shows this, with no incident posted yet."))

	p := outage.Outage{ID: "p1", Target: "Checkout API", Class: outage.Incident, Title: "Down", Severity: sources.MajorOutage, OpenedAt: t0,
		Related: outage.Related{Cause: "Likely caused by Acme Cloud: Degraded performance on API (since 14:02 UTC)", Fallback: "Fallback: Checkout API (us-east-1) is operational"}}
	evs = append(evs, p.Event(outage.Opened, t0.Add(time.Minute), "HTTP 503, expected 2xx/3xx (3 failed checks in a row)"))
	p.ResolvedAt = t0.Add(23 * time.Minute)
	evs = append(evs, p.Event(outage.Resolved, p.ResolvedAt, "Responding normally again."))

	m := outage.Outage{ID: "m1", Target: "GitHub", Class: outage.MaintenanceWork, Title: "Database maintenance", Severity: sources.Maintenance, OpenedAt: t0}
	evs = append(evs, m.Event(outage.Opened, t0, "Maintenance has begun."))
	m.ResolvedAt = t0.Add(30 * time.Minute)
	evs = append(evs, m.Event(outage.Resolved, m.ResolvedAt, "Maintenance is complete."))

	u := outage.Outage{ID: "u1", Target: "Slack", Class: outage.Unreachable, Title: "Slack: no status data", Severity: sources.Unknown, OpenedAt: t0}
	evs = append(evs, u.Event(outage.Opened, t0, "Could not read the status feed 3 times in a row: HTTP 503. Open outages stay open until it can be read again."))
	u.ResolvedAt = t0.Add(5 * time.Minute)
	evs = append(evs, u.Event(outage.Resolved, u.ResolvedAt, "Status data is available again."))

	n := outage.Outage{ID: "n1", Target: outage.SelfTarget, Class: outage.Unreachable, Title: "Cannot reach the internet", Severity: sources.Unknown, OpenedAt: t0.Add(time.Hour)}
	evs = append(evs, n.Event(outage.Opened, n.OpenedAt, "All 5 targets failed at once before reaching their servers (DNS or connect): this machine's network looks down. Their outages are not announced until it is back."))
	n.ResolvedAt = n.OpenedAt.Add(7 * time.Minute)
	evs = append(evs, n.Event(outage.Resolved, n.ResolvedAt, "Back online: OpenAI answers again. What failed while offline was not counted against the 5 targets."))
	return evs
}

var terminalTargets = []string{"OpenAI", "Acme Cloud", "Checkout API", "GitHub", "Slack"}

func render(t *testing.T, evs []outage.Event, opts ...Option) string {
	t.Helper()
	var b bytes.Buffer
	n := New(&b, opts...)
	for i, ev := range evs {
		if _, err := n.Deliver(context.Background(), notifier.Delivery{OutboxID: int64(i + 1), Event: ev}); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
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
		t.Errorf("output differs from %s (-update to accept):\n%s", path, got)
	}
}

// On a terminal the columns line up, the words wrap to its width (below the
// columns when it is too narrow for them beside), and colour marks the
// severity only when asked for.
func TestTerminalGolden(t *testing.T) {
	for _, tc := range []struct {
		width int
		color bool
	}{{80, false}, {80, true}, {120, false}, {120, true}} {
		name := fmt.Sprintf("terminal-%d", tc.width)
		if tc.color {
			name += "-color"
		}
		t.Run(name, func(t *testing.T) {
			inEveryLanguage(t, func(t *testing.T, lang string) {
				got := render(t, terminalEvents(), WithWidth(tc.width), WithColor(tc.color), WithTargets(terminalTargets), WithLang(lang))
				golden(t, goldenName(lang, name), got)
				for i, l := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
					plain := stripANSI(l)
					if w := textWidth(plain); w > tc.width && !strings.Contains(plain, "https://") {
						t.Errorf("line %d is %d columns wide, more than %d: %q", i+1, w, tc.width, plain)
					}
					if !tc.color && plain != l {
						t.Errorf("line %d has colour codes though colour is off: %q", i+1, l)
					}
				}
				if opened := i18n.For(lang).T("chat.console.kind.opened", nil); tc.color && !strings.Contains(got, "\x1b[1;31m"+opened) {
					t.Error("a major outage is not red")
				}
			})
		})
	}
}

// Without a terminal each event is one full line, aligned, never cut.
func TestPipeKeepsOneFullLinePerEvent(t *testing.T) {
	evs := terminalEvents()
	inEveryLanguage(t, func(t *testing.T, lang string) {
		got := render(t, evs, WithTargets(terminalTargets), WithLang(lang))
		golden(t, goldenName(lang, "pipe"), got)
		if n := strings.Count(got, "\n"); n != len(evs) {
			t.Errorf("%d lines for %d events", n, len(evs))
		}
		if strings.Contains(got, "…") || strings.Contains(got, "\x1b[") {
			t.Error("a piped line was cut or coloured")
		}
	})
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// The words never say again what the columns or the other words already
// say, and a restoration never repeats the title that named the trouble.
func TestWordsSayEachThingOnce(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)
	api := []outage.ComponentState{{Name: "API", Status: sources.Degraded}}
	for _, tc := range []struct {
		name string
		ev   outage.Event
		want string
	}{
		{"a component named in the title is not listed again",
			outage.Event{Kind: outage.Opened, Class: outage.Incident, Title: "Degraded performance on API", Severity: sources.Degraded, Components: api, Body: "The status page shows this, with no incident posted yet."},
			"Degraded performance on API: The status page shows this, with no incident posted yet."},
		{"one component in the severity shown, named loosely in the words, is not listed",
			outage.Event{Kind: outage.Updated, Class: outage.Incident, Title: "Elevated error rates on the API", Phase: sources.IncidentInvestigating, Severity: sources.Degraded, Components: api, Body: "We are investigating."},
			"Elevated error rates on the API [investigating]: We are investigating."},
		{"a component the words do not name is listed",
			outage.Event{Kind: outage.Updated, Class: outage.Incident, Title: "Elevated error rates on the API", Phase: sources.IncidentIdentified, Severity: sources.PartialOutage,
				Components: []outage.ComponentState{{Name: "API", Status: sources.PartialOutage}, {Name: "Chat", Status: sources.Degraded}}, Body: "Identified."},
			"Elevated error rates on the API [identified]: Identified. (API partial outage, Chat degraded performance)"},
		{"a name inside another word does not count as named",
			outage.Event{Kind: outage.Opened, Class: outage.Incident, Title: "RAPID errors", Severity: sources.MajorOutage, Components: []outage.ComponentState{{Name: "API", Status: sources.Degraded}}},
			"RAPID errors (API degraded performance)"},
		{"our own outage's restoration shows the restoration, not the title",
			outage.Event{Kind: outage.Resolved, Class: outage.Incident, Title: "Down", Severity: sources.MajorOutage, Body: "Responding normally again."},
			"Responding normally again."},
		{"a vendor incident's restoration keeps its name",
			outage.Event{Kind: outage.Resolved, Class: outage.Incident, Title: "Elevated errors", Phase: sources.IncidentResolved, Severity: sources.MajorOutage, Body: "This incident has been resolved."},
			"Elevated errors [resolved]: This incident has been resolved."},
		{"an unknown notice does not repeat its title",
			outage.Event{Kind: outage.Opened, Class: outage.Unreachable, Title: "Slack: no status data", Severity: sources.Unknown, Body: "Could not read the status feed."},
			"Could not read the status feed."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.ev.Target, tc.ev.At, tc.ev.OpenedAt = "T", t0, t0
			line := Line(tc.ev)
			if !strings.HasSuffix(line, "  "+tc.want) {
				t.Errorf("got  %q\nwant it to end in %q", line, tc.want)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		max   int
		want  []string
	}{
		{"one two three", 20, 3, []string{"one two three"}},
		{"one two three", 7, 3, []string{"one two", "three"}},
		{"one two three four five six", 7, 2, []string{"one two", "three…"}},
		{"abcdefghij", 4, 5, []string{"abcd", "efgh", "ij"}},
		{"a verylongword b", 5, 5, []string{"a", "veryl", "ongwo", "rd b"}},
		{"", 10, 3, []string{""}},
		{"日本語の文章です", 6, 3, []string{"日本語", "の文章", "です"}},
	} {
		got := wrap(tc.in, tc.width, tc.max)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("wrap(%q, %d, %d) = %q, want %q", tc.in, tc.width, tc.max, got, tc.want)
		}
	}
	if got := cut("Checkout API (eu-west-1 primary)", 12); got != "Checkout AP…" {
		t.Errorf("cut = %q", got)
	}
}

// A vendor update that repeats its incident's title in a sentence is shown
// without the title.
func TestTitleRepeatedInTheBody(t *testing.T) {
	at := time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)
	ev := outage.Event{Kind: outage.Opened, Class: outage.Incident, Target: "Acme Cloud", At: at, OpenedAt: at, Severity: sources.Degraded,
		Title: "Elevated error rates on the API", Phase: sources.IncidentInvestigating, Body: "We are investigating elevated error rates on the API."}
	if got, want := Line(ev), "  [investigating] We are investigating elevated error rates on the API."; !strings.HasSuffix(got, want) {
		t.Errorf("got %q, want it to end in %q", got, want)
	}
}
