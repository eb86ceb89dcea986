package teams_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/internal/fakehook"
	"github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/internal/hooktest"
	"github.com/outagebot/outagebot/notifier/teams"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func newNotifier(t *testing.T, url string) *teams.Notifier {
	t.Helper()
	n, err := teams.New(teams.Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func route(n notifier.Notifier, channel string) notifier.Route {
	return notifier.Route{Destination: notifier.Destination{Channel: channel, Platform: "teams"}, Notifier: n}
}

// goldenName is a case's golden file name in lang: English in
// testdata/<case>.golden, the others in testdata/<case>.<lang>.golden.
func goldenName(name, lang string) string {
	if lang == i18n.Default {
		return name
	}
	return name + "." + lang
}

// The card per event kind, coloured by severity, in every language.
func TestCardGolden(t *testing.T) {
	evs := hooktest.Lifecycle("o-1")
	ack := evs[1]
	ack.Kind, ack.Seq = outage.Kind("acknowledged"), 5
	maint := evs[0]
	maint.Class, maint.Severity, maint.Body = outage.MaintenanceWork, sources.Maintenance, "Scheduled *database* upgrade\n- step [1](x)"
	dark := evs[0]
	dark.Class, dark.Severity, dark.Phase, dark.Title, dark.URL, dark.Components = outage.Unreachable, sources.Unknown, "", "", "", nil
	dark.Body = "GET https://status.acme.test/api/v2/summary.json: context deadline exceeded"
	many := evs[1]
	many.Components = nil
	for i := range 25 {
		many.Components = append(many.Components, outage.ComponentState{Name: fmt.Sprintf("Region %02d", i+1), Status: sources.PartialOutage})
	}
	many.Notes = []string{"Likely cause: Azure (partial outage)", "Fallback: Anthropic is operational"}
	inProgress := maint
	inProgress.Kind, inProgress.Phase = outage.Updated, sources.MaintenanceInProgress
	for _, lang := range i18n.Languages {
		p := i18n.For(lang)
		for _, c := range []struct {
			name  string
			ev    outage.Event
			style string
		}{
			{"opened", evs[0], "warning"},
			{"updated", evs[2], "attention"},
			{"resolved", evs[3], "good"},
			{"acknowledged", ack, "accent"},
			{"maintenance", maint, "accent"},
			{"maintenance-in-progress", inProgress, "accent"},
			{"unreachable", dark, "warning"},
			{"components-cut-related", many, "warning"},
		} {
			t.Run(goldenName(c.name, lang), func(t *testing.T) {
				m := teams.RenderIn(p, c.ev)
				if teams.Style(c.ev) != c.style {
					t.Errorf("style %q, want %q", teams.Style(c.ev), c.style)
				}
				if lang == i18n.Default {
					if got := teams.Render(c.ev); !reflect.DeepEqual(got, m) {
						t.Errorf("Render differs from RenderIn in English")
					}
				}
				golden.JSON(t, goldenName("card-"+c.name, lang), m, false, *update)
			})
		}
	}
}

// One workflow per language on the wire: the German channel's card is
// German, the English one's English.
func TestCardLanguageOnTheWire(t *testing.T) {
	res := hooktest.Lifecycle("o-1")[3]
	for lang, want := range map[string][]string{
		"de": {`"Behoben: OpenAI"`, `"Dauer"`, `"insgesamt 1 Std. 12 Min."`, `"Status-Seite öffnen"`},
		"":   {`"Resolved: OpenAI"`, `"Duration"`, `"lasted 1h 12m"`, `"Open the status page"`},
	} {
		fake := fakehook.New(fakehook.Teams, "")
		n, err := teams.New(teams.Options{URL: fake.URL(), Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Event: res}); err != nil {
			t.Fatal(err)
		}
		taken := fake.Taken()
		fake.Close()
		if len(taken) != 1 {
			t.Fatalf("%q: %d cards", lang, len(taken))
		}
		for _, w := range want {
			if !strings.Contains(string(taken[0].Body), w) {
				t.Errorf("%q: the card lacks %s: %s", lang, w, taken[0].Body)
			}
		}
	}
}

// Vendor text shows as written: Markdown syntax is escaped.
func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain words.":          "plain words.",
		"**bold** _it_ [a](b)":  `\*\*bold\*\* \_it\_ \[a\](b)`,
		"- item\n1. first":      "\\- item\n\n1\\. first",
		"a-b 3.5 # x (y)":       `a-b 3.5 # x (y)`,
		"# head\n> quote":       "\\# head\n\n\\> quote",
		"{{DATE(2020-01-01Z)}}": `\{{DATE(2020-01-01Z)}}`,
	} {
		if got := teams.Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

// A long update still fits Teams' message size: the text is cut.
func TestCardFitsTheSizeLimit(t *testing.T) {
	ev := hooktest.Lifecycle("o-1")[1]
	ev.Body = strings.Repeat("[x] ", 20000)
	for range 100 {
		ev.Components = append(ev.Components, outage.ComponentState{Name: strings.Repeat("c", 200), Status: sources.Degraded})
	}
	raw, err := json.Marshal(teams.Render(ev))
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) > teams.MaxPayload {
		t.Errorf("card is %d bytes, over %d", len(raw), teams.MaxPayload)
	}
	fake := fakehook.New(fakehook.Teams, "")
	defer fake.Close()
	if _, err := newNotifier(t, fake.URL()).Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Event: ev}); err != nil {
		t.Errorf("the workflow refused it: %v", err)
	}
	// The workflow accepts (202) before it posts: only its run shows
	// whether the card made it into the channel.
	if n, failed := len(fake.Taken()), fake.FailedRuns(); n != 1 || len(failed) != 0 {
		t.Errorf("%d cards posted, failed runs %q", n, failed)
	}
}

