package slack

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/digest/chart"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/internal/fakeslack"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// chartEvent is a digest with its chart's data.
func chartEvent() outage.Event {
	ev := digestEvent(3)
	since := ev.At.Add(-24 * time.Hour)
	ev.Chart = &outage.Chart{Since: since, Until: ev.At, Zone: "UTC", Lanes: []outage.ChartLane{
		{Target: "Target 001", Uptime: 99.2, Down: 12 * time.Minute, Outages: 1,
			Bars: []outage.ChartBar{{Start: since.Add(2 * time.Hour), End: since.Add(2*time.Hour + 12*time.Minute), Status: sources.PartialOutage}}},
		{Target: "Target 002", Uptime: 100},
	}}
	return ev
}

// The chart is shared once in the digest message's thread, with its alt
// text and title, whichever step of the upload fails on the first attempt:
// a file uploaded but not completed is never shown, and a completion whose
// answer was lost is found in the thread by the retry.
func TestDeliverDigestChart(t *testing.T) {
	cases := []struct {
		name   string
		method string
		fault  fakeslack.Fault
		// files is how many files the fake was asked for in all.
		files int
	}{
		{"no fault", "", fakeslack.Fault{}, 1},
		{"posting the digest fails after it was posted", "chat.postMessage", fakeslack.Fault{Drop: true}, 1},
		{"asking for an upload URL fails", "files.getUploadURLExternal", fakeslack.Fault{Status: http.StatusInternalServerError}, 1},
		{"the upload fails", "upload", fakeslack.Fault{Status: http.StatusInternalServerError}, 2},
		{"completing fails before it shares", "files.completeUploadExternal", fakeslack.Fault{Status: http.StatusInternalServerError}, 2},
		{"completing shares but its answer is lost", "files.completeUploadExternal", fakeslack.Fault{Drop: true}, 1},
		{"completing is rate limited", "files.completeUploadExternal", fakeslack.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second}, 2},
	}
	ev := chartEvent()
	img, err := chart.Render(ev.Chart, i18n.For("en"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			if c.method != "" {
				e.fs.Inject(c.method, 1, c.fault)
			}
			d := delivery(7, "C1", ev, "")
			ref, err := e.deliver(t, d)
			if (err != nil) != (c.method != "") {
				t.Fatalf("first attempt: ref %q, err %v", ref, err)
			}
			if err != nil {
				// The dispatcher's retry, also after a restart: the claim
				// counted the attempt.
				d.Attempt = 1
				if ref, err = e.deliver(t, d); err != nil {
					t.Fatalf("retry: %v", err)
				}
			}
			msgs := e.fs.Messages("C1")
			if len(msgs) != 1 || msgs[0].TS != string(ref) {
				t.Fatalf("%d messages (ref %q), want the digest only", len(msgs), ref)
			}
			replies := msgs[0].Replies
			if len(replies) != 1 || len(replies[0].Files) != 1 {
				t.Fatalf("replies %+v, want one sharing the chart", replies)
			}
			files := e.fs.Files()
			if len(files) != c.files {
				t.Errorf("%d files asked for, want %d", len(files), c.files)
			}
			var shared []fakeslack.File
			for _, f := range files {
				if f.Channel != "" {
					shared = append(shared, f)
				}
			}
			if len(shared) != 1 {
				t.Fatalf("%d files shared, want 1", len(shared))
			}
			f := shared[0]
			if f.ID != replies[0].Files[0] || f.Channel != "C1" || f.ThreadTS != string(ref) || f.Name != "outagebot-digest-7.png" {
				t.Errorf("shared %+v", f)
			}
			if !bytes.Equal(f.Data, img) || f.AltText != chart.AltText(ev.Chart, i18n.For("en")) || f.Title != "Uptime and outages, Mar 1 08:00 – Mar 2 08:00 UTC" {
				t.Errorf("file %s: %d bytes, alt %q, title %q", f.ID, len(f.Data), f.AltText, f.Title)
			}
			if !strings.HasPrefix(f.AltText, "Uptime from Mar 1 08:00 to Mar 2 08:00 UTC (24h): Target 001 99.2% (1 outage, 12m down)") {
				t.Errorf("alt text %q", f.AltText)
			}
		})
	}
}

