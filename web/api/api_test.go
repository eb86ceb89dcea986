package api_test

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"golang.org/x/crypto/bcrypt"

	"github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/internal/webtest"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/web/api"
	"github.com/outagebot/outagebot/web/auth"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// contract validates every response the tests receive against the
// OpenAPI document, so the document cannot drift from the answers.
type contract struct {
	doc    *openapi3.T
	router routers.Router
}

func newContract(t *testing.T) *contract {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	openapi3filter.RegisterBodyDecoder("text/markdown", openapi3filter.PlainBodyDecoder)
	return &contract{doc: doc, router: router}
}

func (c *contract) check(t *testing.T, r *http.Request, w *httptest.ResponseRecorder) {
	t.Helper()
	if !strings.HasPrefix(r.URL.Path, "/api/v1/") {
		return
	}
	vr := r.Clone(context.Background())
	vr.Method = http.MethodGet
	route, params, err := c.router.FindRoute(vr)
	if err != nil {
		if w.Code == http.StatusNotFound {
			return // a path the API does not have: nothing documents it
		}
		t.Fatalf("%s %s: no route in the document: %v", r.Method, r.URL, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: vr, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: w.Code, Header: w.Header(),
		Body: io.NopCloser(strings.NewReader(w.Body.String())), Options: in.Options}
	if r.Method == http.MethodHead {
		out.Options = &openapi3filter.Options{ExcludeResponseBody: true, IncludeResponseStatus: true}
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s -> %d does not match the OpenAPI document: %v\nbody: %s", r.Method, r.URL, w.Code, err, w.Body.String())
	}
}

type client struct {
	t *testing.T
	h http.Handler
	c *contract
}

func (c client) do(method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	c.t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, r)
	c.c.check(c.t, r, w)
	return w
}

func setup(t *testing.T, restricted bool) (*webtest.World, client) {
	w := webtest.New(t)
	a := &api.API{View: w.Builder, Store: w.Store, Restricted: restricted, Now: func() time.Time { return webtest.Now },
		OutageURL: func(id string) string { return "https://status.example.com/outages/" + id }}
	return w, client{t: t, h: a.Handler(nil), c: newContract(t)}
}

func TestEndpoints(t *testing.T) {
	_, c := setup(t, false)
	for _, tc := range []struct {
		name, path string
		status     int
		ctype      string
	}{
		{"targets", "/api/v1/targets", 200, "application/json"},
		{"target", "/api/v1/targets/api", 200, "application/json"},
		{"target with an escaped name", "/api/v1/targets/%3Cscript%3E", 200, "application/json"},
		{"unknown target", "/api/v1/targets/nope", 404, "application/json"},
		{"outages", "/api/v1/outages", 200, "application/json"},
		{"outages of a target", "/api/v1/outages?target=api", 200, "application/json"},
		{"outages of a group in a window", "/api/v1/outages?group=vendors&since=2026-11-21T03:00:00Z&until=2026-11-21T09:00:00Z", 200, "application/json"},
		{"outage", "/api/v1/outages/v1", 200, "application/json"},
		{"open outage", "/api/v1/outages/a2", 200, "application/json"},
		{"unknown outage", "/api/v1/outages/zz", 404, "application/json"},
		{"an id prefix is not an id", "/api/v1/outages/a", 404, "application/json"},
		{"report", "/api/v1/outages/v1/report", 200, "application/json"},
		{"report in markdown", "/api/v1/outages/v1/report?format=markdown", 200, "text/markdown; charset=utf-8"},
		{"report in another format", "/api/v1/outages/v1/report?format=pdf", 400, "application/json"},
		{"report in markdown in German", "/api/v1/outages/v1/report?format=markdown&lang=de", 200, "text/markdown; charset=utf-8"},
		{"report in another language", "/api/v1/outages/v1/report?format=markdown&lang=fr", 400, "application/json"},
		{"report of an unknown outage", "/api/v1/outages/zz/report", 404, "application/json"},
		{"bad limit", "/api/v1/outages?limit=501", 400, "application/json"},
		{"zero limit", "/api/v1/outages?limit=0", 400, "application/json"},
		{"bad since", "/api/v1/outages?since=yesterday", 400, "application/json"},
		{"until before since", "/api/v1/outages?since=2026-11-22T00:00:00Z&until=2026-11-21T00:00:00Z", 400, "application/json"},
		{"bad cursor", "/api/v1/outages?cursor=nonsense!", 400, "application/json"},
		{"unknown target filter", "/api/v1/outages?target=nope", 400, "application/json"},
		{"unknown group filter", "/api/v1/outages?group=nope", 400, "application/json"},
		{"unknown endpoint", "/api/v1/nope", 404, "application/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			w := c.do("GET", tc.path, nil)
			if w.Code != tc.status || w.Header().Get("Content-Type") != tc.ctype {
				t.Fatalf("status %d %q, want %d %q: %s", w.Code, w.Header().Get("Content-Type"), tc.status, tc.ctype, w.Body.String())
			}
			name := strings.NewReplacer(" ", "-").Replace(tc.name)
			if strings.HasPrefix(tc.ctype, "application/json") {
				var v any
				if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
					t.Fatalf("not JSON: %v", err)
				}
				golden.JSON(t, name, v, false, *update)
			} else {
				golden.Text(t, name, w.Body.String(), *update)
			}
			if tc.status == 200 {
				if w.Header().Get("Cache-Control") != "no-cache" || !strings.HasPrefix(w.Header().Get("ETag"), `"`) {
					t.Errorf("headers %v", w.Header())
				}
			}
		})
	}
}

