package discord

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/internal/fakediscord"
)

// fresh leaves the id and token of i to the fake.
func fresh(i *discordgo.Interaction) *discordgo.Interaction {
	i.ID, i.Token = "", ""
	return i
}

// startGateway runs RunGateway against fake until the test ends.
func startGateway(t *testing.T, fake *fakediscord.Server, token string, a Answerer, logs *syncBuffer) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- RunGateway(ctx, GatewayOptions{
			Token: token, APIURL: fake.URL(), Commands: a,
			Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		})
	}()
	stopped := false
	var err error
	stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("RunGateway did not return after its context ended")
			}
		}
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

func TestGatewayEndToEnd(t *testing.T) {
	fake := fakediscord.New()
	t.Cleanup(fake.Close) // after the gateway stops (cleanups run last first)
	fake.RequireToken(testToken)
	fake.SetHeartbeatInterval(50 * time.Millisecond)
	logs := &syncBuffer{}
	rec := &recorder{Answerer: commands()}
	stop := startGateway(t, fake, testToken, rec, logs)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := fake.WaitReady(ctx); err != nil {
		t.Fatalf("%v; logs:\n%s", err, logs)
	}
	// The gateway URL came from the fake, through the rewriting transport.
	if n := len(fake.Calls(fakediscord.RouteGateway)) + len(fake.Calls(fakediscord.RouteGatewayBot)); n != 1 {
		t.Errorf("%d gateway URL lookups on the fake", n)
	}
	ids := fake.Identifies()
	if len(ids) != 1 || ids[0].Intents != discordgo.IntentsGuilds || strings.TrimPrefix(ids[0].Token, "Bot ") != testToken {
		t.Errorf("identify: %+v", ids)
	}

	ic, err := fake.PushInteraction(fresh(interaction(discordgo.InteractionApplicationCommand, "status", option{name: "target", value: "openai"})))
	if err != nil {
		t.Fatal(err)
	}
	cb, err := fake.WaitCallback(ctx, ic.ID)
	if err != nil {
		t.Fatalf("%v; logs:\n%s", err, logs)
	}
	if cb.Type != discordgo.InteractionResponseChannelMessageWithSource || cb.Flags != discordgo.MessageFlagsEphemeral ||
		len(cb.Embeds) != 1 || !strings.Contains(cb.Embeds[0].Title, "OpenAI: partial outage") {
		t.Errorf("callback: type %d, flags %d, embeds %s", cb.Type, cb.Flags, marshal(t, cb.Embeds))
	}
	if want := indent(t, marshal(t, Render(commands().Run(ctx, mustRequest(t, ic))))); string(indent(t, cb.Body)) != string(want) {
		t.Errorf("the gateway's answer differs from the HTTP rendering:\n%s\nwant\n%s", indent(t, cb.Body), want)
	}
	if runs, _ := rec.calls(); len(runs) != 1 || runs[0].Text != "status openai" || runs[0].User != "<@"+testUser+">" {
		t.Errorf("requests %+v", runs)
	}

	ac, err := fake.PushInteraction(fresh(interaction(discordgo.InteractionApplicationCommandAutocomplete, "mute", option{name: "target", value: "g", focused: true})))
	if err != nil {
		t.Fatal(err)
	}
	cb, err = fake.WaitCallback(ctx, ac.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cb.Type != discordgo.InteractionApplicationCommandAutocompleteResult || len(cb.Choices) != 2 || cb.Choices[0].Name != "GitHub" {
		t.Errorf("autocomplete callback: %s", cb.Body)
	}

	// Heartbeats are acknowledged, so the session stays up.
	waitHeartbeats(ctx, t, fake, 2)

	if err := stop(); err != nil {
		t.Errorf("RunGateway returned %v", err)
	}
	for fake.GatewaySessions() > 0 && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	if n := fake.GatewaySessions(); n != 0 {
		t.Errorf("%d sessions still connected after stop", n)
	}
	if len(fake.Identifies()) != 1 {
		t.Errorf("the session reconnected: %d identifies", len(fake.Identifies()))
	}
	assertNoSecret(t, "logs", logs.String(), testToken, ic.Token)
}

func mustRequest(t *testing.T, ic *discordgo.Interaction) bot.Request {
	t.Helper()
	r, ok := RequestFor(ic)
	if !ok {
		t.Fatal("no request")
	}
	return r
}

func TestGatewayRefusedToken(t *testing.T) {
	fake := fakediscord.New()
	t.Cleanup(fake.Close)
	fake.RequireToken(testToken)
	logs := &syncBuffer{}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := RunGateway(ctx, GatewayOptions{
		Token: "wrong-token-ALSO-SECRET", APIURL: fake.URL(), Commands: commands(),
		Log: slog.New(slog.NewTextHandler(logs, nil)),
	})
	if err == nil {
		t.Fatal("RunGateway accepted a refused token")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s: a refused token was retried", d)
	}
	assertNoSecret(t, "the error", err.Error(), "wrong-token-ALSO-SECRET")
	assertNoSecret(t, "logs", logs.String(), "wrong-token-ALSO-SECRET")
}

func TestGatewayRetriesUntilCancelled(t *testing.T) {
	fake := fakediscord.New()
	t.Cleanup(fake.Close)
	fake.FailNext(fakediscord.RouteGateway, 100)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	logs := &syncBuffer{}
	err := RunGateway(ctx, GatewayOptions{Token: testToken, APIURL: fake.URL(), Commands: commands(), Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Errorf("RunGateway returned %v after its context ended", err)
	}
	if !strings.Contains(logs.String(), "cannot connect to the Discord gateway; retrying") {
		t.Errorf("logs: %s", logs)
	}
}

// TestGatewayReconnects: a dropped connection is resumed and commands are
// answered again.
func TestGatewayReconnects(t *testing.T) {
	fake := fakediscord.New()
	t.Cleanup(fake.Close)
	fake.RequireToken(testToken)
	logs := &syncBuffer{}
	stop := startGateway(t, fake, testToken, commands(), logs)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	// discordgo's heartbeat goroutine does not check that its connection is
	// still the session's: if the connection drops before its first
	// heartbeat, it later closes the new connection as well (one more
	// reconnect, and what was sent on it is lost). Drop the connection once
	// it has settled, as a real network failure would.
	waitHeartbeats(ctx, t, fake, 1)
	fake.DisconnectGateway()
	for fake.GatewaySessions() != 0 && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	if err := fake.WaitReady(ctx); err != nil {
		t.Fatalf("%v; logs:\n%s", err, logs)
	}
	ic, err := fake.PushInteraction(fresh(interaction(discordgo.InteractionApplicationCommand, "outagebot-help")))
	if err != nil {
		t.Fatal(err)
	}
	cb, err := fake.WaitCallback(ctx, ic.ID)
	if err != nil || len(cb.Embeds) != 1 || cb.Embeds[0].Title != "outagebot commands" {
		t.Fatalf("callback %+v, %v; logs:\n%s\ncalls: %+v", cb, err, logs, fake.Calls(""))
	}
	if err := stop(); err != nil {
		t.Error(err)
	}
}

func waitHeartbeats(ctx context.Context, t *testing.T, fake *fakediscord.Server, n int) {
	t.Helper()
	for fake.Heartbeats() < n && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	if got := fake.Heartbeats(); got < n {
		t.Fatalf("%d heartbeats, want %d", got, n)
	}
}
