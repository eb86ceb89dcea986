package i18n

import (
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// The cost of writing the bot's words: a message with arguments, one with
// a plural form, and a stored outage sentence with nested messages.
func BenchmarkWords(b *testing.B) {
	at := time.Date(2026, 3, 2, 9, 5, 0, 0, time.UTC)
	said := outage.Say("format.list", outage.Str("Head", "eu-west, us-east"),
		outage.Nested("Last", outage.Say("format.date", outage.Str("Day", "2"), outage.Str("Month", "März"), outage.Clock("Clock", at), outage.Str("Zone", "UTC"))))
	for _, lang := range Languages {
		p := For(lang)
		b.Run(lang+"/message", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = p.Date(at)
			}
		})
		b.Run(lang+"/status", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = p.Status(sources.MajorOutage)
			}
		})
		b.Run(lang+"/duration", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = p.Duration(72 * time.Minute)
			}
		})
		b.Run(lang+"/stored-text", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = p.Text(said)
			}
		})
	}
}
