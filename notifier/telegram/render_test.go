package telegram_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/notifier/telegram"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// goldenName is a case's golden file name in lang: English in
// testdata/<case>.golden, the others in testdata/<case>.<lang>.golden.
func goldenName(name, lang string) string {
	if lang == i18n.Default {
		return name
	}
	return name + "." + lang
}

// TestGoldenPayloads: the exact Bot API request for each event kind, as
// the fake received it, in every language.
func TestGoldenPayloads(t *testing.T) {
	evs := lifecycle("o1")
	digest := outage.Event{OutageID: "digest-1", Seq: 1, Kind: outage.Digest, Class: outage.DigestClass, At: t0, Title: "Daily digest: 1 outage",
		Body: outage.FormatSections([]outage.Section{{Heading: "Outages", Lines: []string{"OpenAI: Elevated errors — 1h 12m"}}, {Heading: "Up", Lines: []string{"GitHub", "Stripe"}}})}
	other := sampleOutage("o2")
	other.Target, other.Title, other.Severity = "GitHub", "Actions delayed", sources.MajorOutage
	for _, lang := range i18n.Languages {
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
			t.Run(goldenName(tc.name, lang), func(t *testing.T) {
				if lang != i18n.Default && tc.name == "digest" {
					t.Skip("digests are the digest's own words (package digest)")
				}
				checkPayload(t, goldenName(tc.name+".json", lang), lang, tc.d, tc.method, tc.edit)
			})
		}
	}
}

// TestGoldenPayloadsMore: the messages about maintenance, a status page
// that cannot be read, the bot's own network, an outage joining another's
// thread, an outage lasting past midnight and a storm too long for one
// message, in every language.
func TestGoldenPayloadsMore(t *testing.T) {
	maint := sampleOutage("m1")
	maint.Class, maint.Severity, maint.Phase, maint.Title = outage.MaintenanceWork, sources.Maintenance, sources.MaintenanceInProgress, "Database upgrade"
	maint.Components = []outage.ComponentState{{Name: "API", Status: sources.Maintenance}}
	maintOpened := maint.Event(outage.Opened, t0, "Scheduled maintenance is in progress.")
	maint.ResolvedAt = t0.Add(2 * time.Hour)
	maintDone := maint.Event(outage.Resolved, maint.ResolvedAt, "The maintenance has been completed.")

	dark := outage.Outage{ID: "u1", Target: "Acme", Key: "u1", Class: outage.Unreachable, Severity: sources.Unknown, OpenedAt: t0}
	darkOpened := dark.Event(outage.Opened, t0, "GET https://status.acme.test/api/v2/summary.json: context deadline exceeded")
	dark.ResolvedAt = t0.Add(30 * time.Minute)
	darkBack := dark.Event(outage.Resolved, dark.ResolvedAt, "")

	self := outage.Outage{ID: "s1", Target: outage.SelfTarget, Key: "s1", Class: outage.Incident, Title: "Cannot reach the internet", Severity: sources.Unknown, OpenedAt: t0}
	offline := self.Event(outage.Opened, t0, "")
	self.ResolvedAt = t0.Add(5 * time.Minute)
	online := self.Event(outage.Resolved, self.ResolvedAt, "")

	joined := sampleOutage("j1")
	joined.Target, joined.Title, joined.Thread = "Support chatbot", "Support chatbot is down", "o1"
	joinedEv := joined.Event(outage.Opened, t0, "")
	joinedEv.Notes = []string{"Likely cause: OpenAI (partial outage)", "Fallback: Anthropic is operational"}

	long := lifecycle("o1")[1]
	long.At = t0.Add(26 * time.Hour)

	var storm []outage.Event
	for i := range 300 {
		o := sampleOutage(fmt.Sprintf("g%d", i))
		o.Target, o.Title = fmt.Sprintf("Probe %03d", i+1), "Connection refused"
		storm = append(storm, o.Event(outage.Opened, t0, ""))
	}
	for _, lang := range i18n.Languages {
		for _, tc := range []struct {
			name   string
			d      notifier.Delivery
			method string
			edit   bool
		}{
			{name: "opened-maintenance", d: notifier.Delivery{Event: maintOpened}, method: "sendMessage"},
			{name: "resolved-maintenance", d: notifier.Delivery{Event: maintDone, Root: "101"}, method: "sendMessage"},
			{name: "opened-unreachable", d: notifier.Delivery{Event: darkOpened}, method: "sendMessage"},
			{name: "resolved-unreachable-root-edit", d: notifier.Delivery{Event: darkBack, Root: "101"}, method: "editMessageText", edit: true},
			{name: "self-offline", d: notifier.Delivery{Event: offline}, method: "sendMessage"},
			{name: "self-back-online", d: notifier.Delivery{Event: online, Root: "101"}, method: "sendMessage"},
			{name: "joined", d: notifier.Delivery{Event: joinedEv, Root: "101", Joined: true}, method: "sendMessage"},
			{name: "updated-next-day-root-edit", d: notifier.Delivery{Event: long, Root: "101"}, method: "editMessageText", edit: true},
			{name: "group-cut", d: notifier.Delivery{Event: storm[0], Group: storm}, method: "sendMessage"},
		} {
			t.Run(goldenName(tc.name, lang), func(t *testing.T) {
				checkPayload(t, goldenName(tc.name+".json", lang), lang, tc.d, tc.method, tc.edit)
			})
		}
	}
}

