package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/board"
	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// BoardMarker is the footer of every status board written in English:
// with the bot's own author id it tells the board apart among a channel's
// pinned messages. A board in another language has that language's
// marker (board.marker); FindBoard knows them all, so a channel whose
// locale changes keeps its board.
const BoardMarker = "outagebot status board"

// RenderBoard is a status board's embed in p's language (the channel's):
// a line per target with its emoji, status and, for an open outage, since
// when (a Discord timestamp, which every reader sees in their own time
// zone and which ages by itself).
func RenderBoard(p *i18n.Printer, lines []board.Line) *discordgo.MessageEmbed {
	var b strings.Builder
	worst := sources.Operational
	open := 0
	for _, l := range lines {
		args := i18n.Args{"Status": p.StatusInline(l.Status)}
		if !l.Since.IsZero() {
			args["Since"], args["Title"] = fmt.Sprintf("<t:%d:R>", l.Since.Unix()), Inert(l.Title)
		}
		fmt.Fprintf(&b, "%s **%s**: %s\n", bot.Emoji(l.Status), Inert(l.Target), p.T("board.discord.state", args))
		if l.Open() {
			open++
		}
		if l.Status.Rank() > worst.Rank() {
			worst = l.Status
		}
	}
	title := p.N("board.all_operational", len(lines), nil)
	if open > 0 {
		title = p.N("board.attention", open, i18n.Args{"Total": len(lines)})
	}
	if len(lines) == 0 {
		title, b = p.T("board.no_targets", nil), strings.Builder{}
	}
	desc := b.String()
	if desc == "" {
		desc = "—"
	}
	return &discordgo.MessageEmbed{
		Title:       title,
		Description: truncate(desc, maxEmbedDescription),
		Color:       colour(outage.Event{Kind: outage.Opened, Class: outage.Incident, Severity: worst}),
		Footer:      &discordgo.MessageEmbedFooter{Text: p.T("board.marker", nil)},
	}
}

// isBoardMarker reports whether a footer is a board's, in any language.
func isBoardMarker(footer string) bool {
	for _, lang := range i18n.Languages {
		if footer == i18n.For(lang).T("board.marker", nil) {
			return true
		}
	}
	return footer == BoardMarker
}

// ErrBoardGone is returned by EditBoard when the board message no longer
// exists (deleted by someone).
var ErrBoardGone = errors.New("discord: the status board message was deleted")

// Boards posts, pins, finds and edits status boards with a bot token.
type Boards struct {
	n *Notifier

	mu sync.Mutex
	me string // the bot's own user id, once asked
}

// Boards returns the board calls of this notifier's session.
func (n *Notifier) Boards() *Boards { return &Boards{n: n} }

// PostBoard posts a board to a channel and returns its message id. The
// nonce makes a repeat within a few minutes return the first message.
func (b *Boards) PostBoard(ctx context.Context, channelID string, e *discordgo.MessageEmbed, nonce string) (string, error) {
	msg := &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{e}, AllowedMentions: noMentions()}
	ref, err := b.n.send(ctx, nil, channelID, msg, nonce)
	return string(ref), err
}

// EditBoard edits a board message; ErrBoardGone when it was deleted.
func (b *Boards) EditBoard(ctx context.Context, channelID, messageID string, e *discordgo.MessageEmbed) error {
	edit := discordgo.NewMessageEdit(channelID, messageID).SetEmbed(e)
	edit.AllowedMentions = noMentions()
	ctx, info := withCallInfo(ctx)
	_, err := b.n.s.ChannelMessageEditComplex(edit, discordgo.WithContext(ctx))
	err = classify("edit the status board "+messageID+" in channel "+channelID, err, info, b.n.secrets, false)
	if apiCode(err) == codeUnknownMessage {
		return fmt.Errorf("%w: %w", ErrBoardGone, err)
	}
	return err
}

// Pin endpoints
// (https://discord.com/developers/docs/resources/message#get-channel-pins).
// The older /channels/{id}/pins ones are deprecated, and their list holds
// only the first 50 pins, where a channel may now have 250: a board
// pinned before 50 others would not be found, and would be posted again.
func pinsEndpoint(channelID string) string {
	return discordgo.EndpointChannelMessages(channelID) + "/pins"
}

