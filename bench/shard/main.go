// Command shard is a load harness for shared polling (not a unit test): N
// HTTP probe targets on one local target server, polled every interval by
// R replica processes of the real bot sharing one PostgreSQL database with
// [bot] shard = true. After a warm-up it measures over a window: polls made
// vs scheduled and the largest gap between two polls of one target
// (counted at the target server), CPU per probe and resident memory per
// replica (from /proc), and PostgreSQL row writes per second
// (pg_stat_user_tables). Then it kills one replica with SIGKILL and
// reports how long the others took to see it gone (rebalance) and the
// largest gap across the kill.
//
// It sends nothing anywhere but 127.0.0.1 and the database, and stops by
// itself.
//
//	OUTAGEBOT_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go run ./bench/shard -targets 10000 -replicas 4 -interval 60s -window 2m
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/config"
)

func main() {
	replicaCfg := flag.String("replica", "", "internal: run as a replica with this configuration")
	targets := flag.Int("targets", 1000, "HTTP probe targets")
	replicas := flag.Int("replicas", 4, "replica processes")
	interval := flag.Duration("interval", 60*time.Second, "probe interval")
	window := flag.Duration("window", 2*time.Minute, "measurement window after the warm-up")
	lease := flag.Duration("lease", app.DefaultLeaseTTL, "leader lease and heartbeat lease")
	flag.Parse()
	if *replicaCfg != "" {
		runReplica(*replicaCfg, *lease)
		return
	}
	if *targets < 1 || *targets > 100_000 || *replicas < 2 || *replicas > 16 {
		fmt.Fprintln(os.Stderr, "shard: -targets must be 1..100000 and -replicas 2..16")
		os.Exit(2)
	}
	dsn := os.Getenv("OUTAGEBOT_TEST_POSTGRES")
	if dsn == "" {
		fmt.Fprintln(os.Stderr, "shard: set OUTAGEBOT_TEST_POSTGRES to a PostgreSQL URL on loopback")
		os.Exit(2)
	}
	if err := run(dsn, *targets, *replicas, *interval, *window, *lease); err != nil {
		fmt.Fprintln(os.Stderr, "shard:", err)
		os.Exit(1)
	}
}

