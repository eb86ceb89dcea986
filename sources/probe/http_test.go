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
			name:    "503",
			handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down for maintenance", 503) },
			want:    sources.MajorOutage,
			detail:  "HTTP 503, expected 2xx/3xx",
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
			name:    "never answers",
			timeout: 200 * time.Millisecond,
			handler: func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			want:    sources.MajorOutage,
			detail:  "timed out after 200ms",
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
			want:   sources.MajorOutage,
			detail: "reading the body: timed out after 200ms",
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
