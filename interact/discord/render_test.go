package discord

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/outagebot/outagebot/bot"
)

// TestRenderGolden renders testdata/render/<case>/input.json (a bot.Answer)
// and compares the interaction response with expected.golden.
func TestRenderGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "render", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, "input.json"))
			if err != nil {
				t.Fatal(err)
			}
			var a bot.Answer
			if err := json.Unmarshal(raw, &a); err != nil {
				t.Fatal(err)
			}
			r := Render(a)
			checkLimits(t, r.Data.Embeds[0])
			if n := utf8.RuneCountInString(r.Data.Content); n > 2000 {
				t.Errorf("content is %d characters", n)
			}
			golden(t, filepath.Join("render", name, "expected.golden"), indent(t, marshal(t, r)))
		})
	}
}

// checkLimits asserts Discord's embed limits
// (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
func checkLimits(t *testing.T, e *discordgo.MessageEmbed) {
	t.Helper()
	n := utf8.RuneCountInString
	total := n(e.Title) + n(e.Description)
	if n(e.Title) > 256 || n(e.Description) > 4096 || len(e.Fields) > 25 {
		t.Errorf("title %d, description %d, %d fields", n(e.Title), n(e.Description), len(e.Fields))
	}
	for i, f := range e.Fields {
		if f.Name == "" || f.Value == "" || n(f.Name) > 256 || n(f.Value) > 1024 {
			t.Errorf("field %d: name %d, value %d characters", i, n(f.Name), n(f.Value))
		}
		total += n(f.Name) + n(f.Value)
	}
	if e.Footer != nil {
		total += n(e.Footer.Text)
	}
	if total > 6000 {
		t.Errorf("embed totals %d characters", total)
	}
	if e.Title == "" && e.Description == "" && len(e.Fields) == 0 {
		t.Errorf("empty embed")
	}
}

func TestRenderFlags(t *testing.T) {
	cases := []struct {
		a         bot.Answer
		ephemeral bool
		content   string
	}{
		{bot.Answer{Title: "x"}, true, ""},
		{bot.Answer{Title: "x", Problem: true}, true, ""},
		{bot.Answer{Title: "x", Public: true}, false, ""},
		{bot.Answer{Title: "x", Announce: "🔔 <@1> unmuted *GitHub*."}, false, "🔔 <@1> unmuted **GitHub**."},
		{bot.Answer{Title: "x", Announce: strings.Repeat("a", 2500)}, false, strings.Repeat("a", 1999) + "…"},
	}
	for i, tc := range cases {
		r := Render(tc.a)
		if eph := r.Data.Flags&discordgo.MessageFlagsEphemeral != 0; eph != tc.ephemeral || r.Data.Content != tc.content {
			t.Errorf("%d: ephemeral %v, content %q; want %v, %q", i, eph, r.Data.Content, tc.ephemeral, tc.content)
		}
		if r.Data.AllowedMentions == nil || len(r.Data.AllowedMentions.Parse) != 0 || r.Data.AllowedMentions.Parse == nil {
			t.Errorf("%d: mentions allowed", i)
		}
	}
}

// TestRenderManySections: more sections than fields never breaks a limit,
// and what is left out is counted.
func TestRenderManySections(t *testing.T) {
	a := bot.Answer{Title: "many"}
	for i := range 40 {
		a.Sections = append(a.Sections, bot.Section{Heading: fmt.Sprintf("Section %d", i), Lines: []string{"one", "two"}})
	}
	e := Embed(a)
	checkLimits(t, e)
	if len(e.Fields) != 25 || e.Footer == nil || e.Footer.Text != "30 more lines did not fit" {
		t.Errorf("%d fields, footer %+v", len(e.Fields), e.Footer)
	}
}

