package probe

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestTLSCertProbeExpires checks the certificate expiry a tlscert probe
// reports with its observation: the earliest of the served chain, also for
// a certificate refused as expired, and none when no certificate was
// judged.
func TestTLSCertProbeExpires(t *testing.T) {
	now := time.Now()
	ca, other := newCA(t, "Test CA"), newCA(t, "Other CA")
	const host = "test.example"
	inter := ca.intermediate(t, "Test Intermediate", now.Add(20*day))
	valid := ca.leaf(t, now.Add(-time.Hour), now.Add(84*day), []string{host})
	chained := inter.leaf(t, now.Add(-time.Hour), now.Add(60*day), []string{host}, inter)
	expired := ca.leaf(t, now.Add(-90*day), now.Add(-3*day), []string{host})
	for _, tc := range []struct {
		name string
		addr string
		want time.Time
	}{
		{"leaf", serveTLS(t, valid), valid.Leaf.NotAfter},
		{"intermediate expires first", serveTLS(t, chained), inter.cert.NotAfter},
		{"expired", serveTLS(t, expired), expired.Leaf.NotAfter},
		{"unknown authority", serveTLS(t, other.leaf(t, now.Add(-time.Hour), now.Add(84*day), []string{host})), time.Time{}},
		{"nothing listening", closedAddr(t), time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewTLSCert(TLSCertConfig{Name: "Example", Address: tc.addr, ServerName: host, RootCAs: ca.pool()})
			if err != nil {
				t.Fatal(err)
			}
			obs := pollOnce(t, p, 0)
			if got := obs.Components[0].Expires; !got.Equal(tc.want) {
				t.Errorf("expires = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestHTTPProbeExpires checks that an HTTP probe over TLS reports the
// certificate's expiry, on a fresh connection and on a reused one, and a
// plain HTTP probe none.
func TestHTTPProbeExpires(t *testing.T) {
	ca := newCA(t, "Test CA")
	cert := ca.leaf(t, time.Now().Add(-time.Hour), time.Now().Add(42*day), []string{"127.0.0.1"})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	defer srv.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	defer plain.Close()

	tr := NewSharedTransport()
	tr.TLSClientConfig.RootCAs = ca.pool()
	for i := range 2 { // the second poll reuses the connection
		obs := runProbe(t, HTTPConfig{Name: "Example", URL: srv.URL, Transport: tr}, 0)
		if got := obs.Components[0].Expires; !got.Equal(cert.Leaf.NotAfter) {
			t.Errorf("poll %d: expires = %v, want %v (detail %q)", i+1, got, cert.Leaf.NotAfter, obs.Components[0].Detail)
		}
	}
	obs := runProbe(t, HTTPConfig{Name: "Example", URL: plain.URL, Transport: tr}, 0)
	if got := obs.Components[0].Expires; !got.IsZero() {
		t.Errorf("plain HTTP: expires = %v, want none", got)
	}
}

// closedAddr is a loopback address nothing listens on (it was listened on
// a moment ago, and closed).
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
