package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/store"
)

// reply is a decoded response.
type reply struct {
	ResponseType string `json:"response_type"`
	Text         string `json:"text"`
	Blocks       []struct {
		Type string `json:"type"`
		Text *struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"text"`
		Elements []struct {
			Text string `json:"text"`
		} `json:"elements"`
	} `json:"blocks"`
}

// texts are the blocks' texts, one per block.
func (r reply) texts() []string {
	var out []string
	for _, b := range r.Blocks {
		switch {
		case b.Text != nil:
			out = append(out, b.Text.Text)
		case len(b.Elements) > 0:
			out = append(out, b.Elements[0].Text)
		default:
			out = append(out, "")
		}
	}
	return out
}

func decode(t *testing.T, body []byte) reply {
	t.Helper()
	var r reply
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, body)
	}
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandlerAnswersSignedCommand(t *testing.T) {
	rec := &recorder{answer: bot.Answer{Title: "All 4 targets are operational", Sections: []bot.Section{{Heading: "Operational", Lines: []string{"🟢 *GitHub*: operational"}}}}}
	h := NewHandler(HandlerOptions{SigningSecret: secret, Commands: rec, Now: func() time.Time { return now }})

	w := serve(h, signed(form("status"), now.Add(-4*time.Minute)))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	r := decode(t, w.Body.Bytes())
	if r.ResponseType != "ephemeral" {
		t.Errorf("response_type = %q", r.ResponseType)
	}
	want := []string{"All 4 targets are operational", "*Operational*\n🟢 *GitHub*: operational"}
	if got := r.texts(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("blocks = %q, want %q", got, want)
	}
	if r.Blocks[0].Type != "header" || r.Blocks[1].Type != "section" {
		t.Errorf("block types: %+v", r.Blocks)
	}
	if !strings.Contains(r.Text, "All 4 targets are operational") {
		t.Errorf("fallback text = %q", r.Text)
	}
	if calls := rec.Calls(); len(calls) != 1 || calls[0] != (bot.Request{Text: "status", User: "<@U2147483697>", UserID: "U2147483697", UserName: "steve", Platform: "slack", Channel: "C2147483705"}) {
		t.Errorf("calls = %+v", calls)
	}
}

func TestHandlerRefusesUnverified(t *testing.T) {
	body := form("mute github 7d")
	ts := now.Unix()
	tests := []struct {
		name string
		req  func() *http.Request
		// secret the handler is configured with (default secret).
		secret string
		code   int
	}{
		{"unsigned", func() *http.Request {
			r := signed(body, now)
			r.Header.Del(headerSignature)
			r.Header.Del(headerTimestamp)
			return r
		}, "", http.StatusUnauthorized},
		{"missing signature", func() *http.Request {
			r := signed(body, now)
			r.Header.Del(headerSignature)
			return r
		}, "", http.StatusUnauthorized},
		{"missing timestamp", func() *http.Request {
			r := signed(body, now)
			r.Header.Del(headerTimestamp)
			return r
		}, "", http.StatusUnauthorized},
		{"wrong secret", func() *http.Request {
			r := signed(body, now)
			r.Header.Set(headerSignature, sign("another secret", ts, body))
			return r
		}, "", http.StatusUnauthorized},
		{"malformed signature", func() *http.Request {
			r := signed(body, now)
			r.Header.Set(headerSignature, "v0=not-hex")
			return r
		}, "", http.StatusUnauthorized},
		{"truncated signature", func() *http.Request {
			r := signed(body, now)
			r.Header.Set(headerSignature, r.Header.Get(headerSignature)[:40])
			return r
		}, "", http.StatusUnauthorized},
		{"other version", func() *http.Request {
			r := signed(body, now)
			r.Header.Set(headerSignature, "v1="+strings.TrimPrefix(r.Header.Get(headerSignature), "v0="))
			return r
		}, "", http.StatusUnauthorized},
		{"malformed timestamp", func() *http.Request {
			r := signed(body, now)
			r.Header.Set(headerTimestamp, strconv.FormatInt(ts, 10)+".0")
			return r
		}, "", http.StatusUnauthorized},
		{"stale by 6 minutes", func() *http.Request { return signed(body, now.Add(-6*time.Minute)) }, "", http.StatusUnauthorized},
		{"future by 6 minutes", func() *http.Request { return signed(body, now.Add(6*time.Minute)) }, "", http.StatusUnauthorized},
		{"body altered after signing", func() *http.Request {
			r := signed(form("status"), now)
			altered := signed(body, now)
			altered.Header = r.Header
			return altered
		}, "", http.StatusUnauthorized},
		{"replayed with a fresh timestamp", func() *http.Request {
			// A request captured 6 minutes ago, its timestamp header
			// rewritten to pass the window: the signature no longer fits.
			r := signed(body, now.Add(-6*time.Minute))
			r.Header.Set(headerTimestamp, strconv.FormatInt(ts, 10))
			return r
		}, "", http.StatusUnauthorized},
		{"no signing secret configured", func() *http.Request {
			r := signed(body, now)
			r.Header.Set(headerSignature, sign("", ts, body))
			return r
		}, "-", http.StatusUnauthorized},
		{"oversized", func() *http.Request { return signed(body+"&pad="+strings.Repeat("x", MaxBody), now) }, "", http.StatusRequestEntityTooLarge},
		{"oversized without length", func() *http.Request {
			r := signed(body+"&pad="+strings.Repeat("x", MaxBody), now)
			r.ContentLength = -1
			return r
		}, "", http.StatusRequestEntityTooLarge},
		{"not a POST", func() *http.Request {
			r := signed(body, now)
			r.Method = http.MethodGet
			return r
		}, "", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			rec := &recorder{answer: bot.Answer{Title: "muted", Announce: "muted"}}
			sec := secret
			if tt.secret == "-" {
				sec = ""
			}
			h := NewHandler(HandlerOptions{SigningSecret: sec, Commands: rec, Now: func() time.Time { return now },
				Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			w := serve(h, tt.req())
			if w.Code != tt.code {
				t.Errorf("status %d, want %d: %s", w.Code, tt.code, w.Body)
			}
			if calls := rec.Calls(); len(calls) != 0 {
				t.Errorf("the command ran: %+v", calls)
			}
			if w.Code == http.StatusUnauthorized && w.Body.String() != "unauthorized\n" {
				// Why a request failed is for the operator's log, not
				// for whoever sent it.
				t.Errorf("401 body %q, want only \"unauthorized\"", w.Body)
			}
			if w.Body.Len() > 80 {
				t.Errorf("long body: %q", w.Body)
			}
			if strings.Contains(w.Body.String()+logs.String(), secret) {
				t.Errorf("the signing secret leaked:\n%s\n%s", w.Body, logs.String())
			}
		})
	}
}

func TestHandlerAcceptsEdgesOfWindow(t *testing.T) {
	for _, d := range []time.Duration{-5 * time.Minute, -time.Minute, 0, time.Minute, 5 * time.Minute} {
		rec := &recorder{}
		h := NewHandler(HandlerOptions{SigningSecret: secret, Commands: rec, Now: func() time.Time { return now }})
		if w := serve(h, signed(form("status"), now.Add(d))); w.Code != http.StatusOK || len(rec.Calls()) != 1 {
			t.Errorf("signed %s from now: status %d, %d calls", d, w.Code, len(rec.Calls()))
		}
	}
}

func TestHandlerRefusesExactReplay(t *testing.T) {
	rec := &recorder{answer: bot.Answer{Title: "muted", Announce: "muted"}}
	h := NewHandler(HandlerOptions{SigningSecret: secret, Commands: rec, Now: func() time.Time { return now }})
	first := signed(form("mute github 2h"), now)
	again := signed(form("mute github 2h"), now)
	if w := serve(h, first); w.Code != http.StatusOK {
		t.Fatalf("first: %d %s", w.Code, w.Body)
	}
	if w := serve(h, again); w.Code != http.StatusUnauthorized {
		t.Errorf("replay: %d %s", w.Code, w.Body)
	}
	if n := len(rec.Calls()); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

// A flood of forged requests is logged as one line a minute that counts
// them, not a line each.
func TestHandlerRefusalsLogOncePerMinute(t *testing.T) {
	var logs bytes.Buffer
	clock := now
	h := NewHandler(HandlerOptions{SigningSecret: secret, Commands: &recorder{}, Now: func() time.Time { return clock },
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
	body := form("status")
	for i := range 100 {
		clock = now.Add(time.Duration(i) * 100 * time.Millisecond)
		r := signed(body, clock)
		r.Header.Set(headerSignature, "v0="+strings.Repeat("0", 64))
		if w := serve(h, r); w.Code != http.StatusUnauthorized {
			t.Fatalf("forged request %d: status %d", i, w.Code)
		}
	}
	clock = now.Add(2 * time.Minute)
	serve(h, signed(body, now)) // stale by 2 minutes is fine; replay is not
	serve(h, signed(body, now))
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2:\n%s", len(lines), logs.String())
	}
	for i, want := range []string{`reason="invalid signature"`, `reason="replayed request" remote=192.0.2.1:1234 suppressed_since_last=99`} {
		if !strings.Contains(lines[i], "level=WARN") || !strings.Contains(lines[i], want) {
			t.Errorf("line %d = %s\nwant it to contain %s", i, lines[i], want)
		}
	}
}

func TestHandlerSSLCheck(t *testing.T) {
	rec := &recorder{}
	h := NewHandler(HandlerOptions{SigningSecret: secret, Commands: rec, Now: func() time.Time { return now }})
	w := serve(h, signed("ssl_check=1&token=x", now))
	if w.Code != http.StatusOK || w.Body.Len() != 0 || len(rec.Calls()) != 0 {
		t.Errorf("ssl_check: %d %q, %d calls", w.Code, w.Body, len(rec.Calls()))
	}
	// It may come unsigned: a 200 that does nothing.
	unsigned := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader("ssl_check=1&token=gIkuvaNzQIHg97ATvDxqgjtO"))
	unsigned.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if w := serve(h, unsigned); w.Code != http.StatusOK || w.Body.Len() != 0 || len(rec.Calls()) != 0 {
		t.Errorf("unsigned ssl_check: %d %q, %d calls", w.Code, w.Body, len(rec.Calls()))
	}
	// A command does not pass as one.
	forged := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader("ssl_check=1&"+form("mute OpenAI 1h")))
	forged.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if w := serve(h, forged); w.Code != http.StatusUnauthorized || len(rec.Calls()) != 0 {
		t.Errorf("an unsigned command with ssl_check: %d, %d calls", w.Code, len(rec.Calls()))
	}
}

func TestHandlerRefusesNonForm(t *testing.T) {
	rec := &recorder{}
	h := NewHandler(HandlerOptions{SigningSecret: secret, Commands: rec, Now: func() time.Time { return now }})
	r := signed(`{"text":"status"}`, now)
	r.Header.Set("Content-Type", "application/json")
	if w := serve(h, r); w.Code != http.StatusUnsupportedMediaType || len(rec.Calls()) != 0 {
		t.Errorf("JSON body: %d, %d calls", w.Code, len(rec.Calls()))
	}
}

// TestCommandsOverHTTP runs every subcommand through the handler and the
// real command logic.
func TestCommandsOverHTTP(t *testing.T) {
	tests := []struct {
		text string
		// want are substrings of the blocks' texts, in order.
		want    []string
		problem bool
		public  bool
	}{
		{"", []string{"Status of 4 targets", "*Needs attention*", "🟠 *OpenAI*: partial outage — Elevated errors on API [investigating] for 12m", "*Operational*", "*GitHub*"}, false, false},
		{"status", []string{"Status of 4 targets"}, false, false},
		{"openai", []string{"🟠 OpenAI: partial outage", "Checked 1m ago.", "*Open outages*", "Elevated errors on API — since Nov 23 13:48 UTC (12m) https://status.openai.com/incidents/x", "🟠 API: partial outage"}, false, false},
		{"status check", []string{"🟢 Checkout API: operational", "Latency 42ms."}, false, false},
		{"opnai", []string{`I don't know a target called "opnai"`, "Did you mean OpenAI?"}, true, false},
		{"git", []string{`"git" matches 2 targets`, "GitHub, GitLab"}, true, false},
		{"zzzzzzzz", []string{"Known targets: OpenAI, GitHub, GitLab, Checkout API."}, true, false},
		{"incidents", []string{"2 outages in the last 24h", "🟠 *OpenAI*: Elevated errors on API", "✅ *GitHub*: Actions delayed — Nov 23 09:00 UTC, lasted 1h 12m"}, false, false},
		{"incidents 1h", []string{"1 outage in the last 1h", "OpenAI"}, false, false},
		{"incidents soon", []string{"I could not read that window", `"soon" is not a duration`, "Try `incidents 24h`"}, true, false},
		{"uptime", []string{"Uptime over the last 24h", "*OpenAI*: 99.2% (down 12m)", "*GitHub*: 95% (down 1h 12m)", "*Checkout API*: 100%"}, false, false},
		{"uptime github 7d", []string{"Uptime over 7d: today so far (UTC) and the 6 days before", "*GitHub*: 99.2% (down 1h 12m)"}, false, false},
		{"uptime gthub", []string{`I don't know a target called "gthub"`, "Did you mean GitHub?"}, true, false},
		{"help", []string{"outagebot commands", "`status &lt;target&gt;`", "`mute &lt;target&gt; &lt;duration&gt; [reason]`"}, false, false},
		{"mute", []string{"⚠️ Usage: mute <target> <duration> [reason]", "For example `mute github 2h deploy in progress`."}, true, false},
		{"mute github", []string{"Usage"}, true, false},
		{"mute github forever", []string{"I could not find a duration", "`30m`"}, true, false},
		{"mute github -2h", []string{"I could not find a duration"}, true, false},
		{"mute github 30d", []string{"That mute is too long", "The longest mute is 7d"}, true, false},
		{"mute gthub 2h", []string{`I don't know a target called "gthub"`, "Did you mean GitHub?"}, true, false},
		{"mute github 2h deploy", []string{"🔕 <@U2147483697> muted GitHub for 2h (until Nov 23 16:00 UTC): deploy.", "🔕 GitHub is muted until Nov 23 16:00 UTC", "`unmute GitHub` ends it early."}, false, true},
		{"mute github 1h <!channel> look", []string{"muted GitHub for 1h (until Nov 23 15:00 UTC): &lt;!channel&gt; look."}, false, true},
		{"unmute", []string{"Usage: unmute <target>"}, true, false},
		{"unmute github", []string{"GitHub was not muted"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			h := NewHandler(HandlerOptions{SigningSecret: secret, Commands: newCommands(), Now: func() time.Time { return now }})
			w := serve(h, signed(form(tt.text), now))
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			r := decode(t, w.Body.Bytes())
			text := strings.Join(r.texts(), "\n")
			rest := text
			for _, want := range tt.want {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Fatalf("answer lacks %q (in order):\n%s", want, text)
				}
				rest = rest[i+len(want):]
			}
			wantType := "ephemeral"
			if tt.public {
				wantType = "in_channel"
			}
			if r.ResponseType != wantType {
				t.Errorf("response_type = %q, want %q", r.ResponseType, wantType)
			}
			header := ""
			for _, b := range r.Blocks {
				if b.Type == "header" {
					header = b.Text.Text
				}
			}
			if got := strings.HasPrefix(header, "⚠️ "); got != tt.problem {
				t.Errorf("header %q: problem mark %v, want %v", header, got, tt.problem)
			}
			if tt.public && (r.Blocks[0].Type != "section" || !strings.Contains(r.Blocks[0].Text.Text, "muted")) {
				t.Errorf("the announcement is not the first block: %v", r.texts())
			}
		})
	}
}

