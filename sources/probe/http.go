package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
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
	// keptBodyBuf is the largest body buffer kept for the next probe; a
	// larger one (a big JSON document) is left to the garbage collector.
	keptBodyBuf = 256 << 10
	// maxValueText bounds a JSON value quoted in a Detail.
	maxValueText = 64
)

// Shared transport sizing (see NewSharedTransport).
const (
	// SharedMaxIdleConns bounds the idle connections kept across all hosts
	// (each holds read and write buffers, TLS state and two goroutines:
	// tens of KiB, not measured here). Past it the least recently used
	// connection is closed, and its host's next probe resumes its TLS
	// session from the session cache instead of a full handshake.
	SharedMaxIdleConns = 1024
	// SharedMaxIdleConnsPerHost is small: each target is polled by one
	// worker at a time, so a host needs one idle connection per target.
	SharedMaxIdleConnsPerHost = 2
	// SharedIdleConnTimeout keeps a connection across polls a minute apart.
	SharedIdleConnTimeout = 90 * time.Second
	// SharedTLSSessions is the TLS session cache's size, in hosts.
	SharedTLSSessions = 4096
)

// NewSharedTransport returns the transport an application's HTTP probes
// should share: create one and pass it as HTTPConfig.Transport to every
// probe. Connections are kept alive between polls (idle ones for
// SharedIdleConnTimeout, at most SharedMaxIdleConnsPerHost per host), and
// TLS sessions are cached so that a new connection to a known host resumes
// its session instead of a full handshake. Probes with FreshConnection or
// InsecureSkipVerify never use it: they build their own.
func NewSharedTransport() *http.Transport {
	t := fetch.NewTransport()
	t.MaxIdleConns = SharedMaxIdleConns
	t.MaxIdleConnsPerHost = SharedMaxIdleConnsPerHost
	t.IdleConnTimeout = SharedIdleConnTimeout
	t.TLSClientConfig = &tls.Config{ClientSessionCache: tls.NewLRUClientSessionCache(SharedTLSSessions)}
	return t
}