func TestConditionalGet(t *testing.T) {
	_, c := setup(t, false)
	for _, path := range []string{"/api/v1/targets", "/api/v1/targets/api", "/api/v1/outages?limit=2", "/api/v1/outages/v1", "/api/v1/outages/v1/report?format=markdown", "/api/v1/openapi.json"} {
		first := c.do("GET", path, nil)
		etag := first.Header().Get("ETag")
		if first.Code != 200 || etag == "" {
			t.Fatalf("%s: %d etag %q", path, first.Code, etag)
		}
		again := c.do("GET", path, map[string]string{"If-None-Match": `"other", ` + etag})
		if again.Code != http.StatusNotModified || again.Body.Len() != 0 || again.Header().Get("ETag") != etag {
			t.Errorf("%s with its ETag: %d, body %d bytes", path, again.Code, again.Body.Len())
		}
		if stale := c.do("GET", path, map[string]string{"If-None-Match": `"stale"`}); stale.Code != 200 || stale.Body.String() != first.Body.String() {
			t.Errorf("%s with a stale ETag: %d", path, stale.Code)
		}
		if head := c.do("HEAD", path, nil); head.Code != 200 || head.Body.Len() != 0 || head.Header().Get("ETag") != etag {
			t.Errorf("HEAD %s: %d, %d bytes", path, head.Code, head.Body.Len())
		}
		if post := c.do("POST", path, nil); post.Code != http.StatusMethodNotAllowed || post.Header().Get("Allow") != "GET, HEAD" || !strings.Contains(post.Body.String(), `"error"`) {
			t.Errorf("POST %s: %d %q", path, post.Code, post.Body.String())
		}
	}
}

