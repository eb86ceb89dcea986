package badge_test

import (
	"encoding/xml"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/internal/webtest"
	"github.com/outagebot/outagebot/web/badge"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// parse reads the SVG as XML and returns the element names and the text
// of its <text> elements (each drawn twice: shadow and face).
func parse(t *testing.T, svg string) (elements, texts []string, width string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	inText := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			elements = append(elements, v.Name.Local)
			inText = v.Name.Local == "text"
			if v.Name.Local == "svg" {
				for _, a := range v.Attr {
					if a.Name.Local == "width" {
						width = a.Value
					}
				}
			}
		case xml.CharData:
			if inText {
				texts = append(texts, string(v))
			}
		case xml.EndElement:
			inText = false
		}
	}
	return elements, texts, width
}

func TestBadges(t *testing.T) {
	w := webtest.New(t)
	mux := http.NewServeMux()
	(&badge.Handler{View: w.Builder}).Mount(mux, func(h http.Handler) http.Handler { return h })
	for _, tc := range []struct {
		name, path     string
		status         int
		label, message string
		colour         string
	}{
		{"status down", "/badge/api/status.svg", 200, "api", "major outage", "#e05d44"},
		{"status in maintenance", "/badge/vendor/status.svg", 200, "vendor", "maintenance", "#007ec6"},
		{"a name that is markup stays text", "/badge/%3Cscript%3E/status.svg", 200, "<script>", "operational", "#4c1"},
		{"uptime 24h", "/badge/api/uptime/24h.svg", 200, "api 24h", "66.7%", "#e05d44"},
		{"uptime 7d", "/badge/vendor/uptime/7d.svg", 200, "vendor 7d", "96.9%", "#dfb317"},
		{"uptime 90d all up", "/badge/%3Cscript%3E/uptime/90d.svg", 200, "<script> 90d", "100%", "#4c1"},
		{"unknown target", "/badge/nope/status.svg", 404, "status", "not found", "#9f9f9f"},
		{"unknown window", "/badge/api/uptime/1y.svg", 404, "uptime", "not found", "#9f9f9f"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tc.path, nil)
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, r)
			if rec.Code != tc.status || rec.Header().Get("Content-Type") != "image/svg+xml; charset=utf-8" || rec.Header().Get("Cache-Control") != "max-age=60" {
				t.Fatalf("%d %v", rec.Code, rec.Header())
			}
			svg := rec.Body.String()
			elements, texts, width := parse(t, svg)
			for _, e := range elements {
				if e == "script" || e == "foreignObject" {
					t.Errorf("the badge holds a <%s> element", e)
				}
			}
			if len(texts) != 4 || texts[0] != tc.label || texts[1] != tc.label || texts[2] != tc.message || texts[3] != tc.message {
				t.Errorf("texts %q, want label %q and message %q", texts, tc.label, tc.message)
			}
			if !strings.Contains(svg, `fill="`+tc.colour+`"`) {
				t.Errorf("no %s in %s", tc.colour, svg)
			}
			if width == "" || width == "0" {
				t.Errorf("width %q", width)
			}
			if tc.status == 200 {
				etag := rec.Header().Get("ETag")
				r := httptest.NewRequest("GET", tc.path, nil)
				r.Header.Set("If-None-Match", etag)
				again := httptest.NewRecorder()
				mux.ServeHTTP(again, r)
				if etag == "" || again.Code != http.StatusNotModified {
					t.Errorf("etag %q, then %d", etag, again.Code)
				}
			}
		})
	}
	// One badge exactly, to see its drawing change in review.
	golden.Text(t, "status-down.svg", string(badge.Render("api", "major outage", "#e05d44")), *update)
}

// Longer text makes a wider badge.
func TestWidthFollowsText(t *testing.T) {
	_, _, short := parse(t, string(badge.Render("a", "up", "#4c1")))
	_, _, long := parse(t, string(badge.Render("a much longer target name", "partial outage", "#4c1")))
	a, _ := strconv.Atoi(short)
	b, _ := strconv.Atoi(long)
	if a <= 0 || b <= a {
		t.Errorf("widths %s and %s", short, long)
	}
}

func TestPercent(t *testing.T) {
	for in, want := range map[float64]string{100: "100%", 99.95: "99.95%", 99.9996: "99.999%", 50: "50%", 66.6667: "66.7%", 99.99: "99.99%"} {
		if got := badge.Percent(in); got != want {
			t.Errorf("Percent(%v) = %q, want %q", in, got, want)
		}
	}
}
