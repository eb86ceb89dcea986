package discord

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/interact/guard"
	"github.com/outagebot/outagebot/store"
)

type keys struct {
	pub   ed25519.PublicKey
	priv  ed25519.PrivateKey
	other ed25519.PrivateKey
}

func newKeys(t *testing.T) keys {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, other, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return keys{pub, priv, other}
}

// post sends body to h with the given signature headers ("" leaves one out).
func post(h http.Handler, body []byte, sig, ts string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, Path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set("X-Signature-Ed25519", sig)
	}
	if ts != "" {
		req.Header.Set("X-Signature-Timestamp", ts)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func sign(key ed25519.PrivateKey, ts string, body []byte) string {
	return hex.EncodeToString(ed25519.Sign(key, append([]byte(ts), body...)))
}

func stamp(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

func newHandler(k keys, a Answerer) http.Handler {
	return NewHandler(HandlerOptions{PublicKey: k.pub, Commands: a, Now: func() time.Time { return now }})
}

func TestHandlerAnswers(t *testing.T) {
	k := newKeys(t)
	many := make([]string, 40)
	for i := range many {
		many[i] = fmt.Sprintf("svc-%02d", i)
	}
	cases := []struct {
		name   string
		ix     *discordgo.Interaction
		names  []string // TargetNames instead of the real commands
		wantRq string   // the request text the command logic got ("" none)
		check  func(t *testing.T, r discordgo.InteractionResponse, raw string)
	}{
		{
			name: "ping", ix: &discordgo.Interaction{ID: "1", Type: discordgo.InteractionPing, Token: "x", Version: 1},
			check: func(t *testing.T, r discordgo.InteractionResponse, raw string) {
				if raw != `{"type":1}` {
					t.Errorf("PING answered %s, want {\"type\":1}", raw)
				}
			},
		},
		{
			name: "status overview", ix: interaction(discordgo.InteractionApplicationCommand, "status"), wantRq: "status",
			check: func(t *testing.T, r discordgo.InteractionResponse, raw string) {
				e := onlyEmbed(t, r)
				if r.Type != discordgo.InteractionResponseChannelMessageWithSource || r.Data.Flags != discordgo.MessageFlagsEphemeral {
					t.Errorf("type %d flags %d, want an ephemeral message (4, 64)", r.Type, r.Data.Flags)
				}
				if e.Title != "Status of 4 targets" || len(e.Fields) != 2 || e.Fields[0].Name != "Needs attention" {
					t.Errorf("embed: %s", marshal(t, e))
				}
				if !strings.Contains(e.Fields[0].Value, "**OpenAI**") {
					t.Errorf("Slack bold not converted: %q", e.Fields[0].Value)
				}
				if r.Data.Content != "" || !strings.Contains(raw, `"allowed_mentions":{"parse":[]`) {
					t.Errorf("content %q, raw %s", r.Data.Content, raw)
				}
			},
		},
		{
			name: "status of one target", ix: interaction(discordgo.InteractionApplicationCommand, "status", option{name: "target", value: "openai"}), wantRq: "status openai",
			check: func(t *testing.T, r discordgo.InteractionResponse, raw string) {
				if e := onlyEmbed(t, r); !strings.Contains(e.Title, "OpenAI: partial outage") {
					t.Errorf("title %q", e.Title)
				}
			},
		},
		{
			name: "uptime with target and window", wantRq: "uptime GitHub 7d",
			ix: interaction(discordgo.InteractionApplicationCommand, "uptime", option{name: "window", value: "7d"}, option{name: "target", value: "GitHub"}),
			check: func(t *testing.T, r discordgo.InteractionResponse, raw string) {
				e := onlyEmbed(t, r)
				if e.Title != "Uptime over 7d: today so far (UTC) and the 6 days before" || !strings.Contains(e.Description, "**GitHub**: 99.3% (down 1h)") {
					t.Errorf("embed: %s", marshal(t, e))
				}
			},
		},
		{
			name: "mute is public and announced", wantRq: "mute GitHub 2h deploy in progress",
			ix: interaction(discordgo.InteractionApplicationCommand, "mute", option{name: "target", value: "GitHub"}, option{name: "duration", value: "2h"}, option{name: "reason", value: "deploy  in progress"}),
			check: func(t *testing.T, r discordgo.InteractionResponse, raw string) {
				e := onlyEmbed(t, r)
				if r.Data.Flags&discordgo.MessageFlagsEphemeral != 0 {
					t.Errorf("a mute answer is ephemeral")
				}
				want := "🔕 <@" + testUser + "> muted GitHub for 2h (until Mar 2 11:00 UTC): deploy in progress."
				if r.Data.Content != want {
					t.Errorf("content %q, want %q", r.Data.Content, want)
				}
				if !strings.HasPrefix(e.Title, "🔕 GitHub is muted until") {
					t.Errorf("title %q", e.Title)
				}
				if r.Data.AllowedMentions == nil || r.Data.AllowedMentions.Parse == nil || len(r.Data.AllowedMentions.Parse) != 0 {
					t.Errorf("the announcement may ping: %s", raw)
				}
			},
		},
		{
			name: "help", ix: interaction(discordgo.InteractionApplicationCommand, "outagebot-help"), wantRq: "help",
			check: func(t *testing.T, r discordgo.InteractionResponse, raw string) {
				if e := onlyEmbed(t, r); e.Title != "outagebot commands" {
					t.Errorf("title %q", e.Title)
				}
			},
		},
		{
			name: "unknown command",
			ix:   interaction(discordgo.InteractionApplicationCommand, "frobnicate"),
			check: func(t *testing.T, r discordgo.InteractionResponse, raw string) {
				if e := onlyEmbed(t, r); e.Title != "I don't know /frobnicate" || r.Data.Flags != discordgo.MessageFlagsEphemeral {
					t.Errorf("embed %s, flags %d", marshal(t, e), r.Data.Flags)
				}
			},
		},
		{
			name: "autocomplete",
			ix:   interaction(discordgo.InteractionApplicationCommandAutocomplete, "mute", option{name: "target", value: "G", focused: true}),
			check: func(t *testing.T, r discordgo.InteractionResponse, raw string) {
				if r.Type != discordgo.InteractionApplicationCommandAutocompleteResult {
					t.Fatalf("type %d", r.Type)
				}
				if got := choiceNames(r); got != "GitHub,Google Cloud" {
					t.Errorf("choices %s", got)
				}
			},
		},
		{
			name: "autocomplete at most 25", names: many,
			ix: interaction(discordgo.InteractionApplicationCommandAutocomplete, "status", option{name: "target", value: "SVC", focused: true}),
			check: func(t *testing.T, r discordgo.InteractionResponse, raw string) {
				if len(r.Data.Choices) != 25 || r.Data.Choices[0].Value != "svc-00" {
					t.Errorf("%d choices: %s", len(r.Data.Choices), choiceNames(r))
				}
			},
		},
		{
			name: "autocomplete of another option", names: many,
			ix: interaction(discordgo.InteractionApplicationCommandAutocomplete, "uptime", option{name: "target", value: "svc"}, option{name: "window", value: "7", focused: true}),
			check: func(t *testing.T, r discordgo.InteractionResponse, raw string) {
				if len(r.Data.Choices) != 0 {
					t.Errorf("choices for the window: %s", choiceNames(r))
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var a Answerer = commands()
			if tc.names != nil {
				a = namesOnly(tc.names)
			}
			rec := &recorder{Answerer: a}
			body := marshal(t, tc.ix)
			ts := stamp(now)
			w := post(newHandler(k, rec), body, sign(k.priv, ts, body), ts)
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("status %d (%s): %s", w.Code, w.Header().Get("Content-Type"), w.Body)
			}
			raw := w.Body.String()
			var r discordgo.InteractionResponse
			if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			runs, _ := rec.calls()
			switch {
			case tc.wantRq == "" && len(runs) > 0:
				t.Errorf("the command logic was asked %+v", runs)
			case tc.wantRq != "" && (len(runs) != 1 || runs[0].Text != tc.wantRq || runs[0].User != "<@"+testUser+">" || runs[0].UserID != testUser || runs[0].Platform != "discord" || runs[0].Channel != tc.ix.ChannelID):
				t.Errorf("requests %+v, want %q by <@%s>", runs, tc.wantRq, testUser)
			}
			tc.check(t, r, raw)
			assertNoSecret(t, "the answer", raw, tc.ix.Token)
		})
	}
}

func onlyEmbed(t *testing.T, r discordgo.InteractionResponse) *discordgo.MessageEmbed {
	t.Helper()
	if r.Data == nil || len(r.Data.Embeds) != 1 {
		t.Fatalf("want one embed, got %+v", r.Data)
	}
	return r.Data.Embeds[0]
}

func choiceNames(r discordgo.InteractionResponse) string {
	if r.Data == nil {
		return ""
	}
	var names []string
	for _, c := range r.Data.Choices {
		names = append(names, c.Name)
	}
	return strings.Join(names, ",")
}

// TestHandlerRejects: every request that is not signed by the application's
// key, for this body, at about this time, is 401 and reaches no command.
func TestHandlerRejects(t *testing.T) {
	k := newKeys(t)
	body := marshal(t, interaction(discordgo.InteractionApplicationCommand, "mute", option{name: "target", value: "GitHub"}, option{name: "duration", value: "2h"}))
	ts := stamp(now)
	good := sign(k.priv, ts, body)
	altered := bytes.Replace(body, []byte(`"2h"`), []byte(`"7d"`), 1)
	if bytes.Equal(altered, body) {
		t.Fatal("the body was not altered")
	}
	cases := []struct {
		name     string
		body     []byte
		sig, ts  string
		wantCode int
	}{
		{"unsigned", body, "", "", http.StatusUnauthorized},
		{"missing timestamp", body, good, "", http.StatusUnauthorized},
		{"missing signature", body, "", ts, http.StatusUnauthorized},
		{"wrong signature", body, strings.Repeat("ab", ed25519.SignatureSize), ts, http.StatusUnauthorized},
		{"signature not hex", body, "zz" + good[2:], ts, http.StatusUnauthorized},
		{"short signature", body, good[:64], ts, http.StatusUnauthorized},
		{"signed with another key", body, sign(k.other, ts, body), ts, http.StatusUnauthorized},
		{"signed but altered body", altered, good, ts, http.StatusUnauthorized},
		{"timestamp altered", body, good, stamp(now.Add(time.Second)), http.StatusUnauthorized},
		{"stale timestamp", body, sign(k.priv, stamp(now.Add(-6*time.Minute)), body), stamp(now.Add(-6 * time.Minute)), http.StatusUnauthorized},
		{"future timestamp", body, sign(k.priv, stamp(now.Add(6*time.Minute)), body), stamp(now.Add(6 * time.Minute)), http.StatusUnauthorized},
		{"timestamp not a number", body, sign(k.priv, "soon", body), "soon", http.StatusUnauthorized},
		{"oversized body", bytes.Repeat([]byte(" "), MaxBody+1), sign(k.priv, ts, bytes.Repeat([]byte(" "), MaxBody+1)), ts, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{Answerer: commands()}
			w := post(newHandler(k, rec), tc.body, tc.sig, tc.ts)
			if w.Code != tc.wantCode {
				t.Errorf("status %d, want %d: %s", w.Code, tc.wantCode, w.Body)
			}
			if runs, names := rec.calls(); len(runs) != 0 || names != 0 {
				t.Errorf("the command logic was called: %+v (%d name lists)", runs, names)
			}
			if w.Code == http.StatusUnauthorized && w.Body.String() != "unauthorized\n" {
				t.Errorf("401 body %q, want only \"unauthorized\"", w.Body)
			}
		})
	}

	t.Run("within the allowed skew", func(t *testing.T) {
		for _, d := range []time.Duration{-5 * time.Minute, 5 * time.Minute} {
			rec := &recorder{Answerer: commands()}
			ts := stamp(now.Add(d))
			if w := post(newHandler(k, rec), body, sign(k.priv, ts, body), ts); w.Code != http.StatusOK {
				t.Errorf("skew %s: status %d", d, w.Code)
			}
		}
	})
	t.Run("no key configured", func(t *testing.T) {
		rec := &recorder{Answerer: commands()}
		h := NewHandler(HandlerOptions{Commands: rec, Now: func() time.Time { return now }})
		if w := post(h, body, good, ts); w.Code != http.StatusUnauthorized {
			t.Errorf("status %d", w.Code)
		}
	})
	t.Run("GET", func(t *testing.T) {
		w := httptest.NewRecorder()
		newHandler(k, commands()).ServeHTTP(w, httptest.NewRequest(http.MethodGet, Path, nil))
		if w.Code != http.StatusMethodNotAllowed {
			t.Errorf("status %d", w.Code)
		}
	})
	t.Run("signed garbage", func(t *testing.T) {
		junk := []byte("{not json")
		if w := post(newHandler(k, commands()), junk, sign(k.priv, ts, junk), ts); w.Code != http.StatusBadRequest {
			t.Errorf("status %d", w.Code)
		}
	})
}

// TestHandlerOverHTTP runs the handler behind a real server, as mounted.
func TestHandlerOverHTTP(t *testing.T) {
	k := newKeys(t)
	mux := http.NewServeMux()
	mux.Handle("POST "+Path, NewHandler(HandlerOptions{PublicKey: k.pub, Commands: commands()}))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	body := []byte(`{"id":"1","application_id":"` + testApp + `","type":1,"token":"t","version":1}`)
	ts := stamp(time.Now())
	req, err := http.NewRequest(http.MethodPost, srv.URL+Path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Signature-Ed25519", sign(k.priv, ts, body))
	req.Header.Set("X-Signature-Timestamp", ts)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK || got["type"] != float64(1) {
		t.Fatalf("status %d, body %v (%v)", resp.StatusCode, got, err)
	}
}

// BenchmarkHandlerStatus is one signed /status answered end to end (verify,
// parse, answer, render, encode). It sends the same signed bytes every time,
// so its replay memory accepts everything.
func BenchmarkHandlerStatus(b *testing.B) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	h := NewHandler(HandlerOptions{PublicKey: pub, Commands: commands(), Now: func() time.Time { return now }, Seen: forgetful{}})
	body, _ := json.Marshal(interaction(discordgo.InteractionApplicationCommand, "status"))
	ts := stamp(now)
	sig := sign(priv, ts, body)
	b.ReportAllocs()
	for b.Loop() {
		if w := post(h, body, sig, ts); w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}

// forgetful remembers nothing.
type forgetful struct{}

func (forgetful) Remember(context.Context, string, time.Time, time.Duration) (bool, error) {
	return true, nil
}

// The same signed bytes are answered once: a captured /mute sent again
// within the 5-minute window is refused, on this replica, on another one
// sharing the store, and after a restart. PINGs are answered every time.
func TestHandlerRefusesReplays(t *testing.T) {
	k := newKeys(t)
	mute := marshal(t, interaction(discordgo.InteractionApplicationCommand, "mute", option{name: "target", value: "GitHub"}, option{name: "duration", value: "2h"}))
	ping := []byte(`{"id":"1700000000000000009","application_id":"` + testApp + `","type":1,"token":"t","version":1}`)
	ts := stamp(now)
	path := filepath.Join(t.TempDir(), "state.db")
	open := func() *store.Store {
		st, err := store.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	rec := &recorder{Answerer: commands()}
	handler := func(seen guard.Seen) http.Handler {
		return NewHandler(HandlerOptions{PublicKey: k.pub, Commands: rec, Now: func() time.Time { return now.Add(time.Minute) }, Seen: seen})
	}
	memory := handler(nil)
	a, b := open(), open()
	steps := []struct {
		name string
		h    http.Handler
		body []byte
		want int
	}{
		{"ping", memory, ping, http.StatusOK},
		{"ping again", memory, ping, http.StatusOK},
		{"mute", memory, mute, http.StatusOK},
		{"mute replayed", memory, mute, http.StatusUnauthorized},
		{"mute on a replica with the store", handler(a), mute, http.StatusOK},
		{"mute replayed to another replica", handler(b), mute, http.StatusUnauthorized},
		{"mute replayed to the first replica", handler(a), mute, http.StatusUnauthorized},
		{"mute replayed after a restart", handler(open()), mute, http.StatusUnauthorized},
	}
	for _, s := range steps {
		w := post(s.h, s.body, sign(k.priv, ts, s.body), ts)
		if w.Code != s.want {
			t.Errorf("%s: status %d, want %d: %s", s.name, w.Code, s.want, w.Body)
		}
	}
	// The in-memory handler and the store-backed replicas each ran it once.
	if runs, _ := rec.calls(); len(runs) != 2 {
		t.Errorf("the command ran %d times, want 2: %+v", len(runs), runs)
	}
}
