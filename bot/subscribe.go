package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/outagebot/outagebot/store"
)

// Followed is something a channel can subscribe to, as the directory
// resolved it.
type Followed struct {
	// Kind is store.SubTarget, SubGroup or SubVendor; Name is its key (a
	// vendor's catalog name; a target's or group's name).
	Kind string
	Name string
	// Display is how answers name it ("GitHub").
	Display string
	// Runtime is set for a catalog vendor the configuration does not
	// watch: subscribing starts watching it, every Interval.
	Runtime  bool
	Interval string
}

// Directory resolves what a channel may follow; the app builds it from the
// configuration and the vendor catalog.
type Directory interface {
	// Find resolves a name (a target, a group or a catalog vendor,
	// ignoring case); when nothing fits it returns close names instead.
	Find(name string) (f Followed, suggestions []string, ok bool)
	// Names lists every name Find knows, for autocompletion.
	Names() []string
}

// SubscriptionStore keeps subscriptions (*store.Store).
type SubscriptionStore interface {
	Subscribe(ctx context.Context, sub store.Subscription) (created, changed bool, prev store.Subscription, err error)
	Unsubscribe(ctx context.Context, platform, channel, kind, name string) (bool, error)
	Subscriptions(ctx context.Context, platform, channel string) ([]store.Subscription, error)
}

// Subscriptions answers subscribe, unsubscribe and subscriptions.
type Subscriptions struct {
	Store SubscriptionStore
	Dir   Directory
	// Configured lists, one line each, what the configuration itself
	// sends to a chat channel.
	Configured func(platform, channel string) []string
	// Off, when set, says why subscriptions are not taken here ([bot]
	// chat_subscriptions = false).
	Off string
	// Serves reports whether the bot posts to that platform's channels.
	Serves func(platform string) bool
	// Changed is told that subscriptions changed, so the leader applies
	// them (new runtime targets, new destinations) without waiting.
	Changed func()
}

// Severities a subscription may start from, least first.
var Severities = []string{"degraded", "partial_outage", "major_outage"}

// ParseSeverity reads a least severity as people type it: "major_outage",
// "Major-Outage", "major outage" is two words and not accepted.
func ParseSeverity(s string) (string, bool) {
	s = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
	for _, v := range Severities {
		if s == v {
			return v, true
		}
	}
	return "", false
}

func severityText(min string) string {
	if min == "" {
		return "every outage, maintenance and unreachable notice"
	}
	return "outages from " + min + " up"
}

// where names a channel in an answer (Slack and Discord both show
// <#id> as the channel's name).
func where(r Request) string { return "<#" + r.Channel + ">" }

// check says why r may not change subscriptions, if it may not.
// (Who may subscribe and unsubscribe is the request's Permit, checked
// before: see allowed.)
func (s *Subscriptions) check(r Request) (Answer, bool) {
	switch {
	case s == nil || s.Store == nil:
		return problem("Subscriptions are not available here"), false
	case s.Off != "":
		return problem("Subscriptions from chat are turned off here", s.Off), false
	case r.Platform != "slack" && r.Platform != "discord", r.Channel == "":
		return problem("Subscriptions work in Slack and Discord channels", "Run the command in the channel that should receive the alerts."), false
	case s.Serves != nil && !s.Serves(r.Platform):
		return problem("I do not post to "+upperFirst(r.Platform)+" here", "Add a ["+r.Platform+"] section with a bot token to the configuration first."), false
	}
	return Answer{}, true
}

