// Package guard holds what the chat platforms' HTTP callbacks share to
// refuse requests they must not answer: the memory of requests already
// answered (replays) and a log of refusals that a flood of forged requests
// cannot turn into a flood of log lines.
package guard

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Seen remembers the keys of accepted requests. Remember reports whether
// key is new at now, and keeps it until now+ttl. *store.Store implements it
// in the database, so every replica, and the next process, refuses a
// request that one of them accepted.
type Seen interface {
	Remember(ctx context.Context, key string, now time.Time, ttl time.Duration) (bool, error)
}

// maxMemory bounds Memory (about 10 minutes of traffic at 150 requests a
// second); beyond it the oldest keys are forgotten.
const maxMemory = 100_000

// Memory is a Seen for one process (tests, and handlers given no store).
// It is safe for concurrent use.
type Memory struct {
	mu sync.Mutex
	// until is when each key may be forgotten, in Unix nanoseconds: no
	// pointers besides the keys, so the map is cheap to scan.
	until map[string]int64
	order []string // insertion order, oldest first
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory { return &Memory{until: map[string]int64{}} }

// Remember implements Seen.
func (m *Memory) Remember(_ context.Context, key string, now time.Time, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ns := now.UnixNano()
	for len(m.order) > 0 && (len(m.order) >= maxMemory || m.until[m.order[0]] <= ns) {
		delete(m.until, m.order[0])
		m.order = m.order[1:]
	}
	if until, ok := m.until[key]; ok && until > ns {
		return false, nil
	}
	m.until[key] = now.Add(ttl).UnixNano()
	m.order = append(m.order, key)
	return true, nil
}

// Len is how many keys Memory holds.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.until)
}

// RefusalLogEvery is how often Refusals logs at most.
const RefusalLogEvery = time.Minute

// Refusals logs refused requests: at most one WARN per RefusalLogEvery,
// carrying the reason and origin of the refusal it logs and how many were
// refused without a line since the last one. The reason goes here and never
// into the response, which says only "unauthorized": a caller probing the
// endpoint learns nothing about which check failed.
type Refusals struct {
	log   *slog.Logger
	msg   string
	now   func() time.Time
	lines Every
}

// Every lets one line through per Period and counts those it holds back,
// so that a flood of one kind of event logs a line a minute, not a line
// each.
type Every struct {
	Period time.Duration

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// Allow reports whether a line at at may be written and, when it may, how
// many were held back since the last one. A clock that went back more
// than Period lets a line through.
func (e *Every) Allow(at time.Time) (ok bool, suppressed int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.last.IsZero() && at.Sub(e.last) < e.Period && at.After(e.last.Add(-e.Period)) {
		e.suppressed++
		return false, 0
	}
	suppressed = e.suppressed
	e.last, e.suppressed = at, 0
	return true, suppressed
}

// NewRefusals logs to log with msg as the message; now is the clock (nil:
// time.Now).
func NewRefusals(log *slog.Logger, msg string, now func() time.Time) *Refusals {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Refusals{log: log, msg: msg, now: now, lines: Every{Period: RefusalLogEvery}}
}

// Refuse records one refused request.
func (r *Refusals) Refuse(reason, remote string) {
	ok, suppressed := r.lines.Allow(r.now())
	if !ok {
		return
	}
	r.log.Warn(r.msg, "reason", reason, "remote", remote, "suppressed_since_last", suppressed)
}
