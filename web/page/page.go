// Package page renders the status page, the outage pages and the history
// page as HTML from the status picture the bot already holds (statusview)
// and its stored outages: a page view never polls anyone. Everything the
// pages need (styles, the refresh script) is embedded in the binary.
package page

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/outagebot/outagebot/report"
	"github.com/outagebot/outagebot/statusview"
	"github.com/outagebot/outagebot/store"
)

// Views gives the status picture the pages show.
type Views interface {
	Page(ctx context.Context) (statusview.Page, error)
}

// ViewsFunc adapts a function to Views.
type ViewsFunc func(ctx context.Context) (statusview.Page, error)

// Page calls f.
func (f ViewsFunc) Page(ctx context.Context) (statusview.Page, error) { return f(ctx) }

// DefaultRefresh is how often an open page refreshes itself.
const DefaultRefresh = 30 * time.Second

// Options configure the pages.
type Options struct {
	// Views is the status picture; Store the stored outages (reports and
	// history). Both are required.
	Views Views
	Store report.Store
	// Locale is "en" (default) or "de".
	Locale string
	// Refresh is how often an open page fetches its content again
	// (default DefaultRefresh).
	Refresh time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	Log *slog.Logger
}

// Handler serves the pages.
type Handler struct {
	o      Options
	l      locale
	status *template.Template
	report *template.Template
	hist   *template.Template
	errPg  *template.Template
	assets *assets
	bars   barCache
	zips   zipCache
}

//go:embed templates/*.html
var templateFS embed.FS

// New checks the options and parses the templates.
func New(o Options) (*Handler, error) {
	if o.Views == nil || o.Store == nil {
		return nil, errors.New("page: Views and Store are required")
	}
	l, err := newLocale(o.Locale)
	if err != nil {
		return nil, err
	}
	if o.Refresh <= 0 {
		o.Refresh = DefaultRefresh
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{o: o, l: l, assets: loadAssets()}
	funcs := template.FuncMap{"t": l.T, "f": l.F}
	parse := func(name string) (*template.Template, error) {
		t, err := template.New("base.html").Funcs(funcs).ParseFS(templateFS, "templates/base.html", "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("page: parse %s: %w", name, err)
		}
		return t, nil
	}
	for name, dst := range map[string]**template.Template{"status.html": &h.status, "report.html": &h.report, "history.html": &h.hist, "error.html": &h.errPg} {
		if *dst, err = parse(name); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// Routes are the pages and their assets by mux pattern.
func (h *Handler) Routes() map[string]http.Handler {
	return map[string]http.Handler{
		"GET /{$}":           http.HandlerFunc(h.serveStatus),
		"GET /outages/{id}":  http.HandlerFunc(h.serveReport),
		"GET /history":       http.HandlerFunc(h.serveHistory),
		"GET /assets/{file}": http.HandlerFunc(h.assets.serve),
	}
}

// frame is what base.html reads around each page's content.
type frame struct {
	Title     string
	Heading   string
	Nav       string
	CSS, JS   string
	Icon      string
	Refresh   int
	Generated string
	Body      any
}

func (h *Handler) frame(p statusview.Page, nav, heading string, body any) frame {
	title := p.Title
	if title == "" {
		title = "outagebot"
	}
	if heading == "" {
		heading = title
	} else {
		title = heading + " · " + title
	}
	gen := p.Generated
	if gen.IsZero() {
		gen = h.o.Now()
	}
	return frame{Title: title, Heading: heading, Nav: nav, CSS: h.assets.url("style.css"), JS: h.assets.url("refresh.js"), Icon: h.assets.url("favicon.svg"),
		Refresh: int(h.o.Refresh / time.Millisecond), Generated: h.l.F("generated", h.l.Stamp(gen)+" UTC"), Body: body}
}

func (h *Handler) view(w http.ResponseWriter, r *http.Request) (statusview.Page, bool) {
	p, err := h.o.Views.Page(r.Context())
	if err != nil {
		h.fail(w, r, http.StatusServiceUnavailable, h.l.T("error"), err)
		return p, false
	}
	return p, true
}

func (h *Handler) serveStatus(w http.ResponseWriter, r *http.Request) {
	p, ok := h.view(w, r)
	if !ok {
		return
	}
	h.render(w, r, http.StatusOK, h.status, h.frame(p, "status", "", h.l.status(p, &h.bars)))
}

func (h *Handler) serveReport(w http.ResponseWriter, r *http.Request) {
	p, ok := h.view(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	o, err := h.o.Store.Outage(r.Context(), id)
	if err == nil && !shows(p, o.Target) {
		// An outage of a target the page does not show is not there.
		err = store.ErrNotFound
	}
	var rep report.Report
	if err == nil {
		rep, err = report.Build(r.Context(), h.o.Store, o.ID, h.o.Now())
	}
	switch {
	case errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrAmbiguous):
		h.fail(w, r, http.StatusNotFound, h.l.F("notfound", id), nil)
		return
	case err != nil:
		h.fail(w, r, http.StatusInternalServerError, h.l.T("error"), err)
		return
	}
	d := h.l.report(rep, o.Related.Lines())
	f := h.frame(p, "", h.l.T("report.title"), d)
	f.Title = d.Title + " · " + f.Title
	h.render(w, r, http.StatusOK, h.report, f)
}

func (h *Handler) serveHistory(w http.ResponseWriter, r *http.Request) {
	p, ok := h.view(w, r)
	if !ok {
		return
	}
	q := parseHistory(r.URL.Query())
	now := h.o.Now()
	all, err := h.o.Store.Outages(r.Context(), now.Add(-q.window()), q.Target)
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, h.l.T("error"), err)
		return
	}
	f := h.frame(p, "history", h.l.T("history.title"), h.l.history(q, p, all, now))
	// The history holds a form: refreshing it would reset the reader's
	// choices, and what it lists changes slowly.
	f.Refresh = 0
	h.render(w, r, http.StatusOK, h.hist, f)
}

func shows(p statusview.Page, target string) bool {
	for _, g := range p.Groups {
		for _, t := range g.Targets {
			if t.Name == target {
				return true
			}
		}
	}
	return false
}

// fail answers with an error page; err, if any, is logged, never shown.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, code int, msg string, err error) {
	if err != nil {
		h.o.Log.Warn("status page cannot be shown", "path", r.URL.Path, "err", err)
	}
	h.render(w, r, code, h.errPg, h.frame(statusview.Page{}, "", http.StatusText(code), msg))
}

// render executes t (only its "main" part when the refresh script asks
// with ?part=main) and writes it with the pages' headers.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, code int, t *template.Template, f frame) {
	buf := getBuffer()
	defer putBuffer(buf)
	name := "base.html"
	if r.URL.Query().Get("part") == "main" {
		name = "main"
	}
	if err := t.ExecuteTemplate(buf, name, f); err != nil {
		h.o.Log.Error("status page template failed", "path", r.URL.Path, "err", err)
		securityHeaders(w.Header())
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	securityHeaders(hdr)
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Language", h.l.name)
	hdr.Set("Cache-Control", "no-cache")
	writeBody(w, r, code, buf.Bytes(), etagOf(buf.Bytes()), &h.zips)
}

func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}
