package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/app"
)

// A feed whose URL carries secrets fails: neither the log line about the
// failed poll nor the unreachable notice posted to chat shows them.
func TestPollErrorsHideURLSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer srv.Close()
	feedURL := strings.Replace(srv.URL, "http://", "http://ops:hunter2@", 1) +
		"/v1/status/6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f/feed.atom?access=s3cr3tT0ken"
	text := fmt.Sprintf(`
[bot]
state = %q
listen = ""
[[target]]
name = "Acme"
type = "feed"
url = %q
`, filepath.Join(t.TempDir(), "state.db"), feedURL)
	cfg := parseConfig(t, text)
	out, logs := &syncBuffer{}, &syncBuffer{}
	a := newApp(t, cfg, app.Options{Stdout: out, Log: slog.New(slog.NewTextHandler(logs, nil))})
	ctx := context.Background()
	job := a.Runner().Jobs()[0]
	for range 3 {
		a.Runner().Poll(ctx, job)
	}
	a.Drain(ctx)

	all := logs.String() + strings.Join(out.Lines(), "\n")
	if !strings.Contains(logs.String(), "poll failed") || count(out.Lines(), "UNKNOWN") != 1 {
		t.Fatalf("want a logged poll failure and an unreachable notice, got:\nlogs:\n%s\nout:\n%s", logs.String(), strings.Join(out.Lines(), "\n"))
	}
	for _, s := range []string{"hunter2", "ops:", "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "s3cr3tT0ken"} {
		if strings.Contains(all, s) {
			t.Errorf("output shows %q:\n%s", s, all)
		}
	}
	if want := "/v1/status/REDACTED/feed.atom?access=REDACTED"; !strings.Contains(all, want) {
		t.Errorf("output does not name the URL as %q:\n%s", want, all)
	}
}
