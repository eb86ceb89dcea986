package discord

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/notifier"
)

func TestIdentify(t *testing.T) {
	e := newEnv(t, false)
	got, err := e.n.Identify(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := notifier.Account{Workspace: "outagebot (" + fakediscord.ApplicationID + "), in 1 servers", User: "outagebot (" + fakediscord.BotUserID + ")",
		UserID: fakediscord.BotUserID, UserName: "outagebot", ApplicationID: fakediscord.ApplicationID}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("account\n got %s\nwant %s", gotJSON, wantJSON)
	}

	// In no server yet: a note says how to invite it.
	e.fake.SetGuildCount(0)
	got, err = e.n.Identify(t.Context())
	if err != nil || len(got.Notes) != 1 || !strings.Contains(got.Notes[0], "in no server") {
		t.Errorf("no server: %+v, %v", got, err)
	}
}

func TestIdentifyBadTokenAndOutage(t *testing.T) {
	e := newEnv(t, false)
	bad, err := New(Options{Token: "wrong.token.KEEP-THIS-SECRET", APIURL: e.fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Identify(t.Context())
	if !notifier.IsCredential(err) || !strings.Contains(err.Error(), "HTTP 401") || !strings.Contains(err.Error(), "check bot_token") {
		t.Fatalf("bad token: %v, want a credential error that says what to fix", err)
	}
	// The fake echoes the Authorization header in its 401.
	assertNoSecret(t, "error", err.Error(), "wrong.token.KEEP-THIS-SECRET")

	e.fake.FailNext(fakediscord.RouteCurrentUser, 1)
	if _, err := e.n.Identify(t.Context()); err == nil || notifier.IsPermanent(err) {
		t.Fatalf("5xx: %v, want a retryable error", err)
	}
	e.fake.FailNext(fakediscord.RouteCurrentApplication, 1)
	if _, err := e.n.Identify(t.Context()); err == nil || notifier.IsPermanent(err) {
		t.Fatalf("5xx on the application: %v, want a retryable error", err)
	}
	e.fake.Inject(fakediscord.RouteCurrentApplication, 1, fakediscord.Fault{Status: http.StatusForbidden, Code: 50001, Message: "Missing Access"})
	got, err := e.n.Identify(t.Context())
	if err != nil || got.User == "" || len(got.Notes) != 1 {
		t.Fatalf("application unreadable: %+v, %v; want the user and a note", got, err)
	}
}

func TestCheckChannel(t *testing.T) {
	const other = "1200000000000000001"
	deny := func(bits int64) []*discordgo.PermissionOverwrite {
		return []*discordgo.PermissionOverwrite{{ID: fakediscord.GuildID, Type: discordgo.PermissionOverwriteTypeRole, Deny: bits}}
	}
	tests := []struct {
		name    string
		threads bool
		setup   func(*fakediscord.Server)
		channel string
		want    notifier.ChannelCheck
	}{
		{"can post", false, func(f *fakediscord.Server) { f.SetChannelSpec(testChannel, fakediscord.ChannelSpec{Name: "ops"}) }, testChannel,
			notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelReachable}},
		{"unknown channel", false, func(*fakediscord.Server) {}, other,
			notifier.ChannelCheck{State: notifier.ChannelUnreachable, Detail: "Discord shows the bot no channel " + other + ": " + botFixes[codeUnknownChannel]}},
		{"hidden channel", false, func(f *fakediscord.Server) { f.AddChannel(other); f.DenyChannel(other) }, other,
			notifier.ChannelCheck{State: notifier.ChannelUnreachable, Detail: "the bot cannot see channel " + other + ": " + botFixes[codeMissingAccess]}},
		{"send denied by overwrite", false, func(f *fakediscord.Server) {
			f.SetChannelSpec(testChannel, fakediscord.ChannelSpec{Name: "ops", Overwrites: deny(discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks)})
		}, testChannel, notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelUnreachable,
			Detail: "the bot lacks Send Messages, Embed Links in #ops: give its role these permissions there (Edit Channel > Permissions)"}},
		{"overwrite for the bot's role allows again", false, func(f *fakediscord.Server) {
			f.SetChannelSpec(testChannel, fakediscord.ChannelSpec{Name: "ops", Overwrites: append(deny(discordgo.PermissionSendMessages),
				&discordgo.PermissionOverwrite{ID: fakediscord.BotRoleID, Type: discordgo.PermissionOverwriteTypeRole, Allow: discordgo.PermissionSendMessages})})
		}, testChannel, notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelReachable}},
		{"administrator role", false, func(f *fakediscord.Server) {
			f.SetPermissions(0, discordgo.PermissionAdministrator)
			f.SetChannelSpec(testChannel, fakediscord.ChannelSpec{Name: "ops", Overwrites: deny(discordgo.PermissionViewChannel)})
		}, testChannel, notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelReachable}},
		// discordgo.PermissionAll lacks the thread permissions (and Pin
		// Messages): an administrator bot was reported unable to thread.
		{"administrator role, threads on", true, func(f *fakediscord.Server) {
			f.SetPermissions(0, discordgo.PermissionAdministrator)
			f.SetChannelSpec(testChannel, fakediscord.ChannelSpec{Name: "ops"})
		}, testChannel, notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelReachable}},
		{"threads without thread permissions", true, func(f *fakediscord.Server) {
			f.SetPermissions(fakediscord.DefaultPermissions&^discordgo.PermissionCreatePublicThreads, 0)
			f.SetChannelSpec(testChannel, fakediscord.ChannelSpec{Name: "ops"})
		}, testChannel, notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelUnreachable,
			Detail: "the bot lacks Create Public Threads in #ops: give its role these permissions there (Edit Channel > Permissions)"}},
		{"category", false, func(f *fakediscord.Server) {
			f.SetChannelSpec(testChannel, fakediscord.ChannelSpec{Name: "Ops", Type: discordgo.ChannelTypeGuildCategory})
		}, testChannel, notifier.ChannelCheck{Name: "#Ops", State: notifier.ChannelUnreachable, Detail: "#Ops is a category, where messages cannot be posted"}},
		{"server roles unreadable", false, func(f *fakediscord.Server) {
			f.SetChannelSpec(testChannel, fakediscord.ChannelSpec{Name: "ops"})
			f.Inject(fakediscord.RouteGetGuild, 1, fakediscord.Fault{Status: http.StatusForbidden, Code: 50001, Message: "Missing Access"})
		}, testChannel, notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelUnchecked,
			Detail: "the channel exists but its permissions could not be read: discord: get server " + fakediscord.GuildID + ": HTTP 403: Missing Access (code 50001) (fix: " + botFixes[codeMissingAccess] + ")"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.threads)
			tt.setup(e.fake)
			checkIs(t, e, tt.channel, tt.want)
		})
	}
}

