package discord

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// captured reads a payload shaped as Discord sends it today: every field
// its current clients receive (channel and guild objects, context,
// authorizing_integration_owners, avatar decorations, component ids,
// content_scan_version), in Discord's key order, none of it built from
// discordgo's structs.
func captured(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "captured", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// response is an interaction response read as Discord reads it: plain
// JSON, not discordgo's types.
type response struct {
	Type int `json:"type"`
	Data *struct {
		Content         string            `json:"content"`
		Flags           int               `json:"flags"`
		Embeds          []json.RawMessage `json:"embeds"`
		AllowedMentions *struct {
			Parse []string `json:"parse"`
			Roles []string `json:"roles"`
			Users []string `json:"users"`
		} `json:"allowed_mentions"`
		Choices []struct {
			Name  string `json:"name"`
			Value any    `json:"value"`
		} `json:"choices"`
	} `json:"data"`
}

// TestCapturedInteractions posts payloads of the shape Discord sends,
// signed as Discord signs them, through the HTTP handler, and reads the
// answers as Discord does.
func TestCapturedInteractions(t *testing.T) {
	st := openOutage(t)
	cmds := commands()
	cmds.Acks = st
	rec := &recorder{Answerer: cmds}
	k := newKeys(t)
	h := NewHandler(HandlerOptions{PublicKey: k.pub, Commands: actingRecorder{rec}, Now: func() time.Time { return now },
		Admins: Admins{Roles: []string{"1700000000000000001"}}})
	ts := stamp(now)

	for _, tc := range []struct {
		file  string
		check func(t *testing.T, r response, raw string, runs []bot.Request)
	}{
		{"ping.json", func(t *testing.T, r response, raw string, runs []bot.Request) {
			if raw != `{"type":1}` {
				t.Errorf("PING answered %s, want {\"type\":1}", raw)
			}
		}},
		{"command-status-guild.json", func(t *testing.T, r response, raw string, runs []bot.Request) {
			if r.Type != 4 || r.Data == nil || r.Data.Flags != 64 || len(r.Data.Embeds) != 1 {
				t.Fatalf("want an ephemeral message with one embed: %s", raw)
			}
			if !strings.Contains(string(r.Data.Embeds[0]), "OpenAI: partial outage") {
				t.Errorf("embed %s", r.Data.Embeds[0])
			}
			last := runs[len(runs)-1]
			if last.Text != "status openai" || last.UserID != "1500000000000000001" || last.UserName != "Alice" || last.User != "<@1500000000000000001>" || last.Channel != "1100000000000000001" {
				t.Errorf("request %+v", last)
			}
		}},
		{"command-mute-dm.json", func(t *testing.T, r response, raw string, runs []bot.Request) {
			// A DM has no member, hence no roles: refused, in the asker's
			// German, naming who may.
			if r.Type != 4 || r.Data == nil || r.Data.Flags != 64 {
				t.Fatalf("want an ephemeral refusal: %s", raw)
			}
			if !strings.Contains(shown(t, r), "<@&1700000000000000001>") {
				t.Errorf("the refusal does not name the role: %s", raw)
			}
			last := runs[len(runs)-1]
			if last.Text != "mute OpenAI 2h known incident, tracking upstream" || last.UserID != "1500000000000000001" || last.UserLang != "de" {
				t.Errorf("request %+v", last)
			}
		}},
		{"autocomplete-target.json", func(t *testing.T, r response, raw string, runs []bot.Request) {
			if r.Type != 8 || r.Data == nil || len(r.Data.Choices) != 1 || r.Data.Choices[0].Name != "Google Cloud" || r.Data.Choices[0].Value != "Google Cloud" {
				t.Errorf("autocomplete answered %s", raw)
			}
		}},
		{"component-ack.json", func(t *testing.T, r response, raw string, runs []bot.Request) {
			if r.Type != 4 || r.Data == nil || r.Data.Flags != 64 || !strings.Contains(shown(t, r), "Acknowledged by <@1500000000000000001>") {
				t.Errorf("want an ephemeral acknowledgement: %s", raw)
			}
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body := captured(t, tc.file)
			w := post(h, body, sign(k.priv, ts, body), ts)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			raw := strings.TrimSpace(w.Body.String())
			var r response
			if err := json.Unmarshal([]byte(raw), &r); err != nil {
				t.Fatalf("%v: %s", err, raw)
			}
			if r.Data != nil && (r.Data.AllowedMentions == nil || r.Data.AllowedMentions.Parse == nil || len(r.Data.AllowedMentions.Parse)+len(r.Data.AllowedMentions.Roles)+len(r.Data.AllowedMentions.Users) != 0) && r.Type != 8 {
				t.Errorf("an answer must ping nobody: %s", raw)
			}
			runs, _ := rec.calls()
			tc.check(t, r, raw, runs)
		})
	}
	a, ok, _ := st.Acknowledgement(context.Background(), "o2")
	if !ok || a.UserID != "1500000000000000001" || a.Name != "Alice" {
		t.Errorf("stored ack %+v, %v", a, ok)
	}
}

// shown is the text a response shows: its content, and its embeds' titles
// and descriptions.
func shown(t *testing.T, r response) string {
	t.Helper()
	if r.Data == nil {
		return ""
	}
	text := r.Data.Content
	for _, raw := range r.Data.Embeds {
		var e struct{ Title, Description string }
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		text += "\n" + e.Title + "\n" + e.Description
	}
	return text
}

// actingRecorder is a recorder that also answers buttons.
type actingRecorder struct{ *recorder }

func (a actingRecorder) Act(ctx context.Context, r bot.Request, id string) bot.Answer {
	return a.Answerer.(Actor).Act(ctx, r, id)
}

// openOutage is a store holding one open outage, o2 on OpenAI, whose root
// carries the buttons the captured click presses.
func openOutage(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	o := outage.Outage{ID: "o2", Target: "OpenAI", Key: "k", Class: outage.Incident, Title: "Elevated errors", Severity: sources.PartialOutage, OpenedAt: now}
	if _, err := st.Commit(context.Background(), store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o},
		Events: []outage.Event{o.Event(outage.Opened, now, "")}, Dests: []string{"ops/discord"}, At: now}); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestCapturedGatewayInteractions sends the captured payloads as the
