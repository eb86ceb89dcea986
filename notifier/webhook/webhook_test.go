package webhook_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/internal/fakehook"
	"github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/internal/hooktest"
	"github.com/outagebot/outagebot/notifier/webhook"
	"github.com/outagebot/outagebot/outage"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

const secret = "s3cr3t-shared-secret"

var dest = notifier.Destination{Channel: "ops", Platform: "signed-webhook"}

func newNotifier(t *testing.T, url, tmpl, contentType string) *webhook.Notifier {
	t.Helper()
	n, err := webhook.New(webhook.Options{URL: url, Secret: secret, Template: tmpl, ContentType: contentType,
		Group: func(string) string { return "ai" }})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func route(n notifier.Notifier, channel string) notifier.Route {
	return notifier.Route{Destination: notifier.Destination{Channel: channel, Platform: "signed-webhook"}, Notifier: n}
}

// The documented body, per event kind (acknowledged is a kind another
// part of the bot sends: the body passes it through), in every language:
// only the text differs.
func TestPayloadGolden(t *testing.T) {
	evs := hooktest.Lifecycle("o-1")
	ack := evs[1]
	ack.Kind, ack.Seq = outage.Kind("acknowledged"), 5
	for _, lang := range i18n.Languages {
		for _, c := range []struct {
			name string
			ev   outage.Event
		}{
			{"opened", evs[0]},
			{"updated", evs[2]},
			{"resolved", evs[3]},
			{"acknowledged", ack},
		} {
			name := "payload-" + c.name
			if lang != i18n.Default {
				name += "." + lang
			}
			t.Run(name, func(t *testing.T) {
				p := webhook.NewPayloadIn(i18n.For(lang), 42, c.ev, "ai")
				if lang == i18n.Default && !reflect.DeepEqual(p, webhook.NewPayload(42, c.ev, "ai")) {
					t.Errorf("NewPayload differs from NewPayloadIn in English")
				}
				golden.JSON(t, name, p, false, *update)
			})
		}
	}
}

// A receiver configured in German gets the text in German; one in
// English, in the same run, in English. The rest of the body is the same.
func TestTextLanguageOnTheWire(t *testing.T) {
	res := hooktest.Lifecycle("o-1")[3]
	bodies := map[string]webhook.Payload{}
	for _, lang := range []string{"de", ""} {
		fake := fakehook.New(fakehook.Webhook, secret)
		n, err := webhook.New(webhook.Options{URL: fake.URL(), Secret: secret, Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.Deliver(context.Background(), notifier.Delivery{OutboxID: 7, Destination: dest, Event: res}); err != nil {
			t.Fatal(err)
		}
		taken := fake.Taken()
		fake.Close()
		if len(taken) != 1 {
			t.Fatalf("%q: %d requests", lang, len(taken))
		}
		var p webhook.Payload
		if err := json.Unmarshal(taken[0].Body, &p); err != nil {
			t.Fatal(err)
		}
		bodies[lang] = p
	}
	de, en := bodies["de"], bodies[""]
	if de.Text != "OpenAI: Elevated errors on the API (behoben nach 1 Std. 12 Min.)" || en.Text != "OpenAI: Elevated errors on the API (resolved after 1h 12m)" {
		t.Errorf("text: de %q, en %q", de.Text, en.Text)
	}
	de.Text = en.Text
	if !reflect.DeepEqual(de, en) {
		t.Errorf("more than the text differs:\n%+v\n%+v", de, en)
	}
}

// The whole outage through the dispatcher and the store: four signed
// requests in order, each with its outbox id as Idempotency-Key and its
// kind as X-Outagebot-Event, and nothing left queued.
func TestLifecycle(t *testing.T) {
	fake := fakehook.New(fakehook.Webhook, secret)
	defer fake.Close()
	s := hooktest.OpenStore(t)
	hooktest.Commit(t, s, hooktest.Lifecycle("o-1"), "ops/signed-webhook")
	clk := hooktest.NewClock()
	hooktest.DrainUntilDone(t, s, clk, route(newNotifier(t, fake.URL(), "", ""), "ops"))

	taken := fake.Taken()
	var kinds []string
	for i, r := range taken {
		var p webhook.Payload
		if err := json.Unmarshal(r.Body, &p); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, p.Kind)
		if got := r.Header.Get(webhook.HeaderIdempotency); got != fmt.Sprint(p.DeliveryID) || got == "0" {
			t.Errorf("request %d: Idempotency-Key %q, delivery_id %d", i, got, p.DeliveryID)
		}
		if r.Header.Get(webhook.HeaderEvent) != p.Kind || p.Schema != webhook.Schema || p.Group != "ai" {
			t.Errorf("request %d: event header %q, body %+v", i, r.Header.Get(webhook.HeaderEvent), p)
		}
	}
	if got := strings.Join(kinds, ","); got != "opened,updated,updated,resolved" {
		t.Errorf("delivered %s", got)
	}
}

// A crash after the send and before its record, or an answer lost on the
// way: the event is sent again with the same Idempotency-Key, and the
// receiver, keeping the keys it saw, takes it once.
func TestSentAgainWithTheSameKey(t *testing.T) {
	for _, c := range []struct {
		name string
		run  func(t *testing.T, fake *fakehook.Server, r notifier.Route, clk *hooktest.Clock)
	}{
		{"crash between send and record", func(t *testing.T, fake *fakehook.Server, r notifier.Route, clk *hooktest.Clock) {}},
		{"answer lost", func(t *testing.T, fake *fakehook.Server, r notifier.Route, clk *hooktest.Clock) {
			fake.Fail(fakehook.Fault{Lose: true})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fake := fakehook.New(fakehook.Webhook, secret)
			defer fake.Close()
			s := hooktest.OpenStore(t)
			hooktest.Commit(t, s, hooktest.Lifecycle("o-1")[:1], "ops/signed-webhook")
			clk := hooktest.NewClock()
			r := route(newNotifier(t, fake.URL(), "", ""), "ops")
			c.run(t, fake, r, clk)
			if c.name == "answer lost" {
				hooktest.DrainUntilDone(t, s, clk, r)
			} else {
				hooktest.DrainAfterCrash(t, s, clk, r)
			}
			reqs := fake.Requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want the send and its repeat", len(reqs))
			}
			if a, b := reqs[0].Header.Get(webhook.HeaderIdempotency), reqs[1].Header.Get(webhook.HeaderIdempotency); a != b || a == "" {
				t.Errorf("Idempotency-Key %q then %q", a, b)
			}
			if n := len(fake.Taken()); n != 1 {
				t.Errorf("the receiver took %d, want 1", n)
			}
		})
	}
}

// A destination that refuses every request (its receiver is gone) keeps
// its events queued and does not hold up another destination.
func TestRefusingDestinationDoesNotBlockOthers(t *testing.T) {
	bad := fakehook.New(fakehook.Webhook, secret)
	defer bad.Close()
	bad.FailAlways(&fakehook.Fault{Status: http.StatusNotFound})
	good := fakehook.New(fakehook.Webhook, secret)
	defer good.Close()
	s := hooktest.OpenStore(t)
	hooktest.Commit(t, s, hooktest.Lifecycle("o-1"), "bad/signed-webhook", "good/signed-webhook")
	clk := hooktest.NewClock()
	hooktest.Dispatcher(s, clk, route(newNotifier(t, bad.URL(), "", ""), "bad"), route(newNotifier(t, good.URL(), "", ""), "good")).Drain(context.Background())
	if n := len(good.Taken()); n != 4 {
		t.Errorf("the working destination got %d events, want 4", n)
	}
	if n := len(bad.Requests()); n != 1 {
		t.Errorf("the refusing destination got %d requests, want 1 (then a wait)", n)
	}
	if n := hooktest.Pending(t, s); n != 4 {
		t.Errorf("%d deliveries queued, want the refused destination's 4 kept", n)
	}
}

// How each answer is sorted for the dispatcher.
func TestAnswers(t *testing.T) {
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	for _, c := range []struct {
		name      string
		fault     fakehook.Fault
		after     time.Duration // a RetryAfterError about this long
		permanent bool
		rejected  bool
	}{
		{name: "429 with seconds", fault: fakehook.Fault{Status: 429, RetryAfter: "7"}, after: 7 * time.Second},
		{name: "429 with a date", fault: fakehook.Fault{Status: 429, RetryAfter: date}, after: 90 * time.Second},
		{name: "429 without Retry-After", fault: fakehook.Fault{Status: 429}, after: 5 * time.Second},
		{name: "503 with Retry-After", fault: fakehook.Fault{Status: 503, RetryAfter: "30"}, after: 30 * time.Second},
		{name: "500", fault: fakehook.Fault{Status: 500}},
		{name: "408", fault: fakehook.Fault{Status: 408}},
		{name: "400: this message", fault: fakehook.Fault{Status: 400, Body: "bad field"}, permanent: true, rejected: true},
		{name: "422: this message", fault: fakehook.Fault{Status: 422}, permanent: true, rejected: true},
		{name: "401: the destination", fault: fakehook.Fault{Status: 401}, permanent: true},
		{name: "410: the destination", fault: fakehook.Fault{Status: 410}, permanent: true},
		{name: "answer lost", fault: fakehook.Fault{Lose: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fake := fakehook.New(fakehook.Webhook, secret)
			defer fake.Close()
			fake.Fail(c.fault)
			_, err := newNotifier(t, fake.URL(), "", "").Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Destination: dest, Event: hooktest.Lifecycle("o-1")[0]})
			if err == nil {
				t.Fatal("no error")
			}
			after, ok := notifier.RetryAfter(err)
			if c.after > 0 && (!ok || after < c.after-5*time.Second || after > c.after) {
				t.Errorf("retry after %s (%v), want about %s: %v", after, ok, c.after, err)
			}
			if c.after == 0 && ok {
				t.Errorf("retry after %s, want backoff: %v", after, err)
			}
			if notifier.IsPermanent(err) != c.permanent || notifier.IsRejected(err) != c.rejected {
				t.Errorf("permanent %v rejected %v, want %v %v: %v", notifier.IsPermanent(err), notifier.IsRejected(err), c.permanent, c.rejected, err)
			}
			if strings.Contains(err.Error(), fake.URL()) || strings.Contains(err.Error(), "/hooks/outagebot") || strings.Contains(err.Error(), secret) {
				t.Errorf("the error shows the URL or the secret: %v", err)
			}
		})
	}
	t.Run("hang", func(t *testing.T) {
		fake := fakehook.New(fakehook.Webhook, secret)
		defer fake.Close()
		fake.Fail(fakehook.Fault{Hang: true})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := newNotifier(t, fake.URL(), "", "").Deliver(ctx, notifier.Delivery{OutboxID: 1, Destination: dest, Event: hooktest.Lifecycle("o-1")[0]})
		if !errors.Is(err, context.DeadlineExceeded) || notifier.IsPermanent(err) {
			t.Errorf("err = %v, want a retryable deadline", err)
		}
	})
}

