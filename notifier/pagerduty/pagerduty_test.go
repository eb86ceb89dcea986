package pagerduty_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/internal/fakehook"
	"github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/internal/hooktest"
	"github.com/outagebot/outagebot/notifier/pagerduty"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

const routingKey = "R0UT1NGs3cr3tKEY0123456789abcdef"

func newNotifier(t *testing.T, url string) *pagerduty.Notifier {
	t.Helper()
	n, err := pagerduty.New(pagerduty.Options{RoutingKey: routingKey, APIURL: url, Group: func(string) string { return "ai" }})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func route(n notifier.Notifier, channel string) notifier.Route {
	return notifier.Route{Destination: notifier.Destination{Channel: channel, Platform: "pagerduty"}, Notifier: n}
}

// The event sent per kind, in every language (English in
// testdata/event-<case>.golden, the others in event-<case>.<lang>.golden).
func TestEventGolden(t *testing.T) {
	evs := hooktest.Lifecycle("o-1")
	ack := evs[1]
	ack.Kind = outage.Kind("acknowledged")
	for _, lang := range i18n.Languages {
		for _, c := range []struct {
			name   string
			action string
			ev     outage.Event
		}{
			{"trigger-opened", pagerduty.Trigger, evs[0]},
			{"trigger-severity-changed", pagerduty.Trigger, evs[2]},
			{"acknowledge", pagerduty.Acknowledge, ack},
			{"resolve", pagerduty.Resolve, evs[3]},
		} {
			name := "event-" + c.name
			if lang != i18n.Default {
				name += "." + lang
			}
			t.Run(name, func(t *testing.T) {
				e := pagerduty.BuildIn(i18n.For(lang), "ROUTING_KEY", c.action, c.ev, "ai")
				if lang == i18n.Default && !reflect.DeepEqual(e, pagerduty.Build("ROUTING_KEY", c.action, c.ev, "ai")) {
					t.Errorf("Build differs from BuildIn in English")
				}
				golden.JSON(t, name, e, false, *update)
			})
		}
	}
}

// A service configured in German gets a German summary and link; one in
// English, in the same run, English.
func TestSummaryLanguageOnTheWire(t *testing.T) {
	ev := hooktest.Lifecycle("o-1")[0]
	for lang, want := range map[string][]string{
		"de": {`"summary":"OpenAI: Elevated errors on the API (Teilausfall)"`, `"text":"Status-Seite des Anbieters"`},
		"":   {`"summary":"OpenAI: Elevated errors on the API (partial outage)"`, `"text":"Vendor status page"`},
	} {
		fake := fakehook.New(fakehook.PagerDuty, routingKey)
		n, err := pagerduty.New(pagerduty.Options{RoutingKey: routingKey, APIURL: fake.URL(), Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Event: ev}); err != nil {
			t.Fatal(err)
		}
		reqs := fake.Requests()
		fake.Close()
		if len(reqs) != 1 {
			t.Fatalf("%q: %d requests", lang, len(reqs))
		}
		for _, w := range want {
			if !strings.Contains(string(reqs[0].Body), w) {
				t.Errorf("%q: the event lacks %s: %s", lang, w, reqs[0].Body)
			}
		}
	}
}

func TestSeverity(t *testing.T) {
	for s, want := range map[sources.Status]string{
		sources.MajorOutage: "critical", sources.PartialOutage: "error", sources.Degraded: "warning",
		sources.Maintenance: "info", sources.Unknown: "warning", sources.Operational: "info",
	} {
		if got := pagerduty.Severity(s); got != want {
			t.Errorf("Severity(%s) = %s, want %s", s, got, want)
		}
	}
}

func TestSummaryIsBounded(t *testing.T) {
	ev := hooktest.Lifecycle("o-1")[0]
	ev.Title = strings.Repeat("é", 3000)
	e := pagerduty.Build(routingKey, pagerduty.Trigger, ev, "")
	if n := len([]rune(e.Payload.Summary)); n != 1024 {
		t.Errorf("summary of %d runes", n)
	}
}

// The whole outage through the dispatcher and the store: a trigger, no
// call for the update that keeps the severity, a trigger again for the one
// that changes it (the same alert, its severity updated), a resolve.
func TestLifecycle(t *testing.T) {
	fake := fakehook.New(fakehook.PagerDuty, routingKey)
	defer fake.Close()
	s := hooktest.OpenStore(t)
	hooktest.Commit(t, s, hooktest.Lifecycle("o-1"), "ops/pagerduty")
	hooktest.DrainUntilDone(t, s, hooktest.NewClock(), route(newNotifier(t, fake.URL()), "ops"))
	a := fake.Alerts()["o-1"]
	if got := strings.Join(a.Log, ","); got != "trigger,trigger,resolve" {
		t.Errorf("actions %s", got)
	}
	if a.Status != "resolved" || a.Incidents != 1 || a.Severity != "critical" {
		t.Errorf("alert %+v, want one incident, resolved, last at critical", a)
	}
}

// An acknowledgement from chat acknowledges the alert.
func TestAcknowledge(t *testing.T) {
	fake := fakehook.New(fakehook.PagerDuty, routingKey)
	defer fake.Close()
	n := newNotifier(t, fake.URL())
	evs := hooktest.Lifecycle("o-1")
	ack := evs[1]
	ack.Kind = outage.Kind("acknowledged")
	for i, ev := range []outage.Event{evs[0], ack} {
		if _, err := n.Deliver(context.Background(), notifier.Delivery{OutboxID: int64(i + 1), Event: ev}); err != nil {
			t.Fatal(err)
		}
	}
	if a := fake.Alerts()["o-1"]; a.Status != "acknowledged" {
		t.Errorf("alert %+v", a)
	}
}

// A crash between the send and its record, or an answer lost: the event
// is sent again with the same dedup_key, which PagerDuty adds to the same
// alert: still one incident, resolved once.
func TestRepeatIsHarmless(t *testing.T) {
	for _, crash := range []bool{true, false} {
		name := map[bool]string{true: "crash between send and record", false: "answer lost"}[crash]
		t.Run(name, func(t *testing.T) {
			fake := fakehook.New(fakehook.PagerDuty, routingKey)
			defer fake.Close()
			s := hooktest.OpenStore(t)
			hooktest.Commit(t, s, hooktest.Lifecycle("o-1"), "ops/pagerduty")
			clk := hooktest.NewClock()
			r := route(newNotifier(t, fake.URL()), "ops")
			if crash {
				hooktest.DrainAfterCrash(t, s, clk, r)
			} else {
				fake.Fail(fakehook.Fault{Lose: true})
				hooktest.DrainUntilDone(t, s, clk, r)
			}
			a := fake.Alerts()["o-1"]
			if got := strings.Join(a.Log, ","); got != "trigger,trigger,trigger,resolve" {
				t.Errorf("actions %s, want the first trigger twice", got)
			}
			if a.Incidents != 1 || a.Status != "resolved" {
				t.Errorf("alert %+v, want one incident, resolved", a)
			}
		})
	}
}

// A service whose routing key is refused keeps its events queued and does
// not hold up another.
func TestRefusingDestinationDoesNotBlockOthers(t *testing.T) {
	bad := fakehook.New(fakehook.PagerDuty, "another-key")
	defer bad.Close()
	good := fakehook.New(fakehook.PagerDuty, routingKey)
	defer good.Close()
	s := hooktest.OpenStore(t)
	hooktest.Commit(t, s, hooktest.Lifecycle("o-1"), "bad/pagerduty", "good/pagerduty")
	hooktest.Dispatcher(s, hooktest.NewClock(), route(newNotifier(t, bad.URL()), "bad"), route(newNotifier(t, good.URL()), "good")).Drain(context.Background())
	if a := good.Alerts()["o-1"]; a.Status != "resolved" {
		t.Errorf("the working service's alert: %+v", a)
	}
	if n := hooktest.Pending(t, s); n != 4 {
		t.Errorf("%d deliveries queued, want the refused service's 4 kept", n)
	}
}

// How PagerDuty's answers are sorted; none shows the routing key.
func TestAnswers(t *testing.T) {
	for _, c := range []struct {
		name                string
		fault               fakehook.Fault
		retryAfter          bool
		permanent, rejected bool
		says                string
	}{
		{name: "429 without Retry-After", fault: fakehook.Fault{Status: 429}, retryAfter: true},
		{name: "500", fault: fakehook.Fault{Status: 500}},
		{name: "400 invalid event", fault: fakehook.Fault{Status: 400, Body: `{"status":"invalid event","message":"Event object is invalid","errors":["'payload.summary' is missing"]}`},
			permanent: true, rejected: true, says: "payload.summary"},
		{name: "400 routing key echoed", fault: fakehook.Fault{Status: 400, Body: `{"status":"invalid event","message":"Event object is invalid","errors":["Invalid routing key ` + routingKey + `"]}`},
			permanent: true, says: "Invalid routing key"},
		{name: "answer lost", fault: fakehook.Fault{Lose: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fake := fakehook.New(fakehook.PagerDuty, routingKey)
			defer fake.Close()
			fake.Fail(c.fault)
			_, err := newNotifier(t, fake.URL()).Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Event: hooktest.Lifecycle("o-1")[0]})
			if err == nil {
				t.Fatal("no error")
			}
			if after, ok := notifier.RetryAfter(err); ok != c.retryAfter || (ok && after != 30e9) {
				t.Errorf("retry after %s %v: %v", after, ok, err)
			}
			if notifier.IsPermanent(err) != c.permanent || notifier.IsRejected(err) != c.rejected {
				t.Errorf("permanent %v rejected %v: %v", notifier.IsPermanent(err), notifier.IsRejected(err), err)
			}
			if !strings.Contains(err.Error(), c.says) || strings.Contains(err.Error(), routingKey) {
				t.Errorf("error %q: want %q and no routing key", err, c.says)
			}
		})
	}
}