func TestAuthRefusals(t *testing.T) {
	w := webtest.New(t)
	hash, _ := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	for _, tc := range []struct {
		name      string
		guard     *auth.Guard
		good      map[string]string
		challenge string
	}{
		{"basic", auth.New(map[string]string{"alice": string(hash)}, ""), map[string]string{"Authorization": "Basic YWxpY2U6cHc="}, `Basic realm="outagebot", charset="UTF-8"`},
		{"bearer", auth.New(nil, "0123456789abcdef"), map[string]string{"Authorization": "Bearer 0123456789abcdef"}, `Bearer realm="outagebot"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &api.API{View: w.Builder, Store: w.Store, Now: func() time.Time { return webtest.Now }}
			c := client{t: t, h: a.Handler(func(h http.Handler) http.Handler { return tc.guard.Wrap(h, nil) }), c: newContract(t)}
			for _, path := range []string{"/api/v1/targets", "/api/v1/outages/v1/report", "/api/v1/openapi.json"} {
				no := c.do("GET", path, nil)
				if no.Code != 401 || no.Header().Get("WWW-Authenticate") != tc.challenge || strings.TrimSpace(no.Body.String()) != `{"error":"unauthorized"}` {
					t.Errorf("%s without credentials: %d %q %q", path, no.Code, no.Header().Get("WWW-Authenticate"), no.Body.String())
				}
				wrong := c.do("GET", path, map[string]string{"Authorization": "Bearer wrong"})
				if wrong.Code != 401 {
					t.Errorf("%s with wrong credentials: %d", path, wrong.Code)
				}
				if ok := c.do("GET", path, tc.good); ok.Code != 200 {
					t.Errorf("%s with credentials: %d", path, ok.Code)
				}
			}
		})
	}
}

// Following next_cursor lists every outage once, newest first, even while
// new outages are written between pages; limit defaults to 50.
func TestPaging(t *testing.T) {
	w, c := setup(t, false)
	all := c.do("GET", "/api/v1/outages", nil)
	var full struct {
		Outages []struct {
			ID string `json:"id"`
		} `json:"outages"`
		NextCursor *string `json:"next_cursor"`
	}
	if err := json.Unmarshal(all.Body.Bytes(), &full); err != nil || full.NextCursor != nil || len(full.Outages) != 9 {
		t.Fatalf("one default page: %d outages, next %v, %v", len(full.Outages), full.NextCursor, err)
	}
	var got []string
	path := "/api/v1/outages?limit=2"
	for page := 0; ; page++ {
		resp := c.do("GET", path, nil)
		var body struct {
			Outages []struct {
				ID string `json:"id"`
			} `json:"outages"`
			NextCursor *string `json:"next_cursor"`
		}
		if err := json.Unmarshal(resp.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		for _, o := range body.Outages {
			got = append(got, o.ID)
		}
		if body.NextCursor == nil {
			break
		}
		if page == 0 {
			n := outage.Outage{ID: "new", Target: "api", Key: "x", Class: outage.Incident, Title: "new", Severity: sources.Degraded, OpenedAt: webtest.At(4, 5, 0)}
			w.Commit(t, "api", n.OpenedAt, "new", n)
		}
		path = "/api/v1/outages?limit=2&cursor=" + *body.NextCursor
	}
	var want []string
	for _, o := range full.Outages {
		want = append(want, o.ID)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("paged %v, want %v", got, want)
	}
}

// With [web] showing some targets only, the others' outages are not
// listed and their ids are unknown.
func TestRestricted(t *testing.T) {
	w := webtest.New(t)
	w.Builder.Shown = w.Builder.Shown[:1] // api alone
	a := &api.API{View: w.Builder, Store: w.Store, Restricted: true, Now: func() time.Time { return webtest.Now }}
	c := client{t: t, h: a.Handler(nil), c: newContract(t)}
	resp := c.do("GET", "/api/v1/outages", nil)
	if strings.Contains(resp.Body.String(), `"vendor"`) || !strings.Contains(resp.Body.String(), `"a2"`) {
		t.Errorf("outages: %s", resp.Body.String())
	}
	for _, path := range []string{"/api/v1/outages/v1", "/api/v1/outages/v1/report", "/api/v1/targets/vendor"} {
		if r := c.do("GET", path, nil); r.Code != 404 {
			t.Errorf("%s: %d", path, r.Code)
		}
	}
	if r := c.do("GET", "/api/v1/outages?target=vendor", nil); r.Code != 400 {
		t.Errorf("filter on a hidden target: %d", r.Code)
	}
}

// A target's name typed in another case finds it, in the path and in the
// outages' filter, as chat does: names are unique whatever their case.
func TestTargetInAnotherCase(t *testing.T) {
	_, c := setup(t, false)
	want := c.do("GET", "/api/v1/targets/api", nil)
	got := c.do("GET", "/api/v1/targets/API", nil)
	if got.Code != 200 || got.Body.String() != want.Body.String() {
		t.Errorf("/api/v1/targets/API: %d %s\nwant the same as /api/v1/targets/api: %s", got.Code, got.Body, want.Body)
	}
	want = c.do("GET", "/api/v1/outages?target=api", nil)
	got = c.do("GET", "/api/v1/outages?target=API", nil)
	if got.Code != 200 || got.Body.String() != want.Body.String() {
		t.Errorf("/api/v1/outages?target=API: %d %s\nwant the same as ?target=api: %s", got.Code, got.Body, want.Body)
	}
}
