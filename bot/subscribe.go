package bot

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/store"
)

// Followed is something a channel can subscribe to, as the directory
// resolved it.
type Followed struct {
	// Kind is store.SubTarget, SubGroup or SubVendor; Name is its key (a
	// vendor's catalog name; a target's or group's name).
	Kind string
	Name string
	// Display is how answers name it ("GitHub"; a group's name, which
	// answers call "the group payments").
	Display string
	// Runtime is set for a catalog vendor the configuration does not
	// watch: subscribing starts watching it, every Interval.
	Runtime  bool
	Interval time.Duration
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

// Delivery is one target the configuration itself sends to a chat
// channel.
type Delivery struct {
	Target string
	// MinSeverity is the least severity sent; "" is everything.
	MinSeverity string
	// Channel is the [[channel]]'s name.
	Channel string
}

// Subscriptions answers subscribe, unsubscribe and subscriptions.
type Subscriptions struct {
	Store SubscriptionStore
	Dir   Directory
	// Configured lists what the configuration itself sends to a chat
	// channel.
	Configured func(platform, channel string) []Delivery
	// Off turns subscriptions from chat away ([bot] chat_subscriptions =
	// false).
	Off bool
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

// severityText is what a subscription of least severity min sends.
func severityText(p *i18n.Printer, min string) string {
	if min == "" {
		return p.T("cmd.subs.everything", nil)
	}
	return p.T("cmd.subs.from_severity", i18n.Args{"Severity": min})
}

// display names f in an answer.
func display(p *i18n.Printer, f Followed) string {
	if f.Kind == store.SubGroup {
		return p.T("cmd.subs.group", i18n.Args{"Name": f.Display})
	}
	return f.Display
}

// kindIDs name what a subscription follows, with its kind, in a list.
var kindIDs = map[string]string{
	store.SubTarget: "cmd.subs.kind.target",
	store.SubGroup:  "cmd.subs.kind.group",
	store.SubVendor: "cmd.subs.kind.vendor",
}

func withKind(p *i18n.Printer, kind, name string) string {
	if id, ok := kindIDs[kind]; ok {
		return p.T(id, i18n.Args{"Name": name})
	}
	return kind + " " + name
}

// where names a channel in an answer (Slack and Discord both show
// <#id> as the channel's name).
func where(r Request) string { return "<#" + r.Channel + ">" }

// check says why r may not change subscriptions, if it may not.
// (Who may subscribe and unsubscribe is the request's Permit, checked
// before: see allowed.)
func (s *Subscriptions) check(p *i18n.Printer, r Request) (Answer, bool) {
	switch {
	case s == nil || s.Store == nil:
		return problem(p.T("cmd.subs.unavailable", nil)), false
	case s.Off:
		return problem(p.T("cmd.subs.off", nil), p.T("cmd.subs.off_why", nil)), false
	case r.Platform != "slack" && r.Platform != "discord", r.Channel == "":
		return problem(p.T("cmd.subs.platforms", nil), p.T("cmd.subs.platforms_hint", nil)), false
	case s.Serves != nil && !s.Serves(r.Platform):
		return problem(p.T("cmd.subs.not_served", i18n.Args{"Platform": upperFirst(r.Platform)}),
			p.T("cmd.subs.not_served_hint", i18n.Args{"Section": r.Platform})), false
	}
	return Answer{}, true
}

func (c *Commands) subscribe(ctx context.Context, r Request, args []string) Answer {
	s, p := c.Subs, r.private()
	if a, ok := s.check(p, r); !ok {
		return a
	}
	if len(args) == 0 {
		return problem(p.T("cmd.subscribe.usage", nil), p.T("cmd.subscribe.example", i18n.Args{"Severities": strings.Join(Severities, ", ")}))
	}
	f, min, a, ok := s.parse(p, args)
	if !ok {
		return a
	}
	created, changed, prev, err := s.Store.Subscribe(ctx, store.Subscription{
		Platform: r.Platform, Channel: r.Channel, Kind: f.Kind, Name: f.Name, MinSeverity: min,
		CreatedBy: r.User, CreatedAt: c.now(),
	})
	if err != nil {
		return problem(p.T("cmd.subscribe.failed", nil), err.Error())
	}
	if !created && !changed {
		return Answer{Title: p.T("cmd.subscribe.already", i18n.Args{"Channel": where(r), "Name": display(p, f)}), Sections: []Section{{Lines: []string{
			p.T("cmd.subscribe.already_by", i18n.Args{"By": prev.CreatedBy, "At": p.Date(prev.CreatedAt), "What": severityText(p, prev.MinSeverity)}),
		}}}}
	}
	if s.Changed != nil {
		s.Changed()
	}
	// The channel sees the rest with its announcement: its language.
	all := r.public()
	name := display(all, f)
	if changed {
		return Answer{
			Title:    all.T("cmd.subscribe.changed", i18n.Args{"Channel": where(r), "Name": name, "What": severityText(all, min)}),
			Sections: []Section{{Lines: []string{all.T("cmd.subscribe.before", i18n.Args{"What": severityText(all, prev.MinSeverity)})}}},
			Announce: all.T("cmd.subscribe.changed_announce", i18n.Args{"User": r.User, "Name": name, "What": severityText(all, min)}),
		}
	}
	lines := []string{all.T("cmd.subscribe.new_note", i18n.Args{"Name": name, "What": severityText(all, min)})}
	if f.Runtime {
		lines = append(lines, all.T("cmd.subscribe.runtime", i18n.Args{"Name": name, "Interval": all.Window(f.Interval)}))
	}
	lines = append(lines, all.T("cmd.subscribe.stop_hint", i18n.Args{"Name": f.Name}))
	return Answer{
		Title:    all.T("cmd.subscribe.done", i18n.Args{"Channel": where(r), "Name": name}),
		Sections: []Section{{Lines: lines}},
		Announce: all.T("cmd.subscribe.announce", i18n.Args{"User": r.User, "Name": name, "What": severityText(all, min)}),
	}
}

// parse reads `<name...> [severity]`: the whole text as a name first, then
// all but the last word with the last as the severity.
func (s *Subscriptions) parse(p *i18n.Printer, args []string) (Followed, string, Answer, bool) {
	name := strings.Join(args, " ")
	if f, _, ok := s.Dir.Find(name); ok {
		return f, "", Answer{}, true
	}
	if len(args) > 1 {
		base := strings.Join(args[:len(args)-1], " ")
		if f, _, ok := s.Dir.Find(base); ok {
			min, ok := ParseSeverity(args[len(args)-1])
			if !ok {
				return Followed{}, "", problem(p.T("cmd.subscribe.bad_severity", i18n.Args{"Severity": strconv.Quote(clip(args[len(args)-1]))}),
					p.T("cmd.subscribe.severities", i18n.Args{"Severities": strings.Join(Severities, ", ")}),
					p.T("cmd.subscribe.severity_example", i18n.Args{"Name": f.Name})), false
			}
			return f, min, Answer{}, true
		}
		if _, ok := ParseSeverity(args[len(args)-1]); ok {
			name = base
		}
	}
	_, close, _ := s.Dir.Find(name)
	lines := []string{p.T("cmd.subscribe.what", nil)}
	if len(close) > 0 {
		lines = append([]string{p.T("cmd.find.did_you_mean", i18n.Args{"Names": Or(p, close)})}, lines...)
	}
	return Followed{}, "", problem(p.T("cmd.subscribe.unknown", i18n.Args{"Name": strconv.Quote(clip(name))}), lines...), false
}

func (c *Commands) unsubscribe(ctx context.Context, r Request, args []string) Answer {
	s, p := c.Subs, r.private()
	if a, ok := s.check(p, r); !ok {
		return a
	}
	if len(args) == 0 {
		return problem(p.T("cmd.unsubscribe.usage", nil), p.T("cmd.unsubscribe.hint", nil))
	}
	name := strings.Join(args, " ")
	subs, err := s.Store.Subscriptions(ctx, r.Platform, r.Channel)
	if err != nil {
		return problem(p.T("cmd.subs.read_failed", nil), err.Error())
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
	f, _, found := s.Dir.Find(name)
	if found && hit == nil {
		for i := range subs {
			if subs[i].Kind == f.Kind && subs[i].Name == strings.ToLower(f.Name) {
				hit = &subs[i]
			}
		}
	}
	// named is how an answer in p's language names what was asked for.
	named := func(p *i18n.Printer) string {
		if found {
			return display(p, f)
		}
		return name
	}
	if hit == nil {
		a := Answer{Title: p.T("cmd.unsubscribe.not_following", i18n.Args{"Channel": where(r), "Name": named(p)})}
		var names []string
		for _, sb := range subs {
			names = append(names, sb.Name)
		}
		if len(names) > 0 {
			a.Sections = []Section{{Lines: []string{p.T("cmd.unsubscribe.follows", i18n.Args{"Names": strings.Join(names, ", ")})}}}
		}
		return a
	}
	was, err := s.Store.Unsubscribe(ctx, r.Platform, r.Channel, hit.Kind, hit.Name)
	if err != nil {
		return problem(p.T("cmd.unsubscribe.failed", nil), err.Error())
	}
	if !was {
		return Answer{Title: p.T("cmd.unsubscribe.not_following", i18n.Args{"Channel": where(r), "Name": named(p)})}
	}
	if s.Changed != nil {
		s.Changed()
	}
	all := r.public()
	lines := []string{all.T("cmd.unsubscribe.done_note", i18n.Args{"Name": named(all)})}
	if found && f.Runtime {
		lines = append(lines, all.T("cmd.unsubscribe.runtime", i18n.Args{"Name": named(all)}))
	}
	return Answer{
		Title:    all.T("cmd.unsubscribe.done", i18n.Args{"Channel": where(r), "Name": named(all)}),
		Sections: []Section{{Lines: lines}},
		Announce: all.T("cmd.unsubscribe.announce", i18n.Args{"User": r.User, "Name": named(all)}),
	}
}

func (c *Commands) subscriptions(ctx context.Context, r Request) Answer {
	s, p := c.Subs, r.private()
	if a, ok := s.check(p, r); !ok {
		return a
	}
	subs, err := s.Store.Subscriptions(ctx, r.Platform, r.Channel)
	if err != nil {
		return problem(p.T("cmd.subs.read_failed", nil), err.Error())
	}
	var conf []string
	if s.Configured != nil {
		for _, d := range s.Configured(r.Platform, r.Channel) {
			conf = append(conf, p.T("cmd.subs.configured", i18n.Args{
				"What": withKind(p, store.SubTarget, d.Target), "Severity": severityText(p, d.MinSeverity), "Channel": d.Channel,
			}))
		}
	}
	a := Answer{Title: p.T("cmd.subs.title", i18n.Args{"Channel": where(r)})}
	if len(conf) > 0 {
		a.Sections = append(a.Sections, Section{Heading: p.T("cmd.subs.from_config", nil), Lines: conf})
	}
	if len(subs) > 0 {
		var lines []string
		for _, sb := range subs {
			name := sb.Name
			if f, _, ok := s.Dir.Find(sb.Name); ok && f.Kind == sb.Kind {
				// The bare name: withKind says what kind it is.
				name = f.Display
				if f.Runtime {
					name += " " + p.T("cmd.subs.watched", nil)
				}
			}
			lines = append(lines, p.T("cmd.subs.line", i18n.Args{
				"What": withKind(p, sb.Kind, name), "Severity": severityText(p, sb.MinSeverity), "By": sb.CreatedBy, "At": p.Date(sb.CreatedAt),
			}))
		}
		a.Sections = append(a.Sections, Section{Heading: p.T("cmd.subs.from_chat", nil), Lines: lines})
	}
	if len(conf) == 0 && len(subs) == 0 {
		a.Title = p.T("cmd.subs.nothing", i18n.Args{"Channel": where(r)})
		a.Sections = []Section{{Lines: []string{p.T("cmd.subs.nothing_hint", nil)}}}
	} else if len(conf) > 0 && len(subs) > 0 {
		a.Sections = append(a.Sections, Section{Lines: []string{p.T("cmd.subs.once", nil)}})
	}
	return a
}

// FollowNames lists what subscribe takes, for autocompletion: targets,
// groups and catalog vendors (the targets alone without subscriptions).
func (c *Commands) FollowNames() []string {
	if c.Subs == nil || c.Subs.Dir == nil || c.Subs.Off {
		return c.TargetNames()
	}
	return c.Subs.Dir.Names()
}