// runReplica is one bot process.
func runReplica(path string, lease time.Duration) {
	data, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	cfg, err := config.Parse(path, data, os.LookupEnv)
	if err != nil {
		panic(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a, err := app.New(context.Background(), cfg, app.Options{Log: log, LeaseTTL: lease})
	if err != nil {
		panic(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := a.Run(ctx); err != nil {
		panic(err)
	}
}

// counter records, per target, the polls and the largest gap since reset.
type counter struct {
	last  []atomic.Int64 // unix nanos
	gap   []atomic.Int64
	polls atomic.Int64
}

func (c *counter) hit(i int) {
	now := time.Now().UnixNano()
	prev := c.last[i].Swap(now)
	if prev != 0 {
		g := now - prev
		for {
			old := c.gap[i].Load()
			if g <= old || c.gap[i].CompareAndSwap(old, g) {
				break
			}
		}
	}
	c.polls.Add(1)
}

func (c *counter) reset() {
	for i := range c.gap {
		c.gap[i].Store(0)
	}
	c.polls.Store(0)
}

func (c *counter) maxGap() time.Duration {
	var m int64
	for i := range c.gap {
		m = max(m, c.gap[i].Load())
	}
	return time.Duration(m)
}

type proc struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	seen map[int]time.Time // first time "live=N" was logged after the kill
}

func run(dsn string, n, r int, interval, window, lease time.Duration) error {
	c := &counter{last: make([]atomic.Int64, n), gap: make([]atomic.Int64, n)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if i, err := strconv.Atoi(strings.TrimPrefix(req.URL.Path, "/t")); err == nil && i >= 0 && i < n {
			c.hit(i)
		}
		w.WriteHeader(http.StatusNoContent)
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	db, schema, state, err := freshSchema(dsn)
	if err != nil {
		return err
	}
	defer func() { _, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE"); db.Close() }()

	dir, err := os.MkdirTemp("", "outagebot-shard")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var b strings.Builder
	fmt.Fprintf(&b, "[bot]\nstate = %q\nlisten = \"\"\nshard = true\nlog_level = \"info\"\n", state)
	for i := range n {
		fmt.Fprintf(&b, "[[target]]\nname = \"t%d\"\ntype = \"http\"\nurl = \"http://%s/t%d\"\ninterval = %q\n", i, ln.Addr(), i, interval)
	}
	cfgPath := filepath.Join(dir, "outagebot.toml")
	if err := os.WriteFile(cfgPath, []byte(b.String()), 0o600); err != nil {
		return err
	}
	var procs []*proc
	var killedAt atomic.Int64
	for range r {
		p := &proc{seen: map[int]time.Time{}}
		p.cmd = exec.Command(os.Args[0], "-replica", cfgPath, "-lease", lease.String())
		stderr, err := p.cmd.StderrPipe()
		if err != nil {
			return err
		}
		if err := p.cmd.Start(); err != nil {
			return err
		}
		go func() {
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				line := sc.Text()
				if k := killedAt.Load(); k != 0 && strings.Contains(line, "replicas in the fleet") {
					if i := strings.Index(line, "live="); i >= 0 {
						v, _ := strconv.Atoi(strings.Fields(line[i+5:])[0])
						p.mu.Lock()
						if _, ok := p.seen[v]; !ok {
							p.seen[v] = time.Now()
						}
						p.mu.Unlock()
					}
				}
			}
		}()
		procs = append(procs, p)
	}
	defer func() {
		for _, p := range procs {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			_ = p.cmd.Wait()
		}
	}()

	warm := interval + 2*lease
	fmt.Printf("targets %d, replicas %d, interval %s, lease %s: warming up for %s\n", n, r, interval, lease, warm)
	time.Sleep(warm)
	c.reset()
	cpu0 := cpuOf(procs)
	w0, err := writes(db, schema)
	if err != nil {
		return err
	}
	start := time.Now()
	time.Sleep(window)
	elapsed := time.Since(start)
	polls := c.polls.Load()
	cpu := cpuOf(procs) - cpu0
	w1, err := writes(db, schema)
	if err != nil {
		return err
	}
	scheduled := float64(n) * elapsed.Seconds() / interval.Seconds()
	fmt.Printf("window %s: polls made %d of %.0f scheduled (%.1f%%), largest gap %s\n", elapsed.Round(time.Second), polls, scheduled, 100*float64(polls)/scheduled, c.maxGap().Round(time.Millisecond))
	fmt.Printf("CPU: %.1f%% of one core over all replicas, %.3f ms per probe\n", 100*cpu.Seconds()/elapsed.Seconds(), float64(cpu.Microseconds())/1000/float64(max(polls, 1)))
	for i, p := range procs {
		fmt.Printf("replica %d: RSS %.1f MB\n", i, float64(rss(p.cmd.Process.Pid))/(1<<20))
	}
	fmt.Printf("PostgreSQL: %.0f row writes/s\n", float64(w1-w0)/elapsed.Seconds())

	// Kill one replica; the others see it gone within a lease.
	victim := procs[r-1]
	c.reset()
	kill := time.Now()
	killedAt.Store(kill.UnixNano())
	_ = victim.cmd.Process.Kill()
	_ = victim.cmd.Wait()
	procs = procs[:r-1]
	time.Sleep(interval + 2*lease)
	var rebalance time.Duration
	for _, p := range procs {
		p.mu.Lock()
		at, ok := p.seen[r-1]
		p.mu.Unlock()
		if !ok {
			return fmt.Errorf("a replica never saw the killed one gone")
		}
		rebalance = max(rebalance, at.Sub(kill))
	}
	fmt.Printf("after SIGKILL of one replica: the others saw it gone within %s; largest gap across the kill %s (bound: interval + lease + lease/3 = %s)\n",
		rebalance.Round(time.Millisecond), c.maxGap().Round(time.Millisecond), (interval + lease + lease/3).Round(time.Millisecond))
	return nil
}

// freshSchema creates a schema of its own and returns the state URL
// pointing into it.
func freshSchema(dsn string) (*sql.DB, string, string, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, "", "", err
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "bench_" + hex.EncodeToString(b[:])
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		return nil, "", "", err
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, "", "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return db, schema, u.String(), nil
}

// writes is the rows inserted, updated and deleted in the schema so far.
func writes(db *sql.DB, schema string) (int64, error) {
	var n sql.NullInt64
	err := db.QueryRow(`SELECT sum(n_tup_ins + n_tup_upd + n_tup_del) FROM pg_stat_user_tables WHERE schemaname = $1`, schema).Scan(&n)
	return n.Int64, err
}

// cpuOf is the user+system CPU time of the processes so far.
func cpuOf(procs []*proc) time.Duration {
	var total time.Duration
	for _, p := range procs {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
		if err != nil {
			continue
		}
		f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		total += time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ = 100
	}
	return total
}

// rss is a process's resident memory in bytes.
func rss(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
