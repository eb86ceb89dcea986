package auth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/outagebot/outagebot/web/auth"
)

func TestGuard(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]string{"alice": string(hash)}
	const token = "0123456789abcdef-token"
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("in")) })
	for _, tc := range []struct {
		name      string
		guard     *auth.Guard
		setup     func(r *http.Request)
		status    int
		challenge string
	}{
		{"nothing configured", auth.New(nil, ""), func(*http.Request) {}, 200, ""},
		{"basic: right password", auth.New(users, ""), func(r *http.Request) { r.SetBasicAuth("alice", "correct horse") }, 200, ""},
		{"basic: wrong password", auth.New(users, ""), func(r *http.Request) { r.SetBasicAuth("alice", "wrong") }, 401, `Basic realm="outagebot", charset="UTF-8"`},
		{"basic: unknown user", auth.New(users, ""), func(r *http.Request) { r.SetBasicAuth("mallory", "correct horse") }, 401, `Basic realm="outagebot", charset="UTF-8"`},
		{"basic: none", auth.New(users, ""), func(*http.Request) {}, 401, `Basic realm="outagebot", charset="UTF-8"`},
		{"bearer: right", auth.New(nil, token), func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }, 200, ""},
		{"bearer: scheme in any case", auth.New(nil, token), func(r *http.Request) { r.Header.Set("Authorization", "bearer "+token) }, 200, ""},
		{"bearer: wrong", auth.New(nil, token), func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token+"x") }, 401, `Bearer realm="outagebot"`},
		{"bearer: a prefix of it", auth.New(nil, token), func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token[:5]) }, 401, `Bearer realm="outagebot"`},
		{"bearer: sent as basic", auth.New(nil, token), func(r *http.Request) { r.SetBasicAuth("x", token) }, 401, `Bearer realm="outagebot"`},
		{"both: token works", auth.New(users, token), func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }, 200, ""},
		{"both: password works", auth.New(users, token), func(r *http.Request) { r.SetBasicAuth("alice", "correct horse") }, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.guard.Wrap(ok, nil)
			// Twice: the second answer comes from the remembered check.
			for range 2 {
				r := httptest.NewRequest("GET", "/api/v1/targets", nil)
				tc.setup(r)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != tc.status || w.Header().Get("WWW-Authenticate") != tc.challenge {
					t.Fatalf("status %d challenge %q, want %d %q", w.Code, w.Header().Get("WWW-Authenticate"), tc.status, tc.challenge)
				}
				if tc.status == 401 {
					if got := strings.TrimSpace(w.Body.String()); got != `{"error":"unauthorized"}` || w.Header().Get("Content-Type") != "application/json" {
						t.Errorf("body %q", got)
					}
					if strings.Contains(w.Body.String(), token) || strings.Contains(w.Body.String(), "horse") {
						t.Error("the refusal quotes a secret")
					}
				}
			}
		})
	}
}
