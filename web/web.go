// Package web mounts what people and scripts see of outagebot over HTTP,
// on the private listener ([bot] listen): the status pages, the API v1
// and the badges, all from one status view and behind one guard.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/outagebot/outagebot/statusview"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/web/api"
	"github.com/outagebot/outagebot/web/auth"
	"github.com/outagebot/outagebot/web/badge"
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
	// OutageURL is an outage's page under [web] base_url ("" without it).
	OutageURL func(id string) string
	Now       func() time.Time
	Log       *slog.Logger
}

// Mount registers the API, the badges and the pages on mux.
func Mount(mux *http.ServeMux, d Deps) {
	protect := func(h http.Handler) http.Handler { return d.Guard.Wrap(h, nil) }
	(&api.API{View: d.View, Store: d.Store, Restricted: d.Restricted, OutageURL: d.OutageURL, Now: d.Now, Log: d.Log}).Mount(mux, protect)

	badges := protect
	if d.PublicBadges {
		badges = func(h http.Handler) http.Handler { return h }
	}
	(&badge.Handler{View: d.View, Log: d.Log}).Mount(mux, badges)

	MountPages(mux, d)
}

// MountPages is where the HTML pages plug in: GET / (the status page),
// /outages/{id} (an outage's report) and /history, built from d.View and
// d.Store, behind d.Guard (d.Guard.Wrap(h, refuse) with an HTML refusal
// body), speaking d.Locale. Until they exist it mounts nothing, and those
// paths answer 404.
func MountPages(mux *http.ServeMux, d Deps) {
	_ = mux
	_ = d
}