// The body PagerDuty gets is what Build made, with the key from the
// options.
func TestSendsRoutingKey(t *testing.T) {
	fake := fakehook.New(fakehook.PagerDuty, routingKey)
	defer fake.Close()
	if _, err := newNotifier(t, fake.URL()).Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Event: hooktest.Lifecycle("o-1")[0]}); err != nil {
		t.Fatal(err)
	}
	var e pagerduty.Event
	if err := json.Unmarshal(fake.Taken()[0].Body, &e); err != nil {
		t.Fatal(err)
	}
	if e.RoutingKey != routingKey || e.DedupKey != "o-1" || e.Payload.Severity != "error" || e.Payload.Group != "ai" {
		t.Errorf("sent %+v", e)
	}
	if got := fake.Requests()[0].Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q", got)
	}
}

// PagerDuty's own answers (testdata/answers, shaped as the Events API v2
// documents them), served as they come: 202 is done; 400 gives the event
// up unless it is about the routing key, which holds the service's events
// until the key is fixed; 429 waits 30 s; 5xx retries.
func TestRealAnswers(t *testing.T) {
	for _, c := range []struct {
		file, retryAfter    string
		status              int
		permanent, rejected bool
		says                string
	}{
		{file: "202-success", status: 202},
		{file: "400-invalid-event", status: 400, permanent: true, rejected: true, says: "'payload.severity' is invalid"},
		{file: "400-routing-key-length", status: 400, permanent: true, says: "Length of 'routing_key' is incorrect"},
		{file: "400-malformed", status: 400, permanent: true, rejected: true, says: "Malformed JSON"},
		{status: 429},
		{status: 429, retryAfter: "7"},
		{status: 503},
	} {
		t.Run(fmt.Sprintf("%d %s%s", c.status, c.file, c.retryAfter), func(t *testing.T) {
			var body []byte
			if c.file != "" {
				var err error
				if body, err = os.ReadFile(filepath.Join("testdata", "answers", c.file+".json")); err != nil {
					t.Fatal(err)
				}
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if c.retryAfter != "" {
					w.Header().Set("Retry-After", c.retryAfter)
				}
				w.WriteHeader(c.status)
				w.Write(body)
			}))
			defer srv.Close()
			ref, err := newNotifier(t, srv.URL+"/v2/enqueue").Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Event: hooktest.Lifecycle("o-1")[0]})
			if c.status == 202 {
				if err != nil || ref != "o-1" {
					t.Fatalf("ref %q, err %v", ref, err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			after, ok := notifier.RetryAfter(err)
			switch {
			case c.status == 429 && c.retryAfter == "" && (!ok || after != 30*time.Second),
				c.status == 429 && c.retryAfter != "" && (!ok || after != 7*time.Second),
				c.status != 429 && ok:
				t.Errorf("retry after %s %v: %v", after, ok, err)
			}
			if notifier.IsPermanent(err) != c.permanent || notifier.IsRejected(err) != c.rejected {
				t.Errorf("permanent %v rejected %v: %v", notifier.IsPermanent(err), notifier.IsRejected(err), err)
			}
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("error %q, want %q", err, c.says)
			}
		})
	}
}

