package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// TestMessageTitle heads the message outagebot test-message posts.
const TestMessageTitle = "outagebot test message: this channel is set up"

// testMessageTimeout bounds the post to one destination.
const testMessageTimeout = 30 * time.Second

// TestResult is one destination's answer to a test message.
type TestResult struct {
	// Platform is slack, discord, webhook or console; Address the channel
	// id, or a webhook's URL with its secret hidden.
	Platform string
	Address  string
	// Err is the platform's reason when the post failed; it never holds a
	// secret.
	Err error
}

// TestMessage posts a test message to every platform of the configured
// channel, saying what will be posted there, and returns each platform's
// answer. Without chat it prints the message to console, as the bot would
// print its notifications. now dates the message (nil: time.Now).
func TestMessage(ctx context.Context, cfg *config.Config, channel string, console io.Writer, log *slog.Logger, now func() time.Time) ([]TestResult, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	if !cfg.Chat() {
		ev := testEvent(cfg, nil, now())
		_, err := io.WriteString(console, testConsoleBlock(ev)+"\n")
		return []TestResult{{Platform: "console", Err: err}}, nil
	}
	i := slices.IndexFunc(cfg.Channels, func(ch config.Channel) bool { return strings.EqualFold(ch.Name, channel) })
	if i < 0 {
		names := make([]string, len(cfg.Channels))
		for j, ch := range cfg.Channels {
			names[j] = ch.Name
		}
		return nil, fmt.Errorf("no channel %q in %s (channels: %s)", channel, cfg.Path, strings.Join(names, ", "))
	}
	ch := cfg.Channels[i]
	ev := testEvent(cfg, &ch, now())
	var out []TestResult
	for _, d := range destinationsOf(ch) {
		r := TestResult{Platform: d.Platform, Address: d.Address}
		if d.Platform == "webhook" {
			r.Address = redactWebhook(d.Address)
		}
		n, _, _, err := chatNotifier(cfg, d, log.With("dest", d.String()))
		if err == nil {
			dctx, cancel := context.WithTimeout(ctx, testMessageTimeout)
			// A fresh id per run: Discord answers a repeated nonce with the
			// earlier message instead of posting again.
			_, err = n.Deliver(dctx, notifier.Delivery{OutboxID: rand.Int64N(1<<62) + 1, Destination: d, Event: ev})
			cancel()
		}
		r.Err = err
		out = append(out, r)
	}
	return out, nil
}

// testEvent is the test message as a digest-like event: a title and
// sections saying what the channel will receive (everything, for the
// console: ch nil).
func testEvent(cfg *config.Config, ch *config.Channel, at time.Time) outage.Event {
	named := func(c config.Channel) bool { return ch == nil || strings.EqualFold(c.Name, ch.Name) }
	var all, some []string
	for _, t := range cfg.Targets {
		if ch == nil {
			all = append(all, t.Name)
			continue
		}
		least := ""
		found := false
		for _, d := range cfg.DeliveriesFor(t) {
			if !named(d.Channel) {
				continue
			}
			// The least demanding route to this channel wins.
			if !found || d.MinSeverity == "" || (least != "" && meets(sources.Status(least), d.MinSeverity)) {
				least = d.MinSeverity
			}
			found = true
		}
		switch {
		case !found:
		case least == "":
			all = append(all, t.Name)
		default:
			some = append(some, t.Name+" ("+strings.ReplaceAll(least, "_", " ")+" or worse)")
		}
	}
	var digests []string
	for _, d := range cfg.Digests {
		if ch == nil || slices.ContainsFunc(cfg.ChannelsForDigest(d), named) {
			digests = append(digests, fmt.Sprintf("%s, covering the last %s", d.Schedule, bot.FormatWindow(d.Window.Duration)))
		}
	}
	var sections []outage.Section
	if len(all) > 0 {
		sections = append(sections, outage.Section{Heading: "Outages posted here: each start, its updates in a thread, and its end",
			Lines: []string{strings.Join(all, ", ")}})
	}
	if len(some) > 0 {
		sections = append(sections, outage.Section{Heading: "Only the worse outages of", Lines: []string{strings.Join(some, ", ")}})
	}
	if len(digests) > 0 {
		sections = append(sections, outage.Section{Heading: "Digests", Lines: digests})
	}
	if len(sections) == 0 {
		name := ""
		if ch != nil {
			name = ch.Name
		}
		sections = append(sections, outage.Section{Heading: "Nothing is routed here yet",
			Lines: []string{fmt.Sprintf("add %q to a target's channels (or a [[route]] or [[digest]]) to have outages posted here", name)}})
	}
	return outage.Event{
		OutageID: "test-message", Seq: 1, Kind: outage.Digest, Class: outage.DigestClass,
		Target: "outagebot", At: at, OpenedAt: at, Title: TestMessageTitle, Body: outage.FormatSections(sections),
	}
}

// testConsoleBlock lays the message out as the console notifier lays out a
// digest: a dated headline, then the sections indented.
func testConsoleBlock(ev outage.Event) string {
	var b strings.Builder
	b.WriteString(ev.At.UTC().Format(time.DateTime))
	b.WriteString(" UTC  TEST       ")
	b.WriteString(ev.Title)
	b.WriteString(" (no chat is configured: notifications are printed here)")
	for _, s := range outage.ParseSections(ev.Body) {
		b.WriteString("\n    ")
		b.WriteString(s.Heading)
		for _, l := range s.Lines {
			b.WriteString("\n      ")
			b.WriteString(l)
		}
	}
	return b.String()
}
