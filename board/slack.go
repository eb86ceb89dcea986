package board

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"
)

// Home tab defaults: who gets a re-published board on a change.
const (
	// DefaultRecent is how long after opening the Home tab a user keeps
	// getting it re-published on changes.
	DefaultRecent = 24 * time.Hour
	// DefaultMaxUsers bounds those users; the longest idle is dropped.
	DefaultMaxUsers = 200
)

// HomePublisher publishes a board as one user's Slack Home tab.
type HomePublisher interface {
	PublishHome(ctx context.Context, user string, lines []Line) error
}

// Home keeps the Slack App Home tab of recent visitors up to date: a user
// who opens it gets the board at once; every change re-publishes it for
// those who opened it within Recent, at most once per Throttle.
type Home struct {
	Publisher HomePublisher
	Lines     func() []Line
	Throttle  time.Duration // default DefaultThrottle
	Recent    time.Duration // default DefaultRecent
	MaxUsers  int           // default DefaultMaxUsers
	Log       *slog.Logger
	Now       func() time.Time
	// Published, if set, is told of every publish that worked (tests).
	Published func(user string)
	// Follows, if set, says which targets a user's own channels follow;
	// their tab shows only those. When it fails (the token lacks
	// channels:read, say) the user sees every target, as before it could
	// tell, and the failure is logged once.
	Follows func(ctx context.Context, user string) (keep func(target string) bool, err error)
	// Forget, if set, is told that user opened the tab, so that what
	// Follows remembers of them is read afresh.
	Forget func(user string)

	once  sync.Once
	wake  chan struct{}
	mu    sync.Mutex
	users map[string]time.Time // user -> last opened
	fresh map[string]bool      // opened since the last publish to them
	// warned: a Follows failure has been logged.
	warned bool
}

func (h *Home) init() {
	h.once.Do(func() {
		h.wake = make(chan struct{}, 1)
		h.users, h.fresh = map[string]time.Time{}, map[string]bool{}
	})
}

func (h *Home) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// Opened records that user opened the Home tab and has it published.
func (h *Home) Opened(user string) {
	h.init()
	if h.Forget != nil {
		h.Forget(user)
	}
	h.mu.Lock()
	h.users[user] = h.now()
	h.fresh[user] = true
	max := h.MaxUsers
	if max <= 0 {
		max = DefaultMaxUsers
	}
	for len(h.users) > max {
		oldest, at := "", time.Time{}
		for u, t := range h.users {
			if oldest == "" || t.Before(at) {
				oldest, at = u, t
			}
		}
		delete(h.users, oldest)
		delete(h.fresh, oldest)
	}
	h.mu.Unlock()
	h.Wake()
}

// Wake asks for the board to be checked for a change.
func (h *Home) Wake() {
	h.init()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Run publishes until ctx ends.
func (h *Home) Run(ctx context.Context) {
	h.init()
	throttle := h.Throttle
	if throttle <= 0 {
		throttle = DefaultThrottle
	}
	var (
		landed string
		lastAt time.Time
		timer  <-chan time.Time
	)
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.wake:
		case <-timer:
			timer = nil
		}
		lines := h.Lines()
		raw, _ := json.Marshal(lines)
		key := string(raw)
		everyone := key != landed
		if everyone && landed != "" && h.now().Sub(lastAt) < throttle {
			// Changed too soon after the last change: only those who
			// just opened the tab now, everyone when the throttle ends.
			everyone = false
			if timer == nil {
				timer = time.After(throttle - h.now().Sub(lastAt))
			}
		}
		users := h.take(everyone)
		for _, u := range users {
			if err := h.Publisher.PublishHome(ctx, u, h.linesFor(ctx, u, lines)); err != nil {
				if ctx.Err() != nil {
					return
				}
				if h.Log != nil {
					h.Log.Warn("cannot publish a Slack Home tab", "user", u, "err", err)
				}
				continue
			}
			if h.Published != nil {
				h.Published(u)
			}
		}
		if everyone {
			landed, lastAt = key, h.now()
		}
	}
}

// take returns the users to publish to: the fresh ones, and with everyone
// also all who opened the tab within Recent (forgetting the others).
func (h *Home) take(everyone bool) []string {
	recent := h.Recent
	if recent <= 0 {
		recent = DefaultRecent
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	now := h.now()
	for u, at := range h.users {
		if now.Sub(at) > recent {
			delete(h.users, u)
			delete(h.fresh, u)
			continue
		}
		if everyone || h.fresh[u] {
			out = append(out, u)
		}
	}
	clear(h.fresh)
	return out
}

// linesFor are the lines user's tab shows: those of the targets their
// channels follow, when that is known.
func (h *Home) linesFor(ctx context.Context, user string, lines []Line) []Line {
	if h.Follows == nil {
		return lines
	}
	keep, err := h.Follows(ctx, user)
	if err != nil {
		if !h.warned && h.Log != nil && ctx.Err() == nil {
			h.Log.Warn("cannot tell which channels a Slack user is in, so their Home tab shows every target (add the channels:read and groups:read scopes)", "user", user, "err", err)
		}
		h.warned = true
		return lines
	}
	var out []Line
	for _, l := range lines {
		if keep(l.Target) {
			out = append(out, l)
		}
	}
	return out
}
