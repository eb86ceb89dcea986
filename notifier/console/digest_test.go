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
	// As package digest writes it in German: the console prints the
	// language it speaks.
	ev.Written = map[string]outage.Written{"de": {
		Title: "Täglicher Digest: 2 Ausfälle in den letzten 24 Stunden, 1 Ziel jetzt gestört",
		Body: outage.FormatSections([]outage.Section{
			{Heading: "Jetzt", Lines: []string{"🟠 OpenAI: Teilausfall — Elevated errors, seit 2. März 07:30 UTC (30 Min.)", "✅ Die anderen 2 sind in Betrieb."}},
			{Heading: "Zusammenfassung", Lines: []string{"Längster Ausfall: GitHub — Actions delayed, 1 Std. 12 Min.", "Mittlere Wiederherstellungszeit: 1 Std. 12 Min. (1 Ausfall behoben)"}},
			{Heading: "Ausfälle in den letzten 24 Stunden", Lines: []string{
				"✅ GitHub: Actions delayed — 1. März 10:00 – 11:12 UTC, 1 Std. 12 Min.",
				"🟠 OpenAI: Elevated errors — seit 2. März 07:30 UTC, andauernd, bisher 30 Min.",
			}},
			{Heading: "Verfügbarkeit in den letzten 24 Stunden", Lines: []string{"GitHub: 95 % (1 Std. 12 Min. Ausfallzeit)", "OpenAI: 97,9 % (30 Min. Ausfallzeit)", "Slack: 100 %"}},
			{Heading: "Zeitraum", Lines: []string{"1. März 08:00 – 2. März 08:00 UTC (24 Stunden)"}},
		}),
	}}
	report := ev
	report.Kind, report.Title, report.Body = outage.Report, "Report: OpenAI, Elevated errors", outage.FormatSections([]outage.Section{{Lines: []string{"Lasted 30m."}}})
	report.Written = map[string]outage.Written{"de": {Title: "Bericht: OpenAI, Elevated errors", Body: outage.FormatSections([]outage.Section{{Lines: []string{"Dauerte 30 Min."}}})}}
	inEveryLanguage(t, func(t *testing.T, lang string) {
		golden(t, goldenName(lang, "digest"), render(t, []outage.Event{ev}, WithLang(lang)))
		golden(t, goldenName(lang, "report"), render(t, []outage.Event{report}, WithLang(lang)))
	})
}
