package probe

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/outagebot/outagebot/sources"
)

// TCPConfig configures a TCP probe, which opens a connection and closes it.
type TCPConfig struct {
	// Name is the component's name (the target's name); Address when empty.
	Name string
	// Address is host:port. A host name is resolved on every poll.
	Address string
	// Timeout bounds a poll whose context has no deadline (DefaultTimeout
	// when 0). The scheduler's context deadline wins.
	Timeout time.Duration
	// Retries is how many more times a failed connect is tried within one
	// poll (0 to MaxRetries).
	Retries int
	// DegradedLatency reports a connect that took longer as degraded
	// (0: never).
	DegradedLatency time.Duration
}

var _ sources.Source = (*TCP)(nil)

// TCP probes that a port accepts connections. It is safe for concurrent use.
type TCP struct {
	name    string
	addr    string
	dialer  net.Dialer // its Resolver is replaced by tests
	slow    time.Duration
	timeout time.Duration
	retries int
}

// NewTCP checks cfg and builds the probe.
func NewTCP(cfg TCPConfig) (*TCP, error) {
	host, port, err := net.SplitHostPort(cfg.Address)
	switch {
	case err != nil:
		return nil, fmt.Errorf("tcp probe %q: address %q: %v", cfg.Name, cfg.Address, addrErr(err))
	case host == "":
		return nil, fmt.Errorf("tcp probe %q: address %q has no host", cfg.Name, cfg.Address)
	case !validPort(port):
		return nil, fmt.Errorf("tcp probe %q: address %q: port %q is not a number from 1 to 65535", cfg.Name, cfg.Address, port)
	}
	if err := checkRetries(cfg.Retries); err != nil {
		return nil, fmt.Errorf("tcp probe %q: %v", cfg.Name, err)
	}
	p := &TCP{
		name:    cfg.Name,
		addr:    cfg.Address,
		slow:    cfg.DegradedLatency,
		timeout: cfg.Timeout,
		retries: cfg.Retries,
	}
	if p.name == "" {
		p.name = cfg.Address
	}
	return p, nil
}

// Poll connects, with retries.
func (p *TCP) Poll(ctx context.Context) (sources.Observation, error) {
	return poll(ctx, p.name, p, p.timeout, p.retries)
}

func (p *TCP) attempt(ctx context.Context) outcome {
	start := time.Now()
	c, err := p.dialer.DialContext(ctx, "tcp", p.addr)
	latency := time.Since(start)
	if err != nil {
		return outcome{status: sources.MajorOutage, detail: describe(ctx, err, start), latency: latency, network: sources.NetworkFailure(err)}
	}
	c.Close()
	if p.slow > 0 && latency > p.slow {
		return outcome{status: sources.Degraded, detail: slowDetail(latency, p.slow), latency: latency}
	}
	return outcome{status: sources.Operational, latency: latency}
}
