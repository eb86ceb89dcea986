// Package auth protects the status pages, the API and the badges with the
// credentials of [web]: HTTP Basic users with bcrypt hashes, a bearer
// token, or both. Health, metrics and the chat command endpoints are never
// behind it.
package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// Realm names the protected space in the Basic challenge.
const Realm = "outagebot"

// Guard checks requests against the configured credentials. The zero
// Guard (nothing configured) lets every request through.
type Guard struct {
	users map[string][]byte
	token []byte

	// ok remembers credentials that passed bcrypt (by their SHA-256), so a
	// page that refreshes itself does not pay bcrypt's deliberate cost on
	// every request. Wrong credentials are never remembered.
	mu sync.Mutex
	ok map[[32]byte]bool
}

// New builds a Guard from user name to bcrypt hash and a bearer token;
// both empty: no protection.
func New(users map[string]string, token string) *Guard {
	g := &Guard{users: map[string][]byte{}, ok: map[[32]byte]bool{}}
	for u, h := range users {
		g.users[u] = []byte(h)
	}
	if token != "" {
		g.token = []byte(token)
	}
	return g
}

// Protected reports whether any credential is required.
func (g *Guard) Protected() bool { return g != nil && (len(g.users) > 0 || g.token != nil) }

// Allow reports whether r carries valid credentials (always true when
// nothing is protected).
func (g *Guard) Allow(r *http.Request) bool {
	if !g.Protected() {
		return true
	}
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	switch {
	case strings.EqualFold(scheme, "Bearer") && g.token != nil:
		// Compare fixed-size digests in constant time, so neither the
		// content nor the length of the token leaks through timing.
		a, b := sha256.Sum256([]byte(strings.TrimSpace(cred))), sha256.Sum256(g.token)
		return subtle.ConstantTimeCompare(a[:], b[:]) == 1
	case strings.EqualFold(scheme, "Basic") && len(g.users) > 0:
		user, pass, ok := r.BasicAuth()
		if !ok {
			return false
		}
		hash, known := g.users[user]
		if !known {
			// Spend the same time as for a known user, so timing does not
			// tell which names exist.
			_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(pass))
			return false
		}
		key := sha256.Sum256([]byte(user + "\x00" + pass))
		g.mu.Lock()
		hit := g.ok[key]
		g.mu.Unlock()
		if hit {
			return true
		}
		if bcrypt.CompareHashAndPassword(hash, []byte(pass)) != nil {
			return false
		}
		g.mu.Lock()
		g.ok[key] = true
		g.mu.Unlock()
		return true
	}
	return false
}

// dummyHash is a bcrypt hash of nothing anyone types, at the default
// cost, made when first needed.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("outagebot: no such user"), bcrypt.DefaultCost)
	return h
})

// Challenge is the WWW-Authenticate value for a refused request.
func (g *Guard) Challenge() string {
	if len(g.users) > 0 {
		return `Basic realm="` + Realm + `", charset="UTF-8"`
	}
	return `Bearer realm="` + Realm + `"`
}

// Wrap lets through requests with valid credentials and answers the
// others with 401 and the challenge; refuse writes the body (the API
// answers JSON, the pages HTML). A nil refuse writes
// {"error":"unauthorized"}.
func (g *Guard) Wrap(next http.Handler, refuse http.HandlerFunc) http.Handler {
	if !g.Protected() {
		return next
	}
	if refuse == nil {
		refuse = RefuseJSON
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.Allow(r) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", g.Challenge())
		w.Header().Set("Cache-Control", "no-store")
		refuse(w, r)
	})
}

// RefuseJSON answers 401 {"error":"unauthorized"}.
func RefuseJSON(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte(`{"error":"unauthorized"}` + "\n"))
}
