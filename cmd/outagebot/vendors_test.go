package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/outagebot/outagebot/catalog"
)

const vendorFixtures = "testdata/vendors"

// fixedClock makes every latency 0s, so the output does not depend on how
// fast this machine answers.
func fixedClock() time.Time { return time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC) }

func serveFile(t *testing.T, w http.ResponseWriter, name, contentType string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(vendorFixtures, name))
	if err != nil {
		t.Error(err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(data)
}

// statuspagePage serves what an Atlassian Statuspage page serves: its home
// page, the summary and the incidents.
func statuspagePage(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			serveFile(t, w, "statuspage/index.html", "text/html; charset=utf-8")
		case "/api/v2/summary.json":
			serveFile(t, w, "statuspage/summary.json", "application/json; charset=utf-8")
		case "/api/v2/incidents.json":
			serveFile(t, w, "statuspage/incidents.json", "application/json; charset=utf-8")
		default:
			http.NotFound(w, r)
		}
	}
}

// rssEverywhere is a page that answers every path with its RSS feed, the
// way a page that left Statuspage for a feed-only host looks to the
// statuspage source.
func rssEverywhere(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		serveFile(t, w, "feed/history.rss", "application/rss+xml; charset=utf-8")
	}
}

// statusioAPI is status.io's Public Status API for one page.
func statusioAPI(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/1.0/status/5b36dc6502d06804c08349f7" {
			http.NotFound(w, r)
			return
		}
		serveFile(t, w, "statusio/status.json", "application/json; charset=utf-8")
	}
}

// htmlError answers 200 with an HTML error page, as a CDN or login wall
// does.
func htmlError(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html")
	_, _ = w.Write([]byte("<html><head><title>Temporarily unavailable</title></head><body>Please try again later.</body></html>"))
}

func serverError(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// neverAnswers holds every request until the client gives up.
func neverAnswers(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

func fakeVendor(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func runVendorsCLI(vendors []catalog.Vendor, parallel int, args ...string) (code int, stdout, stderr string) {
	var out, errb strings.Builder
	code = runVendors(context.Background(), args, &out, &errb, vendorsEnv{vendors: vendors, now: fixedClock, parallel: parallel})
	return code, out.String(), errb.String()
}

var port = regexp.MustCompile(`127\.0\.0\.1:\d+`)

// TestVendorsCheck checks one entry per case against a local fake and reads
// its row.
func TestVendorsCheck(t *testing.T) {
	for _, tc := range []struct {
		name      string
		typ       string
		handler   http.HandlerFunc
		path      string // appended to the fake's URL
		timeout   string
		detected  string
		reachable string // "yes", or a piece of the error
		problem   string // a piece of the problem line, "" for none
	}{
		{name: "statuspage", typ: "statuspage", handler: statuspagePage(t), detected: "statuspage", reachable: "yes"},
		{name: "incidentio reads the statuspage api", typ: "incidentio", handler: statuspagePage(t), detected: "statuspage", reachable: "yes"},
		{name: "feed", typ: "feed", handler: rssEverywhere(t), path: "/history.rss", detected: "feed", reachable: "yes"},
		{name: "statusio", typ: "statusio", handler: statusioAPI(t), path: "/1.0/status/5b36dc6502d06804c08349f7", detected: "statusio", reachable: "yes"},
		{name: "statuspage that serves a feed", typ: "statuspage", handler: rssEverywhere(t), detected: "feed",
			reachable: "/api/v2/summary.json: ", problem: "the catalog says statuspage, but the page answers as feed"},
		{name: "html error page", typ: "statuspage", handler: htmlError, detected: "-",
			reachable: "got an HTML page instead of JSON", problem: "unreachable in its catalog format"},
		{name: "server error", typ: "statuspage", handler: serverError, detected: "-",
			reachable: "HTTP 500 Internal Server Error", problem: "unreachable in its catalog format"},
		{name: "no answer", typ: "statuspage", handler: neverAnswers, timeout: "200ms", detected: "-",
			reachable: "timed out after", problem: "unreachable in its catalog format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := catalog.Vendor{Name: "nimbus", Title: "Nimbus", Category: "test", Type: tc.typ, URL: fakeVendor(t, tc.handler) + tc.path}
			args := []string{"--check"}
			if tc.timeout != "" {
				args = append(args, "--timeout", tc.timeout)
			}
			code, out, errOut := runVendorsCLI([]catalog.Vendor{v}, 1, args...)
			row := regexp.MustCompile(`(?m)^nimbus +(\S+) +(\S+) +(\S+) +(.*)$`).FindStringSubmatch(out)
			if row == nil {
				t.Fatalf("no row for the vendor (exit %d):\n%s%s", code, out, errOut)
			}
			if row[1] != tc.typ || row[2] != tc.detected || row[3] != "0s" || !strings.Contains(row[4], tc.reachable) {
				t.Errorf("row = type %q, detected %q, latency %q, reachable %q; want %q, %q, 0s, %q", row[1], row[2], row[3], row[4], tc.typ, tc.detected, tc.reachable)
			}
			if tc.problem == "" {
				if code != 0 || !strings.Contains(out, "OK: all 1 vendors answered in their catalog format.") || strings.Contains(out, "Problems:") {
					t.Errorf("exit %d, want 0 and no problems:\n%s", code, out)
				}
				return
			}
			problem := regexp.MustCompile(`(?m)^  nimbus: .*` + regexp.QuoteMeta(tc.problem))
			if code != 1 || !problem.MatchString(out) || !strings.Contains(out, "FAIL: 1 of 1 vendors failed the check: nimbus") {
				t.Errorf("exit %d, want 1 and the problem %q:\n%s", code, tc.problem, out)
			}
		})
	}
}

// TestVendorsCheckOutput pins the whole report for a mixed catalog.
func TestVendorsCheckOutput(t *testing.T) {
	vendors := []catalog.Vendor{
		{Name: "atlas", Type: "statuspage", URL: fakeVendor(t, statuspagePage(t))},
		{Name: "beacon", Type: "feed", URL: fakeVendor(t, rssEverywhere(t)) + "/history.rss"},
		{Name: "cirrus", Type: "statuspage", URL: fakeVendor(t, rssEverywhere(t))},
		{Name: "delta", Type: "statuspage", URL: fakeVendor(t, http.HandlerFunc(htmlError))},
		{Name: "echo", Type: "statusio", URL: fakeVendor(t, statusioAPI(t)) + "/1.0/status/5b36dc6502d06804c08349f7"},
		{Name: "foxtrot", Type: "statuspage", URL: fakeVendor(t, http.HandlerFunc(serverError))},
	}
	code, out, errOut := runVendorsCLI(vendors, vendorsParallel, "--check")
	if code != 1 || errOut != "" {
		t.Errorf("exit %d, stderr %q; want 1 and nothing on stderr", code, errOut)
	}
	golden(t, "vendors-check.golden", port.ReplaceAllString(out, "127.0.0.1:PORT"))
}

// TestVendorsCheckPollsInParallel holds every request until as many as the
// bound are in flight at once, so it passes only if real polls run in
// parallel up to the bound.
func TestVendorsCheckPollsInParallel(t *testing.T) {
	const parallel, n = 3, 7
	var (
		mu       sync.Mutex
		inFlight int
		most     int
		release  = make(chan struct{})
	)
	page := statuspagePage(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		if inFlight == parallel {
			select {
			case <-release:
			default:
				close(release)
			}
		}
		mu.Unlock()
		defer func() {
			mu.Lock()
			inFlight--
			mu.Unlock()
		}()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		// Each vendor's page lives under its own first path segment.
		_, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		r.URL.Path = "/" + rest
		page(w, r)
	}))
	defer srv.Close()
	var vendors []catalog.Vendor
	for i := range n {
		vendors = append(vendors, catalog.Vendor{Name: string(rune('a' + i)), Type: "statuspage", URL: srv.URL + "/" + string(rune('a'+i))})
	}
	code, out, _ := runVendorsCLI(vendors, parallel, "--check")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if most != parallel {
		t.Errorf("at most %d requests were in flight at once, want %d", most, parallel)
	}
}

