package fakediscord

import (
	"math"
	"net/http"
	"slices"
	"strconv"

	"github.com/bwmarrin/discordgo"
)

// Routes the start-up checks use: who the bot is, and whether it can post in
// a channel (the channel, its server's roles, the bot's membership).
const (
	RouteCurrentApplication = "GET /applications/@me"
	RouteGetChannel         = "GET /channels/{channel}"
	RouteGetGuild           = "GET /guilds/{guild}"
	RouteGetMember          = "GET /guilds/{guild}/members/{user}"
)

// Ids of the fake's only server, its bot role and its application.
const (
	GuildID       = "1100000000000000001"
	BotRoleID     = "1100000000000000002"
	ApplicationID = "1100000000000000003"
	BotUserID     = botUserID
)

// DefaultPermissions are what @everyone may do in the fake's server unless
// SetPermissions says otherwise: enough to post, reply, attach a chart,
// thread and pin a board.
const DefaultPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionEmbedLinks | discordgo.PermissionAttachFiles | discordgo.PermissionReadMessageHistory |
	discordgo.PermissionCreatePublicThreads | discordgo.PermissionSendMessagesInThreads | PermissionPinMessages

// ChannelSpec is how GET /channels/{id} shows a channel added with
// AddChannel.
type ChannelSpec struct {
	Name       string
	Type       discordgo.ChannelType
	Overwrites []*discordgo.PermissionOverwrite
}

// guildState is the fake's one server, under Server.mu.
type guildState struct {
	set        bool
	everyone   int64
	botRole    int64
	specs      map[string]ChannelSpec
	guildCount int
	roles      []Role
}

// Role is a role of the fake's server besides @everyone and the bot's.
type Role struct {
	ID, Name    string
	Mentionable bool
}

// AddRole adds a role to the fake's server, as GET /guilds/{id} shows it.
func (s *Server) AddRole(r Role) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.guild.init()
	s.guild.roles = append(s.guild.roles, r)
}

func (g *guildState) init() {
	if !g.set {
		g.set, g.everyone, g.specs, g.guildCount = true, DefaultPermissions, map[string]ChannelSpec{}, 1
	}
}

// SetPermissions sets what @everyone and the bot's role may do in the
// fake's server (DefaultPermissions and 0 unless set).
func (s *Server) SetPermissions(everyone, botRole int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.guild.init()
	s.guild.everyone, s.guild.botRole = everyone, botRole
}

// SetChannelSpec sets a channel's name, type and permission overwrites (it
// is added if need be).
func (s *Server) SetChannelSpec(id string, spec ChannelSpec) {
	s.AddChannel(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.guild.init()
	s.guild.specs[id] = spec
}

// SetGuildCount sets the approximate_guild_count of the application (1
// unless set).
func (s *Server) SetGuildCount(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.guild.init()
	s.guild.guildCount = n
}

func (s *Server) routeGuilds(mux *http.ServeMux) {
	s.route(mux, RouteCurrentApplication, true, s.currentApplication)
	s.route(mux, RouteGetChannel, true, s.getChannel)
	s.route(mux, RouteGetGuild, true, s.getGuild)
	s.route(mux, RouteGetMember, true, s.getMember)
}

// currentApplication answers as Discord documents
// (https://discord.com/developers/docs/resources/application#application-object).
func (s *Server) currentApplication(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	s.guild.init()
	count := s.guild.guildCount
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"id": ApplicationID, "name": "outagebot", "icon": nil, "description": "", "summary": "",
		"type": nil, "bot_public": false, "bot_require_code_grant": false, "verify_key": "0f0e0d",
		"flags": 0, "approximate_guild_count": count, "redirect_uris": []string{}, "interactions_endpoint_url": nil,
		"team": nil, "owner": map[string]any{"id": "1100000000000000009", "username": "owner", "discriminator": "0", "global_name": "Owner", "avatar": nil},
		"bot": map[string]any{"id": botUserID, "username": "outagebot", "discriminator": "0", "bot": true, "avatar": nil},
	})
}

