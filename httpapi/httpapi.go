// Package httpapi serves outagebot's HTTP endpoints: health, metrics and the
// chat platforms' command callbacks.
package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// HealthCheck reports whether the bot can do its job: nil when healthy.
type HealthCheck func(ctx context.Context) error

// Handler builds the mux. role, if set, names the replica's role in the
// health answers ("leader" or "standby"). extra mounts more endpoints (the
// chat command callbacks) by path.
func Handler(health HealthCheck, role func() string, g prometheus.Gatherer, extra map[string]http.Handler) http.Handler {
	mux := http.NewServeMux()
	healthz := func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		body := map[string]string{"status": "ok"}
		if role != nil {
			if rl := role(); rl != "" {
				body["role"] = rl
			}
		}
		if err := health(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			body["status"], body["error"] = "unhealthy", err.Error()
		}
		_ = json.NewEncoder(w).Encode(body)
	}
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /readyz", healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	for path, h := range extra {
		mux.Handle(path, h)
	}
	return mux
}
