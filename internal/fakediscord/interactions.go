package fakediscord

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Discord JSON error codes of interactions.
const (
	CodeUnknownInteraction      = 10062
	CodeInteractionAcknowledged = 40060
)

// Limits of application commands and interaction responses
// (https://discord.com/developers/docs/interactions/application-commands#application-command-object-application-command-structure,
// https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-autocomplete).
const (
	maxCommands          = 100
	maxCommandOptions    = 25
	maxCommandDesc       = 100
	maxChoices           = 25
	maxChoiceName        = 100
	maxChoiceStringValue = 100
)

// commandName is the pattern of a chat command or option name (lower case).
var commandName = regexp.MustCompile(`^[-_\p{Ll}\p{N}]{1,32}$`)

// Callback is one interaction response the fake accepted.
type Callback struct {
	InteractionID string
	Token         string
	Type          discordgo.InteractionResponseType
	// From data:
	Content         string
	Embeds          []*discordgo.MessageEmbed
	Flags           discordgo.MessageFlags
	AllowedMentions *discordgo.MessageAllowedMentions
	Choices         []*discordgo.ApplicationCommandOptionChoice
	// Body is the request body as sent.
	Body []byte
	At   time.Time
}

type pushedInteraction struct {
	token string
	typ   discordgo.InteractionType
	acked bool
}

type callbackBody struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data *struct {
		Content         string                                      `json:"content"`
		Embeds          []*discordgo.MessageEmbed                   `json:"embeds"`
		Flags           discordgo.MessageFlags                      `json:"flags"`
		AllowedMentions *discordgo.MessageAllowedMentions           `json:"allowed_mentions"`
		Choices         []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
		Components      json.RawMessage                             `json:"components"`
	} `json:"data"`
}

func (s *Server) routeInteractions(mux *http.ServeMux) {
	s.route(mux, RouteGlobalCommands, true, s.bulkOverwrite)
	s.route(mux, RouteGuildCommands, true, s.bulkOverwrite)
	// Interaction callbacks are authorised by the interaction token alone.
	s.route(mux, RouteInteractionCallback, false, s.interactionCallback)
	s.route(mux, RouteGateway, false, s.getGateway)
	s.route(mux, RouteGatewayBot, true, s.getGateway)
	mux.HandleFunc(RouteGatewaySocket, s.gatewaySocket)
	mux.HandleFunc("GET "+gatewaySocketPrefix, s.gatewaySocket)
}

// Commands returns the application commands the last bulk overwrite set for
// an application, globally (guild "") or in a guild, as the fake answered
// them (with ids); nil if none was made.
func (s *Server) Commands(app, guild string) []*discordgo.ApplicationCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneCommands(s.commands[app+"/"+guild])
}

func (s *Server) bulkOverwrite(w http.ResponseWriter, r *http.Request) {
	var cmds []*discordgo.ApplicationCommand
	if err := json.NewDecoder(r.Body).Decode(&cmds); err != nil {
		writeError(w, apiError{http.StatusBadRequest, CodeInvalidFormBody, "Invalid Form Body: " + err.Error()})
		return
	}
	problems := validateCommands(cmds)
	if r.PathValue("guild") != "" {
		// Discord: guild commands do not support the BOT_DM (or
		// PRIVATE_CHANNEL) interaction context.
		for i, c := range cmds {
			if c != nil && c.Contexts != nil && slices.ContainsFunc(*c.Contexts, func(x discordgo.InteractionContextType) bool {
				return x != discordgo.InteractionContextGuild
			}) {
				problems = append(problems, fmt.Sprintf("%d.contexts: guild commands can only be used in guilds", i))
			}
		}
	}
	if len(problems) > 0 {
		writeError(w, apiError{http.StatusBadRequest, CodeInvalidFormBody, "Invalid Form Body: " + strings.Join(problems, "; ")})
		return
	}
	app, guild := r.PathValue("app"), r.PathValue("guild")
	s.mu.Lock()
	defer s.mu.Unlock()
	old := map[string]string{}
	for _, c := range s.commands[app+"/"+guild] {
		old[c.Name] = c.ID
	}
	out := make([]*discordgo.ApplicationCommand, len(cmds))
	for i, c := range cmds {
		cc := *c
		if cc.Type == 0 {
			cc.Type = discordgo.ChatApplicationCommand
		}
		cc.ID = old[c.Name]
		if cc.ID == "" {
			cc.ID = s.nextID()
		}
		cc.ApplicationID, cc.GuildID, cc.Version = app, guild, s.nextID()
		out[i] = &cc
	}
	s.commands[app+"/"+guild] = cloneCommands(out)
	writeJSON(w, http.StatusOK, out)
}

