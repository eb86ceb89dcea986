package discord

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

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
			if len(got) != 7 {
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
