package bot

import (
	"context"
	"strings"
	"testing"
	"time"
)

// FuzzParseWindow checks that ParseWindow never panics and accepts only
// durations from just above zero to MaxWindow.
func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"24h", "7d", "2w", "1.5d", "1h30m", "400d", "401d", "nand", "infd", "-1h", "999999999d", "1e9d", "0x1p4d", ".5d", "9600h", "µs"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseWindow(s)
		if err != nil {
			if d != 0 || err.Error() == "" {
				t.Fatalf("ParseWindow(%q) = %v, %v", s, d, err)
			}
			return
		}
		if d <= 0 || d > MaxWindow {
			t.Fatalf("ParseWindow(%q) = %v, outside (0, %v]", s, d, MaxWindow)
		}
		if FormatWindow(d) == "" {
			t.Fatalf("FormatWindow(%v) is empty", d)
		}
	})
}

// FuzzCommands runs command text as typed in chat through Commands.Run:
// it never panics, always answers, and a mute it accepts ends after now
// and within the longest mute.
func FuzzCommands(f *testing.F) {
	for _, s := range []string{"", "status", "openai", "incidents 7d", "incidents nand", "incidents 999999999d", "uptime github 30d",
		"uptime Checkout API 400d", "mute github 2h deploy", "mute github infd", "mute Checkout API nand 2h", "mute github 7d",
		"unmute github", "help", "report o1", "digest now 1d", "mute github 0.0001s"} {
		f.Add(s)
	}
	c := newCommands(f)
	now := c.now()
	longest := 7 * 24 * time.Hour
	f.Fuzz(func(t *testing.T, text string) {
		a := c.Run(context.Background(), Request{Text: text, User: "<@U1>"})
		if strings.TrimSpace(a.Title) == "" {
			t.Fatalf("%q: answer without a title: %+v", text, a)
		}
		if strings.Contains(a.Title, "last 0s") || strings.Contains(a.Title, "last -") {
			t.Fatalf("%q: answered %q", text, a.Title)
		}
		if name, ok := strings.CutPrefix(a.Title, "🔕 "); ok {
			name, _, _ = strings.Cut(name, " is muted until")
			if _, muted := c.Mutes.Muted(name, now); !muted {
				t.Fatalf("%q: answered %q, but %s is not muted", text, a.Title, name)
			}
		}
		for _, s := range c.View.Snapshots() {
			m, ok := c.Mutes.Muted(s.Name, now)
			if ok && (!m.Until.After(now) || m.Until.After(now.Add(longest))) {
				t.Fatalf("%q: %s muted until %v (now %v)", text, s.Name, m.Until, now)
			}
		}
	})
}
