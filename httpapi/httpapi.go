// Package httpapi serves outagebot's HTTP endpoints: health, metrics and the
// chat platforms' command callbacks.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// HealthCheck reports whether the bot can do its job: nil when healthy.
type HealthCheck func(ctx context.Context) error

// Handler builds the mux. health answers /healthz and /readyz: can the bot
// do its job (store included). live answers /livez: is the process itself
// working. A store outage makes a replica unhealthy but not dead, and a
// liveness probe that restarted it then would throw away the poll results
// it holds for the store. role, if set, names the replica's role in the
// answers ("leader" or "standby"). extra mounts more endpoints (the chat
// command callbacks) by path. opts add readiness conditions and details.
func Handler(health, live HealthCheck, role func() string, g prometheus.Gatherer, extra map[string]http.Handler, opts ...Option) http.Handler {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	ready := health
	if len(o.ready) > 0 {
		ready = func(ctx context.Context) error {
			errs := []error{health(ctx)}
			for _, r := range o.ready {
				errs = append(errs, r(ctx))
			}
			return errors.Join(errs...)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", check(health, role, o.details))
	mux.HandleFunc("GET /readyz", check(ready, role, o.details))
	mux.HandleFunc("GET /livez", check(live, role, nil))
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	for path, h := range extra {
		mux.Handle(path, h)
	}
	for _, mount := range o.mounts {
		mount(mux)
	}
	return mux
}

// check answers a health endpoint: 200 with the role, or 503 with why.
func check(health HealthCheck, role func() string, details map[string]func() any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		body := map[string]any{"status": "ok"}
		for name, d := range details {
			if v := d(); v != nil {
				body[name] = v
			}
		}
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
}

// Option adds to the health endpoints.
type Option func(*options)

type options struct {
	ready   []HealthCheck
	details map[string]func() any
	mounts  []func(*http.ServeMux)
}

// WithRoutes lets mount register more endpoints on the mux (the status
// pages, the API and the badges).
func WithRoutes(mount func(*http.ServeMux)) Option {
	return func(o *options) { o.mounts = append(o.mounts, mount) }
}

// WithReady adds a condition to /readyz only: /healthz keeps answering
// whether the bot itself works.
func WithReady(c HealthCheck) Option {
	return func(o *options) { o.ready = append(o.ready, c) }
}

// WithDetail adds a field to the answers of /healthz and /readyz, whatever
// their status; a nil value leaves it out.
func WithDetail(name string, detail func() any) Option {
	return func(o *options) {
		if o.details == nil {
			o.details = map[string]func() any{}
		}
		o.details[name] = detail
	}
}
