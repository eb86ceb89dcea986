package discord

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/notifier"
)

// application is the part of the current application
// (https://discord.com/developers/docs/resources/application#get-current-application)
// the checks use.
type application struct {
	ID                    string `json:"id"`
	Name                  string `json:"name"`
	ApproximateGuildCount *int   `json:"approximate_guild_count"`
}

// Identify asks Discord who the token is: the bot user (GET /users/@me)
// and its application (GET /applications/@me). A refused token is a
// *notifier.CredentialError; a network error or 5xx a plain, retryable one.
// The application is only informative: when it cannot be read the account
// says so in a note.
func (n *Notifier) Identify(ctx context.Context) (notifier.Account, error) {
	cctx, info := withCallInfo(ctx)
	u, err := n.s.User("@me", discordgo.WithContext(cctx))
	if err != nil {
		return notifier.Account{}, n.checkError("get the bot user", err, info)
	}
	acct := notifier.Account{User: label(u.Username, u.ID), UserID: u.ID, UserName: u.Username}
	if !u.Bot {
		acct.Notes = append(acct.Notes, "the token is not a bot's: use the bot token from the Developer Portal (Bot > Reset Token)")
	}
	cctx, info = withCallInfo(ctx)
	endpoint := discordgo.EndpointApplication("@me")
	raw, err := n.s.RequestWithBucketID(http.MethodGet, endpoint, nil, endpoint, discordgo.WithContext(cctx))
	var app application
	if err == nil {
		err = discordgo.Unmarshal(raw, &app)
	}
	if err != nil {
		err = n.checkError("get the bot's application", err, info)
		if !notifier.IsPermanent(err) {
			return notifier.Account{}, err
		}
		acct.Notes = append(acct.Notes, "cannot read the bot's application: "+err.Error())
		return acct, nil
	}
	acct.Workspace, acct.ApplicationID = label(app.Name, app.ID), app.ID
	if app.ApproximateGuildCount != nil {
		acct.Workspace += fmt.Sprintf(", in %d servers", *app.ApproximateGuildCount)
		if *app.ApproximateGuildCount == 0 {
			acct.Notes = append(acct.Notes, "the bot is in no server yet: invite it with the OAuth2 URL Generator (scope bot, permissions Send Messages, Embed Links, Read Message History)")
		}
	}
	return acct, nil
}

// Channel types the bot cannot post messages in directly
// (https://discord.com/developers/docs/resources/channel#channel-object-channel-types).
var noMessages = map[discordgo.ChannelType]string{
	discordgo.ChannelTypeGuildCategory:  "a category",
	discordgo.ChannelTypeGuildForum:     "a forum (posts there are threads: point the channel at one of its threads or at a text channel)",
	discordgo.ChannelTypeGuildMedia:     "a media channel",
	discordgo.ChannelTypeGuildDirectory: "a directory",
}

// Permissions the notifier needs in a channel: it posts embeds as replies
// (which need Read Message History), and with threads on starts threads
// and posts in them.
var (
	needed = []permission{
		{discordgo.PermissionViewChannel, "View Channel"},
		{discordgo.PermissionSendMessages, "Send Messages"},
		{discordgo.PermissionEmbedLinks, "Embed Links"},
		{discordgo.PermissionReadMessageHistory, "Read Message History"},
	}
	neededForThreads = []permission{
		{discordgo.PermissionCreatePublicThreads, "Create Public Threads"},
		{discordgo.PermissionSendMessagesInThreads, "Send Messages in Threads"},
	}
	// neededForBoard: pinning the board (finding it among the pins needs
	// only View Channel and Read Message History). Pinning has its own
	// permission since 2025, and from 23 February 2026 Manage Messages no
	// longer grants it
	// (https://discord.com/developers/docs/change-log#pin-permission-split).
	neededForBoard = []permission{{PermissionPinMessages, "Pin Messages"}}
	// neededForCharts: a digest's chart is a file attached to its message.
	neededForCharts = []permission{{discordgo.PermissionAttachFiles, "Attach Files"}}
)

// PermissionPinMessages is PIN_MESSAGES
// (https://discord.com/developers/docs/topics/permissions#permissions-bitwise-permission-flags),
// which discordgo does not name.
const PermissionPinMessages int64 = 1 << 51

