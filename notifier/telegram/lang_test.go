package telegram_test

import (
	"context"
	"github.com/outagebot/outagebot/outage"
	"strings"
	"testing"

	"github.com/outagebot/outagebot/notifier"
)

// Two chats on one Telegram, one in German and one in English: each
// message, and each root after its edits, is in its chat's language.
func TestChatLanguageOnTheWire(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct{ chat, lang string }{{opsChat, "de"}, {otherChat, ""}} {
		n := e.notifierLang(t, false, c.lang)
		evs := lifecycle("o-" + c.chat)
		d := dest("ops", c.chat)
		root, err := n.Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Destination: d, Event: evs[0]})
		if err != nil {
			t.Fatal(err)
		}
		for i, ev := range evs[1:] {
			if _, err := n.Deliver(context.Background(), notifier.Delivery{OutboxID: int64(i + 2), Destination: d, Event: ev, Root: root}); err != nil {
				t.Fatal(err)
			}
			if err := n.EditRoot(context.Background(), notifier.RootEdit{Destination: d, Root: root, Event: ev}); err != nil {
				t.Fatal(err)
			}
		}
	}
	text := func(chat string) string {
		var b strings.Builder
		for _, m := range e.fake.Messages(chat) {
			b.WriteString(m.Text + "\n")
		}
		return b.String()
	}
	german := []string{"Wiederhergestellt nach 1 Std. 12 Min.", "<b>Behoben</b>, Dauer 1 Std. 12 Min.", "Komponenten: API", ">Status-Seite</a>", "Teilausfall</b> · Ursache gefunden"}
	english := []string{"Restored after 1h 12m", "<b>Resolved</b>, lasted 1h 12m", "Components: API", ">Status page</a>", "Partial outage</b> · Identified"}
	de, en := text(opsChat), text(otherChat)
	for i := range german {
		if !strings.Contains(de, german[i]) || strings.Contains(de, english[i]) {
			t.Errorf("the German chat lacks %q or has %q:\n%s", german[i], english[i], de)
		}
		if !strings.Contains(en, english[i]) || strings.Contains(en, german[i]) {
			t.Errorf("the English chat lacks %q or has %q:\n%s", english[i], german[i], en)
		}
	}
}

// A digest is written in every language when it is built; a chat reads
// its own.
func TestDigestInTheChatsLanguage(t *testing.T) {
	e := newEnv(t)
	ev := outage.Event{OutageID: "digest-1", Kind: outage.Digest, Title: "Daily digest", Body: "All quiet.",
		Written: map[string]outage.Written{"de": {Title: "Tägliche Übersicht", Body: "Alles ruhig."}}}
	for _, c := range []struct{ chat, lang, want string }{{opsChat, "de", "Tägliche Übersicht"}, {otherChat, "", "Daily digest"}} {
		n := e.notifierLang(t, false, c.lang)
		if _, err := n.Deliver(context.Background(), notifier.Delivery{OutboxID: 1, Destination: dest("ops", c.chat), Event: ev}); err != nil {
			t.Fatal(err)
		}
		msgs := e.fake.Messages(c.chat)
		if len(msgs) != 1 || !strings.Contains(msgs[0].Text, c.want) {
			t.Errorf("%s chat got %+v, want %q", c.lang, msgs, c.want)
		}
	}
}
