package probe

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

func TestHTTPProbe(t *testing.T) {
	page := "<!doctype html><html><head><title>Example Domain</title></head><body>" + strings.Repeat("filler ", 3000) + "</body></html>"
	cases := []struct {
		name       string
		handler    http.HandlerFunc
		cfg        HTTPConfig
		timeout    time.Duration
		want       sources.Status
		detail     string // exact, or a prefix when it ends in "..."
		wantDetail func(string) bool
	}{
		{
			name:    "200",
			handler: func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") },
			want:    sources.Operational,
		},
		{
			name:    "204 any",
			handler: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) },
			want:    sources.Operational,
		},
		{
			name: "503",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			},
			want:   sources.MajorOutage,
			detail: "HTTP 503, expected 2xx/3xx",
		},
		{
			name:    "expected status list",
			cfg:     HTTPConfig{ExpectStatus: []int{200, 201, 204}},
			handler: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(202) },
			want:    sources.MajorOutage,
			detail:  "HTTP 202, expected 200, 201 or 204",
		},
		{
			name:    "expected 401",
			cfg:     HTTPConfig{ExpectStatus: []int{401}},
			handler: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(401) },
			want:    sources.Operational,
		},
		{
			name: "redirect followed",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/" {
					http.Redirect(w, r, "/home", http.StatusFound)
					return
				}
				fmt.Fprint(w, "home")
			},
			want: sources.Operational,
		},
		{
			name: "redirect loop",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/", http.StatusFound)
			},
			want:   sources.MajorOutage,
			detail: "stopped after 5 redirects (a redirect loop?)",
		},
		{
			name:    "body contains",
			cfg:     HTTPConfig{BodyContains: "Example Domain"},
			handler: func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, page) },
			want:    sources.Operational,
		},
		{
			name: "body contains across chunks",
			cfg:  HTTPConfig{BodyContains: "Example Domain"},
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(strings.Repeat("x", scanBufSize-5) + "Examp"))
				w.(http.Flusher).Flush()
				time.Sleep(10 * time.Millisecond)
				w.Write([]byte("le Domain and more"))
			},
			want: sources.Operational,
		},
		{
			name:    "body missing text",
			cfg:     HTTPConfig{BodyContains: "Example Domain"},
			handler: func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>502 Bad Gateway</html>") },
			want:    sources.MajorOutage,
			detail:  `body does not contain "Example Domain"`,
		},
		{
			name: "body over limit",
			cfg:  HTTPConfig{BodyContains: "Example Domain", MaxBody: 1 << 10},
			handler: func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, strings.Repeat("x", 4<<10)+"Example Domain")
			},
			want:   sources.MajorOutage,
			detail: `body does not contain "Example Domain" within the 1.0 KiB limit`,
		},
		{
			name: "slow",
			cfg:  HTTPConfig{DegradedLatency: 20 * time.Millisecond},
			handler: func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(60 * time.Millisecond)
			},
			want: sources.Degraded,
			wantDetail: func(d string) bool {
				return strings.HasPrefix(d, "slow: ") && strings.HasSuffix(d, "ms, threshold 20ms")
			},
		},
		{
			name:    "fast enough",
			cfg:     HTTPConfig{DegradedLatency: 5 * time.Second},
			handler: func(w http.ResponseWriter, r *http.Request) {},
			want:    sources.Operational,
		},
		{
			name:       "never answers",
			timeout:    200 * time.Millisecond,
			handler:    func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			want:       sources.MajorOutage,
			wantDetail: detailIs("timed out after ≤200ms"),
		},
		{
			name:    "stalls mid-body",
			cfg:     HTTPConfig{BodyContains: "never sent"},
			timeout: 200 * time.Millisecond,
			handler: func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, "partial")
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			},
			want:       sources.MajorOutage,
			wantDetail: detailIs("reading the body: timed out after ≤200ms"),
		},
		{
			name: "connection dropped",
			handler: func(w http.ResponseWriter, r *http.Request) {
				c, _, _ := w.(http.Hijacker).Hijack()
				c.Close()
			},
			want:   sources.MajorOutage,
			detail: "connection closed without a response",
		},
		{
			name: "method and headers",
			cfg: HTTPConfig{Method: "head", Headers: map[string]string{"X-Probe": "yes", "Host": "api.internal"},
				UserAgent: "outagebot/test"},
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.Method != "HEAD" || r.Header.Get("X-Probe") != "yes" || r.Host != "api.internal" ||
					r.UserAgent() != "outagebot/test" {
					w.WriteHeader(400)
				}
			},
			want: sources.Operational,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			cfg := tc.cfg
			cfg.Name, cfg.URL = "Example", srv.URL+"/"
			obs := runProbe(t, cfg, tc.timeout)
			checkObs(t, obs, tc.want, tc.detail, tc.wantDetail)
		})
	}
}

