package slack

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/outagebot/outagebot/board"
	"github.com/outagebot/outagebot/bot"
)

// maxHomeBlocks is Block Kit's limit of blocks in a Home tab view
// (https://api.slack.com/reference/block-kit/views).
const maxHomeBlocks = 100

// RenderHome is the App Home tab showing a status board: a header, then a
// line per target, open outages first, with since when (a Slack date
// token, shown in each reader's time zone).
func RenderHome(lines []board.Line) slack.HomeTabViewRequest {
	open := 0
	for _, l := range lines {
		if l.Open() {
			open++
		}
	}
	title := fmt.Sprintf("All %d targets are operational", len(lines))
	if open > 0 {
		title = fmt.Sprintf("%d of %d targets need attention", open, len(lines))
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "Status board", false, false)),
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*"+title+"*", false, false), nil, nil),
		slack.NewDividerBlock(),
	}
	for i, l := range lines {
		if len(blocks) == maxHomeBlocks-1 {
			rest := len(lines) - i
			blocks = append(blocks, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, fmt.Sprintf("and %d more", rest), false, false)))
			break
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s *%s*: %s", bot.Emoji(l.Status), escape(l.Target), l.Status.Label())
		if !l.Since.IsZero() {
			fmt.Fprintf(&b, " since <!date^%d^{date_short_pretty} {time}|%s>", l.Since.Unix(), l.Since.UTC().Format("2006-01-02 15:04 UTC"))
			if l.Title != "" {
				b.WriteString(" — " + escape(l.Title))
			}
		}
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, truncateMrkdwn(b.String(), MaxSectionText), false, false), nil, nil))
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}, CallbackID: "outagebot_status_board"}
}

// Home publishes App Home tabs.
type Home struct{ n *Notifier }

// Home returns the App Home calls of this notifier's client.
func (n *Notifier) Home() *Home { return &Home{n: n} }

// PublishHome publishes the board as user's Home tab (views.publish).
func (h *Home) PublishHome(ctx context.Context, user string, lines []board.Line) error {
	if _, err := h.n.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: RenderHome(lines)}); err != nil {
		return fmt.Errorf("slack: publish the Home tab of %s: %s", user, redact(h.n.secrets, err.Error()))
	}
	return nil
}
