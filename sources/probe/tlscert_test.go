package probe

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/outagebot/outagebot/sources"
)

// testCA is a certificate authority made for a test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

var serial int64

// newCA makes a self-signed CA valid from an hour ago for a year.
func newCA(t testing.TB, name string) *testCA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(365 * day),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	c := sign(t, tmpl, &key.PublicKey, tmpl, key)
	return &testCA{cert: c, key: key}
}

// intermediate makes a CA signed by ca, valid until notAfter.
func (ca *testCA) intermediate(t testing.TB, name string, notAfter time.Time) *testCA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	return &testCA{cert: sign(t, tmpl, &key.PublicKey, ca.cert, ca.key), key: key}
}

// leaf makes a server certificate for names (DNS names or IP addresses),
// valid from notBefore to notAfter; chain is sent after it.
func (ca *testCA) leaf(t testing.TB, notBefore, notAfter time.Time, names []string, chain ...*testCA) tls.Certificate {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: names[0]},
		NotBefore:   notBefore,
		NotAfter:    notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	c := sign(t, tmpl, &key.PublicKey, ca.cert, ca.key)
	tc := tls.Certificate{Certificate: [][]byte{c.Raw}, PrivateKey: key, Leaf: c}
	for _, i := range chain {
		tc.Certificate = append(tc.Certificate, i.cert.Raw)
	}
	return tc
}

func (ca *testCA) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func sign(t testing.TB, tmpl *x509.Certificate, pub any, parent *x509.Certificate, key *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	serial++
	tmpl.SerialNumber = big.NewInt(serial)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// serveTLS serves cert on a loopback port: each connection gets a
// handshake and is closed.
func serveTLS(t testing.TB, cert tls.Certificate) string {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				c.(*tls.Conn).Handshake() // a client's rejection is expected
			}()
		}
	}()
	return l.Addr().String()
}

