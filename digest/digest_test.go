package digest

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier/discord"
	"github.com/outagebot/outagebot/notifier/slack"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/uptime"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// view is the engine as a digest sees it.
type view struct {
	snaps []bot.Snapshot
	open  []outage.Outage
	// panics makes Snapshots panic this many times.
	panics int
}

func (v *view) Snapshots() []bot.Snapshot {
	if v.panics > 0 {
		v.panics--
		panic("snapshots exploded")
	}
	return append([]bot.Snapshot(nil), v.snaps...)
}

func (v *view) OpenOutages() []outage.Outage { return v.open }

// history is the store's outage history, with its filter, when the
// targets were first seen and the gaps in the bot's observation.
type history struct {
	outs []outage.Outage
	seen map[string]store.TargetHistory
	gaps map[string][]uptime.Gap
	err  error
}

func (h history) TargetHistories(context.Context) (map[string]store.TargetHistory, error) {
	return h.seen, h.err
}

func (h history) Gaps(_ context.Context, target string, since time.Time) (map[string][]uptime.Gap, error) {
	out := map[string][]uptime.Gap{}
	for t, gaps := range h.gaps {
		for _, g := range gaps {
			if (target == "" || t == target) && g.To.After(since) {
				out[t] = append(out[t], g)
			}
		}
	}
	return out, h.err
}

// seenBy is h with v's targets first seen long ago, unless h says when
// they were seen.
func (h history) seenBy(v *view) history {
	if h.seen == nil {
		h.seen = seenLongAgo(v)
	}
	return h
}

// seenLongAgo says the view's targets were first seen a month before at.
func seenLongAgo(v *view) map[string]store.TargetHistory {
	m := map[string]store.TargetHistory{}
	for _, s := range v.snaps {
		m[s.Name] = store.TargetHistory{FirstSeen: at.Add(-30 * 24 * time.Hour)}
	}
	return m
}

func (h history) Outages(_ context.Context, since time.Time, target string) ([]outage.Outage, error) {
	if h.err != nil {
		return nil, h.err
	}
	var out []outage.Outage
	for _, o := range h.outs {
		if (o.ResolvedAt.IsZero() || !o.ResolvedAt.Before(since)) && (target == "" || o.Target == target) {
			out = append(out, o)
		}
	}
	return out, nil
}

// at is when the sample digest is built: a 24h window from Mar 1 09:00 UTC.
var at = utc("2026-03-02T09:00:00Z")

func out(target, title string, class outage.Class, from, to string) outage.Outage {
	o := outage.Outage{ID: target + "/" + from, Target: target, Title: title, Class: class, Severity: sources.PartialOutage, OpenedAt: utc(from)}
	if to != "" {
		o.ResolvedAt = utc(to)
	}
	return o
}

