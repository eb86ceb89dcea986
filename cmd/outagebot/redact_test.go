package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// urlSecrets are what the targets' URLs below carry that no output may
// show: a token in a path, a UUID-like id, userinfo and query values.
var urlSecrets = []string{"6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "s3cr3tT0ken", "acmeteam42", "hunter2", "0a1b2c3d4e5f60718293", "9f8e7d6c5b4a39281706", "zzsigvalue"}

// TestOnceHidesURLSecrets runs once, as a table and as JSON, against a
// feed that fails and a probe that is redirected to another host, both
// with secrets in their URLs: the errors name the URLs, redacted.
func TestOnceHidesURLSecrets(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/health/") {
			http.Redirect(w, r, other.URL+"/landing/9f8e7d6c5b4a39281706?sig=zzsigvalue", http.StatusFound)
			return
		}
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	path := writeConfig(t, fmt.Sprintf(`
[bot]
state = "unused.db"
[[target]]
name = "Feed"
type = "feed"
url = "http://%s/feeds/6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f/history.atom?token=s3cr3tT0ken&team=acmeteam42"
[[target]]
name = "Probe"
type = "http"
url = "http://user:hunter2@%s/health/0a1b2c3d4e5f60718293"
`, host, host))

	for _, args := range [][]string{{"once", "--config", path}, {"once", "--config", path, "--json"}} {
		_, stdout, stderr := runCLI(args...)
		// JSON writes & as \u0026.
		out := strings.ReplaceAll(stdout+stderr, `\u0026`, "&")
		for _, s := range urlSecrets {
			if strings.Contains(out, s) {
				t.Errorf("%v shows %q:\n%s", args, s, out)
			}
		}
		for _, want := range []string{
			"http://" + host + "/feeds/REDACTED/history.atom?token=REDACTED&team=REDACTED",
			"redirected to " + other.URL + "/landing/REDACTED?sig=REDACTED",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("%v does not say %q:\n%s", args, want, out)
			}
		}
	}
}
