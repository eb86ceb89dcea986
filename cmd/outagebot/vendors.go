package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/catalog"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/sources/auto"
	"github.com/outagebot/outagebot/sources/fetch"
	"github.com/outagebot/outagebot/sources/registry"
)

// Defaults of `vendors --check`.
const (
	// vendorsParallel bounds how many vendors are checked at once: enough to
	// finish the catalog in a few rounds, few enough not to look like a burst
	// to any one CDN (several vendors share Atlassian's).
	vendorsParallel = 8
	// vendorsTimeout is how long one vendor's poll, and then its format
	// detection, may take.
	vendorsTimeout = 10 * time.Second
)

const vendorsHelp = `Lists the built-in vendor catalog. A [[target]] with vendor = "NAME" gets the
entry's type and url (and name, unless set).

With --check, polls every entry once over the internet, as the bot would (up
to 8 at a time, each within --timeout), and prints per vendor:
  TYPE       the catalog's type
  DETECTED   the format the page answers in, as type = "auto" would detect
             it; a different format than the catalog's type is a problem
  LATENCY    how long the poll took
  REACHABLE  yes, or why the poll failed
then each problem and a summary line. Run it to verify the catalog before
relying on it, or after a vendor moves its status page.

Exit status: 0 listed, or every entry answered in its catalog format; 1 an
entry did not; 64 usage error.`

// vendorsEnv is what the vendors command works on. The command line gets
// the built-in catalog, a default client and the real clock; tests give
// entries served by local fakes, and a fixed clock.
type vendorsEnv struct {
	vendors  []catalog.Vendor
	client   *fetch.Client // nil: a default feed client
	now      func() time.Time
	parallel int
	// checkOne checks one entry; nil is checkVendor. Tests replace it to
	// watch how many entries are checked at once.
	checkOne func(ctx context.Context, env vendorsEnv, v catalog.Vendor, timeout time.Duration) vendorCheck
}

func cmdVendors(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runVendors(ctx, args, stdout, stderr, vendorsEnv{vendors: catalog.All(), now: time.Now, parallel: vendorsParallel})
}

func runVendors(ctx context.Context, args []string, stdout, stderr io.Writer, env vendorsEnv) int {
	fs := newFlagSet("vendors", vendorsHelp, `outagebot vendors
outagebot vendors --check --timeout 20s`)
	check := fs.Bool("check", false, "poll every entry once and report those that fail")
	timeout := fs.Duration("timeout", vendorsTimeout, "with --check: how long each vendor's poll, and then its format detection, may take")
	verbose := fs.Bool("v", false, "also show where each entry's url and format were confirmed")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if code, ok := noArgs(fs, stderr); !ok {
		return code
	}
	if *timeout <= 0 {
		return usageError(fs, stderr, "--timeout must be positive, not %s", *timeout)
	}
	if !*check {
		return listVendors(stdout, env.vendors, *verbose)
	}
	if env.client == nil {
		env.client = fetch.New(fetch.Options{Version: app.Version})
	}
	if env.parallel <= 0 {
		env.parallel = vendorsParallel
	}
	return printVendorChecks(stdout, checkVendors(ctx, env, *timeout))
}