func TestCheckChannelErrors(t *testing.T) {
	e := newEnv(t, false)
	acct := notifier.Account{UserID: fakediscord.BotUserID}
	e.fake.FailNext(fakediscord.RouteGetChannel, 1)
	if _, err := e.n.CheckChannel(t.Context(), testChannel, acct); err == nil || notifier.IsPermanent(err) {
		t.Fatalf("5xx: %v, want retryable", err)
	}
	e.fake.FailNext(fakediscord.RouteGetMember, 1)
	if _, err := e.n.CheckChannel(t.Context(), testChannel, acct); err == nil || notifier.IsPermanent(err) {
		t.Fatalf("5xx on the member: %v, want retryable", err)
	}
	bad, _ := New(Options{Token: "wrong.token.KEEP-THIS-SECRET", APIURL: e.fake.URL()})
	_, err := bad.CheckChannel(t.Context(), testChannel, acct)
	if !notifier.IsCredential(err) {
		t.Fatalf("bad token: %v, want a credential error", err)
	}
	assertNoSecret(t, "error", err.Error(), "wrong.token.KEEP-THIS-SECRET")
	got, err := e.n.CheckChannel(t.Context(), "ops", acct)
	if err != nil || got.State != notifier.ChannelUnreachable || !strings.Contains(got.Detail, "not a Discord channel id") {
		t.Errorf("name instead of id: %+v, %v", got, err)
	}
}