func (c *Commands) subscribe(ctx context.Context, r Request, args []string) Answer {
	s := c.Subs
	if a, ok := s.check(r); !ok {
		return a
	}
	if len(args) == 0 {
		return problem("Usage: `subscribe <target, group or vendor> [least severity]`", "For example `subscribe github` or `subscribe payments partial_outage`; least severity is one of "+strings.Join(Severities, ", ")+".")
	}
	f, min, a, ok := s.parse(args)
	if !ok {
		return a
	}
	created, changed, prev, err := s.Store.Subscribe(ctx, store.Subscription{
		Platform: r.Platform, Channel: r.Channel, Kind: f.Kind, Name: f.Name, MinSeverity: min,
		CreatedBy: r.User, CreatedAt: c.now(),
	})
	if err != nil {
		return problem("The subscription could not be saved", err.Error())
	}
	if !created && !changed {
		return Answer{Title: fmt.Sprintf("%s already follows %s", where(r), f.Display), Sections: []Section{{Lines: []string{
			fmt.Sprintf("Subscribed by %s on %s, for %s.", prev.CreatedBy, clock(prev.CreatedAt), severityText(prev.MinSeverity)),
		}}}}
	}
	if s.Changed != nil {
		s.Changed()
	}
	if changed {
		return Answer{
			Title:    fmt.Sprintf("%s follows %s from now on for %s", where(r), f.Display, severityText(min)),
			Sections: []Section{{Lines: []string{"It followed " + severityText(prev.MinSeverity) + " before."}}},
			Announce: fmt.Sprintf("🔔 %s changed this channel's subscription to %s: %s.", r.User, f.Display, severityText(min)),
		}
	}
	lines := []string{
		fmt.Sprintf("New outages of %s are posted here (%s), with their updates and restoration in a thread. An outage already open now is not; the next one is.", f.Display, severityText(min)),
	}
	if f.Runtime {
		lines = append(lines, fmt.Sprintf("%s is not in the configuration: I watch it from now on with the catalog's settings (every %s), and announce any incident it has open on the first poll.", f.Display, f.Interval))
	}
	lines = append(lines, "`unsubscribe "+f.Name+"` stops it; `subscriptions` lists what this channel follows.")
	return Answer{
		Title:    fmt.Sprintf("🔔 %s now follows %s", where(r), f.Display),
		Sections: []Section{{Lines: lines}},
		Announce: fmt.Sprintf("🔔 %s subscribed this channel to %s (%s).", r.User, f.Display, severityText(min)),
	}
}

// parse reads `<name...> [severity]`: the whole text as a name first, then
// all but the last word with the last as the severity.
func (s *Subscriptions) parse(args []string) (Followed, string, Answer, bool) {
	name := strings.Join(args, " ")
	if f, _, ok := s.Dir.Find(name); ok {
		return f, "", Answer{}, true
	}
	if len(args) > 1 {
		base := strings.Join(args[:len(args)-1], " ")
		if f, _, ok := s.Dir.Find(base); ok {
			min, ok := ParseSeverity(args[len(args)-1])
			if !ok {
				return Followed{}, "", problem(fmt.Sprintf("I don't know the severity %q", clip(args[len(args)-1])),
					"Give one of "+strings.Join(Severities, ", ")+", or leave it out to hear of everything (maintenance included).",
					fmt.Sprintf("For example `subscribe %s partial_outage`.", f.Name)), false
			}
			return f, min, Answer{}, true
		}
		if _, ok := ParseSeverity(args[len(args)-1]); ok {
			name = base
		}
	}
	_, close, _ := s.Dir.Find(name)
	lines := []string{"I can follow a configured target, a group of targets, or a vendor of the catalog (`outagebot vendors` lists them)."}
	if len(close) > 0 {
		lines = append([]string{"Did you mean " + strings.Join(close, " or ") + "?"}, lines...)
	}
	return Followed{}, "", problem(fmt.Sprintf("I don't know a target, group or vendor called %q", clip(name)), lines...), false
}