func pinEndpoint(channelID, messageID string) string {
	return pinsEndpoint(channelID) + "/" + messageID
}

// pinsPage is Get Channel Pins' answer: at most limit pins, newest first.
type pinsPage struct {
	Items []struct {
		PinnedAt string             `json:"pinned_at"`
		Message  *discordgo.Message `json:"message"`
	} `json:"items"`
	HasMore bool `json:"has_more"`
}

// Get Channel Pins' largest page, and how many pages FindBoard reads at
// most (a channel holds at most 250 pins; the bound is there in case it
// grows).
const (
	pinsPageSize = 50
	maxPinsPages = 20
)

// PinBoard pins a board message (needs Pin Messages).
func (b *Boards) PinBoard(ctx context.Context, channelID, messageID string) error {
	ctx, info := withCallInfo(ctx)
	_, err := b.n.s.RequestWithBucketID(http.MethodPut, pinEndpoint(channelID, messageID), nil, pinEndpoint(channelID, ""), discordgo.WithContext(ctx))
	err = classify("pin the status board "+messageID+" in channel "+channelID, err, info, b.n.secrets, false)
	var api *APIError
	if errors.As(err, &api) {
		switch api.Code {
		case codeMissingPermissions:
			return &notifier.PermanentError{Err: api, Fix: "give the bot's role Pin Messages in that channel (Manage Messages no longer lets it pin)"}
		case codeMaxPins:
			return &notifier.PermanentError{Err: api, Fix: "the channel has as many pinned messages as Discord allows: unpin some"}
		}
	}
	return err
}

// FindBoard looks for a board among the channel's pinned messages, every
// page of them: the bot's own message with a board's marker, in any
// language, in its footer ("" when none is).
func (b *Boards) FindBoard(ctx context.Context, channelID string) (string, error) {
	me, err := b.self(ctx)
	if err != nil {
		return "", err
	}
	before := ""
	for range maxPinsPages {
		q := url.Values{"limit": {strconv.Itoa(pinsPageSize)}}
		if before != "" {
			q.Set("before", before)
		}
		cctx, info := withCallInfo(ctx)
		body, err := b.n.s.RequestWithBucketID(http.MethodGet, pinsEndpoint(channelID)+"?"+q.Encode(), nil, pinsEndpoint(channelID), discordgo.WithContext(cctx))
		if err != nil {
			return "", classify("read the pinned messages of channel "+channelID, err, info, b.n.secrets, false)
		}
		var page pinsPage
		if err := discordgo.Unmarshal(body, &page); err != nil {
			return "", &transportError{msg: "discord: read the pinned messages of channel " + channelID + ": unreadable answer", err: err}
		}
		for _, p := range page.Items {
			if m := p.Message; m != nil && m.Author != nil && m.Author.ID == me && isBoard(m) {
				return m.ID, nil
			}
		}
		if !page.HasMore || len(page.Items) == 0 {
			return "", nil
		}
		last := page.Items[len(page.Items)-1].PinnedAt
		if last == "" || last == before {
			return "", nil
		}
		before = last
	}
	return "", nil
}

// isBoard reports whether m carries a board's embed.
func isBoard(m *discordgo.Message) bool {
	for _, e := range m.Embeds {
		if e.Footer != nil && isBoardMarker(e.Footer.Text) {
			return true
		}
	}
	return false
}

// self is the bot's own user id.
func (b *Boards) self(ctx context.Context) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.me != "" {
		return b.me, nil
	}
	ctx, info := withCallInfo(ctx)
	body, err := b.n.s.RequestWithBucketID(http.MethodGet, discordgo.EndpointUser("@me"), nil, discordgo.EndpointUser("@me"), discordgo.WithContext(ctx))
	if err != nil {
		return "", classify("read the bot's own user", err, info, b.n.secrets, false)
	}
	var u discordgo.User
	if err := discordgo.Unmarshal(body, &u); err != nil || u.ID == "" {
		return "", fmt.Errorf("discord: read the bot's own user: unreadable answer")
	}
	b.me = u.ID
	return u.ID, nil
}