// Without files:write Slack refuses the upload for good: the digest stands
// without its chart, and the log says what to fix.
func TestDeliverDigestChartRefused(t *testing.T) {
	e := newEnv(t, Options{})
	e.fs.Inject("files.getUploadURLExternal", -1, fakeslack.Fault{Error: "missing_scope"})
	ref, err := e.deliver(t, delivery(7, "C1", chartEvent(), ""))
	if err != nil || ref == "" {
		t.Fatalf("ref %q, err %v", ref, err)
	}
	if msgs := e.fs.Messages("C1"); len(msgs) != 1 || len(msgs[0].Replies) != 0 {
		t.Errorf("messages %+v", msgs)
	}
	if !strings.Contains(e.logs.String(), "Slack refuses the digest's chart") {
		t.Errorf("log:\n%s", e.logs.String())
	}
}

// A digest without chart data posts no file.
func TestDeliverDigestNoChart(t *testing.T) {
	e := newEnv(t, Options{})
	if _, err := e.deliver(t, delivery(7, "C1", digestEvent(3), "")); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fs.Calls("files.getUploadURLExternal")); n != 0 || len(e.fs.Files()) != 0 {
		t.Errorf("%d upload calls", n)
	}
}

// A channel whose locale is German gets the digest as written in German,
// and its chart's picture, alt text and title in German too.
func TestDeliverDigestInChannelLanguage(t *testing.T) {
	ev := chartEvent()
	ev.Written = map[string]outage.Written{"de": {
		Title: "Täglicher Digest: 3 Ausfälle in den letzten 24 Stunden",
		Body:  outage.FormatSections([]outage.Section{{Heading: "Zeitraum", Lines: []string{"1. März 08:00 – 2. März 08:00 UTC (24 Stunden)"}}}),
	}}
	de := i18n.For("de")
	img, err := chart.Render(ev.Chart, de)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, Options{Lang: "de"})
	if _, err := e.deliver(t, delivery(7, "C1", ev, "")); err != nil {
		t.Fatal(err)
	}
	msgs := e.fs.Messages("C1")
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "Täglicher Digest: 3 Ausfälle") || !strings.Contains(string(msgs[0].Blocks), "*Zeitraum*") ||
		strings.Contains(string(msgs[0].Blocks), "Uptime") {
		t.Fatalf("messages %+v", msgs)
	}
	files := e.fs.Files()
	if len(files) != 1 {
		t.Fatalf("%d files", len(files))
	}
	f := files[0]
	if !bytes.Equal(f.Data, img) || f.Title != "Verfügbarkeit und Ausfälle, 1. März 08:00 – 2. März 08:00 UTC" ||
		!strings.HasPrefix(f.AltText, "Verfügbarkeit vom 1. März 08:00 bis 2. März 08:00 UTC (24 Stunden): Target 001 99,2 % (1 Ausfall, 12 Min. Ausfallzeit)") {
		t.Errorf("file: %d bytes, alt %q, title %q", len(f.Data), f.AltText, f.Title)
	}
}

// A chart of many troubled targets still uploads: Slack refuses an
// alt_txt over 1000 characters (alt_txt_too_large), and the fake does too.
func TestDeliverDigestChartManyTargets(t *testing.T) {
	for _, lang := range i18n.Languages {
		t.Run(lang, func(t *testing.T) {
			ev := chartEvent()
			since := ev.Chart.Since
			ev.Chart.Lanes = nil
			for i := range 60 {
				ev.Chart.Lanes = append(ev.Chart.Lanes, outage.ChartLane{Target: "A rather long target name " + strings.Repeat("x", i%7), Uptime: 97.5, Down: 36 * time.Minute, Outages: 2,
					Bars: []outage.ChartBar{{Start: since.Add(time.Hour), End: since.Add(time.Hour + 36*time.Minute), Status: sources.MajorOutage}}})
			}
			e := newEnv(t, Options{Lang: lang})
			if _, err := e.deliver(t, delivery(9, "C1", ev, "")); err != nil {
				t.Fatal(err)
			}
			var shared int
			for _, f := range e.fs.Files() {
				if f.Channel == "C1" {
					shared++
				}
			}
			if shared != 1 {
				t.Errorf("%d charts shared, want 1 (calls: %+v)", shared, e.fs.Calls("files.getUploadURLExternal"))
			}
		})
	}
}
