//go:build unix

package store

import (
	"errors"
	"syscall"
)

// processGone reports whether no process with pid exists on this host.
// Signal 0 checks without signalling; only ESRCH means gone (EPERM is a
// process of another user).
func processGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
