package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/config"
)

// configTemplate watches the simulated page and its health endpoint, with the
// same defaults a real configuration gets.
const configTemplate = `
[bot]
state  = %q
listen = ""
locale = %q

[[target]]
name     = "Acme Cloud"
type     = "statuspage"
url      = %q
interval = "2s"
timeout  = "2s"

[[target]]
name              = "Acme API health"
type              = "http"
url               = %q
interval          = "1s"
timeout           = "1s"
failure_threshold = 3
success_threshold = 2
depends_on        = [{ target = "Acme Cloud", components = ["API"] }]
`

// Run plays the story against the real engine, store and console notifier
// and returns when the last outage has been resolved and printed. The
// bot's words are in locale (en or de).
func Run(ctx context.Context, out io.Writer, log *slog.Logger, locale string) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start the simulated status page: %w", err)
	}
	base := "http://" + l.Addr().String()
	story := Story()
	page := &Page{Story: story, Start: time.Now(), URL: base}
	srv := &http.Server{Handler: page, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()

	dir, err := os.MkdirTemp("", "outagebot-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	text := fmt.Sprintf(configTemplate, filepath.Join(dir, "demo.db"), locale, base, base+"/health")
	cfg, err := config.Parse("demo.toml", []byte(text), func(string) (string, bool) { return "", false })
	if err != nil {
		return fmt.Errorf("demo configuration: %w", err)
	}

	end := story[len(story)-1].At
	fmt.Fprintf(out, "outagebot demo: a simulated vendor %q (%s) breaks and recovers over the next %s.\n", "Acme Cloud", base, end+5*time.Second)
	fmt.Fprintf(out, "The bot polls its status page every 2s and probes its API health every 1s; this is what it posts:\n\n")

	a, err := app.New(ctx, cfg, app.Options{Stdout: out, Log: log})
	if err != nil {
		return err
	}
	rctx, stop := context.WithTimeout(ctx, end+25*time.Second)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- a.Run(rctx) }()

	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if errors.Is(rctx.Err(), context.DeadlineExceeded) {
				return errors.New("demo did not finish in time")
			}
			return err
		case <-tick.C:
			if time.Since(page.Start) > end && len(a.Runner().OpenOutages()) == 0 {
				// Give the dispatcher a moment to print the restoration.
				time.Sleep(1500 * time.Millisecond)
				stop()
				err := <-done
				fmt.Fprintf(out, "\nDemo over: every outage was announced, updated and resolved. Run `go run ./cmd/outagebot run --config config.example.toml` to watch real vendors.\n")
				return err
			}
		}
	}
}
