package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/outagebot/outagebot/store"
)

// cmdMigrateStore copies the bot's stored state into another, empty
// database: from SQLite to PostgreSQL when a single bot becomes replicas,
// or back.
func cmdMigrateStore(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("migrate-store", `Copies the bot's stored state (engine state, outages, events, chat threads,
mutes, digest runs, answered requests and the outbox with its ids) from one
database into an empty one, in one transaction, and checks every table's
row count. Both databases are first migrated to this binary's schema. Stop
every bot on either database first: it refuses while one holds the lease.

Exit status: 0 copied; 1 refused (the target is not empty, a bot runs, the
schemas differ) or failed, nothing written; 64 usage error.`, `outagebot migrate-store --from /var/lib/outagebot/outagebot.db \
    --to 'postgres://outagebot@db.internal:5432/outagebot?sslmode=require'`)
	from := fs.String("from", "", "the `STATE` to copy: the SQLite file or postgres:// URL the bot ran on ([bot] state)")
	to := fs.String("to", "", "the empty database (`STATE`) to copy it into: a postgres:// URL or a SQLite file")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if code, ok := noArgs(fs, stderr); !ok {
		return code
	}
	if *from == "" || *to == "" {
		return usageError(fs, stderr, "give --from STATE and --to STATE (a SQLite file or a postgres:// URL)")
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "outagebot migrate-store: "+format+"\n", a...)
		return 1
	}
	if sameState(*from, *to) {
		return fail("--from and --to name the same database (%s)", displayState(*from))
	}
	if !store.IsPostgres(*from) {
		// Opening a path that does not exist would create an empty
		// database and copy nothing from it.
		if _, err := os.Stat(*from); err != nil {
			return fail("cannot read the source: %v", err)
		}
	}
	src, err := store.Open(ctx, *from)
	if err != nil {
		return fail("cannot open the source %s: %v", displayState(*from), err)
	}
	defer src.Close()
	dst, err := store.Open(ctx, *to)
	if err != nil {
		return fail("cannot open the target %s: %v", displayState(*to), err)
	}
	defer dst.Close()

	rep, err := store.Copy(ctx, dst, src, time.Now())
	if err != nil {
		return fail("nothing was copied: %v", err)
	}
	writeCopyReport(stdout, displayState(*from), displayState(*to), rep)
	return 0
}

// writeCopyReport prints what was copied and the verified counts.
func writeCopyReport(w io.Writer, from, to string, rep store.CopyReport) {
	fmt.Fprintf(w, "Copied %s\n    to %s\nin one transaction, schema version %d.\n\n", from, to, rep.SchemaVersion)
	// Names to the left, counts to the right.
	nameW, srcW, dstW := len("table"), len("source rows"), len("target rows")
	for _, c := range rep.Tables {
		nameW = max(nameW, len(c.Table))
		srcW = max(srcW, len(strconv.FormatInt(c.Source, 10)))
		dstW = max(dstW, len(strconv.FormatInt(c.Target, 10)))
	}
	fmt.Fprintf(w, "%-*s  %*s  %*s\n", nameW, "table", srcW, "source rows", dstW, "target rows")
	for _, c := range rep.Tables {
		fmt.Fprintf(w, "%-*s  %*d  %*d\n", nameW, c.Table, srcW, c.Source, dstW, c.Target)
	}
	fmt.Fprintln(w, "\nEvery table has as many rows in the target as in the source.")
	if len(rep.Skipped) > 0 {
		fmt.Fprintln(w, "\nNot copied:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, s := range rep.Skipped {
			fmt.Fprintf(tw, "  %s\t%s\n", s.Table, s.Why)
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "\nSet [bot] state to %s and start the bot there.\n", to)
}

// sameState reports whether two states name one database.
func sameState(a, b string) bool {
	if store.IsPostgres(a) || store.IsPostgres(b) {
		return a == b
	}
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}

// displayState is a state as it may be printed: a URL's password is
// masked.
func displayState(state string) string {
	if !store.IsPostgres(state) {
		return state
	}
	u, err := url.Parse(state)
	if err != nil {
		return "(a PostgreSQL URL that does not parse)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
