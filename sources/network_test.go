package sources

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"testing"
)

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestNetworkFailure(t *testing.T) {
	dial := func(err error) error { return &net.OpError{Op: "dial", Net: "tcp", Err: err} }
	wrap := func(err error) error {
		return fmt.Errorf("poll feed: %w", &url.Error{Op: "Get", URL: "https://status.example", Err: err})
	}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"no error", nil, false},
		{"name not found", wrap(&net.DNSError{Err: "no such host", Name: "status.example", IsNotFound: true}), true},
		{"resolver unreachable", wrap(&net.DNSError{Err: "server misbehaving", Name: "status.example"}), true},
		{"connection refused", wrap(dial(&net.OpError{Op: "connect", Err: syscall.ECONNREFUSED})), true},
		{"no route to host", dial(syscall.EHOSTUNREACH), true},
		{"network unreachable", dial(syscall.ENETUNREACH), true},
		{"connect timed out", wrap(dial(timeoutErr{})), true},
		{"deadline during connect", errors.Join(context.DeadlineExceeded, dial(timeoutErr{})), true},
		{"read timed out", wrap(&net.OpError{Op: "read", Err: timeoutErr{}}), false},
		{"connection reset", wrap(&net.OpError{Op: "read", Err: syscall.ECONNRESET}), false},
		{"deadline waiting for the answer", context.DeadlineExceeded, false},
		{"TLS", wrap(&tls.CertificateVerificationError{Err: errors.New("x509: certificate has expired")}), false},
		{"HTTP error", errors.New("HTTP 503"), false},
	} {
		if got := NetworkFailure(tc.err); got != tc.want {
			t.Errorf("%s: NetworkFailure(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}