// TestVendorsCheckBoundsConcurrency counts the entries being checked at
// once. In a synctest bubble, synctest.Wait returns only when every
// goroutine is blocked, so each count is of all the checks that could start,
// not of those that happened to start in time.
func TestVendorsCheckBoundsConcurrency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const parallel, n = 3, 8
		var (
			mu       sync.Mutex
			inFlight int
			done     int
			release  = make(chan struct{})
		)
		checkOne := func(_ context.Context, _ vendorsEnv, v catalog.Vendor, _ time.Duration) vendorCheck {
			mu.Lock()
			inFlight++
			mu.Unlock()
			<-release
			mu.Lock()
			inFlight--
			done++
			mu.Unlock()
			return vendorCheck{vendor: v, detected: v.Type}
		}
		vendors := make([]catalog.Vendor, n)
		for i := range vendors {
			vendors[i] = catalog.Vendor{Name: string(rune('a' + i)), Type: "statuspage"}
		}
		env := vendorsEnv{vendors: vendors, now: fixedClock, parallel: parallel, checkOne: checkOne}
		result := make(chan []vendorCheck)
		go func() { result <- checkVendors(context.Background(), env, time.Second) }()
		for finished := 0; finished < n; {
			synctest.Wait()
			mu.Lock()
			running := inFlight
			mu.Unlock()
			if want := min(parallel, n-finished); running != want {
				t.Fatalf("%d entries checked at once with %d finished, want %d", running, finished, want)
			}
			release <- struct{}{}
			synctest.Wait()
			mu.Lock()
			finished = done
			mu.Unlock()
		}
		checks := <-result
		for i, c := range checks {
			if c.vendor.Name != vendors[i].Name {
				t.Errorf("result %d is %s, want %s: results must keep the catalog's order", i, c.vendor.Name, vendors[i].Name)
			}
		}
	})
}

func TestVendorsList(t *testing.T) {
	code, out, _ := runVendorsCLI(catalog.All(), vendorsParallel)
	if code != 0 || !regexp.MustCompile(`(?m)^gitlab\s+GitLab\s+code\s+statusio\s+https://api\.status\.io/1\.0/status/5b36dc6502d06804c08349f7`).MatchString(out) {
		t.Errorf("vendors: exit %d\n%s", code, out)
	}
	if strings.Contains(out, "CONFIRMED BY") {
		t.Error("the plain list shows sources")
	}
	code, out, _ = runVendorsCLI(catalog.All(), vendorsParallel, "-v")
	if code != 0 || !regexp.MustCompile(`(?m)^github\s.*inket/stts`).MatchString(out) {
		t.Errorf("vendors -v: exit %d\n%s", code, out)
	}
}

func TestVendorsUsage(t *testing.T) {
	code, out, _ := runVendorsCLI(nil, vendorsParallel, "--help")
	for _, want := range []string{"Usage: outagebot vendors [flags]", "DETECTED", "REACHABLE", "--timeout DURATION"} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("--help: exit %d, missing %q in:\n%s", code, want, out)
		}
	}
	for _, args := range [][]string{{"--check", "--timeout", "0s"}, {"extra"}, {"--nope"}} {
		if code, _, _ := runVendorsCLI(nil, vendorsParallel, args...); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
		}
	}
}
