package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
	"github.com/outagebot/outagebot/uptime"
)

// Request is one chat command, already authenticated by the platform layer.
type Request struct {
	// Text is what followed the slash command ("uptime github 7d").
	Text string
	// User is who asked, as the platform shows them ("<@U123>", "alice").
	User string
	// UserID, UserName and Platform identify the asker for what is
	// recorded in their name (an acknowledgement).
	UserID, UserName, Platform string
	// Permit says whether the asker may change state (mute, unmute,
	// acknowledge); nil allows everyone.
	Permit Permit
	// Channel is the platform's id of the channel the command was typed
	// in: subscriptions belong to that channel.
	Channel string
	// Lang is the channel's language (i18n.Languages; "" is the default):
	// what the channel sees is written in it. UserLang, when the platform
	// says which language the asker reads (Discord, Telegram), is the
	// language of what only they see.
	Lang, UserLang string
}

// Answer is a platform-neutral reply; Slack and Discord render it.
type Answer struct {
	Title    string
	Sections []Section
	// Public answers are shown to the whole channel; others only to the
	// person who asked.
	Public bool
	// Announce, when set, is also posted to the channel for everyone (a mute
	// is announced with its author and end).
	Announce string
	// Problem marks an answer to a request that could not be carried out.
	Problem bool
	// Lang is the language the answer is written in, so that a platform
	// writes its own words around it ("… and 3 more") in the same one.
	Lang string
}

// Section is a titled group of lines.
type Section struct {
	Heading string
	Lines   []string
}

// Text renders the answer as plain text (console, tests, fallbacks).
func (a Answer) Text() string {
	var b strings.Builder
	b.WriteString(a.Title)
	for _, s := range a.Sections {
		b.WriteString("\n")
		if s.Heading != "" {
			b.WriteString("\n" + s.Heading)
		}
		for _, l := range s.Lines {
			b.WriteString("\n" + l)
		}
	}
	return b.String()
}

// View is what commands read of the live engine.
type View interface {
	Snapshots() []Snapshot
	OpenOutages() []outage.Outage
}

// History is what commands and digests read of the store (store.Store).
type History interface {
	// Outages lists outages open at any time since since, newest first
	// (every target when target is "").
	Outages(ctx context.Context, since time.Time, target string) ([]outage.Outage, error)
	// TargetHistories says when the bot first saw each target: uptime is
	// measured from then on.
	TargetHistories(ctx context.Context) (map[string]store.TargetHistory, error)
	// Gaps are the times the bot was not observing target (every target
	// when "") that end after since: unknown time, like unreachable.
	Gaps(ctx context.Context, target string, since time.Time) (map[string][]uptime.Gap, error)
}

// Muter keeps mutes.
type Muter interface {
	Mute(ctx context.Context, m Mute) error
	Unmute(ctx context.Context, target string, now time.Time) (bool, error)
	Muted(target string, at time.Time) (Mute, bool)
}

// Mute silences new announcements of a target until Until.
type Mute struct {
	Target string    `json:"target"`
	Until  time.Time `json:"until"`
	By     string    `json:"by"`
	Reason string    `json:"reason,omitempty"`
	// Scheduled marks a configured [[silence]] window rather than a mute
	// set from the chat: it cannot be lifted with unmute.
	Scheduled bool `json:"scheduled,omitempty"`
}

// describe says what holds a target's announcements back, for /status,
// as it reads inside a sentence.
func (m Mute) describe(p *i18n.Printer) string {
	if m.Scheduled {
		return p.T("cmd.mute.silenced", i18n.Args{"Until": p.Date(m.Until), "Reason": m.Reason})
	}
	return p.T("cmd.mute.muted", i18n.Args{"Until": p.Date(m.Until), "By": m.By, "Reason": m.Reason})
}

