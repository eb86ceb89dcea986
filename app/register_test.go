package app_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/internal/fakediscord"
)

// startDiscordApp runs a bot with Discord commands (interactions over HTTP,
// so no gateway) against fd, with the token given.
func startDiscordApp(t *testing.T, fd *fakediscord.Server, token string, step *stepper) *syncBuffer {
	t.Helper()
	_, vendor := newVendor(t, 0)
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	cfg := parseConfig(t, fmt.Sprintf(`
[bot]
state = %q
listen = ""
[discord]
bot_token = %q
application_id = %q
public_key = %q
api_url = %q
[[channel]]
name = "ops"
discord = "1200000000000000001"
[[target]]
name = "OpenAI"
type = "statuspage"
url = %q
interval = "1h"
`, filepath.Join(t.TempDir(), "state.db"), token, fakediscord.ApplicationID, hex.EncodeToString(pub), fd.URL(), vendor))
	logs := &syncBuffer{}
	b := startWith(t, cfg, app.Options{
		Log:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		ChatCheck: app.ChatCheckOptions{Backoff: func(n int) time.Duration { return time.Duration(n+1) * time.Second }, Sleep: step.sleep},
	}, nil)
	// The log is read once the bot has stopped writing it.
	t.Cleanup(func() {
		b.stop()
		if strings.Contains(logs.String(), token) {
			t.Errorf("the token is in the log:\n%s", logs)
		}
	})
	return logs
}

// Registration that fails while Discord answers 5xx is tried again with
// backoff until it succeeds, and the failure is logged once.
func TestDiscordCommandsRegisterAfterOutage(t *testing.T) {
	fd := newDiscord(t)
	fd.RequireToken(discordToken)
	fd.AddChannel("1200000000000000001")
	fd.FailNext(fakediscord.RouteGlobalCommands, 2)
	step := newStepper()
	logs := startDiscordApp(t, fd, discordToken, step)

	for i, want := range []time.Duration{time.Second, 2 * time.Second} {
		if d := step.next(t); d != want {
			t.Errorf("wait %d = %s, want %s", i, d, want)
		}
		step.release <- struct{}{}
	}
	waitFor(t, "commands registered", func() bool { return len(fd.Commands(fakediscord.ApplicationID, "")) > 0 })
	if n := len(fd.Calls(fakediscord.RouteGlobalCommands)); n != 3 {
		t.Errorf("%d registration calls, want 3", n)
	}
	waitFor(t, "the success logged", func() bool { return strings.Contains(logs.String(), "registered Discord commands") })
	if n := strings.Count(logs.String(), "level=WARN msg=\"Discord application commands were not registered yet"); n != 1 {
		t.Errorf("the failure was logged %d times at WARN, want once:\n%s", n, logs)
	}
}

// A refused token is not tried again in a loop: the next attempt waits a
// quarter of an hour.
func TestDiscordCommandsRefusedTokenWaits(t *testing.T) {
	fd := newDiscord(t)
	fd.RequireToken(discordToken)
	step := newStepper()
	logs := startDiscordApp(t, fd, "MTA5.wrong.SeCrEt-5", step)
	// The token check and the registration each wait once, for 15m.
	for range 2 {
		if d := step.next(t); d != 15*time.Minute {
			t.Errorf("waited %s after a refused token, want 15m", d)
		}
	}
	if n := len(fd.Calls(fakediscord.RouteGlobalCommands)); n != 1 {
		t.Errorf("%d registration calls, want 1", n)
	}
	if !strings.Contains(logs.String(), "Discord refuses to register the application commands") {
		t.Errorf("log:\n%s", logs)
	}
}