// TestMuteThenUnmuteAnnounced: both are shown to the channel, naming who.
func TestMuteThenUnmuteAnnounced(t *testing.T) {
	c := newCommands()
	h := NewHandler(HandlerOptions{SigningSecret: secret, Commands: c, Now: func() time.Time { return now }})
	r := decode(t, serve(h, signed(form("mute Checkout API 30m"), now)).Body.Bytes())
	if r.ResponseType != "in_channel" || r.texts()[0] != "🔕 <@U2147483697> muted Checkout API for 30m (until Nov 23 14:30 UTC)." {
		t.Fatalf("mute: %s %q", r.ResponseType, r.texts())
	}
	if !strings.HasPrefix(r.Text, "🔕 <@U2147483697> muted Checkout API") {
		t.Errorf("fallback does not lead with the announcement: %q", r.Text)
	}
	r = decode(t, serve(h, signed(form("status"), now.Add(time.Second))).Body.Bytes())
	if !strings.Contains(strings.Join(r.texts(), "\n"), "(muted until Nov 23 14:30 UTC by <@U2147483697>)") {
		t.Errorf("status does not show the mute: %q", r.texts())
	}
	r = decode(t, serve(h, signed(form("unmute checkout"), now.Add(2*time.Second))).Body.Bytes())
	if r.ResponseType != "in_channel" || r.texts()[0] != "🔔 <@U2147483697> unmuted Checkout API." {
		t.Errorf("unmute: %s %q", r.ResponseType, r.texts())
	}
}

