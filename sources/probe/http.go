package probe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

// HTTP probe limits.
const (
	// MaxBodyContains bounds HTTPConfig.BodyContains, so that the body can be
	// searched in small pooled chunks instead of being held whole.
	MaxBodyContains = 4 << 10
	// scanBufSize is the chunk the body is searched in.
	scanBufSize = 16 << 10
	// drainLimit is how much of a body is read only to keep the connection;
	// a longer body costs its connection instead.
	drainLimit = 32 << 10
)

// HTTPConfig configures an HTTP probe.
type HTTPConfig struct {
	// Name is the component's name (the target's name).
	Name string
	URL  string
	// Method is GET when empty.
	Method string
	// ExpectStatus lists the acceptable status codes; empty accepts any
	// 2xx or 3xx (redirects are followed, up to fetch.MaxRedirects).
	ExpectStatus []int
	// BodyContains, when set, must appear in the first MaxBody bytes of the
	// body. Only then is the body read.
	BodyContains string
	// DegradedLatency reports a passing check that took longer as degraded
	// (0: never).
	DegradedLatency time.Duration
	Headers         map[string]string
	// FreshConnection opens a new connection (and TLS handshake) for every
	// probe, which proves that new clients can connect. Otherwise the probe
	// keeps its connection alive between polls, which is much cheaper.
	FreshConnection bool
	// UserAgent defaults to fetch.UserAgent("").
	UserAgent string
	// MaxBody bounds how much body BodyContains searches
	// (fetch.DefaultMaxBody when 0).
	MaxBody int64
	// Timeout bounds a probe whose context has no deadline (DefaultTimeout
	// when 0). The scheduler's context deadline wins.
	Timeout time.Duration
	// Transport replaces the probe's own transport (tests).
	Transport http.RoundTripper
}

var _ sources.Source = (*HTTP)(nil)

// HTTP probes one URL. It is safe for concurrent use, though the scheduler
// polls each target sequentially.
type HTTP struct {
	name       string
	tmpl       *http.Request // cloned shallowly, with the poll's context, per poll
	client     *http.Client
	expect     []int
	expectText string
	needle     []byte
	slow       time.Duration
	maxBody    int64
	timeout    time.Duration
}

// NewHTTP checks cfg and builds the probe.
func NewHTTP(cfg HTTPConfig) (*HTTP, error) {
	u, err := url.Parse(cfg.URL)
	switch {
	case err != nil:
		return nil, fmt.Errorf("http probe %q: bad url: %v", cfg.Name, errors.Unwrap(err))
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("http probe %q: url %q must start with http:// or https://", cfg.Name, fetch.Redact(cfg.URL))
	case u.Host == "":
		return nil, fmt.Errorf("http probe %q: url %q has no host", cfg.Name, fetch.Redact(cfg.URL))
	}
	method := strings.ToUpper(strings.TrimSpace(cfg.Method))
	if method == "" {
		method = http.MethodGet
	}
	if cfg.BodyContains != "" && method == http.MethodHead {
		return nil, fmt.Errorf("http probe %q: body_contains needs a method that returns a body, not HEAD", cfg.Name)
	}
	if len(cfg.BodyContains) > MaxBodyContains {
		return nil, fmt.Errorf("http probe %q: body_contains is %d bytes, at most %d", cfg.Name, len(cfg.BodyContains), MaxBodyContains)
	}
	for _, code := range cfg.ExpectStatus {
		if code < 100 || code > 599 {
			return nil, fmt.Errorf("http probe %q: expect_status %d is not an HTTP status", cfg.Name, code)
		}
	}
	req, err := http.NewRequest(method, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("http probe %q: %v", cfg.Name, err)
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = fetch.UserAgent("")
	}
	req.Header.Set("User-Agent", ua)
	for k, v := range cfg.Headers {
		if k == "" || strings.ContainsAny(k, "\r\n: ") || strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("http probe %q: header %q is not a valid header", cfg.Name, k)
		}
		if http.CanonicalHeaderKey(k) == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}

	rt := cfg.Transport
	if rt == nil {
		t := fetch.NewTransport()
		// One target, polled sequentially: one idle connection (two for a
		// redirect to another host) is all it can use.
		t.MaxIdleConns = 2
		t.MaxIdleConnsPerHost = 1
		t.DisableKeepAlives = cfg.FreshConnection
		rt = t
	}
	// With a caller's transport, Connection: close has the same effect.
	req.Close = cfg.FreshConnection

	p := &HTTP{
		name:       cfg.Name,
		tmpl:       req,
		client:     &http.Client{Transport: rt, CheckRedirect: fetch.CheckRedirect},
		expect:     cfg.ExpectStatus,
		expectText: expectText(cfg.ExpectStatus),
		slow:       cfg.DegradedLatency,
		maxBody:    cfg.MaxBody,
		timeout:    cfg.Timeout,
	}
	if p.name == "" {
		p.name = u.Host
	}
	if cfg.BodyContains != "" {
		p.needle = []byte(cfg.BodyContains)
	}
	if p.maxBody <= 0 {
		p.maxBody = fetch.DefaultMaxBody
	}
	if p.timeout <= 0 {
		p.timeout = DefaultTimeout
	}
	return p, nil
}