// The signature is the documented HMAC, and Verify (what the README shows
// receivers) accepts it and nothing else.
func TestSignature(t *testing.T) {
	body := []byte(`{"schema":"outagebot.event/v1"}`)
	sig := webhook.Sign("k", 1700000000, body)
	// echo -n 'v1:1700000000:{"schema":"outagebot.event/v1"}' | openssl dgst -sha256 -hmac k
	if want := "v1=abae103f89908f101a06e54c82310a1c75933d45eec43f677aae374947a68e9e"; sig != want {
		t.Errorf("signature %q, want %q", sig, want)
	}
	now := time.Unix(1700000000, 0)
	if err := webhook.Verify("k", sig, "1700000000", body, now, 5*time.Minute); err != nil {
		t.Errorf("Verify: %v", err)
	}
	for _, c := range []struct {
		name, secret, ts string
		body             []byte
		now              time.Time
	}{
		{"other secret", "x", "1700000000", body, now},
		{"other body", "k", "1700000000", []byte(`{}`), now},
		{"other timestamp", "k", "1700000001", body, now},
		{"too old", "k", "1700000000", body, now.Add(6 * time.Minute)},
	} {
		if err := webhook.Verify(c.secret, sig, c.ts, c.body, c.now, 5*time.Minute); err == nil {
			t.Errorf("%s: verified", c.name)
		}
	}
}

