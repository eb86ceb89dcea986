// Package web mounts what people and scripts see of outagebot over HTTP,
// on the private listener ([bot] listen): the status pages, the API v1
// and the badges, all from one status view and behind one guard.
package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/outagebot/outagebot/statusview"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/web/api"
	"github.com/outagebot/outagebot/web/auth"
	"github.com/outagebot/outagebot/web/badge"
	"github.com/outagebot/outagebot/web/page"
)

// Deps is what every part of the web UI is built from.
type Deps struct {
	// View assembles the status picture (pages, API, badges share it).
	View *statusview.Builder
	// Store answers outages, events and reports.
	Store *store.Store
	// Guard holds [web] basic_auth_users and token; it lets everything
	// through when neither is set.
	Guard *auth.Guard
	// PublicBadges serves the badges without the guard.
	PublicBadges bool
	// Restricted is set when [web] shows only some targets.
	Restricted bool
	// Locale is [web] locale (en, de).
	Locale string
	// Refresh is how often an open page refreshes itself (0: the pages'
	// default).
	Refresh time.Duration
	// OutageURL is an outage's page under [web] base_url ("" without it).
	OutageURL func(id string) string
	Now       func() time.Time
	Log       *slog.Logger
}

// Mount registers the API, the badges and the pages on mux.
func Mount(mux *http.ServeMux, d Deps) error {
	protect := func(h http.Handler) http.Handler { return d.Guard.Wrap(h, nil) }
	(&api.API{View: d.View, Store: d.Store, Restricted: d.Restricted, OutageURL: d.OutageURL, Now: d.Now, Log: d.Log}).Mount(mux, protect)

	badges := protect
	if d.PublicBadges {
		badges = func(h http.Handler) http.Handler { return h }
	}
	(&badge.Handler{View: d.View, Log: d.Log}).Mount(mux, badges)

	return MountPages(mux, d)
}

// MountPages mounts the HTML pages: GET / (the status page),
// /outages/{id} (an outage's report) and /history, behind the same guard
// as the API, since pages may name internal services. Their assets are
// guarded too: a hashed file name says nothing, but nothing is served to
// a stranger that need not be.
func MountPages(mux *http.ServeMux, d Deps) error {
	h, err := page.New(page.Options{
		Views:   d.View,
		Store:   d.Store,
		Locale:  d.Locale,
		Refresh: d.Refresh,
		Now:     d.Now,
		Log:     d.Log,
	})
	if err != nil {
		return fmt.Errorf("status pages: %w", err)
	}
	for pattern, route := range h.Routes() {
		mux.Handle(pattern, d.Guard.Wrap(route, refuseHTML))
	}
	return nil
}

// refuseHTML answers a page request without credentials: a browser shows
// its login prompt on the 401's challenge, and this text only when the
// user cancels it.
func refuseHTML(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte("unauthorized\n"))
}
