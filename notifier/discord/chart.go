package discord

import (
	"bytes"
	"log/slog"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/digest/chart"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
)

// attachment is an entry of a message's attachments: the file sent as
// files[ID] in the same request, with its alt text
// (https://discord.com/developers/docs/reference#uploading-files).
type attachment struct {
	ID          int    `json:"id"`
	Filename    string `json:"filename"`
	Description string `json:"description,omitempty"`
}

// maxAttachmentDescription is Discord's limit on an attachment's
// description.
const maxAttachmentDescription = 1024

// withChart attaches the digest's chart to msg and shows it as the embed's
// image. The message and its picture are one request, so the nonce that
// makes a repeated send return the first message covers the picture too:
// it is posted once with the digest or not at all. A chart that cannot be
// drawn is logged and left out. Its words are in p's language.
func withChart(log *slog.Logger, msg *discordgo.MessageSend, c *outage.Chart, p *i18n.Printer) []attachment {
	img, err := chart.Render(c, p)
	if err != nil {
		log.Warn("cannot draw the digest's chart; posting the digest without it", "err", err)
		return nil
	}
	msg.Files = append(msg.Files, &discordgo.File{Name: chart.Filename, ContentType: "image/png", Reader: bytes.NewReader(img)})
	if len(msg.Embeds) > 0 {
		msg.Embeds[0].Image = &discordgo.MessageEmbedImage{URL: "attachment://" + chart.Filename}
	}
	return []attachment{{ID: 0, Filename: chart.Filename, Description: truncate(chart.AltText(c, p), maxAttachmentDescription)}}
}
