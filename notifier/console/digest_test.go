package console

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// A digest prints as one block: its headline, then its sections indented.
func TestDigestGolden(t *testing.T) {
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	ev := outage.Event{
		OutageID: "digest:1-abc:1772438400", Seq: 1, Kind: outage.Digest, Class: outage.DigestClass,
		Target: "Daily digest", At: at, OpenedAt: at, Severity: sources.PartialOutage,
		Title: "Daily digest: 2 outages in the last 24h, 1 target down now",
		Body: outage.FormatSections([]outage.Section{
			{Heading: "Now", Lines: []string{"🟠 OpenAI: partial outage — Elevated errors, since Mar 2 07:30 UTC (30m)", "✅ The other 2 are up."}},
			{Heading: "Summary", Lines: []string{"Longest outage: GitHub — Actions delayed, 1h 12m", "Mean time to restore: 1h 12m (1 outage restored)"}},
			{Heading: "Outages in the last 24h", Lines: []string{
				"✅ GitHub: Actions delayed — Mar 1 10:00 – 11:12 UTC, 1h 12m",
				"🟠 OpenAI: Elevated errors — since Mar 2 07:30 UTC, ongoing, 30m so far",
			}},
			{Heading: "Uptime over the last 24h", Lines: []string{"GitHub: 95% (down 1h 12m)", "OpenAI: 97.9% (down 30m)", "Slack: 100%"}},
			{Heading: "Period", Lines: []string{"Mar 1 08:00 – Mar 2 08:00 UTC (24h)"}},
		}),
	}
	var b bytes.Buffer
	if _, err := New(&b).Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Event: ev}); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("testdata/digest.golden", b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/digest.golden")
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("console output differs from testdata/digest.golden (-update to accept):\n%s", b.String())
	}
}