// allPermissions is every permission bit, the ones Discord adds later
// included: what the server's owner and an Administrator hold.
// discordgo.PermissionAll lacks many (threads, Pin Messages).
const allPermissions int64 = math.MaxInt64

type permission struct {
	bit  int64
	name string
}

// CheckChannel reads the channel (GET /channels/{id}) and, in a server,
// the server's roles and the bot's (GET /guilds/{id}, GET
// /guilds/{id}/members/{bot}) to tell whether the bot can post there. acct
// is what Identify returned. An error means the check itself failed: the
// token (CredentialError) or the network.
func (n *Notifier) CheckChannel(ctx context.Context, id string, acct notifier.Account) (notifier.ChannelCheck, error) {
	if !isSnowflake(id) {
		return notifier.ChannelCheck{State: notifier.ChannelUnreachable,
			Detail: fmt.Sprintf("%q is not a Discord channel id: enable Developer Mode, right-click the channel, Copy Channel ID", id)}, nil
	}
	cctx, info := withCallInfo(ctx)
	ch, err := n.s.Channel(id, discordgo.WithContext(cctx))
	if err != nil {
		err = n.checkError("get channel "+id, err, info)
		switch apiCode(err) {
		case codeUnknownChannel:
			return unreachable("", "Discord shows the bot no channel "+id+": "+botFixes[codeUnknownChannel]), nil
		case codeMissingAccess:
			return unreachable("", "the bot cannot see channel "+id+": "+botFixes[codeMissingAccess]), nil
		}
		if notifier.IsPermanent(err) && !notifier.IsCredential(err) {
			return unreachable("", err.Error()), nil
		}
		return notifier.ChannelCheck{}, err
	}
	name := "#" + ch.Name
	if ch.Name == "" {
		name = id
	}
	if what, ok := noMessages[ch.Type]; ok {
		return unreachable(name, name+" is "+what+", where messages cannot be posted"), nil
	}
	if ch.GuildID == "" || acct.UserID == "" {
		// A direct message channel has no permissions to compute.
		return notifier.ChannelCheck{Name: name, State: notifier.ChannelReachable}, nil
	}
	perms, g, err := n.permissions(ctx, ch, acct.UserID)
	if err != nil {
		if notifier.IsPermanent(err) && !notifier.IsCredential(err) {
			return notifier.ChannelCheck{Name: name, State: notifier.ChannelUnchecked,
				Detail: "the channel exists but its permissions could not be read: " + err.Error()}, nil
		}
		return notifier.ChannelCheck{}, err
	}
	want := needed
	if n.threads {
		want = append(want[:len(want):len(want)], neededForThreads...)
	}
	if missing := lacking(perms, want); len(missing) > 0 {
		return unreachable(name, fmt.Sprintf("the bot lacks %s in %s: give its role these permissions there (Edit Channel > Permissions)", strings.Join(missing, ", "), name)), nil
	}
	// Messages get through without these; only the feature that needs
	// one stops working, so the channel is limited rather than unreachable.
	var limits []string
	if missing := lacking(perms, neededForBoard); n.board && len(missing) > 0 {
		limits = append(limits, "the status board needs "+strings.Join(missing, ", ")+" to pin its message")
	}
	if missing := lacking(perms, neededForCharts); n.charts && len(missing) > 0 {
		limits = append(limits, "digest charts need "+strings.Join(missing, ", "))
	}
	var detail string
	if len(limits) > 0 {
		detail = strings.Join(limits, "; ") + ": give the bot's role these permissions in " + name + " (Edit Channel > Permissions)"
	}
	if why := mentionLimit(n.mention.Who, perms, g); why != "" {
		detail = strings.TrimPrefix(detail+"; "+why, "; ")
	}
	if detail != "" {
		return notifier.ChannelCheck{Name: name, State: notifier.ChannelLimited, Detail: detail}, nil
	}
	return notifier.ChannelCheck{Name: name, State: notifier.ChannelReachable}, nil
}