// Poll runs the check once.
func (p *HTTP) Poll(ctx context.Context) (sources.Observation, error) {
	if canceled(ctx) {
		return sources.Observation{}, ctx.Err()
	}
	start := time.Now()
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.timeout)
		defer cancel()
	}
	resp, err := p.client.Do(p.tmpl.WithContext(ctx))
	if err != nil {
		if canceled(ctx) {
			return sources.Observation{}, ctx.Err()
		}
		msg, _ := fetch.Describe(ctx, err, budget(ctx, start))
		return result(p.name, sources.MajorOutage, time.Since(start), msg), nil
	}
	status, detail, drained := p.check(ctx, resp, start)
	latency := time.Since(start)
	if !drained {
		drain(resp.Body)
	}
	resp.Body.Close()
	if status != sources.Operational && canceled(ctx) {
		return sources.Observation{}, ctx.Err()
	}
	if status == sources.Operational && p.slow > 0 && latency > p.slow {
		status, detail = sources.Degraded, slowDetail(latency, p.slow)
	}
	return result(p.name, status, latency, detail), nil
}

// check judges the response; drained reports that the body was read to its
// end (or abandoned) already.
func (p *HTTP) check(ctx context.Context, resp *http.Response, start time.Time) (status sources.Status, detail string, drained bool) {
	if !p.statusOK(resp.StatusCode) {
		return sources.MajorOutage, "HTTP " + strconv.Itoa(resp.StatusCode) + ", expected " + p.expectText, false
	}
	if p.needle == nil {
		return sources.Operational, "", false
	}
	found, over, err := scan(resp.Body, p.needle, p.maxBody)
	switch {
	case err != nil:
		msg, _ := fetch.Describe(ctx, err, budget(ctx, start))
		return sources.MajorOutage, "reading the body: " + msg, true
	case found:
		return sources.Operational, "", false
	case over:
		return sources.MajorOutage, fmt.Sprintf("body does not contain %q within the %s limit", p.needle, fetch.FormatSize(p.maxBody)), true
	}
	return sources.MajorOutage, fmt.Sprintf("body does not contain %q", p.needle), true
}

func (p *HTTP) statusOK(code int) bool {
	if len(p.expect) == 0 {
		return code >= 200 && code <= 399
	}
	for _, c := range p.expect {
		if c == code {
			return true
		}
	}
	return false
}

// expectText says which statuses pass: "2xx/3xx", "200", "200, 201 or 204".
func expectText(codes []int) string {
	if len(codes) == 0 {
		return "2xx/3xx"
	}
	var b strings.Builder
	for i, c := range codes {
		switch {
		case i == 0:
		case i == len(codes)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(c))
	}
	return b.String()
}

// scanBufs holds the chunk buffers bodies are searched and drained with, so
// that a probe allocates no buffer of its own.
var scanBufs = sync.Pool{New: func() any { b := make([]byte, scanBufSize); return &b }}

// scan searches the first limit bytes of r for needle, a chunk at a time,
// carrying the last len(needle)-1 bytes over so that a match across two
// chunks is found. over reports a body longer than limit without a match.
func scan(r io.Reader, needle []byte, limit int64) (found, over bool, err error) {
	bp := scanBufs.Get().(*[]byte)
	defer scanBufs.Put(bp)
	buf := *bp
	keep := 0
	var total int64
	for {
		room := buf[keep:]
		if rem := limit - total; int64(len(room)) > rem {
			room = room[:rem]
		}
		if len(room) == 0 {
			// The limit is reached: is there more?
			n, err := io.ReadFull(r, buf[keep:keep+1])
			if err == io.EOF {
				err = nil
			}
			return false, n > 0, err
		}
		n, err := r.Read(room)
		total += int64(n)
		window := buf[:keep+n]
		if bytes.Contains(window, needle) {
			return true, false, nil
		}
		k := min(len(needle)-1, len(window))
		copy(buf, window[len(window)-k:])
		keep = k
		if err == io.EOF {
			return false, false, nil
		}
		if err != nil {
			return false, false, err
		}
	}
}

// drain reads up to drainLimit of what is left of a body, so that a
// keep-alive connection can be reused.
func drain(r io.Reader) {
	bp := scanBufs.Get().(*[]byte)
	defer scanBufs.Put(bp)
	buf := *bp
	for n := 0; n < drainLimit; {
		m, err := r.Read(buf)
		n += m
		if err != nil {
			return
		}
	}
}