// Commands answers chat commands from memory and the store, never from a
// live poll, so an answer takes milliseconds.
type Commands struct {
	View    View
	History History
	Mutes   Muter
	Now     func() time.Time
	// DefaultWindow is the window of incidents and uptime when none is given
	// (default 24h).
	DefaultWindow time.Duration
	// MaxMute bounds a mute (default 7 days).
	MaxMute time.Duration
	// Digest, if set, builds the digest of the window ending now, for
	// `digest now` (package digest builds it; it imports this package).
	Digest func(ctx context.Context, window time.Duration) (Answer, error)
	// Report, if set, answers `report <outage> [markdown]` from the store
	// (package report builds it).
	Report func(ctx context.Context, id string, markdown bool) (Answer, error)
	// Acks, if set, serves the buttons on outage roots (see Act).
	Acks Acks
	// Subs, if set, answers subscribe, unsubscribe and subscriptions.
	Subs *Subscriptions
}

// Names of the commands, in help order.
var commandNames = []string{"status", "incidents", "uptime", "digest", "report", "mute", "unmute", "subscribe", "unsubscribe", "subscriptions", "help"}

// Run answers one request. The first word picks the command when it names
// one; otherwise the whole text is a target for status, so "/status openai"
// works.
func (c *Commands) Run(ctx context.Context, r Request) Answer {
	fields := strings.Fields(r.Text)
	cmd, args := "status", fields
	if len(fields) > 0 && slices.Contains(commandNames, strings.ToLower(fields[0])) {
		cmd, args = strings.ToLower(fields[0]), fields[1:]
	}
	return written(r, c.run(ctx, r, cmd, args))
}

func (c *Commands) run(ctx context.Context, r Request, cmd string, args []string) Answer {
	if a, ok := c.allowed(ctx, r, cmd); !ok {
		return a
	}
	p := r.private()
	switch cmd {
	case "incidents":
		return c.incidents(ctx, p, args)
	case "uptime":
		return c.uptime(ctx, p, args)
	case "digest":
		return c.digest(ctx, p, args)
	case "report":
		return c.report(ctx, p, args)
	case "mute":
		return c.mute(ctx, r, args)
	case "unmute":
		return c.unmute(ctx, r, args)
	case "subscribe":
		return c.subscribe(ctx, r, args)
	case "unsubscribe":
		return c.unsubscribe(ctx, r, args)
	case "subscriptions":
		return c.subscriptions(ctx, r)
	case "help":
		return HelpIn(p)
	}
	return c.status(p, args)
}

// written records the language a is written in: the channel's when the
// channel sees it, else the asker's.
func written(r Request, a Answer) Answer {
	if a.Lang != "" {
		return a
	}
	if a.Public || a.Announce != "" {
		a.Lang = r.public().Lang()
	} else {
		a.Lang = r.private().Lang()
	}
	return a
}

func (c *Commands) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Help lists the commands in English.
func Help() Answer { return HelpIn(i18n.For(i18n.Default)) }

// helpIDs are the lines of the help, in order.
var helpIDs = []string{
	"cmd.help.status", "cmd.help.status_target", "cmd.help.incidents", "cmd.help.uptime",
	"cmd.help.digest", "cmd.help.report", "cmd.help.mute", "cmd.help.unmute",
	"cmd.help.subscribe", "cmd.help.unsubscribe", "cmd.help.help",
}

// HelpIn lists the commands in p's language. The command words and their
// examples stay as they are typed.
func HelpIn(p *i18n.Printer) Answer {
	lines := make([]string, 0, len(helpIDs)+1)
	for _, id := range helpIDs {
		lines = append(lines, p.T(id, nil))
	}
	lines = append(lines, p.T("cmd.help.windows", i18n.Args{"Max": p.Window(MaxWindow)}))
	return Answer{Title: p.T("cmd.help.title", nil), Sections: []Section{{Lines: lines}}, Lang: p.Lang()}
}

func problem(title string, lines ...string) Answer {
	return Answer{Title: title, Problem: true, Sections: []Section{{Lines: lines}}}
}

func (c *Commands) status(p *i18n.Printer, args []string) Answer {
	snaps := c.View.Snapshots()
	if len(args) == 0 {
		return c.overview(p, snaps)
	}
	s, a, ok := c.find(p, snaps, strings.Join(args, " "))
	if !ok {
		return a
	}
	return c.detail(p, s)
}

