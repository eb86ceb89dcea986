package app_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// The API and the badges are served on [bot] listen behind the [web]
// token, health stays open, and the console's outage message links to
// the outage's page under base_url.
func TestWebThroughRealPipeline(t *testing.T) {
	v, feed := newVendor(t, 0)
	const token = "0123456789abcdef0123"
	cfg := parseConfigEnv(t, fmt.Sprintf(`
[bot]
state = %q
listen = "127.0.0.1:0"

[web]
title = "ACME"
base_url = "https://status.example.com"
token = "${OUTAGEBOT_WEB_TOKEN}"
public_badges = true

[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
timeout = "1s"
group = "ai"
`, filepath.Join(t.TempDir(), "state.db"), feed), map[string]string{"OUTAGEBOT_WEB_TOKEN": token})
	b := start(t, cfg)
	a, out := b.app, b.out

	get := func(path string, auth bool) (int, http.Header, string) {
		req, _ := http.NewRequest("GET", "http://"+a.Addr()+path, nil)
		if auth {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}

	waitPolls(t, v, 1)
	v.phase.Store(1)
	waitFor(t, "the outage in the console", func() bool { return len(out.Lines()) >= 1 })
	line := out.Lines()[0]
	if !strings.Contains(line, "https://status.example.com/outages/") {
		t.Errorf("the console message does not link to the outage's page: %s", line)
	}

	var list struct {
		Targets []struct {
			Name        string   `json:"name"`
			Group       string   `json:"group"`
			Status      string   `json:"status"`
			OpenOutages []string `json:"open_outages"`
		} `json:"targets"`
	}
	waitFor(t, "the outage in the API", func() bool {
		code, _, body := get("/api/v1/targets", true)
		if code != 200 || json.Unmarshal([]byte(body), &list) != nil {
			return false
		}
		return len(list.Targets) == 1 && len(list.Targets[0].OpenOutages) == 1
	})
	if tg := list.Targets[0]; tg.Name != "OpenAI" || tg.Group != "ai" || tg.Status != "degraded" || !strings.Contains(line, tg.OpenOutages[0]) {
		t.Errorf("target %+v, console line %s", tg, line)
	}
	if code, h, body := get("/api/v1/outages/"+list.Targets[0].OpenOutages[0], false); code != 401 || h.Get("WWW-Authenticate") == "" || !strings.Contains(body, "unauthorized") {
		t.Errorf("without the token: %d %q", code, body)
	}
	if code, _, body := get("/api/v1/outages/"+list.Targets[0].OpenOutages[0], true); code != 200 || !strings.Contains(body, `"page_url":"https://status.example.com/outages/`) {
		t.Errorf("outage: %d %s", code, body)
	}
	if code, h, body := get("/badge/OpenAI/status.svg", false); code != 200 || h.Get("Content-Type") != "image/svg+xml; charset=utf-8" || !strings.Contains(body, "degraded") {
		t.Errorf("public badge: %d %s", code, body)
	}
	// The pages may name internal services: they are behind the same
	// token as the API, and say the outage's words only to a holder.
	for _, path := range []string{"/", "/history", "/outages/" + list.Targets[0].OpenOutages[0]} {
		if code, h, body := get(path, false); code != 401 || h.Get("WWW-Authenticate") == "" || strings.Contains(body, "OpenAI") {
			t.Errorf("%s without the token: %d %q", path, code, body)
		}
		if code, _, body := get(path, true); code != 200 || !strings.Contains(body, "OpenAI") {
			t.Errorf("%s with the token: %d %.200q", path, code, body)
		}
	}
	if code, _, _ := get("/healthz", false); code != 200 {
		t.Errorf("healthz behind the token: %d", code)
	}
}