// channelPermissions follows Discord's documented order; the cases are the
// documentation's own rules.
func TestChannelPermissions(t *testing.T) {
	const (
		guild = "1"
		role  = "2"
		other = "3"
		user  = "9"
		view  = discordgo.PermissionViewChannel
		send  = discordgo.PermissionSendMessages
	)
	g := func(everyone, r int64) *discordgo.Guild {
		return &discordgo.Guild{ID: guild, OwnerID: "8", Roles: []*discordgo.Role{{ID: guild, Permissions: everyone}, {ID: role, Permissions: r}, {ID: other, Permissions: send}}}
	}
	ow := func(id string, typ discordgo.PermissionOverwriteType, allow, deny int64) *discordgo.PermissionOverwrite {
		return &discordgo.PermissionOverwrite{ID: id, Type: typ, Allow: allow, Deny: deny}
	}
	member, roleType := discordgo.PermissionOverwriteTypeMember, discordgo.PermissionOverwriteTypeRole
	tests := []struct {
		name  string
		guild *discordgo.Guild
		over  []*discordgo.PermissionOverwrite
		user  string
		want  int64
	}{
		{"everyone and role add up", g(view, send), nil, user, view | send},
		{"a role the bot lacks does not count", g(view, 0), nil, user, view},
		{"owner has everything", g(0, 0), nil, "8", allPermissions},
		{"an administrator has everything, later permissions included", g(discordgo.PermissionAdministrator, 0), nil, user, allPermissions},
		{"everyone overwrite denies", g(view|send, 0), []*discordgo.PermissionOverwrite{ow(guild, roleType, 0, send)}, user, view},
		{"role overwrite beats the everyone overwrite", g(view|send, 0), []*discordgo.PermissionOverwrite{ow(guild, roleType, 0, send), ow(role, roleType, send, 0)}, user, view | send},
		{"member overwrite beats role overwrites", g(view|send, 0), []*discordgo.PermissionOverwrite{ow(role, roleType, send, 0), ow(user, member, 0, send)}, user, view},
		{"an overwrite for another member does not count", g(view|send, 0), []*discordgo.PermissionOverwrite{ow("7", member, 0, send)}, user, view | send},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := channelPermissions(tt.guild, &discordgo.Channel{GuildID: guild, PermissionOverwrites: tt.over}, tt.user, []string{role})
			if got != tt.want {
				t.Errorf("permissions = %b, want %b", got, tt.want)
			}
		})
	}
}

// A board or charts the bot cannot make leave messages flowing: the channel
// is limited, and the check names the permission each feature lacks.
func TestCheckChannelFeatures(t *testing.T) {
	tests := []struct {
		name          string
		board, charts bool
		perms         int64
		want          notifier.ChannelCheck
	}{
		{"board and charts allowed", true, true, fakediscord.DefaultPermissions | PermissionPinMessages | discordgo.PermissionAttachFiles,
			notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelReachable}},
		{"board without Pin Messages", true, false, fakediscord.DefaultPermissions &^ PermissionPinMessages,
			notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelLimited,
				Detail: "the status board needs Pin Messages to pin its message: give the bot's role these permissions in #ops (Edit Channel > Permissions)"}},
		// Manage Messages stopped granting pins on 23 February 2026.
		{"board with Manage Messages only", true, false, fakediscord.DefaultPermissions&^PermissionPinMessages | discordgo.PermissionManageMessages,
			notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelLimited,
				Detail: "the status board needs Pin Messages to pin its message: give the bot's role these permissions in #ops (Edit Channel > Permissions)"}},
		{"charts without Attach Files", false, true, fakediscord.DefaultPermissions &^ discordgo.PermissionAttachFiles,
			notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelLimited,
				Detail: "digest charts need Attach Files: give the bot's role these permissions in #ops (Edit Channel > Permissions)"}},
		{"both lacking", true, true, fakediscord.DefaultPermissions &^ (PermissionPinMessages | discordgo.PermissionAttachFiles),
			notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelLimited,
				Detail: "the status board needs Pin Messages to pin its message; digest charts need Attach Files: give the bot's role these permissions in #ops (Edit Channel > Permissions)"}},
		{"neither configured", false, false, fakediscord.DefaultPermissions &^ (PermissionPinMessages | discordgo.PermissionAttachFiles),
			notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelReachable}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, false)
			e.n.board, e.n.charts = tt.board, tt.charts
			e.fake.SetPermissions(tt.perms, 0)
			e.fake.SetChannelSpec(testChannel, fakediscord.ChannelSpec{Name: "ops"})
			checkIs(t, e, testChannel, tt.want)
		})
	}
}

