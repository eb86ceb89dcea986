package app_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/outagebot/outagebot/app"
)

// dashboardPath is the Grafana dashboard shipped for the bot.
const dashboardPath = "../deploy/grafana/outagebot.json"

// dashboardPanel is the part of a Grafana panel these tests read; rows
// nest their panels when collapsed.
type dashboardPanel struct {
	Title      string           `json:"title"`
	Type       string           `json:"type"`
	Datasource *json.RawMessage `json:"datasource"`
	Targets    []struct {
		Expr       string          `json:"expr"`
		Datasource json.RawMessage `json:"datasource"`
	} `json:"targets"`
	Panels []dashboardPanel `json:"panels"`
}

type dashboard struct {
	Inputs []struct {
		Name     string `json:"name"`
		PluginID string `json:"pluginId"`
	} `json:"__inputs"`
	Templating struct {
		List []struct {
			Name       string `json:"name"`
			Definition string `json:"definition"`
		} `json:"list"`
	} `json:"templating"`
	Panels []dashboardPanel `json:"panels"`
}

var metricName = regexp.MustCompile(`\boutagebot_[a-zA-Z0-9_]+`)

// dashboardMetrics returns, by metric name, the panels (or variables)
// whose queries use it, and checks that every query goes to the
// ${DS_PROMETHEUS} input.
func dashboardMetrics(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", dashboardPath, err)
	}
	if len(d.Inputs) != 1 || d.Inputs[0].Name != "DS_PROMETHEUS" || d.Inputs[0].PluginID != "prometheus" {
		t.Errorf("%s: inputs %+v, want the one Prometheus datasource DS_PROMETHEUS", dashboardPath, d.Inputs)
	}
	uses := map[string][]string{}
	var walk func([]dashboardPanel)
	walk = func(ps []dashboardPanel) {
		for _, p := range ps {
			walk(p.Panels)
			if p.Type == "row" {
				continue
			}
			if len(p.Targets) == 0 {
				t.Errorf("panel %q has no query", p.Title)
			}
			for _, q := range p.Targets {
				if !strings.Contains(string(q.Datasource), "${DS_PROMETHEUS}") {
					t.Errorf("panel %q: a query's datasource is %s, want ${DS_PROMETHEUS}", p.Title, q.Datasource)
				}
				names := metricName.FindAllString(q.Expr, -1)
				if len(names) == 0 {
					t.Errorf("panel %q: query %q uses no outagebot metric", p.Title, q.Expr)
				}
				for _, n := range names {
					uses[n] = append(uses[n], "panel "+p.Title)
				}
			}
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		for _, n := range metricName.FindAllString(v.Definition, -1) {
			uses[n] = append(uses[n], "variable "+v.Name)
		}
	}
	return uses
}

// exposed returns the sample names in a /metrics text: each family's name
// and, for histograms and summaries, the series names they expose.
func exposed(t *testing.T, text string) map[string]bool {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	out := map[string]bool{}
	for name, f := range fams {
		if len(f.GetMetric()) == 0 {
			continue
		}
		out[name] = true
		switch f.GetType() {
		case dto.MetricType_HISTOGRAM:
			out[name+"_bucket"], out[name+"_sum"], out[name+"_count"] = true, true, true
		case dto.MetricType_SUMMARY:
			out[name+"_sum"], out[name+"_count"] = true, true
		}
	}
	return out
}

// TestDashboardMatchesMetrics runs the bot with a probe of an https
// endpoint, so that every per-target metric has a sample, and checks that
// each metric the Grafana dashboard queries is in its /metrics: the
// dashboard cannot drift from the code unnoticed.
func TestDashboardMatchesMetrics(t *testing.T) {
	uses := dashboardMetrics(t)
	for _, want := range []string{
		"outagebot_target_status", "outagebot_target_up", "outagebot_probe_duration_seconds_bucket",
		"outagebot_tls_certificate_expiry_timestamp_seconds", "outagebot_outbox_depth", "outagebot_deliveries_total",
		"outagebot_leader", "outagebot_config_last_reload_successful",
	} {
		if _, ok := uses[want]; !ok {
			t.Errorf("the dashboard has no panel on %s", want)
		}
	}

	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	t.Cleanup(srv.Close)
	cfg := parseConfig(t, fmt.Sprintf(`
[bot]
state = %q
listen = "127.0.0.1:0"
[[target]]
name = "Web"
group = "storefront"
type = "http"
url = %q
insecure_skip_verify = true
interval = "1s"
`, filepath.Join(t.TempDir(), "state.db"), srv.URL))
	a := startWith(t, cfg, app.Options{}, nil).app

	// Wait for the first poll's samples (a bound on failure, not a timing
	// assertion).
	var missing []string
	for deadline := time.Now().Add(15 * time.Second); ; {
		_, body := httpGet(t, "http://"+a.Addr()+"/metrics")
		have := exposed(t, body)
		missing = missing[:0]
		for n := range uses {
			if !have[n] {
				missing = append(missing, n)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	slices.Sort(missing)
	for _, n := range missing {
		t.Errorf("the dashboard queries %s (%s), which /metrics does not have", n, strings.Join(uses[n], ", "))
	}
	_, body := httpGet(t, "http://"+a.Addr()+"/metrics")
	for _, want := range []string{
		fmt.Sprintf(`outagebot_build_info{goversion=%q,version=%q} 1`, runtime.Version(), app.CurrentBuild().Version),
		`outagebot_target_up{group="storefront",target="Web"} 1`,
		// Made at 0 before any delivery, so that rate() sees the first.
		`outagebot_deliveries_total{dest="console/console",result="gave_up"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
