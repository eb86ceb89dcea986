// Package fetch is the HTTP client that vendor feeds share: conditional GETs,
// a bounded body, tuned timeouts and errors that say what went wrong in words
// an operator can act on.
package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Defaults.
const (
	// DefaultMaxBody bounds a response body when Options.MaxBody is 0.
	DefaultMaxBody int64 = 5 << 20
	// DefaultTimeout bounds a request whose context has no deadline.
	DefaultTimeout = 30 * time.Second
	// MaxRedirects is how many redirects a request follows before it gives
	// up.
	MaxRedirects = 5
	// ProjectURL is named in the User-Agent so that a vendor who sees our
	// traffic can find out what it is.
	ProjectURL = "https://github.com/outagebot/outagebot"

	// drainLimit bounds how much of an unwanted body is read so that the
	// connection can be reused; longer bodies cost a new connection instead.
	drainLimit = 64 << 10
)

// Sentinel causes, for errors.Is on the errors Get returns.
var (
	ErrTooLarge         = errors.New("response body too large")
	ErrHTML             = errors.New("HTML instead of JSON")
	ErrTooManyRedirects = errors.New("too many redirects")
	ErrStatus           = errors.New("unexpected HTTP status")
)

// UserAgent is the User-Agent outagebot sends:
// "outagebot/<version> (+https://github.com/outagebot/outagebot)".
func UserAgent(version string) string {
	if version == "" {
		version = "dev"
	}
	return "outagebot/" + version + " (+" + ProjectURL + ")"
}

// Options configure a Client. The zero value is usable.
type Options struct {
	// UserAgent is sent verbatim when set; otherwise the User-Agent is
	// UserAgent(Version).
	UserAgent string
	// Version is outagebot's version, for the default User-Agent.
	Version string
	// MaxBody bounds a response body (DefaultMaxBody when 0).
	MaxBody int64
	// Timeout bounds a request whose context has no deadline
	// (DefaultTimeout when 0). A context deadline always wins.
	Timeout time.Duration
	// Transport replaces the tuned default transport (tests).
	Transport http.RoundTripper
	// BodyBudget bounds the bytes all bodies being read through the Client
	// hold at once (DefaultBodyBudget when 0; never less than MaxBody).
	BodyBudget int64
	// Redirects is the redirect policy (SameHost when empty); see
	// Client.WithRedirects for one target's own.
	Redirects Redirects
}

// Client fetches feeds. It is safe for concurrent use; connections are kept
// alive and shared by every feed that uses the same Client.
type Client struct {
	hc      *http.Client
	ua      string
	maxBody int64
	timeout time.Duration
	budget  *budget
}

// Validators are a response's cache validators, kept by the caller between
// requests to the same URL to make the next request conditional. One
// Validators value belongs to one URL polled by one goroutine at a time; Get
// changes it only after a complete 2xx answer.
type Validators struct {
	ETag         string
	LastModified string
}

// Empty reports whether there is nothing to send a conditional request with.
func (v *Validators) Empty() bool { return v == nil || (v.ETag == "" && v.LastModified == "") }

// New builds a Client.
func New(opts Options) *Client {
	c := &Client{
		ua:      opts.UserAgent,
		maxBody: opts.MaxBody,
		timeout: opts.Timeout,
	}
	if c.ua == "" {
		c.ua = UserAgent(opts.Version)
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBody
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	size := opts.BodyBudget
	if size <= 0 {
		size = DefaultBodyBudget
	}
	c.budget = newBudget(max(size, c.maxBody+1))
	rt := opts.Transport
	if rt == nil {
		rt = NewTransport()
	}
	c.hc = &http.Client{Transport: rt, CheckRedirect: CheckRedirectFor(opts.Redirects, nil)}
	return c
}

// WithRedirects returns a Client that shares c's connections and body
// budget but follows
// redirects by policy (SameHost when empty).
func (c *Client) WithRedirects(policy Redirects) *Client {
	cp := *c
	cp.hc = &http.Client{Transport: c.hc.Transport, CheckRedirect: CheckRedirectFor(policy, nil)}
	return &cp
}

// NewTransport returns the tuned transport feeds and probes start from:
// 5 s to dial, 5 s for the TLS handshake, 10 s for the response headers,
// keep-alives on with a modest idle pool, HTTP/2 allowed.
func NewTransport() *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
	}
}

