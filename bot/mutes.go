package bot

import (
	"context"
	"sync"
	"time"

	"github.com/outagebot/outagebot/store"
)

// MuteStore persists mutes.
type MuteStore interface {
	SaveMute(ctx context.Context, m store.MuteRow) error
	DeleteMute(ctx context.Context, target string) (bool, error)
	Mutes(ctx context.Context, now time.Time) ([]store.MuteRow, error)
}

// Windows are configured silences (package silence): a target under one
// is treated like a muted one.
type Windows interface {
	Silenced(target string, at time.Time) (Mute, bool)
}

// Mutes keeps the current mutes in memory, for the runner's hot path, and in
// the store, so they survive a restart. Configured silence windows go
// through it too, so that the runner, /status and digests have one notion
// of "not announced now".
type Mutes struct {
	store MuteStore
	mu    sync.RWMutex
	by    map[string]Mute
	// windows are the configured silences; a reload replaces them.
	windows Windows
}

// SetWindows sets the configured silence windows, replacing any set
// before (a reloaded configuration's).
func (m *Mutes) SetWindows(w Windows) {
	m.mu.Lock()
	m.windows = w
	m.mu.Unlock()
}

// NewMutes loads the mutes in force at now.
func NewMutes(ctx context.Context, s MuteStore, now time.Time) (*Mutes, error) {
	rows, err := s.Mutes(ctx, now)
	if err != nil {
		return nil, err
	}
	m := &Mutes{store: s, by: map[string]Mute{}}
	for _, r := range rows {
		m.by[r.Target] = Mute{Target: r.Target, Until: r.Until, By: r.By, Reason: r.Reason}
	}
	return m, nil
}

// Reload replaces the mutes in memory with those in force in the store at
// now, picking up mutes set or lifted through another replica.
func (m *Mutes) Reload(ctx context.Context, now time.Time) error {
	rows, err := m.store.Mutes(ctx, now)
	if err != nil {
		return err
	}
	by := make(map[string]Mute, len(rows))
	for _, r := range rows {
		by[r.Target] = Mute{Target: r.Target, Until: r.Until, By: r.By, Reason: r.Reason}
	}
	m.mu.Lock()
	m.by = by
	m.mu.Unlock()
	return nil
}

// Mute stores and applies a mute.
func (m *Mutes) Mute(ctx context.Context, mu Mute) error {
	if err := m.store.SaveMute(ctx, store.MuteRow{Target: mu.Target, Until: mu.Until, By: mu.By, Reason: mu.Reason}); err != nil {
		return err
	}
	m.mu.Lock()
	m.by[mu.Target] = mu
	m.mu.Unlock()
	return nil
}

// Unmute ends a mute early and reports whether there was one in force at now.
func (m *Mutes) Unmute(ctx context.Context, target string, now time.Time) (bool, error) {
	if _, err := m.store.DeleteMute(ctx, target); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	mu, ok := m.by[target]
	delete(m.by, target)
	return ok && mu.Until.After(now), nil
}

// Muted returns the mute of target in force at at: one set from the chat,
// else a configured silence window.
func (m *Mutes) Muted(target string, at time.Time) (Mute, bool) {
	if m == nil {
		return Mute{}, false
	}
	m.mu.RLock()
	mu, ok := m.by[target]
	windows := m.windows
	m.mu.RUnlock()
	if ok && mu.Until.After(at) {
		return mu, true
	}
	if windows != nil {
		return windows.Silenced(target, at)
	}
	return Mute{}, false
}