// What PagerDuty checks, the events sent check with: a summary cut at
// 1024 characters (not bytes: é is two), a dedup_key within 255, no
// timestamp rather than year 1, a severity of PagerDuty's four.
func TestEventsPassPagerDutysChecks(t *testing.T) {
	ev := hooktest.Lifecycle("o-1")[0]
	long := ev
	long.Title = strings.Repeat("é", 3000)
	long.OutageID = strings.Repeat("x", 400)
	undated := ev
	undated.At = time.Time{}
	maint := ev
	maint.Severity = sources.Maintenance
	unknown := ev
	unknown.Severity = sources.Unknown
	for name, e := range map[string]outage.Event{"long": long, "undated": undated, "maintenance": maint, "unknown": unknown} {
		fake := fakehook.New(fakehook.PagerDuty, routingKey)
		if _, err := newNotifier(t, fake.URL()).Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Event: e}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		fake.Close()
	}
	if ts := pagerduty.Build(routingKey, pagerduty.Trigger, undated, "").Payload.Timestamp; ts != "" {
		t.Errorf("timestamp %q for an undated event", ts)
	}
}

// The routing key as it often comes from a secrets file, with a newline,
// is sent without it; a key of another length is refused at start, as
// PagerDuty would refuse every event.
func TestRoutingKey(t *testing.T) {
	fake := fakehook.New(fakehook.PagerDuty, routingKey)
	defer fake.Close()
	n, err := pagerduty.New(pagerduty.Options{RoutingKey: routingKey + "\n", APIURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Event: hooktest.Lifecycle("o-1")[0]}); err != nil {
		t.Errorf("a key with a newline: %v", err)
	}
	for key, want := range map[string]string{
		"":                                 "must be set",
		"0123456789abcdef":                 "must be 32 characters",
		"https://events.pagerduty.com/x":   "not a URL",
		"0123456789abcdef-123456789abcde":  "letters and digits",
		"0123456789abcdef0123456789abcdeé": "letters and digits",
		"0123456789abcdef_0123456789abcde": "letters and digits",
	} {
		_, err := pagerduty.New(pagerduty.Options{RoutingKey: key})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("key %q: %v, want %q", key, err, want)
		}
	}
	// PagerDuty's EU service has the same rule; a PagerDuty-compatible
	// receiver elsewhere has keys of its own form.
	if _, err := pagerduty.New(pagerduty.Options{RoutingKey: "0123456789abcdef", APIURL: "https://events.eu.pagerduty.com/v2/enqueue"}); err == nil {
		t.Error("a short key for PagerDuty's EU endpoint was accepted")
	}
	if _, err := pagerduty.New(pagerduty.Options{RoutingKey: "oncall-integration-7", APIURL: "https://oncall.example.com/integrations/v1/pagerduty/"}); err != nil {
		t.Errorf("a compatible receiver's key: %v", err)
	}
}

// After a restart (a new notifier: the severity last sent is forgotten)
// the restoration still resolves the alert by its dedup_key, and an
// acknowledgement after the alert was resolved changes nothing.
func TestResolveAfterRestart(t *testing.T) {
	fake := fakehook.New(fakehook.PagerDuty, routingKey)
	defer fake.Close()
	evs := hooktest.Lifecycle("o-1")
	if _, err := newNotifier(t, fake.URL()).Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Event: evs[0]}); err != nil {
		t.Fatal(err)
	}
	restarted := newNotifier(t, fake.URL())
	ack := evs[1]
	ack.Kind = outage.Acknowledged
	for i, ev := range []outage.Event{evs[3], ack} {
		if _, err := restarted.Deliver(context.Background(), notifier.Delivery{OutboxID: int64(i + 2), Event: ev}); err != nil {
			t.Fatal(err)
		}
	}
	a := fake.Alerts()["o-1"]
	if a.Status != "resolved" || a.Incidents != 1 || strings.Join(a.Log, ",") != "trigger,resolve,acknowledge (dropped)" {
		t.Errorf("alert %+v", a)
	}
}
