package probe

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/internal/budgettest"
	"github.com/outagebot/outagebot/sources"
)

// listen starts a loopback listener that accepts and closes connections
// until the test ends.
func listen(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
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
			c.Close()
		}
	}()
	return l.Addr().String()
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// pollOnce polls s with a context bounded by timeout (5s when 0) and fails
// the test on a Poll error.
func pollOnce(t testing.TB, s sources.Source, timeout time.Duration) sources.Observation {
	t.Helper()
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	obs, err := s.Poll(ctx)
	if err != nil {
		t.Fatalf("Poll error %v: a failing endpoint is a result, not an error", err)
	}
	if d := time.Since(start); d > timeout+time.Second {
		t.Errorf("Poll took %v with a %v budget", d, timeout)
	}
	return obs
}

func TestTCPProbe(t *testing.T) {
	open := listen(t)
	for _, tc := range []struct {
		name    string
		cfg     TCPConfig
		timeout time.Duration
		want    sources.Status
		detail  string // exact, or a prefix when it ends in "..."
	}{
		{name: "open", cfg: TCPConfig{Address: open}, want: sources.Operational},
		{name: "refused", cfg: TCPConfig{Address: closedPort(t)}, want: sources.MajorOutage, detail: "connection refused"},
		{name: "refused with retries", cfg: TCPConfig{Address: closedPort(t), Retries: 2}, want: sources.MajorOutage,
			detail: "connection refused (3 attempts)"},
		{name: "timeout", cfg: TCPConfig{Address: unanswered(t)}, timeout: 200 * time.Millisecond, want: sources.MajorOutage,
			detail: "timed out after ≤200ms"},
		{name: "timeout from config", cfg: TCPConfig{Address: unanswered(t), Timeout: 150 * time.Millisecond}, timeout: -1,
			want: sources.MajorOutage, detail: "timed out after 150ms"},
		{name: "timeout with retry", cfg: TCPConfig{Address: unanswered(t), Retries: 1}, timeout: 400 * time.Millisecond,
			want: sources.MajorOutage, detail: "timed out after ..."},
		{name: "slow", cfg: TCPConfig{Address: open, DegradedLatency: time.Nanosecond}, want: sources.Degraded,
			detail: "slow: ..."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Name = "Example"
			p, err := NewTCP(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var obs sources.Observation
			if tc.timeout < 0 { // no deadline: the probe's Timeout applies
				obs, err = p.Poll(context.Background())
				if err != nil {
					t.Fatal(err)
				}
			} else {
				obs = pollOnce(t, p, tc.timeout)
			}
			checkObs(t, obs, tc.want, "", detailIs(tc.detail))
			if tc.name == "timeout with retry" && !strings.HasSuffix(obs.Components[0].Detail, " (2 attempts)") {
				t.Errorf("detail %q does not count 2 attempts", obs.Components[0].Detail)
			}
		})
	}
}

// detailIs matches a Detail exactly or, when want ends in "...", by prefix.
// "≤200ms" in want stands for a probe's budget taken from the poll's
// deadline: more than half of 200ms and at most 200ms (see budgettest).
func detailIs(want string) func(string) bool {
	return func(got string) bool {
		if _, after, ok := strings.Cut(want, "≤"); ok {
			end := strings.IndexAny(after, " ),")
			if end < 0 {
				end = len(after)
			}
			max, err := time.ParseDuration(after[:end])
			if err != nil {
				return false
			}
			want, got = strings.Replace(want, "≤", "", 1), budgettest.Normalize(got, max)
		}
		if p, ok := strings.CutSuffix(want, "..."); ok {
			return strings.HasPrefix(got, p)
		}
		return got == want
	}
}

func TestDetailIs(t *testing.T) {
	for _, tc := range []struct {
		want, got string
		ok        bool
	}{
		{"timed out after ≤200ms", "timed out after 200ms", true},
		{"timed out after ≤200ms", "timed out after 187ms", true},
		{"timed out after ≤200ms", "timed out after 201ms", false},
		{"timed out after ≤200ms", "timed out after 90ms", false},
		{"timed out after ≤200ms", "refused after 200ms", false},
		{"x (last failure: timed out after ≤300ms)", "x (last failure: timed out after 299ms)", true},
		{"x (last failure: timed out after ≤300ms)", "x (last failure: timed out after 299ms) and more", false},
		{"after ≤300ms (2 attempts)...", "after 250ms (2 attempts), then", true},
	} {
		if got := detailIs(tc.want)(tc.got); got != tc.ok {
			t.Errorf("detailIs(%q)(%q) = %v", tc.want, tc.got, got)
		}
	}
}

func TestTCPProbeNoSuchHost(t *testing.T) {
	srv := startDNS(t, nil)
	p, err := NewTCP(TCPConfig{Name: "Example", Address: "db.internal.test:5432"})
	if err != nil {
		t.Fatal(err)
	}
	// Resolve through the local DNS server, which knows no such name.
	p.dialer.Resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", srv)
	}}
	obs := pollOnce(t, p, 0)
	checkObs(t, obs, sources.MajorOutage, "DNS: no such host db.internal.test", nil)
	if !obs.Components[0].Network {
		t.Error("a name that does not resolve is not marked as a network failure")
	}
}

func TestTCPProbeCanceled(t *testing.T) {
	for _, cfg := range []TCPConfig{
		{Address: unanswered(t)},                      // canceled mid-connect
		{Address: closedPort(t), Retries: MaxRetries}, // canceled between retries
	} {
		p, err := NewTCP(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		if _, err := p.Poll(ctx); err != context.Canceled {
			t.Errorf("Poll on shutdown = %v, want context.Canceled", err)
		}
	}
}

func TestNewTCPErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  TCPConfig
		want string
	}{
		{TCPConfig{Name: "a", Address: "db.internal"}, `tcp probe "a": address "db.internal": missing port in address`},
		{TCPConfig{Name: "a", Address: ":5432"}, `tcp probe "a": address ":5432" has no host`},
		{TCPConfig{Name: "a", Address: "db:postgres"}, `tcp probe "a": address "db:postgres": port "postgres" is not a number from 1 to 65535`},
		{TCPConfig{Name: "a", Address: "db:70000"}, `tcp probe "a": address "db:70000": port "70000" is not a number from 1 to 65535`},
		{TCPConfig{Name: "a", Address: "db:1", Retries: -1}, `tcp probe "a": retries -1 must be between 0 and 10`},
	} {
		_, err := NewTCP(tc.cfg)
		if err == nil || err.Error() != tc.want {
			t.Errorf("NewTCP(%+v) = %v, want %s", tc.cfg, err, tc.want)
		}
	}
	p, err := NewTCP(TCPConfig{Address: "[::1]:22"})
	if err != nil || p.name != "[::1]:22" {
		t.Errorf("NewTCP with no name = %+v, %v; want the address as name", p, err)
	}
}

func BenchmarkTCPProbe(b *testing.B) {
	p, err := NewTCP(TCPConfig{Name: "bench", Address: listen(b)})
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