// The URL as pasted, with the newline a copy often brings, still posts.
func TestURLIsTrimmed(t *testing.T) {
	fake := fakehook.New(fakehook.Teams, "")
	defer fake.Close()
	if _, err := newNotifier(t, fake.URL()+"\n").Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Event: hooktest.Lifecycle("o-1")[0]}); err != nil {
		t.Fatal(err)
	}
	if len(fake.Taken()) != 1 {
		t.Error("no card posted")
	}
}

// The whole outage through the dispatcher and the store: one card per
// event, in order, each accepted (202).
func TestLifecycle(t *testing.T) {
	fake := fakehook.New(fakehook.Teams, "")
	defer fake.Close()
	s := hooktest.OpenStore(t)
	hooktest.Commit(t, s, hooktest.Lifecycle("o-1"), "ops/teams")
	hooktest.DrainUntilDone(t, s, hooktest.NewClock(), route(newNotifier(t, fake.URL()), "ops"))
	var heads []string
	for _, r := range fake.Taken() {
		var m teams.Message
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatal(err)
		}
		head := m.Attachments[0].Content.Body[0].(map[string]any)
		heads = append(heads, head["style"].(string))
	}
	if got := strings.Join(heads, ","); got != "warning,warning,attention,good" {
		t.Errorf("cards %s", got)
	}
}

// Teams cannot tell a repeated post: a crash between the post and its
// record, or an answer lost, posts the card once more, and no more than
// once per lost answer.
func TestLostAnswerPostsAtMostOnceMore(t *testing.T) {
	for _, crash := range []bool{true, false} {
		name := map[bool]string{true: "crash between send and record", false: "answer lost"}[crash]
		t.Run(name, func(t *testing.T) {
			fake := fakehook.New(fakehook.Teams, "")
			defer fake.Close()
			s := hooktest.OpenStore(t)
			hooktest.Commit(t, s, hooktest.Lifecycle("o-1"), "ops/teams")
			clk := hooktest.NewClock()
			r := route(newNotifier(t, fake.URL()), "ops")
			if crash {
				hooktest.DrainAfterCrash(t, s, clk, r)
			} else {
				fake.Fail(fakehook.Fault{Lose: true})
				hooktest.DrainUntilDone(t, s, clk, r)
			}
			if n := len(fake.Taken()); n != 5 {
				t.Errorf("%d cards posted for 4 events, want 5: the opening twice, the rest once", n)
			}
		})
	}
}

