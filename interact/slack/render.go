package slack

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackutilsx"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
	notifyslack "github.com/outagebot/outagebot/notifier/slack"
)

// maxSocketAck bounds a Socket Mode ack: Slack silently drops a websocket
// response of 20 KB or more (slack-go's socketmode refuses to send one).
// The margin leaves room for the envelope around the payload.
const maxSocketAck = 20*1024 - 512

// Response answers a slash command: the body of the HTTP response, and the
// payload of the Socket Mode ack
// (https://api.slack.com/interactivity/slash-commands#responding_to_commands).
//
// It is not slack.Msg: that type always serializes replace_original,
// delete_original and an empty metadata object, which a command response
// has no use for.
type Response struct {
	// ResponseType is "ephemeral" (only the person who asked sees it) or
	// "in_channel" (everyone in the channel does, with the command).
	ResponseType string `json:"response_type"`
	// Text is the plain fallback: notifications and screen readers.
	Text   string       `json:"text"`
	Blocks slack.Blocks `json:"blocks"`
	// lang is the answer's language, for the note fit adds.
	lang string
}

// Render turns an answer into Slack's JSON: a header with the title, a
// section per answer section (split to fit Slack's 3000 characters per
// section, at most 50 blocks, the last saying how many lines were left
// out) and a plain text fallback.
//
// An answer is ephemeral unless it is Public. An answer that Announces
// something (a mute, an unmute) is in_channel, with the announcement as its
// first block: a slash command's response is a single message, and making
// that message public is the one way to show the channel the announcement
// without a Web API call (chat.postMessage would need the bot in the
// channel and a token here) or a second round trip (response_url). The
// channel then also sees who ran the command, which is the point of
// announcing a mute.
//
// Text from the answer is escaped for mrkdwn (&, <, >), so nothing in a
// target name, a vendor's title or a mute reason can become a link or a
// <!channel> ping; user mentions of the form <@U123>, which the commands
// use to name who muted what, are kept.
func Render(a bot.Answer) Response {
	p := i18n.For(a.Lang)
	r := Response{ResponseType: slack.ResponseTypeEphemeral, lang: p.Lang()}
	if a.Public || a.Announce != "" {
		r.ResponseType = slack.ResponseTypeInChannel
	}

	blocks := make([]slack.Block, 0, 2+len(a.Sections)) // never null in JSON
	if a.Announce != "" {
		blocks = append(blocks, section(truncateMrkdwn(mrkdwn(a.Announce), notifyslack.MaxSectionText)))
	}
	if t := headerText(a); t != "" {
		blocks = append(blocks, slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, t, true, false)))
	}
	// lines[i] is how many answer lines blocks[i] carries, to say how many
	// were left out when the answer does not fit.
	lines := make([]int, len(blocks), len(blocks)+len(a.Sections))
	for _, s := range a.Sections {
		for _, c := range chunks(s) {
			blocks = append(blocks, section(c.text))
			lines = append(lines, c.lines)
		}
	}
	if len(blocks) > notifyslack.MaxBlocks {
		keep := notifyslack.MaxBlocks - 1
		left := 0
		for _, n := range lines[keep:] {
			left += n
		}
		blocks = append(blocks[:keep], moreNote(p, left))
	}
	r.Blocks = slack.Blocks{BlockSet: blocks}

	text := a.Text()
	if a.Announce != "" {
		text = a.Announce + "\n\n" + text
	}
	r.Text = truncateMrkdwn(mrkdwn(text), notifyslack.MaxFallbackText)
	if strings.TrimSpace(r.Text) == "" {
		r.Text = p.T("interact.no_answer", nil) // Slack refuses a message with neither text nor blocks
	}
	return r
}

// headerText is the title as a header block shows it: plain text, so the
// backticks of a usage line are dropped; a problem is marked.
func headerText(a bot.Answer) string {
	t := strings.TrimSpace(strings.ReplaceAll(a.Title, "`", ""))
	if t == "" {
		return ""
	}
	if a.Problem {
		t = "⚠️ " + t
	}
	return truncateRunes(t, notifyslack.MaxHeaderText)
}

