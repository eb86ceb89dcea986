package awshealth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/sources/fetch"
)

const (
	listPath    = "/public/currentevents"
	historyPath = "/historyevents.json"
	// awsType is how AWS labels the list: UTF-16, with the BOM in the body.
	awsType = "application/json;charset=utf-16"
)

// served is one body the fake dashboard serves.
type served struct {
	file  string // under testdata/
	body  []byte // used when file is ""
	ctype string
	code  int // 200 when 0
}

// fakeAWS serves the event list and the history the way AWS does: with an
// ETag, answering If-None-Match with 304.
type fakeAWS struct {
	mu    sync.Mutex
	files map[string]served
	hits  map[string]int
	n304  map[string]int
}

func newFake() *fakeAWS {
	return &fakeAWS{files: map[string]served{}, hits: map[string]int{}, n304: map[string]int{}}
}

func (f *fakeAWS) set(path string, s served) { f.mu.Lock(); f.files[path] = s; f.mu.Unlock() }

func (f *fakeAWS) counts(path string) (hits, n304 int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[path], f.n304[path]
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	s, ok := f.files[r.URL.Path]
	f.hits[r.URL.Path]++
	f.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	data := s.body
	if s.file != "" {
		var err error
		if data, err = os.ReadFile("testdata/" + s.file); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	if s.code != 0 {
		w.Header().Set("Content-Type", s.ctype)
		w.WriteHeader(s.code)
		w.Write(data)
		return
	}
	etag := fmt.Sprintf(`"%x"`, sha256.Sum256(data))
	if r.Header.Get("If-None-Match") == etag {
		f.mu.Lock()
		f.n304[r.URL.Path]++
		f.mu.Unlock()
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", s.ctype)
	w.Write(data)
}

// clock is a settable clock for the Source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// logs records what a Source logs.
type logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.buf.Write(p) }
func (l *logs) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.buf.String() }

func setup(t *testing.T, opts ...Option) (*fakeAWS, *Source, *clock, *logs) {
	t.Helper()
	f := newFake()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	clk := &clock{t: testNow}
	lg := &logs{}
	all := append([]Option{WithNow(clk.now), WithHistoryURL(srv.URL + historyPath), WithLogger(slog.New(slog.NewTextHandler(lg, nil)))}, opts...)
	return f, New(srv.URL, fetch.New(fetch.Options{}), all...), clk, lg
}

func poll(t *testing.T, s *Source) sources.Observation {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	obs, err := s.Poll(ctx)
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	return obs
}

func TestPollConditional(t *testing.T) {
	f, src, clk, _ := setup(t)
	f.set(listPath, served{file: "ongoing/currentevents.json", ctype: awsType})
	f.set(historyPath, served{file: "history/historyevents.json", ctype: "application/json"})

	first := poll(t, src)
	if first.NotModified || len(first.Incidents) != 2 || !first.At.Equal(testNow) {
		t.Fatalf("first poll = %+v", first)
	}
	// The first poll reads the history once, for events that ended while
	// the bot was down: the EC2 event is listed, so the list wins.
	if h, _ := f.counts(historyPath); h != 1 {
		t.Errorf("history read %d times on the first poll", h)
	}
	if find(t, first, arnEC2).Status.Done() {
		t.Errorf("the listed EC2 event is open; the history must not close it")
	}

	clk.add(time.Minute)
	second := poll(t, src)
	if !second.NotModified || !second.At.Equal(testNow.Add(time.Minute)) || len(second.Incidents) != 2 {
		t.Errorf("second poll = %+v", second)
	}
	if hits, n304 := f.counts(listPath); hits != 2 || n304 != 1 {
		t.Errorf("list: hits=%d 304s=%d", hits, n304)
	}
	if h, _ := f.counts(historyPath); h != 1 {
		t.Errorf("history read %d times; an unchanged list needs no history", h)
	}
}

