// Package probe checks internal endpoints directly: one file per probe kind
// (http.go, tcp.go, dns.go, tlscert.go), each a Config struct, a New
// constructor that checks it, and a type whose Poll runs the check.
//
// A probe's Poll returns one component, "endpoint", whose Status says how the
// check went and whose Detail says why in a few words. A failing endpoint is
// not a Poll error, since it is what the probe measures; Poll fails only when
// its context is canceled (shutdown). Probes log nothing: the engine reports
// state changes.
//
// # Timeouts and retries
//
// A poll's budget is its context's deadline (the scheduler's), or the
// probe's Timeout when the context has none. With Retries > 0 a failed
// attempt (major_outage) is tried again, up to Retries more times, within
// that same budget: each attempt gets an equal share of the time left, so a
// hung first attempt leaves time for the next, and one that fails at once
// hands its share on. A pass on a retry is operational (or degraded, if
// slow), with a Detail such as "after 1 retry (last failure: connection
// refused)"; a failure of every attempt reports the last attempt's reason
// and the count, "connection refused (3 attempts)". Degraded results are
// not retried.
package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

// ComponentID is the ID of the single component a probe reports.
const ComponentID = "endpoint"

// DefaultTimeout bounds a probe whose context has no deadline.
const DefaultTimeout = 10 * time.Second

// result builds the observation a probe returns.
func result(name string, o outcome) sources.Observation {
	return sources.Observation{
		At: time.Now(),
		Components: []sources.Component{{
			ID:      ComponentID,
			Name:    name,
			Status:  o.status,
			Latency: o.latency,
			Detail:  o.detail,
			Network: o.network,
			Expires: o.expires,
		}},
	}
}

// canceled reports whether ctx was canceled (shutdown), as opposed to having
// run out of time (a timeout is a probe result).
func canceled(ctx context.Context) bool { return errors.Is(ctx.Err(), context.Canceled) }

// budget is how long a probe started now may take.
func budget(ctx context.Context, start time.Time) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		return d.Sub(start)
	}
	return 0
}

// describe says why an attempt failed (see fetch.Describe). A network
// timeout at the attempt's deadline is the deadline's doing even when the
// context has not noticed yet: "timed out after 2s".
func describe(ctx context.Context, err error, start time.Time) string {
	var netErr net.Error
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) && errors.As(err, &netErr) && netErr.Timeout() {
		return "timed out after " + fetch.FormatDuration(d.Sub(start))
	}
	msg, _ := fetch.Describe(ctx, err, budget(ctx, start))
	return msg
}

// slowDetail is the Detail of a check that passed too slowly.
func slowDetail(latency, threshold time.Duration) string {
	return "slow: " + fetch.FormatDuration(latency) + ", threshold " + fetch.FormatDuration(threshold)
}

// MaxRetries bounds every probe kind's Retries.
const MaxRetries = 10

// checkRetries checks a Retries setting.
func checkRetries(n int) error {
	if n < 0 || n > MaxRetries {
		return fmt.Errorf("retries %d must be between 0 and %d", n, MaxRetries)
	}
	return nil
}

// retryPause is the longest wait between two attempts of one poll; it is
// shortened when the poll has little time left.
const retryPause = 100 * time.Millisecond

// minAttempt is the least time left worth another attempt.
const minAttempt = 10 * time.Millisecond

// outcome is what one attempt of a check saw.
type outcome struct {
	status  sources.Status
	detail  string
	latency time.Duration
	// network: the attempt failed before reaching the endpoint.
	network bool
	// expires is the served certificate chain's earliest expiry, when the
	// attempt saw one (TLS).
	expires time.Time
}

// checker is a probe kind's single attempt. attempt must honour ctx's
// deadline, which is always set, and report a timeout as a result.
type checker interface {
	attempt(ctx context.Context) outcome
}

// poll runs c's check with the probe's budget and retries (see the package
// documentation) and builds the observation.
func poll(ctx context.Context, name string, c checker, timeout time.Duration, retries int) (sources.Observation, error) {
	if canceled(ctx) {
		return sources.Observation{}, ctx.Err()
	}
	if _, ok := ctx.Deadline(); !ok {
		if timeout <= 0 {
			timeout = DefaultTimeout
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	deadline, _ := ctx.Deadline()
	var lastFailure string
	for try := 0; ; try++ {
		left := retries - try // attempts that may follow this one
		o := attempt(ctx, c, deadline, left)
		if o.status == sources.MajorOutage && canceled(ctx) {
			return sources.Observation{}, ctx.Err()
		}
		if o.status != sources.MajorOutage {
			if try > 0 {
				o.detail = joinDetail(o.detail, "after "+retriesText(try)+" (last failure: "+lastFailure+")")
			}
			o.network = false
			return result(name, o), nil
		}
		rest := time.Until(deadline)
		if left <= 0 || rest < minAttempt {
			if try > 0 {
				o.detail += " (" + strconv.Itoa(try+1) + " attempts)"
			}
			return result(name, o), nil
		}
		lastFailure = o.detail
		if !pause(ctx, min(retryPause, rest/10)) {
			return sources.Observation{}, ctx.Err()
		}
	}
}

// attempt runs one attempt; when more may follow it gets an equal share of
// the time left, so that they all fit in the poll's budget.
func attempt(ctx context.Context, c checker, deadline time.Time, more int) outcome {
	if more <= 0 {
		return c.attempt(ctx)
	}
	share := time.Until(deadline) / time.Duration(more+1)
	actx, cancel := context.WithTimeout(ctx, share)
	defer cancel()
	return c.attempt(actx)
}

// pause waits d between two attempts; false means ctx was canceled
// (shutdown). A deadline ending the pause is no reason to stop: the next
// attempt reports the timeout.
func pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
	return !canceled(ctx)
}

// retriesText is "1 retry" or "2 retries".
func retriesText(n int) string {
	if n == 1 {
		return "1 retry"
	}
	return strconv.Itoa(n) + " retries"
}

// joinDetail appends a note to a detail that may be empty.
func joinDetail(detail, note string) string {
	if detail == "" {
		return note
	}
	return detail + "; " + note
}

// plural is "1 day", "5 days".
func plural(n int, unit string) string {
	if n == 1 || n == -1 {
		return strconv.Itoa(n) + " " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// withDefaultPort adds port to an address that has none: a host name, an
// IPv4 address or an IPv6 one (bracketed or not). Anything else is returned
// as it is, for net.SplitHostPort to reject.
func withDefaultPort(addr, port string) string {
	if _, _, err := net.SplitHostPort(addr); err == nil || addr == "" ||
		strings.HasPrefix(addr, "[") != strings.HasSuffix(addr, "]") {
		return addr
	}
	bare := strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
	if _, err := netip.ParseAddr(bare); err == nil || !strings.ContainsAny(bare, ":[]") {
		return net.JoinHostPort(bare, port)
	}
	return addr
}

// validPort reports whether s is a TCP or UDP port number (1-65535);
// service names are not accepted.
func validPort(s string) bool {
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
		if n > 65535 {
			return false
		}
	}
	return s != "" && n > 0
}

// addrErr drops the repetition of the address from net's parse errors.
func addrErr(err error) string {
	if ae, ok := err.(*net.AddrError); ok {
		return ae.Err
	}
	return err.Error()
}