func (c *Commands) overview(p *i18n.Printer, snaps []Snapshot) Answer {
	now := c.now()
	var bad, good []string
	for _, s := range snaps {
		line := fmt.Sprintf("%s *%s*: %s", Emoji(s.Status), s.Name, p.StatusInline(s.Status))
		if d := detailIn(p, s, now); d != "" && s.Status != sources.Operational {
			line += " — " + d
		}
		if m, ok := c.mutedNow(s.Name); ok {
			line += " (" + m.describe(p) + ")"
		}
		if s.Status == sources.Operational {
			good = append(good, line)
		} else {
			bad = append(bad, line)
		}
	}
	a := Answer{Title: p.N("cmd.status.title", len(snaps), nil)}
	if len(bad) == 0 {
		a.Title = p.N("cmd.status.all_operational", len(snaps), nil)
	}
	if len(bad) > 0 {
		a.Sections = append(a.Sections, Section{Heading: p.T("cmd.status.attention", nil), Lines: bad})
	}
	if len(good) > 0 {
		a.Sections = append(a.Sections, Section{Heading: p.Status(sources.Operational), Lines: good})
	}
	return a
}

func (c *Commands) detail(p *i18n.Printer, s Snapshot) Answer {
	now := c.now()
	a := Answer{Title: fmt.Sprintf("%s %s: %s", Emoji(s.Status), s.Name, p.StatusInline(s.Status))}
	a.Sections = append(a.Sections, Section{Lines: c.info(p, s, now)})
	var open []string
	for _, o := range c.View.OpenOutages() {
		if o.Target == s.Name {
			line := p.T("cmd.detail.open", i18n.Args{"Icon": Emoji(o.Severity), "Title": o.Title, "Since": p.Date(o.OpenedAt), "Duration": p.Duration(now.Sub(o.OpenedAt))})
			if o.URL != "" {
				line += " " + o.URL
			}
			open = append(open, line)
		}
	}
	if len(open) > 0 {
		a.Sections = append(a.Sections, Section{Heading: p.T("cmd.detail.open_heading", nil), Lines: open})
	}
	if lines := locationLines(p, s.Locations); len(lines) > 0 {
		a.Sections = append(a.Sections, Section{Heading: p.T("cmd.detail.locations", nil), Lines: lines})
	}
	if lines := maintenanceLines(p, s.Maintenances, now); len(lines) > 0 {
		a.Sections = append(a.Sections, Section{Heading: p.T("cmd.detail.maintenance", nil), Lines: lines})
	}
	var comps []string
	for _, cs := range s.Components {
		if cs.Status != sources.Operational {
			comps = append(comps, fmt.Sprintf("%s %s: %s", Emoji(cs.Status), cs.Name, p.StatusInline(cs.Status)))
		}
	}
	if len(comps) > 0 {
		a.Sections = append(a.Sections, Section{Heading: p.T("cmd.detail.components", nil), Lines: comps})
	} else if len(s.Components) > 1 {
		a.Sections = append(a.Sections, Section{Lines: []string{p.T("cmd.detail.all_components", i18n.Args{"Count": len(s.Components)})}})
	}
	return a
}

// info is the first lines of a target's detail: when it was checked, what
// went wrong reading it, its latency, a mute and its notes.
func (c *Commands) info(p *i18n.Printer, s Snapshot, now time.Time) []string {
	var info []string
	if s.CheckedAt.IsZero() {
		info = append(info, p.T("cmd.detail.not_polled", nil))
	} else {
		info = append(info, p.T("cmd.detail.checked", i18n.Args{"Duration": p.Duration(now.Sub(s.CheckedAt))}))
	}
	if !s.Reachable && s.Error != "" {
		info = append(info, p.T("cmd.detail.unreadable", i18n.Args{"Error": s.Error}))
	} else if s.Error != "" {
		info = append(info, s.Error)
	}
	if s.Latency > 0 {
		info = append(info, p.T("cmd.detail.latency", i18n.Args{"Latency": p.Latency(s.Latency.Round(time.Millisecond))}))
	}
	if m, ok := c.mutedNow(s.Name); ok {
		info = append(info, upperFirst(m.describe(p))+".")
	}
	if len(s.NotesSaid) == len(s.Notes) {
		for _, t := range s.NotesSaid {
			info = append(info, p.Text(t))
		}
		return info
	}
	return append(info, s.Notes...)
}

