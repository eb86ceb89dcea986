package discord

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/interact/guard"
)

const (
	// MaxBody bounds an interaction request; Discord's are a few KiB.
	MaxBody = 64 << 10
	// DefaultMaxSkew is how far a request's X-Signature-Timestamp may be from
	// now, either way, so a captured request cannot be replayed later.
	DefaultMaxSkew = 5 * time.Minute
)

// HandlerOptions configure NewHandler.
type HandlerOptions struct {
	// PublicKey is the application's public key (Developer Portal > General
	// Information), decoded from hex.
	PublicKey ed25519.PublicKey
	// Commands answers the commands.
	Commands Answerer
	// Admins is who may mute, unmute and acknowledge (zero: everyone).
	Admins Admins
	// Log receives rejected requests (at debug) and failures; nil discards.
	Log *slog.Logger
	// Now is the clock the timestamp is checked against (default time.Now).
	Now func() time.Time
	// MaxSkew is how old, or how far in the future, a signed timestamp may
	// be (default 5 minutes).
	MaxSkew time.Duration
	// Seen remembers the interactions answered, so that one sent again is
	// refused. Give the store to share that memory with other replicas and
	// the next process; nil keeps it in this handler.
	Seen guard.Seen
	// Lang is the language of each channel's answers (nil: the default).
	Lang Langs
}

// replayTimeout bounds the replay check, one insert in the store.
const replayTimeout = time.Second

type handler struct {
	key     ed25519.PublicKey
	cmds    Answerer
	admins  Admins
	langs   Langs
	log     *slog.Logger
	now     func() time.Time
	maxSkew time.Duration
	seen    guard.Seen
	refused *guard.Refusals
}

// NewHandler serves Discord's interactions (mount it at POST Path). Every
// request is read (at most MaxBody; more is 413) and must carry a valid
// Ed25519 signature of timestamp+body by the application's key with a
// timestamp within MaxSkew of now; anything else is 401 ("unauthorized",
// the reason only in the rate-limited log) before the body is even parsed.
// An interaction whose id was answered before is 401 too: the signature
// stays valid for the whole window, so a captured request could otherwise
// be sent again. PING is answered with PONG, commands with their answer,
// autocompletion with matching target names.
func NewHandler(opts HandlerOptions) http.Handler {
	h := &handler{key: opts.PublicKey, cmds: opts.Commands, admins: opts.Admins, langs: opts.Lang, log: opts.Log, now: opts.Now, maxSkew: opts.MaxSkew, seen: opts.Seen}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.maxSkew <= 0 {
		h.maxSkew = DefaultMaxSkew
	}
	if h.seen == nil {
		h.seen = guard.NewMemory()
	}
	h.refused = guard.NewRefusals(h.log, "refused Discord interaction requests", h.now)
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read the request body", http.StatusBadRequest)
		return
	}
	if why := h.verify(r, body); why != "" {
		h.refuse(w, why, r.RemoteAddr)
		return
	}

	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		http.Error(w, "cannot parse the interaction", http.StatusBadRequest)
		return
	}
	// A PING does nothing, and Discord sends them to check the endpoint:
	// answer each.
	if i.Type != discordgo.InteractionPing && !h.firstSeen(w, r, i.ID) {
		return
	}
	var resp *discordgo.InteractionResponse
	if i.Type == discordgo.InteractionPing {
		resp = &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}
	} else if h.cmds == nil {
		http.Error(w, "commands are not available", http.StatusServiceUnavailable)
		return
	} else {
		var ok bool
		if resp, ok = Respond(r.Context(), h.cmds, &i, h.admins, h.langs); !ok {
			h.log.Debug("ignored a Discord interaction of an unused type", "type", int(i.Type))
			http.Error(w, "unsupported interaction type", http.StatusBadRequest)
			return
		}
	}
	out, err := json.Marshal(resp)
	if err != nil {
		h.log.Error("cannot encode an interaction response", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}

// refuse answers 401 with no reason: the reason goes to the rate-limited
// log.
func (h *handler) refuse(w http.ResponseWriter, reason, remote string) {
	h.refused.Refuse(reason, remote)
	http.Error(w, "unauthorized", http.StatusUnauthorized)
}

// firstSeen records a verified interaction's id and refuses one seen
// before. Discord gives every interaction a unique id (a snowflake), and
// the id is inside the signed body, so a replay cannot change it. When the
// memory cannot be asked it answers 503: answering unchecked would let a
// captured command through.
func (h *handler) firstSeen(w http.ResponseWriter, r *http.Request, id string) bool {
	if id == "" {
		h.refuse(w, "interaction without an id", r.RemoteAddr)
		return false
	}
	ctx, cancel := context.WithTimeout(r.Context(), replayTimeout)
	defer cancel()
	// Remembered for as long as its timestamp could pass the skew check
	// (from MaxSkew before its signing to MaxSkew after).
	first, err := h.seen.Remember(ctx, "discord:"+id, h.now(), 2*h.maxSkew)
	switch {
	case err != nil:
		h.log.Error("cannot check a Discord interaction for a replay; refusing it", "err", err)
		http.Error(w, "try again later", http.StatusServiceUnavailable)
		return false
	case !first:
		h.refuse(w, "replayed interaction", r.RemoteAddr)
		return false
	}
	return true
}

// verify checks the signature headers against body; it returns why a
// request is rejected, or "".
func (h *handler) verify(r *http.Request, body []byte) string {
	if len(h.key) != ed25519.PublicKeySize {
		return "no public key configured"
	}
	ts := r.Header.Get("X-Signature-Timestamp")
	if ts == "" || r.Header.Get("X-Signature-Ed25519") == "" {
		return "missing signature headers"
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "timestamp is not a number"
	}
	// Compare in seconds: the header has no fraction.
	now := h.now().Unix()
	if skew := now - secs; skew > int64(h.maxSkew/time.Second) || -skew > int64(h.maxSkew/time.Second) {
		return "timestamp too far from now"
	}
	// VerifyInteraction reads the body from the request; give it a copy of
	// what was read (within the limit).
	signed := r.Clone(r.Context())
	signed.Body = io.NopCloser(bytes.NewReader(body))
	if !discordgo.VerifyInteraction(signed, h.key) {
		return "bad signature"
	}
	return ""
}
