package app_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/outagebot/outagebot/app"
)

// browserPath is a Chromium or Chrome on this machine, or "".
func browserPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser starts a headless Chromium that may reach loopback only, and
// collects every console error, exception and error log entry of its pages.
func browser(t *testing.T) (ctx context.Context, problems func() []string) {
	t.Helper()
	path := browserPath()
	if path == "" {
		t.Skip("SKIPPED: no Chromium or Chrome found (apt-get install chromium); the status page is not tested in a browser")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// Names other than loopback resolve nowhere: the page must need
		// nothing from the internet, and the browser may reach nothing.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.WindowSize(1200, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Skipf("SKIPPED: the browser %s does not start: %v", path, err)
	}
	// Console API calls, uncaught exceptions and browser log entries (CSP
	// violations, failed loads) of every page the tab shows.
	var mu sync.Mutex
	var seen []string
	msgs := chromedp.Console(bctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning || m.IsException() {
				mu.Lock()
				seen = append(seen, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line))
				mu.Unlock()
			}
		}
	}()
	// A generous bound for everything the test waits for: it waits for
	// conditions, never for time, so this only ends a hung run.
	ctx, cancel := context.WithTimeout(bctx, 3*time.Minute)
	t.Cleanup(cancel)
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// screenshots is where the test's screenshots go: OUTAGEBOT_SCREENSHOTS,
// else a temporary directory.
func screenshots(t *testing.T) string {
	dir := os.Getenv("OUTAGEBOT_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shoot saves a PNG of the whole page as dir/name.png.
func shoot(dir, name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		png, err := chromedp.FullScreenshot(100)(ctx, t)
		if err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Void{}, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}

// into runs a and keeps its result in dst, so it can stand among steps.
func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, t)
		*dst = v
		return chromedp.Void{}, err
	}
}

// css is a CSS selector.
func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// darkMode makes the page see prefers-color-scheme: dark.
func darkMode() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
		})
		return err
	})
}

// TestStatusPageInBrowser follows one outage of a vendor through the status
// page in a real browser: it opens, changes and ends while the page stays
// loaded, the outage page shows the report, and the pages read well on a
// phone and in dark mode with no console errors.
func TestStatusPageInBrowser(t *testing.T) {
	ctx, problems := browser(t)
	shots := screenshots(t)

	v, feed := newVendor(t, 0)
	cfg := parseConfig(t, fmt.Sprintf(`
[bot]
state = %q
listen = "127.0.0.1:0"

[[target]]
name = "OpenAI"
group = "AI vendors"
type = "statuspage"
url = %q
interval = "1s"
timeout = "1s"
`, filepath.Join(t.TempDir(), "state.db"), feed))
	a := startWith(t, cfg, app.Options{Dispatch: fastRetries, PageRefresh: 200 * time.Millisecond}, nil).app
	base := "http://" + a.Addr()
	waitPolls(t, v, 1)

	row := `li.target[data-target="OpenAI"]`
	var text string
	var marker bool
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	// The marker lives as long as the document: it proves that what
	// follows changed without a reload.
	run("all good", chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(css(`.banner.ok`)),
		chromedp.WaitVisible(css(row+` .pill.ok`)),
		chromedp.Evaluate[chromedp.Void](`window.__loadedOnce = true; undefined`),
		shoot(shots, "1-operational"))

	v.phase.Store(1) // the vendor posts an incident
	// The outage is in the engine's memory a moment before its words are
	// in the store, which the page reads them from: wait for the words
	// too, which come with the next refresh.
	run("outage opens", chromedp.WaitVisible(css(`article.outage`)),
		chromedp.WaitVisible(css(`article.outage blockquote.latest`)),
		chromedp.WaitVisible(css(`.banner.deg`)),
		chromedp.WaitVisible(css(row+` .pill.deg`)),
		into(&text, chromedp.Text(css(`article.outage`))),
		shoot(shots, "2-opened"))
	for _, want := range []string{"Elevated error rates on Chat Completions", "We are investigating elevated error rates for Chat Completions", "since "} {
		if !strings.Contains(text, want) {
			t.Errorf("the open outage does not show %q:\n%s", want, text)
		}
	}

	v.phase.Store(2) // the vendor's update: a partial outage
	run("outage worsens", chromedp.WaitVisible(css(row+` .pill.part`)),
		chromedp.WaitVisible(css(`article.outage .pill.part`)),
		shoot(shots, "3-updated"))

	v.phase.Store(3) // resolved
	run("restored", chromedp.WaitVisible(css(`.banner.ok`)),
		chromedp.WaitVisible(css(row+` .pill.ok`)),
		chromedp.WaitNotPresent(css(`article.outage`)),
		into(&marker, chromedp.Evaluate[bool](`window.__loadedOnce === true`)),
		into(&text, chromedp.Text(css(row))),
		shoot(shots, "4-restored"))
	if !marker {
		t.Error("the page was reloaded: the updates should have come in place")
	}
	if !strings.Contains(text, "Last 90 days of OpenAI") {
		t.Errorf("the target row has no screen-reader text for its bar:\n%s", text)
	}

	outs, err := a.Store().Outages(context.Background(), time.Now().AddDate(0, 0, -7), "OpenAI")
	if err != nil || len(outs) != 1 {
		t.Fatalf("stored outages: %d, %v; want 1", len(outs), err)
	}
	run("report", chromedp.Navigate(base+"/outages/"+outs[0].ID),
		chromedp.WaitVisible(css(`ol.timeline li`)),
		into(&text, chromedp.Text(css(`main`))),
		shoot(shots, "5-report"))
	for _, want := range []string{"Elevated error rates on Chat Completions", "Resolved", "This incident has been resolved", "Export as Markdown", "Total duration"} {
		if !strings.Contains(text, want) {
			t.Errorf("the outage page does not show %q:\n%s", want, text)
		}
	}

	// A phone: nothing may be wider than the screen.
	fits := `document.documentElement.scrollWidth <= window.innerWidth`
	for _, p := range []struct{ path, wait, name string }{
		{"/", ".banner.ok", "6-phone"},
		{"/outages/" + outs[0].ID, "ol.timeline", "6-phone-report"},
		{"/history?window=7d", "table.history", "6-phone-history"},
	} {
		var ok bool
		run("phone "+p.path, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile),
			chromedp.Navigate(base+p.path), chromedp.WaitVisible(css(p.wait)),
			into(&ok, chromedp.Evaluate[bool](fits)), shoot(shots, p.name))
		if !ok {
			t.Errorf("%s scrolls sideways at 360 px", p.path)
		}
	}

	// Dark mode follows the system.
	var bg string
	run("dark", chromedp.EmulateViewport(1200, 900),
		darkMode(),
		chromedp.Navigate(base+"/"), chromedp.WaitVisible(css(`.banner.ok`)),
		into(&bg, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`)),
		shoot(shots, "7-dark"))
	if bg != "rgb(13, 17, 23)" {
		t.Errorf("dark mode: body background %s, want rgb(13, 17, 23)", bg)
	}

	if p := problems(); len(p) > 0 {
		t.Errorf("the browser reported problems:\n%s", strings.Join(p, "\n"))
	}
	t.Logf("screenshots in %s", shots)
}
