package slack

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/outagebot/outagebot/board"
	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
)

// maxHomeBlocks is Block Kit's limit of blocks in a Home tab view
// (https://api.slack.com/reference/block-kit/views).
const maxHomeBlocks = 100

// RenderHome is the App Home tab showing a status board in p's language:
// a header, then a line per target, open outages first, with since when (a
// Slack date token, shown in each reader's time zone).
func RenderHome(p *i18n.Printer, lines []board.Line) slack.HomeTabViewRequest {
	open := 0
	for _, l := range lines {
		if l.Open() {
			open++
		}
	}
	title := p.N("board.all_operational", len(lines), nil)
	switch {
	case len(lines) == 0:
		// The tab shows what the reader's channels follow.
		title = p.T("board.slack.none", nil)
	case open > 0:
		title = p.N("board.attention", open, i18n.Args{"Total": len(lines)})
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, p.T("board.heading", nil), false, false)),
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*"+title+"*", false, false), nil, nil),
		slack.NewDividerBlock(),
	}
	for i, l := range lines {
		if len(blocks) == maxHomeBlocks-1 {
			rest := len(lines) - i
			blocks = append(blocks, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, p.T("board.more", i18n.Args{"Count": rest}), false, false)))
			break
		}
		args := i18n.Args{"Status": p.StatusInline(l.Status)}
		if !l.Since.IsZero() {
			args["Since"] = fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", l.Since.Unix(), l.Since.UTC().Format("2006-01-02 15:04 UTC"))
			args["Title"] = escape(l.Title)
		}
		line := fmt.Sprintf("%s *%s*: %s", bot.Emoji(l.Status), escape(l.Target), p.T("board.slack.state", args))
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, truncateMrkdwn(line, MaxSectionText), false, false), nil, nil))
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}, CallbackID: "outagebot_status_board"}
}

// Home publishes App Home tabs.
type Home struct {
	n *Notifier
	p *i18n.Printer
}

// Home returns the App Home calls of this notifier's client, writing the
// board in lang. Slack's app_home_opened event does not say the user's
// language (only a users.info call per user would), so every user's Home
// tab is in one language: [bot] locale.
func (n *Notifier) Home(lang string) *Home { return &Home{n: n, p: i18n.For(lang)} }

// PublishHome publishes the board as user's Home tab (views.publish).
func (h *Home) PublishHome(ctx context.Context, user string, lines []board.Line) error {
	if _, err := h.n.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: RenderHome(h.p, lines)}); err != nil {
		return fmt.Errorf("slack: publish the Home tab of %s: %s", user, redact(h.n.secrets, err.Error()))
	}
	return nil
}
