package main

import (
	"context"
	"fmt"
	"io"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/store"
)

const subscriptionsHelp = `Lists what each channel hears of and why: every delivery the configuration
makes ([[channel]], target channels, [[route]]) and every subscription made
from chat (/status subscribe), with its least severity and the destination
it sends to ("ops/slack" when a [[channel]] names the subscribed channel,
so an outage both send is posted there once). It reads the store ([bot]
state) and sends nothing, so it is safe next to a running bot; check does
not read the store.

Exit status: 0 listed; 1 the store could not be read; 64 usage error; 78
the configuration could not be loaded.`

func cmdSubscriptions(ctx context.Context, env procEnv, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("subscriptions", subscriptionsHelp, "outagebot subscriptions --config outagebot.toml")
	path := configFlag(fs)
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if code, ok := noArgs(fs, stderr); !ok {
		return code
	}
	cfg, _, code := openConfig(fs, env, *path, stderr, exitConfig)
	if cfg == nil {
		return code
	}
	st, err := store.Open(ctx, cfg.Bot.State)
	if err != nil {
		fmt.Fprintf(stderr, "outagebot subscriptions: open the store: %v\n", err)
		return exitFailure
	}
	defer st.Close()
	rows, err := st.Subscriptions(ctx, "", "")
	if err != nil {
		fmt.Fprintf(stderr, "outagebot subscriptions: %v\n", err)
		return exitFailure
	}
	if err := app.WriteSubscriptions(stdout, cfg, rows); err != nil {
		return exitFailure
	}
	return exitOK
}