// TestPollVanished follows an event that drops off the list: its closing
// words come from the history, once, and it stays reported for the window.
func TestPollVanished(t *testing.T) {
	f, src, clk, _ := setup(t)
	f.set(listPath, served{file: "ongoing/currentevents.json", ctype: awsType})
	poll(t, src) // no history yet: a 404, which the poll survives
	f.set(historyPath, served{file: "history/historyevents.json", ctype: "application/json"})

	// The IAM event goes on; the EC2 event is gone from the list.
	clk.add(time.Minute)
	f.set(listPath, served{body: utf16Of(`[`+iamOnly(t)+`]`, true, true), ctype: awsType})
	obs := poll(t, src)
	ec2 := find(t, obs, arnEC2)
	last, _ := ec2.Latest()
	if ec2.Status != sources.IncidentResolved || !strings.Contains(last.Body, "The issue has been resolved") || obs.NotModified {
		t.Fatalf("vanished EC2 event = %s %q", ec2.Status, last.Body)
	}
	if find(t, obs, arnIAM).Status.Done() {
		t.Errorf("IAM resolved")
	}
	// The older Lambda event in the history ended outside the window.
	for _, inc := range obs.Incidents {
		if strings.Contains(inc.ID, "LAMBDA") {
			t.Errorf("stale history event reported: %s", inc.ID)
		}
	}
	if h, _ := f.counts(historyPath); h != 2 {
		t.Errorf("history read %d times, want 2 (first poll, and when the event vanished)", h)
	}

	// Found: the history is not read again, and the event stays resolved.
	clk.add(time.Minute)
	obs = poll(t, src)
	if h, _ := f.counts(historyPath); h != 2 {
		t.Errorf("history read again (%d) after the event was found", h)
	}
	if !find(t, obs, arnEC2).Status.Done() || !obs.NotModified {
		t.Errorf("later poll: %+v", obs)
	}
	// A day on, it has left the window.
	clk.add(RecentlyResolved)
	obs = poll(t, src)
	if len(obs.Incidents) != 1 || obs.Incidents[0].ID != arnIAM {
		t.Errorf("a day later: %+v", obs.Incidents)
	}
}

// iamOnly is the IAM event of the ongoing fixture, as JSON.
func iamOnly(t *testing.T) string {
	t.Helper()
	text, err := decodeText(readFixture(t, "ongoing/currentevents.json"), "")
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(text, []byte(`{"date":"1796310604"`))
	if i < 0 {
		t.Fatal("no IAM event in the fixture")
	}
	return string(text[i : len(text)-1])
}

// TestPollHistoryLags covers an event that drops off the list before the
// history has it: the history is read on each poll until it does, for
// HistoryPatience at most.
func TestPollHistoryLags(t *testing.T) {
	f, src, clk, _ := setup(t)
	f.set(listPath, served{file: "ongoing/currentevents.json", ctype: awsType})
	f.set(historyPath, served{body: []byte(`{}`), ctype: "application/json"})
	poll(t, src)
	f.set(listPath, served{file: "operational/currentevents.json", ctype: awsType})
	for i := range 3 {
		clk.add(time.Minute)
		obs := poll(t, src)
		if len(obs.Incidents) != 0 {
			t.Fatalf("poll %d: %+v", i, obs.Incidents)
		}
	}
	if h, n304 := f.counts(historyPath); h != 4 || n304 != 3 {
		t.Errorf("history: hits=%d 304s=%d, want 4 and 3 (conditional)", h, n304)
	}
	// It arrives (for the EC2 event; the IAM event is not in it).
	f.set(historyPath, served{file: "history/historyevents.json", ctype: "application/json"})
	clk.add(time.Minute)
	obs := poll(t, src)
	if len(obs.Incidents) != 1 || !find(t, obs, arnEC2).Status.Done() || obs.NotModified {
		t.Fatalf("history arrived: %+v", obs.Incidents)
	}

	// An event the history never gets is given up after HistoryPatience.
	f.set(listPath, served{file: "ongoing/currentevents.json", ctype: awsType})
	f.set(historyPath, served{body: []byte(`{}`), ctype: "application/json"})
	clk.add(time.Minute)
	poll(t, src)
	f.set(listPath, served{file: "operational/currentevents.json", ctype: awsType})
	before, _ := f.counts(historyPath)
	for range 40 {
		clk.add(time.Minute)
		poll(t, src)
	}
	after, _ := f.counts(historyPath)
	if n := after - before; n < 30 || n > 32 {
		t.Errorf("history read %d times over 40 minutes; want about %v worth", n, HistoryPatience)
	}
}