// Error is what Get returns: the request, a sentence saying what went wrong,
// and the cause (a sentinel above, a context error or a network error).
type Error struct {
	Method string
	URL    string // redacted (see Redact)
	// StatusCode is the HTTP status when the server answered, else 0.
	StatusCode int
	// RetryAfter is the server's Retry-After on a 429 or 503, if any.
	RetryAfter time.Duration
	Msg        string
	Err        error
}

func (e *Error) Error() string { return e.Method + " " + e.URL + ": " + e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// Get fetches url. When cache holds validators the request is conditional
// and a 304 answer returns notModified=true with a nil body; a 2xx answer
// stores the new validators in cache. accept is sent as the Accept header;
// when it names JSON, an HTML answer is an error. Every error is an *Error.
func (c *Client) Get(ctx context.Context, url string, cache *Validators, accept string) (body []byte, notModified bool, err error) {
	return c.get(ctx, url, cache, accept, nil)
}

// GetTyped is Get that also returns the answer's Content-Type, for formats
// whose bytes cannot be read without the charset it names.
func (c *Client) GetTyped(ctx context.Context, url string, cache *Validators, accept string) (body []byte, contentType string, notModified bool, err error) {
	body, notModified, err = c.get(ctx, url, cache, accept, &contentType)
	return body, contentType, notModified, err
}

func (c *Client) get(ctx context.Context, url string, cache *Validators, accept string, contentType *string) (body []byte, notModified bool, err error) {
	start := time.Now()
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	deadline, _ := ctx.Deadline()
	budget := deadline.Sub(start)

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, false, &Error{Method: "GET", URL: Redact(url), Msg: "bad URL: " + unwrapURLError(err).Error(), Err: err}
	}
	req.Header.Set("User-Agent", c.ua)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	conditional := !cache.Empty()
	if conditional {
		if cache.ETag != "" {
			req.Header.Set("If-None-Match", cache.ETag)
		}
		if cache.LastModified != "" {
			req.Header.Set("If-Modified-Since", cache.LastModified)
		}
	}
	fail := func(msg string, cause error) error {
		return &Error{Method: "GET", URL: Redact(url), Msg: msg, Err: cause}
	}

	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, false, fail(Describe(ctx, err, budget))
	}
	defer func() {
		// Drain what is small enough to keep the connection; a body that is
		// too large is cheaper to abandon with its connection.
		if notModified || (err != nil && !errors.Is(err, ErrTooLarge)) {
			drain(resp.Body)
		}
		resp.Body.Close()
	}()

	switch code := resp.StatusCode; {
	case code == http.StatusNotModified:
		if !conditional {
			return nil, false, fail("HTTP 304 Not Modified to a request that was not conditional", ErrStatus)
		}
		return nil, true, nil
	case code < 200 || code > 299:
		msg := "HTTP " + statusText(resp)
		if code >= 300 && code <= 399 {
			msg += redirectNote(resp)
		}
		e := fail(msg, ErrStatus).(*Error)
		e.StatusCode = code
		if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
			e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
		return nil, false, e
	}

	wantJSON := strings.Contains(accept, "json")
	if wantJSON && isHTML(resp.Header.Get("Content-Type")) {
		return nil, false, fail(htmlMsg, ErrHTML)
	}
	if resp.ContentLength > c.maxBody {
		return nil, false, fail(tooLargeMsg(c.maxBody), ErrTooLarge)
	}
	body, held, err := readBudgeted(ctx, c.budget, resp.Body, resp.ContentLength, c.maxBody)
	// The bytes go back to the pool now: a body that is returned is parsed
	// and dropped by its source straight away, and one that failed is
	// garbage already.
	defer c.budget.give(held)
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return nil, false, fail(tooLargeMsg(c.maxBody), ErrTooLarge)
		}
		msg, cause := Describe(ctx, err, budget)
		return nil, false, fail("reading the body: "+msg, cause)
	}
	if wantJSON && startsWithTag(body) {
		return nil, false, fail(htmlMsg, ErrHTML)
	}
	if cache != nil {
		cache.ETag = resp.Header.Get("ETag")
		cache.LastModified = resp.Header.Get("Last-Modified")
	}
	if contentType != nil {
		*contentType = resp.Header.Get("Content-Type")
	}
	return body, false, nil
}

