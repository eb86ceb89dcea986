package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/outagebot/outagebot/app"
	"github.com/outagebot/outagebot/config"
)

// onlineTimeout bounds check --online: every platform is asked at once, and
// each call has its own shorter limit.
const onlineTimeout = time.Minute

// checkOnline asks the chat platforms what the bot asks them at start and
// prints what they said: who each token is, and whether each channel can be
// posted in. Problems go to stderr; it returns 1 when there is one.
func checkOnline(cfg *config.Config, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(context.Background(), onlineTimeout)
	defer cancel()
	r, err := app.CheckChat(ctx, cfg, nil)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cfg.Path, err)
		return 1
	}
	if len(r.Platforms) == 0 {
		fmt.Fprintf(stdout, "%s: no chat configured: notifications are printed to the terminal\n", cfg.Path)
		return 0
	}
	for _, l := range chatLines(r) {
		w := stdout
		if l.problem {
			w = stderr
		}
		fmt.Fprintf(w, "%s: %s\n", cfg.Path, l.text)
	}
	if !r.OK() {
		return 1
	}
	return 0
}

type chatLine struct {
	text    string
	problem bool
}

// chatLines describes a chat report, one line per platform, note and
// channel.
func chatLines(r app.ChatReport) []chatLine {
	var out []chatLine
	for _, p := range r.Platforms {
		switch p.State {
		case app.ChatReady:
			if p.Platform != "webhook" {
				out = append(out, chatLine{text: fmt.Sprintf("%s: token accepted: workspace %s, bot user %s", p.Platform, orUnknown(p.Workspace), orUnknown(p.User))})
			}
		case app.ChatUnreachable:
			out = append(out, chatLine{text: fmt.Sprintf("%s: cannot be reached, so the token is unchecked: %s", p.Platform, p.Error), problem: true})
		default:
			out = append(out, chatLine{text: fmt.Sprintf("%s: %s: %s", p.Platform, p.State, p.Error), problem: true})
		}
		for _, n := range p.Notes {
			out = append(out, chatLine{text: fmt.Sprintf("%s: note: %s", p.Platform, n)})
		}
		for _, c := range p.Channels {
			where := c.ID
			if c.Name != "" {
				where += ", " + c.Name
			}
			state := c.State
			if state == app.ChatChecking {
				state = "not checked: " + p.Platform + " did not answer"
			}
			text := fmt.Sprintf("%s: channel %q (%s): %s", p.Platform, c.Channel, where, state)
			if c.Detail != "" {
				text += ": " + c.Detail
			}
			problem := c.State == "unreachable" || c.State == "limited" || c.State == app.WebhookInvalid || c.State == app.ChatChecking
			out = append(out, chatLine{text: text, problem: problem})
		}
	}
	return out
}

func orUnknown(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(unknown)"
	}
	return s
}
