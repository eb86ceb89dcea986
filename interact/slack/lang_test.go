package slack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
	notifyslack "github.com/outagebot/outagebot/notifier/slack"
)

// langs is a configuration where one channel is German.
func langs(channel string) string {
	if channel == "C2147483705" || channel == "C0OPS" {
		return "de"
	}
	return "en"
}

func slash(t *testing.T, h http.Handler, body string) Response {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signed(body, now))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var r Response
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// A slash command in a channel whose [[channel]] locale is de is answered
// in German, with Slack's own notes too; another channel stays English.
func TestSlashCommandAnswersInTheChannelsLanguage(t *testing.T) {
	h := NewHandler(HandlerOptions{SigningSecret: secret, Commands: newCommands(), Now: func() time.Time { return now }, Lang: langs})
	de := slash(t, h, form("incidents"))
	if !strings.Contains(de.Text, "2 Ausfälle (letzte 24 Stunden)") || !strings.Contains(de.Text, "läuft seit 12 Min.") {
		t.Errorf("German channel: %s", de.Text)
	}
	body := strings.Replace(form("incidents"), "C2147483705", "C0ENGLISH", 1)
	if en := slash(t, h, body); !strings.Contains(en.Text, "2 outages in the last 24h") {
		t.Errorf("English channel: %s", en.Text)
	}
	// Without Lang every channel is the default language.
	plain := NewHandler(HandlerOptions{SigningSecret: secret, Commands: newCommands(), Now: func() time.Time { return now }})
	if en := slash(t, plain, form("help")); !strings.Contains(en.Text, "outagebot commands") {
		t.Errorf("no languages: %s", en.Text)
	}
}

// A mute announced in a German channel is German, and its author is named.
func TestSlashCommandAnnouncesInTheChannelsLanguage(t *testing.T) {
	h := NewHandler(HandlerOptions{SigningSecret: secret, Commands: newCommands(), Now: func() time.Time { return now }, Lang: langs})
	r := slash(t, h, form("mute github 2h deploy"))
	if r.ResponseType != "in_channel" || !strings.Contains(r.Text, "🔕 <@U2147483697> hat GitHub für 2 Stunden stummgeschaltet (bis 23. Nov. 16:00 UTC): deploy.") {
		t.Errorf("announcement: %s %s", r.ResponseType, r.Text)
	}
}

// A click in a German channel is answered in German, and the refusal names
// the admins in German.
func TestButtonsAnswerInTheChannelsLanguage(t *testing.T) {
	c := newChatops(t)
	c.h = NewInteractionHandler(HandlerOptions{SigningSecret: secret, Now: func() time.Time { return now }, Admins: c.admin, APIURL: c.fake.URL(), Lang: langs}, c.cmds)
	if r := c.click(t, "U0EVE", "outagebot:ack:o2"); !strings.Contains(r.Text, "Bestätigen ist nur für Mitglieder von <!subteam^S0ONCALL> oder <@U0BOB> erlaubt.") {
		t.Errorf("refusal: %s", r.Text)
	}
	if r := c.click(t, "U0ALICE", "outagebot:ack:o2"); !strings.Contains(r.Text, "Bestätigt von <@U0ALICE> um 14:00 UTC") {
		t.Errorf("acknowledgement: %s", r.Text)
	}
}

// TestNotesInEveryLanguage keeps what Render itself writes, in every
// language, in testdata/notes.<lang>.golden.
func TestNotesInEveryLanguage(t *testing.T) {
	for _, lang := range i18n.Languages {
		t.Run(lang, func(t *testing.T) {
			var secs []bot.Section
			for i := range 100 {
				secs = append(secs, bot.Section{Lines: []string{fmt.Sprintf("line %d.a", i), fmt.Sprintf("line %d.b", i)}})
			}
			capped := decode(t, marshal(t, Render(bot.Answer{Title: "Big", Sections: secs, Lang: lang}))).texts()
			// The header and 48 sections are shown; a heading alone and one
			// line are left out.
			var one []bot.Section
			for range notifyslack.MaxBlocks - 2 {
				one = append(one, bot.Section{Lines: []string{"x"}})
			}
			one = append(one, bot.Section{Heading: "H"}, bot.Section{Lines: []string{"y"}})
			single := decode(t, marshal(t, Render(bot.Answer{Title: "One", Sections: one, Lang: lang}))).texts()
			big := Render(bot.Answer{Title: "Status", Sections: []bot.Section{{Lines: lines(1000, "🟢 *Target %04d*: operational")}}, Lang: lang})
			fitted := decode(t, marshal(t, big.fit(maxSocketAck))).texts()
			empty := Render(bot.Answer{Lang: lang})
			var b bytes.Buffer
			fmt.Fprintf(&b, "capped: %s\n", capped[len(capped)-1])
			fmt.Fprintf(&b, "one left out: %s\n", single[len(single)-1])
			fmt.Fprintf(&b, "shortened: %s\n", fitted[len(fitted)-1])
			fmt.Fprintf(&b, "empty: %s\n", empty.Text)
			notesGolden(t, filepath.Join("testdata", "notes."+lang+".golden"), b.Bytes())
		})
	}
}

func notesGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", path, got, want)
	}
}
