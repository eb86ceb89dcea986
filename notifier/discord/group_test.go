package discord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

func TestRenderGroupGolden(t *testing.T) {
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	sev := []sources.Status{sources.Degraded, sources.MajorOutage, sources.PartialOutage}
	for _, n := range []int{3, 50} {
		name := fmt.Sprintf("group-%d-outages", n)
		t.Run(name, func(t *testing.T) {
			evs := make([]outage.Event, n)
			for i := range evs {
				o := outage.Outage{ID: fmt.Sprintf("o-%d", i), Target: fmt.Sprintf("Probe %03d", i+1), Class: outage.Incident,
					Title: "Connection refused", Severity: sev[i%3], OpenedAt: at.Add(time.Duration(i) * time.Second)}
				evs[i] = o.Event(outage.Opened, o.OpenedAt, "")
			}
			m := RenderGroup(evs)
			checkDigestLimits(t, m.Embeds)
			checkGolden(t, name, m)
		})
	}
}

// checkGolden compares v as JSON with testdata/name.golden (go test -update
// rewrites it).
func checkGolden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs (run go test -update after checking the change):\n%s", path, buf.String())
	}
}
