package console

import (
	"testing"
	"time"

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
	report := ev
	report.Kind, report.Title, report.Body = outage.Report, "Report: OpenAI, Elevated errors", outage.FormatSections([]outage.Section{{Lines: []string{"Lasted 30m."}}})
	inEveryLanguage(t, func(t *testing.T, lang string) {
		golden(t, goldenName(lang, "digest"), render(t, []outage.Event{ev}, WithLang(lang)))
		golden(t, goldenName(lang, "report"), render(t, []outage.Event{report}, WithLang(lang)))
	})
}