// validateCommands checks what Discord checks of chat commands.
func validateCommands(cmds []*discordgo.ApplicationCommand) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if len(cmds) > maxCommands {
		bad("must be %d or fewer in length", maxCommands)
	}
	seen := map[string]bool{}
	for i, c := range cmds {
		if c == nil {
			bad("%d: must be an object", i)
			continue
		}
		if c.Type != 0 && c.Type != discordgo.ChatApplicationCommand {
			continue
		}
		if !commandName.MatchString(c.Name) {
			bad("%d.name: %q does not match %s", i, c.Name, commandName)
		}
		if seen[c.Name] {
			bad("%d.name: Application command names must be unique", i)
		}
		seen[c.Name] = true
		if n := utf8.RuneCountInString(c.Description); n < 1 || n > maxCommandDesc {
			bad("%d.description: Must be between 1 and %d in length.", i, maxCommandDesc)
		}
		problems = append(problems, validateOptions(fmt.Sprintf("%d.options", i), c.Options)...)
	}
	return problems
}

func validateOptions(at string, opts []*discordgo.ApplicationCommandOption) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if len(opts) > maxCommandOptions {
		bad("%s: must be %d or fewer in length", at, maxCommandOptions)
	}
	optional := false
	seen := map[string]bool{}
	for j, o := range opts {
		p := fmt.Sprintf("%s.%d", at, j)
		if o == nil {
			bad("%s: must be an object", p)
			continue
		}
		if !commandName.MatchString(o.Name) {
			bad("%s.name: %q does not match %s", p, o.Name, commandName)
		}
		if seen[o.Name] {
			bad("%s.name: option names must be unique", p)
		}
		seen[o.Name] = true
		if n := utf8.RuneCountInString(o.Description); n < 1 || n > maxCommandDesc {
			bad("%s.description: Must be between 1 and %d in length.", p, maxCommandDesc)
		}
		if o.Required && optional {
			bad("%s.required: Required options must be placed before non-required options", p)
		}
		optional = optional || !o.Required
		if o.Autocomplete && len(o.Choices) > 0 {
			bad("%s.autocomplete: Autocomplete cannot be set on options with choices", p)
		}
		if o.Autocomplete && o.Type != discordgo.ApplicationCommandOptionString &&
			o.Type != discordgo.ApplicationCommandOptionInteger && o.Type != discordgo.ApplicationCommandOptionNumber {
			bad("%s.autocomplete: only string, integer and number options autocomplete", p)
		}
		if o.Type == discordgo.ApplicationCommandOptionSubCommand || o.Type == discordgo.ApplicationCommandOptionSubCommandGroup {
			problems = append(problems, validateOptions(p+".options", o.Options)...)
		}
	}
	return problems
}

// PushInteraction sends i to every ready gateway session as an
// INTERACTION_CREATE dispatch. Empty ID, Token, AppID and Version are filled
// in (an ID must not repeat); the fake then accepts one callback for it. It
// returns the interaction as sent.
func (s *Server) PushInteraction(i *discordgo.Interaction) (*discordgo.Interaction, error) {
	s.mu.Lock()
	ic := *i
	if ic.ID == "" {
		ic.ID = s.nextID()
	}
	if _, dup := s.interactions[ic.ID]; dup {
		s.mu.Unlock()
		return nil, fmt.Errorf("fakediscord: interaction %s was pushed before", ic.ID)
	}
	if ic.Token == "" {
		ic.Token = "fakeInteractionToken-" + ic.ID + "-keepThisSecret_x9"
	}
	if ic.AppID == "" {
		ic.AppID = botUserID
	}
	if ic.Version == 0 {
		ic.Version = 1
	}
	s.interactions[ic.ID] = &pushedInteraction{token: ic.Token, typ: ic.Type}
	s.mu.Unlock()
	if err := s.dispatch("INTERACTION_CREATE", &ic); err != nil {
		return nil, err
	}
	return &ic, nil
}

