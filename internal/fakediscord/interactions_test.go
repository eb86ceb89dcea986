package fakediscord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

const app = "1300000000000000001"

// put sends a bulk overwrite; an error answer is decoded, a list is not.
func put(t *testing.T, s *Server, path string, body any) answer {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest("PUT", s.URL()+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bot token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	if resp.StatusCode != 200 {
		_ = json.NewDecoder(resp.Body).Decode(&a.body)
	}
	return a
}

func TestBulkOverwrite(t *testing.T) {
	s := newServer(t)
	cmd := func(name string, opts ...map[string]any) map[string]any {
		return map[string]any{"name": name, "description": "d", "type": 1, "options": opts}
	}
	opt := func(name string, required, autocomplete bool) map[string]any {
		return map[string]any{"type": 3, "name": name, "description": "d", "required": required, "autocomplete": autocomplete}
	}
	global := "/api/v9/applications/" + app + "/commands"
	guild := "/api/v9/applications/" + app + "/guilds/42/commands"

	a := put(t, s, global, []any{cmd("status", opt("target", false, true)), cmd("mute", opt("target", true, true), opt("duration", true, false))})
	if a.status != 200 {
		t.Fatalf("status %d %v", a.status, a.body)
	}
	got := s.Commands(app, "")
	if len(got) != 2 || got[0].ID == "" || got[0].ApplicationID != app || got[1].Options[0].Autocomplete != true {
		t.Fatalf("commands %+v", got)
	}
	if s.Commands(app, "42") != nil {
		t.Errorf("a global overwrite set guild commands")
	}
	// Overwrite keeps ids by name and drops what is missing.
	if a := put(t, s, global, []any{cmd("status")}); a.status != 200 {
		t.Fatal(a.status)
	}
	if again := s.Commands(app, ""); len(again) != 1 || again[0].ID != got[0].ID {
		t.Errorf("after overwrite: %+v", again)
	}
	if a := put(t, s, guild, []any{cmd("status")}); a.status != 200 || len(s.Commands(app, "42")) != 1 {
		t.Errorf("guild overwrite: %d", a.status)
	}

	bad := []struct {
		name string
		body []any
		want string
	}{
		{"upper case name", []any{cmd("Status")}, "0.name"},
		{"duplicate", []any{cmd("status"), cmd("status")}, "unique"},
		{"no description", []any{map[string]any{"name": "x", "type": 1}}, "0.description"},
		{"required after optional", []any{cmd("mute", opt("reason", false, false), opt("target", true, false))}, "Required options"},
		{"autocomplete with choices", []any{cmd("x", map[string]any{"type": 3, "name": "t", "description": "d", "autocomplete": true, "choices": []any{map[string]any{"name": "a", "value": "a"}}})}, "Autocomplete cannot"},
	}
	for _, tc := range bad {
		a := put(t, s, global, tc.body)
		msg, _ := a.body["message"].(string)
		if a.status != 400 || a.code() != CodeInvalidFormBody || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %d %v", tc.name, a.status, a.body)
		}
	}
	if a := put(t, s, global, []any{cmd("status")}); a.status != 200 {
		t.Errorf("status %d", a.status)
	}
}

// client is a bare gateway client.
type client struct {
	t  *testing.T
	ws *websocket.Conn
}

