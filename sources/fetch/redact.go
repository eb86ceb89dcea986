package fetch

import (
	"net/url"
	"strings"
)

// Redacted replaces what Redact hides.
const Redacted = "REDACTED"

// Redact hides what a URL may carry that must not reach a log line, an
// error or a chat message, and keeps what says where it points: the
// scheme, the host and the shape of the path. It replaces userinfo, every
// query value, the fragment, and each path segment that looks like a
// secret (see secretSegment) with REDACTED:
// https://hooks.example.com/services/REDACTED/REDACTED?token=REDACTED.
// Webhook and feed URLs put their secrets in all of these places, and query
// names alone do not tell which values are secret.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	var b strings.Builder
	if u.Scheme != "" {
		b.WriteString(u.Scheme)
		b.WriteByte(':')
	}
	if u.Opaque != "" {
		// mailto:x or host:port read as scheme:opaque: nothing to keep.
		b.WriteString(Redacted)
	}
	if u.Host != "" || u.User != nil {
		b.WriteString("//")
		if u.User != nil {
			// A user name alone is often a token (https://TOKEN@host/).
			b.WriteString(Redacted + "@")
		}
		b.WriteString(u.Host)
	}
	for i, seg := range strings.Split(u.EscapedPath(), "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		if secretSegment(seg) {
			seg = Redacted
		}
		b.WriteString(seg)
	}
	if u.ForceQuery || u.RawQuery != "" {
		b.WriteByte('?')
	}
	if u.RawQuery != "" {
		for i, part := range strings.Split(u.RawQuery, "&") {
			if i > 0 {
				b.WriteByte('&')
			}
			name, _, hasValue := strings.Cut(part, "=")
			switch {
			case hasValue:
				b.WriteString(name + "=" + Redacted)
			case part != "":
				// A bare word may be the secret itself (?s3cr3t).
				b.WriteString(Redacted)
			}
		}
	}
	if u.Fragment != "" {
		b.WriteString("#" + Redacted)
	}
	return b.String()
}

// secretSegment reports whether a path segment (as escaped in the URL)
// looks like a token rather than a word a person chose: a UUID, a long
// run of hex, a long number (a Discord webhook id), or a run of letters
// and digits like T0123ABCD or a base64 token. Words, versions (v2), dates
// and file names (summary.json, history.atom) are kept.
func secretSegment(seg string) bool {
	if s, err := url.PathUnescape(seg); err == nil {
		seg = s
	}
	if len(seg) < 8 {
		return false
	}
	var digits, lower, upper, hex, other int
	for _, c := range []byte(seg) {
		switch {
		case c >= '0' && c <= '9':
			digits++
			hex++
		case c >= 'a' && c <= 'z':
			lower++
			if c <= 'f' {
				hex++
			}
		case c >= 'A' && c <= 'Z':
			upper++
			if c <= 'F' {
				hex++
			}
		case c == '-' || c == '_' || c == '.' || c == '=' || c == '+' || c == '~':
			other++
		default:
			// Characters no token alphabet uses: a phrase, not a secret.
			return false
		}
	}
	letters := lower + upper
	switch {
	case isUUID(seg):
		return true
	case hex == len(seg) && len(seg) >= 16:
		return true
	case digits == len(seg) && len(seg) >= 10:
		return true
	case letters > 0 && digits >= 3:
		return true
	case len(seg) >= 20 && (other == 0 || lower > 0 && upper > 0):
		return true
	case len(seg) >= 32 && other < len(seg)/4:
		return true
	}
	return false
}

// isUUID reports whether s holds a UUID: 8-4-4-4-12 hex digits.
func isUUID(s string) bool {
	groups := []int{8, 4, 4, 4, 12}
	for start := 0; start+36 <= len(s); start++ {
		i, ok := start, true
		for g, n := range groups {
			if g > 0 {
				if s[i] != '-' {
					ok = false
					break
				}
				i++
			}
			for end := i + n; i < end; i++ {
				if !isHex(s[i]) {
					ok = false
					break
				}
			}
			if !ok {
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