// PushRawInteraction sends raw, an interaction exactly as Discord would
// send it (a captured payload, say), to every ready gateway connection as an
// INTERACTION_CREATE dispatch, field for field. Its id, token and type are
// read from it; the fake then accepts one callback for it.
func (s *Server) PushRawInteraction(raw json.RawMessage) error {
	var head struct {
		ID    string                    `json:"id"`
		Token string                    `json:"token"`
		Type  discordgo.InteractionType `json:"type"`
	}
	if err := json.Unmarshal(raw, &head); err != nil || head.ID == "" || head.Token == "" {
		return fmt.Errorf("fakediscord: a raw interaction needs an id and a token (%v)", err)
	}
	s.mu.Lock()
	if _, dup := s.interactions[head.ID]; dup {
		s.mu.Unlock()
		return fmt.Errorf("fakediscord: interaction %s was pushed before", head.ID)
	}
	s.interactions[head.ID] = &pushedInteraction{token: head.Token, typ: head.Type}
	s.mu.Unlock()
	return s.dispatch("INTERACTION_CREATE", json.RawMessage(append([]byte(nil), raw...)))
}

// Callbacks returns the interaction responses accepted, oldest first.
func (s *Server) Callbacks() []Callback {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Callback, len(s.callbacks))
	for i, c := range s.callbacks {
		out[i] = copyCallback(c)
	}
	return out
}

// WaitCallback waits until the response to an interaction has been accepted
// and returns it.
func (s *Server) WaitCallback(ctx context.Context, interactionID string) (Callback, error) {
	var got Callback
	err := s.wait(ctx, func() bool {
		for _, c := range s.callbacks {
			if c.InteractionID == interactionID {
				got = copyCallback(c)
				return true
			}
		}
		return false
	})
	if err != nil {
		return Callback{}, fmt.Errorf("no callback for interaction %s: %w", interactionID, err)
	}
	return got, nil
}

