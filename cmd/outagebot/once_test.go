package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// once's exit code answers "is something down?": 1 when a target is in
// outage (degraded or worse), whatever else could not be read; 2 when none
// is but one could not be read; 0 otherwise, maintenance included.
func TestOnceExitCodes(t *testing.T) {
	unreachable := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html><body>502 Bad Gateway</body></html>")
	}))
	t.Cleanup(unreachable.Close)
	maintenance := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v2/summary.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		http.ServeFile(w, r, "../../sources/statuspage/testdata/maintenance-major/summary.json")
	}))
	t.Cleanup(maintenance.Close)
	urls := map[string]string{
		"operational": serveFixture(t, "1-operational").URL,
		"degraded":    serveFixture(t, "2-investigating").URL,
		"partial":     serveFixture(t, "3-identified").URL,
		"maintenance": maintenance.URL,
		"unreachable": unreachable.URL,
	}
	tests := []struct {
		targets []string
		code    int
		status  []string // what once --json says of each target
	}{
		{[]string{"operational"}, exitOK, []string{"operational"}},
		{[]string{"operational", "maintenance"}, exitOK, []string{"operational", "maintenance"}},
		{[]string{"operational", "degraded"}, exitFailure, []string{"operational", "degraded"}},
		{[]string{"partial"}, exitFailure, []string{"partial_outage"}},
		{[]string{"operational", "unreachable"}, exitUnreachable, []string{"operational", "unknown"}},
		{[]string{"unreachable", "partial"}, exitFailure, []string{"unknown", "partial_outage"}},
		{[]string{"partial", "unreachable"}, exitFailure, []string{"partial_outage", "unknown"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.targets, "+"), func(t *testing.T) {
			var b strings.Builder
			b.WriteString("[bot]\nstate = \"unused.db\"\n")
			for _, name := range tt.targets {
				fmt.Fprintf(&b, "[[target]]\nname = %q\ntype = \"statuspage\"\nurl = %q\n", name, urls[name])
			}
			path := writeConfig(t, b.String())
			code, out, errOut := runCLI("once", "--config", path)
			if code != tt.code {
				t.Errorf("table: exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			for i, name := range tt.targets {
				if !strings.Contains(out, "\n"+name+" ") || !strings.Contains(out, " "+tt.status[i]+" ") {
					t.Errorf("table lacks %s %s:\n%s", name, tt.status[i], out)
				}
			}
			code, out, errOut = runCLI("once", "--config", path, "--json")
			if code != tt.code {
				t.Errorf("--json: exit %d, want %d\n%s", code, tt.code, errOut)
			}
			for i, name := range tt.targets {
				if want := fmt.Sprintf(`"name": %q,
      "status": %q`, name, tt.status[i]); !strings.Contains(out, want) {
					t.Errorf("JSON lacks %s:\n%s", want, out)
				}
			}
		})
	}
}
