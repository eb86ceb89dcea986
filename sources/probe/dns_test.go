package probe

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/outagebot/outagebot/sources"
)

// testZone is what the local DNS server answers.
var testZone = []string{
	"www.example.test. 300 IN A 192.0.2.1",
	"www.example.test. 300 IN A 192.0.2.2",
	"www.example.test. 300 IN AAAA 2001:db8::1",
	"alias.example.test. 300 IN CNAME www.example.test.",
	"example.test. 300 IN MX 10 mail.example.test.",
	"example.test. 300 IN MX 20 backup.example.test.",
	`example.test. 300 IN TXT "v=spf1 -all"`,
	`example.test. 300 IN TXT "hello " "world"`,
	"example.test. 300 IN NS ns1.example.test.",
	`txtonly.example.test. 300 IN TXT "no address here"`,
	"big.example.test. 300 IN A 192.0.2.7",
}

// startDNS serves records over UDP and TCP on one loopback port and
// returns its address. Names it does not know are NXDOMAIN;
// servfail.example.test is SERVFAIL; big.example.test is truncated over
// UDP, so that only TCP gets the answer.
func startDNS(t testing.TB, records []string) string {
	t.Helper()
	zone := map[string][]dns.RR{}
	for _, s := range records {
		rr, err := dns.NewRR(s)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.ToLower(rr.Header().Name)
		zone[name] = append(zone[name], rr)
	}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		q := r.Question[0]
		name := strings.ToLower(q.Name)
		rrs, known := zone[name]
		switch {
		case name == "servfail.example.test.":
			m.Rcode = dns.RcodeServerFailure
		case !known:
			m.Rcode = dns.RcodeNameError
		case name == "big.example.test." && w.RemoteAddr().Network() == "udp":
			m.Truncated = true
		default:
			for _, rr := range rrs {
				switch rr.Header().Rrtype {
				case q.Qtype:
					m.Answer = append(m.Answer, rr)
				case dns.TypeCNAME: // and the target's records
					m.Answer = append(m.Answer, rr)
					for _, rr2 := range zone[rr.(*dns.CNAME).Target] {
						if rr2.Header().Rrtype == q.Qtype {
							m.Answer = append(m.Answer, rr2)
						}
					}
				}
			}
		}
		w.WriteMsg(m)
	})
	// The same port for both: take a UDP port, then its TCP twin (retrying
	// if another process has it).
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		l, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil {
			pc.Close()
			continue
		}
		for _, s := range []*dns.Server{{PacketConn: pc, Handler: handler}, {Listener: l, Handler: handler}} {
			started := make(chan struct{})
			s.NotifyStartedFunc = func() { close(started) }
			go s.ActivateAndServe()
			<-started
			t.Cleanup(func() { s.Shutdown() })
		}
		return pc.LocalAddr().String()
	}
	t.Fatal("no free UDP+TCP port pair")
	return ""
}

// silentResolver returns the address of a UDP socket that reads queries and
// never answers.
func silentResolver(t testing.TB) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	return pc.LocalAddr().String()
}

// closedUDP returns a loopback UDP address nothing listens on.
func closedUDP(t testing.TB) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	return addr
}