// A custom body renders from the channel's template; text that would
// break the JSON is refused at load, and a body that is not JSON sent
// with a JSON content type is given up without a send.
func TestTemplate(t *testing.T) {
	fake := fakehook.New(fakehook.Webhook, secret)
	defer fake.Close()
	n := newNotifier(t, fake.URL(), `{"text": {{json .Text}}, "sev": {{json .Severity}}, "id": {{.DeliveryID}}}`, "")
	if _, err := n.Deliver(context.Background(), notifier.Delivery{OutboxID: 9, Destination: dest, Event: hooktest.Lifecycle("o-1")[0]}); err != nil {
		t.Fatal(err)
	}
	if got, want := string(fake.Taken()[0].Body), `{"text": "OpenAI: Elevated errors on the API (partial outage)", "sev": "partial_outage", "id": 9}`; got != want {
		t.Errorf("body %s\nwant %s", got, want)
	}

	for _, c := range []struct{ name, tmpl, ct, want string }{
		{"parse error", `{{.Text`, "", "unclosed action"},
		{"no such field", `{{.Nope}}`, "", "can't evaluate field Nope"},
		{"not JSON", `{"text": "{{.Title}}"}`, "", "not valid JSON"},
	} {
		if _, err := webhook.ParseTemplate(c.tmpl, c.ct); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := webhook.ParseTemplate(`{{.Title}} is {{.Severity}}`, "text/plain"); err != nil {
		t.Errorf("plain text with a text content type: %v", err)
	}
}

// readmeVerify is the README's verification snippet, as written there.
func readmeVerify(r *http.Request, body []byte, secret string) bool {
	ts := r.Header.Get("X-Outagebot-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || math.Abs(time.Since(time.Unix(sec, 0)).Seconds()) > 300 {
		return false // missing, or older than 5 minutes: a replay
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v1:" + ts + ":"))
	mac.Write(body)
	return hmac.Equal([]byte("v1="+hex.EncodeToString(mac.Sum(nil))), []byte(r.Header.Get("X-Outagebot-Signature")))
}

// The README's snippet accepts what the notifier sends.
func TestReadmeSnippetVerifies(t *testing.T) {
	fake := fakehook.New(fakehook.Webhook, secret)
	defer fake.Close()
	if _, err := newNotifier(t, fake.URL(), "", "").Deliver(context.Background(), notifier.Delivery{OutboxID: 3, Destination: dest, Event: hooktest.Lifecycle("o-1")[0]}); err != nil {
		t.Fatal(err)
	}
	r := fake.Requests()[0]
	if !readmeVerify(&http.Request{Header: r.Header}, r.Body, secret) {
		t.Error("the README's snippet refuses the request")
	}
	if readmeVerify(&http.Request{Header: r.Header}, append(r.Body, ' '), secret) {
		t.Error("the README's snippet accepts a changed body")
	}
}

// readme is the project's README, where receivers learn the format.
func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fenced returns the first fenced block of lang after marker in doc.
func fenced(t *testing.T, doc, marker, lang string) string {
	t.Helper()
	i := strings.Index(doc, marker)
	if i < 0 {
		t.Fatalf("the README lost %q", marker)
	}
	rest := doc[i:]
	open := "```" + lang + "\n"
	j := strings.Index(rest, open)
	if j < 0 {
		t.Fatalf("no %s block after %q", lang, marker)
	}
	rest = rest[j+len(open):]
	return rest[:strings.Index(rest, "```")]
}

// The README documents exactly what is sent: its sample body is, field
// for field and value for value, the body of the sample restoration; the
// headers it lists are the ones every request carries; and its Go
// snippet is the receiver this package's tests verify with.
func TestReadmeDocumentsWhatIsSent(t *testing.T) {
	doc := readme(t)
	var documented map[string]any
	if err := json.Unmarshal([]byte(fenced(t, doc, "Each event is POSTed as JSON", "json")), &documented); err != nil {
		t.Fatalf("the README's sample body is not JSON: %v", err)
	}
	raw, err := newNotifier(t, "http://127.0.0.1/x", "", "").Body(notifier.Delivery{OutboxID: 42, Destination: dest, Event: hooktest.Lifecycle("o-1")[3]})
	if err != nil {
		t.Fatal(err)
	}
	var sent map[string]any
	if err := json.Unmarshal(raw, &sent); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(documented, sent) {
		t.Errorf("the README's sample body differs from what is sent:\nREADME %v\nsent   %v", documented, sent)
	}

	fake := fakehook.New(fakehook.Webhook, secret)
	defer fake.Close()
	if _, err := newNotifier(t, fake.URL(), "", "").Deliver(context.Background(), notifier.Delivery{OutboxID: 42, Destination: dest, Event: hooktest.Lifecycle("o-1")[3]}); err != nil {
		t.Fatal(err)
	}
	r := fake.Requests()[0]
	headers := doc[strings.Index(doc, "Headers of every request:"):]
	first := strings.Index(headers, "- ")
	headers = headers[:first+strings.Index(headers[first:], "\n\n")]
	listed := 0
	for _, line := range strings.Split(headers, "\n") {
		name, ok := strings.CutPrefix(line, "- `")
		if !ok {
			continue
		}
		listed++
		name, _, _ = strings.Cut(name, "`")
		if r.Header.Get(name) == "" {
			t.Errorf("the README lists %s, which the request lacks", name)
		}
	}
	if listed != 4 {
		t.Errorf("the README lists %d headers, want the 4 sent", listed)
	}
	if got := r.Header.Get("Idempotency-Key"); got != "42" {
		t.Errorf("Idempotency-Key %q, the README says the outbox id", got)
	}
	if got := r.Header.Get("X-Outagebot-Event"); got != "resolved" {
		t.Errorf("X-Outagebot-Event %q, the README says the kind", got)
	}

	// The snippet in the README, word for word, is readmeVerify's body.
	snippet := fenced(t, doc, "Verify before anything else (Go)", "go")
	src, err := os.ReadFile("webhook_test.go")
	if err != nil {
		t.Fatal(err)
	}
	mine := string(src)
	mine = mine[strings.Index(mine, "func readmeVerify("):]
	mine = mine[:strings.Index(mine, "\n}\n")+3]
	norm := func(s string) string {
		s = strings.Replace(s, "func readmeVerify(", "func verify(", 1)
		return strings.Join(strings.Fields(s), " ")
	}
	if norm(snippet) != norm(mine) {
		t.Errorf("the README's snippet is not the one tested:\nREADME:\n%s\ntested:\n%s", snippet, mine)
	}
}

// A receiver written from the README's words alone ("v1=" + hex
// HMAC-SHA256, keyed with the secret, of "v1:" + timestamp + ":" + the
// raw body), in another shape than the snippet's, verifies every kind
// sent through the dispatcher, and refuses a body changed in transit.
func TestReceiverFromTheDocumentedRecipe(t *testing.T) {
	fake := fakehook.New(fakehook.Webhook, secret)
	defer fake.Close()
	s := hooktest.OpenStore(t)
	hooktest.Commit(t, s, hooktest.Lifecycle("o-1"), "ops/signed-webhook")
	hooktest.DrainUntilDone(t, s, hooktest.NewClock(), route(newNotifier(t, fake.URL(), "", ""), "ops"))
	recipe := func(h http.Header, body []byte) bool {
		msg := append([]byte("v1:"+h.Get("X-Outagebot-Timestamp")+":"), body...)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(msg)
		want := "v1=" + hex.EncodeToString(mac.Sum(nil))
		return hmac.Equal([]byte(want), []byte(h.Get("X-Outagebot-Signature")))
	}
	reqs := fake.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests", len(reqs))
	}
	for _, r := range reqs {
		if !recipe(r.Header, r.Body) {
			t.Errorf("the documented recipe refuses %s", r.Header.Get("X-Outagebot-Event"))
		}
		if recipe(r.Header, bytes.Replace(r.Body, []byte("OpenAI"), []byte("OpenAl"), 1)) {
			t.Error("the documented recipe accepts a changed body")
		}
	}
}
