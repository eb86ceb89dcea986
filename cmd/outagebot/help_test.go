package main

import (
	"strings"
	"testing"
)

// listedCommands are the subcommands `outagebot help` lists, read from its
// output, so that a new subcommand gets its help checked once it is listed.
func listedCommands(t *testing.T) []string {
	t.Helper()
	code, out, _ := runCLI("help")
	if code != exitOK {
		t.Fatalf("help: exit %d", code)
	}
	_, list, ok := strings.Cut(out, "\nCommands:\n")
	if !ok {
		t.Fatalf("help has no Commands: section:\n%s", out)
	}
	list, _, _ = strings.Cut(list, "\n\n")
	var names []string
	for line := range strings.Lines(list) {
		fields := strings.Fields(line)
		if !strings.HasPrefix(line, "  ") || len(fields) < 2 {
			t.Fatalf("command line not \"  NAME  summary\": %q", line)
		}
		names = append(names, fields[0])
	}
	if len(names) < 9 {
		t.Fatalf("only %d commands listed: %v", len(names), names)
	}
	return names
}

// Every listed subcommand has a real --help on stdout, the same as
// `outagebot help NAME`, kept in testdata/help/NAME.golden.
func TestHelp(t *testing.T) {
	code, out, errOut := runCLI("--help")
	if code != exitOK || errOut != "" {
		t.Fatalf("--help: exit %d, stderr %q", code, errOut)
	}
	golden(t, "help/outagebot.golden", out)
	if _, again, _ := runCLI("help"); again != out {
		t.Errorf("help and --help differ")
	}

	for _, name := range listedCommands(t) {
		if name == "help" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runCLI(name, "--help")
			if code != exitOK || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			for _, part := range []string{"Usage: outagebot " + name, "Exit status", "Example:\n  outagebot " + name} {
				if !strings.Contains(out, part) {
					t.Errorf("--help lacks %q", part)
				}
			}
			golden(t, "help/"+name+".golden", out)
			if code, viaHelp, _ := runCLI("help", name); code != exitOK || viaHelp != out {
				t.Errorf("outagebot help %s differs from %s --help (exit %d)", name, name, code)
			}
			// -h works too, as everywhere in Go.
			if code, short, _ := runCLI(name, "-h"); code != exitOK || short != out {
				t.Errorf("-h differs from --help (exit %d)", code)
			}
		})
	}
}

// A wrong subcommand, flag or argument prints what is wrong and a short
// usage on stderr, nothing on stdout, and exits 64.
func TestUsageErrors(t *testing.T) {
	t.Setenv(envConfig, "")
	t.Chdir(t.TempDir())
	cases := [][]string{{"frobnicate"}, {"help", "frobnicate"}}
	for _, name := range listedCommands(t) {
		if name != "help" {
			cases = append(cases, []string{name, "--no-such-flag"})
		}
	}
	cases = append(cases,
		[]string{"once", "extra"},
		[]string{"run", "--log-level", "loud"},
		[]string{"once", "--log-format", "xml"},
		[]string{"incidents", "--window", "forever"},
		[]string{"version", "now"},
	)
	for _, args := range cases {
		code, out, errOut := runCLI(args...)
		if code != exitUsage || out != "" {
			t.Errorf("%q: exit %d, stdout %q; want %d and nothing", args, code, out, exitUsage)
			continue
		}
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if len(lines) > 3 || !strings.HasPrefix(lines[0], "outagebot") || !strings.Contains(errOut, "Usage: outagebot ") || !strings.Contains(errOut, "--help") && !strings.Contains(errOut, "outagebot help") {
			t.Errorf("%q: not a short usage:\n%s", args, errOut)
		}
	}
	if code, _, errOut := runCLI("run", "--no-such-flag"); !strings.Contains(errOut, "Usage: outagebot run [flags]\n") || code != exitUsage {
		t.Errorf("wrong flag: no synopsis in %q", errOut)
	}
}