func TestDNSProbe(t *testing.T) {
	srv := startDNS(t, testZone)
	silent := silentResolver(t)
	for _, tc := range []struct {
		name    string
		cfg     DNSConfig
		timeout time.Duration
		want    sources.Status
		detail  string // exact, or a prefix when it ends in "..."
	}{
		{name: "A any", cfg: DNSConfig{Host: "www.example.test"}, want: sources.Operational},
		{name: "A expected", cfg: DNSConfig{Host: "www.example.test.", RecordType: "a", Expect: []string{"192.0.2.2", "192.0.2.1"}},
			want: sources.Operational},
		{name: "A mismatch", cfg: DNSConfig{Host: "www.example.test", Expect: []string{"192.0.2.1", "192.0.2.9"}},
			want: sources.MajorOutage, detail: "answers 192.0.2.1 and 192.0.2.2, expected 192.0.2.9"},
		{name: "A through CNAME", cfg: DNSConfig{Host: "alias.example.test", Expect: []string{"192.0.2.1"}}, want: sources.Operational},
		{name: "AAAA", cfg: DNSConfig{Host: "www.example.test", RecordType: "AAAA", Expect: []string{"2001:0db8:0::1"}},
			want: sources.Operational},
		{name: "AAAA mismatch", cfg: DNSConfig{Host: "www.example.test", RecordType: "AAAA", Expect: []string{"2001:db8::2"}},
			want: sources.MajorOutage, detail: "answer 2001:db8::1, expected 2001:db8::2"},
		{name: "CNAME", cfg: DNSConfig{Host: "alias.example.test", RecordType: "CNAME", Expect: []string{"WWW.example.test."}},
			want: sources.Operational},
		{name: "CNAME missing", cfg: DNSConfig{Host: "www.example.test", RecordType: "CNAME"},
			want: sources.MajorOutage, detail: "no CNAME records"},
		{name: "MX host", cfg: DNSConfig{Host: "example.test", RecordType: "MX", Expect: []string{"mail.example.test"}},
			want: sources.Operational},
		{name: "MX with preference", cfg: DNSConfig{Host: "example.test", RecordType: "MX", Expect: []string{"10 mail.example.test", "backup.example.test."}},
			want: sources.Operational},
		{name: "MX mismatch", cfg: DNSConfig{Host: "example.test", RecordType: "MX", Expect: []string{"20 mail.example.test"}},
			want: sources.MajorOutage, detail: "answers 10 mail.example.test and 20 backup.example.test, expected 20 mail.example.test"},
		{name: "TXT", cfg: DNSConfig{Host: "example.test", RecordType: "TXT", Expect: []string{"hello world"}},
			want: sources.Operational},
		{name: "TXT mismatch", cfg: DNSConfig{Host: "example.test", RecordType: "TXT", Expect: []string{"v=spf1 ~all"}},
			want: sources.MajorOutage, detail: `answers "v=spf1 -all" and "hello world", expected "v=spf1 ~all"`},
		{name: "NS", cfg: DNSConfig{Host: "example.test", RecordType: "NS", Expect: []string{"ns1.example.test"}},
			want: sources.Operational},
		{name: "NXDOMAIN", cfg: DNSConfig{Host: "nope.example.test"}, want: sources.MajorOutage, detail: "NXDOMAIN"},
		{name: "no records of the type", cfg: DNSConfig{Host: "txtonly.example.test"}, want: sources.MajorOutage,
			detail: "no A records"},
		{name: "SERVFAIL", cfg: DNSConfig{Host: "servfail.example.test"}, want: sources.MajorOutage,
			detail: "SERVFAIL from resolver " + srv},
		{name: "truncated over UDP, asked over TCP", cfg: DNSConfig{Host: "big.example.test", Expect: []string{"192.0.2.7"}},
			want: sources.Operational},
		{name: "resolver never answers", cfg: DNSConfig{Host: "www.example.test", Resolver: silent}, timeout: 200 * time.Millisecond,
			want: sources.MajorOutage, detail: "resolver " + silent + " timed out after ≤200ms"},
		{name: "resolver never answers, retried", cfg: DNSConfig{Host: "www.example.test", Resolver: silent, Retries: 1},
			timeout: 300 * time.Millisecond, want: sources.MajorOutage, detail: "resolver " + silent + " timed out after ..."},
		{name: "nothing listening", cfg: DNSConfig{Host: "www.example.test", Resolver: closedUDP(t)}, want: sources.MajorOutage,
			detail: "resolver 127.0.0.1:... refused the connection (nothing listening?)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Name = "Example"
			if cfg.Resolver == "" {
				cfg.Resolver = srv
			}
			p, err := NewDNS(cfg)
			if err != nil {
				t.Fatal(err)
			}
			obs := pollOnce(t, p, tc.timeout)
			want := tc.detail
			if strings.Contains(want, "127.0.0.1:...") { // a port the test does not know
				want = "resolver " + cfg.Resolver + strings.SplitN(want, "...", 2)[1]
			}
			checkObs(t, obs, tc.want, "", detailIs(want))
			if d := obs.Components[0].Detail; strings.HasSuffix(tc.name, "retried") && !strings.HasSuffix(d, " (2 attempts)") {
				t.Errorf("detail %q does not count 2 attempts", d)
			}
		})
	}
}