// maintenanceLines are a target's maintenances as a status answer lists
// them: in progress since when work began, scheduled with its window,
// completed with when it ended.
func maintenanceLines(p *i18n.Printer, ms []MaintenanceSnapshot, now time.Time) []string {
	var out []string
	for _, m := range ms {
		var line string
		switch m.Status {
		case sources.MaintenanceScheduled:
			line = p.T("cmd.maintenance.scheduled", i18n.Args{"Icon": Emoji(sources.Maintenance), "Title": m.Title, "Start": p.Date(m.Start)})
			if !m.End.IsZero() {
				line += " " + p.T("cmd.maintenance.to", i18n.Args{"End": p.Date(m.End)})
			}
		case sources.MaintenanceCompleted:
			line = p.T("cmd.maintenance.completed", i18n.Args{"Icon": Emoji(sources.Operational), "Title": m.Title, "End": p.Date(m.End)})
		default:
			line = p.T("cmd.maintenance.in_progress", i18n.Args{"Icon": Emoji(sources.Maintenance), "Title": m.Title, "Began": p.Date(m.Began), "Duration": p.Duration(now.Sub(m.Began))})
			if !m.End.IsZero() {
				line += ", " + p.T("cmd.maintenance.until", i18n.Args{"End": p.Date(m.End)})
			}
		}
		if len(m.Components) > 0 {
			line += " · " + strings.Join(m.Components, ", ")
		}
		out = append(out, line)
	}
	return out
}

// badWindow is the answer to a window that does not parse, with examples
// of the command that was typed.
func badWindow(p *i18n.Printer, err error, example string) Answer {
	return problem(p.T("cmd.window.unreadable", nil), windowError(p, err), p.T(example, nil))
}

func (c *Commands) incidents(ctx context.Context, p *i18n.Printer, args []string) Answer {
	win := c.window()
	if len(args) > 0 {
		w, err := ParseWindow(args[0])
		if err != nil {
			return badWindow(p, err, "cmd.incidents.try")
		}
		win = w
	}
	now := c.now()
	outs, err := c.History.Outages(ctx, now.Add(-win), "")
	if err != nil {
		return problem(p.T("cmd.history.unavailable", nil), err.Error())
	}
	var lines []string
	for _, o := range outs {
		if o.Class == outage.Unreachable {
			continue
		}
		lines = append(lines, outageLine(p, o, now))
	}
	if len(lines) == 0 {
		return Answer{Title: p.T("cmd.incidents.none", i18n.Args{"Window": p.Window(win)})}
	}
	return Answer{Title: p.N("cmd.incidents.title", len(lines), i18n.Args{"Window": p.Window(win)}), Sections: []Section{{Lines: lines}}}
}

func outageLine(p *i18n.Printer, o outage.Outage, now time.Time) string {
	icon := Emoji(o.Severity)
	if !o.Open() {
		icon = "✅"
	}
	line := fmt.Sprintf("%s *%s*: %s — %s, %s", icon, o.Target, o.Title, p.Date(o.OpenedAt), span(p, o, now))
	if o.Link != nil && o.Link.Confirm != "" {
		line += " (" + confirmation(p, o.Link.Confirm) + ")"
	}
	return line + " · `" + ShortID(o.ID) + "`"
}

// ShortID is as much of an outage id as chat users need to type.
func ShortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func (c *Commands) report(ctx context.Context, p *i18n.Printer, args []string) Answer {
	if c.Report == nil {
		return problem(p.T("cmd.report.unavailable", nil))
	}
	markdown := len(args) == 2 && strings.EqualFold(args[1], "markdown")
	if len(args) == 0 || len(args) > 2 || (len(args) == 2 && !markdown && !strings.EqualFold(args[1], "summary")) {
		return problem(p.T("cmd.report.which", nil), p.T("cmd.report.usage", nil))
	}
	a, err := c.Report(WithLang(ctx, p.Lang()), args[0], markdown)
	if err != nil {
		return problem(p.T("cmd.report.none", i18n.Args{"ID": args[0]}), err.Error(), p.T("cmd.report.hint", nil))
	}
	return a
}

