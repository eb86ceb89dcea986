package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"text/tabwriter"
)

// Exit codes. They mean the same in every subcommand, so that a script can
// tell "the answer is no" from "the question was wrong".
const (
	exitOK = 0
	// exitFailure is the command's own finding or failure: check found
	// the configuration invalid, once saw an outage, vendors --check an
	// entry that fails, test-message a platform that refused, run stopped
	// with an error.
	exitFailure = 1
	// exitUnreachable is once's alone: no target is in outage, but at
	// least one could not be read, so its status is unknown.
	exitUnreachable = 2
	// exitUsage (EX_USAGE of sysexits.h) is a wrong command line: an
	// unknown subcommand or flag, a bad flag value, a missing argument, no
	// configuration file found. Not 2, which is once's "unreachable".
	exitUsage = 64
	// exitSoftware (EX_SOFTWARE) is once's own failure, such as output
	// that could not be written: 1 there means an outage.
	exitSoftware = 70
	// exitConfig (EX_CONFIG) is a configuration file that could not be
	// read or is invalid, for every subcommand but check, whose finding
	// that is (exitFailure).
	exitConfig = 78
)

// newFlagSet starts a subcommand's flags and its --help. use is the
// subcommand followed by its positional arguments, as in the synopsis
// ("check [FILE]"); summary says what it does and what its exit codes
// mean; example is one or more command lines. The flags are listed from the
// set itself, so the help cannot forget one. A flag's usage text may name
// its value in backquotes: "the configuration `FILE`" shows --config FILE.
//
// Parse the arguments with parseFlags, which prints the help on stdout for
// -h or --help and a short usage on stderr for a wrong flag.
func newFlagSet(use, summary, example string) *flag.FlagSet {
	name, args, _ := strings.Cut(use, " ")
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() { writeHelp(fs.Output(), fs, args, summary, example) }
	return fs
}

// parseFlags parses args. When it returns false the command is done and
// must return code: exitOK after --help, exitUsage after a wrong flag.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	// The flag package prints its error and calls Usage on its own; print
	// here instead, so that the full help goes to stdout when asked for and
	// only a short usage follows an error.
	help := fs.Usage
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = help
	fs.SetOutput(stderr)
	switch {
	case err == nil:
		return exitOK, true
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
		fs.SetOutput(stderr)
		return exitOK, false
	}
	return usageError(fs, stderr, "%v", err), false
}

// usageError prints a problem with the command line and the short usage,
// and returns exitUsage.
func usageError(fs *flag.FlagSet, stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "outagebot %s: %s\n", fs.Name(), fmt.Sprintf(format, a...))
	// The short usage is the first line of the help: its synopsis.
	var b bytes.Buffer
	out := fs.Output()
	fs.SetOutput(&b)
	fs.Usage()
	fs.SetOutput(out)
	if line, _, _ := strings.Cut(b.String(), "\n"); strings.HasPrefix(line, "Usage:") {
		fmt.Fprintln(stderr, line)
	}
	fmt.Fprintf(stderr, "Run 'outagebot %s --help' for its flags and an example.\n", fs.Name())
	return exitUsage
}

// noArgs rejects positional arguments for a subcommand that takes none.
func noArgs(fs *flag.FlagSet, stderr io.Writer) (int, bool) {
	if fs.NArg() > 0 {
		return usageError(fs, stderr, "unexpected argument %q", fs.Arg(0)), false
	}
	return exitOK, true
}

func writeHelp(w io.Writer, fs *flag.FlagSet, args, summary, example string) {
	var b strings.Builder
	b.WriteString("Usage: outagebot " + fs.Name())
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		b.WriteString(" [flags]")
	}
	if args != "" {
		b.WriteString(" " + args)
	}
	b.WriteString("\n\n" + strings.TrimSpace(summary) + "\n")
	if hasFlags {
		b.WriteString("\nFlags:\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fs.VisitAll(func(f *flag.Flag) {
			fmt.Fprintf(tw, "  %s\t%s\n", flagSynopsis(f), flagDescription(f))
		})
		tw.Flush()
	}
	if example = strings.TrimSpace(example); example != "" {
		b.WriteString("\nExample:\n")
		for line := range strings.Lines(example) {
			b.WriteString("  " + strings.TrimSpace(line) + "\n")
		}
	}
	io.WriteString(w, b.String())
}

// flagSynopsis is "--config FILE", "--json" or "-v".
func flagSynopsis(f *flag.Flag) string {
	dash := "--"
	if len(f.Name) == 1 {
		dash = "-"
	}
	value, _ := flag.UnquoteUsage(f)
	if value == "" {
		return dash + f.Name
	}
	return dash + f.Name + " " + strings.ToUpper(value)
}

func flagDescription(f *flag.Flag) string {
	_, usage := flag.UnquoteUsage(f)
	switch f.DefValue {
	case "", "false", "0":
		return usage
	}
	return usage + " (default " + f.DefValue + ")"
}

// Logging flags and their environment variables.
const (
	envLogLevel  = "OUTAGEBOT_LOG_LEVEL"
	envLogFormat = "OUTAGEBOT_LOG_FORMAT"
)

var (
	logLevels = map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}
	// logFormats are the values of --log-format, in the order help lists them.
	logFormats = []string{"text", "json"}
)

// logFlags are --log-level and --log-format as given on the command line.
type logFlags struct {
	level, format *string
}

// addLogFlags adds --log-level and --log-format. level and format say what
// applies when neither a flag nor its environment variable is set.
func addLogFlags(fs *flag.FlagSet, level, format string) logFlags {
	return logFlags{
		level:  fs.String("log-level", "", "log at `LEVEL`: debug, info, warn or error; else $"+envLogLevel+", else "+level),
		format: fs.String("log-format", "", "log in `FORMAT`: text or json; else $"+envLogFormat+", else "+format),
	}
}

// logSettings is a checked logging level and format.
type logSettings struct {
	level  slog.Level
	format string
}

// resolve picks each setting from the flag, else the environment variable,
// else the fallback (a configuration's [bot] values, or a command's own
// default), and checks it. A wrong value is a usage error naming where it
// came from.
func (l logFlags) resolve(lookupEnv func(string) (string, bool), level, format string) (logSettings, error) {
	pick := func(name, flagValue, env, fallback string) (value, from string) {
		if flagValue != "" {
			return flagValue, "--" + name
		}
		if v, ok := lookupEnv(env); ok && v != "" {
			return v, env
		}
		return fallback, ""
	}
	var s logSettings
	lv, from := pick("log-level", *l.level, envLogLevel, level)
	var ok bool
	if s.level, ok = logLevels[strings.ToLower(lv)]; !ok {
		return s, fmt.Errorf("%s: log level %q is not one of debug, info, warn, error", orConfig(from), lv)
	}
	s.format, from = pick("log-format", *l.format, envLogFormat, format)
	s.format = strings.ToLower(s.format)
	if !slices.Contains(logFormats, s.format) {
		return s, fmt.Errorf("%s: log format %q is not one of text, json", orConfig(from), s.format)
	}
	return s, nil
}

func orConfig(from string) string {
	if from == "" {
		return "the configuration"
	}
	return from
}

func (s logSettings) logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: s.level}
	if s.format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