// wait blocks until cond, called with s.mu held, is true.
func (s *Server) wait(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ok, ch := cond(), s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// signal wakes waiters. Callers hold s.mu.
func (s *Server) signal() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) interactionCallback(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var b callbackBody
	if err := json.Unmarshal(body, &b); err != nil {
		writeError(w, apiError{http.StatusBadRequest, CodeInvalidFormBody, "Invalid Form Body: " + err.Error()})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ix, ok := s.interactions[r.PathValue("interaction")]
	if !ok || ix.token != r.PathValue("token") {
		writeError(w, apiError{http.StatusNotFound, CodeUnknownInteraction, "Unknown interaction"})
		return
	}
	if ix.acked {
		writeError(w, apiError{http.StatusBadRequest, CodeInteractionAcknowledged, "Interaction has already been acknowledged."})
		return
	}
	c := Callback{InteractionID: r.PathValue("interaction"), Token: ix.token, Type: b.Type, Body: body, At: s.now()}
	var components json.RawMessage
	if b.Data != nil {
		c.Content, c.Embeds, c.Flags, c.AllowedMentions, c.Choices = b.Data.Content, b.Data.Embeds, b.Data.Flags, b.Data.AllowedMentions, b.Data.Choices
		components = nonEmpty(b.Data.Components)
	}
	if e, bad := validateCallback(ix.typ, c, components); bad {
		writeError(w, e)
		return
	}
	ix.acked = true
	s.callbacks = append(s.callbacks, c)
	s.signal()
	w.WriteHeader(http.StatusNoContent)
}

// callbackFlags are the message flags a response may set
// (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-messages):
// SUPPRESS_EMBEDS, EPHEMERAL, IS_VOICE_MESSAGE, IS_COMPONENTS_V2 and
// SUPPRESS_NOTIFICATIONS.
const callbackFlags = discordgo.MessageFlagsSuppressEmbeds | discordgo.MessageFlagsEphemeral |
	discordgo.MessageFlagsIsVoiceMessage | discordgo.MessageFlagsIsComponentsV2 | discordgo.MessageFlagsSuppressNotifications

// validateComponentsV2 checks a message that carries IS_COMPONENTS_V2: no
// content, no embeds, and, for a new message, some components (an update
// may leave the message's components as they are). The component tree
// itself is not checked: this fake does not model the layout components.
func validateComponentsV2(c Callback, components json.RawMessage, update bool) (apiError, bool) {
	invalid := func(field string) (apiError, bool) {
		return apiError{http.StatusBadRequest, CodeInvalidFormBody,
			"Invalid Form Body: " + field + ": cannot be used on a message with the IS_COMPONENTS_V2 flag"}, true
	}
	switch {
	case c.Content != "":
		return invalid("content")
	case len(c.Embeds) > 0:
		return invalid("embeds")
	case len(components) == 0 && !update:
		return apiError{http.StatusBadRequest, CodeEmptyMessage, "Cannot send an empty message"}, true
	}
	return apiError{}, false
}

// validateCallback checks a response against the interaction it answers
// (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object).
// components is the response's raw data.components, if any.
func validateCallback(typ discordgo.InteractionType, c Callback, components json.RawMessage) (apiError, bool) {
	invalid := func(msg string) (apiError, bool) {
		return apiError{http.StatusBadRequest, CodeInvalidFormBody, "Invalid Form Body: " + msg}, true
	}
	switch c.Type {
	case discordgo.InteractionResponseChannelMessageWithSource:
		if typ != discordgo.InteractionApplicationCommand && typ != discordgo.InteractionMessageComponent && typ != discordgo.InteractionModalSubmit {
			return invalid("type: Interaction response type is not valid for this interaction")
		}
		if c.Flags&^callbackFlags != 0 {
			return invalid("data.flags: only SUPPRESS_EMBEDS, EPHEMERAL, IS_COMPONENTS_V2, IS_VOICE_MESSAGE and SUPPRESS_NOTIFICATIONS can be set")
		}
		if c.Flags&discordgo.MessageFlagsIsComponentsV2 != 0 {
			return validateComponentsV2(c, components, false)
		}
		return validate(c.Content, c.Embeds)
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
		if typ != discordgo.InteractionApplicationCommand && typ != discordgo.InteractionMessageComponent && typ != discordgo.InteractionModalSubmit {
			return invalid("type: Interaction response type is not valid for this interaction")
		}
		if c.Flags&^discordgo.MessageFlagsEphemeral != 0 {
			return invalid("data.flags: only EPHEMERAL can be set on a deferred response")
		}
		return apiError{}, false
	case discordgo.InteractionResponseDeferredMessageUpdate, discordgo.InteractionResponseUpdateMessage:
		// Only a component's message can be updated.
		if typ != discordgo.InteractionMessageComponent {
			return invalid("type: Interaction response type is not valid for this interaction")
		}
		if c.Flags&discordgo.MessageFlagsIsComponentsV2 != 0 {
			return validateComponentsV2(c, components, true)
		}
		if c.Content != "" || len(c.Embeds) > 0 {
			return validate(c.Content, c.Embeds)
		}
		return apiError{}, false
	case discordgo.InteractionApplicationCommandAutocompleteResult:
		if typ != discordgo.InteractionApplicationCommandAutocomplete {
			return invalid("type: Interaction response type is not valid for this interaction")
		}
		if len(c.Choices) > maxChoices {
			return invalid(fmt.Sprintf("data.choices: Must be %d or fewer in length.", maxChoices))
		}
		for i, ch := range c.Choices {
			if n := utf8.RuneCountInString(ch.Name); n < 1 || n > maxChoiceName {
				return invalid(fmt.Sprintf("data.choices.%d.name: Must be between 1 and %d in length.", i, maxChoiceName))
			}
			if v, ok := ch.Value.(string); ok && utf8.RuneCountInString(v) > maxChoiceStringValue {
				return invalid(fmt.Sprintf("data.choices.%d.value: Must be %d or fewer in length.", i, maxChoiceStringValue))
			}
		}
		return apiError{}, false
	}
	return invalid(fmt.Sprintf("type: Value %d is not a valid interaction callback type here", c.Type))
}

func copyCallback(c Callback) Callback {
	out := c
	out.Embeds = cloneEmbeds(c.Embeds)
	out.Body = append([]byte(nil), c.Body...)
	out.Choices = make([]*discordgo.ApplicationCommandOptionChoice, len(c.Choices))
	for i, ch := range c.Choices {
		cc := *ch
		out.Choices[i] = &cc
	}
	if c.AllowedMentions != nil {
		am := *c.AllowedMentions
		out.AllowedMentions = &am
	}
	return out
}

// cloneCommands deep-copies commands through JSON, which is how they travel.
func cloneCommands(in []*discordgo.ApplicationCommand) []*discordgo.ApplicationCommand {
	if in == nil {
		return nil
	}
	b, err := json.Marshal(in)
	if err != nil {
		return nil
	}
	var out []*discordgo.ApplicationCommand
	_ = json.Unmarshal(b, &out)
	return out
}
