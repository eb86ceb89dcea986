package app

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/board"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/i18n"
	slackcmd "github.com/outagebot/outagebot/interact/slack"
	"github.com/outagebot/outagebot/notifier/discord"
	"github.com/outagebot/outagebot/notifier/slack"
)

// boards wakes the live status boards on every change (package board).
// They run on the leader only, each on its own goroutine, outside the
// dispatcher, so a board never delays a notification.
type boards struct {
	mu    sync.Mutex
	wakes []chan struct{}
	home  *board.Home
	// homeUsers keeps app_home_opened events that arrive on a standby
	// or before the leader starts: the leader's Home publishes them.
	homeUsers []string
	// throttle, if set, replaces board.DefaultThrottle (tests).
	throttle time.Duration
	// landed, if set, is told of each board state that landed (tests).
	landed func(dest, messageID string)
}

func (b *boards) wake() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, w := range b.wakes {
		select {
		case w <- struct{}{}:
		default:
		}
	}
	if b.home != nil {
		b.home.Wake()
	}
}

func (b *boards) homeOpened(user string) {
	b.mu.Lock()
	h := b.home
	if h == nil && len(b.homeUsers) < board.DefaultMaxUsers {
		b.homeUsers = append(b.homeUsers, user)
	}
	b.mu.Unlock()
	if h != nil {
		h.Opened(user)
	}
}

// slackEvents serves POST /slack/events: App Home opened.
func (a *App) slackEvents(secret string) http.Handler {
	return slackcmd.NewEventsHandler(slackcmd.EventsOptions{
		SigningSecret: secret,
		HomeOpened:    a.boards.homeOpened,
		Log:           a.log.With("component", "slack-events"),
		// Behind a load balancer Slack's retry of an event may reach
		// another replica: the store remembers event ids for all.
		Seen: a.store,
	})
}

// startBoards starts the Discord boards of the channels with status_board
// and, with Slack, the App Home tab, until ctx (the leader's term) ends.
func (a *App) startBoards(ctx context.Context, wg *sync.WaitGroup) {
	cfg := a.cfg
	log := a.log.With("component", "boards")
	view := board.View(a.runner)
	if cfg.Discord != nil {
		for _, ch := range cfg.Channels {
			if !ch.StatusBoard || ch.Discord == "" {
				continue
			}
			n, err := discord.New(discord.Options{Token: cfg.Discord.BotToken, APIURL: cfg.Discord.APIURL, Log: log})
			if err != nil {
				log.Error("cannot keep the status board", "channel", ch.Name, "err", err)
				continue
			}
			keep := board.Routed(routedTo(cfg, ch))
			dest := ch.Name + "/discord"
			// The board speaks its channel's language.
			p := i18n.For(cfg.LocaleOf(ch))
			d := &board.Discord{
				API: n.Boards(), Records: a.store, Dest: dest, Channel: ch.Discord,
				Lines:    func() []board.Line { return board.Lines(view, keep) },
				Render:   func(lines []board.Line) *discordgo.MessageEmbed { return discord.RenderBoard(p, lines) },
				GoneErr:  discord.ErrBoardGone,
				Throttle: a.boards.throttle,
				Log:      log,
			}
			if f := a.boards.landed; f != nil {
				d.Changed = func(id string) { f(dest, id) }
			}
			w := make(chan struct{}, 1)
			a.boards.mu.Lock()
			a.boards.wakes = append(a.boards.wakes, w)
			a.boards.mu.Unlock()
			wg.Go(func() {
				d.Run(ctx, w)
				a.boards.forget(w)
			})
		}
	}
	if s := cfg.Slack; s != nil && s.BotToken != "" {
		var names []string
		for _, ch := range cfg.Channels {
			if ch.Slack != "" {
				names = append(names, routedTo(cfg, ch)...)
			}
		}
		keep := board.Routed(names)
		n := slack.New(slack.Options{Token: s.BotToken, APIURL: s.APIURL, Log: log})
		// The Home tab is one user's, not a channel's; Slack does not say
		// the user's language on app_home_opened, so it is [bot] locale.
		// Each user's tab shows what their own channels follow.
		follows := newHomeFollows(cfg, n)
		h := &board.Home{Publisher: n.Home(cfg.Bot.Locale), Lines: func() []board.Line { return board.Lines(view, keep) },
			Throttle: a.boards.throttle, Log: log, Follows: follows.follows, Forget: follows.forget}
		if f := a.boards.landed; f != nil {
			h.Published = func(user string) { f("home", user) }
		}
		a.boards.mu.Lock()
		a.boards.home = h
		pending := a.boards.homeUsers
		a.boards.homeUsers = nil
		a.boards.mu.Unlock()
		for _, u := range pending {
			h.Opened(u)
		}
		wg.Go(func() {
			h.Run(ctx)
			a.boards.mu.Lock()
			a.boards.home = nil
			a.boards.mu.Unlock()
		})
	}
	// Statuses can change without an event (a target's first poll, an
	// unreachable feed below its threshold): look again every throttle
	// period; rendering is cheap and only a change is sent.
	every := board.DefaultThrottle
	if a.boards.throttle > 0 {
		every = max(a.boards.throttle, 10*time.Millisecond)
	}
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				a.boards.wake()
			}
		}
	})
}

func (b *boards) forget(w chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, x := range b.wakes {
		if x == w {
			b.wakes = append(b.wakes[:i], b.wakes[i+1:]...)
			return
		}
	}
}

// routedTo names the targets whose events go to ch.
func routedTo(cfg *config.Config, ch config.Channel) []string {
	var out []string
	for _, t := range cfg.Targets {
		for _, c := range cfg.ChannelsFor(t) {
			if strings.EqualFold(c.Name, ch.Name) {
				out = append(out, t.Name)
				break
			}
		}
	}
	return out
}
