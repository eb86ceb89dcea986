package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/board"
	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// BoardMarker is the footer of every status board: with the bot's own
// author id it tells the board apart among a channel's pinned messages.
const BoardMarker = "outagebot status board"

// RenderBoard is a status board's embed: a line per target with its emoji,
// status and, for an open outage, since when (a Discord timestamp, which
// every reader sees in their own time zone and which ages by itself).
func RenderBoard(lines []board.Line) *discordgo.MessageEmbed {
	var b strings.Builder
	worst := sources.Operational
	open := 0
	for _, l := range lines {
		fmt.Fprintf(&b, "%s **%s**: %s", bot.Emoji(l.Status), Inert(l.Target), l.Status.Label())
		if !l.Since.IsZero() {
			fmt.Fprintf(&b, " since <t:%d:R>", l.Since.Unix())
			if l.Title != "" {
				b.WriteString(" — " + Inert(l.Title))
			}
		}
		b.WriteString("\n")
		if l.Open() {
			open++
		}
		if l.Status.Rank() > worst.Rank() {
			worst = l.Status
		}
	}
	title := fmt.Sprintf("All %d targets are operational", len(lines))
	if open > 0 {
		title = fmt.Sprintf("%d of %d targets need attention", open, len(lines))
	}
	if len(lines) == 0 {
		title, b = "No targets are routed to this channel", strings.Builder{}
	}
	desc := b.String()
	if desc == "" {
		desc = "—"
	}
	return &discordgo.MessageEmbed{
		Title:       title,
		Description: truncate(desc, maxEmbedDescription),
		Color:       colour(outage.Event{Kind: outage.Opened, Class: outage.Incident, Severity: worst}),
		Footer:      &discordgo.MessageEmbedFooter{Text: BoardMarker},
	}
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

// PinBoard pins a board message (needs Manage Messages).
func (b *Boards) PinBoard(ctx context.Context, channelID, messageID string) error {
	ctx, info := withCallInfo(ctx)
	err := b.n.s.ChannelMessagePin(channelID, messageID, discordgo.WithContext(ctx))
	return classify("pin the status board "+messageID+" in channel "+channelID, err, info, b.n.secrets, false)
}

// FindBoard looks for a board among the channel's pinned messages: the
// bot's own message with BoardMarker in its footer ("" when none is).
func (b *Boards) FindBoard(ctx context.Context, channelID string) (string, error) {
	me, err := b.self(ctx)
	if err != nil {
		return "", err
	}
	ctx, info := withCallInfo(ctx)
	pins, err := b.n.s.ChannelMessagesPinned(channelID, discordgo.WithContext(ctx))
	if err != nil {
		return "", classify("read the pinned messages of channel "+channelID, err, info, b.n.secrets, false)
	}
	for _, m := range pins {
		if m.Author == nil || m.Author.ID != me {
			continue
		}
		for _, e := range m.Embeds {
			if e.Footer != nil && e.Footer.Text == BoardMarker {
				return m.ID, nil
			}
		}
	}
	return "", nil
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
