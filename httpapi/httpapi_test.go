package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestEndpoints(t *testing.T) {
	var healthErr, liveErr error
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "outagebot_test_total", Help: "A test counter."})
	reg.MustRegister(c)
	c.Inc()
	extra := map[string]http.Handler{"POST /hook": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "hooked") })}
	role := ""
	srv := httptest.NewServer(Handler(func(context.Context) error { return healthErr }, func(context.Context) error { return liveErr }, func() string { return role }, reg, extra))
	defer srv.Close()

	get := func(method, path string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}

	tests := []struct {
		name, method, path string
		unhealthy, dead    bool
		role               string
		code               int
		body               string
	}{
		{"healthy", "GET", "/healthz", false, false, "", 200, `{"status":"ok"}`},
		{"unhealthy", "GET", "/healthz", true, false, "", 503, `"error":"store not writable: disk full"`},
		{"leader", "GET", "/healthz", false, false, "leader", 200, `{"role":"leader","status":"ok"}`},
		{"unhealthy standby", "GET", "/healthz", true, false, "standby", 503, `"role":"standby","status":"unhealthy"`},
		{"ready", "GET", "/readyz", false, false, "", 200, `"ok"`},
		{"not ready", "GET", "/readyz", true, false, "", 503, `"unhealthy"`},
		{"alive while the store is away", "GET", "/livez", true, false, "leader", 200, `{"role":"leader","status":"ok"}`},
		{"dead", "GET", "/livez", false, true, "", 503, `"error":"scheduler is not running"`},
		{"metrics", "GET", "/metrics", false, false, "", 200, "outagebot_test_total 1"},
		{"extra endpoint", "POST", "/hook", false, false, "", 200, "hooked"},
		{"wrong method", "POST", "/healthz", false, false, "", 405, ""},
		{"unknown path", "GET", "/nope", false, false, "", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			healthErr, liveErr, role = nil, nil, tt.role
			if tt.unhealthy {
				healthErr = errors.New("store not writable: disk full")
			}
			if tt.dead {
				liveErr = errors.New("scheduler is not running")
			}
			code, body := get(tt.method, tt.path)
			if code != tt.code || !strings.Contains(body, tt.body) {
				t.Errorf("%s %s = %d %q, want %d containing %q", tt.method, tt.path, code, body, tt.code, tt.body)
			}
		})
	}
}
