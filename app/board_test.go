package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/notifier/discord"
	"github.com/outagebot/outagebot/store"
)

// landings records what the boards landed.
type landings struct {
	mu  sync.Mutex
	ids []string
}

func (l *landings) add(_, id string) {
	l.mu.Lock()
	l.ids = append(l.ids, id)
	l.mu.Unlock()
}

func (l *landings) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.ids)
}

// boardMessages are the channel's messages that are status boards.
func boardMessages(api *fakediscord.Server, channel string) []fakediscord.Message {
	var out []fakediscord.Message
	for _, m := range api.Messages(channel) {
		if len(m.Embeds) > 0 && m.Embeds[0].Footer != nil && m.Embeds[0].Footer.Text == discord.BoardMarker {
			out = append(out, m)
		}
	}
	return out
}

// boardConfig is a bot with a status board in the Discord channel
// "community" for one vendor page; channel holds more of the channel's
// lines.
func boardConfig(t *testing.T, state, discordURL, discordChannel, feed, channel string) *config.Config {
	t.Helper()
	return parseConfig(t, fmt.Sprintf(`
[bot]
state = %q
listen = ""
[discord]
bot_token = "test-discord-token"
api_url = %q
[[channel]]
name = "community"
discord = %q
status_board = true
%s
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1s"
`, state, discordURL, discordChannel, channel, feed))
}

// The Discord status board: posted and pinned once, edited through an
// outage, and never doubled: not after a restart (the store has its id),
// nor after a crash between posting and recording (found among the pins),
// and posted again once when someone deleted it.
func TestDiscordStatusBoard(t *testing.T) {
	const channel = "112233445566778899"
	v, feed := newVendor(t, 0)
	api := newDiscord(t, channel)
	state := filepath.Join(t.TempDir(), "state.db")
	cfg := boardConfig(t, state, api.URL(), channel, feed, "")
	// start runs a bot on the shared store until the board has landed
	// want times, and returns a stop function.
	start := func(t *testing.T, l *landings) func() {
		t.Helper()
		return startWith(t, cfg, app.Options{Dispatch: fastRetries}, func(a *app.App) { a.SetBoards(time.Nanosecond, l.add) }).stop
	}
	embed := func(m fakediscord.Message) string {
		b, _ := json.Marshal(m.Embeds)
		return string(b)
	}
	current := func() string {
		bs := boardMessages(api, channel)
		if len(bs) == 0 {
			return ""
		}
		return embed(bs[len(bs)-1])
	}

	l := &landings{}
	stop := start(t, l)
	waitFor(t, "the board to show OpenAI operational", func() bool {
		return strings.Contains(current(), "The only target is operational")
	})
	v.phase.Store(1)
	waitFor(t, "the board to show the outage", func() bool {
		return strings.Contains(current(), "1 of 1 targets need attention") && strings.Contains(current(), `since \u003ct:`)
	})
	v.phase.Store(3)
	waitFor(t, "the board to show the restoration", func() bool {
		return strings.Contains(current(), "The only target is operational") && len(boardMessages(api, channel)[0].Edits) >= 2
	})
	stop()
	bs := boardMessages(api, channel)
	if len(bs) != 1 {
		t.Fatalf("%d board messages, want 1", len(bs))
	}
	id := bs[0].ID
	if got := api.Pinned(channel); !slices.Equal(got, []string{id}) {
		t.Fatalf("pinned %v, want [%s]", got, id)
	}
	ctx := context.Background()

	check := func(t *testing.T, want string) {
		t.Helper()
		bs := boardMessages(api, channel)
		if len(bs) != 1 || bs[0].ID != want {
			t.Fatalf("board messages %d (first %v), want exactly %s", len(bs), bs, want)
		}
	}
	t.Run("restart reuses the recorded message", func(t *testing.T) {
		edits := len(api.Calls(fakediscord.RouteEditMessage))
		l := &landings{}
		stop := start(t, l)
		waitFor(t, "the board to land", func() bool { return l.count() > 0 })
		stop()
		check(t, id)
		if len(api.Calls(fakediscord.RouteEditMessage)) <= edits {
			t.Error("the board was not edited after the restart")
		}
	})
	t.Run("crash between post and record finds the pinned message", func(t *testing.T) {
		st := openStore(t, state)
		if err := st.ForgetBoard(ctx, "community/discord"); err != nil {
			t.Fatal(err)
		}
		st.Close()
		pins := len(api.Calls(fakediscord.RoutePins))
		l := &landings{}
		stop := start(t, l)
		waitFor(t, "the board to land", func() bool { return l.count() > 0 })
		stop()
		check(t, id)
		if len(api.Calls(fakediscord.RoutePins)) <= pins {
			t.Error("the pins were not looked up")
		}
		st = openStore(t, state)
		defer st.Close()
		if got, _ := st.Board(ctx, "community/discord"); got != id {
			t.Errorf("recorded %q, want %s", got, id)
		}
	})
	t.Run("a deleted board is posted again once", func(t *testing.T) {
		api.DeleteMessage(id)
		l := &landings{}
		stop := start(t, l)
		waitFor(t, "the board to land", func() bool { return l.count() > 0 })
		stop()
		bs := boardMessages(api, channel)
		if len(bs) != 1 || bs[0].ID == id {
			t.Fatalf("board messages %d, want one new one", len(bs))
		}
		if got := api.Pinned(channel); !slices.Equal(got, []string{bs[0].ID}) {
			t.Errorf("pinned %v, want [%s]", got, bs[0].ID)
		}
	})
}

func openStore(t *testing.T, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// A channel with locale = "de" gets its board in German, marker included.
func TestDiscordStatusBoardInGerman(t *testing.T) {
	const channel = "112233445566778899"
	_, feed := newVendor(t, 0)
	api := newDiscord(t, channel)
	cfg := boardConfig(t, filepath.Join(t.TempDir(), "state.db"), api.URL(), channel, feed, `locale = "de"`)
	boards := func() []fakediscord.Message {
		var out []fakediscord.Message
		for _, m := range api.Messages(channel) {
			if len(m.Embeds) > 0 && m.Embeds[0].Footer != nil && m.Embeds[0].Footer.Text == "outagebot-Statusübersicht" {
				out = append(out, m)
			}
		}
		return out
	}
	b := startWith(t, cfg, app.Options{Dispatch: fastRetries}, func(a *app.App) { a.SetBoards(time.Nanosecond, nil) })
	waitFor(t, "the German board", func() bool {
		bs := boards()
		return len(bs) == 1 && bs[0].Embeds[0].Title == "Das Ziel ist in Betrieb" && strings.Contains(bs[0].Embeds[0].Description, "**OpenAI**: in Betrieb")
	})
	b.stop()
	if n := len(api.Messages(channel)); n != 1 {
		t.Errorf("%d messages, want the board alone", n)
	}
}
