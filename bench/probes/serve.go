package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The endpoint servers run in a child process (this binary with -serve), so
// that the bot's CPU time and memory are measured clean. The parent talks to
// the child over its stdin and stdout, one line at a time:
//
//	child:  {"ports":[...]}         once listening
//	parent: mark                    the measurement window starts now
//	child:  {...serverStats...}
//	parent: stats                   the window ends now
//	child:  {...serverStats...}     with the window's schedule figures
//
// The child exits when its stdin closes or its lifetime runs out.

// hello is the child's first line.
type hello struct {
	Ports []int `json:"ports"`
}

// serverStats is the child's answer to mark and stats.
type serverStats struct {
	Usage usage `json:"usage"`
	// Requests counts every request since the start; Window those since
	// mark.
	Requests int64 `json:"requests"`
	Window   int64 `json:"window_requests"`
	// MinPolls and MaxPolls are the fewest and most requests one target got
	// in the window; Unpolled counts targets with none.
	MinPolls int64 `json:"min_polls"`
	MaxPolls int64 `json:"max_polls"`
	Unpolled int   `json:"unpolled"`
	// MaxGap is the largest time between two requests of one target that
	// ended in the window, or between a target's last request and the end
	// of the window (a starved target shows up here too). P99Gap and
	// MedianGap are over the gaps between two requests that ended in the
	// window; LateGaps counts those longer than 1.5 intervals.
	MaxGap    time.Duration `json:"max_gap_ns"`
	P99Gap    time.Duration `json:"p99_gap_ns"`
	MedianGap time.Duration `json:"median_gap_ns"`
	LateGaps  int           `json:"late_gaps"`
	Gaps      int           `json:"gaps"`
	// Conns is the number of connections accepted since the start.
	Conns int64 `json:"conns"`
}

// endpoints counts requests per target.
type endpoints struct {
	start    time.Time
	interval time.Duration
	delay    time.Duration
	// flap: targets below it answer 503 for 4 intervals, then 200 for 4,
	// in turns (each from its own phase, so outages spread out).
	flap int

	mu       sync.Mutex
	last     []time.Duration // per target: arrival of its last request (0: none yet), since start
	count    []int64         // per target: requests in the window
	gaps     []time.Duration // gaps that ended in the window
	marked   bool
	requests int64
	window   int64
	conns    int64
}

func (e *endpoints) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/t/"))
	if err != nil || i < 0 || i >= len(e.last) {
		http.NotFound(w, r)
		return
	}
	now := time.Since(e.start)
	e.mu.Lock()
	e.requests++
	if e.marked {
		e.window++
		e.count[i]++
		if e.last[i] > 0 {
			e.gaps = append(e.gaps, now-e.last[i])
		}
	}
	e.last[i] = now
	e.mu.Unlock()
	if e.delay > 0 {
		t := time.NewTimer(e.delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if i < e.flap {
		cycle := 8 * e.interval
		offset := time.Duration(i) * cycle / time.Duration(e.flap)
		if (now+offset)%cycle < cycle/2 {
			http.Error(w, "flapping", http.StatusServiceUnavailable)
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Content-Length", "3")
	_, _ = io.WriteString(w, "ok\n")
}

func (e *endpoints) mark() serverStats {
	e.mu.Lock()
	e.marked = true
	e.window = 0
	clear(e.count)
	e.gaps = e.gaps[:0]
	s := serverStats{Requests: e.requests, Conns: e.conns}
	e.mu.Unlock()
	s.Usage = measure()
	return s
}

func (e *endpoints) stats() serverStats {
	now := time.Since(e.start)
	e.mu.Lock()
	s := serverStats{Requests: e.requests, Window: e.window, Conns: e.conns, Gaps: len(e.gaps)}
	gaps := slices.Clone(e.gaps)
	if len(e.count) > 0 {
		s.MinPolls = slices.Min(e.count)
		s.MaxPolls = slices.Max(e.count)
	}
	for i, n := range e.count {
		if n == 0 {
			s.Unpolled++
		}
		if e.last[i] > 0 {
			s.MaxGap = max(s.MaxGap, now-e.last[i])
		} else {
			s.MaxGap = max(s.MaxGap, now)
		}
	}
	e.mu.Unlock()
	slices.Sort(gaps)
	if len(gaps) > 0 {
		s.MaxGap = max(s.MaxGap, gaps[len(gaps)-1])
		s.P99Gap = gaps[(len(gaps)-1)*99/100]
		s.MedianGap = gaps[(len(gaps)-1)/2]
	}
	for _, g := range gaps {
		if g > e.interval*3/2 {
			s.LateGaps++
		}
	}
	s.Usage = measure()
	return s
}

// serve is the child: it listens on ports loopback ports, answers every
// /t/<i> request after delay, and answers the parent's commands.
func serve(targets, ports int, interval, delay time.Duration, flap int, lifetime time.Duration) error {
	e := &endpoints{
		start:    time.Now(),
		interval: interval,
		delay:    delay,
		flap:     flap,
		last:     make([]time.Duration, targets),
		count:    make([]int64, targets),
		gaps:     make([]time.Duration, 0, 4*targets),
	}
	srv := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		// Longer than any interval the harness allows, so that a keep-alive
		// connection is the client's to close, as with most real servers.
		IdleTimeout: 15 * time.Minute,
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				e.mu.Lock()
				e.conns++
				e.mu.Unlock()
			}
		},
		ErrorLog: nil,
	}
	var h hello
	for range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		h.Ports = append(h.Ports, l.Addr().(*net.TCPAddr).Port)
		go func() {
			if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				fmt.Fprintln(os.Stderr, "probes -serve:", err)
			}
		}()
	}
	defer srv.Close()

	out := json.NewEncoder(os.Stdout)
	if err := out.Encode(h); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			var err error
			switch sc.Text() {
			case "mark":
				err = out.Encode(e.mark())
			case "stats":
				err = out.Encode(e.stats())
			default:
				err = fmt.Errorf("unknown command %q", sc.Text())
			}
			if err != nil {
				done <- err
				return
			}
		}
		done <- sc.Err() // stdin closed: the parent is done
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(lifetime):
		return errors.New("lifetime ran out; exiting")
	}
}