// HTTPConfig configures an HTTP probe.
type HTTPConfig struct {
	// Name is the component's name (the target's name).
	Name string
	URL  string
	// Method is GET when empty.
	Method string
	// ExpectStatus lists the acceptable status codes; empty accepts any
	// 2xx or 3xx. Redirects are followed (up to fetch.MaxRedirects) as
	// FollowRedirects allows, and the final status is judged.
	ExpectStatus []int
	// BodyContains, when set, must appear in the first MaxBody bytes of the
	// body. Only then is the body read.
	BodyContains string
	// BodyRegex, when set, must match within the first MaxBody bytes of the
	// body (Go regexp syntax, compiled by NewHTTP).
	BodyRegex string
	// JSONPath, when set, names a value in a JSON body, as dotted keys and
	// array indexes: "status.indicator", "checks.0.state". The value must
	// exist and, when JSONEquals is set, have that string form: a string's
	// text, a number as written (or any number equal to it: "1" matches
	// 1.0), true, false, null, or an object or array as compact JSON. The
	// body must fit in MaxBody.
	JSONPath   string
	JSONEquals string
	// FollowRedirects is the redirect policy, fetch.SameHost when empty:
	// a redirect to another scheme, host or port fails the check, saying
	// where it pointed. fetch.AnyHost follows it, without Headers, which
	// go only to the configured URL's scheme, host and port.
	// fetch.NoRedirects judges a 3xx answer itself by ExpectStatus.
	FollowRedirects fetch.Redirects
	// InsecureSkipVerify turns off TLS certificate verification (the
	// probe then checks only that the service answers). Such a probe uses
	// its own transport.
	InsecureSkipVerify bool
	// Retries is how many more times a failed attempt is tried within one
	// poll (0 to MaxRetries); see the package documentation.
	Retries int
	// DegradedLatency reports a passing check that took longer as degraded
	// (0: never).
	DegradedLatency time.Duration
	Headers         map[string]string
	// FreshConnection opens a new connection (and full TLS handshake) for
	// every probe, which proves that new clients can connect; such a probe
	// uses its own transport. Otherwise the probe keeps its connection alive
	// between polls, which is much cheaper.
	FreshConnection bool
	// UserAgent defaults to fetch.UserAgent("").
	UserAgent string
	// MaxBody bounds how much body BodyContains searches
	// (fetch.DefaultMaxBody when 0).
	MaxBody int64
	// Timeout bounds a probe whose context has no deadline (DefaultTimeout
	// when 0). The scheduler's context deadline wins.
	Timeout time.Duration
	// Transport is the transport shared by the application's probes
	// (NewSharedTransport), or a test's. When nil the probe builds its own,
	// which keeps one idle connection: fine for a few probes, wasteful for
	// thousands. FreshConnection and InsecureSkipVerify probes ignore it.
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
	re         *regexp.Regexp
	jsonPath   []string // nil: no JSON check
	jsonText   string   // JSONPath as configured
	jsonEquals string
	jsonAny    bool // JSONEquals is empty: the path must only exist
	slow       time.Duration
	maxBody    int64
	timeout    time.Duration
	retries    int
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
	if method == http.MethodHead {
		for _, f := range []struct{ key, val string }{{"body_contains", cfg.BodyContains}, {"body_regex", cfg.BodyRegex}, {"json_path", cfg.JSONPath}} {
			if f.val != "" {
				return nil, fmt.Errorf("http probe %q: %s needs a method that returns a body, not HEAD", cfg.Name, f.key)
			}
		}
	}
	var re *regexp.Regexp
	if cfg.BodyRegex != "" {
		if re, err = regexp.Compile(cfg.BodyRegex); err != nil {
			return nil, fmt.Errorf("http probe %q: body_regex: %v", cfg.Name, err)
		}
	}
	var path []string
	switch {
	case cfg.JSONPath != "":
		if path, err = parseJSONPath(cfg.JSONPath); err != nil {
			return nil, fmt.Errorf("http probe %q: %v", cfg.Name, err)
		}
	case cfg.JSONEquals != "":
		return nil, fmt.Errorf("http probe %q: json_equals needs json_path", cfg.Name)
	}
	if err := checkRetries(cfg.Retries); err != nil {
		return nil, fmt.Errorf("http probe %q: %v", cfg.Name, err)
	}
	if len(cfg.BodyContains) > MaxBodyContains {
		return nil, fmt.Errorf("http probe %q: body_contains is %d bytes, at most %d", cfg.Name, len(cfg.BodyContains), MaxBodyContains)
	}
	if !cfg.FollowRedirects.Valid() {
		return nil, fmt.Errorf("http probe %q: follow_redirects %q must be %s", cfg.Name, cfg.FollowRedirects, fetch.PolicyList())
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
	var private []string
	for k, v := range cfg.Headers {
		if k == "" || strings.ContainsAny(k, "\r\n: ") || strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("http probe %q: header %q is not a valid header", cfg.Name, k)
		}
		if http.CanonicalHeaderKey(k) == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
		private = append(private, k)
	}

	rt := cfg.Transport
	if rt == nil || cfg.FreshConnection || cfg.InsecureSkipVerify {
		// A shared transport could hand a fresh probe another probe's idle
		// connection or cached TLS session, and must not skip verification
		// for others.
		t := fetch.NewTransport()
		// One target, polled sequentially: one idle connection (two for a
		// redirect to another host) is all it can use.
		t.MaxIdleConns = 2
		t.MaxIdleConnsPerHost = 1
		t.DisableKeepAlives = cfg.FreshConnection
		if cfg.InsecureSkipVerify {
			t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
		}
		rt = t
	}
	req.Close = cfg.FreshConnection

	p := &HTTP{
		name:       cfg.Name,
		tmpl:       req,
		client:     &http.Client{Transport: rt, CheckRedirect: fetch.CheckRedirectFor(cfg.FollowRedirects, private)},
		expect:     cfg.ExpectStatus,
		expectText: expectText(cfg.ExpectStatus),
		re:         re,
		jsonPath:   path,
		jsonText:   cfg.JSONPath,
		jsonEquals: cfg.JSONEquals,
		jsonAny:    cfg.JSONEquals == "",
		slow:       cfg.DegradedLatency,
		maxBody:    cfg.MaxBody,
		timeout:    cfg.Timeout,
		retries:    cfg.Retries,
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

// Poll runs the check, with its retries.
func (p *HTTP) Poll(ctx context.Context) (sources.Observation, error) {
	return poll(ctx, p.name, p, p.timeout, p.retries)
}

// attempt makes one request and judges the answer.
func (p *HTTP) attempt(ctx context.Context) outcome {
	start := time.Now()
	resp, err := p.client.Do(p.tmpl.WithContext(ctx))
	if err != nil {
		return outcome{status: sources.MajorOutage, detail: describe(ctx, err, start), latency: time.Since(start), network: sources.NetworkFailure(err)}
	}
	var expires time.Time
	if resp.TLS != nil {
		// Free to read: the handshake has the chain already.
		expires = earliestExpiry(resp.TLS)
	}
	status, detail, drained := p.check(ctx, resp, start)
	latency := time.Since(start)
	if !drained {
		drain(resp.Body)
	}
	resp.Body.Close()
	if status == sources.Operational && p.slow > 0 && latency > p.slow {
		status, detail = sources.Degraded, slowDetail(latency, p.slow)
	}
	return outcome{status: status, detail: detail, latency: latency, expires: expires}
}

// check judges the response; drained reports that the body was read to its
// end (or abandoned) already.
func (p *HTTP) check(ctx context.Context, resp *http.Response, start time.Time) (status sources.Status, detail string, drained bool) {
	if !p.statusOK(resp.StatusCode) {
		return sources.MajorOutage, "HTTP " + strconv.Itoa(resp.StatusCode) + ", expected " + p.expectText, false
	}
	if p.re != nil || p.jsonPath != nil {
		return p.checkBody(ctx, resp, start)
	}
	if p.needle == nil {
		return sources.Operational, "", false
	}
	found, over, err := scan(resp.Body, p.needle, p.maxBody)
	switch {
	case err != nil:
		return sources.MajorOutage, "reading the body: " + describe(ctx, err, start), true
	case found:
		return sources.Operational, "", false
	case over:
		return sources.MajorOutage, fmt.Sprintf("body does not contain %q within the %s limit", p.needle, fetch.FormatSize(p.maxBody)), true
	}
	return sources.MajorOutage, fmt.Sprintf("body does not contain %q", p.needle), true
}

// checkBody reads the body (up to maxBody) into a pooled buffer and runs
// the body checks on it: BodyContains, BodyRegex, then JSONPath.
func (p *HTTP) checkBody(ctx context.Context, resp *http.Response, start time.Time) (status sources.Status, detail string, drained bool) {
	buf := bodyBufs.Get().(*bytes.Buffer)
	defer putBodyBuf(buf)
	buf.Reset()
	if n := resp.ContentLength; n > 0 && n <= p.maxBody {
		buf.Grow(int(n) + 1)
	}
	lr := io.LimitedReader{R: resp.Body, N: p.maxBody + 1}
	if _, err := buf.ReadFrom(&lr); err != nil {
		return sources.MajorOutage, "reading the body: " + describe(ctx, err, start), true
	}
	body := buf.Bytes()
	over := int64(len(body)) > p.maxBody
	limitNote := ""
	if over {
		body = body[:p.maxBody]
		limitNote = " within the " + fetch.FormatSize(p.maxBody) + " limit"
	}
	if p.needle != nil && !bytes.Contains(body, p.needle) {
		return sources.MajorOutage, fmt.Sprintf("body does not contain %q", p.needle) + limitNote, true
	}
	if p.re != nil && !p.re.Match(body) {
		return sources.MajorOutage, fmt.Sprintf("body does not match %q", p.re.String()) + limitNote, true
	}
	if p.jsonPath != nil {
		if over {
			return sources.MajorOutage, "JSON body is larger than the " + fetch.FormatSize(p.maxBody) + " limit", true
		}
		if d := p.checkJSON(body); d != "" {
			return sources.MajorOutage, d, true
		}
	}
	return sources.Operational, "", true
}

// checkJSON decodes body and checks the value at jsonPath; it returns why
// the check failed, or "".
func (p *HTTP) checkJSON(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return "body is empty, expected JSON"
		}
		return "body is not JSON: " + err.Error()
	}
	v, why := walkJSON(doc, p.jsonPath)
	if why != "" {
		return "JSON path " + p.jsonText + " not found (" + why + ")"
	}
	if p.jsonAny {
		return ""
	}
	got := jsonString(v)
	if got == p.jsonEquals || numbersEqual(v, p.jsonEquals) {
		return ""
	}
	return p.jsonText + " is " + quoteValue(v, got) + ", expected " + strconv.Quote(p.jsonEquals)
}