// getChannel answers a channel object
// (https://discord.com/developers/docs/resources/channel#channel-object);
// threads show their parent.
func (s *Server) getChannel(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("channel")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.guild.init()
	ch, ok := s.channels[id]
	if !ok {
		writeError(w, apiError{http.StatusNotFound, CodeUnknownChannel, "Unknown Channel"})
		return
	}
	spec := s.guild.specs[id]
	name := spec.Name
	if name == "" {
		name = ch.name
	}
	if name == "" {
		name = "channel-" + id
	}
	overwrites := []map[string]any{}
	for _, o := range spec.Overwrites {
		overwrites = append(overwrites, map[string]any{"id": o.ID, "type": int(o.Type),
			"allow": strconv.FormatInt(o.Allow, 10), "deny": strconv.FormatInt(o.Deny, 10)})
	}
	out := map[string]any{
		"id": id, "type": int(spec.Type), "guild_id": GuildID, "name": name, "position": 0,
		"permission_overwrites": overwrites, "parent_id": nil, "topic": nil, "nsfw": false,
		"last_message_id": nil, "rate_limit_per_user": 0, "flags": 0,
	}
	if ch.parent != "" {
		out["type"], out["parent_id"] = int(discordgo.ChannelTypeGuildPublicThread), ch.parent
	}
	writeJSON(w, http.StatusOK, out)
}

// getGuild answers the server with its roles
// (https://discord.com/developers/docs/resources/guild#guild-object); role
// permissions are strings, as Discord sends them.
func (s *Server) getGuild(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("guild") != GuildID {
		writeError(w, apiError{http.StatusNotFound, 10004, "Unknown Guild"})
		return
	}
	s.mu.Lock()
	s.guild.init()
	everyone, bot, more := s.guild.everyone, s.guild.botRole, slices.Clone(s.guild.roles)
	s.mu.Unlock()
	role := func(id, name string, position int, perms int64, managed, mentionable bool) map[string]any {
		return map[string]any{"id": id, "name": name, "color": 0, "colors": map[string]any{"primary_color": 0, "secondary_color": nil, "tertiary_color": nil},
			"hoist": false, "icon": nil, "unicode_emoji": nil, "position": position, "permissions": strconv.FormatInt(perms, 10),
			"managed": managed, "mentionable": mentionable, "flags": 0}
	}
	roles := []any{role(GuildID, "@everyone", 0, everyone, false, false), role(BotRoleID, "outagebot", 1, bot, true, false)}
	for i, r := range more {
		roles = append(roles, role(r.ID, r.Name, 2+i, 0, false, r.Mentionable))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": GuildID, "name": "Fake Server", "icon": nil, "splash": nil, "discovery_splash": nil,
		"owner_id": "1100000000000000009", "afk_channel_id": nil, "afk_timeout": 300,
		"verification_level": 0, "default_message_notifications": 1, "explicit_content_filter": 0,
		"roles":  roles,
		"emojis": []any{}, "features": []string{}, "mfa_level": 0, "application_id": nil,
		"system_channel_id": nil, "system_channel_flags": 0, "rules_channel_id": nil,
		"vanity_url_code": nil, "description": nil, "banner": nil, "premium_tier": 0,
		"preferred_locale": "en-US", "public_updates_channel_id": nil, "nsfw_level": 0, "stickers": []any{},
	})
}

// getMember answers the bot's membership
// (https://discord.com/developers/docs/resources/guild#guild-member-object).
func (s *Server) getMember(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("guild") != GuildID || r.PathValue("user") != botUserID {
		writeError(w, apiError{http.StatusNotFound, 10007, "Unknown Member"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"user": map[string]any{"id": botUserID, "username": "outagebot", "discriminator": "0", "bot": true, "avatar": nil},
		"nick": nil, "avatar": nil, "roles": []string{BotRoleID}, "joined_at": "2026-01-05T10:00:00.000000+00:00",
		"deaf": false, "mute": false, "flags": 0, "pending": false,
	})
}

// botPermissions is what the bot may do in a channel: @everyone's and its
// role's permissions, everything with Administrator, then the channel's
// overwrites for @everyone, its role and itself. Callers hold s.mu.
func (s *Server) botPermissions(channelID string) int64 {
	s.guild.init()
	perms := s.guild.everyone | s.guild.botRole
	if perms&discordgo.PermissionAdministrator != 0 {
		return math.MaxInt64
	}
	over := s.guild.specs[channelID].Overwrites
	apply := func(match func(o *discordgo.PermissionOverwrite) bool) {
		for _, o := range over {
			if match(o) {
				perms = perms&^o.Deny | o.Allow
			}
		}
	}
	apply(func(o *discordgo.PermissionOverwrite) bool {
		return o.Type == discordgo.PermissionOverwriteTypeRole && o.ID == GuildID
	})
	apply(func(o *discordgo.PermissionOverwrite) bool {
		return o.Type == discordgo.PermissionOverwriteTypeRole && o.ID == BotRoleID
	})
	apply(func(o *discordgo.PermissionOverwrite) bool {
		return o.Type == discordgo.PermissionOverwriteTypeMember && o.ID == botUserID
	})
	return perms
}
