// Package httpx writes the answers of the status pages, the API and the
// badges the same way: a strong ETag over the body, 304 Not Modified for
// a matching If-None-Match, and the caller's Cache-Control.
package httpx

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
)

// ETag is a strong entity tag over body.
func ETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

// Matches reports whether an If-None-Match header names etag (or is *).
func Matches(ifNoneMatch, etag string) bool {
	for _, t := range strings.Split(ifNoneMatch, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// Send writes body. A 200 answer carries its ETag, and becomes 304
// without a body when the request already holds that version.
func Send(w http.ResponseWriter, r *http.Request, status int, contentType string, body []byte, cacheControl string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	if cacheControl != "" {
		h.Set("Cache-Control", cacheControl)
	}
	if status == http.StatusOK {
		etag := ETag(body)
		h.Set("ETag", etag)
		if inm := r.Header.Get("If-None-Match"); inm != "" && Matches(inm, etag) {
			h.Del("Content-Type")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	h.Set("Content-Length", itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// JSON writes v as JSON (one line, then a newline).
func JSON(w http.ResponseWriter, r *http.Request, status int, v any, cacheControl string) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"error":"internal error"}`, http.StatusInternalServerError)
		return
	}
	Send(w, r, status, "application/json", b.Bytes(), cacheControl)
}

func itoa(n int) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(buf[i:])
		}
	}
}
