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

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
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

// History is what commands read of the store.
type History interface {
	Outages(ctx context.Context, since time.Time, target string) ([]outage.Outage, error)
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

// describe says what holds a target's announcements back, for /status.
func (m Mute) describe() string {
	if m.Scheduled {
		return fmt.Sprintf("silenced until %s%s", clock(m.Until), reasonSuffix(m.Reason))
	}
	return fmt.Sprintf("muted until %s by %s%s", clock(m.Until), m.By, reasonSuffix(m.Reason))
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
	if a, ok := c.allowed(ctx, r, cmd); !ok {
		return a
	}
	switch cmd {
	case "incidents":
		return c.incidents(ctx, args)
	case "uptime":
		return c.uptime(ctx, args)
	case "digest":
		return c.digest(ctx, args)
	case "report":
		return c.report(ctx, args)
	case "mute":
		return c.mute(ctx, r.User, args)
	case "unmute":
		return c.unmute(ctx, r.User, args)
	case "subscribe":
		return c.subscribe(ctx, r, args)
	case "unsubscribe":
		return c.unsubscribe(ctx, r, args)
	case "subscriptions":
		return c.subscriptions(ctx, r)
	case "help":
		return Help()
	}
	return c.status(args)
}

func (c *Commands) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Help lists the commands.
func Help() Answer {
	return Answer{Title: "outagebot commands", Sections: []Section{{Lines: []string{
		"`status` — every target's current status",
		"`status <target>` (or just `<target>`) — one target in detail",
		"`incidents [window]` — outages in the last window (default 24h), e.g. `incidents 7d`",
		"`uptime [target] [window]` — uptime per target, e.g. `uptime github 7d`",
		"`digest now [window]` — the digest of the last window (default 24h), e.g. `digest now 7d`",
		"`report <outage> [markdown]` — the timeline of an outage and what it affected, e.g. `report 3f9a1c2e` (ids are in `incidents`)",
		"`mute <target> <duration> [reason]` — silence new alerts for a target, e.g. `mute github 2h deploy`",
		"`unmute <target>` — end a mute",
		"`subscribe <target, group or vendor> [least severity]` — post its outages in this channel, e.g. `subscribe github` or `subscribe payments major_outage`",
		"`unsubscribe <name>` — stop that; `subscriptions` — what this channel hears of, from the configuration and from chat",
		"`help` — this list",
		"Windows and durations are a number and a unit: `30m`, `2h`, `7d` or `2w`, at most " + FormatWindow(MaxWindow) + ".",
	}}}}
}

func problem(title string, lines ...string) Answer {
	return Answer{Title: title, Problem: true, Sections: []Section{{Lines: lines}}}
}

func (c *Commands) status(args []string) Answer {
	snaps := c.View.Snapshots()
	if len(args) == 0 {
		return c.overview(snaps)
	}
	s, a, ok := c.find(snaps, strings.Join(args, " "))
	if !ok {
		return a
	}
	return c.detail(s)
}

func (c *Commands) overview(snaps []Snapshot) Answer {
	now := c.now()
	var bad, good []string
	for _, s := range snaps {
		line := fmt.Sprintf("%s *%s*: %s", Emoji(s.Status), s.Name, s.Status.Label())
		if d := detail(s, now); d != "" && s.Status != sources.Operational {
			line += " — " + d
		}
		if m, ok := c.mutedNow(s.Name); ok {
			line += " (" + m.describe() + ")"
		}
		if s.Status == sources.Operational {
			good = append(good, line)
		} else {
			bad = append(bad, line)
		}
	}
	a := Answer{Title: fmt.Sprintf("Status of %d targets", len(snaps))}
	if len(bad) == 0 {
		a.Title = fmt.Sprintf("All %d targets are operational", len(snaps))
	}
	if len(bad) > 0 {
		a.Sections = append(a.Sections, Section{Heading: "Needs attention", Lines: bad})
	}
	if len(good) > 0 {
		a.Sections = append(a.Sections, Section{Heading: "Operational", Lines: good})
	}
	return a
}

func (c *Commands) detail(s Snapshot) Answer {
	now := c.now()
	a := Answer{Title: fmt.Sprintf("%s %s: %s", Emoji(s.Status), s.Name, s.Status.Label())}
	var info []string
	if s.CheckedAt.IsZero() {
		info = append(info, "Not polled yet.")
	} else {
		info = append(info, "Checked "+outage.FormatDuration(now.Sub(s.CheckedAt))+" ago.")
	}
	if !s.Reachable && s.Error != "" {
		info = append(info, "Cannot read its status: "+s.Error)
	} else if s.Error != "" {
		info = append(info, s.Error)
	}
	if s.Latency > 0 {
		info = append(info, "Latency "+s.Latency.Round(time.Millisecond).String()+".")
	}
	if m, ok := c.mutedNow(s.Name); ok {
		info = append(info, upperFirst(m.describe())+".")
	}
	info = append(info, s.Notes...)
	a.Sections = append(a.Sections, Section{Lines: info})
	var open []string
	for _, o := range c.View.OpenOutages() {
		if o.Target == s.Name {
			line := fmt.Sprintf("%s %s — since %s (%s)", Emoji(o.Severity), o.Title, clock(o.OpenedAt), outage.FormatDuration(now.Sub(o.OpenedAt)))
			if o.URL != "" {
				line += " " + o.URL
			}
			open = append(open, line)
		}
	}
	if len(open) > 0 {
		a.Sections = append(a.Sections, Section{Heading: "Open outages", Lines: open})
	}
	if lines := locationLines(s.Locations); len(lines) > 0 {
		a.Sections = append(a.Sections, Section{Heading: "Locations", Lines: lines})
	}
	if lines := maintenanceLines(s.Maintenances, now); len(lines) > 0 {
		a.Sections = append(a.Sections, Section{Heading: "Maintenance", Lines: lines})
	}
	var comps []string
	for _, cs := range s.Components {
		if cs.Status != sources.Operational {
			comps = append(comps, fmt.Sprintf("%s %s: %s", Emoji(cs.Status), cs.Name, cs.Status.Label()))
		}
	}
	if len(comps) > 0 {
		a.Sections = append(a.Sections, Section{Heading: "Components", Lines: comps})
	} else if len(s.Components) > 1 {
		a.Sections = append(a.Sections, Section{Lines: []string{fmt.Sprintf("All %d components operational.", len(s.Components))}})
	}
	return a
}

// maintenanceLines are a target's maintenances as a status answer lists
// them: in progress since when work began, scheduled with its window,
// completed with when it ended.
func maintenanceLines(ms []MaintenanceSnapshot, now time.Time) []string {
	var out []string
	for _, m := range ms {
		var line string
		switch m.Status {
		case sources.MaintenanceScheduled:
			line = fmt.Sprintf("%s %s — scheduled %s", Emoji(sources.Maintenance), m.Title, clock(m.Start))
			if !m.End.IsZero() {
				line += " to " + clock(m.End)
			}
		case sources.MaintenanceCompleted:
			line = fmt.Sprintf("%s %s — completed %s", Emoji(sources.Operational), m.Title, clock(m.End))
		default:
			line = fmt.Sprintf("%s %s — in progress since %s (%s)", Emoji(sources.Maintenance), m.Title, clock(m.Began), outage.FormatDuration(now.Sub(m.Began)))
			if !m.End.IsZero() {
				line += ", until " + clock(m.End)
			}
		}
		if len(m.Components) > 0 {
			line += " · " + strings.Join(m.Components, ", ")
		}
		out = append(out, line)
	}
	return out
}

func (c *Commands) incidents(ctx context.Context, args []string) Answer {
	window := c.window()
	if len(args) > 0 {
		w, err := ParseWindow(args[0])
		if err != nil {
			return problem("I could not read that window", err.Error(), "Try `incidents 24h` or `incidents 7d`.")
		}
		window = w
	}
	now := c.now()
	outs, err := c.History.Outages(ctx, now.Add(-window), "")
	if err != nil {
		return problem("The outage history is not available right now", err.Error())
	}
	var lines []string
	for _, o := range outs {
		if o.Class == outage.Unreachable {
			continue
		}
		lines = append(lines, outageLine(o, now))
	}
	if len(lines) == 0 {
		return Answer{Title: fmt.Sprintf("No outages in the last %s", FormatWindow(window))}
	}
	noun := "outages"
	if len(lines) == 1 {
		noun = "outage"
	}
	return Answer{Title: fmt.Sprintf("%d %s in the last %s", len(lines), noun, FormatWindow(window)), Sections: []Section{{Lines: lines}}}
}

func outageLine(o outage.Outage, now time.Time) string {
	state := o.Span(now)
	icon := Emoji(o.Severity)
	if !o.Open() {
		icon = "✅"
	}
	line := fmt.Sprintf("%s *%s*: %s — %s, %s", icon, o.Target, o.Title, clock(o.OpenedAt), state)
	if o.Link != nil && o.Link.Confirm != "" {
		line += " (" + string(o.Link.Confirm) + ")"
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

func (c *Commands) report(ctx context.Context, args []string) Answer {
	if c.Report == nil {
		return problem("Reports are not available here")
	}
	markdown := len(args) == 2 && strings.EqualFold(args[1], "markdown")
	if len(args) == 0 || len(args) > 2 || (len(args) == 2 && !markdown && !strings.EqualFold(args[1], "summary")) {
		return problem("Which outage?", "Say `report <outage id>` (or `report <outage id> markdown`); `incidents` lists the ids.")
	}
	a, err := c.Report(ctx, args[0], markdown)
	if err != nil {
		return problem("I have no report for "+args[0], err.Error(), "`incidents 7d` lists recent outages with their ids.")
	}
	return a
}

func (c *Commands) uptime(ctx context.Context, args []string) Answer {
	window := c.window()
	var target string
	snaps := c.View.Snapshots()
	for i, a := range args {
		if i == len(args)-1 {
			w, err := ParseWindow(a)
			if err == nil {
				window = w
				continue
			}
			if errors.Is(err, ErrWindowTooLong) {
				return problem("I could not read that window", err.Error(), "Try `uptime 7d` or `uptime github 30d`.")
			}
		}
		target = strings.TrimSpace(target + " " + a)
	}
	if target != "" {
		s, a, ok := c.find(snaps, target)
		if !ok {
			return a
		}
		snaps = []Snapshot{s}
	}
	now := c.now()
	since := now.Add(-window)
	outs, err := c.History.Outages(ctx, since, "")
	if err != nil {
		return problem("The outage history is not available right now", err.Error())
	}
	var lines []string
	for _, s := range snaps {
		down := Downtime(outs, s.Name, since, now)
		pct := 100 * (1 - float64(down)/float64(window))
		line := fmt.Sprintf("*%s*: %s", s.Name, FormatPercent(pct))
		if down > 0 {
			line += fmt.Sprintf(" (down %s)", outage.FormatDuration(down))
		}
		lines = append(lines, line)
	}
	return Answer{Title: "Uptime over the last " + FormatWindow(window), Sections: []Section{{Lines: lines}}}
}

// Downtime is how long target had an open incident outage within
// [since, until), with overlapping outages counted once.
func Downtime(outs []outage.Outage, target string, since, until time.Time) time.Duration {
	type span struct{ from, to time.Time }
	var spans []span
	for _, o := range outs {
		if o.Target != target || o.Class != outage.Incident {
			continue
		}
		from, to := o.OpenedAt, o.ResolvedAt
		if to.IsZero() || to.After(until) {
			to = until
		}
		if from.Before(since) {
			from = since
		}
		if to.After(from) {
			spans = append(spans, span{from, to})
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].from.Before(spans[j].from) })
	var total time.Duration
	var cur span
	for i, s := range spans {
		switch {
		case i == 0:
			cur = s
		case !s.from.After(cur.to):
			if s.to.After(cur.to) {
				cur.to = s.to
			}
		default:
			total += cur.to.Sub(cur.from)
			cur = s
		}
	}
	if len(spans) > 0 {
		total += cur.to.Sub(cur.from)
	}
	return total
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
func (c *Commands) digest(ctx context.Context, args []string) Answer {
	if c.Digest == nil {
		return problem("Digests are not available here")
	}
	if len(args) > 0 && strings.EqualFold(args[0], "now") {
		args = args[1:]
	}
	window := c.window()
	if len(args) > 0 {
		w, err := ParseWindow(args[0])
		if err != nil {
			return problem("I could not read that window", err.Error(), "Try `digest now` or `digest now 7d`.")
		}
		window = w
	}
	a, err := c.Digest(ctx, window)
	if err != nil {
		return problem("The digest is not available right now", err.Error())
	}
	return a
}

func (c *Commands) mute(ctx context.Context, user string, args []string) Answer {
	if len(args) < 2 {
		return problem("Usage: `mute <target> <duration> [reason]`", "For example `mute github 2h deploy in progress`.")
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
		return problem("I could not find a duration in that", fmt.Sprintf("Write it like `30m`, `2h` or `1d`, at most %s: `mute github 2h`.", FormatWindow(maxMute)))
	}
	if at < 0 || d > maxMute {
		return problem("That mute is too long", fmt.Sprintf("The longest mute is %s; mute again when it ends if you still need to.", FormatWindow(maxMute)))
	}
	s, a, ok := c.find(c.View.Snapshots(), strings.Join(args[:at], " "))
	if !ok {
		return a
	}
	m := Mute{Target: s.Name, Until: c.now().Add(d), By: user, Reason: strings.Join(args[at+1:], " ")}
	if err := c.Mutes.Mute(ctx, m); err != nil {
		return problem("The mute could not be saved", err.Error())
	}
	return Answer{
		Title:    fmt.Sprintf("🔕 %s is muted until %s", s.Name, clock(m.Until)),
		Sections: []Section{{Lines: []string{"New outages of " + s.Name + " will not be announced; threads already posted still get their updates and restoration. `unmute " + s.Name + "` ends it early."}}},
		Announce: fmt.Sprintf("🔕 %s muted %s for %s (until %s)%s.", user, s.Name, FormatWindow(d), clock(m.Until), reasonSuffix(m.Reason)),
	}
}

func (c *Commands) unmute(ctx context.Context, user string, args []string) Answer {
	if len(args) == 0 {
		return problem("Usage: `unmute <target>`")
	}
	s, a, ok := c.find(c.View.Snapshots(), strings.Join(args, " "))
	if !ok {
		return a
	}
	was, err := c.Mutes.Unmute(ctx, s.Name, c.now())
	if err != nil {
		return problem("The mute could not be removed", err.Error())
	}
	ans := Answer{Title: s.Name + " was not muted"}
	if was {
		ans = Answer{Title: "🔔 " + s.Name + " is no longer muted", Announce: fmt.Sprintf("🔔 %s unmuted %s.", user, s.Name)}
	}
	if m, ok := c.mutedNow(s.Name); ok && m.Scheduled {
		// A configured window is not the chat's to lift: say so rather than
		// let "no longer muted" suggest that alerts are back.
		ans.Sections = append(ans.Sections, Section{Lines: []string{
			fmt.Sprintf("%s stays silenced until %s by a configured [[silence]] window%s; it ends with the window, or with a change to the configuration.", s.Name, clock(m.Until), reasonSuffix(m.Reason)),
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
func (c *Commands) find(snaps []Snapshot, name string) (Snapshot, Answer, bool) {
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
			return Snapshot{}, problem(fmt.Sprintf("%q matches %d targets", name, len(hits)), "Which one: "+strings.Join(names, ", ")+"?"), false
		}
	}
	names := make([]string, len(snaps))
	for i, s := range snaps {
		names[i] = s.Name
	}
	if close := Suggest(name, names); len(close) > 0 {
		return Snapshot{}, problem(fmt.Sprintf("I don't know a target called %q", name), "Did you mean "+strings.Join(close, " or ")+"?"), false
	}
	return Snapshot{}, problem(fmt.Sprintf("I don't know a target called %q", name), "Known targets: "+strings.Join(names, ", ")+"."), false
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

// tooLongError is a well-formed duration past the longest.
type tooLongError struct{ text string }

func (e *tooLongError) Error() string        { return e.text }
func (e *tooLongError) Is(target error) bool { return target == ErrWindowTooLong }

// ParseWindow reads a window or duration as people type it: "90m", "24h",
// "7d", "2w", "1.5d", "1h30m". It is more than zero and at most MaxWindow;
// anything else (NaN, infinity, negative, zero, too long) is an error
// saying what is accepted.
func ParseWindow(s string) (time.Duration, error) { return ParseDuration(s, MaxWindow) }

// ParseDuration is ParseWindow with another longest duration, max, which
// must be positive and well short of time.Duration's range.
func ParseDuration(s string, max time.Duration) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	form := "write a number and a unit (m, h, d or w), like 30m, 2h, 7d or 2w, up to " + FormatWindow(max)
	if s == "" {
		return 0, errors.New("empty duration: " + form)
	}
	bad := fmt.Errorf("%q is not a duration: %s", clip(s), form)
	tooLong := &tooLongError{fmt.Sprintf("%q is too long: the longest is %s", clip(s), FormatWindow(max))}
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

func clock(t time.Time) string { return t.UTC().Format("Jan 2 15:04 UTC") }

func reasonSuffix(r string) string {
	if r == "" {
		return ""
	}
	return ": " + r
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
func locationLines(locs []LocationSnapshot) []string {
	var out []string
	for _, l := range locs {
		var line string
		switch {
		case l.Excluded != "":
			line = fmt.Sprintf("%s %s: left out (%s)", Emoji(sources.Unknown), l.Name, l.Excluded)
		case l.Failing:
			line = fmt.Sprintf("%s %s: failing (%s)", Emoji(sources.Worst(l.Status, sources.PartialOutage)), l.Name, l.Status.Label())
		default:
			line = fmt.Sprintf("%s %s: %s", Emoji(l.Status), l.Name, l.Status.Label())
		}
		if l.Latency > 0 && l.Excluded == "" {
			line += ", " + roundLatency(l.Latency).String()
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
