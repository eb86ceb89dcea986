package sources

import (
	"errors"
	"net"
	"syscall"
)

// NetworkFailure reports whether err means the request never reached a
// server: the name did not resolve, or no connection could be made
// (refused, no route, network down, connect timed out). An answer the
// server gave, however bad (an HTTP error, a reset, a TLS failure, a read
// timeout), is not one. When every target fails like this at once, the
// trouble is most likely the bot's own network (see bot.NetworkWatch).
func NetworkFailure(err error) bool {
	if err == nil {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	for _, errno := range []syscall.Errno{syscall.ECONNREFUSED, syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.ENETDOWN} {
		if errors.Is(err, errno) {
			return true
		}
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}
