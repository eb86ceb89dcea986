package awshealth

import (
	"errors"
	"fmt"
	"mime"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrCharset is the cause of a body whose bytes are not text in any
// encoding outagebot can read.
var ErrCharset = errors.New("unreadable character encoding")

// Text encodings a body can be in.
const (
	encUTF8    = "UTF-8"
	encUTF16LE = "UTF-16LE"
	encUTF16BE = "UTF-16BE"
	encLatin1  = "ISO-8859-1"
)

// decodeText returns body as UTF-8. AWS serves the Health Dashboard's JSON as
// UTF-16 with a byte order mark (and has labelled it "charset=utf-16" while
// sending UTF-8 elsewhere), so the bytes decide before the label does:
//
//  1. a byte order mark (UTF-8, UTF-16LE, UTF-16BE) wins;
//  2. otherwise a JSON text starts with an ASCII character, so a zero byte in
//     one of its first two positions gives UTF-16 away and its byte order
//     (RFC 4627, section 3);
//  3. otherwise the charset of contentType is used;
//  4. otherwise the body is UTF-8 (RFC 8259).
func decodeText(body []byte, contentType string) ([]byte, error) {
	enc, skip := sniff(body)
	if enc == "" {
		enc = labelled(contentType)
	}
	body = body[skip:]
	switch enc {
	case encUTF16LE, encUTF16BE:
		return fromUTF16(body, enc)
	case encLatin1:
		return fromLatin1(body), nil
	case "", encUTF8:
		return body, nil
	}
	// A label outagebot does not know: the bytes may still be plain UTF-8
	// (labels are often wrong), else say which label it was.
	if utf8.Valid(body) {
		return body, nil
	}
	return nil, fmt.Errorf("%w: the body is neither UTF-8 nor UTF-16 and its charset %q is not supported", ErrCharset, enc)
}

// sniff reads the encoding from the bytes alone: the encoding and the
// length of its byte order mark, or "" when the bytes do not say.
func sniff(b []byte) (enc string, bom int) {
	switch {
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		return encUTF8, 3
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
		return encUTF16LE, 2
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		return encUTF16BE, 2
	case len(b) >= 2 && b[0] == 0 && b[1] != 0:
		return encUTF16BE, 0
	case len(b) >= 2 && b[0] != 0 && b[1] == 0:
		return encUTF16LE, 0
	}
	return "", 0
}

// labelled is the encoding a Content-Type's charset names: one of the enc
// constants, the label itself (lower case) when unknown, or "" when there
// is none.
func labelled(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	label := strings.ToLower(strings.TrimSpace(params["charset"]))
	switch label {
	case "":
		return ""
	case "utf-8", "utf8", "unicode-1-1-utf-8", "us-ascii", "ascii":
		// ASCII is UTF-8; a non-ASCII byte under an ASCII label is far
		// more likely UTF-8 than anything else.
		return encUTF8
	case "utf-16le":
		return encUTF16LE
	case "utf-16be":
		return encUTF16BE
	case "utf-16", "ucs-2", "unicode":
		// Without a byte order mark UTF-16 is big-endian (RFC 2781, 4.3);
		// a body with one, or with the zero bytes of ASCII text, was
		// already recognised by sniff. What is left here has neither, so
		// it is not UTF-16 at all whatever the label says: AWS has been
		// seen to label UTF-8 this way.
		return encUTF8
	case "iso-8859-1", "latin1", "l1", "iso_8859-1":
		return encLatin1
	}
	return label
}

// fromUTF16 decodes UTF-16 in the given byte order. An unpaired surrogate
// becomes U+FFFD, as in any lenient decoder; an odd byte count cannot be
// UTF-16 and is refused.
func fromUTF16(b []byte, enc string) ([]byte, error) {
	if len(b)%2 != 0 {
		return nil, fmt.Errorf("%w: the body is %s but has an odd number of bytes (%d; truncated?)", ErrCharset, enc, len(b))
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		if enc == encUTF16LE {
			units[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		} else {
			units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
	}
	out := make([]byte, 0, len(units)+len(units)/8)
	for _, r := range utf16.Decode(units) {
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}

// fromLatin1 decodes ISO-8859-1: each byte is the code point of the same
// value.
func fromLatin1(b []byte) []byte {
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return b
	}
	out := make([]byte, 0, len(b)+len(b)/4)
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}
