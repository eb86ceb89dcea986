package app_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/app"
)

func TestHealthAndMetricsWhileRunning(t *testing.T) {
	v, feed := newVendor(t, 1)
	cfg := parseConfig(t, fmt.Sprintf(`
[bot]
state = %q
listen = "127.0.0.1:0"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
`, filepath.Join(t.TempDir(), "state.db"), feed))
	base := "http://" + startWith(t, cfg, app.Options{}, nil).app.Addr()
	get := func(path string) (int, string) { return httpGet(t, base+path) }
	waitFor(t, "first poll", func() bool { return v.polls.Load() > 0 })
	waitFor(t, "healthy", func() bool { code, _ := get("/healthz"); return code == 200 })
	waitFor(t, "metrics", func() bool {
		_, m := get("/metrics")
		return strings.Contains(m, `outagebot_polls_total{result="ok",target="OpenAI"}`) &&
			strings.Contains(m, `outagebot_deliveries_total{dest="console/console",result="delivered"} 1`) &&
			strings.Contains(m, "outagebot_outbox_depth 0") &&
			strings.Contains(m, `outagebot_open_outages{target="OpenAI"} 1`)
	})
}
