package fakediscord

import (
	"net/http"
	"slices"
)

// Pins: GET /channels/{id}/pins lists a channel's pinned messages, newest
// pin first, and PUT pins one
// (https://discord.com/developers/docs/resources/message#pin-message).
const (
	RoutePins       = "GET /channels/{channel}/pins"
	RoutePinMessage = "PUT /channels/{channel}/pins/{message}"
)

func (s *Server) routePins(mux *http.ServeMux) {
	s.route(mux, RoutePins, true, s.listPins)
	s.route(mux, RoutePinMessage, true, s.pin)
}

func (s *Server) listPins(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("channel")
	if _, ok := s.channels[id]; !ok {
		writeError(w, apiError{http.StatusNotFound, CodeUnknownChannel, "Unknown Channel"})
		return
	}
	out := []wireMessage{}
	for _, mid := range slices.Backward(s.pins[id]) {
		if m, ok := s.messages[mid]; ok {
			wm := wire(m)
			wm.Pinned = true
			out = append(out, wm)
		}
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
	if !slices.Contains(s.pins[ch], mid) {
		s.pins[ch] = append(s.pins[ch], mid)
	}
	w.WriteHeader(http.StatusNoContent)
}

// Pinned returns the ids of a channel's pinned messages, oldest pin first.
func (s *Server) Pinned(channelID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pins[channelID])
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
	s.pins[m.ChannelID] = slices.DeleteFunc(s.pins[m.ChannelID], func(x string) bool { return x == id })
}