// uptime answers `uptime [target] [window]` with the status page's
// figures (Uptimes): a window in whole days of two or more is today so far
// and the days before, any other the last that long exactly.
func (c *Commands) uptime(ctx context.Context, p *i18n.Printer, args []string) Answer {
	win := c.window()
	var target string
	snaps := c.View.Snapshots()
	for i, a := range args {
		if i == len(args)-1 {
			w, err := ParseWindow(a)
			if err == nil {
				win = w
				continue
			}
			if errors.Is(err, ErrWindowTooLong) {
				return badWindow(p, err, "cmd.uptime.try")
			}
		}
		target = strings.TrimSpace(target + " " + a)
	}
	if target != "" {
		s, a, ok := c.find(p, snaps, target)
		if !ok {
			return a
		}
		snaps = []Snapshot{s}
	}
	w := uptime.WindowOf(win)
	measured, err := Uptimes(ctx, c.History, snaps, w, c.now())
	if err != nil {
		return problem(p.T("cmd.history.unavailable", nil), err.Error())
	}
	var lines []string
	for i, s := range snaps {
		lines = append(lines, fmt.Sprintf("*%s*: %s", s.Name, uptimeFigure(p, measured[i])))
	}
	return Answer{Title: uptimeTitle(p, w, win), Sections: []Section{{Lines: lines}}}
}

// uptimeFigure is "99.95% (down 12m)", "100%", or "no measured time"
// where there is no share to show.
func uptimeFigure(p *i18n.Printer, m uptime.Measure) string {
	if !m.OK {
		return p.T("cmd.uptime.unmeasured", nil)
	}
	s := p.Share(m.Percent())
	if m.Down > 0 {
		s += " " + p.T("cmd.uptime.down", i18n.Args{"Duration": p.Duration(m.Down)})
	}
	return s
}

// uptimeTitle says which time the figures cover: a day window is not the
// last 7×24h, so it says so.
func uptimeTitle(p *i18n.Printer, w uptime.Window, win time.Duration) string {
	if w.Days > 0 {
		label := p.Window(win)
		if win <= 2*uptime.DayLength {
			// Not "48h": it is two days, not the last 48 hours.
			label = p.N("format.window.days", w.Days, nil)
		}
		return p.N("cmd.uptime.title_days", w.Days-1, i18n.Args{"Window": label})
	}
	return p.T("cmd.uptime.title", i18n.Args{"Window": p.Window(win)})
}

// FormatPercent shows uptime with as many decimals as it takes to not round
// a short outage away: 100%, 99.95%, 99.999%.
func FormatPercent(p float64) string {
	if p >= 100 {
		return "100%"
	}
	for _, prec := range []int{1, 2, 3} {
		s := strconv.FormatFloat(p, 'f', prec, 64)
		if s != "100.0" && s != "100.00" && s != "100.000" {
			return strings.TrimRight(strings.TrimRight(s, "0"), ".") + "%"
		}
	}
	return "99.999%"
}

// digest answers `digest now [window]` (also `digest [window]`).
func (c *Commands) digest(ctx context.Context, p *i18n.Printer, args []string) Answer {
	if c.Digest == nil {
		return problem(p.T("cmd.digest.unavailable", nil))
	}
	if len(args) > 0 && strings.EqualFold(args[0], "now") {
		args = args[1:]
	}
	win := c.window()
	if len(args) > 0 {
		w, err := ParseWindow(args[0])
		if err != nil {
			return badWindow(p, err, "cmd.digest.try")
		}
		win = w
	}
	a, err := c.Digest(WithLang(ctx, p.Lang()), win)
	if err != nil {
		return problem(p.T("cmd.digest.failed", nil), err.Error())
	}
	return a
}

