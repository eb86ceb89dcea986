package incidentio

import (
	"encoding/json"
	"flag"
	"fmt"
	goldenfile "github.com/outagebot/outagebot/internal/golden"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/sources"
)

var update = flag.Bool("update", false, "rewrite the expected.golden files")

const fixtureBase = "https://status.nimbus.dev"

// fixtures maps each case to its document: widget.json (widget API),
// summary.json (the Statuspage-compatible API) or proxy.json (the summary
// the page's front end reads).
func fixtures(t testing.TB) map[string]string {
	out := map[string]string{}
	for _, name := range []string{"widget.json", "summary.json", "proxy.json"} {
		paths, _ := filepath.Glob("testdata/*/" + name)
		for _, p := range paths {
			out[filepath.Base(filepath.Dir(p))] = p
		}
	}
	if len(out) == 0 {
		t.Fatal("no fixtures")
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
	obs, err := Parse(data, fixtureBase)
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

// TestParseMapping checks the rules the goldens encode, so that an -update
// cannot quietly bless a regression.
func TestParseMapping(t *testing.T) {
	if op := parseFixture(t, "operational"); op.Incidents != nil || op.Maintenances != nil || op.Components != nil || op.Page != fixtureBase {
		t.Errorf("operational = %+v", op)
	}

	on := parseFixture(t, "ongoing")
	if len(on.Incidents) != 2 || len(on.Components) != 3 {
		t.Fatalf("ongoing = %+v", on)
	}
	a, b := on.Incidents[0], on.Incidents[1]
	if a.Status != sources.IncidentIdentified || a.Impact != sources.PartialOutage || b.Impact != sources.MajorOutage {
		t.Errorf("status/impact = %s/%s, %s", a.Status, a.Impact, b.Impact)
	}
	if len(a.Updates) != 1 || a.Updates[0].ID != "01J9X4T7G2W5M8Q1R3S6V9Y2B4@2026-09-04T19:31:07.114Z" || !strings.HasPrefix(a.Updates[0].Body, "We have identified") {
		t.Errorf("update = %+v", a.Updates)
	}
	if got := strings.Join(b.ComponentIDs, ","); got != "01HZ0A1B2C3D4E5F6G7H8J9K0P,01HZ0A1B2C3D4E5F6G7H8J9K0N" {
		t.Errorf("ComponentIDs = %s", got)
	}
	want := map[string]sources.Status{"Responses API": sources.PartialOutage, "Batch API": sources.Degraded, "Video generation": sources.MajorOutage}
	for _, c := range on.Components {
		if c.Status != want[c.Name] || c.Group == "" {
			t.Errorf("%+v, want %s", c, want[c.Name])
		}
	}

	res := parseFixture(t, "resolved")
	if r := res.Incidents[0]; r.Status != sources.IncidentResolved || r.ResolvedAt.IsZero() || r.Updates[0].Status != sources.IncidentResolved {
		t.Errorf("resolved = %+v", r)
	}
	if res.Components[0].Status != sources.Operational {
		t.Errorf("component after resolution = %+v", res.Components[0])
	}

	m := parseFixture(t, "maintenance")
	if len(m.Maintenances) != 3 || len(m.Incidents) != 0 {
		t.Fatalf("maintenances = %+v", m.Maintenances)
	}
	now, next, bare := m.Maintenances[0], m.Maintenances[1], m.Maintenances[2]
	if now.Status != sources.MaintenanceInProgress || now.ScheduledUntil.IsZero() || now.StartedAt.IsZero() || now.Impact != sources.Maintenance {
		t.Errorf("in progress = %+v", now)
	}
	if next.Status != sources.MaintenanceScheduled || !next.ScheduledFor.Equal(time.Date(2026, 9, 9, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("upcoming = %+v", next)
	}
	if bare.Status != sources.MaintenanceScheduled || !bare.ScheduledFor.IsZero() || len(bare.Updates) != 1 || bare.Updates[0].Body != "" {
		t.Errorf("scheduled without a window = %+v", bare)
	}
	for _, c := range m.Components {
		if c.Name == "Dashboard" && c.Status != sources.Maintenance || c.Name == "Responses API" && c.Status != sources.Operational {
			t.Errorf("component = %+v", c)
		}
	}

	odd := parseFixture(t, "odd")
	if odd.Page != fixtureBase || len(odd.Incidents) != 2 || len(odd.Components) != 2 {
		t.Fatalf("odd = %+v", odd)
	}
	x, y := odd.Incidents[0], odd.Incidents[1]
	if x.Status != sources.IncidentMonitoring || x.Impact != sources.Degraded || !x.UpdatedAt.Equal(time.Date(2026, 9, 4, 19, 40, 0, 0, time.UTC)) {
		t.Errorf("offset / no impact = %+v", x)
	}
	if odd.Components[0].ID != "01HZWOLKIG00000000000000A1" || odd.Components[1].Status != sources.Degraded {
		t.Errorf("component_id / status from impact = %+v", odd.Components)
	}
	if y.Status != "escalated" || y.Impact != sources.Degraded || y.Updates[0].Body != "Something new happened." || y.ComponentIDs != nil {
		t.Errorf("unknown words = %+v", y)
	}

	c := parseFixture(t, "compat")
	if len(c.Incidents) != 1 || len(c.Incidents[0].Updates) != 2 || c.Incidents[0].URL != fixtureBase+"/incidents/01J9X4T7G2W5M8Q1R3S6V9Y2B4" {
		t.Errorf("compat = %+v", c.Incidents)
	}
}

// TestParseProxy checks what the front end's summary says of OpenAI's page:
// every visible component, its group, the affected ones at their current
// status, incidents with their whole history, the upcoming maintenance.
func TestParseProxy(t *testing.T) {
	p := parseFixture(t, "proxy")
	if p.Page != "https://status.openai.com" {
		t.Errorf("Page = %s", p.Page)
	}
	type comp struct {
		group   string
		status  sources.Status
		isGroup bool
	}
	want := map[string]comp{
		"APIs": {"", sources.Operational, true}, "Responses": {"APIs", sources.Operational, false},
		"Chat Completions": {"APIs", sources.Operational, false}, "Realtime": {"APIs", sources.Operational, false},
		"Files":   {"APIs", sources.Operational, false},
		"ChatGPT": {"", sources.PartialOutage, true}, "Login": {"ChatGPT", sources.Operational, false},
		"Conversations": {"ChatGPT", sources.PartialOutage, false}, "Voice mode": {"ChatGPT", sources.Degraded, false},
		"Image Generation": {"ChatGPT", sources.Operational, false},
		"Sora":             {"", sources.Operational, true}, "Video generation": {"Sora", sources.Operational, false},
		"Codex": {"", sources.MajorOutage, true}, "Codex Web": {"Codex", sources.MajorOutage, false},
		"CLI": {"Codex", sources.Operational, false},
	}
	// Legacy Playground (hidden in a shown group) and FedRAMP (in a hidden
	// group) are named as affected: the page hides them, so they stay out
	// rather than coming back as ungrouped components in an outage.
	if len(p.Components) != len(want) {
		t.Errorf("%d components, want %d (hidden ones left out): %+v", len(p.Components), len(want), p.Components)
	}
	for _, c := range p.Components {
		w, ok := want[c.Name]
		if !ok || c.Group != w.group || c.Status != w.status || c.IsGroup != w.isGroup {
			t.Errorf("component %+v, want %+v (known %v)", c, w, ok)
		}
	}

	if len(p.Incidents) != 2 {
		t.Fatalf("incidents = %+v", p.Incidents)
	}
	chat, codex := p.Incidents[0], p.Incidents[1]
	if chat.Status != sources.IncidentIdentified || chat.Impact != sources.PartialOutage || chat.URL != "https://status.openai.com/incidents/01K2W9N4E6P8R0T2V4X6Z8B0D2" {
		t.Errorf("chat = %+v", chat)
	}
	if !chat.StartedAt.Equal(time.Date(2026, 9, 4, 18, 52, 11, 204e6, time.UTC)) || !chat.UpdatedAt.Equal(time.Date(2026, 9, 4, 19, 31, 7, 114e6, time.UTC)) || !chat.ResolvedAt.IsZero() {
		t.Errorf("chat times = %v %v %v", chat.StartedAt, chat.UpdatedAt, chat.ResolvedAt)
	}
	if len(chat.Updates) != 2 || chat.Updates[0].Status != sources.IncidentInvestigating || chat.Updates[1].ID != "01K2WBQ1M3N5P7R9T1V3X5Z7B9" || !strings.HasPrefix(chat.Updates[1].Body, "We have identified") {
		t.Errorf("chat updates (oldest first) = %+v", chat.Updates)
	}
	if got := strings.Join(chat.ComponentIDs, ","); got != "01JMXC0K9MB4V8QNXK1T1YX6AR,01JMXC0K9M0FWR5ESB6G3Z7ZHT" {
		t.Errorf("chat ComponentIDs = %s", got)
	}
	if codex.Impact != sources.MajorOutage || codex.Status != sources.IncidentInvestigating {
		t.Errorf("codex = %+v", codex)
	}

	if len(p.Maintenances) != 1 {
		t.Fatalf("maintenances = %+v", p.Maintenances)
	}
	m := p.Maintenances[0]
	if m.Status != sources.MaintenanceScheduled || m.Impact != sources.Maintenance ||
		!m.ScheduledFor.Equal(time.Date(2026, 9, 9, 2, 0, 0, 0, time.UTC)) || !m.ScheduledUntil.Equal(time.Date(2026, 9, 9, 3, 0, 0, 0, time.UTC)) ||
		len(m.Updates) != 1 || m.Updates[0].Status != sources.MaintenanceScheduled {
		t.Errorf("maintenance = %+v", m)
	}

	// The same document with nothing going on: everything operational, and
	// nothing announced.
	quiet := `{"summary":{"name":"OpenAI","public_url":"https://status.openai.com","components":[{"id":"a","name":"API"}],"affected_components":[],"ongoing_incidents":[],"in_progress_maintenances":[],"scheduled_maintenances":[],"structure":{"items":[{"component":{"component_id":"a","name":"API","hidden":false}}]}}}`
	q, err := Parse([]byte(quiet), fixtureBase)
	if err != nil || len(q.Incidents) != 0 || len(q.Maintenances) != 0 || len(q.Components) != 1 || q.Components[0].Status != sources.Operational {
		t.Errorf("quiet = %+v, %v", q, err)
	}
	// A component status this parser does not know is unknown, never an
	// outage; one named without a status is degraded.
	odd := `{"summary":{"components":[{"id":"a","name":"A"},{"id":"b","name":"B"}],"affected_components":[{"component_id":"a","status":"on_fire"},{"component_id":"b"}]}}`
	o, err := Parse([]byte(odd), fixtureBase)
	if err != nil || len(o.Components) != 2 || o.Components[0].Status != sources.Unknown || o.Components[1].Status != sources.Degraded {
		t.Errorf("odd = %+v, %v", o, err)
	}
	// A loose component the layout hides stays out even when affected; one
	// missing from the layout altogether is still reported.
	loose := `{"summary":{"components":[{"id":"a","name":"A"},{"id":"b","name":"B"},{"id":"c","name":"C"}],"affected_components":[{"component_id":"b","status":"full_outage"},{"component_id":"c","status":"partial_outage"}],"structure":{"items":[{"component":{"component_id":"a","name":"A"}},{"component":{"component_id":"b","name":"B","hidden":true}}]}}}`
	l, err := Parse([]byte(loose), fixtureBase)
	if err != nil || len(l.Components) != 2 || l.Components[0].ID != "a" || l.Components[1].ID != "c" || l.Components[1].Status != sources.PartialOutage {
		t.Errorf("loose = %+v, %v", l, err)
	}
	for doc, want := range map[string]string{
		`{"summary":{}, "ongoing_incidents":[]}`:                   `not an incident.io status page summary: no "components", "structure" or "ongoing_incidents" in "summary"`,
		`{"summary":{"ongoing_incidents":{}}}`:                     `not an incident.io status page summary: "summary.ongoing_incidents" is an object, want an array`,
		`{"summary":{"ongoing_incidents":[{"published_at":"x"}]}}`: `not an incident.io status page summary: bad time "x"`,
	} {
		if _, err := Parse([]byte(doc), fixtureBase); err == nil || err.Error() != want {
			t.Errorf("Parse(%s) err = %v, want %s", doc, err, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	ok, err := os.ReadFile("testdata/ongoing/widget.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, doc, want string }{
		{"empty", "", "not an incident.io summary (widget API or Statuspage-compatible): the body is empty"},
		{"object", "{}", `not an incident.io summary (widget API or Statuspage-compatible): no "page" or "components"`},
		{"array", "[]", "not an incident.io summary (widget API or Statuspage-compatible): the document is an array, not an object"},
		{"wrong shape", `{"ongoing_incidents":{}}`, `not an incident.io widget summary: an event list is an object, want an array`},
		{"wrong field", `{"ongoing_incidents":[{"affected_components":"API"}]}`, `not an incident.io widget summary: "ongoing_incidents.affected_components" is a string, want an array`},
		{"bad time", `{"ongoing_incidents":[{"last_update_at":"now"}]}`, `not an incident.io widget summary: bad time "now"`},
		{"invalid", `{"ongoing_incidents": nope}`, "invalid JSON at byte 24: invalid character 'o' in literal null (expecting 'u')"},
		{"truncated", string(ok[:len(ok)/2]), fmt.Sprintf("invalid JSON: the document ends early (truncated at %d bytes?)", len(ok)/2)},
		{"html", "<!DOCTYPE html><html></html>", "invalid JSON at byte 1: invalid character '<' looking for beginning of value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), fixtureBase)
			if err == nil || err.Error() != tc.want {
				t.Errorf("err\n got %v\nwant %s", err, tc.want)
			}
		})
	}
	for doc, want := range map[string]string{
		`{}`:             `not an incident.io widget summary: no "ongoing_incidents", "in_progress_maintenances" or "scheduled_maintenances"`,
		`{"page":{}}`:    `not an incident.io widget summary: no "ongoing_incidents", "in_progress_maintenances" or "scheduled_maintenances"`,
		`null`:           "not an incident.io widget summary: the document is null, not an object",
		`{"page_url":1}`: `not an incident.io widget summary: "page_url" is a number, want a string`,
	} {
		if _, err := ParseWidget([]byte(doc), fixtureBase); err == nil || err.Error() != want {
			t.Errorf("ParseWidget(%s) err = %v, want %s", doc, err, want)
		}
	}
}

func TestDetect(t *testing.T) {
	for c, p := range fixtures(t) {
		data, _ := os.ReadFile(p)
		if got, want := Detect(data, "application/json"), c != "compat"; got != want {
			t.Errorf("Detect(%s) = %v, want %v", c, got, want)
		}
	}
	for _, doc := range []string{"", "[]", "{}", `{"page":{},"components":[],"scheduled_maintenances":[]}`, "<rss></rss>"} {
		if Detect([]byte(doc), "application/json") {
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
	f.Add([]byte(`{"scheduled_maintenances":[{"affected_components":[{"name":"x"},{"component_id":"x"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		obs, err := Parse(data, fixtureBase)
		if err == nil {
			for _, c := range obs.Components {
				if !c.Status.Valid() {
					t.Errorf("bad component %+v", c)
				}
			}
		}
		// The widget API's own rules (the Statuspage-compatible path is
		// package statuspage's).
		obs, err = ParseWidget(data, fixtureBase)
		if err != nil {
			return
		}
		for _, c := range obs.Components {
			if !c.Status.Valid() || c.ID == "" {
				t.Errorf("bad component %+v", c)
			}
		}
		for _, inc := range append(obs.Incidents, obs.Maintenances...) {
			if !inc.Impact.Valid() || inc.Status == "" {
				t.Errorf("bad incident %+v", inc)
			}
		}
	})
}

// TestParseProxyRichText checks updates whose text comes only as a rich-text
// tree (message.text_node), and an incident whose severity comes only from
// its component_impacts: the open impact counts, the ended ones do not.
func TestParseProxyRichText(t *testing.T) {
	p := parseFixture(t, "proxy-richtext")
	if len(p.Incidents) != 1 {
		t.Fatalf("incidents = %+v", p.Incidents)
	}
	inc := p.Incidents[0]
	if inc.Impact != sources.PartialOutage || inc.Status != sources.IncidentMonitoring {
		t.Errorf("incident = %+v", inc)
	}
	if got := strings.Join(inc.ComponentIDs, ","); got != "01JR4T7A1C3E5G7J9L1N3Q5S7U,01JR4T7A1D4F6H8K0M2P4R6T8V" {
		t.Errorf("ComponentIDs = %s", got)
	}
	if len(inc.Updates) != 2 {
		t.Fatalf("updates = %+v", inc.Updates)
	}
	if got, want := inc.Updates[0].Body, "We are investigating elevated error rates on the API."; got != want {
		t.Errorf("first body = %q, want %q", got, want)
	}
	want := "A fix has been deployed. Most requests now succeed; we are watching:\n\n" +
		"- API error rates\n- the dashboard loading times\n\n" +
		"Next update within the hour.\nThank you for your patience."
	if got := inc.Updates[1].Body; got != want {
		t.Errorf("second body = %q, want %q", got, want)
	}
}

func TestProxyUpdateBody(t *testing.T) {
	para := func(s string) string { return `{"type":"paragraph","content":[{"type":"text","text":` + s + `}]}` }
	for _, tc := range []struct{ name, update, want string }{
		{"message_string first", `{"message_string":" plain ","message":{"text_node":{"type":"doc","content":[` + para(`"tree"`) + `]}}}`, "plain"},
		{"string", `{"message":" said "}`, "said"},
		{"markdown", `{"message":{"markdown":"**bold**","text_node":{"type":"doc","content":[` + para(`"bold"`) + `]}}}`, "**bold**"},
		{"text", `{"message":{"text":"flat"}}`, "flat"},
		{"text_node", `{"message":{"text_node":{"type":"doc","content":[` + para(`"one"`) + `,` + para(`"two"`) + `]}}}`, "one\n\ntwo"},
		{"doc as message", `{"message":{"type":"doc","content":[` + para(`"one"`) + `,{"type":"paragraph"},` + para(`"two"`) + `]}}`, "one\n\ntwo"},
		{"ordered and nested lists", `{"message":{"text_node":{"type":"doc","content":[{"type":"ordered_list","content":[` +
			`{"type":"list_item","content":[` + para(`"first"`) + `,{"type":"bullet_list","content":[{"type":"list_item","content":[` + para(`"inner"`) + `]}]}]},` +
			`{"type":"list_item","content":[` + para(`"second"`) + `]}]}]}}}`, "1. first\n  - inner\n2. second"},
		{"hard_break", `{"message":{"text_node":{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"a"},{"type":"hard_break"},{"type":"text","text":"b"}]}]}}}`, "a\nb"},
		{"empty tree", `{"message":{"text_node":{"type":"doc","content":[]}}}`, ""},
		{"neither", `{"message":[1,2]}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var u proxyUpdate
			if err := json.Unmarshal([]byte(tc.update), &u); err != nil {
				t.Fatal(err)
			}
			if got := u.body(); got != tc.want {
				t.Errorf("body = %q, want %q", got, tc.want)
			}
		})
	}
}
