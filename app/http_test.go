package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/config"
)

func TestHealthAndMetricsWhileRunning(t *testing.T) {
	v := &vendorPage{}
	v.phase.Store(1)
	srv := httptest.NewServer(v)
	defer srv.Close()
	text := fmt.Sprintf(`
[bot]
state = %q
listen = "127.0.0.1:0"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
`, filepath.Join(t.TempDir(), "state.db"), srv.URL)
	cfg, err := config.Parse("test.toml", []byte(text), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- a.Run(ctx) }()
	defer func() { cancel(); <-done }()

	base := "http://" + a.Addr()
	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
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