func (c *Commands) mute(ctx context.Context, r Request, args []string) Answer {
	p := r.private()
	if len(args) < 2 {
		return problem(p.T("cmd.mute.usage", nil), p.T("cmd.mute.example", nil))
	}
	// The duration is the first argument that parses as one, so target
	// names with spaces work: `mute Checkout API 30m`.
	at := -1
	var d time.Duration
	tooLong := false
	for i := 1; i < len(args); i++ {
		w, err := ParseWindow(args[i])
		if err == nil {
			at, d = i, w
			break
		}
		tooLong = tooLong || errors.Is(err, ErrWindowTooLong)
	}
	maxMute := c.MaxMute
	if maxMute <= 0 {
		maxMute = 7 * 24 * time.Hour
	}
	maxMute = min(maxMute, MaxWindow)
	if at < 0 && !tooLong {
		return problem(p.T("cmd.mute.no_duration", nil), p.T("cmd.mute.duration_form", i18n.Args{"Max": p.Window(maxMute)}))
	}
	if at < 0 || d > maxMute {
		return problem(p.T("cmd.mute.too_long", nil), p.T("cmd.mute.longest", i18n.Args{"Max": p.Window(maxMute)}))
	}
	s, a, ok := c.find(p, c.View.Snapshots(), strings.Join(args[:at], " "))
	if !ok {
		return a
	}
	m := Mute{Target: s.Name, Until: c.now().Add(d), By: r.User, Reason: strings.Join(args[at+1:], " ")}
	if err := c.Mutes.Mute(ctx, m); err != nil {
		return problem(p.T("cmd.mute.save_failed", nil), err.Error())
	}
	// The channel sees this answer with its announcement: its language.
	all := r.public()
	return Answer{
		Title:    all.T("cmd.mute.done", i18n.Args{"Target": s.Name, "Until": all.Date(m.Until)}),
		Sections: []Section{{Lines: []string{all.T("cmd.mute.done_note", i18n.Args{"Target": s.Name})}}},
		Announce: all.T("cmd.mute.announce", i18n.Args{"User": r.User, "Target": s.Name, "Duration": all.Window(d), "Until": all.Date(m.Until), "Reason": m.Reason}),
	}
}

func (c *Commands) unmute(ctx context.Context, r Request, args []string) Answer {
	p := r.private()
	if len(args) == 0 {
		return problem(p.T("cmd.unmute.usage", nil))
	}
	s, a, ok := c.find(p, c.View.Snapshots(), strings.Join(args, " "))
	if !ok {
		return a
	}
	was, err := c.Mutes.Unmute(ctx, s.Name, c.now())
	if err != nil {
		return problem(p.T("cmd.unmute.failed", nil), err.Error())
	}
	ans := Answer{Title: p.T("cmd.unmute.not_muted", i18n.Args{"Target": s.Name})}
	if was {
		p = r.public()
		ans = Answer{Title: p.T("cmd.unmute.done", i18n.Args{"Target": s.Name}), Announce: p.T("cmd.unmute.announce", i18n.Args{"User": r.User, "Target": s.Name})}
	}
	if m, ok := c.mutedNow(s.Name); ok && m.Scheduled {
		// A configured window is not the chat's to lift: say so rather than
		// let "no longer muted" suggest that alerts are back.
		ans.Sections = append(ans.Sections, Section{Lines: []string{
			p.T("cmd.unmute.window_stays", i18n.Args{"Target": s.Name, "Until": p.Date(m.Until), "Reason": m.Reason}),
		}})
	}
	return ans
}

func (c *Commands) mutedNow(target string) (Mute, bool) {
	if c.Mutes == nil {
		return Mute{}, false
	}
	return c.Mutes.Muted(target, c.now())
}

func (c *Commands) window() time.Duration {
	if c.DefaultWindow > 0 {
		return c.DefaultWindow
	}
	return 24 * time.Hour
}

