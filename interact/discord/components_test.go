package discord

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// click is a button click (a message component interaction) by testUser
// with roles and permissions.
func click(customID string, roles []string, perms int64) *discordgo.Interaction {
	return &discordgo.Interaction{
		ID: "1600000000000000001", Type: discordgo.InteractionMessageComponent, Token: "interaction-token",
		GuildID: "1300000000000000001", ChannelID: "1100000000000000001",
		Member: &discordgo.Member{User: &discordgo.User{ID: testUser, Username: "alice"}, Roles: roles, Permissions: perms},
		Data:   discordgo.MessageComponentInteractionData{CustomID: customID, ComponentType: discordgo.ButtonComponent},
	}
}

// Clicks on a root's buttons: refused without the role (the answer says
// who may), acknowledged once with it, a forged id or outage answered
// politely; every answer ephemeral (type 4), a mute announced.
func TestComponentInteractions(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	o := outage.Outage{ID: "o2", Target: "OpenAI", Key: "k", Class: outage.Incident, Title: "Elevated errors", Severity: sources.PartialOutage, OpenedAt: now}
	if _, err := st.Commit(context.Background(), store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{o},
		Events: []outage.Event{o.Event(outage.Opened, now, "")}, Dests: []string{"ops/discord"}, At: now}); err != nil {
		t.Fatal(err)
	}
	cmds := commands()
	cmds.Acks = st
	admins := Admins{Roles: []string{"1700000000000000001"}}
	for _, tc := range []struct {
		name      string
		i         *discordgo.Interaction
		ephemeral bool
		want      string
	}{
		{"no role: refused, says who may", click("outagebot:ack:o2", []string{"1700000000000000009"}, 0), true, "Only members of <@&1700000000000000001> (or server administrators) can acknowledge."},
		{"no role: mute refused", click("outagebot:mute:o2", nil, 0), true, "can mute"},
		{"the role acknowledges", click("outagebot:ack:o2", []string{"1700000000000000001"}, 0), true, "Acknowledged by <@" + testUser + ">"},
		{"an administrator is told who came first", click("outagebot:ack:o2", nil, discordgo.PermissionAdministrator), true, "Already acknowledged"},
		{"the role mutes, announced", click("outagebot:mute:o2", []string{"1700000000000000001"}, 0), false, "muted OpenAI for 1h"},
		{"a forged action", click("outagebot:drop:o2", nil, 0), true, "not one I know"},
		{"a forged outage", click("outagebot:ack:zzz", []string{"1700000000000000001"}, 0), true, "I do not know that outage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, ok := Respond(context.Background(), cmds, tc.i, admins, nil)
			if !ok || resp.Type != discordgo.InteractionResponseChannelMessageWithSource {
				t.Fatalf("response %+v, %v: want a type 4 message", resp, ok)
			}
			eph := resp.Data.Flags&discordgo.MessageFlagsEphemeral != 0
			if eph != tc.ephemeral {
				t.Errorf("ephemeral %v, want %v", eph, tc.ephemeral)
			}
			text := resp.Data.Content
			for _, e := range resp.Data.Embeds {
				text += "\n" + e.Title + "\n" + e.Description
			}
			if !strings.Contains(text, tc.want) {
				t.Errorf("answer %s lacks %q", text, tc.want)
			}
			if resp.Data.AllowedMentions == nil || len(resp.Data.AllowedMentions.Parse) != 0 {
				t.Errorf("an answer must ping nobody: %+v", resp.Data.AllowedMentions)
			}
		})
	}
	a, ok, _ := st.Acknowledgement(context.Background(), "o2")
	if !ok || a.UserID != testUser || a.Platform != "discord" || a.Name != "alice" {
		t.Errorf("stored ack %+v", a)
	}
}

// With admin_roles set, mute, unmute, subscribe and unsubscribe are
// registered for administrators by default; read-only commands (and
// /subscriptions) stay open.
func TestRegisterAdminOnly(t *testing.T) {
	for _, global := range []bool{false, true} {
		cmds := ApplicationCommands()
		restrict(cmds, global)
		for _, c := range cmds {
			restricted := c.DefaultMemberPermissions != nil && *c.DefaultMemberPermissions == discordgo.PermissionAdministrator
			want := c.Name == "mute" || c.Name == "unmute" || c.Name == "subscribe" || c.Name == "unsubscribe"
			if restricted != want {
				t.Errorf("/%s restricted %v, want %v", c.Name, restricted, want)
			}
			// Global restricted commands are offered in servers only.
			guildOnly := c.Contexts != nil && len(*c.Contexts) == 1 && (*c.Contexts)[0] == discordgo.InteractionContextGuild
			if guildOnly != (want && global) || (!guildOnly && c.Contexts != nil) {
				t.Errorf("/%s (global %v) contexts %v", c.Name, global, c.Contexts)
			}
		}
	}
}