func dial(t *testing.T, s *Server) *client {
	t.Helper()
	a := call(t, s, "GET", "/api/v9/gateway", nil)
	url, _ := a.body["url"].(string)
	if a.status != 200 || url != s.GatewayURL() || !strings.HasPrefix(url, "ws://127.0.0.1:") {
		t.Fatalf("GET /gateway: %d %v", a.status, a.body)
	}
	ws, _, err := websocket.DefaultDialer.Dial(url+"/?v=9&encoding=json", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return &client{t, ws}
}

func (c *client) read() gatewayPayload {
	c.t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	var p gatewayPayload
	if err := c.ws.ReadJSON(&p); err != nil {
		c.t.Fatal(err)
	}
	return p
}

func (c *client) send(op int, d any) {
	c.t.Helper()
	raw, _ := json.Marshal(d)
	if err := c.ws.WriteJSON(gatewayPayload{Op: op, D: raw}); err != nil {
		c.t.Fatal(err)
	}
}

func TestGateway(t *testing.T) {
	s := newServer(t)
	s.RequireToken("good-token")
	s.SetHeartbeatInterval(1234 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	if _, err := s.PushInteraction(&discordgo.Interaction{Type: discordgo.InteractionApplicationCommand}); err == nil {
		t.Errorf("pushed with no session")
	}

	c := dial(t, s)
	hello := c.read()
	if hello.Op != opHello || !strings.Contains(string(hello.D), `"heartbeat_interval":1234`) {
		t.Fatalf("hello: %+v %s", hello, hello.D)
	}
	c.send(opHeartbeat, nil)
	if ack := c.read(); ack.Op != opHeartbeatAck {
		t.Errorf("heartbeat answered with op %d", ack.Op)
	}
	c.send(opIdentify, map[string]any{"token": "Bot good-token", "intents": 1, "properties": map[string]any{"os": "linux"}})
	ready := c.read()
	if ready.Op != opDispatch || ready.T != "READY" || ready.S == nil || *ready.S != 1 {
		t.Fatalf("ready: %+v", ready)
	}
	if err := s.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	if ids := s.Identifies(); len(ids) != 1 || ids[0].Intents != discordgo.IntentsGuilds || ids[0].Token != "Bot good-token" {
		t.Errorf("identifies %+v", ids)
	}

	ic, err := s.PushInteraction(&discordgo.Interaction{
		Type: discordgo.InteractionApplicationCommand,
		Data: discordgo.ApplicationCommandInteractionData{Name: "status"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ev := c.read()
	var got discordgo.Interaction
	if ev.T != "INTERACTION_CREATE" || *ev.S != 2 || json.Unmarshal(ev.D, &got) != nil || got.ID != ic.ID || got.Token == "" || got.ApplicationCommandData().Name != "status" {
		t.Fatalf("dispatch %+v: %s", ev, ev.D)
	}
	if _, err := s.PushInteraction(&discordgo.Interaction{ID: ic.ID, Type: discordgo.InteractionApplicationCommand}); err == nil {
		t.Errorf("pushed an interaction id twice")
	}

	cb := "/api/v9/interactions/" + ic.ID + "/" + ic.Token + "/callback"
	embed := map[string]any{"title": "All good"}
	if a := call(t, s, "POST", "/api/v9/interactions/"+ic.ID+"/wrong/callback", map[string]any{"type": 4, "data": map[string]any{"content": "x"}}); a.status != 404 || a.code() != CodeUnknownInteraction {
		t.Errorf("wrong token: %d %v", a.status, a.body)
	}
	if a := call(t, s, "POST", cb, map[string]any{"type": 8, "data": map[string]any{"choices": []any{}}}); a.status != 400 {
		t.Errorf("autocomplete answer to a command: %d", a.status)
	}
	if a := call(t, s, "POST", cb, map[string]any{"type": 4, "data": map[string]any{"embeds": []any{map[string]any{"title": strings.Repeat("x", 257)}}}}); a.status != 400 {
		t.Errorf("oversized title: %d", a.status)
	}
	if a := call(t, s, "POST", cb, map[string]any{"type": 4, "data": map[string]any{"flags": 64, "embeds": []any{embed}}}); a.status != http.StatusNoContent {
		t.Fatalf("callback: %d %v", a.status, a.body)
	}
	if a := call(t, s, "POST", cb, map[string]any{"type": 4, "data": map[string]any{"content": "again"}}); a.status != 400 || a.code() != CodeInteractionAcknowledged {
		t.Errorf("second callback: %d %v", a.status, a.body)
	}
	c2, err := s.WaitCallback(ctx, ic.ID)
	if err != nil || c2.Type != 4 || c2.Flags != discordgo.MessageFlagsEphemeral || len(c2.Embeds) != 1 || c2.Embeds[0].Title != "All good" {
		t.Errorf("callback %+v %v", c2, err)
	}
	if n := len(s.Callbacks()); n != 1 {
		t.Errorf("%d callbacks", n)
	}

	// Autocomplete: at most 25 choices.
	ac, err := s.PushInteraction(&discordgo.Interaction{Type: discordgo.InteractionApplicationCommandAutocomplete, Data: discordgo.ApplicationCommandInteractionData{Name: "status"}})
	if err != nil {
		t.Fatal(err)
	}
	c.read()
	choices := make([]any, 26)
	for i := range choices {
		choices[i] = map[string]any{"name": "n", "value": "v"}
	}
	acb := "/api/v9/interactions/" + ac.ID + "/" + ac.Token + "/callback"
	if a := call(t, s, "POST", acb, map[string]any{"type": 8, "data": map[string]any{"choices": choices}}); a.status != 400 {
		t.Errorf("26 choices: %d", a.status)
	}
	if a := call(t, s, "POST", acb, map[string]any{"type": 8, "data": map[string]any{"choices": choices[:25]}}); a.status != 204 {
		t.Errorf("25 choices: %d %v", a.status, a.body)
	}

	s.DisconnectGateway()
	if _, _, err := c.ws.ReadMessage(); err == nil {
		t.Errorf("the connection survived DisconnectGateway")
	}
	waitCtx, cancelWait := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelWait()
	if _, err := s.WaitCallback(waitCtx, "1"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitCallback for nothing: %v", err)
	}
}

func TestGatewayBadToken(t *testing.T) {
	s := newServer(t)
	s.RequireToken("good-token")
	c := dial(t, s)
	c.read()
	c.send(opIdentify, map[string]any{"token": "Bot bad", "intents": 1})
	_ = c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err := c.ws.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != closeAuthFailed {
		t.Errorf("err = %v, want close %d", err, closeAuthFailed)
	}
}

// Which callback types answer which interactions, as Discord documents
// them: 6 and 7 only for a component's message, 5 not for autocompletion,
// 8 only for it.
func TestCallbackTypes(t *testing.T) {
	s := newServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := dial(t, s)
	c.read()
	c.send(opIdentify, map[string]any{"token": "Bot token", "intents": 1})
	c.read()
	if err := s.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ix   discordgo.InteractionType
		body map[string]any
		want int
	}{
		{discordgo.InteractionMessageComponent, map[string]any{"type": 6}, http.StatusNoContent},
		{discordgo.InteractionMessageComponent, map[string]any{"type": 7, "data": map[string]any{"content": "edited"}}, http.StatusNoContent},
		{discordgo.InteractionMessageComponent, map[string]any{"type": 7, "data": map[string]any{"content": strings.Repeat("x", 2001)}}, http.StatusBadRequest},
		{discordgo.InteractionMessageComponent, map[string]any{"type": 5, "data": map[string]any{"flags": 64}}, http.StatusNoContent},
		{discordgo.InteractionApplicationCommand, map[string]any{"type": 6}, http.StatusBadRequest},
		{discordgo.InteractionApplicationCommand, map[string]any{"type": 7, "data": map[string]any{"content": "x"}}, http.StatusBadRequest},
		{discordgo.InteractionApplicationCommand, map[string]any{"type": 5, "data": map[string]any{"flags": 4}}, http.StatusBadRequest},
		// IS_COMPONENTS_V2 messages carry components only: content or
		// embeds beside the flag are refused.
		{discordgo.InteractionApplicationCommand, map[string]any{"type": 4, "data": map[string]any{"flags": 1 << 15, "content": "x"}}, http.StatusBadRequest},
		{discordgo.InteractionApplicationCommand, map[string]any{"type": 4, "data": map[string]any{"flags": 1<<15 | 64, "embeds": []map[string]any{{"title": "t"}}}}, http.StatusBadRequest},
		{discordgo.InteractionMessageComponent, map[string]any{"type": 7, "data": map[string]any{"flags": 1 << 15, "content": "edited"}}, http.StatusBadRequest},
		{discordgo.InteractionApplicationCommand, map[string]any{"type": 4, "data": map[string]any{"flags": 1<<15 | 64, "components": []map[string]any{{"type": 10, "content": "x"}}}}, http.StatusNoContent},
		{discordgo.InteractionApplicationCommand, map[string]any{"type": 4, "data": map[string]any{"flags": 1 << 15}}, http.StatusBadRequest},
		{discordgo.InteractionMessageComponent, map[string]any{"type": 7, "data": map[string]any{"flags": 1 << 15}}, http.StatusNoContent},
		{discordgo.InteractionApplicationCommand, map[string]any{"type": 4, "data": map[string]any{"flags": 2, "content": "x"}}, http.StatusBadRequest},
		{discordgo.InteractionApplicationCommandAutocomplete, map[string]any{"type": 5}, http.StatusBadRequest},
		{discordgo.InteractionApplicationCommandAutocomplete, map[string]any{"type": 4, "data": map[string]any{"content": "x"}}, http.StatusBadRequest},
	} {
		ic, err := s.PushInteraction(&discordgo.Interaction{Type: tc.ix})
		if err != nil {
			t.Fatal(err)
		}
		c.read()
		if a := call(t, s, "POST", "/api/v9/interactions/"+ic.ID+"/"+ic.Token+"/callback", tc.body); a.status != tc.want {
			t.Errorf("interaction type %d answered with %v: %d %v, want %d", tc.ix, tc.body, a.status, a.body, tc.want)
		}
	}

	// A payload pushed raw reaches the connection as it was written.
	raw := []byte(`{"id":"1350000000000000009","application_id":"1","type":3,"token":"tok","version":1,"data":{"component_type":2,"custom_id":"x","id":2},"context":0,"entitlements":[]}`)
	if err := s.PushRawInteraction(raw); err != nil {
		t.Fatal(err)
	}
	if ev := c.read(); ev.T != "INTERACTION_CREATE" || string(ev.D) != string(raw) {
		t.Errorf("raw dispatch %s", ev.D)
	}
	if err := s.PushRawInteraction(raw); err == nil {
		t.Errorf("pushed a raw interaction id twice")
	}
	if a := call(t, s, "POST", "/api/v9/interactions/1350000000000000009/tok/callback", map[string]any{"type": 6}); a.status != http.StatusNoContent {
		t.Errorf("deferred update of a raw component click: %d %v", a.status, a.body)
	}
}