// With the store as its memory, a request answered by one replica is
// refused by another, and by the next process after a restart.
func TestHandlerReplayRefusedAcrossReplicasAndRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	open := func() *store.Store {
		st, err := store.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	a, b := open(), open()
	defer b.Close()
	rec := &recorder{answer: bot.Answer{Title: "muted", Announce: "muted"}}
	replica := func(st *store.Store) http.Handler {
		return NewHandler(HandlerOptions{SigningSecret: secret, Commands: rec, Now: func() time.Time { return now }, Seen: st})
	}
	body := form("mute github 2h")
	if w := serve(replica(a), signed(body, now)); w.Code != http.StatusOK {
		t.Fatalf("first: %d %s", w.Code, w.Body)
	}
	if w := serve(replica(b), signed(body, now)); w.Code != http.StatusUnauthorized {
		t.Errorf("replayed to another replica: %d %s", w.Code, w.Body)
	}
	a.Close()
	restarted := open()
	defer restarted.Close()
	if w := serve(replica(restarted), signed(body, now)); w.Code != http.StatusUnauthorized {
		t.Errorf("replayed after a restart: %d %s", w.Code, w.Body)
	}
	if n := len(rec.Calls()); n != 1 {
		t.Errorf("the command ran %d times, want once", n)
	}
}
