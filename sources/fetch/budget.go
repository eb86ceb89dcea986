package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
)

// DefaultBodyBudget bounds the bytes that every body being read through one
// Client may hold at once, whatever the number of workers: with 60 workers
// and a 5 MiB body limit, hostile feeds that all send endless bodies would
// otherwise hold 300 MiB.
const DefaultBodyBudget int64 = 24 << 20

// budget is a pool of bytes that bodies being read draw on as their buffers
// grow, so memory stays bounded under any load; a body's bytes return to the
// pool when Get returns. A reader that holds nothing yet waits for bytes (up
// to its deadline); one that already holds some and needs more fails at once
// if the pool is short, since readers that wait while holding could wait on
// each other until they all time out.
type budget struct {
	mu      sync.Mutex
	free    int64
	size    int64
	waiters int           // readers waiting for bytes
	wake    chan struct{} // closed and replaced when bytes return to waiters
	peak    int64         // most bytes held at once, for tests and benchmarks
}

func newBudget(size int64) *budget {
	return &budget{free: size, size: size, wake: make(chan struct{})}
}

// ErrBudget is a body that could not grow because the bodies in flight
// already hold the client's whole budget.
var ErrBudget = errors.New("the memory for bodies in flight is used up")

// take draws n bytes. With wait set it waits while the pool is short, until
// ctx ends; without, a short pool is ErrBudget. n more than the whole pool
// always fails.
func (b *budget) take(ctx context.Context, n int64, wait bool) error {
	if n > b.size {
		return fmt.Errorf("a body buffer of %s exceeds the %s budget for bodies in flight", FormatSize(n), FormatSize(b.size))
	}
	for {
		b.mu.Lock()
		if b.free >= n {
			b.free -= n
			b.peak = max(b.peak, b.size-b.free)
			b.mu.Unlock()
			return nil
		}
		if !wait {
			inUse := b.size - b.free
			b.mu.Unlock()
			return fmt.Errorf("%w (%s of bodies being read at once, the limit)", ErrBudget, FormatSize(inUse))
		}
		wake := b.wake
		b.waiters++
		b.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
		}
		b.mu.Lock()
		b.waiters--
		b.mu.Unlock()
		if ctx.Err() != nil {
			return fmt.Errorf("waiting for memory to read the body (%s of bodies already in flight): %w", FormatSize(b.size), ctx.Err())
		}
	}
}

// give returns n bytes to the pool.
func (b *budget) give(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.free += n
	if b.waiters > 0 {
		close(b.wake)
		b.wake = make(chan struct{})
	}
	b.mu.Unlock()
}

// Peak is the most body bytes the client held at once since it was made.
func (c *Client) Peak() int64 {
	c.budget.mu.Lock()
	defer c.budget.mu.Unlock()
	return c.budget.peak
}

// readBudgeted is ReadBody with every byte of the buffer drawn from b
// first. It returns the body and how many bytes it drew, which the caller
// gives back once the body is no longer read into.
func readBudgeted(ctx context.Context, b *budget, r io.Reader, contentLength, limit int64) (body []byte, held int64, err error) {
	if contentLength > limit {
		return nil, 0, ErrTooLarge
	}
	size := int64(16 << 10)
	if contentLength >= 0 {
		size = contentLength + 1 // room to see EOF without growing
	}
	size = min(size, limit+1)
	if err := b.take(ctx, size, true); err != nil {
		return nil, 0, err
	}
	held = size
	buf := make([]byte, 0, size)
	lr := io.LimitedReader{R: r, N: limit + 1}
	for {
		if len(buf) == cap(buf) {
			// Grow by doubling, drawing the new buffer's bytes before it
			// exists; the old one is garbage once copied.
			next := min(2*int64(cap(buf)), limit+1)
			if err := b.take(ctx, next, false); err != nil {
				return nil, held, err
			}
			grown := make([]byte, len(buf), next)
			copy(grown, buf)
			b.give(int64(cap(buf)))
			held += next - int64(cap(buf))
			buf = grown
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, held, ErrTooLarge
		}
		if err == io.EOF {
			return buf, held, nil
		}
		if err != nil {
			return nil, held, err
		}
	}
}
