package slack

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/outagebot/outagebot/digest/chart"
	"github.com/outagebot/outagebot/notifier"
)

// A digest's chart is shared in the digest message's thread: the message
// is posted first and keeps the channel readable, the picture sits under
// it. Digests are always top-level messages, so there is always a thread
// to share into.
//
// Slack's upload is three calls (https://api.slack.com/messaging/files#upload):
// files.getUploadURLExternal, the bytes posted to the URL it returns, and
// files.completeUploadExternal, which shares the file. A file uploaded but
// never completed is shown nowhere, so completing is the commit point: a
// crash before it leaves nothing to see, and the retry uploads afresh. A
// crash after it but before the delivery was recorded is caught the way
// a message is: the retry looks in the digest's thread for a file of this
// delivery's name before uploading, so one chart is shown, never two.

// chartName is the file name of the chart of delivery id: its outbox id
// makes it the look-up key of a retry.
func chartName(outboxID int64) string {
	return "outagebot-digest-" + strconv.FormatInt(outboxID, 10) + ".png"
}

// shareChart shares the digest's chart in the thread of its message ts,
// unless an earlier attempt did. A chart that cannot be drawn, or that
// Slack refuses for good (no files:write scope), is logged and left out:
// the digest itself was delivered. Its words are in the channel's language.
func (n *Notifier) shareChart(ctx context.Context, log *slog.Logger, ch, ts string, d notifier.Delivery) error {
	c, p := d.Event.Chart, n.render.p
	img, err := chart.Render(c, p)
	if err != nil {
		log.Warn("cannot draw the digest's chart; posting the digest without it", "err", err)
		return nil
	}
	name := chartName(d.OutboxID)
	if d.Attempt > 0 {
		found, err := n.findFile(ctx, ch, ts, name)
		switch {
		case err != nil:
			log.Warn("cannot look for an earlier attempt's chart; uploading, which may repeat it", "err", err)
		case found:
			log.Info("an earlier attempt had shared the digest's chart; not sharing it again")
			return nil
		}
	}
	err = n.upload(ctx, ch, ts, name, img, chart.AltText(c, p), chart.Title(c, p), d.Pace)
	if notifier.IsPermanent(err) {
		log.Warn("Slack refuses the digest's chart; the digest was posted without it", "err", err)
		return nil
	}
	return err
}

// upload makes the three calls of Slack's file upload.
func (n *Notifier) upload(ctx context.Context, ch, ts, name string, img []byte, alt, title string, pace notifier.Pacer) error {
	u, err := n.api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{
		FileName: name, FileSize: len(img), AltTxt: alt,
	})
	if err != nil {
		return classify(n.secrets, "files.getUploadURLExternal", err)
	}
	if err := n.api.UploadToURL(ctx, slack.UploadToURLParameters{
		UploadURL: u.UploadURL, Reader: bytes.NewReader(img), Filename: name,
	}); err != nil {
		return classify(n.secrets, "file upload", err)
	}
	// Completing posts a message in the channel: it counts against the
	// channel's limit.
	if err := notifier.Wait(ctx, pace); err != nil {
		return err
	}
	if _, err := n.api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
		Files:           []slack.FileSummary{{ID: u.FileID, Title: title}},
		Channel:         ch,
		ThreadTimestamp: ts,
	}); err != nil {
		return classify(n.secrets, "files.completeUploadExternal", err)
	}
	return nil
}

// findFile reports whether the thread of ts shares a file called name.
func (n *Notifier) findFile(ctx context.Context, ch, ts, name string) (bool, error) {
	cursor := ""
	for range lookupPages {
		msgs, more, next, err := n.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: ch, Timestamp: ts, Cursor: cursor, Limit: lookupPageSize,
		})
		if err != nil {
			return false, classify(n.secrets, "conversations.replies", err)
		}
		for _, m := range msgs {
			for _, f := range m.Files {
				if f.Name == name {
					return true, nil
				}
			}
		}
		if !more || next == "" {
			return false, nil
		}
		cursor = next
	}
	return false, nil
}
