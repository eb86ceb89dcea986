package app

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/outagebot/outagebot/board"
	"github.com/outagebot/outagebot/config"
)

// followsTTL is how long a user's channels are remembered: every change
// re-publishes the Home tab of each recent visitor, and their channels
// seldom change between two changes.
const followsTTL = 5 * time.Minute

// maxFollowsCached bounds the users remembered (the Home tab keeps at most
// board.DefaultMaxUsers visitors).
const maxFollowsCached = 4 * board.DefaultMaxUsers

// channelLister lists the Slack channels a user is in.
type channelLister interface {
	UserChannels(ctx context.Context, user string) ([]string, error)
}

// homeFollows answers which targets a Slack user's own channels follow,
// for their Home tab: the targets routed to each configured channel with a
// Slack id the user is in.
type homeFollows struct {
	lister    channelLister
	byChannel map[string][]string // Slack channel id -> targets routed there
	now       func() time.Time

	mu    sync.Mutex
	cache map[string]followed
}

type followed struct {
	keep func(string) bool
	at   time.Time
}

func newHomeFollows(cfg *config.Config, lister channelLister) *homeFollows {
	f := &homeFollows{lister: lister, byChannel: map[string][]string{}, now: time.Now, cache: map[string]followed{}}
	for _, ch := range cfg.Channels {
		if ch.Slack != "" {
			id := strings.ToUpper(ch.Slack)
			f.byChannel[id] = append(f.byChannel[id], routedTo(cfg, ch)...)
		}
	}
	return f
}

// follows is board.Home's Follows.
func (f *homeFollows) follows(ctx context.Context, user string) (func(string) bool, error) {
	f.mu.Lock()
	c, ok := f.cache[user]
	f.mu.Unlock()
	if ok && f.now().Sub(c.at) < followsTTL {
		return c.keep, nil
	}
	chans, err := f.lister.UserChannels(ctx, user)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, ch := range chans {
		names = append(names, f.byChannel[strings.ToUpper(ch)]...)
	}
	keep := board.Routed(names)
	f.mu.Lock()
	if len(f.cache) >= maxFollowsCached {
		clear(f.cache)
	}
	f.cache[user] = followed{keep: keep, at: f.now()}
	f.mu.Unlock()
	return keep, nil
}

// forget drops what is remembered of user, so that opening the Home tab
// reads their channels afresh.
func (f *homeFollows) forget(user string) {
	f.mu.Lock()
	delete(f.cache, user)
	f.mu.Unlock()
}