func runProbe(t *testing.T, cfg HTTPConfig, timeout time.Duration) sources.Observation {
	t.Helper()
	p, err := NewHTTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	obs, err := p.Poll(ctx)
	if err != nil {
		t.Fatalf("Poll error %v: a failing endpoint is a result, not an error", err)
	}
	if d := time.Since(start); d > timeout+2*time.Second {
		t.Errorf("Poll took %v", d)
	}
	return obs
}

func checkObs(t *testing.T, obs sources.Observation, want sources.Status, detail string, ok func(string) bool) {
	t.Helper()
	if len(obs.Components) != 1 {
		t.Fatalf("components = %+v, want exactly one", obs.Components)
	}
	c := obs.Components[0]
	if c.ID != "endpoint" || c.Name != "Example" || c.Status != want || c.Latency <= 0 || obs.At.IsZero() {
		t.Errorf("component = %+v, want status %s", c, want)
	}
	switch {
	case ok != nil:
		if !ok(c.Detail) {
			t.Errorf("detail = %q", c.Detail)
		}
	case c.Detail != detail:
		t.Errorf("detail = %q, want %q", c.Detail, detail)
	}
}

func TestHTTPProbeConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	obs := runProbe(t, HTTPConfig{Name: "Example", URL: "http://" + addr + "/health"}, 0)
	checkObs(t, obs, sources.MajorOutage, "connection refused", nil)
	if !obs.Components[0].Network {
		t.Error("a refused connection is not marked as a network failure")
	}
}

func TestHTTPProbeTLSError(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake failure is expected
	srv.StartTLS()
	defer srv.Close()
	obs := runProbe(t, HTTPConfig{Name: "Example", URL: srv.URL}, 0)
	checkObs(t, obs, sources.MajorOutage, "", func(d string) bool {
		return d == "TLS: x509: certificate signed by unknown authority"
	})

	// Speaking TLS to a plain HTTP server.
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer plain.Close()
	obs = runProbe(t, HTTPConfig{Name: "Example", URL: strings.Replace(plain.URL, "http:", "https:", 1)}, 0)
	checkObs(t, obs, sources.MajorOutage, "http: server gave HTTP response to HTTPS client", nil)
	if obs.Components[0].Network {
		t.Error("a server that answered is marked as a network failure")
	}
}

func TestHTTPProbeCanceled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	p, err := NewHTTP(HTTPConfig{Name: "Example", URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := p.Poll(ctx); err != context.Canceled {
		t.Errorf("Poll on shutdown = %v, want context.Canceled", err)
	}
}

func TestHTTPProbeConnections(t *testing.T) {
	for _, fresh := range []bool{false, true} {
		t.Run(fmt.Sprintf("fresh=%v", fresh), func(t *testing.T) {
			var conns atomic.Int32
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, strings.Repeat("ok ", 1000))
			}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Start()
			defer srv.Close()
			p, err := NewHTTP(HTTPConfig{Name: "Example", URL: srv.URL, FreshConnection: fresh})
			if err != nil {
				t.Fatal(err)
			}
			const polls = 5
			for range polls {
				obs, err := p.Poll(context.Background())
				if err != nil || obs.Components[0].Status != sources.Operational {
					t.Fatalf("poll: %+v, %v", obs, err)
				}
			}
			want := int32(1)
			if fresh {
				want = polls
			}
			if got := conns.Load(); got != want {
				t.Errorf("%d connections for %d probes, want %d", got, polls, want)
			}
		})
	}
}

func TestNewHTTPErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  HTTPConfig
		want string
	}{
		{HTTPConfig{Name: "a", URL: "ftp://example.com"}, `http probe "a": url "ftp://example.com" must start with http:// or https://`},
		{HTTPConfig{Name: "a", URL: "http://"}, `http probe "a": url "http:" has no host`},
		{HTTPConfig{Name: "a", URL: "http://x:port"}, `http probe "a": bad url: invalid port ":port" after host`},
		{HTTPConfig{Name: "a", URL: "http://x", Method: "HEAD", BodyContains: "ok"}, `http probe "a": body_contains needs a method that returns a body, not HEAD`},
		{HTTPConfig{Name: "a", URL: "http://x", ExpectStatus: []int{2000}}, `http probe "a": expect_status 2000 is not an HTTP status`},
		{HTTPConfig{Name: "a", URL: "http://x", Headers: map[string]string{"X-A": "b\r\nc: d"}}, `http probe "a": header "X-A" is not a valid header`},
		{HTTPConfig{Name: "a", URL: "http://x", Method: "GE T"}, `http probe "a": net/http: invalid method "GE T"`},
	} {
		_, err := NewHTTP(tc.cfg)
		if err == nil || err.Error() != tc.want {
			t.Errorf("NewHTTP(%+v) = %v, want %s", tc.cfg, err, tc.want)
		}
	}
}

func TestExpectText(t *testing.T) {
	for want, codes := range map[string][]int{"2xx/3xx": nil, "200": {200}, "200 or 204": {200, 204}, "200, 201 or 204": {200, 201, 204}} {
		if got := expectText(codes); got != want {
			t.Errorf("expectText(%v) = %q, want %q", codes, got, want)
		}
	}
}

func BenchmarkHTTPProbe(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(`{"status":"ok","checks":{"db":"ok","cache":"ok"}}`))
	}))
	defer srv.Close()
	for _, bc := range []struct {
		name string
		cfg  HTTPConfig
	}{
		{"keepalive", HTTPConfig{}},
		{"body_contains", HTTPConfig{BodyContains: `"status":"ok"`}},
		{"fresh_connection", HTTPConfig{FreshConnection: true}},
		{"body_regex", HTTPConfig{BodyRegex: `"status":\s*"ok"`}},
		{"json_path", HTTPConfig{JSONPath: "checks.db", JSONEquals: "ok"}},
		{"shared_transport", HTTPConfig{Transport: NewSharedTransport()}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := bc.cfg
			cfg.Name, cfg.URL = "bench", srv.URL+"/healthz"
			p, err := NewHTTP(cfg)
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
			defer cancel()
			b.ReportAllocs()
			for b.Loop() {
				obs, err := p.Poll(ctx)
				if err != nil || obs.Components[0].Status != sources.Operational {
					b.Fatal(obs, err)
				}
			}
		})
	}
}