// TestPollHistoryFailure: the history only adds last words; when it cannot
// be read, the poll goes on and the failure is logged once.
func TestPollHistoryFailure(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    served
		want string
	}{
		{"not found", served{code: http.StatusNotFound, ctype: "text/plain"}, "HTTP 404 Not Found"},
		{"html", served{body: []byte("<html><body>AccessDenied</body></html>"), ctype: "text/html"}, "got an HTML page instead of JSON"},
		{"s3 error in xml", served{body: []byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code></Error>`), ctype: "application/xml"}, "got an HTML page instead of JSON"},
		{"wrong shape", served{body: []byte(`[1]`), ctype: "application/json"}, "not an AWS Health Dashboard event history"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, src, clk, lg := setup(t)
			f.set(listPath, served{file: "ongoing/currentevents.json", ctype: awsType})
			f.set(historyPath, tc.s)
			obs := poll(t, src)
			if len(obs.Incidents) != 2 {
				t.Fatalf("poll = %+v", obs)
			}
			f.set(listPath, served{file: "operational/currentevents.json", ctype: awsType})
			for range 3 {
				clk.add(time.Minute)
				if obs := poll(t, src); len(obs.Incidents) != 0 {
					t.Errorf("incidents without a history: %+v", obs.Incidents)
				}
			}
			out := lg.String()
			if strings.Count(out, "cannot read the AWS Health event history") != 1 || !strings.Contains(out, tc.want) {
				t.Errorf("log:\n%s\nwant one line with %q", out, tc.want)
			}
		})
	}
}

func TestNew(t *testing.T) {
	for in, want := range map[string][3]string{
		"":                              {DefaultURL, "https://health.aws.amazon.com", DefaultHistoryURL},
		"https://health.aws.amazon.com": {DefaultURL, "https://health.aws.amazon.com", DefaultHistoryURL},
		"https://health.aws.amazon.com/health/status":        {DefaultURL, "https://health.aws.amazon.com", DefaultHistoryURL},
		"https://health.aws.amazon.com/public/currentevents": {DefaultURL, "https://health.aws.amazon.com", DefaultHistoryURL},
		"http://127.0.0.1:8080/aws/":                         {"http://127.0.0.1:8080/aws/public/currentevents", "http://127.0.0.1:8080/aws", ""},
	} {
		s := New(in, nil)
		if got := [3]string{s.url, s.base, s.history}; got != want {
			t.Errorf("New(%q) = %v, want %v", in, got, want)
		}
	}
	if s := New("", nil, WithHistoryURL("")); s.history != "" {
		t.Errorf("WithHistoryURL(\"\") kept %s", s.history)
	}
}

// TestPollErrors: what is not AWS's event list is an error that says so,
// and the engine takes it for an unreadable page, never an outage.
func TestPollErrors(t *testing.T) {
	big := append([]byte{0xFF, 0xFE}, bytes.Repeat([]byte{' ', 0}, 600<<10)...)
	for _, tc := range []struct {
		name string
		s    served
		want string
		is   error
	}{
		{"html page", served{body: []byte("<!DOCTYPE html><html><body>Service Unavailable</body></html>"), ctype: "text/html; charset=utf-8"},
			"got an HTML page instead of JSON (an error or login page?)", fetch.ErrHTML},
		{"html page in utf-16 labelled json", served{file: "errors/html-utf16.json", ctype: awsType},
			"got an HTML or XML page instead of JSON (an error or login page?): " + fetch.ErrHTML.Error(), fetch.ErrHTML},
		{"truncated", served{file: "errors/truncated.json", ctype: awsType},
			"invalid JSON: the document ends early (truncated at 1214 bytes?)", nil},
		{"garbage", served{body: []byte("\x89PNG\r\n\x1a\n\x00\x00"), ctype: "application/octet-stream"},
			`invalid JSON at byte 1: invalid character '\u0089' looking for beginning of value`, nil},
		{"wrong shape", served{body: []byte(`{"status":"ok"}`), ctype: "application/json"},
			"not an AWS Health Dashboard event list: the document is an object, not an array", nil},
		{"server error", served{code: http.StatusServiceUnavailable, ctype: "text/plain"}, "HTTP 503 Service Unavailable", fetch.ErrStatus},
		{"too large", served{body: big, ctype: awsType}, "response body exceeds the 1.0 MiB limit", fetch.ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			srv := httptest.NewServer(f)
			defer srv.Close()
			f.set(listPath, tc.s)
			src := New(srv.URL, fetch.New(fetch.Options{MaxBody: 1 << 20}), WithHistoryURL(""))
			_, err := src.Poll(context.Background())
			if want := "GET " + srv.URL + listPath + ": " + tc.want; err == nil || err.Error() != want {
				t.Fatalf("error\n got %v\nwant %s", err, want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error is not %v", tc.is)
			}

			eng := &bot.Engine{NewID: func() string { return "o1" }}
			st := &bot.TargetState{Target: "AWS"}
			pol := bot.Policy{FailureThreshold: 1, SuccessThreshold: 1, UnreachableThreshold: 3, AnnounceExisting: true}
			for i := range 3 {
				_, err := src.Poll(context.Background())
				ch := eng.Apply(st, pol, sources.Observation{}, err, testNow.Add(time.Duration(i)*time.Minute))
				for _, ev := range ch.Events {
					if ev.Class != outage.Unreachable {
						t.Errorf("poll %d: %s %s event %q", i, ev.Class, ev.Kind, ev.Title)
					}
				}
			}
		})
	}
}
