package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/outagebot/outagebot/config"
)

// Where the configuration file is looked for when --config does not name
// one: OUTAGEBOT_CONFIG, then these files in order.
const (
	envConfig    = "OUTAGEBOT_CONFIG"
	localConfig  = "outagebot.toml"
	systemConfig = "/etc/outagebot/outagebot.toml"
)

const configUsage = "read the configuration from `FILE`; else $" + envConfig + ", else ./" + localConfig + ", else " + systemConfig

// procEnv is what the commands read from the process beyond their
// arguments. Tests give their own, so that none reads the real /etc or
// depends on the environment it runs in.
type procEnv struct {
	lookupEnv func(string) (string, bool)
	// configFiles are looked for in order when neither --config nor
	// OUTAGEBOT_CONFIG names a file; relative ones in the working
	// directory.
	configFiles []string
}

func osEnv() procEnv {
	return procEnv{lookupEnv: os.LookupEnv, configFiles: []string{localConfig, systemConfig}}
}

// foundConfig is the configuration file chosen, and what chose it.
type foundConfig struct {
	path string
	// from is "--config", "OUTAGEBOT_CONFIG" or "search" (one of
	// configFiles).
	from string
}

// notFoundError lists where a configuration file was looked for.
type notFoundError struct {
	looked []string
}

func (e *notFoundError) Error() string {
	return "no configuration file: give --config FILE or set " + envConfig + "; looked for " + strings.Join(e.looked, ", ") +
		" (config.example.toml is a start)"
}

// findConfig chooses the configuration file: the one named on the command
// line, else the one OUTAGEBOT_CONFIG names, else the first of
// configFiles that exists. A named file is used even if it does not exist,
// so that a typo is reported rather than another file silently loaded.
func (e procEnv) findConfig(named string) (foundConfig, error) {
	if named != "" {
		return foundConfig{path: named, from: "--config"}, nil
	}
	if p, ok := e.lookupEnv(envConfig); ok && p != "" {
		return foundConfig{path: p, from: envConfig}, nil
	}
	var looked []string
	for _, p := range e.configFiles {
		_, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			if !filepath.IsAbs(p) {
				p = "./" + p
			}
			looked = append(looked, p)
			continue
		}
		// Also when Stat failed otherwise (a directory without permission):
		// loading the file reports why it cannot be read.
		return foundConfig{path: p, from: "search"}, nil
	}
	return foundConfig{}, &notFoundError{looked: looked}
}

// configFlag adds --config to a subcommand's flags.
func configFlag(fs *flag.FlagSet) *string {
	return fs.String("config", "", configUsage)
}

// openConfig finds the configuration file (see findConfig) and loads it,
// expanding ${VAR} references from the same environment. On failure it
// prints why and returns the exit code to use: exitUsage when no file was
// found, invalid when one was but it does not load.
func openConfig(fs *flag.FlagSet, e procEnv, named string, stderr io.Writer, invalid int) (*config.Config, foundConfig, int) {
	found, err := e.findConfig(named)
	if err != nil {
		return nil, found, usageError(fs, stderr, "%v", err)
	}
	data, err := os.ReadFile(found.path)
	if err != nil {
		fmt.Fprintf(stderr, "outagebot %s: read the configuration (from %s): %v\n", fs.Name(), found.from, err)
		return nil, found, invalid
	}
	cfg, err := config.Parse(found.path, data, e.lookupEnv)
	if err != nil {
		// Problems are FILE:LINE: messages, one a line, as editors expect.
		fmt.Fprintln(stderr, err)
		return nil, found, invalid
	}
	return cfg, found, exitOK
}

// logAttrs say which configuration file is used and why, for the first log
// line.
func (f foundConfig) logAttrs() []any {
	path := f.path
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return []any{"config", path, "config_from", f.from}
}
