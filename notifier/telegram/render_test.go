package telegram_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/telegram"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// TestGoldenPayloads: the exact Bot API request for each event kind, as
// the fake received it.
func TestGoldenPayloads(t *testing.T) {
	evs := lifecycle("o1")
	digest := outage.Event{OutageID: "digest-1", Seq: 1, Kind: outage.Digest, Class: outage.DigestClass, At: t0, Title: "Daily digest: 1 outage",
		Body: outage.FormatSections([]outage.Section{{Heading: "Outages", Lines: []string{"OpenAI: Elevated errors — 1h 12m"}}, {Heading: "Up", Lines: []string{"GitHub", "Stripe"}}})}
	other := sampleOutage("o2")
	other.Target, other.Title, other.Severity = "GitHub", "Actions delayed", sources.MajorOutage
	for _, tc := range []struct {
		name   string
		d      notifier.Delivery
		method string
		edit   bool
	}{
		{name: "opened", d: notifier.Delivery{Event: evs[0]}, method: "sendMessage"},
		{name: "updated", d: notifier.Delivery{Event: evs[1], Root: "101"}, method: "sendMessage"},
		{name: "updated-root-edit", d: notifier.Delivery{Event: evs[1], Root: "101"}, method: "editMessageText", edit: true},
		{name: "resolved", d: notifier.Delivery{Event: evs[2], Root: "101"}, method: "sendMessage"},
		{name: "resolved-root-edit", d: notifier.Delivery{Event: evs[2], Root: "101"}, method: "editMessageText", edit: true},
		{name: "digest", d: notifier.Delivery{Event: digest}, method: "sendMessage"},
		{name: "group", d: notifier.Delivery{Event: evs[0], Group: []outage.Event{evs[0], other.Event(outage.Opened, t0, "")}}, method: "sendMessage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			n := e.notifier(t, false)
			// The root the replies and edits refer to.
			if _, err := n.Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Destination: dest("ops", opsChat), Event: evs[0]}); err != nil {
				t.Fatal(err)
			}
			tc.d.OutboxID, tc.d.Destination = 2, dest("ops", opsChat)
			var err error
			if tc.edit {
				err = n.EditRoot(context.Background(), notifier.RootEdit{Destination: tc.d.Destination, Root: tc.d.Root, Event: tc.d.Event})
			} else {
				_, err = n.Deliver(context.Background(), tc.d)
			}
			if err != nil {
				t.Fatal(err)
			}
			calls := e.fake.Calls(tc.method)
			var body any
			if err := json.Unmarshal(calls[len(calls)-1].Body, &body); err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, tc.name+".json", map[string]any{"method": tc.method, "body": body}, false, *update)
		})
	}
}

// TestHostileVendorText: whatever a vendor writes is shown as text: no
// tag, entity or link of theirs reaches Telegram's parser, and an
// over-long body is cut to the message limit.
func TestHostileVendorText(t *testing.T) {
	hostile := []string{
		`<b>bold</b> <a href="javascript:alert(1)">click</a> <script>x</script>`,
		`Tom & Jerry's "quotes" &amp; &lt;already escaped&gt; & &#128512; &bogus;`,
		`unclosed <i>italic and a lone < and > and </b>`,
		strings.Repeat("Ж<&>😀", 3000),
	}
	for i, text := range hostile {
		e := newEnv(t)
		n := e.notifier(t, false)
		o := sampleOutage("o1")
		o.Title, o.Target = text, "Vendor <&>"
		o.URL = `https://status.example.com/"><b>x</b>`
		o.Components = []outage.ComponentState{{Name: text, Status: sources.MajorOutage}}
		ev := o.Event(outage.Opened, t0, text)
		ev.Notes = []string{text}
		ref, err := n.Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Destination: dest("ops", opsChat), Event: ev})
		if err != nil {
			t.Fatalf("case %d: Telegram would refuse the message: %v", i, err)
		}
		o.ResolvedAt = t0.Add(time.Hour)
		res := o.Event(outage.Resolved, o.ResolvedAt, text)
		if _, err := n.Deliver(context.Background(), notifier.Delivery{OutboxID: 2, Destination: dest("ops", opsChat), Event: res, Root: ref}); err != nil {
			t.Fatalf("case %d: reply: %v", i, err)
		}
		if err := n.EditRoot(context.Background(), notifier.RootEdit{Destination: dest("ops", opsChat), Root: ref, Event: res}); err != nil {
			t.Fatalf("case %d: edit: %v", i, err)
		}
		for _, m := range e.fake.Messages(opsChat) {
			if units := len(utf16.Encode([]rune(m.Text))); units > telegram.MaxText {
				t.Errorf("case %d: %d UTF-16 units", i, units)
			}
			if strings.Contains(m.Text, "<b>bold") || strings.Contains(m.Text, "<script") || strings.Contains(m.Text, "javascript:") && strings.Contains(m.Text, `<a href="javascript`) {
				t.Errorf("case %d: vendor markup got through: %q", i, m.Text)
			}
			if strings.Contains(m.Text, `href="https://status.example.com/"`) {
				t.Errorf("case %d: an unsafe link was kept: %q", i, m.Text)
			}
		}
	}
}

func TestEscape(t *testing.T) {
	if got, want := telegram.Escape(`<a href="x">&amp;</a>`), "&lt;a href=&quot;x&quot;&gt;&amp;amp;&lt;/a&gt;"; got != want {
		t.Errorf("Escape = %q, want %q", got, want)
	}
}

func TestTopicName(t *testing.T) {
	o := sampleOutage("o1")
	o.Title = strings.Repeat("😀", 200)
	name := telegram.TopicName(o.Event(outage.Opened, t0, ""))
	if n := len([]rune(name)); n > telegram.MaxTopicName || !strings.HasSuffix(name, "…") {
		t.Errorf("topic name of %d runes: %q", n, name)
	}
}
