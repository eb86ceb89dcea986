package main

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/outagebot/outagebot/sources/probe"
)

// schedule is the harness's own scheduler, used by -floor and by -batch
// (never by a default run, which uses the bot's own). It starts poll(i) for
// i = 0..n-1 round robin, one every interval/n, on a pool of workers, until
// ctx ends, then waits for polls in flight. With batch > 0 its timer wakes
// once per batch and starts every poll due by then, instead of waking once
// per poll: that is the experiment. A poll still running when its turn
// comes again is skipped.
func schedule(ctx context.Context, n int, interval, batch time.Duration, workers int, poll func(context.Context, int)) {
	if workers <= 0 {
		workers = 64
	}
	busy := make([]atomic.Bool, n)
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := range work {
				if ctx.Err() == nil {
					poll(ctx, i)
				}
				busy[i].Store(false)
			}
		})
	}
	defer func() {
		close(work)
		wg.Wait()
	}()
	step := interval / time.Duration(n)
	tick := max(step, batch)
	next := time.Now()
	t := time.NewTimer(0)
	defer t.Stop()
	i := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for due := time.Now(); !next.After(due); next = next.Add(step) {
			if busy[i].CompareAndSwap(false, true) {
				select {
				case work <- i:
				case <-ctx.Done():
					return
				}
			}
			i = (i + 1) % n
		}
		t.Reset(time.Until(next.Add(tick - step)))
	}
}

// floorClient is what -floor runs instead of the bot: the least a Go
// program can do to make the same requests on the same schedule. Each poll
// sends a GET with the shared transport outagebot uses
// (probe.NewSharedTransport), reads the body and closes it. No engine,
// store, metrics or logging: the difference between the bot's figures and
// these is outagebot's own cost.
type floorClient struct {
	ok, failed atomic.Int64
}

func (f *floorClient) run(ctx context.Context, o options, ports []int) {
	tr := probe.NewSharedTransport()
	if o.fresh {
		tr.DisableKeepAlives = true
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	timeout := min(10*time.Second, o.interval)
	urls := make([]string, o.targets)
	for i := range urls {
		urls[i] = "http://127.0.0.1:" + strconv.Itoa(ports[i%len(ports)]) + "/t/" + strconv.Itoa(i)
	}
	schedule(ctx, o.targets, o.interval, o.batch, o.workers, func(ctx context.Context, i int) {
		rctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		req, _ := http.NewRequestWithContext(rctx, http.MethodGet, urls[i], nil)
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 32<<10))
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				err = io.ErrUnexpectedEOF
			}
		}
		if err != nil {
			f.failed.Add(1)
		} else {
			f.ok.Add(1)
		}
	})
}

func (f *floorClient) counts() map[string]int {
	return map[string]int{"ok": int(f.ok.Load()), "error": int(f.failed.Load())}
}
