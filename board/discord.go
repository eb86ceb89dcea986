package board

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// DefaultThrottle is the least time between two edits of one board:
// changes in between are coalesced into the next edit, and the last state
// always lands.
const DefaultThrottle = 10 * time.Second

// retryAfter is how long a board waits after a failed call.
const retryAfter = 30 * time.Second

// DiscordAPI is what a Discord board needs of the platform.
type DiscordAPI interface {
	PostBoard(ctx context.Context, channelID string, e *discordgo.MessageEmbed, nonce string) (string, error)
	EditBoard(ctx context.Context, channelID, messageID string, e *discordgo.MessageEmbed) error
	PinBoard(ctx context.Context, channelID, messageID string) error
	FindBoard(ctx context.Context, channelID string) (string, error)
}

// Records keeps each board's message id, so a restarted or new leader
// edits the same message.
type Records interface {
	Board(ctx context.Context, dest string) (string, error)
	SetBoard(ctx context.Context, dest, messageID string, at time.Time) error
	ForgetBoard(ctx context.Context, dest string) error
}

// Discord keeps one board message in one Discord channel.
type Discord struct {
	API     DiscordAPI
	Records Records
	// Dest names the board in Records (the destination, "ops/discord").
	Dest    string
	Channel string
	// Lines is the board's current content; Render its embed.
	Lines  func() []Line
	Render func([]Line) *discordgo.MessageEmbed
	// GoneErr is what EditBoard returns (wrapped) for a deleted message.
	GoneErr error
	// Throttle is the least time between edits (default DefaultThrottle).
	Throttle time.Duration
	Log      *slog.Logger
	// Changed receives a value after each state that landed (tests).
	Changed func(messageID string)

	msg string // the board's message id, once known
}

// Run keeps the board up to date until ctx ends: at once, then on every
// wake, at most once per Throttle.
func (d *Discord) Run(ctx context.Context, wake <-chan struct{}) {
	throttle := d.Throttle
	if throttle <= 0 {
		throttle = DefaultThrottle
	}
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("board", d.Dest)
	var landed string
	failing := false
	for {
		var wait <-chan time.Time
		e := d.Render(d.Lines())
		key, _ := json.Marshal(e)
		if string(key) != landed {
			if err := d.sync(ctx, e); err != nil {
				if ctx.Err() != nil {
					return
				}
				if !failing {
					log.Warn("cannot update the status board; retrying", "err", err)
					failing = true
				}
				wait = time.After(retryAfter)
			} else {
				if failing {
					log.Info("the status board is up to date again")
				}
				failing, landed = false, string(key)
				if d.Changed != nil {
					d.Changed(d.msg)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-wait:
			continue
		}
		// Coalesce what changes within the throttle into one edit.
		select {
		case <-ctx.Done():
			return
		case <-time.After(throttle):
		}
		drain(wake)
	}
}

// sync shows e in the board message: the recorded one, else the bot's
// pinned board in the channel, else a new one (posted, pinned, recorded).
// A deleted message is posted again once.
func (d *Discord) sync(ctx context.Context, e *discordgo.MessageEmbed) error {
	if d.msg == "" {
		id, err := d.find(ctx)
		if err != nil {
			return err
		}
		d.msg = id
	}
	// A repeated post within a few minutes returns the first one: across
	// a crash before the pin, and, keyed by the deleted message, across a
	// crash while posting again (a new post must not get the deleted one).
	nonce := "b" + strconv.FormatInt(time.Now().Unix()/60, 10)
	if d.msg != "" {
		nonce = "b" + d.msg
		err := d.API.EditBoard(ctx, d.Channel, d.msg, e)
		if err == nil || d.GoneErr == nil || !errors.Is(err, d.GoneErr) {
			return err
		}
		if err := d.Records.ForgetBoard(ctx, d.Dest); err != nil {
			return err
		}
		d.msg = ""
		if d.Log != nil {
			d.Log.Info("the status board message was deleted; posting it again", "board", d.Dest)
		}
	}
	id, err := d.API.PostBoard(ctx, d.Channel, e, nonce)
	if err != nil {
		return err
	}
	// Pinned before it is recorded: a crash in between finds it among the
	// pins. Without Pin Messages it stays unpinned but recorded.
	if err := d.API.PinBoard(ctx, d.Channel, id); err != nil && d.Log != nil {
		d.Log.Warn("cannot pin the status board (the bot needs Pin Messages in the channel)", "board", d.Dest, "err", err)
	}
	if err := d.Records.SetBoard(ctx, d.Dest, id, time.Now()); err != nil {
		return err
	}
	d.msg = id
	return nil
}

// find returns the recorded board message, else the pinned one (recording
// it), else "".
func (d *Discord) find(ctx context.Context) (string, error) {
	id, err := d.Records.Board(ctx, d.Dest)
	if err != nil || id != "" {
		return id, err
	}
	id, err = d.API.FindBoard(ctx, d.Channel)
	if err != nil || id == "" {
		return "", err
	}
	return id, d.Records.SetBoard(ctx, d.Dest, id, time.Now())
}

func drain(c <-chan struct{}) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}