// With the system's resolvers (several), a failed attempt moves to the
// next one.
func TestDNSProbeNextResolver(t *testing.T) {
	srv, silent := startDNS(t, testZone), silentResolver(t)
	p, err := NewDNS(DNSConfig{Name: "Example", Host: "www.example.test", Resolver: silent, Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	p.servers = []string{silent, srv}
	obs := pollOnce(t, p, 400*time.Millisecond)
	checkObs(t, obs, sources.Operational, "", detailIs("after 1 retry (last failure: resolver "+silent+" timed out after ..."))
	// The good one is kept.
	checkObs(t, pollOnce(t, p, 0), sources.Operational, "", nil)
}

func TestDNSProbeCanceled(t *testing.T) {
	p, err := NewDNS(DNSConfig{Host: "www.example.test", Resolver: silentResolver(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	if _, err := p.Poll(ctx); err != context.Canceled {
		t.Errorf("Poll on shutdown = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a canceled query took %v to return", d)
	}
}

func TestNewDNSErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  DNSConfig
		want string
	}{
		{DNSConfig{Name: "a"}, `dns probe "a": host is empty`},
		{DNSConfig{Name: "a", Host: "bad name.test"}, `dns probe "a": host "bad name.test" is not a domain name`},
		{DNSConfig{Name: "a", Host: "x.test", RecordType: "SRV"}, `dns probe "a": record_type "SRV": want A, AAAA, CNAME, MX, TXT or NS`},
		{DNSConfig{Name: "a", Host: "x.test", Resolver: "127.0.0.1:dns"}, `dns probe "a": resolver "127.0.0.1:dns": port "dns" is not a number from 1 to 65535`},
		{DNSConfig{Name: "a", Host: "x.test", Resolver: ":53"}, `dns probe "a": resolver ":53": no host`},
		{DNSConfig{Name: "a", Host: "x.test", Resolver: "::1", Expect: []string{"2001:db8::1"}}, `dns probe "a": expect "2001:db8::1": is not an IPv4 address (an A record)`},
		{DNSConfig{Name: "a", Host: "x.test", Resolver: "::1", RecordType: "AAAA", Expect: []string{"192.0.2.1"}}, `dns probe "a": expect "192.0.2.1": is not an IPv6 address (an AAAA record)`},
		{DNSConfig{Name: "a", Host: "x.test", Resolver: "::1", Expect: []string{"www"}}, `dns probe "a": expect "www": is not an IP address`},
		{DNSConfig{Name: "a", Host: "x.test", Resolver: "::1", RecordType: "MX", Expect: []string{"ten mail.test"}}, `dns probe "a": expect "ten mail.test": is not "host" or "preference host"`},
		{DNSConfig{Name: "a", Host: "x.test", Resolver: "::1", Retries: 11}, `dns probe "a": retries 11 must be between 0 and 10`},
	} {
		_, err := NewDNS(tc.cfg)
		if err == nil || err.Error() != tc.want {
			t.Errorf("NewDNS(%+v) = %v, want %s", tc.cfg, err, tc.want)
		}
	}
	for in, want := range map[string]string{"192.0.2.53": "192.0.2.53:53", "::1": "[::1]:53", "[::1]": "[::1]:53",
		"dns.internal": "dns.internal:53", "[::1]:5353": "[::1]:5353"} {
		p, err := NewDNS(DNSConfig{Host: "x.test", Resolver: in})
		if err != nil || p.servers[0] != want || p.name != "x.test" {
			t.Errorf("resolver %q: %+v, %v; want server %s", in, p, err, want)
		}
	}
}

// No Resolver: the system's, read once at construction (no query is sent).
func TestNewDNSSystemResolver(t *testing.T) {
	if _, err := os.Stat(SystemResolvConf); err != nil {
		t.Skip(err)
	}
	p, err := NewDNS(DNSConfig{Host: "x.test"})
	if err != nil {
		if strings.Contains(err.Error(), "names none") {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	for _, s := range p.servers {
		if _, _, err := net.SplitHostPort(s); err != nil {
			t.Errorf("server %q: %v", s, err)
		}
	}
}

func BenchmarkDNSProbe(b *testing.B) {
	p, err := NewDNS(DNSConfig{Name: "bench", Host: "www.example.test", Resolver: startDNS(b, testZone), Expect: []string{"192.0.2.1"}})
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
