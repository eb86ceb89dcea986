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
	"strings"
	"syscall"
	_ "time/tzdata" // CRON_TZ and digest time zones work without the host's zoneinfo
)

// usage is what `outagebot help` prints: one line per command. Each
// command's own --help has its flags and an example.
const usage = `outagebot watches vendor status pages and your own endpoints and posts
every outage, its updates and its restoration to Slack, Discord or this terminal.

Usage: outagebot COMMAND [flags]

Commands:
  run           run the bot
  check         validate a configuration (--online: also the chat tokens and channels)
  once          poll every target once and print the status
  test-message  post a test message to a configured channel
  incidents     list recent outages and their ids, from the stored history
  report        print an outage's report, from the stored history
  subscriptions list what each channel hears of: configuration and chat subscriptions
  vendors       list the built-in vendor catalog (--check: poll every entry once)
  migrate-store copy the stored state into an empty database (SQLite to PostgreSQL)
  demo          watch a simulated outage, offline, in under a minute
  healthcheck   ask a running bot's /livez: exit 0 on 200 (the image's HEALTHCHECK)
  version       print the version
  help          print this list, or a command's help: outagebot help COMMAND

The configuration file is --config FILE, else $OUTAGEBOT_CONFIG, else
./outagebot.toml, else /etc/outagebot/outagebot.toml.

Exit status: 0 success; 1 the command's finding or failure (check: the
configuration is invalid; once: a target is in outage); 2 once: a target
could not be read, none is in outage; 64 usage error; 70 once could not
finish; 78 the configuration could not be loaded (check and healthcheck
say 1).

Run 'outagebot COMMAND --help' for a command's flags and an example.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return runIn(osEnv(), args, stdout, stderr)
}

// runIn is run with the environment the commands read.
func runIn(env procEnv, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal starts a graceful stop; a second one kills at once.
	context.AfterFunc(ctx, stop)
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return cmdRun(ctx, env, rest, stdout, stderr)
	case "check":
		return cmdCheck(env, rest, stdout, stderr)
	case "once":
		return cmdOnce(ctx, env, rest, stdout, stderr)
	case "test-message":
		return cmdTestMessage(ctx, env, rest, stdout, stderr)
	case "incidents":
		return cmdIncidents(ctx, env, rest, stdout, stderr)
	case "report":
		return cmdReport(ctx, env, rest, stdout, stderr)
	case "subscriptions":
		return cmdSubscriptions(ctx, env, rest, stdout, stderr)
	case "vendors":
		return cmdVendors(ctx, rest, stdout, stderr)
	case "migrate-store":
		return cmdMigrateStore(ctx, rest, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, rest, stdout, stderr)
	case "healthcheck":
		return cmdHealthcheck(ctx, env, rest, stdout, stderr)
	case "version", "--version", "-v":
		return cmdVersion(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
			// outagebot help once is outagebot once --help.
			return runIn(env, []string{rest[0], "--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "outagebot: unknown command %q\nUsage: outagebot COMMAND [flags]\nRun 'outagebot help' for the list of commands.\n", cmd)
	return exitUsage
}

// newLogger is a logger at a level and in a format that are known to be
// valid (a command's own choice, not the user's).
func newLogger(w io.Writer, level, format string) *slog.Logger {
	return logSettings{level: logLevels[level], format: format}.logger(w)
}
