package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/outagebot/outagebot/sources"
)

// DefaultWarnDays is how many days before it expires a certificate is
// reported as degraded, when TLSCertConfig.WarnDays is 0.
const DefaultWarnDays = 14

// day is the unit certificate lifetimes are counted in.
const day = 24 * time.Hour

// TLSCertConfig configures a TLS certificate probe, which completes a
// verified handshake and checks how long the certificates have left.
type TLSCertConfig struct {
	// Name is the component's name (the target's name); Address when empty.
	Name string
	// Address is host:port (port 443 when omitted).
	Address string
	// ServerName is sent as SNI and checked against the certificate; the
	// host of Address when empty.
	ServerName string
	// WarnDays: a certificate expiring within this many days is degraded
	// (DefaultWarnDays when 0).
	WarnDays int
	// Timeout bounds a poll whose context has no deadline (DefaultTimeout
	// when 0). The scheduler's context deadline wins.
	Timeout time.Duration
	// Retries is how many more times a failed handshake is tried within
	// one poll (0 to MaxRetries).
	Retries int
	// RootCAs replaces the system's roots (tests, private CAs).
	RootCAs *x509.CertPool
}

var _ sources.Source = (*TLSCert)(nil)

// TLSCert probes a TLS server's certificate: it must verify for the server
// name, and it is degraded when it (or an intermediate of its chain)
// expires within WarnDays. Every poll makes a full handshake, with no
// session resumption, so that the certificate checked is the one served
// now. It is safe for concurrent use.
type TLSCert struct {
	name    string
	addr    string
	dialer  tls.Dialer
	warn    time.Duration
	timeout time.Duration
	retries int
}

// NewTLSCert checks cfg and builds the probe.
func NewTLSCert(cfg TLSCertConfig) (*TLSCert, error) {
	addr := withDefaultPort(cfg.Address, "443")
	host, port, err := net.SplitHostPort(addr)
	switch {
	case err != nil:
		return nil, fmt.Errorf("tlscert probe %q: address %q: %v", cfg.Name, cfg.Address, addrErr(err))
	case host == "":
		return nil, fmt.Errorf("tlscert probe %q: address %q has no host", cfg.Name, cfg.Address)
	case !validPort(port):
		return nil, fmt.Errorf("tlscert probe %q: address %q: port %q is not a number from 1 to 65535", cfg.Name, cfg.Address, port)
	case cfg.WarnDays < 0:
		return nil, fmt.Errorf("tlscert probe %q: warn_days %d is negative", cfg.Name, cfg.WarnDays)
	}
	if err := checkRetries(cfg.Retries); err != nil {
		return nil, fmt.Errorf("tlscert probe %q: %v", cfg.Name, err)
	}
	sni := cfg.ServerName
	if sni == "" {
		sni = host
	}
	warn := cfg.WarnDays
	if warn == 0 {
		warn = DefaultWarnDays
	}
	p := &TLSCert{
		name: cfg.Name,
		addr: addr,
		dialer: tls.Dialer{
			NetDialer: &net.Dialer{},
			Config: &tls.Config{
				ServerName: sni,
				RootCAs:    cfg.RootCAs,
				// No ClientSessionCache: a resumed session would skip the
				// certificate.
			},
		},
		warn:    time.Duration(warn) * day,
		timeout: cfg.Timeout,
		retries: cfg.Retries,
	}
	if p.name == "" {
		p.name = cfg.Address
	}
	return p, nil
}

// Poll makes a handshake, with retries, and checks the certificates.
func (p *TLSCert) Poll(ctx context.Context) (sources.Observation, error) {
	return poll(ctx, p.name, p, p.timeout, p.retries)
}

func (p *TLSCert) attempt(ctx context.Context) outcome {
	start := time.Now()
	c, err := p.dialer.DialContext(ctx, "tcp", p.addr)
	latency := time.Since(start)
	if err != nil {
		return outcome{status: sources.MajorOutage, detail: handshakeDetail(ctx, err, start), latency: latency,
			network: sources.NetworkFailure(err), expires: rejectedExpiry(err)}
	}
	state := c.(*tls.Conn).ConnectionState()
	c.Close()
	status, detail := p.judge(state.VerifiedChains, time.Now())
	return outcome{status: status, detail: detail, latency: latency, expires: earliestExpiry(&state)}
}

// earliestExpiry is when the chain a handshake verified stops being valid:
// the earliest NotAfter of its leaf and intermediates (the trust anchor
// comes from the local store, and is not what the server serves). Without
// a verified chain (verification off), the leaf's. Zero when there is no
// certificate at all.
func earliestExpiry(state *tls.ConnectionState) time.Time {
	var chain []*x509.Certificate
	switch {
	case len(state.VerifiedChains) > 0 && len(state.VerifiedChains[0]) > 0:
		chain = state.VerifiedChains[0]
		chain = chain[:max(len(chain)-1, 1)]
	case len(state.PeerCertificates) > 0:
		chain = state.PeerCertificates[:1]
	default:
		return time.Time{}
	}
	earliest := chain[0].NotAfter
	for _, c := range chain[1:] {
		if c.NotAfter.Before(earliest) {
			earliest = c.NotAfter
		}
	}
	return earliest
}

