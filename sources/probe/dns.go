package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/miekg/dns"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

// DNS probe settings.
const (
	// SystemResolvConf is where a DNS probe with no Resolver finds the
	// system's resolvers.
	SystemResolvConf = "/etc/resolv.conf"
	// ednsSize is the UDP answer size advertised (the DNS flag day 2020
	// value, which avoids fragmentation); a truncated answer is asked
	// again over TCP.
	ednsSize = 1232
	// noClientTimeout stops miekg/dns from applying its own 2 s timeouts:
	// the attempt's context deadline bounds every query.
	noClientTimeout = 24 * time.Hour
	// maxAnswersShown bounds the answers a Detail lists.
	maxAnswersShown = 3
)

// DNSConfig configures a DNS probe, which asks a resolver for one name's
// records of one type.
type DNSConfig struct {
	// Name is the component's name (the target's name); Host when empty.
	Name string
	// Host is the name to resolve, taken as fully qualified (no search
	// domains).
	Host string
	// RecordType is A (when empty), AAAA, CNAME, MX, TXT or NS.
	RecordType string
	// Resolver is the server to ask, host:port (port 53 when omitted).
	// Empty uses the system's resolvers from SystemResolvConf, moving to
	// the next one after a failed attempt.
	Resolver string
	// Expect lists answers that must all be present (others may be too);
	// empty accepts any answer. A and AAAA: addresses; CNAME and NS: names
	// (case and a trailing dot do not matter); MX: "mail.example.com" or
	// "10 mail.example.com"; TXT: the record's text, its strings joined.
	Expect []string
	// Timeout bounds a poll whose context has no deadline (DefaultTimeout
	// when 0). The scheduler's context deadline wins.
	Timeout time.Duration
	// Retries is how many more times a failed query is tried within one
	// poll (0 to MaxRetries).
	Retries int
}

var _ sources.Source = (*DNS)(nil)

// DNS probes that a name resolves, and optionally to what. It is safe for
// concurrent use.
type DNS struct {
	name     string
	qname    string // fully qualified
	qtype    uint16
	typeName string
	servers  []string
	next     atomic.Uint32 // index into servers of the one to ask
	expect   []string      // normalized like answers
	udp, tcp *dns.Client
	timeout  time.Duration
	retries  int
}

// NewDNS checks cfg and builds the probe. With no Resolver it reads
// SystemResolvConf once, here.
func NewDNS(cfg DNSConfig) (*DNS, error) {
	fail := func(format string, args ...any) (*DNS, error) {
		return nil, fmt.Errorf("dns probe %q: "+format, append([]any{cfg.Name}, args...)...)
	}
	host := strings.TrimSpace(cfg.Host)
	if host == "" {
		return fail("host is empty")
	}
	if _, ok := dns.IsDomainName(host); !ok || strings.ContainsAny(host, " \t") {
		return fail("host %q is not a domain name", cfg.Host)
	}
	typeName := strings.ToUpper(strings.TrimSpace(cfg.RecordType))
	if typeName == "" {
		typeName = "A"
	}
	qtype, ok := recordTypes[typeName]
	if !ok {
		return fail("record_type %q: want A, AAAA, CNAME, MX, TXT or NS", cfg.RecordType)
	}
	if err := checkRetries(cfg.Retries); err != nil {
		return fail("%v", err)
	}
	var servers []string
	if cfg.Resolver != "" {
		s, err := resolverAddr(cfg.Resolver)
		if err != nil {
			return fail("resolver %q: %v", cfg.Resolver, err)
		}
		servers = []string{s}
	} else {
		conf, err := dns.ClientConfigFromFile(SystemResolvConf)
		if err != nil {
			return fail("no resolver set and the system's are unknown: %v", err)
		}
		if len(conf.Servers) == 0 {
			return fail("no resolver set and %s names none", SystemResolvConf)
		}
		for _, s := range conf.Servers {
			servers = append(servers, net.JoinHostPort(s, conf.Port))
		}
	}
	p := &DNS{
		name:     cfg.Name,
		qname:    dns.Fqdn(host),
		qtype:    qtype,
		typeName: typeName,
		servers:  servers,
		udp:      &dns.Client{Net: "udp", UDPSize: ednsSize, Timeout: noClientTimeout},
		tcp:      &dns.Client{Net: "tcp", Timeout: noClientTimeout},
		timeout:  cfg.Timeout,
		retries:  cfg.Retries,
	}
	for _, e := range cfg.Expect {
		n, err := normalizeExpect(qtype, e)
		if err != nil {
			return fail("expect %q: %v", e, err)
		}
		p.expect = append(p.expect, n)
	}
	if p.name == "" {
		p.name = host
	}
	return p, nil
}

