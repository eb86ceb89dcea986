package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// report reads the store the bot left behind and prints markdown or JSON;
// bad arguments are usage errors, an unknown outage the command's failure.
func TestReportCommand(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.db")
	cfg := writeConfig(t, fmt.Sprintf(`
[bot]
state = %q
[[target]]
name = "OpenAI"
type = "statuspage"
url = "https://status.openai.com"
`, state))
	st, err := store.Open(context.Background(), state)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 22, 14, 2, 0, 0, time.UTC)
	o := outage.Outage{ID: "5e1f00d1cafe0001", Target: "OpenAI", Key: "incident:1", Class: outage.Incident, Title: "Elevated error rates",
		Severity: sources.PartialOutage, Phase: sources.IncidentInvestigating, URL: "https://status.openai.com/incidents/1", OpenedAt: at}
	evs := []outage.Event{o.Event(outage.Opened, at, "We are investigating.")}
	o.ResolvedAt = at.Add(72 * time.Minute)
	evs = append(evs, o.Event(outage.Resolved, o.ResolvedAt, "Resolved."))
	if _, err := st.Commit(context.Background(), store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o}, Events: evs, At: at}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	code, out, errOut := runCLI("incidents", "--config", cfg, "--window", "3650d")
	if code != 0 || !strings.Contains(out, "5e1f00d1cafe0001  OpenAI  Elevated error rates") || !strings.Contains(out, "lasted 1h 12m") {
		t.Errorf("incidents: %d %q %s", code, out, errOut)
	}
	if code, out, _ := runCLI("incidents", "--config", cfg); code != 0 || !strings.Contains(out, "No outages in the last 24h") {
		t.Errorf("incidents, nothing recent: %d %q", code, out)
	}
	code, out, errOut = runCLI("report", "--config", cfg, "--outage", "5e1f")
	if code != 0 || !strings.Contains(out, "# Outage report: OpenAI: Elevated error rates") || !strings.Contains(out, "| Total duration | 1h 12m |") {
		t.Errorf("markdown: %d %s %s", code, out, errOut)
	}
	code, out, _ = runCLI("report", "--config", cfg, "--outage", "5e1f00d1cafe0001", "--format", "json")
	var r struct {
		ID       string `json:"id"`
		Timeline []any  `json:"timeline"`
	}
	if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil || r.ID != o.ID || len(r.Timeline) != 2 {
		t.Errorf("json: %d %v %s", code, err, out)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--config", cfg}, exitUsage, "--outage ID is required"},
		{[]string{"--config", cfg, "--outage", "ffff"}, exitFailure, `outage "ffff": not found`},
		{[]string{"--config", cfg, "--outage", "5e1f", "--format", "pdf"}, exitUsage, "--format must be markdown or json"},
	} {
		if code, _, errOut := runCLI(append([]string{"report"}, c.args...)...); code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("report %v: %d %q, want %d %q", c.args, code, errOut, c.code, c.want)
		}
	}
}
