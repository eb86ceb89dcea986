package discord

import (
	"errors"
	"net/http"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// What interact/discord (application commands) shares with the notifier:
// the session whose transport moves requests to api_url and fails fast on
// an empty rate-limit bucket, and the embed limits and helpers. Exported
// here so that nothing is copied.

// Discord's message limits, in characters (runes); see the unexported
// constants for the documentation they come from.
const (
	MaxEmbedTitle       = maxEmbedTitle
	MaxEmbedDescription = maxEmbedDescription
	MaxEmbedFields      = maxEmbedFields
	MaxFieldName        = maxFieldName
	MaxFieldValue       = maxFieldValue
	MaxEmbedTotal       = maxEmbedTotal
	MaxContent          = maxContent
)

// NewSession returns a discordgo session authorised with the bot token (with
// or without "Bot "), whose REST calls go to apiURL (empty: Discord itself;
// scheme://host[:port], paths stay /api/v9/...) through base's transport
// (nil: http.DefaultTransport). discordgo's own retrying and sleeping are
// off and it logs nothing. The gateway URL it opens is the one GET /gateway
// on that origin returns. It makes no network call.
func NewSession(token, apiURL string, base *http.Client) (*discordgo.Session, error) {
	token = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(token), "Bot "))
	if token == "" {
		return nil, errors.New("discord: bot_token is empty")
	}
	origin, err := parseAPIURL(apiURL)
	if err != nil {
		return nil, err
	}
	return newSession("Bot "+token, origin, base), nil
}

// FitEmbeds cuts embeds to Discord's limits (each part, then the message
// total), by rune, marking cuts with an ellipsis.
func FitEmbeds(es ...*discordgo.MessageEmbed) []*discordgo.MessageEmbed { return fitEmbeds(es...) }

// Truncate cuts s to at most max runes, marking a cut with an ellipsis.
func Truncate(s string, max int) string { return truncate(s, max) }

// NoMentions is an allowed_mentions that pings nobody.
func NoMentions() *discordgo.MessageAllowedMentions { return noMentions() }
