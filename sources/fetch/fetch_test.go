package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outagebot/outagebot/internal/budgettest"
)

func TestGet(t *testing.T) {
	var gotUA, gotAccept string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotAccept = r.Header.Get("User-Agent"), r.Header.Get("Accept")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true}`)
	}))
	defer srv.Close()

	c := New(Options{Version: "1.2.3"})
	body, nm, err := c.Get(context.Background(), srv.URL, nil, "application/json")
	if err != nil || nm || string(body) != `{"ok":true}` {
		t.Fatalf("Get = %q, %v, %v", body, nm, err)
	}
	if want := "outagebot/1.2.3 (+https://github.com/outagebot/outagebot)"; gotUA != want {
		t.Errorf("User-Agent = %q, want %q", gotUA, want)
	}
	if gotAccept != "application/json" {
		t.Errorf("Accept = %q", gotAccept)
	}

	New(Options{UserAgent: "custom/1"}).Get(context.Background(), srv.URL, nil, "")
	if gotUA != "custom/1" {
		t.Errorf("User-Agent = %q, want the override", gotUA)
	}
}

func TestGetTyped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/json;charset=utf-16")
		w.Write([]byte("\xff\xfe[\x00]\x00"))
	}))
	defer srv.Close()

	c := New(Options{})
	var v Validators
	body, ctype, nm, err := c.GetTyped(context.Background(), srv.URL, &v, "application/json")
	if err != nil || nm || string(body) != "\xff\xfe[\x00]\x00" || ctype != "application/json;charset=utf-16" {
		t.Fatalf("GetTyped = %q, %q, %v, %v", body, ctype, nm, err)
	}
	body, ctype, nm, err = c.GetTyped(context.Background(), srv.URL, &v, "application/json")
	if err != nil || !nm || body != nil || ctype != "" {
		t.Fatalf("second GetTyped = %q, %q, %v, %v; want 304", body, ctype, nm, err)
	}
}

func TestConditionalGet(t *testing.T) {
	var hits, conditional atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("If-None-Match") == `"v1"` && r.Header.Get("If-Modified-Since") == "Tue, 04 Jun 2024 14:54:27 GMT" {
			conditional.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Tue, 04 Jun 2024 14:54:27 GMT")
		fmt.Fprint(w, `{"n":1}`)
	}))
	defer srv.Close()

	c := New(Options{})
	var v Validators
	body, nm, err := c.Get(context.Background(), srv.URL, &v, "application/json")
	if err != nil || nm || string(body) != `{"n":1}` {
		t.Fatalf("first Get = %q, %v, %v", body, nm, err)
	}
	if v.ETag != `"v1"` || v.LastModified == "" {
		t.Fatalf("validators not stored: %+v", v)
	}
	body, nm, err = c.Get(context.Background(), srv.URL, &v, "application/json")
	if err != nil || !nm || body != nil {
		t.Fatalf("second Get = %q, %v, %v; want 304", body, nm, err)
	}
	if conditional.Load() != 1 || hits.Load() != 2 {
		t.Errorf("hits=%d conditional=%d", hits.Load(), conditional.Load())
	}
	if v.ETag != `"v1"` {
		t.Errorf("304 changed the validators: %+v", v)
	}
}

func TestUnconditional304IsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotModified)
	}))
	defer srv.Close()
	_, nm, err := New(Options{}).Get(context.Background(), srv.URL, &Validators{}, "")
	if err == nil || nm {
		t.Fatalf("got %v, %v; want an error", nm, err)
	}
}

// errorCase is a server behaviour and the error text Get must give for it.
type errorCase struct {
	name    string
	handler http.HandlerFunc
	opts    Options
	timeout time.Duration
	want    string // after "GET <url>: "
	is      error
}

func TestGetErrors(t *testing.T) {
	cases := []errorCase{
		{
			name:    "503",
			handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) },
			want:    "HTTP 503 Service Unavailable",
			is:      ErrStatus,
		},
		{
			name: "404 without reason phrase",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(404)
			},
			want: "HTTP 404 Not Found",
			is:   ErrStatus,
		},
		{
			name: "declared too large",
			opts: Options{MaxBody: 1 << 10},
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "2048")
				w.Write(make([]byte, 2048))
			},
			want: "response body exceeds the 1.0 KiB limit",
			is:   ErrTooLarge,
		},
		{
			name: "chunked too large",
			opts: Options{MaxBody: 1 << 10},
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Write(make([]byte, 600))
				w.(http.Flusher).Flush()
				w.Write(make([]byte, 600))
			},
			want: "response body exceeds the 1.0 KiB limit",
			is:   ErrTooLarge,
		},
		{
			name: "html content type",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprint(w, `{"looks":"like json"}`)
			},
			want: "got an HTML page instead of JSON (an error or login page?)",
			is:   ErrHTML,
		},
		{
			name: "html body labelled json",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, "\n  <!DOCTYPE html><html><body>Sign in</body></html>")
			},
			want: "got an HTML page instead of JSON (an error or login page?)",
			is:   ErrHTML,
		},
		{
			name: "redirect loop",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, r.URL.Path, http.StatusFound)
			},
			want: "stopped after 5 redirects (a redirect loop?)",
			is:   ErrTooManyRedirects,
		},
		{
			name:    "never answers",
			timeout: 200 * time.Millisecond,
			handler: func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
			},
			want: "timed out after 200ms",
			is:   context.DeadlineExceeded,
		},
		{
			name:    "stalls mid-body",
			timeout: 200 * time.Millisecond,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(`{"partial":`))
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			},
			want: "reading the body: timed out after 200ms",
			is:   context.DeadlineExceeded,
		},
		{
			name: "connection dropped",
			handler: func(w http.ResponseWriter, r *http.Request) {
				conn, _, _ := w.(http.Hijacker).Hijack()
				conn.Close()
			},
			want: "connection closed without a response",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			url := srv.URL + "/api/v2/summary.json"
			v := Validators{ETag: `"old"`}
			start := time.Now()
			body, nm, err := New(tc.opts).Get(ctx, url, &v, "application/json")
			if err == nil {
				t.Fatalf("Get = %q, %v, nil; want an error", body, nm)
			}
			if time.Since(start) > timeout+2*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			if want := "GET " + url + ": " + tc.want; budgettest.Normalize(err.Error(), timeout) != want {
				t.Errorf("error\n got %q\nwant %q", err, want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.is)
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Errorf("error is %T, want *Error", err)
			}
			if body != nil || nm {
				t.Errorf("body %q, notModified %v alongside an error", body, nm)
			}
			if v.ETag != `"old"` {
				t.Errorf("validators changed on error: %+v", v)
			}
		})
	}
}

func TestStatusErrorDetails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	_, _, err := New(Options{}).Get(context.Background(), srv.URL, nil, "")
	var fe *Error
	if !errors.As(err, &fe) || fe.StatusCode != 429 || fe.RetryAfter != 2*time.Minute {
		t.Fatalf("got %#v", err)
	}
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, _, err = New(Options{}).Get(context.Background(), "http://"+addr+"/", nil, "")
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("got %v, want connection refused", err)
	}
}

// countingTransport counts the body bytes the client actually read.
type countingTransport struct {
	rt   http.RoundTripper
	read atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(r)
	if err == nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &c.read}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// TestHugeBody streams a "10 GB" body: the client must stop at the limit.
func TestHugeBody(t *testing.T) {
	for _, declared := range []bool{false, true} {
		t.Run(fmt.Sprintf("declared=%v", declared), func(t *testing.T) {
			var written atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if declared {
					w.Header().Set("Content-Length", fmt.Sprint(int64(10<<30)))
				}
				chunk := make([]byte, 32<<10)
				for i := range chunk {
					chunk[i] = 'a'
				}
				for written.Load() < 10<<30 {
					n, err := w.Write(chunk)
					written.Add(int64(n))
					if err != nil {
						return
					}
				}
			}))
			defer srv.Close()
			ct := &countingTransport{rt: NewTransport()}
			const limit = 1 << 20
			c := New(Options{MaxBody: limit, Transport: ct})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			_, _, err := c.Get(ctx, srv.URL, nil, "")
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
			if n := ct.read.Load(); n > limit+1 {
				t.Errorf("client read %d bytes, limit %d", n, limit)
			}
			srv.CloseClientConnections()
			if w := written.Load(); w > 256<<20 {
				t.Errorf("server managed to write %d bytes", w)
			}
		})
	}
}

func TestErrorBodiesAreDrainedForReuse(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, strings.Repeat("x", 4000), http.StatusBadGateway)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := New(Options{})
	for range 5 {
		if _, _, err := c.Get(context.Background(), srv.URL, nil, ""); err == nil {
			t.Fatal("want an error")
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for 5 requests, want 1", n)
	}
}

func TestSecretsAreRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
	}))
	defer srv.Close()
	u := strings.Replace(srv.URL, "http://", "http://user:hunter2@", 1) + "/feed?api_key=s3cr3t&page=2"
	_, _, err := New(Options{}).Get(context.Background(), u, nil, "")
	if err == nil {
		t.Fatal("want an error")
	}
	for _, secret := range []string{"hunter2", "s3cr3t", "user"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error leaks %q: %v", secret, err)
		}
	}
	if !strings.Contains(err.Error(), "/feed?api_key=REDACTED&page=REDACTED") {
		t.Errorf("error lost the URL's shape: %v", err)
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://status.openai.com", "https://status.openai.com"},
		{"https://status.openai.com/api/v2/summary.json", "https://status.openai.com/api/v2/summary.json"},
		{"https://www.githubstatus.com/history.atom", "https://www.githubstatus.com/history.atom"},
		{"https://status.cloud.google.com/incidents.json", "https://status.cloud.google.com/incidents.json"},
		{"https://status.example.com/feeds/2024-06-04/v2", "https://status.example.com/feeds/2024-06-04/v2"},
		{"https://status.example.com/scheduled-maintenances/history-of-incidents", "https://status.example.com/scheduled-maintenances/history-of-incidents"},
		// Slack incoming webhook: team, bot and a 24-character secret.
		{"https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
			"https://hooks.slack.com/services/REDACTED/REDACTED/REDACTED"},
		{"https://hooks.slack.com/services/T0123ABCD/B0456EFGH/aBcDeFgHiJkLmNoPqRsTuVwX",
			"https://hooks.slack.com/services/REDACTED/REDACTED/REDACTED"},
		// Discord webhook: a snowflake id and a 68-character token.
		{"https://discord.com/api/webhooks/1234567890123456789/Zq-8Ux_v2kLmNoPqRsTuVwXyZaBcDeFgHiJkLmNoPqRsTuVwXyZaBcDeFgHiJkLmNoPq",
			"https://discord.com/api/webhooks/REDACTED/REDACTED"},
		{"https://hooks.example.com/ingest/6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f/events",
			"https://hooks.example.com/ingest/REDACTED/events"},
		{"https://example.com/feed/0123456789abcdef0123/rss", "https://example.com/feed/REDACTED/rss"},
		{"https://example.com/p/ZXlKaGJHY2lPaUpJVXpJMU5pSjk", "https://example.com/p/REDACTED"},
		{"https://example.com/status?format=json&page=2", "https://example.com/status?format=REDACTED&page=REDACTED"},
		{"https://example.com/status?api_key=s3cr3t&flag", "https://example.com/status?api_key=REDACTED&REDACTED"},
		{"https://user:hunter2@example.com/x", "https://REDACTED@example.com/x"},
		{"https://TOKEN@example.com", "https://REDACTED@example.com"},
		{"https://example.com/x#access_token=abc", "https://example.com/x#REDACTED"},
		{"http://127.0.0.1:8080/healthz", "http://127.0.0.1:8080/healthz"},
		{"https://example.com/a%2Fb/with%20space", "https://example.com/a%2Fb/with%20space"},
		{"mailto:ops@example.com", "mailto:REDACTED"},
		{"", ""},
		{"http://[::1]:namedport", "(unparsable URL)"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestFormat(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 900: "900 B", 1024: "1.0 KiB", 5 << 20: "5.0 MiB", 1536 << 10: "1.5 MiB", 10 << 30: "10.0 GiB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{
		9999 * time.Millisecond: "10s", 1234 * time.Millisecond: "1.2s",
		199999 * time.Microsecond: "200ms", 42 * time.Second: "42s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestReadBody(t *testing.T) {
	for _, tc := range []struct {
		body  string
		cl    int64
		limit int64
		ok    bool
	}{
		{"", 0, 10, true},
		{"0123456789", 10, 10, true},
		{"0123456789", -1, 10, true},
		{"0123456789a", -1, 10, false},
		{"0123456789a", 11, 10, false},
		{strings.Repeat("z", 100000), -1, 200000, true},
	} {
		got, err := ReadBody(strings.NewReader(tc.body), tc.cl, tc.limit)
		if tc.ok && (err != nil || string(got) != tc.body) {
			t.Errorf("ReadBody(%d bytes, cl %d, limit %d) = %d bytes, %v", len(tc.body), tc.cl, tc.limit, len(got), err)
		}
		if !tc.ok && !errors.Is(err, ErrTooLarge) {
			t.Errorf("ReadBody(%d bytes, limit %d) err = %v, want ErrTooLarge", len(tc.body), tc.limit, err)
		}
	}
}
