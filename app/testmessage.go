package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/outagebot/outagebot/config"
	"github.com/outagebot/outagebot/i18n"
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
		_, err := io.WriteString(console, testConsoleBlock(i18n.For(cfg.Bot.Locale), ev)+"\n")
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
// console: ch nil), written in every language like a digest, so that
// each destination reads its own.
func testEvent(cfg *config.Config, ch *config.Channel, at time.Time) outage.Event {
	named := func(c config.Channel) bool { return ch == nil || strings.EqualFold(c.Name, ch.Name) }
	type some struct {
		name  string
		least sources.Status
	}
	var all []string
	var worse []some
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
			worse = append(worse, some{t.Name, sources.Status(least)})
		}
	}
	var digests []config.Digest
	for _, d := range cfg.Digests {
		if ch == nil || slices.ContainsFunc(cfg.ChannelsForDigest(d), named) {
			digests = append(digests, d)
		}
	}
	name := ""
	if ch != nil {
		name = ch.Name
	}
	write := func(p *i18n.Printer) outage.Written {
		var sections []outage.Section
		if len(all) > 0 {
			sections = append(sections, outage.Section{Heading: p.T("testmsg.all", nil), Lines: []string{strings.Join(all, ", ")}})
		}
		if len(worse) > 0 {
			var names []string
			for _, w := range worse {
				names = append(names, p.T("testmsg.or_worse", i18n.Args{"Target": w.name, "Status": p.StatusInline(w.least)}))
			}
			sections = append(sections, outage.Section{Heading: p.T("testmsg.some", nil), Lines: []string{strings.Join(names, ", ")}})
		}
		if len(digests) > 0 {
			var lines []string
			for _, d := range digests {
				lines = append(lines, p.T("testmsg.digest", i18n.Args{"Schedule": d.Schedule, "Window": p.Window(d.Window.Duration)}))
			}
			sections = append(sections, outage.Section{Heading: p.T("testmsg.digests", nil), Lines: lines})
		}
		if len(sections) == 0 {
			sections = append(sections, outage.Section{Heading: p.T("testmsg.nothing", nil),
				Lines: []string{p.T("testmsg.nothing_how", i18n.Args{"Channel": strconv.Quote(name)})}})
		}
		return outage.Written{Title: p.T("testmsg.title", nil), Body: outage.FormatSections(sections)}
	}
	en := write(i18n.For(i18n.Default))
	ev := outage.Event{
		OutageID: "test-message", Seq: 1, Kind: outage.Digest, Class: outage.DigestClass,
		Target: "outagebot", At: at, OpenedAt: at, Title: en.Title, Body: en.Body, Written: map[string]outage.Written{},
	}
	for _, lang := range i18n.Languages {
		ev.Written[lang] = write(i18n.For(lang))
	}
	return ev
}

// testConsoleBlock lays the message out as the console notifier lays out a
// digest: a dated headline, then the sections indented.
func testConsoleBlock(p *i18n.Printer, ev outage.Event) string {
	ev = ev.In(p.Lang())
	var b strings.Builder
	b.WriteString(ev.At.UTC().Format(time.DateTime))
	b.WriteString(" UTC  TEST       ")
	b.WriteString(ev.Title)
	b.WriteString(" " + p.T("testmsg.console", nil))
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
