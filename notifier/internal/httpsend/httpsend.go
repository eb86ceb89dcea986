// Package httpsend makes the one HTTP POST that the webhook-style notifiers
// (generic webhook, Microsoft Teams, PagerDuty) share, and sorts its outcome
// for the dispatcher: retry later (a 5xx, 408, a network failure, an answer
// lost), retry after the wait the service asked for (429, Retry-After), or
// stop (any other 4xx). Nothing it returns holds a URL or a secret.
package httpsend

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/outagebot/outagebot/notifier"
)

// maxAnswer bounds how much of an answer is read: enough for any error
// message worth showing, little enough that a hostile server cannot hold
// much memory.
const maxAnswer = 64 << 10

// maxRetryAfter bounds a Retry-After: a server asking for days is treated
// as asking for an hour, after which the dispatcher asks again.
const maxRetryAfter = time.Hour

// maxErrorText bounds the service's own words in an error.
const maxErrorText = 300

// Request is one POST.
type Request struct {
	// Service names the destination in errors: "webhook", "teams".
	Service string
	URL     string
	Body    []byte
	Header  http.Header
	// Secrets are redacted from every error (the URL is always).
	Secrets []string
	// DefaultRetryAfter is the wait after a 429 that says none (the
	// service's documented advice); zero means 5s.
	DefaultRetryAfter time.Duration
	// Refused, if set, says what an operator should do about a refusing
	// 4xx (other than 408 and 429), and whether the message itself is at
	// fault (Rejected: give it up and move on) rather than the destination
	// (wait until someone fixes it). message is the service's text.
	Refused func(status int, message string) (fix string, rejected bool)
	// Message, if set, extracts the service's error text from an answer's
	// body; default: the body's first line.
	Message func(body []byte) string
}

// Response is a 2xx answer.
type Response struct {
	Status int
	Body   []byte
}

// StatusError is a non-2xx answer. Its text holds no secret.
type StatusError struct {
	Service string
	Status  int
	Message string
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s: HTTP %d", e.Service, e.Status)
	if t := http.StatusText(e.Status); t != "" {
		s += " " + t
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// transportError is a failure before an answer came (or while it came).
// Its text is redacted; it unwraps to the cause so that
// errors.Is(err, context.DeadlineExceeded) holds.
type transportError struct {
	msg string
	err error
}

func (e *transportError) Error() string { return e.msg }
func (e *transportError) Unwrap() error { return e.err }

// Post sends r with client (nil: http.DefaultClient) and classifies the
// outcome. now dates an HTTP-date Retry-After (nil: time.Now).
func Post(ctx context.Context, client *http.Client, r Request, now func() time.Time) (Response, error) {
	if client == nil {
		client = http.DefaultClient
	}
	if now == nil {
		now = time.Now
	}
	secrets := append([]string{r.URL}, r.Secrets...)
	if u, err := url.Parse(r.URL); err == nil {
		// The path and query of a webhook URL are its credential; they
		// are redacted wherever they show up without the host.
		if u.RawQuery != "" {
			secrets = append(secrets, u.RawQuery)
			// A workflow URL's sig= alone is enough to post.
			for _, vs := range u.Query() {
				for _, v := range vs {
					if len(v) >= 8 {
						secrets = append(secrets, v)
					}
				}
			}
		}
		if u.Path != "" && u.Path != "/" {
			secrets = append(secrets, u.Path)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return Response{}, &notifier.PermanentError{Err: fmt.Errorf("%s: the URL does not make a request", r.Service), Fix: "check the channel's url"}
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "outagebot")
	}
	resp, err := client.Do(req)
	if err != nil {
		return Response{}, transport(r.Service, "request failed", err, secrets)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	// Read the rest so the connection can be reused; bounded too.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode/100 == 2 {
		// A 2xx whose body was cut short still says the service took the
		// message: what the body says is not needed to know that.
		return Response{Status: resp.StatusCode, Body: body}, nil
	}
	if err != nil && len(body) == 0 {
		return Response{}, transport(r.Service, "answer lost", err, secrets)
	}
	msg := ""
	if r.Message != nil {
		msg = r.Message(body)
	} else {
		msg, _, _ = strings.Cut(strings.TrimSpace(string(body)), "\n")
	}
	se := &StatusError{Service: r.Service, Status: resp.StatusCode, Message: clip(redact(msg, secrets))}
	after, hasAfter := RetryAfter(resp.Header.Get("Retry-After"), now())
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests:
		if !hasAfter {
			after = r.DefaultRetryAfter
			if after <= 0 {
				after = 5 * time.Second
			}
		}
		return Response{}, &notifier.RetryAfterError{Err: se, After: after}
	case code == http.StatusRequestTimeout || code >= 500 || code < 400:
		// A 3xx is not followed for a POST that may carry a secret
		// elsewhere; it is retried like a server error, so that fixing
		// the URL lets the message through.
		if hasAfter {
			return Response{}, &notifier.RetryAfterError{Err: se, After: after}
		}
		return Response{}, se
	default:
		fix, rejected := "", false
		if r.Refused != nil {
			fix, rejected = r.Refused(code, se.Message)
		}
		return Response{}, &notifier.PermanentError{Err: se, Fix: fix, Rejected: rejected}
	}
}

// RetryAfter reads a Retry-After header: delay-seconds or an HTTP-date
// (RFC 9110, section 10.2.3). A date in the past asks for no wait.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		d = time.Duration(n * float64(time.Second))
	} else if t, err := http.ParseTime(v); err == nil {
		d = max(t.Sub(now), 0)
	} else {
		return 0, false
	}
	return min(d, maxRetryAfter), true
}

func transport(service, what string, err error, secrets []string) error {
	inner := err
	var ue *url.Error
	if errors.As(err, &ue) {
		// url.Error's text holds the URL, and so the webhook's secret.
		inner = ue.Err
	}
	var ne net.Error
	switch {
	case errors.Is(inner, context.DeadlineExceeded), errors.As(inner, &ne) && ne.Timeout():
		what = "timed out"
	case errors.Is(inner, context.Canceled):
		what = "cancelled"
	case errors.Is(inner, io.EOF), errors.Is(inner, io.ErrUnexpectedEOF):
		what = "connection closed before the answer (the message may have arrived)"
	}
	return &transportError{msg: clip(redact(fmt.Sprintf("%s: %s: %v", service, what, inner), secrets)), err: inner}
}

func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[REDACTED]")
		}
	}
	return s
}

func clip(s string) string {
	if r := []rune(s); len(r) > maxErrorText {
		return string(r[:maxErrorText]) + "…"
	}
	return s
}