func TestTLSCertProbe(t *testing.T) {
	now := time.Now()
	ca, other := newCA(t, "Test CA"), newCA(t, "Other CA")
	const host = "test.example"
	inDays := func(n int) time.Time { return now.Add(time.Duration(n)*day + time.Hour) }
	soonInter := ca.intermediate(t, "Test Intermediate", inDays(3))
	for _, tc := range []struct {
		name   string
		cert   tls.Certificate
		cfg    TLSCertConfig
		want   sources.Status
		detail string
	}{
		{name: "valid", cert: ca.leaf(t, now.Add(-time.Hour), inDays(84), []string{host}),
			want: sources.Operational, detail: "expires in 84 days"},
		{name: "valid for an IP address", cert: ca.leaf(t, now.Add(-time.Hour), inDays(30), []string{"127.0.0.1"}),
			cfg: TLSCertConfig{ServerName: "-"}, want: sources.Operational, detail: "expires in 30 days"},
		{name: "expires in 5 days", cert: ca.leaf(t, now.Add(-time.Hour), inDays(5), []string{host}),
			want: sources.Degraded, detail: "certificate expires in 5 days, on " + date(inDays(5))},
		{name: "expires in 5 days, warned at 3", cert: ca.leaf(t, now.Add(-time.Hour), inDays(5), []string{host}),
			cfg: TLSCertConfig{WarnDays: 3}, want: sources.Operational, detail: "expires in 5 days"},
		{name: "expires in hours", cert: ca.leaf(t, now.Add(-time.Hour), now.Add(7*time.Hour+30*time.Minute), []string{host}),
			want: sources.Degraded, detail: "certificate expires in 7 hours, on " + date(now.Add(7*time.Hour+30*time.Minute))},
		{name: "intermediate expires soon", cert: soonInter.leaf(t, now.Add(-time.Hour), inDays(60), []string{host}, soonInter),
			want: sources.Degraded, detail: `intermediate certificate "Test Intermediate" expires in 3 days, on ` + date(inDays(3))},
		{name: "expired", cert: ca.leaf(t, now.Add(-90*day), now.Add(-3*day-time.Hour), []string{host}),
			want: sources.MajorOutage, detail: "certificate expired 3 days ago, on " + date(now.Add(-3*day-time.Hour))},
		{name: "not yet valid", cert: ca.leaf(t, inDays(2), inDays(90), []string{host}),
			want: sources.MajorOutage, detail: "certificate is not valid until " + date(inDays(2)) + ", in 2 days"},
		{name: "wrong hostname", cert: ca.leaf(t, now.Add(-time.Hour), inDays(84), []string{"other.example", "www.other.example"}),
			want: sources.MajorOutage, detail: "certificate is valid for other.example, www.other.example, not test.example"},
		{name: "unknown authority", cert: other.leaf(t, now.Add(-time.Hour), inDays(84), []string{host}),
			want: sources.MajorOutage, detail: `certificate signed by unknown authority "Other CA"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Name, cfg.Address, cfg.RootCAs = "Example", serveTLS(t, tc.cert), ca.pool()
			switch cfg.ServerName {
			case "":
				cfg.ServerName = host
			case "-":
				cfg.ServerName = "" // the address's host
			}
			p, err := NewTLSCert(cfg)
			if err != nil {
				t.Fatal(err)
			}
			checkObs(t, pollOnce(t, p, 0), tc.want, tc.detail, nil)
		})
	}
}

func TestTLSCertProbeChains(t *testing.T) {
	now := time.Now()
	ca := newCA(t, "Test CA")
	expiredInter := ca.intermediate(t, "Old Intermediate", now.Add(-2*day-time.Hour))
	// A self-signed leaf trusted directly: a verified chain of one.
	self := newCA(t, "self.example")
	selfLeaf := self.leaf(t, now.Add(-time.Hour), now.Add(20*day+time.Hour), []string{"self.example"})
	selfPool := x509.NewCertPool()
	selfPool.AddCert(selfLeaf.Leaf)
	for _, tc := range []struct {
		name   string
		cert   tls.Certificate
		roots  *x509.CertPool
		want   sources.Status
		detail string
	}{
		{"expired intermediate", expiredInter.leaf(t, now.Add(-time.Hour), now.Add(60*day), []string{"self.example"}, expiredInter), ca.pool(),
			sources.MajorOutage, `intermediate certificate "Old Intermediate" expired 2 days ago, on ` + date(now.Add(-2*day-time.Hour))},
		{"leaf trusted directly", selfLeaf, selfPool, sources.Operational, "expires in 20 days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewTLSCert(TLSCertConfig{Name: "Example", Address: serveTLS(t, tc.cert), ServerName: "self.example", RootCAs: tc.roots})
			if err != nil {
				t.Fatal(err)
			}
			checkObs(t, pollOnce(t, p, 0), tc.want, tc.detail, nil)
		})
	}
}

func TestTLSCertProbeAlert(t *testing.T) {
	ca := newCA(t, "Test CA")
	cert := ca.leaf(t, time.Now().Add(-time.Hour), time.Now().Add(30*day), []string{"127.0.0.1"})
	// Only a cipher suite that Go clients no longer offer: the server
	// answers the hello with a handshake_failure alert.
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{cert},
		MaxVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	p, err := NewTLSCert(TLSCertConfig{Name: "Example", Address: l.Addr().String(), RootCAs: ca.pool()})
	if err != nil {
		t.Fatal(err)
	}
	checkObs(t, pollOnce(t, p, 0), sources.MajorOutage, `TLS handshake failed: the server sent alert "handshake failure"`, nil)
}

func TestTLSCertProbeNoTLS(t *testing.T) {
	// A plain-text server that answers anything with an HTTP error.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"))
			c.Close()
		}
	}()
	for _, tc := range []struct {
		addr, detail string
		timeout      time.Duration
	}{
		{l.Addr().String(), "TLS handshake failed: the server did not answer with TLS (plain HTTP?)", 0},
		{closedPort(t), "connection refused", 0},
		{unanswered(t), "timed out after ≤200ms", 200 * time.Millisecond},
	} {
		p, err := NewTLSCert(TLSCertConfig{Name: "Example", Address: tc.addr})
		if err != nil {
			t.Fatal(err)
		}
		checkObs(t, pollOnce(t, p, tc.timeout), sources.MajorOutage, "", detailIs(tc.detail))
	}
}

func TestTLSCertProbeRetry(t *testing.T) {
	ca := newCA(t, "Test CA")
	cert := ca.leaf(t, time.Now().Add(-time.Hour), time.Now().Add(40*day+time.Hour), []string{"127.0.0.1"})
	// The first connection is dropped before the handshake.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for n := 0; ; n++ {
			c, err := l.Accept()
			if err != nil {
				return
			}
			if n == 0 {
				c.Close()
				continue
			}
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
			tc.Handshake()
			tc.Close()
		}
	}()
	p, err := NewTLSCert(TLSCertConfig{Name: "Example", Address: l.Addr().String(), RootCAs: ca.pool(), Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkObs(t, pollOnce(t, p, 0), sources.Operational, "", detailIs("expires in 40 days; after 1 retry (last failure: ..."))
}

func TestNewTLSCertErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  TLSCertConfig
		want string
	}{
		{TLSCertConfig{Name: "a", Address: ":443"}, `tlscert probe "a": address ":443" has no host`},
		{TLSCertConfig{Name: "a", Address: "x:https"}, `tlscert probe "a": address "x:https": port "https" is not a number from 1 to 65535`},
		{TLSCertConfig{Name: "a", Address: "x", WarnDays: -1}, `tlscert probe "a": warn_days -1 is negative`},
		{TLSCertConfig{Name: "a", Address: "x", Retries: -2}, `tlscert probe "a": retries -2 must be between 0 and 10`},
	} {
		_, err := NewTLSCert(tc.cfg)
		if err == nil || err.Error() != tc.want {
			t.Errorf("NewTLSCert(%+v) = %v, want %s", tc.cfg, err, tc.want)
		}
	}
	for in, want := range map[string]string{"example.com": "example.com:443", "[::1]": "[::1]:443", "::1": "[::1]:443", "[::1": "", "[::1]:8443": "[::1]:8443"} {
		p, err := NewTLSCert(TLSCertConfig{Address: in})
		switch {
		case want == "" && err == nil:
			t.Errorf("address %q accepted as %s", in, p.addr)
		case want != "" && (err != nil || p.addr != want || p.name != in):
			t.Errorf("address %q: %+v, %v; want %s", in, p, err, want)
		}
	}
	p, _ := NewTLSCert(TLSCertConfig{Address: "example.com"})
	if p.dialer.Config.ServerName != "example.com" || p.warn != DefaultWarnDays*day {
		t.Errorf("defaults: server name %q, warn %v", p.dialer.Config.ServerName, p.warn)
	}
}

func BenchmarkTLSCertProbe(b *testing.B) {
	ca := newCA(b, "Bench CA")
	addr := serveTLS(b, ca.leaf(b, time.Now().Add(-time.Hour), time.Now().Add(90*day), []string{"bench.example"}))
	p, err := NewTLSCert(TLSCertConfig{Name: "bench", Address: addr, ServerName: "bench.example", RootCAs: ca.pool()})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	b.ReportAllocs()
	for b.Loop() {
		obs, err := p.Poll(ctx)
		if err != nil || obs.Components[0].Status != sources.Operational {
			b.Fatal(obs, err)
		}
	}
}
