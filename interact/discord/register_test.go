package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/internal/fakediscord"
)

func TestRegister(t *testing.T) {
	cases := []struct {
		name, guild, route, path string
	}{
		{"guild", testGuild, fakediscord.RouteGuildCommands, "/api/v9/applications/" + testApp + "/guilds/" + testGuild + "/commands"},
		{"global", "", fakediscord.RouteGlobalCommands, "/api/v9/applications/" + testApp + "/commands"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := fakediscord.New()
			defer fake.Close()
			fake.RequireToken(testToken)
			var logs bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := Register(ctx, RegisterOptions{
				Token: testToken, ApplicationID: testApp, GuildID: tc.guild, APIURL: fake.URL(),
				Log: slog.New(slog.NewTextHandler(&logs, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			calls := fake.Calls("")
			if len(calls) != 1 || calls[0].Route != tc.route || calls[0].Path != tc.path || calls[0].Status != http.StatusOK {
				t.Fatalf("calls: %+v", calls)
			}
			if calls[0].Authorization != "Bot "+testToken {
				t.Errorf("authorization %q", calls[0].Authorization)
			}
			golden(t, "commands.golden", indent(t, calls[0].Body))

			got := fake.Commands(testApp, tc.guild)
			if len(got) != len(ApplicationCommands()) {
				t.Fatalf("%d commands registered", len(got))
			}
			for _, c := range got {
				for _, o := range c.Options {
					if o.Name == optTarget && !o.Autocomplete {
						t.Errorf("/%s target does not autocomplete", c.Name)
					}
				}
			}
			// Registering again overwrites in place: same ids.
			if err := Register(ctx, RegisterOptions{Token: testToken, ApplicationID: testApp, GuildID: tc.guild, APIURL: fake.URL()}); err != nil {
				t.Fatal(err)
			}
			again := fake.Commands(testApp, tc.guild)
			for i := range got {
				if again[i].ID != got[i].ID {
					t.Errorf("/%s changed id", got[i].Name)
				}
			}
			other := ""
			if tc.guild == "" {
				other = testGuild
			}
			if c := fake.Commands(testApp, other); c != nil {
				t.Errorf("the other scope got %d commands", len(c))
			}
			if !strings.Contains(logs.String(), "registered Discord commands") {
				t.Errorf("logs: %s", logs.String())
			}
			assertNoSecret(t, "logs", logs.String(), testToken)
		})
	}
}

func TestRegisterErrors(t *testing.T) {
	fake := fakediscord.New()
	defer fake.Close()
	fake.RequireToken(testToken)
	ctx := context.Background()
	cases := []struct {
		name string
		opts RegisterOptions
		want string
	}{
		{"no application id", RegisterOptions{Token: testToken, APIURL: fake.URL()}, "application_id"},
		{"bad guild id", RegisterOptions{Token: testToken, ApplicationID: testApp, GuildID: "my server", APIURL: fake.URL()}, "guild_id"},
		{"no token", RegisterOptions{ApplicationID: testApp, APIURL: fake.URL()}, "bot_token"},
		{"bad api url", RegisterOptions{Token: testToken, ApplicationID: testApp, APIURL: "discord.com/api"}, "api_url"},
		{"token refused", RegisterOptions{Token: "wrong-token-ALSO-SECRET", ApplicationID: testApp, APIURL: fake.URL()}, "HTTP 401"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Register(ctx, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
			assertNoSecret(t, "the error", err.Error(), testToken, "wrong-token-ALSO-SECRET")
		})
	}
	t.Run("server error echoing the token", func(t *testing.T) {
		fake.Inject(fakediscord.RouteGlobalCommands, 1, fakediscord.Fault{Status: http.StatusInternalServerError, Message: "oops", Echo: true})
		err := Register(ctx, RegisterOptions{Token: testToken, ApplicationID: testApp, APIURL: fake.URL()})
		if err == nil || !strings.Contains(err.Error(), "HTTP 500") {
			t.Fatalf("err = %v", err)
		}
		assertNoSecret(t, "the error", err.Error(), testToken)
	})
}

// With admin_roles, the wire form Discord reads: default_member_permissions
// a string of the decimal bitset ("8", Administrator), and contexts [0]
// (servers only) on global registrations alone, which the fake, as
// Discord, refuses on guild ones.
func TestRegisterAdminOnlyOnTheWire(t *testing.T) {
	for _, guild := range []string{"", testGuild} {
		fake := fakediscord.New()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := Register(ctx, RegisterOptions{Token: testToken, ApplicationID: testApp, GuildID: guild, APIURL: fake.URL(), AdminOnly: true})
		cancel()
		calls := fake.Calls("")
		fake.Close()
		if err != nil || len(calls) != 1 {
			t.Fatalf("guild %q: %v, %d calls", guild, err, len(calls))
		}
		var sent []map[string]json.RawMessage
		if err := json.Unmarshal(calls[0].Body, &sent); err != nil {
			t.Fatal(err)
		}
		for _, c := range sent {
			var name string
			_ = json.Unmarshal(c["name"], &name)
			perms, contexts := string(c["default_member_permissions"]), string(c["contexts"])
			if bot.Privileged(name) {
				wantContexts := "[0]"
				if guild != "" {
					wantContexts = ""
				}
				if perms != `"8"` || contexts != wantContexts {
					t.Errorf("guild %q: /%s default_member_permissions %s contexts %s", guild, name, perms, contexts)
				}
			} else if perms != "" || contexts != "" {
				t.Errorf("guild %q: /%s restricted: %s %s", guild, name, perms, contexts)
			}
		}
	}
	// What the fake refuses, as Discord does.
	fake := fakediscord.New()
	defer fake.Close()
	req, _ := http.NewRequest(http.MethodPut, fake.URL()+"/api/v9/applications/"+testApp+"/guilds/"+testGuild+"/commands",
		strings.NewReader(`[{"name":"mute","description":"Mute","type":1,"contexts":[0,1]}]`))
	req.Header.Set("Authorization", "Bot "+testToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("guild command usable in DMs: status %d, want 400", resp.StatusCode)
	}
}
