package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/outagebot/outagebot/app"
)

const testMessageHelp = `Usage: outagebot test-message --config FILE --channel NAME

Posts a test message to the configured channel NAME on each platform it
has (Slack, Discord, webhook): "` + app.TestMessageTitle + `",
with what will be posted there: which targets' outages, which digests.
Use it after setting a channel up, to see that the bot can post there.

Exit status: 0 when every platform took the message; 1 when one refused
it (the platform's reason is printed, and what to do about it); 2 for a
usage error. Without Slack, Discord or webhooks configured, the message is
printed here, as the bot prints its notifications.

Flags:
`

// cmdTestMessage posts the test message and reports each platform's answer.
func cmdTestMessage(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return testMessage(ctx, args, stdout, stderr, time.Now)
}

// testMessage is cmdTestMessage with the clock that dates the message.
func testMessage(ctx context.Context, args []string, stdout, stderr io.Writer, now func() time.Time) int {
	fs, path := flags("test-message", stderr)
	channel := fs.String("channel", "", "the [[channel]] name to post in")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), testMessageHelp)
		fs.PrintDefaults()
	}
	cfg, code := loadConfig(fs, path, args, stderr)
	if cfg == nil {
		return code
	}
	if *channel == "" && cfg.Chat() {
		fmt.Fprintln(stderr, "outagebot test-message: --channel NAME is required (a [[channel]] name from the configuration)")
		return 2
	}
	results, err := app.TestMessage(ctx, cfg, *channel, stdout, newLogger(stderr, "error", "text"), now)
	if err != nil {
		fmt.Fprintf(stderr, "outagebot test-message: %v\n", err)
		return 2
	}
	code = 0
	for _, r := range results {
		switch {
		case r.Platform == "console" && r.Err == nil:
		case r.Err == nil:
			fmt.Fprintf(stdout, "%s (%s): posted the test message to %q\n", r.Platform, r.Address, *channel)
		default:
			fmt.Fprintf(stderr, "%s (%s): %v\n", r.Platform, r.Address, r.Err)
			code = 1
		}
	}
	return code
}