// find resolves a target name: exact (ignoring case), then a unique prefix,
// then a unique substring; otherwise an answer suggesting close names.
func (c *Commands) find(p *i18n.Printer, snaps []Snapshot, name string) (Snapshot, Answer, bool) {
	q := strings.ToLower(strings.TrimSpace(name))
	for _, s := range snaps {
		if strings.ToLower(s.Name) == q {
			return s, Answer{}, true
		}
	}
	for _, match := range []func(string) bool{
		func(n string) bool { return strings.HasPrefix(n, q) },
		func(n string) bool { return strings.Contains(n, q) },
	} {
		var hits []Snapshot
		for _, s := range snaps {
			if match(strings.ToLower(s.Name)) {
				hits = append(hits, s)
			}
		}
		if len(hits) == 1 {
			return hits[0], Answer{}, true
		}
		if len(hits) > 1 {
			names := make([]string, len(hits))
			for i, h := range hits {
				names[i] = h.Name
			}
			return Snapshot{}, problem(p.T("cmd.find.ambiguous", i18n.Args{"Name": strconv.Quote(name), "Count": len(hits)}),
				p.T("cmd.find.which", i18n.Args{"Names": strings.Join(names, ", ")})), false
		}
	}
	names := make([]string, len(snaps))
	for i, s := range snaps {
		names[i] = s.Name
	}
	unknown := p.T("cmd.find.unknown", i18n.Args{"Name": strconv.Quote(name)})
	if close := Suggest(name, names); len(close) > 0 {
		return Snapshot{}, problem(unknown, p.T("cmd.find.did_you_mean", i18n.Args{"Names": Or(p, close)})), false
	}
	return Snapshot{}, problem(unknown, p.T("cmd.find.known", i18n.Args{"Names": strings.Join(names, ", ")})), false
}

// Suggest returns the names within a small edit distance of q, closest
// first.
func Suggest(q string, names []string) []string {
	q = strings.ToLower(q)
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, n := range names {
		d := levenshtein(q, strings.ToLower(n))
		if d <= max(2, len([]rune(n))/3) {
			cs = append(cs, cand{n, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.name)
	}
	return out
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// MaxWindow is the longest window or duration a command takes: 400 days,
// enough for a year's uptime with room to spare, and far from where a
// time.Duration overflows (about 292 years).
const MaxWindow = 400 * 24 * time.Hour

// ErrWindowTooLong is what errors.Is finds in ParseWindow's error for a
// duration past the longest.
var ErrWindowTooLong = errors.New("window too long")

// What is wrong with a duration.
const (
	durationBad = iota
	durationEmpty
	durationTooLong
)

// durationError says what is wrong with a duration someone typed; its
// Error is English, windowError writes it in a reader's language.
type durationError struct {
	kind  int
	input string // clipped
	max   time.Duration
}

func (e *durationError) Error() string {
	form := "write a number and a unit (m, h, d or w), like 30m, 2h, 7d or 2w, up to " + FormatWindow(e.max)
	switch e.kind {
	case durationEmpty:
		return "empty duration: " + form
	case durationTooLong:
		return fmt.Sprintf("%q is too long: the longest is %s", e.input, FormatWindow(e.max))
	}
	return fmt.Sprintf("%q is not a duration: %s", e.input, form)
}

func (e *durationError) Is(target error) bool {
	return e.kind == durationTooLong && target == ErrWindowTooLong
}

// windowError writes ParseDuration's error in p's language.
func windowError(p *i18n.Printer, err error) string {
	var e *durationError
	if !errors.As(err, &e) {
		return err.Error()
	}
	max := p.Window(e.max)
	form := p.T("cmd.window.form", i18n.Args{"Max": max})
	switch e.kind {
	case durationEmpty:
		return p.T("cmd.window.empty", i18n.Args{"Form": form})
	case durationTooLong:
		return p.T("cmd.window.too_long", i18n.Args{"Input": strconv.Quote(e.input), "Max": max})
	}
	return p.T("cmd.window.bad", i18n.Args{"Input": strconv.Quote(e.input), "Form": form})
}

// ParseWindow reads a window or duration as people type it: "90m", "24h",
// "7d", "2w", "1.5d", "1h30m". It is more than zero and at most MaxWindow;
// anything else (NaN, infinity, negative, zero, too long) is an error
// saying what is accepted.
func ParseWindow(s string) (time.Duration, error) { return ParseDuration(s, MaxWindow) }

// ParseDuration is ParseWindow with another longest duration, max, which
// must be positive and well short of time.Duration's range.
func ParseDuration(s string, max time.Duration) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, &durationError{kind: durationEmpty, max: max}
	}
	bad := &durationError{kind: durationBad, input: clip(s), max: max}
	tooLong := &durationError{kind: durationTooLong, input: clip(s), max: max}
	unit := s[len(s)-1]
	if unit == 'd' || unit == 'w' {
		// Digits and one point only: ParseFloat would also take "nan",
		// "inf", "1e9" and hex.
		num := s[:len(s)-1]
		if !decimal(num) {
			return 0, bad
		}
		n, err := strconv.ParseFloat(num, 64)
		if err != nil || n <= 0 {
			return 0, bad
		}
		day := 24 * time.Hour
		if unit == 'w' {
			day *= 7
		}
		// Compare before converting: a float past the int64 range
		// converts to nonsense.
		if n > float64(max)/float64(day) {
			return 0, tooLong
		}
		d := time.Duration(n * float64(day))
		if d <= 0 {
			return 0, bad
		}
		return d, nil
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil || d <= 0:
		return 0, bad
	case d > max:
		return 0, tooLong
	}
	return d, nil
}

// decimal reports whether s is a plain decimal number: digits with at most
// one point, and at least one digit.
func decimal(s string) bool {
	digits, points := 0, 0
	for _, c := range []byte(s) {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			points++
		default:
			return false
		}
	}
	return digits > 0 && points <= 1
}

