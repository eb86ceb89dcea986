package probe

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

// seen records what a test server received.
type seen struct {
	mu      sync.Mutex
	paths   []string
	secrets []string // values of the headers a probe must keep to its host
}

func (s *seen) add(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paths = append(s.paths, r.URL.Path)
	for _, h := range []string{"X-Api-Key", "Authorization", "Cookie"} {
		if v := r.Header.Get(h); v != "" {
			s.secrets = append(s.secrets, h+": "+v)
		}
	}
}

func (s *seen) get() (paths, secrets []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.paths...), append([]string(nil), s.secrets...)
}

// TestHTTPProbeRedirectsKeepHeadersHome runs a probe with secret headers
// against a server that redirects to another one: a different port on the
// loopback address is a different host. The other server must never see
// the headers, whatever the policy.
func TestHTTPProbeRedirectsKeepHeadersHome(t *testing.T) {
	headers := map[string]string{"X-Api-Key": "k-9f8e7d6c5b4a", "Authorization": "Bearer t0k3n-abcdef", "Cookie": "session=s3cr3t"}
	tests := []struct {
		name   string
		policy fetch.Redirects
		// to is where the configured URL redirects: "other" (the second
		// server), "home" (the same server).
		to         string
		want       sources.Status
		detail     func(other string) string
		homePaths  []string
		otherPaths []string
	}{
		{
			name: "default refuses another host", to: "other", want: sources.MajorOutage,
			detail: func(other string) string {
				return "redirected to " + other + "/landing?sig=REDACTED: another port, not followed (follow_redirects = \"any\" would follow it)"
			},
			homePaths: []string{"/start"},
		},
		{
			name: "same-host refuses another host", policy: fetch.SameHost, to: "other", want: sources.MajorOutage,
			detail: func(other string) string {
				return "redirected to " + other + "/landing?sig=REDACTED: another port, not followed (follow_redirects = \"any\" would follow it)"
			},
			homePaths: []string{"/start"},
		},
		{
			name: "any follows without the headers", policy: fetch.AnyHost, to: "other", want: sources.Operational,
			homePaths: []string{"/start"}, otherPaths: []string{"/landing"},
		},
		{
			name: "none judges the redirect itself", policy: fetch.NoRedirects, to: "other", want: sources.Operational,
			homePaths: []string{"/start"},
		},
		{
			name: "same host is followed with the headers", to: "home", want: sources.Operational,
			homePaths: []string{"/start", "/landing"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var home, other seen
			otherSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				other.add(r)
				fmt.Fprint(w, "ok")
			}))
			defer otherSrv.Close()
			homeSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				home.add(r)
				if r.URL.Path == "/start" {
					base := otherSrv.URL
					if tc.to == "home" {
						base = ""
					}
					http.Redirect(w, r, base+"/landing?sig=0a1b2c3d4e5f", http.StatusFound)
					return
				}
				fmt.Fprint(w, "ok")
			}))
			defer homeSrv.Close()

			obs := runProbe(t, HTTPConfig{Name: "Example", URL: homeSrv.URL + "/start", Headers: headers, FollowRedirects: tc.policy}, 0)
			want := ""
			if tc.detail != nil {
				want = tc.detail(otherSrv.URL)
			}
			checkObs(t, obs, tc.want, want, nil)

			homePaths, homeSecrets := home.get()
			otherPaths, otherSecrets := other.get()
			if len(otherSecrets) > 0 {
				t.Errorf("the other host received %q", otherSecrets)
			}
			if fmt.Sprint(otherPaths) != fmt.Sprint(tc.otherPaths) {
				t.Errorf("the other host saw %q, want %q", otherPaths, tc.otherPaths)
			}
			if fmt.Sprint(homePaths) != fmt.Sprint(tc.homePaths) {
				t.Errorf("the configured host saw %q, want %q", homePaths, tc.homePaths)
			}
			if len(homeSecrets) != len(headers)*len(homePaths) {
				t.Errorf("the configured host got headers %q on %d requests", homeSecrets, len(homePaths))
			}
			if d := obs.Components[0].Detail; strings.Contains(d, "0a1b2c3d4e5f") {
				t.Errorf("detail %q shows the redirect's secret", d)
			}
		})
	}
}

func TestNewHTTPRejectsUnknownRedirectPolicy(t *testing.T) {
	_, err := NewHTTP(HTTPConfig{Name: "x", URL: "http://127.0.0.1/", FollowRedirects: "anywhere"})
	if err == nil || err.Error() != `http probe "x": follow_redirects "anywhere" must be "same-host", "any" or "none"` {
		t.Fatalf("NewHTTP = %v", err)
	}
}
