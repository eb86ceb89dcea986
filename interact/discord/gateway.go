package discord

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	discordnotifier "github.com/outagebot/outagebot/notifier/discord"
)

// GatewayOptions configure RunGateway.
type GatewayOptions struct {
	// Token is the bot token (with or without "Bot ").
	Token string
	// APIURL replaces https://discord.com (scheme, host, port); the gateway
	// is then whatever GET /api/v9/gateway on that origin names.
	APIURL string
	// HTTPClient is an optional base client for the REST calls (the gateway
	// URL and the interaction callbacks).
	HTTPClient *http.Client
	// Commands answers the commands.
	Commands Answerer
	// Admins is who may mute, unmute and acknowledge (zero: everyone).
	Admins Admins
	// Lang is the language of each channel's answers (nil: the default).
	Lang Langs
	// Log receives connection changes and failed answers; nil discards.
	Log *slog.Logger
}

// Gateway connection retry bounds for the first connection; once connected,
// discordgo reconnects by itself.
const (
	openRetryMin = time.Second
	openRetryMax = time.Minute
)

// RunGateway connects to Discord's gateway (intents: guilds only;
// interactions need no intent) and answers
// INTERACTION_CREATE events, application commands and autocompletion, with
// the same rendering as the HTTP handler. It runs until ctx is cancelled,
// then disconnects, lets answers in flight finish and returns nil. It
// returns an error at once when Discord refuses the token; other failures
// to connect are retried with backoff.
func RunGateway(ctx context.Context, opts GatewayOptions) error {
	if opts.Commands == nil {
		return errors.New("discord gateway: no commands to answer with")
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s, err := discordnotifier.NewSession(opts.Token, opts.APIURL, opts.HTTPClient)
	if err != nil {
		return err
	}
	s.Identify.Intents = discordgo.IntentsGuilds

	// Answers in flight when ctx ends still get to Discord: they run on a
	// context that is not cancelled with ctx, bounded by Discord's 3 s, and
	// RunGateway waits for them.
	var (
		mu       sync.Mutex
		stopping bool
		inflight sync.WaitGroup
	)
	base := context.WithoutCancel(ctx)
	remove := s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		mu.Lock()
		if stopping {
			mu.Unlock()
			return
		}
		inflight.Add(1)
		mu.Unlock()
		defer inflight.Done()
		answer(base, s, ic.Interaction, opts, log)
	})
	defer remove()

	for wait := openRetryMin; ; wait = min(2*wait, openRetryMax) {
		if ctx.Err() != nil {
			return nil
		}
		err := s.Open()
		if err == nil {
			break
		}
		err = describe("connect to the gateway", err, opts.Token)
		if refused(err) {
			return err
		}
		log.Warn("cannot connect to the Discord gateway; retrying", "in", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
	log.Info("connected to the Discord gateway; answering commands")

	<-ctx.Done()
	mu.Lock()
	stopping = true
	mu.Unlock()
	if err := s.Close(); err != nil {
		log.Debug("closing the Discord gateway", "err", describe("close the gateway", err, opts.Token))
	}
	inflight.Wait()
	log.Info("disconnected from the Discord gateway")
	return nil
}

// answer responds to one interaction from the gateway.
func answer(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction, opts GatewayOptions, log *slog.Logger) {
	if i == nil {
		return
	}
	defer func() {
		// A bug in one answer must not take the bot down.
		if p := recover(); p != nil {
			log.Error("answering a Discord interaction panicked", "panic", p)
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, discordgo.InteractionDeadline)
	defer cancel()
	resp, ok := Respond(ctx, opts.Commands, i, opts.Admins, opts.Lang)
	if !ok {
		return
	}
	if err := s.InteractionRespond(i, resp, discordgo.WithContext(ctx)); err != nil {
		log.Warn("cannot answer a Discord interaction", "interaction", i.ID, "err", describe("answer interaction "+i.ID, err, opts.Token, i.Token))
	}
}

// refused reports whether Discord turned the bot away for good, so that
// retrying will not help: the token refused over REST, or a gateway close
// code for a bad token, API version or intents
// (https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes).
func refused(err error) bool {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.StatusCode == http.StatusUnauthorized || re.Response.StatusCode == http.StatusForbidden
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4004, 4010, 4011, 4012, 4013, 4014:
			return true
		}
	}
	return false
}
