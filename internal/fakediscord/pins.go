package fakediscord

import (
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Pins (https://discord.com/developers/docs/resources/message#get-channel-pins):
// GET /channels/{id}/messages/pins lists a channel's pins newest first, a
// page of at most limit (1-50, default 50) pinned before the before
// timestamp, as {"items": [{"pinned_at", "message"}], "has_more"}; PUT
// pins a message. Both need Pin Messages for pinning, as Discord has since
// 23 February 2026. The deprecated /channels/{id}/pins routes answer too:
// the list is a plain array of the first 50 pinned messages.
const (
	RoutePins       = "GET /channels/{channel}/messages/pins"
	RoutePinMessage = "PUT /channels/{channel}/messages/pins/{message}"
	// Deprecated routes, still served by Discord.
	RoutePinsDeprecated       = "GET /channels/{channel}/pins"
	RoutePinMessageDeprecated = "PUT /channels/{channel}/pins/{message}"
)

// PermissionPinMessages is PIN_MESSAGES, which pinning needs.
const PermissionPinMessages int64 = 1 << 51

// Discord's limits on pins.
const (
	maxPinsPage           = 50
	maxPinsDeprecatedList = 50
	maxPins               = 250
	codeMaxPins           = 30003
)

type pinned struct {
	id string
	at time.Time
}

func (s *Server) routePins(mux *http.ServeMux) {
	s.route(mux, RoutePins, true, s.listPins)
	s.route(mux, RoutePinMessage, true, s.pin)
	s.route(mux, RoutePinsDeprecated, true, s.listPinsDeprecated)
	s.route(mux, RoutePinMessageDeprecated, true, s.pin)
}

// pinnedMessages is a channel's pins, newest first, with their messages.
// Callers hold s.mu.
func (s *Server) pinnedMessages(id string) (out []pinned) {
	for _, p := range slices.Backward(s.pins[id]) {
		if _, ok := s.messages[p.id]; ok {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) listPins(w http.ResponseWriter, r *http.Request) {
	limit := maxPinsPage
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPinsPage {
			writeError(w, apiError{http.StatusBadRequest, CodeInvalidFormBody, "Invalid Form Body: limit: int value should be between 1 and 50."})
			return
		}
		limit = n
	}
	var before time.Time
	if v := r.URL.Query().Get("before"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			writeError(w, apiError{http.StatusBadRequest, CodeInvalidFormBody, "Invalid Form Body: before: Could not interpret \"" + v + "\" as a timestamp."})
			return
		}
		before = t
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("channel")
	if _, ok := s.channels[id]; !ok {
		writeError(w, apiError{http.StatusNotFound, CodeUnknownChannel, "Unknown Channel"})
		return
	}
	type item struct {
		PinnedAt string      `json:"pinned_at"`
		Message  wireMessage `json:"message"`
	}
	items := []item{}
	more := false
	for _, p := range s.pinnedMessages(id) {
		if !before.IsZero() && !p.at.Before(before) {
			continue
		}
		if len(items) == limit {
			more = true
			break
		}
		wm := wire(s.messages[p.id])
		wm.Pinned = true
		items = append(items, item{PinnedAt: p.at.UTC().Format("2006-01-02T15:04:05.000000+00:00"), Message: wm})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "has_more": more})
}

func (s *Server) listPinsDeprecated(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("channel")
	if _, ok := s.channels[id]; !ok {
		writeError(w, apiError{http.StatusNotFound, CodeUnknownChannel, "Unknown Channel"})
		return
	}
	out := []wireMessage{}
	for _, p := range s.pinnedMessages(id) {
		if len(out) == maxPinsDeprecatedList {
			break
		}
		wm := wire(s.messages[p.id])
		wm.Pinned = true
		out = append(out, wm)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) pin(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, mid := r.PathValue("channel"), r.PathValue("message")
	if m, e := s.lookup(ch, mid); m == nil {
		writeError(w, e)
		return
	}
	if s.botPermissions(ch)&PermissionPinMessages == 0 {
		writeError(w, apiError{http.StatusForbidden, CodeMissingPermissions, "Missing Permissions"})
		return
	}
	if slices.ContainsFunc(s.pins[ch], func(p pinned) bool { return p.id == mid }) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if len(s.pinnedMessages(ch)) >= maxPins {
		writeError(w, apiError{http.StatusBadRequest, codeMaxPins, "Maximum number of pins reached (250)"})
		return
	}
	// Pins are told apart by their time: keep them strictly increasing.
	at := s.now()
	if n := len(s.pins[ch]); n > 0 && !at.After(s.pins[ch][n-1].at) {
		at = s.pins[ch][n-1].at.Add(time.Microsecond)
	}
	s.pins[ch] = append(s.pins[ch], pinned{id: mid, at: at})
	w.WriteHeader(http.StatusNoContent)
}

// Pinned returns the ids of a channel's pinned messages, oldest pin first.
func (s *Server) Pinned(channelID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, p := range s.pins[channelID] {
		out = append(out, p.id)
	}
	return out
}

// DeleteMessage deletes a message as a moderator would: it is gone from
// its channel and its pins, and editing it answers 404 Unknown Message.
func (s *Server) DeleteMessage(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok {
		return
	}
	delete(s.messages, id)
	if ch, ok := s.channels[m.ChannelID]; ok {
		ch.msgs = slices.DeleteFunc(ch.msgs, func(x *Message) bool { return x.ID == id })
	}
	s.pins[m.ChannelID] = slices.DeleteFunc(s.pins[m.ChannelID], func(p pinned) bool { return p.id == id })
}