// checkPayload sends d (or edits the root to it) through a notifier in
// lang after posting a root to refer to, and compares the last request of
// method with testdata/name.golden.
func checkPayload(t *testing.T, name, lang string, d notifier.Delivery, method string, edit bool) {
	t.Helper()
	e := newEnv(t)
	n := e.notifierLang(t, false, lang)
	// The root the replies and edits refer to.
	if _, err := n.Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Destination: dest("ops", opsChat), Event: lifecycle("o1")[0]}); err != nil {
		t.Fatal(err)
	}
	d.OutboxID, d.Destination = 2, dest("ops", opsChat)
	var err error
	if edit {
		err = n.EditRoot(context.Background(), notifier.RootEdit{Destination: d.Destination, Root: d.Root, Event: d.Event})
	} else {
		_, err = n.Deliver(context.Background(), d)
	}
	if err != nil {
		t.Fatal(err)
	}
	calls := e.fake.Calls(method)
	var body any
	if err := json.Unmarshal(calls[len(calls)-1].Body, &body); err != nil {
		t.Fatal(err)
	}
	golden.JSON(t, name, map[string]any{"method": method, "body": body}, false, *update)
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
	name := telegram.TopicName(i18n.For(i18n.Default), o.Event(outage.Opened, t0, ""))
	if n := len(utf16.Encode([]rune(name))); n > telegram.MaxTopicName || !strings.HasSuffix(name, "…") {
		t.Errorf("topic name of %d UTF-16 units: %q", n, name)
	}
}

// A long plain title still makes a name Telegram takes: the leading
// emoji counts two units, so 128 runes would be 129 units, one too many.
func TestTopicNameTelegramAccepts(t *testing.T) {
	const forum = "-1005550000000"
	for _, title := range []string{strings.Repeat("a", 300), strings.Repeat("é", 300), strings.Repeat("a😀", 100)} {
		e := newEnv(t)
		e.fake.AddChat(forum, "supergroup", true)
		o := sampleOutage("o1")
		o.Title = title
		d := notifier.Delivery{OutboxID: 1, Destination: dest("ops", forum), Event: o.Event(outage.Opened, t0, "")}
		if _, err := e.notifier(t, true).Deliver(context.Background(), d); err != nil {
			t.Errorf("title of %d runes: %v", len([]rune(title)), err)
		}
		if ts := e.fake.Topics(forum); len(ts) != 1 || len(utf16.Encode([]rune(ts[0].Name))) > telegram.MaxTopicName {
			t.Errorf("topics %+v", ts)
		}
	}
}