// A workflow that was deleted (404) keeps its events queued and does not
// hold up another channel's.
func TestRefusingDestinationDoesNotBlockOthers(t *testing.T) {
	bad := fakehook.New(fakehook.Teams, "")
	defer bad.Close()
	bad.FailAlways(&fakehook.Fault{Status: http.StatusNotFound, Body: `{"error":{"code":"WorkflowNotFound","message":"gone"}}`})
	good := fakehook.New(fakehook.Teams, "")
	defer good.Close()
	s := hooktest.OpenStore(t)
	hooktest.Commit(t, s, hooktest.Lifecycle("o-1"), "bad/teams", "good/teams")
	hooktest.Dispatcher(s, hooktest.NewClock(), route(newNotifier(t, bad.URL()), "bad"), route(newNotifier(t, good.URL()), "good")).Drain(context.Background())
	if n := len(good.Taken()); n != 4 {
		t.Errorf("the working channel got %d cards, want 4", n)
	}
	if n := hooktest.Pending(t, s); n != 4 {
		t.Errorf("%d deliveries queued, want the refused channel's 4 kept", n)
	}
}

// How a workflow's answers are sorted; none shows the URL's signature.
func TestAnswers(t *testing.T) {
	for _, c := range []struct {
		name                string
		fault               fakehook.Fault
		retryAfter          bool
		permanent, rejected bool
	}{
		{name: "429", fault: fakehook.Fault{Status: 429, RetryAfter: "3"}, retryAfter: true},
		{name: "502", fault: fakehook.Fault{Status: 502}},
		{name: "400", fault: fakehook.Fault{Status: 400, Body: `{"error":{"code":"InvalidRequestContent","message":"bad"}}`}, permanent: true, rejected: true},
		{name: "413", fault: fakehook.Fault{Status: 413}, permanent: true, rejected: true},
		{name: "401 echoing the URL", fault: fakehook.Fault{Status: 401, Body: `{"error":{"code":"DirectApiAuthorizationRequired","message":"sig=s3cr3t-sig is invalid"}}`}, permanent: true},
		{name: "answer lost", fault: fakehook.Fault{Lose: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fake := fakehook.New(fakehook.Teams, "")
			defer fake.Close()
			fake.Fail(c.fault)
			_, err := newNotifier(t, fake.URL()).Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Event: hooktest.Lifecycle("o-1")[0]})
			if err == nil {
				t.Fatal("no error")
			}
			if _, ok := notifier.RetryAfter(err); ok != c.retryAfter {
				t.Errorf("retry-after %v: %v", ok, err)
			}
			if notifier.IsPermanent(err) != c.permanent || notifier.IsRejected(err) != c.rejected {
				t.Errorf("permanent %v rejected %v: %v", notifier.IsPermanent(err), notifier.IsRejected(err), err)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("the error shows the URL's signature: %v", err)
			}
		})
	}
}

func TestCheckURL(t *testing.T) {
	for url, ok := range map[string]bool{
		"https://prod-01.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=x":                                                                                                                             true,
		"https://default1234.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?sig=x":                                                                                                            true,
		"https://default0fd1c2b3a4e5f6071829304a5b6c7d.8e.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/5b0c1f0e9a8d4c3b/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=AbC-dEf_123": true,
		"https://prod-00.usgovtexas.logic.azure.us:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=x":                                                                                                                              true,
		"https://hooks.slack.com/services/T0/B0/x":                                        false,
		"https://discord.com/api/webhooks/1/x":                                            false,
		"https://acme.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456/V2xyz": false,
		"http://127.0.0.1:8080/x":                                                         true,
		"https://relay.example.com/teams/ops":                                             true,
		"http://example.com/x":                                                            false,
		"https://acme.webhook.office.com/webhookb2/abc":                                   false,
		"https://outlook.office.com/webhook/abc":                                          false,
		"not a url":                                                                       false,
	} {
		if err := teams.CheckURL(url); (err == nil) != ok {
			t.Errorf("CheckURL(%q) = %v", url, err)
		}
	}
}
