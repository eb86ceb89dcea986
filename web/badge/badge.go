// Package badge serves shields.io-style flat SVG badges of a target's
// status and uptime, for READMEs and wikis:
//
//	GET /badge/{target}/status.svg
//	GET /badge/{target}/uptime/{window}.svg   (window: 24h, 7d, 30d, 90d)
//
// The text is XML-escaped, so a target's name can never become markup; an
// unknown target or window answers 404 with a "not found" badge.
//
// A badge's words ("operational", "uptime", "no data") stay English and
// are not in the message catalog: badges follow the shields.io convention
// of short English words, and one badge URL is embedded in READMEs read
// in every language, where nothing says which language its reader wants.
package badge

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/statusview"
	"github.com/outagebot/outagebot/web/httpx"
)

// View is the one target a badge shows (statusview.Builder).
type View interface {
	Target(ctx context.Context, name string) (statusview.Target, bool, error)
}

// MaxAge is how long caches (and GitHub's image proxy) may keep a badge.
const MaxAge = 60

// Colours, as shields.io names them.
const (
	green       = "#4c1"
	lightGreen  = "#97ca00"
	yellowGreen = "#a4a61d"
	yellow      = "#dfb317"
	orange      = "#fe7d37"
	red         = "#e05d44"
	blue        = "#007ec6"
	grey        = "#9f9f9f"
	labelGrey   = "#555"
)

// Handler serves the badges.
type Handler struct {
	View View
	Log  *slog.Logger
}

// Mount registers the badge endpoints on mux, each wrapped by protect.
func (h *Handler) Mount(mux *http.ServeMux, protect func(http.Handler) http.Handler) {
	mux.Handle("GET /badge/{target}/status.svg", protect(http.HandlerFunc(h.status)))
	mux.Handle("GET /badge/{target}/uptime/{file}", protect(http.HandlerFunc(h.uptime)))
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request) {
	t, ok := h.target(w, r)
	if !ok {
		return
	}
	send(w, r, http.StatusOK, Render(t.Name, statusWords(t.Status), statusColour(t.Status)))
}

func (h *Handler) uptime(w http.ResponseWriter, r *http.Request) {
	window, ok := strings.CutSuffix(r.PathValue("file"), ".svg")
	if !ok || !slices.Contains(statusview.Windows, window) {
		send(w, r, http.StatusNotFound, Render("uptime", "not found", grey))
		return
	}
	t, ok := h.target(w, r)
	if !ok {
		return
	}
	var f *float64
	switch window {
	case "24h":
		f = t.Uptime.Day
	case "7d":
		f = t.Uptime.Week
	case "30d":
		f = t.Uptime.Month
	case "90d":
		f = t.Uptime.Quarter
	}
	msg, colour := "no data", grey
	if f != nil {
		msg, colour = Percent(*f*100), uptimeColour(*f*100)
	}
	send(w, r, http.StatusOK, Render(t.Name+" "+window, msg, colour))
}

func (h *Handler) target(w http.ResponseWriter, r *http.Request) (statusview.Target, bool) {
	t, ok, err := h.View.Target(r.Context(), r.PathValue("target"))
	if err != nil {
		if h.Log != nil {
			h.Log.Error("badge failed", "path", r.URL.Path, "err", err)
		}
		send(w, r, http.StatusInternalServerError, Render("status", "error", grey))
		return t, false
	}
	if !ok {
		send(w, r, http.StatusNotFound, Render("status", "not found", grey))
	}
	return t, ok
}

func send(w http.ResponseWriter, r *http.Request, status int, svg []byte) {
	// Opened on its own, the badge is inert: no script, no fetches.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	httpx.Send(w, r, status, "image/svg+xml; charset=utf-8", svg, "max-age="+strconv.Itoa(MaxAge))
}

func statusWords(s sources.Status) string {
	if s == "" {
		s = sources.Unknown
	}
	return strings.ReplaceAll(string(s), "_", " ")
}

func statusColour(s sources.Status) string {
	switch s {
	case sources.Operational:
		return green
	case sources.Maintenance:
		return blue
	case sources.Degraded:
		return yellow
	case sources.PartialOutage:
		return orange
	case sources.MajorOutage:
		return red
	}
	return grey
}

func uptimeColour(pct float64) string {
	switch {
	case pct >= 99.9:
		return green
	case pct >= 99:
		return lightGreen
	case pct >= 97:
		return yellowGreen
	case pct >= 95:
		return yellow
	case pct >= 90:
		return orange
	}
	return red
}

// Percent shows an uptime with as many decimals as it takes not to round
// a short outage away to 100%, at most three.
func Percent(p float64) string {
	if p >= 100 {
		return "100%"
	}
	for _, prec := range []int{1, 2, 3} {
		s := strconv.FormatFloat(p, 'f', prec, 64)
		if v, _ := strconv.ParseFloat(s, 64); v < 100 {
			return strings.TrimRight(strings.TrimRight(s, "0"), ".") + "%"
		}
	}
	return "99.999%"
}

// Render draws a flat badge: label on grey, message on colour.
func Render(label, message, colour string) []byte {
	lw, mw := textWidth(label)+10, textWidth(message)+10
	total := lw + mw
	var b bytes.Buffer
	title := esc(label + ": " + message)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" role="img" aria-label="%s"><title>%s</title>`, total, title, title)
	b.WriteString(`<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`)
	fmt.Fprintf(&b, `<clipPath id="r"><rect width="%d" height="20" rx="3" fill="#fff"/></clipPath>`, total)
	fmt.Fprintf(&b, `<g clip-path="url(#r)"><rect width="%d" height="20" fill="%s"/><rect x="%d" width="%d" height="20" fill="%s"/><rect width="%d" height="20" fill="url(#s)"/></g>`,
		lw, labelGrey, lw, mw, colour, total)
	b.WriteString(`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`)
	for _, part := range []struct {
		x    float64
		text string
	}{{float64(lw) / 2, label}, {float64(lw) + float64(mw)/2, message}} {
		t := esc(part.text)
		fmt.Fprintf(&b, `<text x="%.1f" y="15" fill="#010101" fill-opacity=".3" aria-hidden="true">%s</text><text x="%.1f" y="14">%s</text>`, part.x, t, part.x, t)
	}
	b.WriteString(`</g></svg>`)
	return b.Bytes()
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// textWidth estimates the width of s in 11px Verdana, in pixels, from the
// widths of its letters (Verdana is wide; these are its advance widths
// rounded up).
func textWidth(s string) int {
	w := 0.0
	for _, r := range s {
		switch {
		case strings.ContainsRune("iljI.,:;'|!", r):
			w += 3.5
		case strings.ContainsRune("frt()[] -/", r):
			w += 4.5
		case strings.ContainsRune("mwMW%@", r):
			w += 10.5
		case r >= 'A' && r <= 'Z':
			w += 7.5
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z':
			w += 6.8
		case r < 128:
			w += 7
		default:
			w += 8 // beyond ASCII: err on the wide side
		}
	}
	return int(w + 0.5)
}