// clip shortens what a person typed for quoting it back.
func clip(s string) string {
	const max = 32
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

// FormatWindow renders a window the way it was probably typed: "24h", "7d".
func FormatWindow(d time.Duration) string {
	day := 24 * time.Hour
	switch {
	case d%time.Hour == 0 && d <= 48*time.Hour:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%(7*day) == 0 && d >= 14*day:
		return fmt.Sprintf("%dw", d/(7*day))
	case d%day == 0:
		return fmt.Sprintf("%dd", d/day)
	}
	return outage.FormatDuration(d)
}

// Emoji is the status's icon in chat answers.
func Emoji(s sources.Status) string {
	switch s {
	case sources.Operational:
		return "🟢"
	case sources.Maintenance:
		return "🔧"
	case sources.Degraded:
		return "🟡"
	case sources.PartialOutage:
		return "🟠"
	case sources.MajorOutage:
		return "🔴"
	}
	return "⚪"
}

// TargetNames lists the configured targets, for autocompletion.
func (c *Commands) TargetNames() []string {
	snaps := c.View.Snapshots()
	out := make([]string, len(snaps))
	for i, s := range snaps {
		out[i] = s.Name
	}
	return out
}

// locationLines shows a probe's state from each location: its verdict,
// latest status and latency, or why it is left out of the quorum.
func locationLines(p *i18n.Printer, locs []LocationSnapshot) []string {
	var out []string
	for _, l := range locs {
		var line string
		switch {
		case l.Excluded != "":
			line = p.T("cmd.location.left_out", i18n.Args{"Icon": Emoji(sources.Unknown), "Name": l.Name, "Why": ExcludedIn(p, l.Excluded)})
		case l.Failing:
			line = p.T("cmd.location.failing", i18n.Args{"Icon": Emoji(sources.Worst(l.Status, sources.PartialOutage)), "Name": l.Name, "Status": p.StatusInline(l.Status)})
		default:
			line = fmt.Sprintf("%s %s: %s", Emoji(l.Status), l.Name, p.StatusInline(l.Status))
		}
		if l.Latency > 0 && l.Excluded == "" {
			line += ", " + p.Latency(roundLatency(l.Latency))
		}
		if l.Error != "" && l.Status.IsProblem() {
			line += " — " + l.Error
		}
		out = append(out, line)
	}
	return out
}

// roundLatency rounds to milliseconds, or microseconds below one (a
// loopback answer would show as 0s).
func roundLatency(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}