var recordTypes = map[string]uint16{
	"A": dns.TypeA, "AAAA": dns.TypeAAAA, "CNAME": dns.TypeCNAME,
	"MX": dns.TypeMX, "TXT": dns.TypeTXT, "NS": dns.TypeNS,
}

// resolverAddr checks a resolver address and adds port 53 when it has
// none.
func resolverAddr(s string) (string, error) {
	s = withDefaultPort(s, "53")
	host, port, err := net.SplitHostPort(s)
	switch {
	case err != nil:
		return "", errors.New(addrErr(err))
	case host == "":
		return "", errors.New("no host")
	case !validPort(port):
		return "", fmt.Errorf("port %q is not a number from 1 to 65535", port)
	}
	return s, nil
}

// normalizeExpect checks an expected answer and writes it the way answers
// are written (see answerText).
func normalizeExpect(qtype uint16, e string) (string, error) {
	e = strings.TrimSpace(e)
	switch qtype {
	case dns.TypeA, dns.TypeAAAA:
		a, err := netip.ParseAddr(e)
		if err != nil || a.Zone() != "" {
			return "", errors.New("is not an IP address")
		}
		if qtype == dns.TypeA && !a.Is4() {
			return "", errors.New("is not an IPv4 address (an A record)")
		}
		if qtype == dns.TypeAAAA && !a.Is6() {
			return "", errors.New("is not an IPv6 address (an AAAA record)")
		}
		return a.String(), nil
	case dns.TypeTXT:
		return e, nil
	case dns.TypeMX:
		if pref, host, ok := strings.Cut(e, " "); ok {
			n, err := strconv.ParseUint(pref, 10, 16)
			if err != nil {
				return "", errors.New(`is not "host" or "preference host"`)
			}
			h, err := normalizeName(strings.TrimSpace(host))
			if err != nil {
				return "", err
			}
			return strconv.FormatUint(n, 10) + " " + h, nil
		}
	}
	return normalizeName(e)
}

// normalizeName lowercases a domain name and drops its trailing dot.
func normalizeName(s string) (string, error) {
	if _, ok := dns.IsDomainName(s); !ok || s == "" || strings.ContainsAny(s, " \t") {
		return "", errors.New("is not a domain name")
	}
	return strings.ToLower(strings.TrimSuffix(s, ".")), nil
}

// Poll queries the resolver, with retries.
func (p *DNS) Poll(ctx context.Context) (sources.Observation, error) {
	return poll(ctx, p.name, p, p.timeout, p.retries)
}

func (p *DNS) attempt(ctx context.Context) outcome {
	start := time.Now()
	i := p.next.Load()
	server := p.servers[int(i)%len(p.servers)]
	r, err := p.exchange(ctx, p.udp, server)
	if err == nil && r.Truncated {
		r, err = p.exchange(ctx, p.tcp, server)
	}
	latency := time.Since(start)
	if err != nil {
		if len(p.servers) > 1 {
			p.next.CompareAndSwap(i, i+1)
		}
		return outcome{status: sources.MajorOutage, detail: resolverDetail(ctx, server, err, start), latency: latency, network: sources.NetworkFailure(err)}
	}
	status, detail := p.judge(r, server)
	return outcome{status: status, detail: detail, latency: latency}
}

// exchange sends one query and reads the answer; a canceled context
// (shutdown) interrupts it.
func (p *DNS) exchange(ctx context.Context, c *dns.Client, server string) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(p.qname, p.qtype)
	m.SetEdns0(ednsSize, false)
	co, err := c.DialContext(ctx, server)
	if err != nil {
		return nil, err
	}
	defer co.Close()
	stop := context.AfterFunc(ctx, func() { co.SetDeadline(time.Now()) })
	defer stop()
	r, _, err := c.ExchangeWithConnContext(ctx, m, co)
	return r, err
}