// rejectedExpiry is the expiry of a certificate refused for being out of
// its validity period, so that an expired certificate still has its
// expiry reported; zero for any other failure.
func rejectedExpiry(err error) time.Time {
	var verr *tls.CertificateVerificationError
	var invalid x509.CertificateInvalidError
	if errors.As(err, &verr) && errors.As(verr.Err, &invalid) && invalid.Reason == x509.Expired && invalid.Cert != nil {
		return invalid.Cert.NotAfter
	}
	return time.Time{}
}

// judge checks how long a verified chain has left: its leaf, then its
// intermediates (the trust anchor, from the local store, is not judged).
func (p *TLSCert) judge(chains [][]*x509.Certificate, now time.Time) (sources.Status, string) {
	if len(chains) == 0 || len(chains[0]) == 0 {
		return sources.MajorOutage, "no verified certificate chain"
	}
	chain := chains[0]
	leaf := chain[0]
	if left := leaf.NotAfter.Sub(now); left < p.warn {
		return sources.Degraded, "certificate expires " + inDays(left) + ", on " + date(leaf.NotAfter)
	}
	// Between the leaf and the trust anchor (a leaf trusted directly is a
	// chain of one).
	for _, c := range chain[1:max(len(chain)-1, 1)] {
		if left := c.NotAfter.Sub(now); left < p.warn {
			return sources.Degraded, "intermediate certificate " + certName(c) + " expires " + inDays(left) + ", on " + date(c.NotAfter)
		}
	}
	return sources.Operational, "expires " + inDays(leaf.NotAfter.Sub(now))
}

// handshakeDetail describes a failed connection or handshake, naming the
// certificate's problem when verification failed.
func handshakeDetail(ctx context.Context, err error, start time.Time) string {
	var verr *tls.CertificateVerificationError
	if !errors.As(err, &verr) {
		// The server's alert: net.OpError{Op: "remote error", Err: "tls: ..."}.
		var opErr *net.OpError
		if errors.As(err, &opErr) && opErr.Op == "remote error" {
			return "TLS handshake failed: the server sent alert " + strconv.Quote(strings.TrimPrefix(opErr.Err.Error(), "tls: "))
		}
		return describe(ctx, err, start)
	}
	now := time.Now()
	var (
		invalid  x509.CertificateInvalidError
		hostname x509.HostnameError
		unknown  x509.UnknownAuthorityError
	)
	switch {
	case errors.As(verr.Err, &invalid) && invalid.Reason == x509.Expired:
		c := invalid.Cert
		if now.Before(c.NotBefore) {
			return certWho(c, verr) + " is not valid until " + date(c.NotBefore) + ", " + inDays(c.NotBefore.Sub(now))
		}
		return certWho(c, verr) + " expired " + daysAgo(now.Sub(c.NotAfter)) + ", on " + date(c.NotAfter)
	case errors.As(verr.Err, &hostname):
		return strings.TrimPrefix(hostname.Error(), "x509: ")
	case errors.As(verr.Err, &unknown):
		msg := "certificate signed by unknown authority"
		if c := unknown.Cert; c != nil && c.Issuer.CommonName != "" {
			msg += " " + strconv.Quote(c.Issuer.CommonName)
		}
		return msg
	}
	return "certificate rejected: " + strings.TrimPrefix(verr.Err.Error(), "x509: ")
}

// certWho names a certificate of the chain in a Detail: "certificate" for
// the leaf, else "intermediate certificate "R3"".
func certWho(c *x509.Certificate, verr *tls.CertificateVerificationError) string {
	if len(verr.UnverifiedCertificates) > 0 && c != nil && !c.Equal(verr.UnverifiedCertificates[0]) {
		return "intermediate certificate " + certName(c)
	}
	return "certificate"
}

func certName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return strconv.Quote(c.Subject.CommonName)
	}
	return strconv.Quote(c.Subject.String())
}

// inDays says when something happens: "in 84 days", "in 1 day", "in 7
// hours" (under a day), counting whole units down.
func inDays(d time.Duration) string {
	if d < day {
		return "in " + plural(max(int(d/time.Hour), 0), "hour")
	}
	return "in " + plural(int(d/day), "day")
}

// daysAgo says how long ago: "3 days ago", "5 hours ago".
func daysAgo(d time.Duration) string {
	if d < day {
		return plural(max(int(d/time.Hour), 0), "hour") + " ago"
	}
	return plural(int(d/day), "day") + " ago"
}

// date writes a certificate date in UTC: "2026-11-27".
func date(t time.Time) string { return t.UTC().Format(time.DateOnly) }
