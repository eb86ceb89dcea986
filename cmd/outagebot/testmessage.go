package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/outagebot/outagebot/app"
)

const testMessageHelp = `Posts a test message to the configured channel NAME on each platform it
has (Slack, Discord, webhook): "` + app.TestMessageTitle + `",
with what will be posted there: which targets' outages, which digests.
Use it after setting a channel up, to see that the bot can post there.
Without Slack, Discord or webhooks configured, the message is printed
here, as the bot prints its notifications.

Exit status: 0 when every platform took the message; 1 when one refused
it (the platform's reason is printed, and what to do about it); 64 usage
error (also a channel NAME the configuration does not have); 78 the
configuration could not be loaded.`

// cmdTestMessage posts the test message and reports each platform's answer.
func cmdTestMessage(ctx context.Context, env procEnv, args []string, stdout, stderr io.Writer) int {
	return testMessage(ctx, env, args, stdout, stderr, time.Now)
}

// testMessage is cmdTestMessage with the clock that dates the message.
func testMessage(ctx context.Context, env procEnv, args []string, stdout, stderr io.Writer, now func() time.Time) int {
	fs := newFlagSet("test-message", testMessageHelp, "outagebot test-message --config outagebot.toml --channel ops")
	path := configFlag(fs)
	channel := fs.String("channel", "", "the [[channel]] `NAME` to post in")
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
	if *channel == "" && cfg.Chat() {
		return usageError(fs, stderr, "--channel NAME is required (a [[channel]] name from the configuration)")
	}
	results, err := app.TestMessage(ctx, cfg, *channel, stdout, newLogger(stderr, "error", "text"), now)
	if err != nil {
		// Its only error: the configuration has no such channel.
		return usageError(fs, stderr, "%v", err)
	}
	code = exitOK
	for _, r := range results {
		switch {
		case r.Platform == "console" && r.Err == nil:
		case r.Err == nil:
			fmt.Fprintf(stdout, "%s (%s): posted the test message to %q\n", r.Platform, r.Address, *channel)
		default:
			fmt.Fprintf(stderr, "%s (%s): %v\n", r.Platform, r.Address, r.Err)
			code = exitFailure
		}
	}
	return code
}
