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
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/report"
	"github.com/outagebot/outagebot/sources"
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
	// Locale is the pages' language, one of Locales() (default en).
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
	l      *locale
	status *template.Template
	report *template.Template
	hist   *template.Template
	errPg  *template.Template
	assets *assets
	rows   rowCache
	zips   zipCache
	// version names the templates and assets in status page ETags.
	version string
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
	funcs := template.FuncMap{
		"lang":   l.name,
		"t":      func(id string) string { return l.T(id, nil) },
		"status": func(s string) string { return l.badge(sources.Status(s)).Label },
	}
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
	h.version = templatesVersion(h.assets)
	return h, nil
}

// templatesVersion hashes the embedded templates and the assets' names,
// which change with their content.
func templatesVersion(a *assets) string {
	sum := sha256.New()
	files, _ := fs.Glob(templateFS, "templates/*.html")
	for _, f := range files {
		b, _ := templateFS.ReadFile(f)
		sum.Write(b)
	}
	for _, name := range slices.Sorted(maps.Keys(a.byName)) {
		sum.Write([]byte(a.byName[name]))
	}
	return hex.EncodeToString(sum.Sum(nil))
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
		Refresh: int(h.o.Refresh / time.Millisecond), Generated: h.l.T("page.generated", i18n.Args{"At": h.l.Stamp(gen) + " UTC"}), Body: body}
}

func (h *Handler) view(w http.ResponseWriter, r *http.Request) (statusview.Page, bool) {
	p, err := h.o.Views.Page(r.Context())
	if err != nil {
		h.fail(w, r, http.StatusServiceUnavailable, h.l.T("page.error", nil), err)
		return p, false
	}
	return p, true
}

func (h *Handler) serveStatus(w http.ResponseWriter, r *http.Request) {
	p, ok := h.view(w, r)
	if !ok {
		return
	}
	tag := newEtagger(h.version)
	tag.strs(h.l.name(), part(r))
	d, err := h.l.status(p, &h.rows, h.row, tag)
	if err != nil {
		h.o.Log.Error("status page template failed", "path", r.URL.Path, "err", err)
		securityHeaders(w.Header())
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	f := h.frame(p, "status", "", d)
	tag.strs(f.Title, f.Heading, f.Nav, f.CSS, f.JS, f.Icon, f.Generated)
	tag.word(uint64(f.Refresh))
	h.renderTagged(w, r, http.StatusOK, h.status, f, tag.etag())
}

// row renders one target row of the status page.
func (h *Handler) row(tv targetView) (template.HTML, error) {
	var b strings.Builder
	if err := h.status.ExecuteTemplate(&b, "row", tv); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

// part is the template a request asks for: the whole page, or only its
// "main" part when the refresh script asks with ?part=main.
func part(r *http.Request) string {
	if r.URL.Query().Get("part") == "main" {
		return "main"
	}
	return "base.html"
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
		h.fail(w, r, http.StatusNotFound, h.l.T("page.not_found", i18n.Args{"ID": quoted(id)}), nil)
		return
	case err != nil:
		h.fail(w, r, http.StatusInternalServerError, h.l.T("page.error", nil), err)
		return
	}
	d := h.l.report(rep, o.Related.Lines())
	f := h.frame(p, "", h.l.T("page.report.title", nil), d)
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
		h.fail(w, r, http.StatusInternalServerError, h.l.T("page.error", nil), err)
		return
	}
	f := h.frame(p, "history", h.l.T("page.history.title", nil), h.l.history(q, p, all, now))
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
	h.render(w, r, code, h.errPg, h.frame(statusview.Page{}, "", h.l.codeText(code), msg))
}

// codeWords name the answers the pages fail with.
var codeWords = map[int]string{
	http.StatusNotFound:            "page.http.not_found",
	http.StatusInternalServerError: "page.http.error",
	http.StatusServiceUnavailable:  "page.http.unavailable",
}

// codeText is the heading of an error page: the status code's name in
// the locale's words.
func (l *locale) codeText(code int) string {
	if id, ok := codeWords[code]; ok {
		return l.T(id, nil)
	}
	return http.StatusText(code)
}

// render executes t (only its "main" part when the refresh script asks
// with ?part=main) and writes it with the pages' headers.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, code int, t *template.Template, f frame) {
	h.renderTagged(w, r, code, t, f, "")
}

// renderTagged is render with the page's ETag made by the caller; with
// etag "" it is a hash of the body.
func (h *Handler) renderTagged(w http.ResponseWriter, r *http.Request, code int, t *template.Template, f frame, etag string) {
	buf := getBuffer()
	defer putBuffer(buf)
	if err := t.ExecuteTemplate(buf, part(r), f); err != nil {
		h.o.Log.Error("status page template failed", "path", r.URL.Path, "err", err)
		securityHeaders(w.Header())
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	securityHeaders(hdr)
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Language", h.l.name())
	hdr.Set("Cache-Control", "no-cache")
	if etag == "" {
		etag = etagOf(buf.Bytes())
	}
	writeBody(w, r, code, buf.Bytes(), etag, &h.zips)
}

func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}
