// Package api serves outagebot's HTTP API v1: targets with their status,
// uptime and daily history, outages in pages, one outage with its events,
// and its post-outage report. It is a contract: fields are only ever
// added. Every answer is JSON (the markdown report aside) with a strong
// ETag over its body; errors are {"error": "..."}. The OpenAPI 3 document
// is served at /api/v1/openapi.json.
package api

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/report"
	"github.com/outagebot/outagebot/statusview"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/web/httpx"
)

// Prefix is where the API lives.
const Prefix = "/api/v1/"

// Page sizes of GET /api/v1/outages.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI is the API's OpenAPI 3 document.
func OpenAPI() []byte { return openAPI }

// Store is what the API reads besides the status view.
type Store interface {
	report.Store
	OutagePage(ctx context.Context, q store.OutageQuery) ([]outage.Outage, store.Cursor, error)
}

// API answers the v1 endpoints.
type API struct {
	View  *statusview.Builder
	Store Store
	// Restricted is set when [web] shows only some targets: outages of the
	// others are not listed either.
	Restricted bool
	// OutageURL, when set, is the page of an outage ([web] base_url).
	OutageURL func(id string) string
	Now       func() time.Time
	Log       *slog.Logger
}

// Mount registers the endpoints on mux, each wrapped by protect.
func (a *API) Mount(mux *http.ServeMux, protect func(http.Handler) http.Handler) {
	for pattern, h := range map[string]http.HandlerFunc{
		"/api/v1/": func(w http.ResponseWriter, r *http.Request) {
			a.fail(w, r, http.StatusNotFound, "no such endpoint: see /api/v1/openapi.json")
		},
		"/api/v1/openapi.json":        a.openapi,
		"/api/v1/targets":             a.targets,
		"/api/v1/targets/{name}":      a.target,
		"/api/v1/outages":             a.outages,
		"/api/v1/outages/{id}":        a.outage,
		"/api/v1/outages/{id}/report": a.report,
	} {
		mux.Handle(pattern, protect(getOnly(a, h)))
	}
}

// getOnly answers methods other than GET and HEAD with 405 in JSON (the
// mux's own 405 is plain text).
func getOnly(a *API, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			a.fail(w, r, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed: the API is read-only (GET, HEAD)")
			return
		}
		h(w, r)
	})
}

func (a *API) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *API) log() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.New(slog.DiscardHandler)
}

type errorBody struct {
	Error string `json:"error"`
}

func (a *API) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	httpx.JSON(w, r, status, errorBody{Error: msg}, "no-store")
}

// internal logs err and answers 500 without its detail.
func (a *API) internal(w http.ResponseWriter, r *http.Request, err error) {
	a.log().Error("API request failed", "path", r.URL.Path, "err", err)
	a.fail(w, r, http.StatusInternalServerError, "internal error: see the bot's log")
}

func (a *API) ok(w http.ResponseWriter, r *http.Request, v any) {
	httpx.JSON(w, r, http.StatusOK, v, "no-cache")
}

func (a *API) openapi(w http.ResponseWriter, r *http.Request) {
	httpx.Send(w, r, http.StatusOK, "application/json", openAPI, "no-cache")
}

func (a *API) targets(w http.ResponseWriter, r *http.Request) {
	ts, err := a.View.List(r.Context())
	if err != nil {
		a.internal(w, r, err)
		return
	}
	out := targetList{Targets: make([]targetJSON, len(ts))}
	for i, t := range ts {
		out.Targets[i] = summary(t)
	}
	a.ok(w, r, out)
}

func (a *API) target(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	t, ok, err := a.View.Target(r.Context(), name)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	if !ok {
		a.fail(w, r, http.StatusNotFound, fmt.Sprintf("no target called %q", name))
		return
	}
	a.ok(w, r, detail(t))
}

// query reads GET /api/v1/outages' parameters; a bad one is named in the
// error.
func (a *API) query(r *http.Request) (store.OutageQuery, error) {
	v := r.URL.Query()
	q := store.OutageQuery{Limit: DefaultLimit}
	var names []string
	if t := v.Get("target"); t != "" {
		s, ok := a.View.Find(t)
		if !ok {
			return q, fmt.Errorf("target: no target called %q", t)
		}
		names = []string{s.Name}
	}
	if g := v.Get("group"); g != "" {
		var in []string
		for _, s := range a.View.ShownTargets() {
			if s.Group == g && (names == nil || names[0] == s.Name) {
				in = append(in, s.Name)
			}
		}
		if !slices.ContainsFunc(a.View.ShownTargets(), func(s statusview.Shown) bool { return s.Group == g }) {
			return q, fmt.Errorf("group: no target has group %q", g)
		}
		if len(in) == 0 {
			in = []string{"\x00none"} // the target is not in the group
		}
		names = in
	}
	if names == nil && a.Restricted {
		for _, s := range a.View.ShownTargets() {
			names = append(names, s.Name)
		}
		if len(names) == 0 {
			names = []string{"\x00none"}
		}
	}
	q.Targets = names
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &q.Since}, {"until", &q.Until}} {
		s := v.Get(p.name)
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return q, fmt.Errorf("%s: must be an RFC 3339 time, like 2026-11-22T14:00:00Z", p.name)
		}
		*p.dst = t
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Until.After(q.Since) {
		return q, errors.New("until: must be after since")
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			return q, fmt.Errorf("limit: must be a whole number from 1 to %d", MaxLimit)
		}
		q.Limit = n
	}
	if s := v.Get("cursor"); s != "" {
		c, err := store.ParseCursor(s)
		if err != nil {
			return q, fmt.Errorf("cursor: %w", err)
		}
		q.After = c
	}
	return q, nil
}