func TestHTTPProbeBodyChecks(t *testing.T) {
	health := `{"status":{"indicator":"none","description":"All good"},"checks":[{"name":"db","state":"ok"},{"name":"cache","state":"degraded"}],` +
		`"count":1.0,"ok":true,"gone":null}`
	cases := []struct {
		name   string
		cfg    HTTPConfig
		body   string
		status int
		want   sources.Status
		detail string
	}{
		{name: "regex matches", cfg: HTTPConfig{BodyRegex: `"indicator":\s*"(none|minor)"`}, body: health, want: sources.Operational},
		{name: "regex does not match", cfg: HTTPConfig{BodyRegex: `"indicator":"major"`}, body: health,
			want: sources.MajorOutage, detail: `body does not match "\"indicator\":\"major\""`},
		{name: "regex beyond the limit", cfg: HTTPConfig{BodyRegex: `needle`, MaxBody: 16}, body: strings.Repeat("x", 32) + "needle",
			want: sources.MajorOutage, detail: `body does not match "needle" within the 16 B limit`},
		{name: "contains and regex", cfg: HTTPConfig{BodyContains: "All good", BodyRegex: `(?i)ALL GOOD`}, body: health,
			want: sources.Operational},
		{name: "contains fails first", cfg: HTTPConfig{BodyContains: "All bad", BodyRegex: `All`}, body: health,
			want: sources.MajorOutage, detail: `body does not contain "All bad"`},
		{name: "JSON equals", cfg: HTTPConfig{JSONPath: "status.indicator", JSONEquals: "none"}, body: health, want: sources.Operational},
		{name: "JSON array index", cfg: HTTPConfig{JSONPath: "checks.0.state", JSONEquals: "ok"}, body: health, want: sources.Operational},
		{name: "JSON number", cfg: HTTPConfig{JSONPath: "count", JSONEquals: "1"}, body: health, want: sources.Operational},
		{name: "JSON bool", cfg: HTTPConfig{JSONPath: "ok", JSONEquals: "true"}, body: health, want: sources.Operational},
		{name: "JSON null", cfg: HTTPConfig{JSONPath: "gone", JSONEquals: "null"}, body: health, want: sources.Operational},
		{name: "JSON object", cfg: HTTPConfig{JSONPath: "checks.0", JSONEquals: `{"name":"db","state":"ok"}`}, body: health,
			want: sources.Operational},
		{name: "JSON path exists", cfg: HTTPConfig{JSONPath: "status.description"}, body: health, want: sources.Operational},
		{name: "JSON mismatch", cfg: HTTPConfig{JSONPath: "checks.1.state", JSONEquals: "ok"}, body: health,
			want: sources.MajorOutage, detail: `checks.1.state is "degraded", expected "ok"`},
		{name: "JSON number mismatch", cfg: HTTPConfig{JSONPath: "count", JSONEquals: "2"}, body: health,
			want: sources.MajorOutage, detail: `count is 1.0, expected "2"`},
		{name: "JSON missing key", cfg: HTTPConfig{JSONPath: "status.incidents", JSONEquals: "0"}, body: health,
			want: sources.MajorOutage, detail: `JSON path status.incidents not found (status has no key "incidents")`},
		{name: "JSON index out of range", cfg: HTTPConfig{JSONPath: "checks.2.state", JSONEquals: "ok"}, body: health,
			want: sources.MajorOutage, detail: `JSON path checks.2.state not found (checks has 2 items)`},
		{name: "JSON key into an array", cfg: HTTPConfig{JSONPath: "checks.db"}, body: health,
			want: sources.MajorOutage, detail: `JSON path checks.db not found (checks is an array, and "db" is not an index)`},
		{name: "JSON through a string", cfg: HTTPConfig{JSONPath: "status.indicator.code"}, body: health,
			want: sources.MajorOutage, detail: `JSON path status.indicator.code not found (status.indicator is a string)`},
		{name: "JSON top-level key missing", cfg: HTTPConfig{JSONPath: "version"}, body: health,
			want: sources.MajorOutage, detail: `JSON path version not found (the body has no key "version")`},
		{name: "not JSON", cfg: HTTPConfig{JSONPath: "status"}, body: "<html>maintenance</html>",
			want: sources.MajorOutage, detail: `body is not JSON: invalid character '<' looking for beginning of value`},
		{name: "empty body", cfg: HTTPConfig{JSONPath: "status"}, body: "",
			want: sources.MajorOutage, detail: `body is empty, expected JSON`},
		{name: "JSON over the limit", cfg: HTTPConfig{JSONPath: "status", MaxBody: 64}, body: health,
			want: sources.MajorOutage, detail: `JSON body is larger than the 64 B limit`},
		{name: "status judged before the body", cfg: HTTPConfig{JSONPath: "status"}, body: health, status: 500,
			want: sources.MajorOutage, detail: `HTTP 500, expected 2xx/3xx`},
		{name: "no follow, 3xx passes by default", cfg: HTTPConfig{FollowRedirects: fetch.NoRedirects}, status: 302, want: sources.Operational},
		{name: "no follow, expect 302", cfg: HTTPConfig{FollowRedirects: fetch.NoRedirects, ExpectStatus: []int{302}}, status: 302,
			want: sources.Operational},
		{name: "no follow, expect 200", cfg: HTTPConfig{FollowRedirects: fetch.NoRedirects, ExpectStatus: []int{200}}, status: 302,
			want: sources.MajorOutage, detail: "HTTP 302, expected 200"},
		{name: "follow, expect 200", cfg: HTTPConfig{FollowRedirects: fetch.SameHost, ExpectStatus: []int{200}}, status: 302,
			want: sources.Operational},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.status == 302 && r.URL.Path == "/" {
					http.Redirect(w, r, "/moved", http.StatusFound)
					return
				}
				if tc.status != 0 && tc.status != 302 {
					w.WriteHeader(tc.status)
				}
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			cfg := tc.cfg
			cfg.Name, cfg.URL = "Example", srv.URL+"/"
			checkObs(t, runProbe(t, cfg, 0), tc.want, tc.detail, nil)
		})
	}
}