// judge checks an answer: its code, its records, the expected ones.
func (p *DNS) judge(r *dns.Msg, server string) (sources.Status, string) {
	switch r.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		return sources.MajorOutage, "NXDOMAIN"
	default:
		code, ok := dns.RcodeToString[r.Rcode]
		if !ok {
			code = "rcode " + strconv.Itoa(r.Rcode)
		}
		return sources.MajorOutage, code + " from resolver " + server
	}
	n := 0
	for _, rr := range r.Answer {
		if rr.Header().Rrtype == p.qtype {
			n++
		}
	}
	if n == 0 {
		return sources.MajorOutage, "no " + p.typeName + " records"
	}
	if len(p.expect) == 0 {
		return sources.Operational, ""
	}
	answers := make([]string, 0, n)
	for _, rr := range r.Answer {
		if rr.Header().Rrtype == p.qtype {
			answers = append(answers, answerText(rr))
		}
	}
	var missing []string
	for _, e := range p.expect {
		if !hasAnswer(answers, e, p.qtype) {
			missing = append(missing, e)
		}
	}
	if missing == nil {
		return sources.Operational, ""
	}
	return sources.MajorOutage, p.mismatch(answers, missing)
}

// answerText writes a record's data the way expected answers are
// normalized: an address, a lowercase name without its trailing dot,
// "10 mail.example.com", or a TXT record's strings joined.
func answerText(rr dns.RR) string {
	switch rr := rr.(type) {
	case *dns.A:
		return rr.A.String()
	case *dns.AAAA:
		return rr.AAAA.String()
	case *dns.CNAME:
		return strings.ToLower(strings.TrimSuffix(rr.Target, "."))
	case *dns.NS:
		return strings.ToLower(strings.TrimSuffix(rr.Ns, "."))
	case *dns.MX:
		return strconv.Itoa(int(rr.Preference)) + " " + strings.ToLower(strings.TrimSuffix(rr.Mx, "."))
	case *dns.TXT:
		return strings.Join(rr.Txt, "")
	}
	return rr.String()
}

// hasAnswer reports whether want is among answers; an MX expectation
// without a preference matches any preference.
func hasAnswer(answers []string, want string, qtype uint16) bool {
	for _, a := range answers {
		if a == want {
			return true
		}
		if qtype == dns.TypeMX && !strings.Contains(want, " ") {
			if _, host, _ := strings.Cut(a, " "); host == want {
				return true
			}
		}
	}
	return false
}

// mismatch says what was answered and what is missing:
// "answer 10.0.0.1, expected 192.0.2.1".
func (p *DNS) mismatch(answers, missing []string) string {
	var b strings.Builder
	if len(answers) == 1 {
		b.WriteString("answer ")
	} else {
		b.WriteString("answers ")
	}
	shown := answers[:min(len(answers), maxAnswersShown)]
	more := len(answers) - len(shown)
	for i, a := range shown {
		switch {
		case i == 0:
		case i == len(shown)-1 && more == 0:
			b.WriteString(" and ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(p.quote(a))
	}
	if more > 0 {
		b.WriteString(" and " + strconv.Itoa(more) + " more")
	}
	b.WriteString(", expected ")
	for i, m := range missing {
		if i > 0 {
			b.WriteString(" and ")
		}
		b.WriteString(p.quote(m))
	}
	return b.String()
}

// quote quotes TXT data, which may hold spaces and commas.
func (p *DNS) quote(s string) string {
	if p.qtype == dns.TypeTXT {
		return strconv.Quote(s)
	}
	return s
}

// resolverDetail describes a query that got no answer:
// "resolver 127.0.0.1:5353 timed out after 2s".
func resolverDetail(ctx context.Context, server string, err error, start time.Time) string {
	var netErr net.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		return "resolver " + server + " timed out after " + fetch.FormatDuration(budget(ctx, start))
	case errors.Is(err, syscall.ECONNREFUSED):
		return "resolver " + server + " refused the connection (nothing listening?)"
	}
	return "resolver " + server + ": " + describe(ctx, err, start)
}
