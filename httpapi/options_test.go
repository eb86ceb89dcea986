package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// A readiness condition fails /readyz only; a detail shows on both health
// answers, healthy or not, and never on /livez.
func TestReadyAndDetail(t *testing.T) {
	var healthErr, readyErr error
	detail := any(map[string]string{"slack": "ready"})
	srv := httptest.NewServer(Handler(
		func(context.Context) error { return healthErr },
		func(context.Context) error { return nil },
		nil, prometheus.NewRegistry(), nil,
		WithReady(func(context.Context) error { return readyErr }),
		WithDetail("chat", func() any { return detail }),
	))
	defer srv.Close()

	tests := []struct {
		name          string
		health, ready error
		detail        any
		path          string
		wantCode      int
		wantBody      string
	}{
		{"healthy", nil, nil, map[string]string{"slack": "ready"}, "/healthz", 200, `{"chat":{"slack":"ready"},"status":"ok"}` + "\n"},
		{"ready", nil, nil, map[string]string{"slack": "ready"}, "/readyz", 200, `{"chat":{"slack":"ready"},"status":"ok"}` + "\n"},
		{"token refused: healthz stays 200", nil, errors.New("Slack refuses the token"), map[string]string{"slack": "unauthorized"}, "/healthz", 200, `{"chat":{"slack":"unauthorized"},"status":"ok"}` + "\n"},
		{"token refused: not ready", nil, errors.New("Slack refuses the token"), map[string]string{"slack": "unauthorized"}, "/readyz", 503, `{"chat":{"slack":"unauthorized"},"error":"Slack refuses the token","status":"unhealthy"}` + "\n"},
		{"store down and token refused", errors.New("store down"), errors.New("Slack refuses the token"), nil, "/readyz", 503, `{"error":"store down\nSlack refuses the token","status":"unhealthy"}` + "\n"},
		{"no detail on livez", nil, nil, map[string]string{"slack": "ready"}, "/livez", 200, `{"status":"ok"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			healthErr, readyErr, detail = tt.health, tt.ready, tt.detail
			resp, err := http.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantCode || string(body) != tt.wantBody {
				t.Errorf("GET %s = %d %s, want %d %s", tt.path, resp.StatusCode, body, tt.wantCode, tt.wantBody)
			}
		})
	}
}
