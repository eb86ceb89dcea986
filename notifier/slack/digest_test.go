package slack

import (
	"encoding/json"
	"fmt"
	"github.com/outagebot/outagebot/i18n"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// digestEvent is a digest of n targets as package digest writes it: a few
// down now, an outage per target, a line of uptime per target.
func digestEvent(n int) outage.Event {
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	now := outage.Section{Heading: "Now"}
	var outs, ups []string
	for i := range n {
		name := fmt.Sprintf("Target %03d", i+1)
		if i%20 == 0 {
			now.Lines = append(now.Lines, fmt.Sprintf("🟠 %s: partial outage — Elevated errors & <timeouts>, since Mar 2 07:00 UTC (1h)", name))
		}
		outs = append(outs, fmt.Sprintf("✅ %s: Degraded performance of the API & dashboard — Mar 1 %02d:00 – %02d:12 UTC, 12m", name, i%24, i%24))
		ups = append(ups, fmt.Sprintf("%s: 99.2%% (down 12m)", name))
	}
	sections := []outage.Section{
		now,
		{Heading: "Summary", Lines: []string{"Longest outage: Target 001 — Degraded performance, 12m", fmt.Sprintf("Mean time to restore: 12m (%d outages restored)", n)}},
		{Heading: "Outages in the last 24h", Lines: outs},
		{Heading: "Uptime over the last 24h", Lines: ups},
		{Heading: "Period", Lines: []string{"Mar 1 08:00 – Mar 2 08:00 UTC (24h)"}},
	}
	return outage.Event{
		OutageID: "digest:1-abc:1772438400", Seq: 1, Kind: outage.Digest, Class: outage.DigestClass,
		Target: "Daily digest", At: at, OpenedAt: at, Severity: sources.PartialOutage,
		Title: fmt.Sprintf("Daily digest: %d outages in the last 24h", n),
		Body:  outage.FormatSections(sections),
	}
}

func TestRenderDigestGolden(t *testing.T) {
	quiet := outage.Event{
		OutageID: "digest:1-abc:1772438400", Seq: 1, Kind: outage.Digest, Class: outage.DigestClass,
		Target: "Daily digest", At: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), Severity: sources.Operational,
		Title: "Daily digest: no outages in the last 24h",
		Body: outage.FormatSections([]outage.Section{
			{Heading: "Now", Lines: []string{"✅ All 3 targets are up."}},
			{Heading: "Uptime over the last 24h", Lines: []string{"All 3 targets: 100%"}},
			{Heading: "Period", Lines: []string{"Mar 1 08:00 – Mar 2 08:00 UTC (24h)"}},
		}),
	}
	for name, ev := range map[string]outage.Event{
		"digest-quiet":       quiet,
		"digest-3-targets":   digestEvent(3),
		"digest-100-targets": digestEvent(100),
	} {
		t.Run(name, func(t *testing.T) {
			m := RenderDigest(i18n.For(i18n.Default), ev)
			checkLimits(t, name, m)
			if len(m.Attachments) != 0 {
				t.Error("a digest has no side bar: it is not an outage")
			}
			checkGolden(t, name, m)
		})
	}
}

// A long section is cut at a whole line and says how much was left out;
// every section keeps its heading.
func TestRenderDigestCuts(t *testing.T) {
	m := RenderDigest(i18n.For(i18n.Default), digestEvent(100))
	raw, _ := json.Marshal(m.Blocks)
	var blocks []jsonBlock
	if err := json.Unmarshal(raw, &blocks); err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 6 {
		t.Fatalf("%d blocks, want a header and 5 sections", len(blocks))
	}
	outs := blocks[3].Text.Text
	if !strings.HasPrefix(outs, "*Outages in the last 24h*\n") || !strings.Contains(outs, "\n… and ") {
		t.Errorf("outages section: %q … %q", outs[:40], outs[len(outs)-40:])
	}
	for _, l := range strings.Split(outs, "\n")[1:] {
		if !strings.HasPrefix(l, "✅ Target ") && !strings.HasPrefix(l, "… and ") {
			t.Errorf("a line was cut: %q", l)
		}
	}
	if got := blocks[5].Text.Text; got != "*Period*\nMar 1 08:00 – Mar 2 08:00 UTC (24h)" {
		t.Errorf("period = %q", got)
	}
}

func TestFitLines(t *testing.T) {
	cases := []struct {
		lines []string
		max   int
		want  string
	}{
		{[]string{"a", "b"}, 3, "a\nb"},
		{[]string{"aaaa", "bbbbbbbbbb", "cccccccccc"}, 17, "aaaa\n… and 2 more"},
		{[]string{"aaaa", "bbbb", "cccc"}, 12, "aaaa\nbbbb\nc…"},
		{[]string{"aaaaaaaaaaaaaaaaaaaa", "b"}, 16, "aa…\n… and 1 more"},
		{[]string{"aaaaaaaaaa"}, 5, "aaaa…"},
		{[]string{"a&amp;b", "c"}, 4, "a…"},
		{nil, 5, ""},
	}
	for _, c := range cases {
		got := fitLinesIn(i18n.For(i18n.Default), c.lines, c.max)
		if got != c.want {
			t.Errorf("fitLines(%q, %d) = %q, want %q", c.lines, c.max, got, c.want)
		}
	}
}

// A digest is a top-level message of its own: no thread, no root edit, and
// a retry after a lost answer finds it instead of posting it again.
func TestDeliverDigest(t *testing.T) {
	e := newEnv(t, Options{})
	ev := digestEvent(3)
	ref, err := e.deliver(t, delivery(7, "C1", ev, ""))
	if err != nil || ref == "" {
		t.Fatalf("ref %q, err %v", ref, err)
	}
	d := delivery(7, "C1", ev, "")
	d.Attempt = 1
	again, err := e.deliver(t, d)
	if err != nil || again != ref {
		t.Fatalf("retry: ref %q (first %q), err %v", again, ref, err)
	}
	msgs := e.fs.Messages("C1")
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.ThreadTS != "" || len(m.Replies) != 0 || len(m.Edits) != 0 {
		t.Errorf("digest threaded or edited: %+v", m)
	}
	if !strings.Contains(m.Text, "Daily digest: 3 outages") || !strings.Contains(string(m.Blocks), "Uptime over the last 24h") {
		t.Errorf("digest message: %q %s", m.Text, m.Blocks)
	}
	if n := len(e.fs.Calls("chat.update")); n != 0 {
		t.Errorf("chat.update called %d times", n)
	}
}
