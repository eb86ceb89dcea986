package feed

import (
	"flag"
	"fmt"
	goldenfile "github.com/outagebot/outagebot/internal/golden"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/sources"
)

var update = flag.Bool("update", false, "rewrite the expected.golden files")

const fixtureBase = "https://status.gateway.example/history.rss"

var testNow = time.Date(2026, 9, 4, 20, 0, 0, 0, time.UTC)

// fixtures maps each case to its feed file (feed.xml or feed.atom).
func fixtures(t testing.TB) map[string]string {
	paths, _ := filepath.Glob("testdata/*/feed.*")
	if len(paths) == 0 {
		t.Fatal("no fixtures")
	}
	out := map[string]string{}
	for _, p := range paths {
		out[filepath.Base(filepath.Dir(p))] = p
	}
	return out
}

func golden(t *testing.T, path string, v any) {
	t.Helper()
	goldenfile.JSONAt(t, path, v, *update)
}

func parseFixture(t *testing.T, name string) sources.Observation {
	t.Helper()
	data, err := os.ReadFile(fixtures(t)[name])
	if err != nil {
		t.Fatal(err)
	}
	obs, err := Parse(data, fixtureBase, testNow, 0)
	if err != nil {
		t.Fatal(err)
	}
	return obs
}

func TestParseGolden(t *testing.T) {
	for c := range fixtures(t) {
		t.Run(c, func(t *testing.T) {
			golden(t, filepath.Join("testdata", c, "expected.golden"), parseFixture(t, c))
		})
	}
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func statuses(inc sources.Incident) string {
	var out []string
	for _, u := range inc.Updates {
		out = append(out, string(u.Status))
	}
	return strings.Join(out, ",")
}

// TestParseMapping checks the rules the goldens encode, so that an -update
// cannot quietly bless a regression.
func TestParseMapping(t *testing.T) {
	op := parseFixture(t, "operational")
	if op.Incidents != nil || op.Maintenances != nil || op.Components != nil || op.Page != "https://status.nimbus.dev" {
		t.Errorf("operational = %+v", op)
	}

	on := parseFixture(t, "ongoing")
	if len(on.Incidents) != 2 {
		t.Fatalf("incidents = %+v", on.Incidents)
	}
	inc := on.Incidents[0]
	if inc.ID != "https://status.nimbus.dev/incidents/q5bb6tbftgrm" || inc.URL != inc.ID || inc.Status != sources.IncidentIdentified {
		t.Errorf("incident = %+v", inc)
	}
	if statuses(inc) != "investigating,identified,identified" || inc.Impact != sources.PartialOutage {
		t.Errorf("phases %s impact %s", statuses(inc), inc.Impact)
	}
	if !inc.StartedAt.Equal(at("2026-09-04T18:44:00Z")) || !inc.UpdatedAt.Equal(at("2026-09-04T19:31:07Z")) {
		t.Errorf("times %v %v", inc.StartedAt, inc.UpdatedAt)
	}
	if want := "We are continuing to work on a fix for this issue.\n\nRequests to api.eu.nimbus.dev may fail with HTTP 503."; inc.Updates[2].Body != want {
		t.Errorf("body = %q", inc.Updates[2].Body)
	}
	if inc.Updates[0].ID != inc.ID+"@2026-09-04T18:44:00Z" {
		t.Errorf("update ID = %s", inc.Updates[0].ID)
	}
	if old := on.Incidents[1]; old.Status != sources.IncidentResolved || old.ResolvedAt.IsZero() || old.Impact != sources.Degraded {
		t.Errorf("resolved three days ago = %+v", old)
	}

	res := parseFixture(t, "resolved").Incidents[0]
	if res.Status != sources.IncidentResolved || !res.ResolvedAt.Equal(at("2026-09-04T19:20:00Z")) || statuses(res) != "investigating,monitoring,monitoring,resolved" {
		t.Errorf("resolved = %s at %v: %s", res.Status, res.ResolvedAt, statuses(res))
	}
	if !res.StartedAt.Equal(at("2026-09-04T15:40:00Z")) {
		t.Errorf("CEST not honoured: %v", res.StartedAt)
	}

	m := parseFixture(t, "maintenance")
	if len(m.Maintenances) != 2 || len(m.Incidents) != 0 {
		t.Fatalf("maintenances = %+v, incidents = %+v", m.Maintenances, m.Incidents)
	}
	now, next := m.Maintenances[0], m.Maintenances[1]
	if now.Status != sources.MaintenanceInProgress || now.Impact != sources.Maintenance ||
		!now.ScheduledFor.Equal(at("2026-09-04T19:00:00Z")) || !now.ScheduledUntil.Equal(at("2026-09-04T21:00:00Z")) {
		t.Errorf("in progress = %+v", now)
	}
	if next.Status != sources.MaintenanceScheduled || !next.ScheduledFor.Equal(at("2026-09-09T06:00:00Z")) || !next.ScheduledUntil.Equal(at("2026-09-09T08:00:00Z")) || !next.StartedAt.IsZero() {
		t.Errorf("upcoming = %+v", next)
	}

	io := parseFixture(t, "incidentio")
	if len(io.Incidents) != 2 || io.Page != "https://status.nimbus.dev" {
		t.Fatalf("incident.io = %+v", io)
	}
	v := io.Incidents[0]
	if v.URL != "https://status.nimbus.dev/incidents/01J9X5Q8H3X6N9R2S4T7W0Z3C5" || v.Impact != sources.MajorOutage || v.Status != sources.IncidentInvestigating {
		t.Errorf("incident.io entry = %+v", v)
	}
	if v.Updates[0].Body != "We are investigating failures of all video generation requests." || v.Updates[0].ID != v.ID+"@2026-09-04T19:40:00Z" {
		t.Errorf("incident.io update = %+v", v.Updates[0])
	}
	if got := strings.Join(v.ComponentIDs, ","); got != "Video generation,Batch API" {
		t.Errorf("incident.io component ids = %q", got)
	}

	pu := parseFixture(t, "perupdate")
	if len(pu.Incidents) != 2 {
		t.Fatalf("per-update = %+v", pu.Incidents)
	}
	s3 := pu.Incidents[0]
	if len(s3.Updates) != 3 || statuses(s3) != "investigating,identified,monitoring" || s3.Status != sources.IncidentMonitoring || s3.Impact != sources.PartialOutage {
		t.Errorf("grouped updates = %s %s %s", statuses(s3), s3.Status, s3.Impact)
	}
	if s3.Title != "Object storage: partial outage in fra1 - Monitoring" {
		t.Errorf("title = %q (the newest entry's)", s3.Title)
	}
	if dns := pu.Incidents[1]; dns.Status != sources.IncidentResolved || dns.Impact != sources.MajorOutage {
		t.Errorf("dns = %+v", dns)
	}

	odd := parseFixture(t, "odd")
	byTitle := map[string]sources.Incident{}
	for _, inc := range odd.Incidents {
		byTitle[inc.Title] = inc
	}
	gw := byTitle["Elevated 429s & timeouts on <upstream> providers"]
	if gw.URL != "https://status.gateway.example/incidents/l4Gmz6NbAW1o" || gw.Status != sources.IncidentResolved || !gw.ResolvedAt.Equal(at("2026-09-04T18:33:00Z")) {
		t.Errorf("scheme-less link / 12-hour time = %+v", gw)
	}
	if gw.Updates[0].Body != "Looking into it. Requests > 10 MB may time out." {
		t.Errorf("entities / script = %q", gw.Updates[0].Body)
	}
	de := byTitle["Störung: Anmeldung schlägt fehl"]
	if de.URL != "https://status.gateway.example/incidents/anmeldung-0904" || de.Status != sources.IncidentIdentified || len(de.Updates) != 2 {
		t.Errorf("relative link / b markers = %+v", de)
	}
	if want := "Die Ursache ist gefunden – ein abgelaufenes Zertifikat. Wichtig: Bitte nicht erneut anmelden.\n\n- Web\n- Mobile App"; de.Updates[1].Body != want {
		t.Errorf("body = %q", de.Updates[1].Body)
	}
	if de.Updates[0].Body != "Wir untersuchen Fehler bei der Anmeldung." {
		t.Errorf("em dash after marker: %q", de.Updates[0].Body)
	}
	jp := byTitle["ログインの遅延"]
	if jp.ID != "jp-login-delay" || jp.URL != "https://status.gateway.example/" || jp.Status != sources.IncidentInvestigating || !jp.UpdatedAt.Equal(at("2026-09-04T01:00:00Z")) {
		t.Errorf("home-page link groups by guid = %+v", jp)
	}
	if _, ok := byTitle["Undated notice"]; ok {
		t.Errorf("an undated entry cannot be placed in the window")
	}
	wh := byTitle["Webhook delays"]
	if len(wh.Updates) != 2 || wh.Updates[0].Body != "Webhooks are delayed." || statuses(wh) != "investigating,investigating" || wh.ID != "https://status.gateway.example/incidents/webhooks" ||
		!wh.Updates[0].At.Equal(at("2026-09-04T19:02:00Z")) || !wh.Updates[1].At.Equal(at("2026-09-04T19:04:00Z")) {
		t.Errorf("an unknown zone label is read in the entry's zone: %+v", wh)
	}
}

// TestMachineDatesWin: a Statuspage in Los Angeles labels its summer times
// "PST" while its pubDate says -0700. The pubDate's offset is the page's
// clock; the label is not trusted, and every time is UTC.
func TestMachineDatesWin(t *testing.T) {
	obs := parseFixture(t, "zones")
	if len(obs.Incidents) != 2 || len(obs.Maintenances) != 1 {
		t.Fatalf("incidents %d, maintenances %d", len(obs.Incidents), len(obs.Maintenances))
	}
	jobs := obs.Incidents[0]
	if jobs.Title != "Delayed job processing" || len(jobs.Updates) != 2 {
		t.Fatalf("incident = %+v", jobs)
	}
	for i, want := range []string{"2026-09-04T18:58:00Z", "2026-09-04T19:41:00Z"} {
		if u := jobs.Updates[i]; !u.At.Equal(at(want)) || u.ID != jobs.ID+"@"+want {
			t.Errorf("update %d at %v (%s), want %s", i, u.At, u.ID, want)
		}
	}
	if !jobs.StartedAt.Equal(at("2026-09-04T18:58:00Z")) || !jobs.UpdatedAt.Equal(at("2026-09-04T19:41:20Z")) {
		t.Errorf("started %v, updated %v", jobs.StartedAt, jobs.UpdatedAt)
	}
	m := obs.Maintenances[0]
	if !m.ScheduledFor.Equal(at("2026-09-10T08:00:00Z")) || !m.ScheduledUntil.Equal(at("2026-09-10T10:00:00Z")) || !m.Updates[0].At.Equal(at("2026-09-02T23:05:00Z")) {
		t.Errorf("maintenance window %v - %v, announced %v", m.ScheduledFor, m.ScheduledUntil, m.Updates[0].At)
	}
	for _, inc := range append(obs.Incidents, obs.Maintenances...) {
		for _, tm := range []time.Time{inc.StartedAt, inc.UpdatedAt, inc.ResolvedAt, inc.ScheduledFor, inc.ScheduledUntil} {
			if tm.Location() != time.UTC {
				t.Errorf("%s: time %v is not UTC", inc.Title, tm)
			}
		}
		for _, u := range inc.Updates {
			if u.At.Location() != time.UTC {
				t.Errorf("%s: update time %v is not UTC", inc.Title, u.At)
			}
		}
	}
}

// TestBodyZone: body times are read in the zone of the entry's machine
// date, of the right year; a machine date written in UTC gives the page's
// offset by how far the newest body time is from it; labels count only
// where there is no machine date.
func TestBodyZone(t *testing.T) {
	rss := func(pub, body string) string {
		return `<rss version="2.0"><channel><link>https://status.pacifica.example</link><item><title>Sync errors</title>` +
			`<link>https://status.pacifica.example/incidents/abc</link>` + pub + `<description><![CDATA[` + body + `]]></description></item></channel></rss>`
	}
	atom := func(published, updated, body string) string {
		return `<feed xmlns="http://www.w3.org/2005/Atom"><link rel="alternate" href="https://status.pacifica.example"/><entry><title>Sync errors</title>` +
			`<link rel="alternate" href="https://status.pacifica.example/incidents/abc"/><published>` + published + `</published><updated>` + updated +
			`</updated><content type="html">` + html.EscapeString(body) + `</content></entry></feed>`
	}
	block := func(date, marker, text string) string {
		return `<p><small>` + date + `</small><br><strong>` + marker + `</strong> - ` + text + `</p>`
	}
	two := func(newest, oldest string) string {
		return block(newest, "Resolved", "Fixed.") + block(oldest, "Investigating", "Looking.")
	}
	for _, tc := range []struct {
		name, doc string
		now       time.Time
		want      []string
	}{
		{"pubDate offset, not the label", rss(`<pubDate>Fri, 04 Sep 2026 12:41:20 -0700</pubDate>`, two("Sep 4, 12:41 PST", "Sep 4, 11:58 PST")),
			testNow, []string{"2026-09-04T18:58:00Z", "2026-09-04T19:41:00Z"}},
		{"winter time across the new year", rss(`<pubDate>Fri, 01 Jan 2027 00:30:10 -0800</pubDate>`, two("Jan 1, 00:30 PST", "Dec 31, 23:59 PST")),
			at("2027-01-02T00:00:00Z"), []string{"2027-01-01T07:59:00Z", "2027-01-01T08:30:00Z"}},
		{"atom in UTC, body in local time", atom("2026-09-04T19:41:20Z", "2026-09-04T19:41:20Z", two("Sep 4, 12:41 PST", "Sep 4, 11:58 PST")),
			testNow, []string{"2026-09-04T18:58:00Z", "2026-09-04T19:41:00Z"}},
		{"atom edited later: published gives the offset", atom("2026-09-04T19:41:20Z", "2026-09-04T21:03:00Z", two("Sep 4, 12:41 PDT", "Sep 4, 11:58 PDT")),
			testNow, []string{"2026-09-04T18:58:00Z", "2026-09-04T19:41:00Z"}},
		{"atom with offsets", atom("2026-09-04T21:41:20+02:00", "2026-09-04T21:41:20+02:00", two("Sep 4, 21:41 CET", "Sep 4, 20:58 CET")),
			testNow, []string{"2026-09-04T18:58:00Z", "2026-09-04T19:41:00Z"}},
		{"no machine date: the labels", rss(``, two("Sep 4, 12:41 PDT", "Sep 4, 11:58 PDT")),
			at("2026-09-04T20:00:00Z"), []string{"2026-09-04T18:58:00Z", "2026-09-04T19:41:00Z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parse([]byte(tc.doc), fixtureBase, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.incidents) != 1 {
				t.Fatalf("incidents = %+v", p.incidents)
			}
			var got []string
			for _, u := range p.incidents[0].Updates {
				got = append(got, u.At.Format(time.RFC3339))
				if u.At.Location() != time.UTC {
					t.Errorf("%v is not UTC", u.At)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("update times %v, want %v", got, tc.want)
			}
		})
	}
}

// TestIncidentIOStructure: incident.io's feeds say each affected
// component's state in a list under the update; that list, not the
// title's words, gives the components and the impact, and it is not part
// of the update's text.
func TestIncidentIOStructure(t *testing.T) {
	obs := parseFixture(t, "incidentio-rss")
	if len(obs.Incidents) != 3 {
		t.Fatalf("incidents = %+v", obs.Incidents)
	}
	for _, tc := range []struct {
		inc    sources.Incident
		title  string
		impact sources.Status
		ids    string
		body   string
	}{
		{obs.Incidents[0], "Partial Disruption of Workspace Connector Write Actions", sources.Degraded, "Connectors/Apps",
			"We have identified an issue where write actions for some workspace connectors were automatically disabled. We are re-enabling them."},
		{obs.Incidents[1], "Elevated errors for image generation", sources.MajorOutage, "Image Generation,Video generation,Login",
			"We are seeing elevated error rates for image generation in the API and in the app."},
		// Resolved: the list shows the components as they are now.
		{obs.Incidents[2], "Full outage of Codex tasks", sources.Degraded, "Codex,Responses", "All impacted services have now fully recovered."},
	} {
		inc := tc.inc
		if inc.Title != tc.title || inc.Impact != tc.impact || strings.Join(inc.ComponentIDs, ",") != tc.ids {
			t.Errorf("%q: impact %s, components %q; want %q %s %q", inc.Title, inc.Impact, inc.ComponentIDs, tc.title, tc.impact, tc.ids)
		}
		if len(inc.Updates) != 1 || inc.Updates[0].Body != tc.body {
			t.Errorf("%q: updates %+v", inc.Title, inc.Updates)
		}
	}
	if u := obs.Incidents[0].URL; u != "https://status.nimbus.dev/incidents/01K9R4T6W8Y0A2C4E6G8J0M2P4" {
		t.Errorf("URL = %s", u)
	}
	want := map[string]sources.Status{
		"Connectors/Apps": sources.Degraded, "Image Generation": sources.PartialOutage, "Video generation": sources.MajorOutage,
		"Login": sources.Operational, "Codex": sources.Operational, "Responses": sources.Operational,
	}
	got := map[string]sources.Status{}
	for _, c := range obs.Components {
		if c.ID != c.Name {
			t.Errorf("component %+v: its id is its name", c)
		}
		got[c.Name] = c.Status
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("components %v\nwant %v", got, want)
	}
}

// TestPostmortemWords: what is written after an incident is over describes
// it in general; its words do not set the impact.
func TestPostmortemWords(t *testing.T) {
	obs := parseFixture(t, "zones")
	var api sources.Incident
	for _, inc := range obs.Incidents {
		if inc.Title == "API unavailable" {
			api = inc
		}
	}
	if api.Status != sources.IncidentPostmortem || api.Impact != sources.Degraded {
		t.Errorf("after a postmortem: %s %s, want postmortem degraded", api.Status, api.Impact)
	}
}

func TestWindow(t *testing.T) {
	data, _ := os.ReadFile("testdata/resolved/feed.xml")
	for _, tc := range []struct {
		now    time.Time
		window time.Duration
		want   int
	}{
		{testNow, 0, 1},
		{testNow.Add(6 * 24 * time.Hour), 0, 1},
		{testNow.Add(8 * 24 * time.Hour), 0, 0},
		{testNow.Add(2 * time.Hour), time.Hour, 0},
	} {
		obs, err := Parse(data, fixtureBase, tc.now, tc.window)
		if err != nil || len(obs.Incidents) != tc.want {
			t.Errorf("at %v window %v: %d incidents, %v; want %d", tc.now, tc.window, len(obs.Incidents), err, tc.want)
		}
	}
}

func TestPlainText(t *testing.T) {
	for in, want := range map[string]string{
		"":                                         "",
		"plain":                                    "plain",
		"<p>One</p><p>Two<br>lines</p>":            "One\n\nTwo\nlines",
		"a&amp;b &lt;c&gt; &#8212; d&nbsp;e":       "a&b <c> — d e",
		"<ul><li>x</li><li>y</li></ul>after":       "- x\n- y\n\nafter",
		"<style>p{}</style><b>bold</b>   text":     "bold text",
		"<pre>  keep\n  this</pre>":                "keep\nthis",
		"<p>unclosed <strong>strong":               "unclosed strong",
		"<div>\n\n\n<p>  spaced   out  </p></div>": "spaced out",
		// Vendor text that is not HTML keeps its line breaks, without \r.
		"We are investigating.\r\n\r\nNext update in 30 minutes.\r\nThanks": "We are investigating.\n\nNext update in 30 minutes.\nThanks",
		"**Summary:**\nAn outage.\n\n\n**Workaround:** none":                "**Summary:**\nAn outage.\n\n**Workaround:** none",
		"old\rMac":          "old\nMac",
		"<pre>a\r\nb</pre>": "a\nb",
		// HTML's own line breaks mean nothing.
		"<p>One\r\nline</p>":                  "One line",
		"Fixed&nbsp;&amp;&#160;deployed&#39;": "Fixed & deployed'",
		// Markup escaped twice, and markup pasted from a word processor.
		"&lt;p&gt;Escaped &amp;amp; twice&lt;/p&gt;&lt;p&gt;Second&lt;/p&gt;": "Escaped & twice\n\nSecond",
		"<p class=MsoNormal>Pasted<o:p></o:p></p>":                            "Pasted",
		// Angle brackets that are not HTML are the vendor's words.
		"Errors on <upstream> providers":                "Errors on <upstream> providers",
		"See <https://status.example.com/x> now":        "See <https://status.example.com/x> now",
		"if latency < 5s and > 1s":                      "if latency < 5s and > 1s",
		"<b>Affected components</b><ul><li>x</li></ul>": "Affected components\n\n- x",
	} {
		if got := PlainText(in); got != want {
			t.Errorf("PlainText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseDate(t *testing.T) {
	ref := at("2026-01-02T00:00:00Z")
	for in, want := range map[string]string{
		"Dec 31, 23:59 UTC":       "2025-12-31T23:59:00Z",
		"Jan  1, 10:30 CET":       "2026-01-01T09:30:00Z",
		"Jan 3, 12:00 PM EST":     "2026-01-03T17:00:00Z",
		"Jan 1, 12:05 AM UTC":     "2026-01-01T00:05:00Z",
		"Mar 1, 2024 - 08:00 UTC": "2024-03-01T08:00:00Z",
		"Jan 1, 08:00 +05:30":     "2026-01-01T02:30:00Z",
		"Jan 1, 08:00":            "2026-01-01T08:00:00Z",
		"September 9, 01:00 GMT":  "2025-09-09T01:00:00Z",
	} {
		got, ok := parseDate(in, ref)
		if !ok || got.Format(time.RFC3339) != want {
			t.Errorf("parseDate(%q) = %v %v, want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "yesterday", "Foo 1, 10:00 UTC", "Feb 30, 10:00 UTC", "Jan 1, 25:00 UTC", "Jan 1, 10:00 XYZT"} {
		if got, ok := parseDate(in, ref); ok {
			t.Errorf("parseDate(%q) = %v, want failure", in, got)
		}
	}
}

func TestParseErrors(t *testing.T) {
	ok, err := os.ReadFile("testdata/resolved/feed.xml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, doc, want string }{
		{"empty", "  ", "not an RSS or Atom feed: the body is empty"},
		{"json", `{"page":{}}`, "not an RSS or Atom feed: the document is JSON"},
		{"text", "OK", "not an RSS or Atom feed: the document is not XML"},
		{"html", "<!DOCTYPE html><html><body>Sign in</body></html>", "not an RSS or Atom feed: got an HTML page (an error or login page?)"},
		{"other xml", `<?xml version="1.0"?><sitemap><url/></sitemap>`, "not an RSS or Atom feed: the root element is <sitemap>, want <rss> or <feed>"},
		{"truncated", string(ok[:len(ok)/2]), "not an RSS or Atom feed: the XML ends early, on line 11 (truncated?)"},
		{"unclosed", "<rss><channel><item><title>x", "not an RSS or Atom feed: the XML ends early, on line 1 (truncated?)"},
		{"bad prolog", "<?xml", "not an RSS or Atom feed: the XML ends early, on line 1 (truncated?)"},
		{"bad tag", "<rss version=\"2.0\">\n<channel>\n<item>< title>x</title></item></channel></rss>", "not an RSS or Atom feed: invalid XML on line 3: expected element name after <"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), fixtureBase, testNow, 0)
			if err == nil || err.Error() != tc.want {
				t.Errorf("err\n got %v\nwant %s", err, tc.want)
			}
		})
	}
	// A feed with no entries is a quiet feed, not an error.
	obs, err := Parse([]byte(`<rss version="2.0"><channel><title>Azure Status</title><link>https://azure.status.microsoft/en-us/status/</link></channel></rss>`), fixtureBase, testNow, 0)
	if err != nil || obs.Incidents != nil || obs.Page != "https://azure.status.microsoft/en-us/status/" {
		t.Errorf("empty feed: %+v, %v", obs, err)
	}
}

func TestDetect(t *testing.T) {
	for c, p := range fixtures(t) {
		data, _ := os.ReadFile(p)
		if !Detect(data, "") {
			t.Errorf("Detect(%s) = false", c)
		}
	}
	for _, doc := range []string{"", "[]", "{}", "<html></html>", "<!doctype html><html>", `<?xml version="1.0"?><sitemap/>`} {
		if Detect([]byte(doc), "application/rss+xml") {
			t.Errorf("Detect(%q) = true", doc)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, p := range fixtures(f) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title><content type="html">&lt;strong&gt;Update&lt;/strong&gt;&lt;strong&gt;Resolved&lt;/strong&gt;</content></entry></feed>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		obs, err := Parse(data, fixtureBase, testNow, 0)
		if err != nil {
			return
		}
		for _, inc := range append(obs.Incidents, obs.Maintenances...) {
			if !inc.Impact.Valid() || inc.Status == "" || inc.ID == "" || len(inc.Updates) == 0 {
				t.Errorf("bad incident %+v", inc)
			}
			for i := 1; i < len(inc.Updates); i++ {
				if inc.Updates[i].At.Before(inc.Updates[i-1].At) {
					t.Errorf("updates out of order")
				}
			}
		}
	})
}

func TestPhaseOf(t *testing.T) {
	for _, tc := range []struct {
		title, text string
		want        sources.IncidentStatus
	}{
		{"API outage", "We are investigating.", sources.IncidentInvestigating},
		{"DNS failures - Resolved", "The issue is fixed.", sources.IncidentResolved},
		{"Storage degraded", "The issue has been identified.", sources.IncidentIdentified},
		{"Storage degraded", "We are monitoring the fix.", sources.IncidentMonitoring},
		{"Investigating: login errors", "A fix will be completed shortly.", sources.IncidentInvestigating},
		{"Unresolved tickets", "", sources.IncidentInvestigating},
		{"", "Service restored.", sources.IncidentResolved},
		{"Notice", "Something happened.", sources.IncidentInvestigating},
	} {
		if got := phaseOf(tc.title, tc.text); got != tc.want {
			t.Errorf("phaseOf(%q, %q) = %s, want %s", tc.title, tc.text, got, tc.want)
		}
	}
}