func TestHTTPProbeInsecureSkipVerify(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the verifying probe's handshake failure is expected
	srv.StartTLS()                                   // a self-signed certificate
	defer srv.Close()
	shared := NewSharedTransport()
	for _, tc := range []struct {
		insecure bool
		want     sources.Status
		detail   string
	}{
		{true, sources.Operational, ""},
		{false, sources.MajorOutage, "TLS: x509: certificate signed by unknown authority"},
	} {
		obs := runProbe(t, HTTPConfig{Name: "Example", URL: srv.URL, InsecureSkipVerify: tc.insecure, Transport: shared}, 0)
		checkObs(t, obs, tc.want, tc.detail, nil)
	}
	if shared.TLSClientConfig.InsecureSkipVerify {
		t.Error("an insecure probe turned verification off for the shared transport")
	}
}

func TestHTTPProbeRetries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		failures int32 // how many requests fail first
		hang     bool  // failures hang instead of answering 503
		retries  int
		timeout  time.Duration
		want     sources.Status
		detail   string // exact, or a prefix when it ends in "..."
		requests int32
	}{
		{name: "fails once, retried", failures: 1, retries: 1, want: sources.Operational,
			detail: "after 1 retry (last failure: HTTP 503, expected 2xx/3xx)", requests: 2},
		{name: "fails twice, retried twice", failures: 2, retries: 3, want: sources.Operational,
			detail: "after 2 retries (last failure: HTTP 503, expected 2xx/3xx)", requests: 3},
		{name: "fails always", failures: 100, retries: 2, want: sources.MajorOutage,
			detail: "HTTP 503, expected 2xx/3xx (3 attempts)", requests: 3},
		{name: "fails once, no retries", failures: 1, want: sources.MajorOutage,
			detail: "HTTP 503, expected 2xx/3xx", requests: 1},
		{name: "hangs once: the retry gets time left", failures: 1, hang: true, retries: 1, timeout: 600 * time.Millisecond,
			want: sources.Operational, detail: "after 1 retry (last failure: timed out after ≤300ms)", requests: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) <= tc.failures {
					if tc.hang {
						<-r.Context().Done()
						return
					}
					http.Error(w, "unavailable", http.StatusServiceUnavailable)
				}
			}))
			defer srv.Close()
			obs := runProbe(t, HTTPConfig{Name: "Example", URL: srv.URL, Retries: tc.retries}, tc.timeout)
			checkObs(t, obs, tc.want, "", detailIs(tc.detail))
			if got := n.Load(); got != tc.requests {
				t.Errorf("%d requests, want %d", got, tc.requests)
			}
		})
	}
}

