package app

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// defaultWatchDebounce is how long the file watch waits for a file to
// stop changing: an editor's save, or a ConfigMap's swap of its ..data
// link, comes as several events.
const defaultWatchDebounce = 200 * time.Millisecond

// watchFile signals on changed when anything in path's directory changes
// and then stays quiet for debounce, until ctx ends. It watches the
// directory, not the file: editors save by writing a new file and renaming
// it over the old one, and Kubernetes swaps a symbolic link, and a watch on
// the file itself would see it removed and nothing after. The receiver
// compares the file's content, so changes to other files cost a read.
func watchFile(ctx context.Context, wg *sync.WaitGroup, path string, debounce time.Duration, changed chan<- struct{}, log *slog.Logger) error {
	if debounce <= 0 {
		debounce = defaultWatchDebounce
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("start a file watch: %w", err)
	}
	dir := filepath.Dir(path)
	if err := w.Add(dir); err != nil {
		w.Close()
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	wg.Go(func() {
		defer w.Close()
		timer := time.NewTimer(debounce)
		timer.Stop()
		defer timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case _, ok := <-w.Events:
				if !ok {
					return
				}
				timer.Reset(debounce)
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				// Events were lost (the queue overflowed): look anyway.
				log.Warn("the configuration file watch reported an error", "dir", dir, "err", err)
				timer.Reset(debounce)
			case <-timer.C:
				select {
				case changed <- struct{}{}:
				default:
				}
			}
		}
	})
	return nil
}
