package awshealth

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	goldenfile "github.com/outagebot/outagebot/internal/golden"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

var update = flag.Bool("update", false, "rewrite the expected.golden files")

const fixtureBase = "https://health.aws.amazon.com"

// testNow is the fixtures' afternoon: the EC2 event opened at 14:02 UTC on
// 2026-12-03 and was resolved at 16:41.
var testNow = time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)

const (
	arnEC2 = "arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_7F3A1_514C8B2E9D0"
	arnIAM = "arn:aws:health:global::event/IAM/AWS_IAM_OPERATIONAL_ISSUE/AWS_IAM_OPERATIONAL_ISSUE_2C9D4_8E01A7F36B2"
)

func cases(t testing.TB) []string {
	paths, err := filepath.Glob("testdata/*/currentevents.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var out []string
	for _, p := range paths {
		out = append(out, filepath.Base(filepath.Dir(p)))
	}
	return out
}

func golden(t *testing.T, path string, v any) {
	t.Helper()
	goldenfile.JSONAt(t, path, v, *update)
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func parseFixture(t *testing.T, name string) sources.Observation {
	t.Helper()
	obs, err := Parse(readFixture(t, name+"/currentevents.json"), "", fixtureBase)
	if err != nil {
		t.Fatal(err)
	}
	return obs
}

func TestParseGolden(t *testing.T) {
	for _, c := range cases(t) {
		t.Run(c, func(t *testing.T) {
			golden(t, filepath.Join("testdata", c, "expected.golden"), parseFixture(t, c))
		})
	}
	t.Run("history", func(t *testing.T) {
		h, err := parseHistory(readFixture(t, "history/historyevents.json"), "application/json", fixtureBase)
		if err != nil {
			t.Fatal(err)
		}
		// The list is empty: only the history speaks, and only of the event
		// that ended within the day.
		cur, err := parseCurrent(readFixture(t, "operational/currentevents.json"), "", fixtureBase)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "testdata/history/expected.golden", observation(fixtureBase, cur, h, testNow, RecentlyResolved))
	})
}

func find(t *testing.T, obs sources.Observation, id string) sources.Incident {
	t.Helper()
	for _, inc := range obs.Incidents {
		if inc.ID == id {
			return inc
		}
	}
	t.Fatalf("no incident %s in %+v", id, obs.Incidents)
	return sources.Incident{}
}

func component(t *testing.T, obs sources.Observation, id string) sources.Component {
	t.Helper()
	for _, c := range obs.Components {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no component %s in %+v", id, obs.Components)
	return sources.Component{}
}

// TestParseMapping checks the rules the goldens encode, so that an -update
// cannot quietly bless a regression.
func TestParseMapping(t *testing.T) {
	// AWS's "[]": all operational, nothing to report.
	if obs := parseFixture(t, "operational"); len(obs.Incidents) != 0 || len(obs.Components) != 0 || obs.Page != fixtureBase+"/health/status" {
		t.Errorf("operational = %+v", obs)
	}

	obs := parseFixture(t, "ongoing")
	ec2 := find(t, obs, arnEC2)
	if ec2.Title != "Amazon Elastic Compute Cloud (us-east-1): Increased API Error Rates" {
		t.Errorf("title = %q", ec2.Title)
	}
	if ec2.Status != sources.IncidentInvestigating || ec2.Impact != sources.PartialOutage || !ec2.ResolvedAt.IsZero() {
		t.Errorf("ec2 = %s %s %v", ec2.Status, ec2.Impact, ec2.ResolvedAt)
	}
	if !ec2.StartedAt.Equal(time.Date(2026, 12, 3, 14, 2, 11, 0, time.UTC)) || !ec2.UpdatedAt.Equal(time.Date(2026, 12, 3, 14, 37, 45, 0, time.UTC)) {
		t.Errorf("ec2 times = %v %v", ec2.StartedAt, ec2.UpdatedAt)
	}
	if ec2.StartedAt.Location() != time.UTC {
		t.Errorf("times are not UTC: %v", ec2.StartedAt.Location())
	}
	if len(ec2.Updates) != 2 || ec2.Updates[0].At.After(ec2.Updates[1].At) || !strings.HasPrefix(ec2.Updates[1].Body, "We have identified") ||
		!strings.Contains(ec2.Updates[1].Body, "\n\nWe recommend") {
		t.Errorf("ec2 updates = %+v", ec2.Updates)
	}
	if ec2.Updates[0].ID != arnEC2+"@1796306531" {
		t.Errorf("update id = %s", ec2.Updates[0].ID)
	}
	if strings.Join(ec2.ComponentIDs, ",") != "autoscaling-us-east-1,ec2-us-east-1" {
		t.Errorf("component ids = %v", ec2.ComponentIDs)
	}
	if c := component(t, obs, "ec2-us-east-1"); c.Name != "Amazon Elastic Compute Cloud (us-east-1)" || c.Group != "us-east-1" || c.Status != sources.PartialOutage {
		t.Errorf("ec2 component = %+v", c)
	}
	if c := component(t, obs, "autoscaling-us-east-1"); c.Status != sources.Degraded {
		t.Errorf("autoscaling component = %+v", c)
	}
	if !strings.HasPrefix(ec2.URL, fixtureBase+"/health/status?eventID=arn%3Aaws%3Ahealth%3Aus-east-1") {
		t.Errorf("url = %s", ec2.URL)
	}
	// A global event: no region in its ARN's region slot but "global", and
	// region_name null.
	iam := find(t, obs, arnIAM)
	if iam.Impact != sources.Degraded || iam.Title != "AWS Identity and Access Management (global): Delayed propagation of IAM changes" {
		t.Errorf("iam = %s %q", iam.Impact, iam.Title)
	}
	if c := component(t, obs, "iam"); c.Group != "global" || c.Status != sources.Degraded {
		t.Errorf("iam component = %+v", c)
	}

	// Closed but still listed (UTF-8 this time): resolved, with AWS's last
	// words, at the end time AWS gave; the peak impact is kept.
	obs = parseFixture(t, "resolving")
	ec2 = find(t, obs, arnEC2)
	last, _ := ec2.Latest()
	if ec2.Status != sources.IncidentResolved || !ec2.ResolvedAt.Equal(time.Date(2026, 12, 3, 16, 41, 0, 0, time.UTC)) ||
		last.Status != sources.IncidentResolved || !strings.Contains(last.Body, "has been resolved") || ec2.Impact != sources.PartialOutage {
		t.Errorf("resolving ec2 = %s %v %s %+v", ec2.Status, ec2.ResolvedAt, ec2.Impact, last)
	}
	for _, u := range ec2.Updates[:len(ec2.Updates)-1] {
		if u.Status != sources.IncidentInvestigating {
			t.Errorf("earlier update %s is %s", u.ID, u.Status)
		}
	}
	if c := component(t, obs, "ec2-us-east-1"); c.Status != sources.Operational {
		t.Errorf("resolved component = %+v", c)
	}
	if find(t, obs, arnIAM).Status.Done() {
		t.Errorf("the IAM event is still open")
	}
}

// TestStatusCodes pins the mapping of AWS's codes, as strings or numbers.
func TestStatusCodes(t *testing.T) {
	for _, tc := range []struct {
		status, current string
		impact          sources.Status
	}{
		{`"1"`, `"1"`, sources.Degraded},
		{`"2"`, `"2"`, sources.PartialOutage},
		{`"3"`, `"3"`, sources.MajorOutage},
		{`3`, `3`, sources.MajorOutage},
		// The top-level status is the peak; the services say how it is now.
		{`"3"`, `"1"`, sources.Degraded},
		// An open event whose services all recovered is still open.
		{`"2"`, `"0"`, sources.Degraded},
		{`"9"`, `"x"`, sources.Degraded},
	} {
		doc := `[{"arn":"arn:aws:health:eu-west-1::event/S3/X/X_1","date":"1764770531","status":` + tc.status +
			`,"service":"s3-eu-west-1","service_name":"Amazon Simple Storage Service","summary":"Errors",` +
			`"event_log":[{"summary":"Errors","message":"m","status":1,"timestamp":1764770531}],` +
			`"impacted_services":{"s3-eu-west-1":{"service_name":"Amazon Simple Storage Service","current":` + tc.current + `,"max":` + tc.status + `}}}]`
		obs, err := Parse([]byte(doc), "", fixtureBase)
		if err != nil {
			t.Fatalf("%s/%s: %v", tc.status, tc.current, err)
		}
		if got := obs.Incidents[0].Impact; got != tc.impact || obs.Incidents[0].Status != sources.IncidentInvestigating {
			t.Errorf("status %s current %s: impact %s (%s), want %s", tc.status, tc.current, got, obs.Incidents[0].Status, tc.impact)
		}
	}
	// No impacted_services (an older event shape): the event's service is the
	// component, at the latest log entry's status.
	doc := `[{"arn":"arn:aws:health:eu-west-1::event/S3/X/X_1","date":1764770531,"status":"1","service":"s3-eu-west-1",` +
		`"service_name":"Amazon Simple Storage Service","summary":"Errors","event_log":[` +
		`{"summary":"Errors","message":"a","status":1,"timestamp":"1764770531"},{"summary":"Errors","message":"b","status":3,"timestamp":"1764771000"}]}]`
	obs, err := Parse([]byte(doc), "", fixtureBase)
	if err != nil {
		t.Fatal(err)
	}
	if obs.Incidents[0].Impact != sources.MajorOutage || len(obs.Components) != 1 || obs.Components[0].ID != "s3-eu-west-1" || obs.Components[0].Status != sources.MajorOutage {
		t.Errorf("no impacted_services: %+v", obs)
	}
}

// utf16Of encodes s as UTF-16 in the given byte order, with or without a
// byte order mark.
func utf16Of(s string, little, bom bool) []byte {
	var out []byte
	put := func(u uint16) {
		if little {
			out = append(out, byte(u), byte(u>>8))
		} else {
			out = append(out, byte(u>>8), byte(u))
		}
	}
	if bom {
		put(0xFEFF)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		put(u)
	}
	return out
}

// TestEncodings reads the same events in every encoding AWS has been seen
// to use or could switch to, by the bytes or by the Content-Type's charset.
func TestEncodings(t *testing.T) {
	utf8Doc := readFixture(t, "resolving/currentevents.json")
	want, err := Parse(utf8Doc, "", fixtureBase)
	if err != nil {
		t.Fatal(err)
	}
	// A non-ASCII character, to see that it survives each decoding.
	text := strings.Replace(string(utf8Doc), "Increased API Error Rates", "Increased API Error Rates – São Paulo 😀", 1)
	want.Incidents[0].Title = strings.Replace(want.Incidents[0].Title, "Increased API Error Rates", "Increased API Error Rates – São Paulo 😀", 1)
	for _, tc := range []struct {
		name, ctype string
		body        []byte
	}{
		{"utf-8", "application/json", []byte(text)},
		{"utf-8 labelled", "application/json; charset=utf-8", []byte(text)},
		{"utf-8 with bom", "application/json", append([]byte("\xef\xbb\xbf"), text...)},
		{"utf-8 mislabelled utf-16", "application/json;charset=utf-16", []byte(text)},
		{"utf-16le with bom", "application/json;charset=utf-16", utf16Of(text, true, true)},
		{"utf-16le with bom, no label", "", utf16Of(text, true, true)},
		{"utf-16be with bom", "application/json", utf16Of(text, false, true)},
		{"utf-16le without bom", "application/json; charset=UTF-16LE", utf16Of(text, true, false)},
		{"utf-16be without bom", "", utf16Of(text, false, false)},
		{"utf-16 bom against the label", "application/json; charset=utf-16be", utf16Of(text, true, true)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.body, tc.ctype, fixtureBase)
			if err != nil {
				t.Fatal(err)
			}
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			if !bytes.Equal(g, w) {
				t.Errorf("got\n%s\nwant\n%s", g, w)
			}
		})
	}

	// A Latin-1 label is honoured.
	latin := []byte(`[{"arn":"arn:aws:health:eu-west-1::event/X/Y/Z","summary":"S` + "\xe3" + `o Paulo","event_log":[]}]`)
	obs, err := Parse(latin, "application/json; charset=ISO-8859-1", fixtureBase)
	if err != nil || !strings.HasSuffix(obs.Incidents[0].Title, "São Paulo (eu-west-1)") {
		t.Errorf("latin-1: %v %+v", err, obs.Incidents)
	}
	// An unknown label on bytes that are not UTF-8 says which label.
	if _, err := Parse(latin, "application/json; charset=koi8-r", fixtureBase); err == nil || !errors.Is(err, ErrCharset) || !strings.Contains(err.Error(), `"koi8-r"`) {
		t.Errorf("koi8-r: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	ok := readFixture(t, "resolving/currentevents.json")
	trunc := readFixture(t, "errors/truncated.json")
	for _, tc := range []struct {
		name  string
		doc   []byte
		ctype string
		want  string
	}{
		{"empty", nil, "", "not an AWS Health Dashboard event list: the body is empty"},
		{"object", []byte("{}"), "", "not an AWS Health Dashboard event list: the document is an object, not an array"},
		{"null", []byte("null"), "", "not an AWS Health Dashboard event list: the document is null, not an array"},
		{"strings", []byte(`["a"]`), "", "not an AWS Health Dashboard event list: an event is a string, not an object"},
		{"no arn", []byte(`[{"date":"1764770531"}]`), "", `not an AWS Health Dashboard event list: event 0 has no "arn"`},
		{"wrong type", []byte(`[{"arn":"a","event_log":{}}]`), "", `not an AWS Health Dashboard event list: "event_log" is an object, want an array`},
		{"bad time", []byte(`[{"arn":"a","date":"yesterday"}]`), "", `not an AWS Health Dashboard event list: bad time "yesterday"`},
		{"invalid", []byte(`[{"arn": nope}]`), "", "invalid JSON at byte 11: invalid character 'o' in literal null (expecting 'u')"},
		{"truncated utf-8", ok[:len(ok)/2], "", "invalid JSON: the document ends early (truncated at " + itoa(len(ok)/2) + " bytes?)"},
		// Half of a UTF-16 body decodes to half the characters.
		{"truncated utf-16", trunc, "", "invalid JSON: the document ends early (truncated at " + itoa((len(trunc)-2)/2) + " bytes?)"},
		{"odd utf-16", readFixture(t, "errors/truncated-odd.json"), "", "unreadable character encoding: the body is UTF-16LE but has an odd number of bytes (2429; truncated?)"},
		{"html", []byte("<!DOCTYPE html><html></html>"), "", "got an HTML or XML page instead of JSON (an error or login page?): " + fetch.ErrHTML.Error()},
		{"html in utf-16", readFixture(t, "errors/html-utf16.json"), "application/json", "got an HTML or XML page instead of JSON (an error or login page?): " + fetch.ErrHTML.Error()},
		{"garbage", []byte("\x89PNG\r\n\x1a\n\x00\x00"), "", "invalid JSON at byte 1: invalid character '\\u0089' looking for beginning of value"},
		{"garbage that looks like utf-16", []byte("\x00\x01\x02garbage\xff"), "", "unreadable character encoding: the body is UTF-16BE but has an odd number of bytes (11; truncated?)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.doc, tc.ctype, fixtureBase)
			if err == nil || err.Error() != tc.want {
				t.Errorf("err\n got %v\nwant %s", err, tc.want)
			}
		})
	}
	if _, err := Parse(readFixture(t, "errors/html-utf16.json"), "", fixtureBase); !errors.Is(err, fetch.ErrHTML) {
		t.Errorf("an HTML page is not ErrHTML: %v", err)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestHistoryShapes(t *testing.T) {
	// An event the history lists under two services is one event.
	doc := `{"a":[{"arn":"arn:aws:health:us-east-1::event/X/Y/1","event_log":[{"status":0,"timestamp":1764770531,"message":"done"}]}],` +
		`"b":[{"arn":"arn:aws:health:us-east-1::event/X/Y/1","event_log":[{"status":0,"timestamp":1764770531,"message":"done"}]}]}`
	h, err := parseHistory([]byte(doc), "", fixtureBase)
	if err != nil || len(h.events) != 1 || h.events[0].inc.Status != sources.IncidentResolved || h.events[0].comps[0].ID != "a" {
		t.Errorf("history = %+v, %v", h, err)
	}
	// Every event in the history is over, whatever its last entry says.
	h, err = parseHistory([]byte(`[{"arn":"x","event_log":[{"status":2,"timestamp":1764770531,"message":"m"}]}]`), "", fixtureBase)
	if err != nil || !h.events[0].inc.Status.Done() || !h.events[0].inc.ResolvedAt.Equal(time.Unix(1764770531, 0)) {
		t.Errorf("array history = %+v, %v", h, err)
	}
	for doc, want := range map[string]string{
		`null`:          "not an AWS Health Dashboard event history: the document is null, not an object",
		`"x"`:           "not an AWS Health Dashboard event history: the document is a string, not an object",
		`{"a":{}}`:      `not an AWS Health Dashboard event history: service "a": the document is an object, not an array`,
		`{"a":[{}]}`:    `not an AWS Health Dashboard event history: event 0 has no "arn"`,
		`<html></html>`: "got an HTML or XML page instead of JSON (an error or login page?): " + fetch.ErrHTML.Error(),
	} {
		if _, err := parseHistory([]byte(doc), "", fixtureBase); err == nil || err.Error() != want {
			t.Errorf("parseHistory(%s) = %v, want %s", doc, err, want)
		}
	}
}

func TestEpoch(t *testing.T) {
	for in, want := range map[string]time.Time{
		`"1764770531"`:    time.Unix(1764770531, 0),
		`1764770531`:      time.Unix(1764770531, 0),
		`1764770531412`:   time.UnixMilli(1764770531412),
		`"1764770531412"`: time.UnixMilli(1764770531412),
		`1764770531.5`:    time.UnixMilli(1764770531500),
		`null`:            {},
		`""`:              {},
		`0`:               {},
	} {
		var e epoch
		if err := json.Unmarshal([]byte(in), &e); err != nil || !e.time().Equal(want) {
			t.Errorf("epoch %s = %v, %v; want %v", in, e.time(), err, want)
		}
	}
	for _, in := range []string{`"soon"`, `-5`, `1e20`, `true`, `[]`} {
		var e epoch
		if err := json.Unmarshal([]byte(in), &e); err == nil {
			t.Errorf("epoch %s = %v, want an error", in, e.time())
		}
	}
}

func TestPlain(t *testing.T) {
	for in, want := range map[string]string{
		"  Line one.\r\n\r\nLine two.  ":          "Line one.\n\nLine two.",
		"a < b and c > d":                         "a < b and c > d",
		"<p>We are <b>investigating</b>.</p>":     "We are investigating.",
		"Errors &amp; latency":                    "Errors & latency",
		"Between 6:02 AM and 8:41 AM PST, a < b.": "Between 6:02 AM and 8:41 AM PST, a < b.",
	} {
		if got := plain(in); got != want {
			t.Errorf("plain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDetect(t *testing.T) {
	for _, c := range []string{"ongoing", "resolving", "investigating"} {
		if !Detect(readFixture(t, c+"/currentevents.json"), "application/json") {
			t.Errorf("Detect(%s) = false", c)
		}
	}
	for _, doc := range [][]byte{nil, []byte("[]"), readFixture(t, "operational/currentevents.json"), []byte("{}"), []byte(`[{"id":"a","external_desc":"x"}]`), []byte("<rss></rss>")} {
		if Detect(doc, "application/json") {
			t.Errorf("Detect(%q) = true", doc)
		}
	}
}

func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*/*.json")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "")
	}
	f.Add([]byte(`[{"arn":"a:b:c:d:e","status":"0","end_time":"1","event_log":[{"status":0},{"status":"0","timestamp":"0"}],"impacted_services":{"":{}}}]`), "text/plain; charset=utf-16")
	f.Add([]byte{0xFE, 0xFF, 0, '[', 0, ']'}, "")
	f.Fuzz(func(t *testing.T, data []byte, ctype string) {
		obs, err := Parse(data, ctype, fixtureBase)
		if err != nil {
			return
		}
		for _, c := range obs.Components {
			if !c.Status.Valid() || c.ID == "" || c.Name == "" {
				t.Errorf("bad component %+v", c)
			}
		}
		for _, inc := range obs.Incidents {
			if !inc.Impact.Valid() || inc.Status == "" || inc.ID == "" || inc.Title == "" {
				t.Errorf("bad incident %+v", inc)
			}
			for i := 1; i < len(inc.Updates); i++ {
				if inc.Updates[i].At.Before(inc.Updates[i-1].At) {
					t.Errorf("updates out of order")
				}
				if inc.Updates[i].ID == inc.Updates[i-1].ID {
					t.Errorf("duplicate update id %s", inc.Updates[i].ID)
				}
			}
		}
		// The history parser shares the event parser; it must not panic.
		_, _ = parseHistory(data, ctype, fixtureBase)
	})
}