// gateway's INTERACTION_CREATE and reads the callbacks the bot posts to
// POST /interactions/{id}/{token}/callback.
func TestCapturedGatewayInteractions(t *testing.T) {
	fake := fakediscord.New()
	t.Cleanup(fake.Close)
	fake.RequireToken(testToken)
	cmds := commands()
	cmds.Acks = openOutage(t)
	logs := &syncBuffer{}
	startGateway(t, fake, testToken, cmds, logs)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := fake.WaitReady(ctx); err != nil {
		t.Fatalf("%v; logs:\n%s", err, logs)
	}
	for _, tc := range []struct {
		file, id string
		typ      discordgo.InteractionResponseType
		want     string
	}{
		{"command-status-guild.json", "1350000000000000002", discordgo.InteractionResponseChannelMessageWithSource, "OpenAI: partial outage"},
		{"autocomplete-target.json", "1350000000000000004", discordgo.InteractionApplicationCommandAutocompleteResult, "Google Cloud"},
		{"component-ack.json", "1350000000000000005", discordgo.InteractionResponseChannelMessageWithSource, "Acknowledged by <@1500000000000000001>"},
	} {
		if err := fake.PushRawInteraction(captured(t, tc.file)); err != nil {
			t.Fatal(err)
		}
		cb, err := fake.WaitCallback(ctx, tc.id)
		if err != nil {
			t.Fatalf("%s: %v; logs:\n%s", tc.file, err, logs)
		}
		var r response
		if err := json.Unmarshal(cb.Body, &r); err != nil {
			t.Fatal(err)
		}
		text := shown(t, r)
		for _, c := range r.Data.Choices {
			text += c.Name
		}
		if cb.Type != tc.typ || !strings.Contains(text, tc.want) {
			t.Errorf("%s: callback type %d, %s; want type %d with %q", tc.file, cb.Type, cb.Body, tc.typ, tc.want)
		}
	}
	assertNoSecret(t, "logs", logs.String(), testToken, "Y29tcG9uZW50LXNlY3JldA")
}
