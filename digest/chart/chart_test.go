package chart_test

import (
	"bytes"
	"flag"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/outagebot/outagebot/digest"
	"github.com/outagebot/outagebot/digest/chart"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

var update = flag.Bool("update", false, "rewrite testdata/ from what renders now")

var at = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

var en = i18n.For("en")

func up(target string, down time.Duration, window time.Duration) digest.Uptime {
	return digest.Uptime{Target: target, Down: down, Percent: 100 * (1 - float64(down)/float64(window))}
}

// day is a day with a bit of everything: outages of each severity, one
// still going on, maintenance, a feed that could not be read, quiet
// targets.
func day() digest.Digest {
	w := 24 * time.Hour
	return digest.Digest{
		At: at, Since: at.Add(-w), Window: w, Targets: 7,
		Outages: []digest.Outage{
			{Target: "Anthropic", Title: "Elevated errors", Severity: sources.Degraded, Start: at.Add(-20 * time.Hour), End: at.Add(-19*time.Hour - 48*time.Minute)},
			{Target: "OpenAI", Title: "API down", Severity: sources.MajorOutage, Start: at.Add(-14 * time.Hour), End: at.Add(-13*time.Hour - 34*time.Minute)},
			{Target: "Anthropic", Title: "Slow responses", Severity: sources.PartialOutage, Start: at.Add(-9 * time.Hour), End: at.Add(-8*time.Hour - 55*time.Minute)},
			{Target: "Stripe", Title: "Payments failing", Severity: sources.PartialOutage, Start: at.Add(-50 * time.Minute)},
		},
		Spans: []digest.Span{
			{Target: "GitHub", Status: sources.Maintenance, Start: at.Add(-6 * time.Hour), End: at.Add(-5 * time.Hour)},
			{Target: "Slack", Status: sources.Unknown, Start: at.Add(-30 * time.Hour), End: at.Add(-23*time.Hour - 50*time.Minute)},
		},
		Uptime: []digest.Uptime{
			up("OpenAI", 26*time.Minute, w), up("Anthropic", 17*time.Minute, w), up("GitHub", 0, w),
			up("Slack", 0, w), up("Stripe", 50*time.Minute, w), up("Cloudflare", 0, w), up("Twilio", 0, w),
		},
	}
}

// week is seven days in Berlin across the change to summer time, with a
// long outage and a very long target name.
func week() digest.Digest {
	w := 7 * 24 * time.Hour
	end := time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	long := "A service with a name far longer than any lane has room for"
	return digest.Digest{
		At: end, Since: end.Add(-w), Window: w, Targets: 3, Location: berlin,
		Outages: []digest.Outage{
			{Target: "OpenAI", Severity: sources.MajorOutage, Start: end.Add(-8 * 24 * time.Hour), End: end.Add(-6 * 24 * time.Hour)},
			{Target: long, Severity: sources.Degraded, Start: end.Add(-3 * 24 * time.Hour), End: end.Add(-3*24*time.Hour + 2*time.Minute)},
		},
		Uptime: []digest.Uptime{up("OpenAI", 24*time.Hour, w), up(long, 2*time.Minute, w), up("GitHub", 0, w)},
	}
}

func quiet() digest.Digest {
	w := 24 * time.Hour
	return digest.Digest{At: at, Since: at.Add(-w), Window: w, Targets: 1, Uptime: []digest.Uptime{up("OpenAI", 0, w)}}
}

// many is n targets, every seventh with an outage.
func many(n int) digest.Digest {
	w := 24 * time.Hour
	d := digest.Digest{At: at, Since: at.Add(-w), Window: w, Targets: n}
	sev := []sources.Status{sources.Degraded, sources.PartialOutage, sources.MajorOutage}
	for i := range n {
		name := fmt.Sprintf("Target %02d", i+1)
		var down time.Duration
		if i%7 == 0 {
			down = time.Duration(i+5) * time.Minute
			start := at.Add(-time.Duration(i%23+1) * time.Hour)
			d.Outages = append(d.Outages, digest.Outage{Target: name, Severity: sev[i%3], Start: start, End: start.Add(down)})
		}
		if i%5 == 0 {
			start := at.Add(-time.Duration(i%11+2) * time.Hour)
			d.Spans = append(d.Spans, digest.Span{Target: name, Status: sources.Maintenance, Start: start, End: start.Add(40 * time.Minute)})
		}
		d.Uptime = append(d.Uptime, up(name, down, w))
	}
	return d
}

// The picture and its alt text are golden, byte for byte, in every
// language: English in <case>.png and <case>-alt.golden, others in
// <case>.<lang>.png and <case>-alt.<lang>.golden. Look at a changed PNG
// before accepting it with -update.
func TestRenderGolden(t *testing.T) {
	cases := map[string]digest.Digest{
		"day":   day(),
		"week":  week(),
		"quiet": quiet(),
		"many":  many(50),
	}
	for _, lang := range i18n.Languages {
		p := i18n.For(lang)
		suffix := ""
		if lang != "en" {
			suffix = "." + lang
		}
		for name, d := range cases {
			t.Run(lang+"/"+name, func(t *testing.T) {
				c := d.Chart()
				img, err := chart.Render(c, p)
				if err != nil {
					t.Fatal(err)
				}
				again, err := chart.Render(c, p)
				if err != nil || !bytes.Equal(img, again) {
					t.Fatalf("a second rendering differs (err %v)", err)
				}
				cfg, err := png.DecodeConfig(bytes.NewReader(img))
				if err != nil {
					t.Fatalf("not a PNG: %v", err)
				}
				if cfg.Width != 960 || cfg.Height > 720 {
					t.Errorf("size %dx%d, want 960 wide and at most 720 high", cfg.Width, cfg.Height)
				}
				golden.Bytes(t, name+suffix+".png", img, *update)
				alt := chart.AltText(c, p)
				if n := utf8.RuneCountInString(alt); n > chart.MaxAltText || strings.Contains(alt, "\n") {
					t.Errorf("alt text of %d runes or on several lines: %q", n, alt)
				}
				golden.Text(t, name+"-alt"+suffix, alt+"\n", *update)
			})
		}
	}
}

// The title Slack shows above the picture, in each language.
func TestTitle(t *testing.T) {
	c := week().Chart()
	for lang, want := range map[string]string{
		"en": "Uptime and outages, Mar 23 10:00 CET – Mar 30 11:00 CEST",
		"de": "Verfügbarkeit und Ausfälle, 23. März 10:00 CET – 30. März 11:00 CEST",
	} {
		if got := chart.Title(c, i18n.For(lang)); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	c = day().Chart()
	if got, want := chart.Title(c, i18n.For("de")), "Verfügbarkeit und Ausfälle, 1. März 08:00 – 2. März 08:00 UTC"; got != want {
		t.Errorf("de: %q, want %q", got, want)
	}
}

// The data carried by the event decides the picture, however the targets
// were ordered when the digest was built.
func TestRenderIgnoresInputOrder(t *testing.T) {
	d := day()
	a, err := chart.Render(d.Chart(), en)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(d.Uptime)-1; i < j; i, j = i+1, j-1 {
		d.Uptime[i], d.Uptime[j] = d.Uptime[j], d.Uptime[i]
	}
	b, err := chart.Render(d.Chart(), en)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("reordering the targets changed the picture")
	}
}

func TestRenderRefuses(t *testing.T) {
	cases := map[string]*outage.Chart{
		"nil":          nil,
		"no lanes":     {Since: at.Add(-time.Hour), Until: at},
		"empty window": {Since: at, Until: at, Lanes: []outage.ChartLane{{Target: "OpenAI", Uptime: 100}}},
	}
	for name, c := range cases {
		if _, err := chart.Render(c, en); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// Alt text stays within the platforms' limit however many targets had
// outages, cutting at a whole target.
func TestAltTextBounded(t *testing.T) {
	w := 24 * time.Hour
	c := &outage.Chart{Since: at.Add(-w), Until: at}
	for i := range outage.MaxChartLanes {
		name := strings.Repeat(fmt.Sprintf("Target %02d ", i), 6)
		c.Lanes = append(c.Lanes, outage.ChartLane{Target: name, Uptime: 99, Down: 15 * time.Minute, Outages: 2})
	}
	for lang, cut := range map[string]string{"en": "more with outages.", "de": "weitere mit Ausfällen."} {
		alt := chart.AltText(c, i18n.For(lang))
		if n := utf8.RuneCountInString(alt); n > chart.MaxAltText {
			t.Fatalf("%s: %d runes", lang, n)
		}
		if !strings.Contains(alt, cut) {
			t.Errorf("%s: does not say what was left out: %q", lang, alt)
		}
	}
}

// BenchmarkRender50 renders the chart of a digest of 50 targets (20 lanes
// drawn, the rest counted).
func BenchmarkRender50(b *testing.B) {
	c := many(50).Chart()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := chart.Render(c, en); err != nil {
			b.Fatal(err)
		}
	}
}