// A mention Discord would show without notifying anyone leaves the channel
// limited: @here without Mention Everyone, a role that is not mentionable
// when the bot lacks it, a role the server does not have.
func TestCheckChannelMention(t *testing.T) {
	const (
		oncall = "1100000000000000041"
		quiet  = "1100000000000000042"
	)
	tests := []struct {
		name  string
		who   string
		perms int64
		want  notifier.ChannelCheck
	}{
		{"no mention", "", fakediscord.DefaultPermissions, notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelReachable}},
		{"@here with Mention Everyone", "@here", fakediscord.DefaultPermissions | discordgo.PermissionMentionEveryone,
			notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelReachable}},
		{"@here without", "@here", fakediscord.DefaultPermissions, notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelLimited,
			Detail: "the mention @here notifies no one unless the bot's role has Mention @everyone, @here, and All Roles in that channel"}},
		{"mentionable role", oncall, fakediscord.DefaultPermissions, notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelReachable}},
		{"role not mentionable, bot may mention all roles", quiet, fakediscord.DefaultPermissions | discordgo.PermissionMentionEveryone,
			notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelReachable}},
		{"role not mentionable", quiet, fakediscord.DefaultPermissions, notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelLimited,
			Detail: "the mention of role @quiet notifies no one unless the role allows anyone to @mention it (Server Settings > Roles) or the bot's role has Mention @everyone, @here, and All Roles"}},
		{"no such role", "1100000000000000049", fakediscord.DefaultPermissions | discordgo.PermissionMentionEveryone,
			notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelLimited,
				Detail: "the mention 1100000000000000049 is not a role of this server: set mention to a role id from it (Copy Role ID) or @here"}},
		{"with the board lacking too", "@here", fakediscord.DefaultPermissions &^ PermissionPinMessages, notifier.ChannelCheck{Name: "#ops", State: notifier.ChannelLimited,
			Detail: "the status board needs Pin Messages to pin its message: give the bot's role these permissions in #ops (Edit Channel > Permissions); " +
				"the mention @here notifies no one unless the bot's role has Mention @everyone, @here, and All Roles in that channel"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, false)
			e.n.mention, e.n.board = Mention{Who: tt.who}, true
			e.fake.SetPermissions(tt.perms, 0)
			e.fake.AddRole(fakediscord.Role{ID: oncall, Name: "oncall", Mentionable: true})
			e.fake.AddRole(fakediscord.Role{ID: quiet, Name: "quiet"})
			e.fake.SetChannelSpec(testChannel, fakediscord.ChannelSpec{Name: "ops"})
			checkIs(t, e, testChannel, tt.want)
		})
	}
}

// checkIs checks channel as the bot identified itself, against want.
func checkIs(t *testing.T, e *env, channel string, want notifier.ChannelCheck) {
	t.Helper()
	acct, err := e.n.Identify(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.n.CheckChannel(t.Context(), channel, acct)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("check\n got %+v\nwant %+v", got, want)
	}
}
