package discord

import (
	"fmt"
	"github.com/outagebot/outagebot/i18n"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

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
			now.Lines = append(now.Lines, fmt.Sprintf("🟠 %s: partial outage — Elevated errors @everyone, since Mar 2 07:00 UTC (1h)", name))
		}
		outs = append(outs, fmt.Sprintf("✅ %s: Degraded performance of the API and dashboard — Mar 1 %02d:00 – %02d:12 UTC, 12m", name, i%24, i%24))
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
	for _, n := range []int{3, 100} {
		name := fmt.Sprintf("digest-%d-targets", n)
		t.Run(name, func(t *testing.T) {
			m := RenderDigest(i18n.For(i18n.Default), digestEvent(n))
			checkDigestLimits(t, m.Embeds)
			checkGolden(t, name, m)
		})
	}
}

func checkDigestLimits(t *testing.T, es []*discordgo.MessageEmbed) {
	t.Helper()
	if len(es) != 1 {
		t.Fatalf("%d embeds, want 1", len(es))
	}
	e := es[0]
	checkLen(t, "title", e.Title, maxEmbedTitle)
	checkLen(t, "description", e.Description, maxEmbedDescription)
	if n := embedsSize(es); n > maxEmbedTotal {
		t.Errorf("embeds total %d > %d", n, maxEmbedTotal)
	}
}

// With 100 targets every section keeps its heading and the long ones share
// the description fairly, each cut at a whole line.
func TestRenderDigestShares(t *testing.T) {
	m := RenderDigest(i18n.For(i18n.Default), digestEvent(100))
	d := m.Embeds[0].Description
	for _, h := range []string{"**Now**", "**Summary**", "**Outages in the last 24h**", "**Uptime over the last 24h**", "**Period**\nMar 1 08:00 – Mar 2 08:00 UTC (24h)"} {
		if !strings.Contains(d, h) {
			t.Errorf("description lacks %q", h)
		}
	}
	parts := strings.Split(d, "\n\n")
	if len(parts) != 5 {
		t.Fatalf("%d parts", len(parts))
	}
	outs, ups := parts[2], parts[3]
	if !strings.Contains(outs, "\n… and ") || !strings.Contains(ups, "\n… and ") {
		t.Errorf("long sections not cut with a note")
	}
	if len([]rune(outs)) < 1000 || len([]rune(ups)) < 1000 {
		t.Errorf("unfair shares: outages %d runes, uptime %d", len([]rune(outs)), len([]rune(ups)))
	}
	for _, l := range strings.Split(ups, "\n")[1:] {
		if !strings.HasSuffix(l, "(down 12m)") && !strings.HasPrefix(l, "… and ") {
			t.Errorf("a line was cut: %q", l)
		}
	}
	if m.AllowedMentions == nil || len(m.AllowedMentions.Parse) != 0 {
		t.Error("a digest must not ping anyone")
	}
	if m.Embeds[0].Color != colourOrange {
		t.Errorf("colour %#x", m.Embeds[0].Color)
	}
}

// A digest is a message of its own: no reply reference, no edit.
func TestDeliverDigest(t *testing.T) {
	e := newEnv(t, true)
	ref := deliver(t, e.n, delivery(9, digestEvent(3), ""))
	msgs := e.fake.Messages(testChannel)
	if len(msgs) != 1 || string(ref) != msgs[0].ID {
		t.Fatalf("messages %+v, ref %s", msgs, ref)
	}
	m := msgs[0]
	if m.Reference != nil || len(m.Edits) != 0 || m.Thread != "" || m.Nonce != "9" || !m.EnforceNonce {
		t.Errorf("digest message: %+v", m)
	}
	if len(m.Embeds) != 1 || !strings.HasPrefix(m.Embeds[0].Title, "Daily digest: 3 outages") {
		t.Errorf("embeds: %+v", m.Embeds)
	}
}
