package words

import (
	"testing"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
)

// English writes uptimes and windows exactly as the bot always did
// (bot.FormatPercent, bot.FormatWindow), so English digests do not change.
func TestEnglishIsAsBefore(t *testing.T) {
	en := i18n.For("en")
	for _, v := range []float64{0, 12.5, 50, 95, 96.52777, 97.9166, 99.05, 99.949, 99.95, 99.9949, 99.9951, 99.99949, 99.99951, 99.999999, 100, 100.2} {
		if got, want := en.Share(v), bot.FormatPercent(v); got != want {
			t.Errorf("Percent(%v) = %q, want %q", v, got, want)
		}
	}
	for _, d := range []time.Duration{time.Hour, 24 * time.Hour, 48 * time.Hour, 72 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 30 * 24 * time.Hour, 90 * time.Minute, 36*time.Hour + 30*time.Minute} {
		if got, want := en.Window(d), bot.FormatWindow(d); got != want {
			t.Errorf("Window(%s) = %q, want %q", d, got, want)
		}
		if got, want := Last(en, d), "the last "+bot.FormatWindow(d); got != want {
			t.Errorf("Last(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestGerman(t *testing.T) {
	de := i18n.For("de")
	for _, c := range []struct{ got, want string }{
		{de.Share(99.95), "99,95 %"},
		{de.Share(99.99951), "99,999 %"},
		{de.Share(100), "100 %"},
		{de.Window(time.Hour), "1 Stunde"},
		{de.Window(7 * 24 * time.Hour), "7 Tage"},
		{de.Window(14 * 24 * time.Hour), "2 Wochen"},
		{Last(de, time.Hour), "der letzten Stunde"},
		{Last(de, 24*time.Hour), "den letzten 24 Stunden"},
		{Last(de, 7*24*time.Hour), "den letzten 7 Tagen"},
		{Last(de, 90*time.Minute), "den letzten 1 Std. 30 Min."},
	} {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	from, to := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC), time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)
	if s, e := Span(de, from, to, berlin); s != "29. März 01:30 CET" || e != "03:30 CEST" {
		t.Errorf("span across the clock change: %q – %q", s, e)
	}
	if s, e := Span(de, from, to.Add(24*time.Hour), time.UTC); s != "29. März 00:30" || e != "30. März 01:30 UTC" {
		t.Errorf("span across days: %q – %q", s, e)
	}
}