// parseJSONPath splits a dotted path ("checks.0.state") into its segments.
func parseJSONPath(path string) ([]string, error) {
	segs := strings.Split(path, ".")
	for _, s := range segs {
		if s == "" {
			return nil, fmt.Errorf("json_path %q has an empty segment (write keys and indexes as a.b.0.c)", path)
		}
	}
	return segs, nil
}

// walkJSON follows path through a document decoded by encoding/json (with
// UseNumber). It returns the value, or why it is missing.
func walkJSON(v any, path []string) (any, string) {
	for i, seg := range path {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[seg]
			if !ok {
				return nil, pathName(path[:i]) + " has no key " + strconv.Quote(seg)
			}
			v = next
		case []any:
			n, err := strconv.Atoi(seg)
			if err != nil || n < 0 {
				return nil, pathName(path[:i]) + " is an array, and " + strconv.Quote(seg) + " is not an index"
			}
			if n >= len(x) {
				return nil, pathName(path[:i]) + " has " + plural(len(x), "item")
			}
			v = x[n]
		default:
			return nil, pathName(path[:i]) + " is " + jsonKind(v)
		}
	}
	return v, ""
}

// pathName names a path prefix in a Detail.
func pathName(prefix []string) string {
	if len(prefix) == 0 {
		return "the body"
	}
	return strings.Join(prefix, ".")
}

// jsonKind names the type of a decoded JSON value.
func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}

// jsonString is the string form a value is compared in (see JSONPath).
func jsonString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// numbersEqual reports whether v is a number equal to want ("1" and 1.0).
func numbersEqual(v any, want string) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	a, err1 := n.Float64()
	b, err2 := strconv.ParseFloat(strings.TrimSpace(want), 64)
	return err1 == nil && err2 == nil && a == b
}

// quoteValue writes a found value for a Detail: strings quoted, the rest
// as JSON, shortened.
func quoteValue(v any, s string) string {
	if r := []rune(s); len(r) > maxValueText {
		s = string(r[:maxValueText]) + "..."
	}
	if _, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return s
}

// bodyBufs holds the buffers whole bodies are read into for BodyRegex and
// JSONPath.
var bodyBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putBodyBuf(b *bytes.Buffer) {
	if b.Cap() <= keptBodyBuf {
		bodyBufs.Put(b)
	}
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
