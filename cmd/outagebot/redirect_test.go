package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// check detects a type = "auto" target's format with the target's own
// redirect policy: a page that redirects to another host is read only
// with follow_redirects = "any".
func TestCheckAutoFollowsTheTargetsRedirects(t *testing.T) {
	other := serveFixture(t, "2-investigating")
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	defer home.Close()
	for _, tc := range []struct{ policy, stdout, stderr string }{
		{"", "", "type auto could not detect the format now: detecting the format of " + home.URL + ": no endpoint could be read"},
		{`follow_redirects = "any"`, "type auto detected statuspage", ""},
	} {
		path := writeConfig(t, fmt.Sprintf("[bot]\nstate = \"unused.db\"\n[[target]]\nname = \"Page\"\ntype = \"auto\"\nurl = %q\n%s\n", home.URL, tc.policy))
		code, stdout, stderr := runCLI("check", "--config", path)
		detected := strings.Contains(stdout, "type auto detected")
		if code != 0 || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) || detected != (tc.stdout != "") {
			t.Errorf("%s: exit %d\nstdout: %s\nstderr: %s", tc.policy, code, stdout, stderr)
		}
	}
}