func (a *API) outages(w http.ResponseWriter, r *http.Request) {
	q, err := a.query(r)
	if err != nil {
		a.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	outs, next, err := a.Store.OutagePage(r.Context(), q)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	now := a.now()
	body := outageList{Outages: make([]outageJSON, len(outs))}
	for i, o := range outs {
		body.Outages[i] = a.outageJSON(o, now)
	}
	if !next.IsZero() {
		c := next.String()
		body.NextCursor = &c
	}
	a.ok(w, r, body)
}

// find is the outage whose id is exactly id, among the targets shown.
func (a *API) find(w http.ResponseWriter, r *http.Request) (outage.Outage, bool) {
	id := r.PathValue("id")
	o, err := a.Store.Outage(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrAmbiguous), err == nil && o.ID != id:
		a.fail(w, r, http.StatusNotFound, fmt.Sprintf("no outage %q", id))
		return o, false
	case err != nil:
		a.internal(w, r, err)
		return o, false
	}
	if _, shown := a.View.Shows(o.Target); a.Restricted && !shown {
		a.fail(w, r, http.StatusNotFound, fmt.Sprintf("no outage %q", id))
		return o, false
	}
	return o, true
}

func (a *API) outage(w http.ResponseWriter, r *http.Request) {
	o, ok := a.find(w, r)
	if !ok {
		return
	}
	evs, err := a.Store.Events(r.Context(), o.ID)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	body := outageDetail{outageJSON: a.outageJSON(o, a.now()), Events: make([]eventJSON, len(evs))}
	for i, ev := range evs {
		body.Events[i] = event(ev)
	}
	a.ok(w, r, body)
}

func (a *API) report(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
	}
	if format != "json" && format != "markdown" {
		a.fail(w, r, http.StatusBadRequest, "format: must be json or markdown")
		return
	}
	// The markdown is English unless asked for in another language; the
	// JSON is data, the same in every language.
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = "en"
	}
	if !i18n.Known(lang) {
		a.fail(w, r, http.StatusBadRequest, "lang: must be one of "+strings.Join(i18n.Languages, ", "))
		return
	}
	o, ok := a.find(w, r)
	if !ok {
		return
	}
	rep, err := report.Build(r.Context(), a.Store, o.ID, a.now())
	if err != nil {
		a.internal(w, r, err)
		return
	}
	if format == "markdown" {
		httpx.Send(w, r, http.StatusOK, "text/markdown; charset=utf-8", []byte(report.MarkdownIn(i18n.For(lang), rep)), "no-cache")
		return
	}
	body, err := report.JSON(rep)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	httpx.Send(w, r, http.StatusOK, "application/json", append(body, '\n'), "no-cache")
}

func (a *API) outageJSON(o outage.Outage, now time.Time) outageJSON {
	j := outageJSON{ID: o.ID, Target: o.Target, Title: o.Title, Class: string(o.Class), Severity: string(o.Severity),
		Status: "open", OpenedAt: stamp(o.OpenedAt), ResolvedAt: optStamp(o.ResolvedAt), URL: o.URL, Phase: string(o.Phase)}
	if s, ok := a.View.Shows(o.Target); ok {
		j.Group = s.Group
	}
	end := now
	if !o.Open() {
		j.Status, end = "resolved", o.ResolvedAt
	}
	j.DurationSeconds = max(int64(end.Sub(o.OpenedAt)/time.Second), 0)
	if a.OutageURL != nil {
		if u := a.OutageURL(o.ID); u != "" {
			j.PageURL = &u
		}
	}
	return j
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func optStamp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := stamp(t)
	return &s
}

// Handler is the API alone on a mux of its own (tests, benchmarks).
func (a *API) Handler(protect func(http.Handler) http.Handler) http.Handler {
	if protect == nil {
		protect = func(h http.Handler) http.Handler { return h }
	}
	mux := http.NewServeMux()
	a.Mount(mux, protect)
	return mux
}
