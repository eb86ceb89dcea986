package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/outagebot/outagebot/app"
)

// hostile answers a status feed can give.
var hostile = []struct {
	name    string
	handler http.HandlerFunc
	// logged is what the operator reads in the log.
	logged string
}{
	{"HTML error page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>")
	}, "HTML page instead of JSON"},
	{"invalid JSON", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"page": {"id": "x"}, "components": [oops]}`)
	}, "invalid JSON at byte"},
	{"truncated JSON", func(w http.ResponseWriter, r *http.Request) {
		data, _ := os.ReadFile(filepath.Join("testdata", "lifecycle", "2-investigating", "summary.json"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data[:len(data)/2])
	}, "truncated at"},
	{"body over the limit", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		// Endless: the client must stop at its limit, not read it all.
		chunk := []byte(strings.Repeat(" ", 64<<10))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}, "exceeds the 256.0 KiB limit"},
	{"HTTP 500", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "internal error", http.StatusInternalServerError)
	}, "HTTP 500"},
	{"no answer", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}, "timed out after"},
	{"redirect loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path, http.StatusFound)
	}, "a redirect loop"},
}

func TestHostileFeedsNeverCryWolf(t *testing.T) {
	for _, tc := range hostile {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The page first shows a real incident, then turns hostile.
			var bad atomic.Bool
			good := &vendorPage{}
			good.phase.Store(1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if bad.Load() {
					tc.handler(w, r)
					return
				}
				good.ServeHTTP(w, r)
			}))
			defer srv.Close()

			text := fmt.Sprintf(`
[bot]
state = %q
listen = ""
max_body_size = "256KiB"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
timeout = "1s"
`, filepath.Join(t.TempDir(), "state.db"), srv.URL)
			cfg := parseConfig(t, text)
			out, logs := &syncBuffer{}, &syncBuffer{}
			a := newApp(t, cfg, app.Options{Stdout: out, Log: slog.New(slog.NewTextHandler(logs, nil))})
			ctx := context.Background()
			job := a.Runner().Jobs()[0]

			a.Runner().Poll(ctx, job)
			bad.Store(true)
			for range 5 {
				a.Runner().Poll(ctx, job)
			}
			a.Drain(ctx)

			lines := out.Lines()
			if len(lines) != 2 || count(lines, "OPENED") != 1 || count(lines, "UNKNOWN") != 1 {
				t.Fatalf("want the incident opened once and one unknown notice, got:\n%s", strings.Join(lines, "\n"))
			}
			if !strings.Contains(lines[1], "Could not read the status feed 3 times in a row") {
				t.Errorf("unknown notice: %s", lines[1])
			}
			if !strings.Contains(logs.String(), tc.logged) || strings.Count(logs.String(), "poll failed") != 1 {
				t.Errorf("want one clear log line mentioning %q, got:\n%s", tc.logged, logs.String())
			}
			if s := a.Runner().Snapshot("OpenAI"); s.Status != "unknown" || s.Reachable {
				t.Errorf("snapshot = %+v", s)
			}
			if open := a.Runner().OpenOutages(); len(open) != 2 {
				t.Errorf("the vendor incident must stay open beside the unknown notice: %+v", open)
			}
		})
	}
}