func TestMarkdown(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{"*GitHub*: operational", "**GitHub**: operational"},
		{"🟢 *GitHub*: ok and *Slack*: ok", "🟢 **GitHub**: ok and **Slack**: ok"},
		{"already **bold**", "already **bold**"},
		{"`code *not bold*` but *this*", "`code *not bold*` but **this**"},
		{"2*3*4 is math", "2*3*4 is math"},
		{"a * b * c", "a * b * c"},
		{"*unclosed", "*unclosed"},
		{"**", "**"},
		{"*", "*"},
		{"*a*", "**a**"},
		{"(*x*)", "(**x**)"},
		{"*two\nlines*", "*two\nlines*"},
		{"*Ünïcode*!", "**Ünïcode**!"},
		// Vendor text in answers: masked links and mass mentions are inert.
		{"🔴 [Reset your password](https://evil.example) — since 10:00", "🔴 [Reset your password]\u200b(https://evil.example) — since 10:00"},
		{"*Acme*: [x](javascript:alert(1)) @everyone @Here", "**Acme**: [x]\u200b(javascript:alert(1)) @\u200beveryone @\u200bHere"},
		{"`incidents [window]` lists outages", "`incidents [window]` lists outages"},
	}
	for _, tc := range cases {
		if got := Markdown(tc.in); got != tc.want {
			t.Errorf("Markdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestChoices(t *testing.T) {
	names := []string{"Stripe", "GitHub", "Google Cloud", "OpenAI", "GitLab", "Slack", strings.Repeat("L", 101), "Status Page"}
	cases := []struct{ q, want string }{
		{"", "Stripe,GitHub,Google Cloud,OpenAI,GitLab,Slack,Status Page"},
		{"git", "GitHub,GitLab"},
		{"GIT", "GitHub,GitLab"},
		{"s", "Stripe,Slack,Status Page"},
		{"o", "OpenAI,Google Cloud"},
		{"la", "GitLab,Slack"},
		{"  open ", "OpenAI"},
		{"zzz", ""},
	}
	for _, tc := range cases {
		var got []string
		for _, c := range Choices(names, tc.q) {
			if c.Name != c.Value {
				t.Errorf("choice %q has value %v", c.Name, c.Value)
			}
			got = append(got, c.Name)
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("Choices(%q) = %s, want %s", tc.q, strings.Join(got, ","), tc.want)
		}
	}
}

func TestRequestFor(t *testing.T) {
	cases := []struct {
		ix   *discordgo.Interaction
		want string
	}{
		{interaction(discordgo.InteractionApplicationCommand, "status"), "status"},
		{interaction(discordgo.InteractionApplicationCommand, "status", option{name: "target", value: " Google   Cloud "}), "status Google Cloud"},
		{interaction(discordgo.InteractionApplicationCommand, "incidents", option{name: "window", value: "7d"}), "incidents 7d"},
		{interaction(discordgo.InteractionApplicationCommand, "uptime", option{name: "target", value: "github"}, option{name: "window", value: "7d"}), "uptime github 7d"},
		{interaction(discordgo.InteractionApplicationCommand, "uptime", option{name: "window", value: "30d"}), "uptime 30d"},
		{interaction(discordgo.InteractionApplicationCommand, "digest", option{name: "window", value: "7d"}), "digest 7d"},
		{interaction(discordgo.InteractionApplicationCommand, "digest"), "digest"},
		{interaction(discordgo.InteractionApplicationCommand, "mute", option{name: "reason", value: "deploy"}, option{name: "duration", value: "2h"}, option{name: "target", value: "github"}), "mute github 2h deploy"},
		{interaction(discordgo.InteractionApplicationCommand, "unmute", option{name: "target", value: "github"}), "unmute github"},
		{interaction(discordgo.InteractionApplicationCommand, "outagebot-help"), "help"},
	}
	for _, tc := range cases {
		r, ok := RequestFor(tc.ix)
		if !ok || r.Text != tc.want || r.User != "<@"+testUser+">" {
			t.Errorf("%s: %+v %v, want %q", tc.ix.ApplicationCommandData().Name, r, ok, tc.want)
		}
	}
	dm := interaction(discordgo.InteractionApplicationCommand, "status")
	dm.Member, dm.User = nil, &discordgo.User{ID: "42"}
	if r, _ := RequestFor(dm); r.User != "<@42>" {
		t.Errorf("DM user %q", r.User)
	}
	if _, ok := RequestFor(interaction(discordgo.InteractionApplicationCommand, "nope")); ok {
		t.Errorf("an unknown command mapped")
	}
}
