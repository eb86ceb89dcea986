package page

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

// csp allows no inline script or style: everything comes from the
// embedded assets.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
}

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return buffers.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	// A buffer that grew for a huge page is let go rather than pinned.
	if b.Cap() > 16<<20 {
		return
	}
	b.Reset()
	buffers.Put(b)
}

var gzips = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

// writeBody answers 304 when the client holds the same version, else body,
// gzip-compressed when the client accepts it. The gzip variant has its own
// ETag, as a cache that stores both must tell them apart.
func writeBody(w http.ResponseWriter, r *http.Request, code int, body []byte, etag string, zips *zipCache) {
	hdr := w.Header()
	hdr.Add("Vary", "Accept-Encoding")
	zip := acceptsGzip(r) && len(body) > 512
	if zip {
		etag = strings.TrimSuffix(etag, `"`) + `-gz"`
	}
	if code == http.StatusOK {
		hdr.Set("ETag", etag)
		if matches(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if !zip {
		hdr.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(code)
		if r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
		return
	}
	compressed, ok := zips.get(etag)
	if !ok {
		var out bytes.Buffer
		gz := gzips.Get().(*gzip.Writer)
		gz.Reset(&out)
		_, _ = gz.Write(body)
		_ = gz.Close()
		gzips.Put(gz)
		compressed = out.Bytes()
		zips.put(etag, compressed)
	}
	hdr.Set("Content-Encoding", "gzip")
	hdr.Set("Content-Length", strconv.Itoa(len(compressed)))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(compressed)
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// matches reports whether an If-None-Match header names etag (weak
// comparison, as RFC 9110 asks for If-None-Match).
func matches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, c := range strings.Split(header, ",") {
		c = strings.TrimPrefix(strings.TrimSpace(c), "W/")
		if c == "*" || c == etag {
			return true
		}
	}
	return false
}

//go:embed assets
var assetFS embed.FS

// assets are the embedded files, served under names that carry a hash of
// their content so they can be cached for a year: a new build's changed
// file has a new name.
type assets struct {
	byName   map[string]string // style.css -> style.0123abcd.css
	byHashed map[string]asset
	zips     zipCache
}

type asset struct {
	body []byte
	etag string
	mime string
}

func loadAssets() *assets {
	a := &assets{byName: map[string]string{}, byHashed: map[string]asset{}}
	entries, err := fs.ReadDir(assetFS, "assets")
	if err != nil {
		panic(err) // embedded at build time: cannot fail
	}
	for _, e := range entries {
		body, err := assetFS.ReadFile("assets/" + e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:6])
		ext := path.Ext(e.Name())
		hashed := strings.TrimSuffix(e.Name(), ext) + "." + hash + ext
		a.byName[e.Name()] = hashed
		a.byHashed[hashed] = asset{body: body, etag: `"` + hash + `"`, mime: mime.TypeByExtension(ext)}
	}
	return a
}

func (a *assets) url(name string) string { return "/assets/" + a.byName[name] }

func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	f, ok := a.byHashed[r.PathValue("file")]
	securityHeaders(w.Header())
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.mime)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	writeBody(w, r, http.StatusOK, f.body, f.etag, &a.zips)
}
