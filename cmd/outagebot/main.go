// Command outagebot watches vendor status pages and internal endpoints and
// reports outages, from start to restoration, in Slack, Discord or the
// terminal.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // CRON_TZ and digest time zones work without the host's zoneinfo
)

const usage = `outagebot watches vendor status pages and your own endpoints and posts
every outage, its updates and its restoration to Slack, Discord or this terminal.

Usage:
  outagebot run   --config FILE          run the bot
  outagebot check --config FILE [--online]
                                         validate a configuration; --online also asks
                                         Slack and Discord whether the tokens and channels work
  outagebot test-message --config FILE --channel NAME
                                         post a test message to a configured channel
  outagebot once  --config FILE [--json] poll every target once and print the status
  outagebot incidents --config FILE [--window 24h]
                                         recent outages and their ids, from the stored history
  outagebot report --config FILE --outage ID [--format markdown|json]
                                         the post-outage report, from the stored history
  outagebot migrate-store --from STATE --to STATE
                                         copy the stored state (a SQLite file or postgres:// URL)
                                         into an empty database; stop every bot on it first
  outagebot vendors [-v] [--check [--timeout 10s]]
                                         list the built-in vendor catalog (vendor = "NAME");
                                         --check polls every entry once and reports what fails
  outagebot demo [-v]                    watch a simulated outage, offline, in under a minute
  outagebot version                      print the version
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal starts a graceful stop; a second one kills at once.
	context.AfterFunc(ctx, stop)
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return cmdRun(ctx, rest, stdout, stderr)
	case "check":
		return cmdCheck(rest, stdout, stderr)
	case "once":
		return cmdOnce(ctx, rest, stdout, stderr)
	case "test-message":
		return cmdTestMessage(ctx, rest, stdout, stderr)
	case "incidents":
		return cmdIncidents(ctx, rest, stdout, stderr)
	case "report":
		return cmdReport(ctx, rest, stdout, stderr)
	case "vendors":
		return cmdVendors(ctx, rest, stdout, stderr)
	case "migrate-store":
		return cmdMigrateStore(ctx, rest, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, rest, stdout, stderr)
	case "version", "--version", "-v":
		return cmdVersion(stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "outagebot: unknown command %q\n\n%s", cmd, usage)
	return 2
}

func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