// mentionLimit says why a channel's mention would show without notifying
// anyone ("" when it notifies): Discord lets a bot ping @here only with
// Mention Everyone, and a role only when the role is mentionable or the
// bot has Mention Everyone
// (https://discord.com/developers/docs/resources/message#allowed-mentions-object).
// The message is posted either way.
func mentionLimit(who string, perms int64, g *discordgo.Guild) string {
	const fix = "Mention @everyone, @here, and All Roles"
	switch {
	case who == "":
		return ""
	case who == "@here":
		if perms&discordgo.PermissionMentionEveryone == 0 {
			return "the mention @here notifies no one unless the bot's role has " + fix + " in that channel"
		}
		return ""
	}
	for _, r := range g.Roles {
		if r.ID != who {
			continue
		}
		if !r.Mentionable && perms&discordgo.PermissionMentionEveryone == 0 {
			return "the mention of role @" + r.Name + " notifies no one unless the role allows anyone to @mention it (Server Settings > Roles) or the bot's role has " + fix
		}
		return ""
	}
	return "the mention " + who + " is not a role of this server: set mention to a role id from it (Copy Role ID) or @here"
}

// lacking names the permissions of want that perms does not grant.
func lacking(perms int64, want []permission) []string {
	var missing []string
	for _, p := range want {
		if perms&p.bit != p.bit {
			missing = append(missing, p.name)
		}
	}
	return missing
}

// permissions computes the bot's permissions in a server channel from the
// server's roles, the bot's roles and the channel's overwrites, and returns
// the server too (its roles say whether a mention can notify).
func (n *Notifier) permissions(ctx context.Context, ch *discordgo.Channel, userID string) (int64, *discordgo.Guild, error) {
	cctx, info := withCallInfo(ctx)
	g, err := n.s.Guild(ch.GuildID, discordgo.WithContext(cctx))
	if err != nil {
		return 0, nil, n.checkError("get server "+ch.GuildID, err, info)
	}
	cctx, info = withCallInfo(ctx)
	m, err := n.s.GuildMember(ch.GuildID, userID, discordgo.WithContext(cctx))
	if err != nil {
		return 0, nil, n.checkError("get the bot's membership in server "+ch.GuildID, err, info)
	}
	return channelPermissions(g, ch, userID, m.Roles), g, nil
}

// channelPermissions follows Discord's documented order
// (https://discord.com/developers/docs/topics/permissions#permission-overwrites):
// @everyone's permissions, plus the member's roles'; everything for the
// owner or an administrator; then the channel's @everyone overwrite, the
// role overwrites together, and the member's own overwrite, each denying
// before allowing.
func channelPermissions(g *discordgo.Guild, ch *discordgo.Channel, userID string, roles []string) int64 {
	if g.OwnerID == userID {
		return allPermissions
	}
	has := map[string]bool{}
	for _, r := range roles {
		has[r] = true
	}
	var perms int64
	for _, r := range g.Roles {
		if r.ID == g.ID || has[r.ID] {
			perms |= r.Permissions
		}
	}
	if perms&discordgo.PermissionAdministrator != 0 {
		return allPermissions
	}
	var allow, deny int64
	for _, o := range ch.PermissionOverwrites {
		if o.Type == discordgo.PermissionOverwriteTypeRole && o.ID == g.ID {
			perms = perms&^o.Deny | o.Allow
		}
	}
	for _, o := range ch.PermissionOverwrites {
		if o.Type == discordgo.PermissionOverwriteTypeRole && has[o.ID] {
			allow |= o.Allow
			deny |= o.Deny
		}
	}
	perms = perms&^deny | allow
	for _, o := range ch.PermissionOverwrites {
		if o.Type == discordgo.PermissionOverwriteTypeMember && o.ID == userID {
			perms = perms&^o.Deny | o.Allow
		}
	}
	return perms
}

// checkError classifies a failed check; a 401 becomes a CredentialError, so
// the caller stops asking until someone acts.
func (n *Notifier) checkError(op string, err error, info *callInfo) error {
	cerr := classify(op, err, info, n.secrets, false)
	var api *APIError
	if errors.As(cerr, &api) && (api.Status == http.StatusUnauthorized || api.Code == codeUnauthorized) {
		return &notifier.CredentialError{Platform: "Discord", Err: cerr}
	}
	return cerr
}

func unreachable(name, detail string) notifier.ChannelCheck {
	return notifier.ChannelCheck{Name: name, State: notifier.ChannelUnreachable, Detail: detail}
}

// label joins a name and its id: "outagebot (1234)".
func label(name, id string) string {
	switch {
	case name == "":
		return id
	case id == "":
		return name
	}
	return name + " (" + id + ")"
}