func TestHTTPProbeRetriesCanceled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer srv.Close()
	p, err := NewHTTP(HTTPConfig{Name: "Example", URL: srv.URL, Retries: MaxRetries})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := p.Poll(ctx); err != context.Canceled {
		t.Errorf("Poll on shutdown = %v, want context.Canceled", err)
	}
}

func TestHTTPSharedTransport(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"status":"ok"}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	shared := NewSharedTransport()
	defer shared.CloseIdleConnections()
	var probes []*HTTP
	for _, cfg := range []HTTPConfig{
		{Name: "a", URL: srv.URL + "/a"},
		{Name: "b", URL: srv.URL + "/b", JSONPath: "status", JSONEquals: "ok"},
	} {
		cfg.Transport = shared
		p, err := NewHTTP(cfg)
		if err != nil {
			t.Fatal(err)
		}
		probes = append(probes, p)
	}
	for range 3 {
		for _, p := range probes {
			obs, err := p.Poll(context.Background())
			if err != nil || obs.Components[0].Status != sources.Operational {
				t.Fatalf("poll: %+v, %v", obs, err)
			}
		}
	}
	if got := conns.Load(); got != 1 {
		t.Errorf("two probes sharing a transport opened %d connections for 6 polls, want 1", got)
	}

	// A fresh-connection probe given the shared transport neither takes
	// its idle connection nor leaves one.
	fresh, err := NewHTTP(HTTPConfig{Name: "fresh", URL: srv.URL, FreshConnection: true, Transport: shared})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if obs, err := fresh.Poll(context.Background()); err != nil || obs.Components[0].Status != sources.Operational {
			t.Fatalf("poll: %+v, %v", obs, err)
		}
	}
	if got := conns.Load(); got != 3 {
		t.Errorf("%d connections after 2 fresh polls, want 3", got)
	}
}

func TestNewHTTPErrorsExtras(t *testing.T) {
	for _, tc := range []struct {
		cfg  HTTPConfig
		want string
	}{
		{HTTPConfig{Name: "a", URL: "http://x", BodyRegex: "(ok"}, "http probe \"a\": body_regex: error parsing regexp: missing closing ): `(ok`"},
		{HTTPConfig{Name: "a", URL: "http://x", Method: "HEAD", BodyRegex: "ok"}, `http probe "a": body_regex needs a method that returns a body, not HEAD`},
		{HTTPConfig{Name: "a", URL: "http://x", Method: "HEAD", JSONPath: "ok"}, `http probe "a": json_path needs a method that returns a body, not HEAD`},
		{HTTPConfig{Name: "a", URL: "http://x", JSONEquals: "ok"}, `http probe "a": json_equals needs json_path`},
		{HTTPConfig{Name: "a", URL: "http://x", JSONPath: "checks..state"}, `http probe "a": json_path "checks..state" has an empty segment (write keys and indexes as a.b.0.c)`},
		{HTTPConfig{Name: "a", URL: "http://x", JSONPath: ".status"}, `http probe "a": json_path ".status" has an empty segment (write keys and indexes as a.b.0.c)`},
		{HTTPConfig{Name: "a", URL: "http://x", Retries: 11}, `http probe "a": retries 11 must be between 0 and 10`},
	} {
		_, err := NewHTTP(tc.cfg)
		if err == nil || err.Error() != tc.want {
			t.Errorf("NewHTTP(%+v) = %v, want %s", tc.cfg, err, tc.want)
		}
	}
}
