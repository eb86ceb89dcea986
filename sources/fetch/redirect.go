package fetch

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Redirects says which redirects a request follows.
type Redirects string

// Redirect policies (the values of a target's follow_redirects).
const (
	// SameHost follows redirects that stay on the first request's scheme,
	// host and port, and refuses the others. It is the default: a
	// redirect elsewhere would carry a probe's configured headers to a
	// host nobody configured, and would make a feed report what another
	// host says.
	SameHost Redirects = "same-host"
	// AnyHost follows every redirect, but configured headers are sent only
	// to the configured scheme, host and port.
	AnyHost Redirects = "any"
	// NoRedirects follows none: the 3xx answer itself is the result.
	NoRedirects Redirects = "none"
)

// Policies lists the valid Redirects values, the default first.
var Policies = []Redirects{SameHost, AnyHost, NoRedirects}

// ErrRedirectRefused is the cause of a RedirectError.
var ErrRedirectRefused = errors.New("redirect to another host refused")

// RedirectError is a redirect the policy refused.
type RedirectError struct {
	// To is where the redirect pointed, redacted.
	To string
	// Differs says how it left the origin: "another host", "another port"
	// or "another scheme".
	Differs string
}

func (e *RedirectError) Error() string {
	return "redirected to " + e.To + ": " + e.Differs + ", not followed (follow_redirects = \"any\" would follow it)"
}

func (e *RedirectError) Unwrap() error { return ErrRedirectRefused }

// Origin is a URL's scheme, host and port, the unit a redirect policy and
// configured headers are bound to: "https://example.com:443".
func Origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(strings.TrimSuffix(u.Hostname(), ".")), port)
}

// CheckRedirectFor returns the http.Client CheckRedirect of policy. Every
// policy stops after MaxRedirects. When a followed redirect leaves the
// first request's origin, the headers named in private are removed from
// it: they belong to the configured host only. (net/http keeps custom
// headers on a redirect to another host; it drops only Authorization,
// WWW-Authenticate and Cookie, and only outside the original domain.)
func CheckRedirectFor(policy Redirects, private []string) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if policy == NoRedirects {
			return http.ErrUseLastResponse
		}
		if len(via) > MaxRedirects {
			return ErrTooManyRedirects
		}
		if Origin(req.URL) == Origin(via[0].URL) {
			return nil
		}
		if policy != AnyHost {
			return &RedirectError{To: Redact(req.URL.String()), Differs: differs(via[0].URL, req.URL)}
		}
		for _, h := range private {
			req.Header.Del(h)
		}
		return nil
	}
}

// differs says which part of the origin changed from a to b.
func differs(a, b *url.URL) string {
	switch {
	case !strings.EqualFold(strings.TrimSuffix(a.Hostname(), "."), strings.TrimSuffix(b.Hostname(), ".")):
		return "another host"
	case !strings.EqualFold(a.Scheme, b.Scheme):
		return "another scheme"
	}
	return "another port"
}

// redirectNote says where a 3xx answer that was not followed pointed:
// ", redirected to https://example.com/next". It is empty when the answer
// has no Location.
func redirectNote(resp *http.Response) string {
	loc := resp.Header.Get("Location")
	if loc == "" {
		return ""
	}
	to, err := resp.Request.URL.Parse(loc)
	if err != nil {
		return ", redirected to an unparsable Location"
	}
	return ", redirected to " + Redact(to.String())
}

// Valid reports whether p names a policy ("" is the default).
func (p Redirects) Valid() bool {
	if p == "" {
		return true
	}
	for _, q := range Policies {
		if p == q {
			return true
		}
	}
	return false
}

// PolicyList is `"same-host", "any" or "none"`, for messages.
func PolicyList() string {
	var b strings.Builder
	for i, p := range Policies {
		switch {
		case i == 0:
		case i == len(Policies)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(string(p)))
	}
	return b.String()
}