func (c *Commands) unsubscribe(ctx context.Context, r Request, args []string) Answer {
	s := c.Subs
	if a, ok := s.check(r); !ok {
		return a
	}
	if len(args) == 0 {
		return problem("Usage: `unsubscribe <target, group or vendor>`", "`subscriptions` lists what this channel follows.")
	}
	name := strings.Join(args, " ")
	subs, err := s.Store.Subscriptions(ctx, r.Platform, r.Channel)
	if err != nil {
		return problem("The subscriptions are not available right now", err.Error())
	}
	// What the channel follows first: a vendor gone from the catalog, a
	// target gone from the configuration can still be unsubscribed.
	var hit *store.Subscription
	for i := range subs {
		if strings.EqualFold(subs[i].Name, name) {
			hit = &subs[i]
			break
		}
	}
	display := name
	runtime := false
	if f, _, ok := s.Dir.Find(name); ok {
		display, runtime = f.Display, f.Runtime
		if hit == nil {
			for i := range subs {
				if subs[i].Kind == f.Kind && subs[i].Name == strings.ToLower(f.Name) {
					hit = &subs[i]
				}
			}
		}
	}
	if hit == nil {
		a := Answer{Title: fmt.Sprintf("%s does not follow %s", where(r), display)}
		var names []string
		for _, sb := range subs {
			names = append(names, sb.Name)
		}
		if len(names) > 0 {
			a.Sections = []Section{{Lines: []string{"It follows " + strings.Join(names, ", ") + "."}}}
		}
		return a
	}
	was, err := s.Store.Unsubscribe(ctx, r.Platform, r.Channel, hit.Kind, hit.Name)
	if err != nil {
		return problem("The subscription could not be removed", err.Error())
	}
	if !was {
		return Answer{Title: fmt.Sprintf("%s does not follow %s", where(r), display)}
	}
	if s.Changed != nil {
		s.Changed()
	}
	lines := []string{"Nothing more of " + display + " is posted here because of this subscription, not even to a thread it has open here; what the configuration sends here stays."}
	if runtime {
		lines = append(lines, display+" is not in the configuration: when no channel follows it any more, I stop watching it, and an outage of it that is open stays unresolved in the history.")
	}
	return Answer{
		Title:    fmt.Sprintf("🔕 %s no longer follows %s", where(r), display),
		Sections: []Section{{Lines: lines}},
		Announce: fmt.Sprintf("🔕 %s unsubscribed this channel from %s.", r.User, display),
	}
}

func (c *Commands) subscriptions(ctx context.Context, r Request) Answer {
	s := c.Subs
	if a, ok := s.check(r); !ok {
		return a
	}
	subs, err := s.Store.Subscriptions(ctx, r.Platform, r.Channel)
	if err != nil {
		return problem("The subscriptions are not available right now", err.Error())
	}
	var conf []string
	if s.Configured != nil {
		conf = s.Configured(r.Platform, r.Channel)
	}
	a := Answer{Title: "What " + where(r) + " hears of"}
	if len(conf) > 0 {
		a.Sections = append(a.Sections, Section{Heading: "From the configuration", Lines: conf})
	}
	if len(subs) > 0 {
		var lines []string
		for _, sb := range subs {
			display := sb.Name
			if f, _, ok := s.Dir.Find(sb.Name); ok && f.Kind == sb.Kind {
				display = f.Display
				if f.Runtime {
					display += " (watched for chat subscriptions)"
				}
			}
			lines = append(lines, fmt.Sprintf("%s %s — %s; by %s on %s", sb.Kind, display, severityText(sb.MinSeverity), sb.CreatedBy, clock(sb.CreatedAt)))
		}
		a.Sections = append(a.Sections, Section{Heading: "From chat (`unsubscribe <name>` to stop)", Lines: lines})
	}
	if len(conf) == 0 && len(subs) == 0 {
		a.Title = where(r) + " follows nothing"
		a.Sections = []Section{{Lines: []string{"`subscribe <target, group or vendor>` posts its outages here, e.g. `subscribe github`."}}}
	} else if len(conf) > 0 && len(subs) > 0 {
		a.Sections = append(a.Sections, Section{Lines: []string{"An outage that both send is posted here once."}})
	}
	return a
}

// FollowNames lists what subscribe takes, for autocompletion: targets,
// groups and catalog vendors (the targets alone without subscriptions).
func (c *Commands) FollowNames() []string {
	if c.Subs == nil || c.Subs.Dir == nil || c.Subs.Off != "" {
		return c.TargetNames()
	}
	return c.Subs.Dir.Names()
}
