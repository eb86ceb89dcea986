package fakeslack

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// ChannelInfo is what conversations.info tells about a channel besides its
// id. Membership and archiving follow SetChannelError: a channel whose
// error is not_in_channel is shown with is_member false, one with
// is_archived (or channel_is_archived) as archived.
type ChannelInfo struct {
	Name    string
	Private bool
}

// SetChannelInfo sets a channel's name and privacy (default: public, named
// after its id in lower case).
func (s *Server) SetChannelInfo(id string, info ChannelInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.info == nil {
		s.info = map[string]ChannelInfo{}
	}
	s.info[id] = info
}

// SetScopes makes every answer carry the token's scopes in X-OAuth-Scopes,
// as Slack's do, and conversations.info answer missing_scope without
// channels:read (groups:read for a private channel). Without it no header
// is sent and every method is allowed.
func (s *Server) SetScopes(scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scopes = slices.Clone(scopes)
	if s.scopes == nil {
		s.scopes = []string{}
	}
}

// scopeHeader sets X-OAuth-Scopes when SetScopes was called.
func (s *Server) scopeHeader(w http.ResponseWriter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.scopes != nil {
		w.Header().Set("X-OAuth-Scopes", strings.Join(s.scopes, ","))
	}
}

// conversationInfo answers conversations.info the way Slack does for a bot
// token (https://api.slack.com/methods/conversations.info): a public
// channel is visible whether or not the bot is a member; a private one,
// or one that does not exist, is channel_not_found. The caller holds s.mu.
func (s *Server) conversationInfo(p url.Values) response {
	id := p.Get("channel")
	info, named := s.info[id]
	if !named {
		info = ChannelInfo{Name: strings.ToLower(id)}
	}
	if s.scopes != nil {
		need := "channels:read"
		if info.Private {
			need = "groups:read"
		}
		if !slices.Contains(s.scopes, need) {
			return response{"ok": false, "error": "missing_scope", "needed": need, "provided": strings.Join(s.scopes, ",")}
		}
	}
	code := s.chErrors[id]
	member, archived := true, false
	switch code {
	case "":
		if s.channels[id] == nil {
			return slackError("channel_not_found")
		}
	case "not_in_channel":
		if info.Private {
			return slackError("channel_not_found")
		}
		member = false
	case "is_archived", "channel_is_archived":
		archived = true
	default:
		return slackError(code)
	}
	topic := map[string]any{"value": "", "creator": "", "last_set": 0}
	return response{"ok": true, "channel": map[string]any{
		"id": id, "name": info.Name, "name_normalized": info.Name,
		"is_channel": !info.Private, "is_group": info.Private, "is_im": false, "is_mpim": false,
		"is_private": info.Private, "created": 1700000000, "is_archived": archived, "is_general": false,
		"unlinked": 0, "is_shared": false, "is_org_shared": false, "is_ext_shared": false,
		"is_pending_ext_shared": false, "pending_shared": []string{}, "pending_connected_team_ids": []string{},
		"context_team_id": "T0FAKE", "shared_team_ids": []string{"T0FAKE"}, "parent_conversation": nil,
		"creator": "U0ADMIN", "updated": 1700000000000, "is_member": member, "last_read": "0000000000.000000",
		"topic": topic, "purpose": topic, "previous_names": []string{},
	}}
}
