package app_test

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/app"
)

// A TCP endpoint that goes down and comes back: one outage, opened and
// resolved, through the real pipeline.
func TestTCPProbeEndToEnd(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	go acceptAll(l)

	text := fmt.Sprintf(`
[bot]
state = %q
listen = ""
[[target]]
name = "Database"
type = "tcp"
address = %q
timeout = "1s"
failure_threshold = 2
success_threshold = 1
`, filepath.Join(t.TempDir(), "state.db"), addr)
	cfg := parseConfig(t, text)
	out := &syncBuffer{}
	a := newApp(t, cfg, app.Options{Stdout: out})
	ctx := context.Background()
	poll := func() { a.Runner().Poll(ctx, a.Runner().Jobs()[0]); a.Drain(ctx) }

	poll()
	l.Close()
	poll()
	poll()
	if l, err = net.Listen("tcp", addr); err != nil {
		t.Skipf("could not listen on %s again: %v", addr, err)
	}
	defer l.Close()
	go acceptAll(l)
	poll()

	lines := out.Lines()
	if len(lines) != 2 || !strings.Contains(lines[0], "Database  OPENED       major outage             Down: connection refused (2 failed checks in a row)") ||
		!strings.Contains(lines[1], "Database  RESOLVED") {
		t.Fatalf("got:\n%s", strings.Join(lines, "\n"))
	}
}

func acceptAll(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		c.Close()
	}
}
