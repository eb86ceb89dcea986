package discord

import (
	"strings"
	"testing"

	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/notifier"
)

// Two channels on one Discord, one in German and one in English, and a
// German webhook: what each request carries is in its channel's language,
// roots, replies and edits alike.
func TestChannelLanguageOnTheWire(t *testing.T) {
	const deChannel, enChannel, hookChannel = "1100000000000000002", "1100000000000000003", "1100000000000000004"
	fake := fakediscord.New()
	t.Cleanup(fake.Close)
	fake.AddChannel(deChannel)
	fake.AddChannel(enChannel)
	hookURL := fake.AddWebhook(hookChannel)
	de, err := New(Options{Token: testToken, APIURL: fake.URL(), Lang: "de"})
	if err != nil {
		t.Fatal(err)
	}
	en, err := New(Options{Token: testToken, APIURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	hook, err := NewWebhook(hookURL, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	hook.SetLang("de")
	for _, c := range []struct {
		n       notifier.Notifier
		channel string
	}{{de, deChannel}, {en, enChannel}, {hook, hookChannel}} {
		evs := lifecycle()
		d := delivery(1, evs[0], "")
		d.Destination.Address = c.channel
		root := deliver(t, c.n, d)
		for i, ev := range evs[1:] {
			d := delivery(int64(i+2), ev, root)
			d.Destination.Address = c.channel
			deliver(t, c.n, d)
		}
	}
	sent := map[string]string{}
	for _, call := range fake.Calls("") {
		for _, ch := range []string{deChannel, enChannel} {
			if strings.Contains(call.Path, "/channels/"+ch+"/") {
				sent[ch] += string(call.Body)
			}
		}
		if strings.Contains(call.Path, "/webhooks/") {
			sent[hookChannel] += string(call.Body)
		}
	}
	german := []string{"Wiederhergestellt nach 1 Std. 12 Min.", "Behoben, Dauer 1 Std. 12 Min.", `"name":"Dauer"`, "Teilausfall · Ursache gefunden"}
	english := []string{"Restored after 1h 12m", "Resolved, lasted 1h 12m", `"name":"Duration"`, "Partial outage · Identified"}
	for ch, want := range map[string][]string{deChannel: german, hookChannel: german, enChannel: english} {
		other := english
		if ch == enChannel {
			other = german
		}
		for _, w := range want {
			if !strings.Contains(sent[ch], w) {
				t.Errorf("channel %s was not sent %q", ch, w)
			}
		}
		for _, w := range other {
			if strings.Contains(sent[ch], w) {
				t.Errorf("channel %s was sent %q, from the other language", ch, w)
			}
		}
	}
	if !strings.Contains(sent[deChannel], `"label":"Bestätigen"`) || !strings.Contains(sent[enChannel], `"label":"Acknowledge"`) {
		t.Errorf("buttons: de %v, en %v", strings.Contains(sent[deChannel], "Bestätigen"), strings.Contains(sent[enChannel], "Acknowledge"))
	}
}
