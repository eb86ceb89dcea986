package fakeslack

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// memberships serve users.conversations: the channels each user is in.
type memberships struct {
	mu    sync.Mutex
	users map[string][]string
}

// SetMemberships sets the channels user is a member of, as
// users.conversations lists them.
func (s *Server) SetMemberships(user string, channels ...string) {
	s.members.mu.Lock()
	defer s.members.mu.Unlock()
	if s.members.users == nil {
		s.members.users = map[string][]string{}
	}
	s.members.users[user] = slices.Clone(channels)
}

// userConversations answers users.conversations
// (https://api.slack.com/methods/users.conversations) for public and
// private channels, a page of limit at a time (cursor is the offset, as
// an opaque string), refusing with missing_scope when SetScopes gave the
// token neither channels:read nor groups:read. The caller holds s.mu.
func (s *Server) userConversations(p url.Values) response {
	if s.scopes != nil && !slices.Contains(s.scopes, "channels:read") && !slices.Contains(s.scopes, "groups:read") {
		return response{"ok": false, "error": "missing_scope", "needed": "channels:read,groups:read", "provided": strings.Join(s.scopes, ",")}
	}
	user := p.Get("user")
	if user == "" {
		user = "U0BOT"
	}
	s.members.mu.Lock()
	all := slices.Clone(s.members.users[user])
	s.members.mu.Unlock()
	limit, _ := strconv.Atoi(p.Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	from, _ := strconv.Atoi(p.Get("cursor"))
	from = min(max(from, 0), len(all))
	to := min(from+limit, len(all))
	var chans []map[string]any
	for _, id := range all[from:to] {
		chans = append(chans, map[string]any{"id": id, "name": strings.ToLower(id), "is_channel": true, "is_member": true})
	}
	next := ""
	if to < len(all) {
		next = strconv.Itoa(to)
	}
	return response{"ok": true, "channels": chans, "response_metadata": map[string]any{"next_cursor": next}}
}
