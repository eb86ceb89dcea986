package main

import (
	"fmt"
	"strings"
	"testing"
)

func TestIncidentsWindowIsChecked(t *testing.T) {
	path := writeConfig(t, fmt.Sprintf("[bot]\nstate = %q\n[[target]]\nname = \"A\"\ntype = \"statuspage\"\nurl = \"https://status.example.com\"\n",
		t.TempDir()+"/state.db"))
	for window, want := range map[string]string{
		"nand":            `--window: "nand" is not a duration: write a number and a unit (m, h, d or w), like 30m, 2h, 7d or 2w, up to 36500d`,
		"infd":            `--window: "infd" is not a duration`,
		"-2d":             `--window: "-2d" is not a duration`,
		"9999999999999d":  `--window: "9999999999999d" is too long: the longest is 36500d`,
		"99999999999999h": `--window: "99999999999999h" is not a duration`,
	} {
		code, _, stderr := runCLI("incidents", "--config", path, "--window", window)
		if code != exitUsage || !strings.Contains(stderr, want) {
			t.Errorf("--window %s: exit %d, %q; want exit %d and %q", window, code, stderr, exitUsage, want)
		}
	}
}