func listVendors(stdout io.Writer, vendors []catalog.Vendor, verbose bool) int {
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	head := "VENDOR\tTITLE\tCATEGORY\tTYPE\tURL\tALIASES"
	if verbose {
		head += "\tCONFIRMED BY"
	}
	fmt.Fprintln(tw, head)
	for _, v := range vendors {
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s", v.Name, v.Title, v.Category, v.Type, v.URL, strings.Join(v.Aliases, ", "))
		if verbose {
			line += "\t" + orDash(v.Source)
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return exitFailure
	}
	fmt.Fprintln(stdout, "\nUse one in a target: [[target]] vendor = \"github\" (name, type and url are filled in).")
	fmt.Fprintln(stdout, "Check that every entry still answers: outagebot vendors --check")
	return exitOK
}

// vendorCheck is what checking one catalog entry found.
type vendorCheck struct {
	vendor    catalog.Vendor
	latency   time.Duration
	pollErr   error
	detected  string // "" when detection failed or was skipped
	detectErr error
}

// problem says what is wrong with the entry, or "" when nothing is.
func (c vendorCheck) problem() string {
	var p []string
	if c.pollErr != nil {
		p = append(p, "unreachable in its catalog format")
	}
	switch {
	case c.detected != "" && !formatMatches(c.vendor.Type, c.detected):
		p = append(p, fmt.Sprintf("the catalog says %s, but the page answers as %s", c.vendor.Type, c.detected))
	case c.detectErr != nil && c.pollErr == nil:
		// A failed poll already says why; detection fails for the same reason.
		p = append(p, "format not detected: "+oneLine(c.detectErr))
	}
	return strings.Join(p, "; ")
}

// formatMatches reports whether a detected format is one the catalog's type
// reads.
func formatMatches(catalogType, detected string) bool {
	if catalogType == detected {
		return true
	}
	// incident.io pages also serve the Statuspage API, which detection tries
	// first and the incidentio source reads first.
	return catalogType == "incidentio" && detected == "statuspage"
}

// checkVendors polls every entry with its catalog type, then detects the
// format its URL answers in, at most env.parallel entries at a time. The
// results are in the entries' order.
func checkVendors(ctx context.Context, env vendorsEnv, timeout time.Duration) []vendorCheck {
	check := env.checkOne
	if check == nil {
		check = checkVendor
	}
	out := make([]vendorCheck, len(env.vendors))
	slots := make(chan struct{}, env.parallel)
	var wg sync.WaitGroup
	for i, v := range env.vendors {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			out[i] = check(ctx, env, v, timeout)
		})
	}
	wg.Wait()
	return out
}

func checkVendor(ctx context.Context, env vendorsEnv, v catalog.Vendor, timeout time.Duration) vendorCheck {
	c := vendorCheck{vendor: v}
	src, err := registry.New(config.Target{Name: v.Title, Type: v.Type, URL: v.URL}, registry.Deps{Client: env.client})
	if err != nil {
		c.pollErr = err
		return c
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	start := env.now()
	_, c.pollErr = src.Poll(pctx)
	c.latency = env.now().Sub(start)
	cancel()
	// A page that did not answer in time would not answer detection either;
	// asking again would only double the wait.
	if errors.Is(c.pollErr, context.DeadlineExceeded) || ctx.Err() != nil {
		return c
	}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d, err := auto.Detect(dctx, env.client, v.URL)
	if err != nil {
		c.detectErr = err
		return c
	}
	c.detected = d.Type
	return c
}

// printVendorChecks writes the table, the problems and a summary line, and
// returns the exit code: 1 when any entry failed.
func printVendorChecks(stdout io.Writer, checks []vendorCheck) int {
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VENDOR\tTYPE\tDETECTED\tLATENCY\tREACHABLE")
	for _, c := range checks {
		reachable := "yes"
		if c.pollErr != nil {
			reachable = oneLine(c.pollErr)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.vendor.Name, c.vendor.Type, orDash(c.detected), fetch.FormatDuration(c.latency), reachable)
	}
	if err := tw.Flush(); err != nil {
		return exitFailure
	}
	var failed []string
	for _, c := range checks {
		if p := c.problem(); p != "" {
			if len(failed) == 0 {
				fmt.Fprintln(stdout, "\nProblems:")
			}
			fmt.Fprintf(stdout, "  %s: %s\n", c.vendor.Name, p)
			failed = append(failed, c.vendor.Name)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(stdout, "\nFAIL: %d of %d vendors failed the check: %s\n", len(failed), len(checks), strings.Join(failed, ", "))
		return exitFailure
	}
	fmt.Fprintf(stdout, "\nOK: all %d vendors answered in their catalog format.\n", len(checks))
	return exitOK
}

// oneLine keeps an error on its table row. The errors come from the feed
// client, which redacts URLs, so no secret reaches the terminal here.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