// sample is five targets and a day of history, computed by hand in
// TestBuild.
func sample() (*view, history) {
	openAI := out("OpenAI", "Elevated errors", outage.Incident, "2026-03-02T08:30:00Z", "")
	v := &view{
		snaps: []bot.Snapshot{
			{Name: "OpenAI", Status: sources.PartialOutage, Reachable: true, CheckedAt: at, ReadAt: at},
			{Name: "GitHub", Status: sources.Operational, Reachable: true, CheckedAt: at, ReadAt: at},
			{Name: "Slack", Status: sources.Operational, Reachable: true, CheckedAt: at, ReadAt: at},
			// Last read when its unreachable outage opened.
			{Name: "Stripe", Status: sources.Unknown, CheckedAt: at, ReadAt: utc("2026-03-02T08:00:00Z"), UnreachableSince: utc("2026-03-02T08:00:00Z")},
			{Name: "Acme", Status: sources.Operational, Reachable: true, CheckedAt: at, ReadAt: at},
		},
		open: []outage.Outage{openAI, out("Stripe", "Stripe: no status data", outage.Unreachable, "2026-03-02T08:00:00Z", "")},
	}
	h := history{outs: []outage.Outage{
		openAI,
		out("GitHub", "Actions delayed", outage.Incident, "2026-03-01T10:00:00Z", "2026-03-01T11:12:00Z"),
		out("Slack", "Messages delayed", outage.Incident, "2026-03-01T12:00:00Z", "2026-03-01T13:00:00Z"),
		out("Slack", "API errors", outage.Incident, "2026-03-01T12:30:00Z", "2026-03-01T14:02:00Z"),
		// Began before the window: 1h of it is inside.
		out("Acme", "Checkout down", outage.Incident, "2026-03-01T07:00:00Z", "2026-03-01T10:00:00Z"),
		// Not outages: the feed unreadable, planned maintenance.
		out("Stripe", "Stripe: no status data", outage.Unreachable, "2026-03-01T15:00:00Z", "2026-03-01T16:00:00Z"),
		out("GitHub", "Database maintenance", outage.MaintenanceWork, "2026-03-01T20:00:00Z", "2026-03-01T22:00:00Z"),
		// Over before the window began.
		out("GitHub", "Old trouble", outage.Incident, "2026-03-01T05:00:00Z", "2026-03-01T06:00:00Z"),
	}}
	h.seen = seenLongAgo(v)
	return v, h
}