const htmlMsg = "got an HTML page instead of JSON (an error or login page?)"

func tooLargeMsg(limit int64) string {
	return "response body exceeds the " + FormatSize(limit) + " limit"
}

// statusText is "503 Service Unavailable", whatever reason phrase (or none)
// the server sent.
func statusText(resp *http.Response) string {
	code := resp.StatusCode
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	if s := strings.TrimSpace(resp.Status); s != "" {
		return s
	}
	return fmt.Sprint(code)
}

func isHTML(contentType string) bool {
	if contentType == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return strings.HasPrefix(strings.ToLower(strings.TrimSpace(contentType)), "text/html")
	}
	return mt == "text/html" || mt == "application/xhtml+xml"
}

func startsWithTag(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case 0xEF: // UTF-8 byte order mark
			continue
		case 0xBB, 0xBF:
			continue
		}
		return c == '<'
	}
	return false
}

// ReadBody reads r to the end, but never more than limit+1 bytes: a longer
// body is ErrTooLarge. contentLength (-1 when unknown) sizes the buffer. It
// is Get's reading with a budget of its own.
func ReadBody(r io.Reader, contentLength, limit int64) ([]byte, error) {
	body, _, err := readBudgeted(context.Background(), newBudget(2*(limit+1)), r, contentLength, limit)
	return body, err
}

// drain reads what is left of an unwanted body, up to a bound, so that the
// connection can go back to the pool.
func drain(body io.Reader) {
	_, _ = io.CopyN(io.Discard, body, drainLimit)
}

// Describe turns a request error into a short sentence and the cause to wrap:
// "timed out after 10s", "connection refused", "stopped after 5 redirects
// (a redirect loop?)". budget is the time the request was given.
func Describe(ctx context.Context, err error, budget time.Duration) (string, error) {
	err = unwrapURLError(err)
	var (
		redirErr *RedirectError
		dnsErr   *net.DNSError
		opErr    *net.OpError
		netErr   net.Error
		certErr  *tls.CertificateVerificationError
		recErr   tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &redirErr):
		return redirErr.Error(), err
	case errors.Is(err, ErrTooManyRedirects):
		return fmt.Sprintf("stopped after %d redirects (a redirect loop?)", MaxRedirects), ErrTooManyRedirects
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		if errors.As(err, &opErr) && opErr.Op == "dial" {
			// Keep that it was the connect that timed out: it tells our
			// own network's trouble from a slow server's.
			return "timed out after " + FormatDuration(budget), errors.Join(context.DeadlineExceeded, opErr)
		}
		return "timed out after " + FormatDuration(budget), context.DeadlineExceeded
	case errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled):
		return "canceled", context.Canceled
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return "DNS: no such host " + dnsErr.Name, err
		}
		return "DNS: " + dnsErr.Err + " looking up " + dnsErr.Name, err
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused", err
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the server", err
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed before the response was complete", err
	case errors.Is(err, io.EOF):
		return "connection closed without a response", err
	case errors.As(err, &certErr):
		return "TLS: " + certErr.Err.Error(), err
	case errors.As(err, &recErr):
		return "TLS handshake failed: the server did not answer with TLS (plain HTTP?)", err
	case errors.As(err, &opErr) && opErr.Op == "dial":
		if opErr.Timeout() {
			return "connect timed out", err
		}
		return "connect: " + opErr.Err.Error(), err
	case errors.As(err, &netErr) && netErr.Timeout():
		return strings.TrimPrefix(err.Error(), "net/http: "), err
	}
	return err.Error(), err
}

// unwrapURLError strips the *url.Error wrapper, whose text repeats the
// method and the (unredacted) URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	for errors.As(err, &ue) {
		err = ue.Err
	}
	return err
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// FormatSize writes a byte count the way limits are read: "5.0 MiB",
// "512.0 KiB", "900 B".
func FormatSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

// FormatDuration rounds a duration for a message: "10s", "1.2s", "250ms".
func FormatDuration(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		d = d.Round(time.Second)
	case d >= time.Second:
		d = d.Round(100 * time.Millisecond)
	case d >= time.Millisecond:
		d = d.Round(time.Millisecond)
	}
	return d.String()
}
