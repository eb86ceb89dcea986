//go:build !unix

package store

// processGone cannot tell here, so a lease always runs out instead.
func processGone(int) bool { return false }