func TestBuild(t *testing.T) {
	v, h := sample()
	d, err := Build(context.Background(), Inputs{View: v, History: h}, 24*time.Hour, at, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Uptime = 1 - downtime in the window / its measured minutes (1440
	// less maintenance and unknown time).
	wantUptime := []struct {
		target string
		down   time.Duration
		pct    string
	}{
		{"OpenAI", 30 * time.Minute, "97.9%"}, // ongoing since 08:30: 1 - 30/1440 = 97.92%
		{"GitHub", 72 * time.Minute, "94.5%"}, // 2h of maintenance is not measured: 1 - 72/1320 = 94.55%
		{"Slack", 122 * time.Minute, "91.5%"}, // 12:00-13:00 and 12:30-14:02 overlap: 12:00-14:02, 1 - 122/1440 = 91.53%
		{"Stripe", 0, "100%"},                 // unreadable is not down, nor measured: 1 - 0/1320
		{"Acme", 60 * time.Minute, "95.8%"},   // 09:00-10:00 of 07:00-10:00: 1 - 60/1440 = 95.83%
	}
	if len(d.Uptime) != len(wantUptime) {
		t.Fatalf("%d uptimes", len(d.Uptime))
	}
	for i, w := range wantUptime {
		u := d.Uptime[i]
		if u.Target != w.target || u.Down != w.down || bot.FormatPercent(u.Percent) != w.pct {
			t.Errorf("uptime %d: %s down %s = %s, want %s down %s = %s", i, u.Target, u.Down, bot.FormatPercent(u.Percent), w.target, w.down, w.pct)
		}
	}
	var titles []string
	for _, o := range d.Outages {
		titles = append(titles, o.Target+": "+o.Title)
	}
	if got, want := strings.Join(titles, "; "), "Acme: Checkout down; GitHub: Actions delayed; Slack: Messages delayed; Slack: API errors; OpenAI: Elevated errors"; got != want {
		t.Errorf("outages %s\nwant     %s", got, want)
	}
	if d.Longest == nil || d.Longest.Target != "Acme" || d.Longest.Duration != 3*time.Hour {
		t.Errorf("longest = %+v, want Acme's 3h (all of it, not only the part in the window)", d.Longest)
	}
	// Restored: 180 + 72 + 60 + 92 minutes = 404 / 4 = 101 minutes.
	if d.Restored != 4 || d.MTTR != 101*time.Minute {
		t.Errorf("MTTR %s of %d, want 1h 41m of 4", d.MTTR, d.Restored)
	}
	if len(d.DownNow) != 1 || d.DownNow[0].Target != "OpenAI" || d.DownNow[0].Title != "Elevated errors" || !d.DownNow[0].Since.Equal(utc("2026-03-02T08:30:00Z")) {
		t.Errorf("down now = %+v", d.DownNow)
	}
	if strings.Join(d.Unknown, ",") != "Stripe" {
		t.Errorf("unknown = %v", d.Unknown)
	}
	if d.Quiet() {
		t.Error("a digest with outages is not quiet")
	}
	if got := d.Title(); got != "Daily digest: 5 outages in the last 24h, 1 target down now" {
		t.Errorf("title = %q", got)
	}
	golden(t, "sample.golden", d.Text())

	// The command answer has the same content.
	a := d.Answer()
	if a.Title != d.Title() || len(a.Sections) != len(d.Sections()) || a.Sections[2].Lines[0] != d.Sections()[2].Lines[0] {
		t.Errorf("answer differs from the digest: %+v", a)
	}
	// And so has the event.
	ev := d.Event("1-abc", utc("2026-03-02T09:00:00Z"))
	if ev.OutageID != "digest:1-abc:1772442000" || ev.Seq != 1 || ev.Kind != outage.Digest || ev.Class != outage.DigestClass ||
		ev.Title != d.Title() || ev.Body != outage.FormatSections(d.Sections()) || ev.Severity != sources.PartialOutage {
		t.Errorf("event = %+v", ev)
	}

	// In German, and so is the event for a German channel.
	de := i18n.For("de")
	golden(t, "sample.de.golden", d.TextIn(de))
	if _, ok := ev.Written["en"]; ok || len(ev.Written) != len(i18n.Languages)-1 {
		t.Errorf("written in %v, want every language but English (Title and Body)", ev.Written)
	}
	if got := ev.In("de"); got.Title != d.TitleIn(de) || got.Body != outage.FormatSections(d.SectionsIn(de)) {
		t.Errorf("German event: %q\n%s", got.Title, got.Body)
	}
	if de.Title(ev) != d.TitleIn(de) || de.Body(ev) != ev.In("de").Body || i18n.For("en").Body(ev) != ev.Body {
		t.Error("the printers do not read the event's written words")
	}
	if got := ev.In("fr"); got.Title != ev.Title || got.Body != ev.Body {
		t.Error("a language the event was not written in is not English")
	}
	if a := d.AnswerIn(de); a.Title != d.TitleIn(de) || a.Sections[0].Heading != "Jetzt" {
		t.Errorf("German answer: %+v", a)
	}
}

func TestBuildCases(t *testing.T) {
	v, h := sample()
	cases := []struct {
		name    string
		view    *view
		hist    history
		window  time.Duration
		targets []string
		title   string
		quiet   bool
	}{
		{"targets filter", v, h, 24 * time.Hour, []string{"github", "ACME"}, "Daily digest: 2 outages in the last 24h", false},
		{"weekly", v, h, 7 * 24 * time.Hour, []string{"GitHub"}, "Weekly digest: 2 outages in the last 7d", false},
		{"short window", v, h, time.Hour, nil, "Digest: 1 outage in the last 1h, 1 target down now", false},
		{"quiet", &view{snaps: []bot.Snapshot{{Name: "A", Status: sources.Operational}, {Name: "B", Status: sources.Unknown}}}, history{}, 24 * time.Hour, nil,
			"Daily digest: no outages in the last 24h", true},
		{"degraded now without an outage yet is not quiet", &view{snaps: []bot.Snapshot{{Name: "A", Status: sources.Degraded}}}, history{}, 24 * time.Hour, nil,
			"Daily digest: no outages in the last 24h, 1 target down now", false},
		{"maintenance is not down", &view{snaps: []bot.Snapshot{{Name: "A", Status: sources.Maintenance}}}, history{}, 24 * time.Hour, nil,
			"Daily digest: no outages in the last 24h", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Build(context.Background(), Inputs{View: c.view, History: c.hist.seenBy(c.view)}, c.window, at, c.targets)
			if err != nil {
				t.Fatal(err)
			}
			if d.Title() != c.title || d.Quiet() != c.quiet {
				t.Errorf("title %q quiet %v, want %q %v", d.Title(), d.Quiet(), c.title, c.quiet)
			}
			if c.targets != nil && d.Targets != len(c.targets) {
				t.Errorf("%d targets", d.Targets)
			}
		})
	}
	if _, err := Build(context.Background(), Inputs{View: v, History: history{err: fmt.Errorf("database is locked")}}, time.Hour, at, nil); err == nil || !strings.Contains(err.Error(), "database is locked") {
		t.Errorf("history error: %v", err)
	}
}

// hundred is 100 targets, each with an outage in the window, a few down now.
func hundred() (*view, history) {
	v := &view{}
	var h history
	for i := range 100 {
		name := fmt.Sprintf("Target %03d with a longer name", i+1)
		st := sources.Operational
		o := out(name, "Elevated error rates & <timeouts> on the API for some customers", outage.Incident,
			at.Add(-time.Duration(i+1)*13*time.Minute).Format(time.RFC3339), at.Add(-time.Duration(i+1)*13*time.Minute+time.Duration(i+1)*time.Minute).Format(time.RFC3339))
		if i%10 == 0 {
			st = sources.MajorOutage
			o.ResolvedAt = time.Time{}
			v.open = append(v.open, o)
		}
		v.snaps = append(v.snaps, bot.Snapshot{Name: name, Status: st})
		h.outs = append(h.outs, o)
	}
	h.seen = seenLongAgo(v)
	return v, h
}

// A digest of 100 targets fits each platform's limits.
func TestHundredTargetsFit(t *testing.T) {
	v, h := hundred()
	d, err := Build(context.Background(), Inputs{View: v, History: h}, 24*time.Hour, at, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Outages) != 100 || len(d.Uptime) != 100 || len(d.DownNow) != 10 {
		t.Fatalf("%d outages, %d uptimes, %d down", len(d.Outages), len(d.Uptime), len(d.DownNow))
	}
	ev := d.Event("1-abc", at)

	raw, err := json.Marshal(slack.RenderDigest(i18n.For(i18n.Default), ev))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
			Text struct {
				Text string `json:"text"`
			} `json:"text"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Blocks) > slack.MaxBlocks || len(m.Blocks) != 6 {
		t.Errorf("slack: %d blocks", len(m.Blocks))
	}
	for i, b := range m.Blocks {
		limit := slack.MaxSectionText
		if b.Type == "header" {
			limit = slack.MaxHeaderText
		}
		if n := utf8.RuneCountInString(b.Text.Text); n > limit || n == 0 {
			t.Errorf("slack block %d: %d runes", i, n)
		}
	}
	if n := utf8.RuneCountInString(m.Text); n > slack.MaxFallbackText {
		t.Errorf("slack fallback: %d runes", n)
	}

	dm := discord.RenderDigest(i18n.For(i18n.Default), ev)
	e := dm.Embeds[0]
	total := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
	if utf8.RuneCountInString(e.Title) > 256 || utf8.RuneCountInString(e.Description) > 4096 || total > 6000 {
		t.Errorf("discord: title %d, description %d runes", utf8.RuneCountInString(e.Title), utf8.RuneCountInString(e.Description))
	}
	for _, h := range []string{"**Now**", "**Summary**", "**Outages in the last 24h**", "**Uptime over the last 24h**", "**Period**"} {
		if !strings.Contains(e.Description, h) {
			t.Errorf("discord: no %s section", h)
		}
	}
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
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", path, got)
	}
}

// A digest in its own zone, over a night when the clocks went forward,
// limited to two targets, with vendor maintenance coming up.
func TestBuildZonedWithMaintenance(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	now := utc("2026-03-29T07:00:00Z") // 09:00 CEST, the first morning of summer time
	v := &view{snaps: []bot.Snapshot{
		{Name: "GitHub", Status: sources.Operational, Maintenances: []bot.MaintenanceSnapshot{
			{Title: "Database upgrade", Start: utc("2026-03-31T00:00:00Z"), End: utc("2026-03-31T02:00:00Z")},
			{Title: "Already started", Start: utc("2026-03-29T06:00:00Z")},
		}},
		{Name: "Slack", Status: sources.Operational, Maintenances: []bot.MaintenanceSnapshot{
			{Title: "Search reindex", Start: utc("2026-03-29T20:00:00Z")},
		}},
		{Name: "Stripe", Status: sources.Operational, Maintenances: []bot.MaintenanceSnapshot{
			{Title: "Not in this digest", Start: utc("2026-03-29T10:00:00Z")},
		}},
	}}
	h := history{outs: []outage.Outage{
		out("GitHub", "Actions delayed", outage.Incident, "2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z"), // 01:30 CET – 03:30 CEST
		out("Stripe", "Not in this digest", outage.Incident, "2026-03-29T02:00:00Z", "2026-03-29T03:00:00Z"),
	}}
	d, err := Build(context.Background(), Inputs{View: v, History: h.seenBy(v)}, 24*time.Hour, now, []string{"github", "Slack"})
	if err != nil {
		t.Fatal(err)
	}
	d.Location = berlin
	if d.Targets != 2 || len(d.Outages) != 1 || len(d.Upcoming) != 2 || d.Upcoming[0].Target != "Slack" {
		t.Fatalf("digest = %+v", d)
	}
	text := d.Text()
	for _, want := range []string{
		"GitHub: Actions delayed — Mar 29 01:30 CET – 03:30 CEST, 1h",
		"Upcoming maintenance\n🔧 Slack: Search reindex — Mar 29 22:00 CEST (in 13h)\n🔧 GitHub: Database upgrade — Mar 31 02:00 – 04:00 CEST (in 1d 17h)",
		"Mar 28 08:00 CET – Mar 29 09:00 CEST (24h)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
	golden(t, "zoned-maintenance.golden", text)
	golden(t, "zoned-maintenance.de.golden", d.TextIn(i18n.For("de")))
}

// Every line a digest can have, in every language: small digests that
// each take other branches, written one after the other into
// testdata/cases.<lang>.golden.
func TestWordsGolden(t *testing.T) {
	one := func(name string, st sources.Status) bot.Snapshot { return bot.Snapshot{Name: name, Status: st} }
	cases := []struct {
		name    string
		view    *view
		hist    history
		window  time.Duration
		targets []string
		zone    string
	}{
		{"one target, quiet", &view{snaps: []bot.Snapshot{one("A", sources.Operational)}}, history{}, 24 * time.Hour, nil, ""},
		{"three targets, quiet", &view{snaps: []bot.Snapshot{one("A", sources.Operational), one("B", sources.Operational), one("C", sources.Operational)}}, history{}, 24 * time.Hour, nil, ""},
		{"down without an outage yet, the other one up, nothing restored", &view{
			snaps: []bot.Snapshot{one("A", sources.Degraded), one("B", sources.Operational), one("C", sources.MajorOutage)},
			open:  []outage.Outage{out("C", "Everything down", outage.Incident, "2026-03-02T08:00:00Z", "")},
		}, history{outs: []outage.Outage{out("C", "Everything down", outage.Incident, "2026-03-02T08:00:00Z", "")}}, 24 * time.Hour, nil, ""},
		{"a probe the bot titled, down now and before", &view{
			snaps: []bot.Snapshot{one("Checkout", sources.MajorOutage)},
			open:  []outage.Outage{titled(out("Checkout", "Down", outage.Incident, "2026-03-02T08:00:00Z", ""))},
		}, history{outs: []outage.Outage{
			titled(out("Checkout", "Down", outage.Incident, "2026-03-02T08:00:00Z", "")),
			titled(out("Checkout", "Down", outage.Incident, "2026-03-01T20:00:00Z", "2026-03-01T23:00:00Z")),
		}}, 24 * time.Hour, nil, ""},
		{"one restored outage in the last hour", &view{snaps: []bot.Snapshot{one("A", sources.Operational), one("B", sources.Operational)}},
			history{outs: []outage.Outage{out("A", "Blip", outage.Incident, "2026-03-02T08:20:00Z", "2026-03-02T08:25:00Z")}}, time.Hour, nil, ""},
		{"a target never seen, one first seen an hour ago, one all along", &view{snaps: []bot.Snapshot{one("A", sources.Operational), one("B", sources.Operational), one("C", sources.Operational)}},
			history{outs: []outage.Outage{out("B", "Blip", outage.Incident, "2026-03-02T08:30:00Z", "2026-03-02T08:45:00Z")},
				seen: map[string]store.TargetHistory{"B": {FirstSeen: at.Add(-time.Hour)}, "C": {FirstSeen: at.Add(-30 * 24 * time.Hour)}}}, 24 * time.Hour, nil, ""},
		{"weekly", &view{snaps: []bot.Snapshot{one("GitHub", sources.Operational)}}, sample2(), 7 * 24 * time.Hour, nil, ""},
		{"three days", &view{snaps: []bot.Snapshot{one("GitHub", sources.Operational)}}, sample2(), 3 * 24 * time.Hour, nil, ""},
		{"two weeks", &view{snaps: []bot.Snapshot{one("GitHub", sources.Operational)}}, sample2(), 14 * 24 * time.Hour, nil, ""},
		{"an hour and a half, in Berlin", &view{snaps: []bot.Snapshot{one("A", sources.Operational), {Name: "B", Status: sources.Operational, Maintenances: []bot.MaintenanceSnapshot{
			{Start: utc("2026-03-02T12:00:00Z")},
			{Title: "Network work", Start: utc("2026-03-03T22:00:00Z"), End: utc("2026-03-04T02:00:00Z")},
		}}}}, history{}, 90 * time.Minute, nil, "Europe/Berlin"},
	}
	for _, lang := range i18n.Languages {
		p := i18n.For(lang)
		var b strings.Builder
		for _, c := range cases {
			d, err := Build(context.Background(), Inputs{View: c.view, History: c.hist.seenBy(c.view)}, c.window, at, c.targets)
			if err != nil {
				t.Fatal(err)
			}
			if c.zone != "" {
				if d.Location, err = time.LoadLocation(c.zone); err != nil {
					t.Fatal(err)
				}
			}
			fmt.Fprintf(&b, "== %s\n%s\n\n", c.name, d.TextIn(p))
			if lang == "en" && d.TextIn(p) != d.Text() {
				t.Errorf("%s: Text is not the English TextIn", c.name)
			}
		}
		golden(t, "cases."+lang+".golden", b.String())
	}
}

// titled is o with the title the engine gives a failing probe.
func titled(o outage.Outage) outage.Outage {
	t := outage.Say("engine.title.down")
	o.TitleSaid = &t
	return o
}

// sample2 is GitHub's history over two weeks.
func sample2() history {
	return history{outs: []outage.Outage{
		out("GitHub", "Actions delayed", outage.Incident, "2026-02-20T10:00:00Z", "2026-02-20T11:00:00Z"),
		out("GitHub", "Pages down", outage.Incident, "2026-02-27T10:00:00Z", "2026-02-27T10:30:00Z"),
		out("GitHub", "Git slow", outage.Incident, "2026-03-01T10:00:00Z", "2026-03-01T12:00:00Z"),
	}}
}

// The sample's event as each chat posts it, in each channel language.
func TestChatGolden(t *testing.T) {
	v, h := sample()
	d, err := Build(context.Background(), Inputs{View: v, History: h}, 24*time.Hour, at, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := d.Event("1-abc", at)
	for _, lang := range i18n.Languages {
		for platform, msg := range map[string]any{
			"slack":   slack.RenderDigest(i18n.For(lang), ev),
			"discord": discord.RenderDigest(i18n.For(lang), ev),
		} {
			raw, err := json.MarshalIndent(msg, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "sample-"+platform+"."+lang+".golden", string(raw)+"\n")
		}
	}
}