// chunk is the text of one section block and how many answer lines it
// carries (the heading is not one).
type chunk struct {
	text  string
	lines int
}

// chunks renders a section as mrkdwn cut at line boundaries into pieces of
// at most MaxSectionText runes; the heading leads the first piece and a
// line too long for a piece of its own is truncated.
func chunks(s bot.Section) []chunk {
	var out []chunk
	var b strings.Builder
	runes, n := 0, 0
	add := func(line string, counts bool) {
		line = truncateMrkdwn(line, notifyslack.MaxSectionText)
		w := utf8.RuneCountInString(line)
		if b.Len() > 0 && runes+1+w > notifyslack.MaxSectionText {
			out = append(out, chunk{b.String(), n})
			b.Reset()
			runes, n = 0, 0
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			runes++
		}
		b.WriteString(line)
		runes += w
		if counts {
			n++
		}
	}
	if s.Heading != "" {
		add("*"+mrkdwn(s.Heading)+"*", false)
	}
	for _, l := range s.Lines {
		add(mrkdwn(l), true)
	}
	if b.Len() > 0 {
		out = append(out, chunk{b.String(), n})
	}
	// A section's text must not be blank.
	return dropBlank(out)
}

func dropBlank(cs []chunk) []chunk {
	out := cs[:0]
	for _, c := range cs {
		if strings.TrimSpace(c.text) != "" {
			out = append(out, c)
		}
	}
	return out
}

func moreNote(p *i18n.Printer, lines int) slack.Block {
	text := p.T("interact.slack.shortened", nil)
	if lines > 0 {
		text = p.N("interact.slack.more", lines, nil)
	}
	return slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, text, false, false))
}

func section(text string) slack.Block {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)
}

// fit shortens r until its JSON is under max bytes, for Socket Mode acks:
// the fallback text first, then blocks from the end, the last block
// becoming a note that the answer was shortened. An answer already small
// enough is returned as it is.
func (r Response) fit(max int) Response {
	if size(r) < max {
		return r
	}
	r.Text = truncateMrkdwn(r.Text, 500)
	all := r.Blocks.BlockSet
	for keep := len(all) - 1; size(r) >= max && keep > 0; keep-- {
		r.Blocks = slack.Blocks{BlockSet: append(slices.Clip(all[:keep]), moreNote(i18n.For(r.lang), 0))}
	}
	return r
}

func size(r Response) int {
	b, err := json.Marshal(r)
	if err != nil {
		return 0
	}
	return len(b)
}

// mentionEscaped is a user mention after escaping: "&lt;@U123&gt;".
var mentionEscaped = regexp.MustCompile(`&lt;@([UW][A-Z0-9]+)&gt;`)

// groupEscaped is a user group mention after escaping:
// "&lt;!subteam^S123&gt;".
var groupEscaped = regexp.MustCompile(`&lt;!subteam\^(S[A-Z0-9]+)&gt;`)

// mrkdwn escapes plain text for Slack (&, <, >) and restores user
// mentions.
func mrkdwn(s string) string {
	s = slackutilsx.EscapeMessage(s)
	if strings.Contains(s, "&lt;@") {
		s = mentionEscaped.ReplaceAllString(s, "<@$1>")
	}
	return s
}

// ellipsis marks text that was cut.
const ellipsis = "…"

// truncateRunes cuts s to at most max runes, the last being an ellipsis
// when it was cut.
func truncateRunes(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	if max <= 0 {
		return ""
	}
	n := 0
	for i := range s {
		if n == max-1 {
			return s[:i] + ellipsis
		}
		n++
	}
	return s
}

// truncateMrkdwn cuts escaped mrkdwn to max runes without leaving half an
// entity (&amp;) at the end.
func truncateMrkdwn(esc string, max int) string {
	if utf8.RuneCountInString(esc) <= max {
		return esc
	}
	cut := strings.TrimSuffix(truncateRunes(esc, max), ellipsis)
	if amp := strings.LastIndexByte(cut, '&'); amp >= 0 && !strings.Contains(cut[amp:], ";") {
		cut = cut[:amp]
	}
	return cut + ellipsis
}
