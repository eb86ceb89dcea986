package slack

import (
	"encoding/json"
	"flag"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/notifier"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var (
	t0 = time.Date(2025, 3, 4, 14, 2, 0, 0, time.UTC)
	en = i18n.For("en")
)

// goldenName is a golden file's name in p's language: the English one
// as it always was, another language's with its code (opened.de).
func goldenName(p *i18n.Printer, name string) string {
	if p.Lang() == i18n.Default {
		return name
	}
	return name + "." + p.Lang()
}

// inEveryLanguage runs f once per catalog language.
func inEveryLanguage(t *testing.T, f func(t *testing.T, p *i18n.Printer)) {
	for _, lang := range i18n.Languages {
		t.Run(lang, func(t *testing.T) { f(t, i18n.For(lang)) })
	}
}

// event builds an event of an outage opened at t0, at offset after it.
func event(kind outage.Kind, class outage.Class, after time.Duration) outage.Event {
	ev := outage.Event{
		OutageID: "o-1",
		Kind:     kind,
		Class:    class,
		Target:   "OpenAI",
		At:       t0.Add(after),
		OpenedAt: t0,
		URL:      "https://status.openai.com/incidents/abc?x=1&y=2",
	}
	switch kind {
	case outage.Opened:
		ev.Seq = 1
	case outage.Updated:
		ev.Seq = 2
	case outage.Resolved:
		ev.Seq = 3
		ev.ResolvedAt = ev.At
	}
	switch class {
	case outage.Incident:
		ev.Title = "Elevated error rates on the API"
		ev.Severity = sources.PartialOutage
		ev.Components = []outage.ComponentState{{Name: "API", Status: sources.PartialOutage}, {Name: "ChatGPT", Status: sources.Degraded}}
		ev.Phase, ev.Body = sources.IncidentInvestigating, "We are investigating elevated error rates for API requests."
		if kind == outage.Updated {
			ev.Severity = sources.MajorOutage
			ev.Components[0].Status = sources.MajorOutage
			ev.Phase, ev.Body = sources.IncidentIdentified, "The issue has been identified & a fix is being implemented. <Requests> may fail."
		}
		if kind == outage.Resolved {
			ev.Severity = sources.Operational
			ev.Phase, ev.Body = sources.IncidentResolved, "This incident has been resolved."
		}
	case outage.MaintenanceWork:
		ev.Title = "Scheduled database maintenance"
		ev.Severity = sources.Maintenance
		ev.Components = []outage.ComponentState{{Name: "Fine-tuning", Status: sources.Maintenance}}
		ev.Phase, ev.Body = sources.MaintenanceInProgress, "Scheduled maintenance is currently in progress."
		if kind == outage.Updated {
			ev.Phase, ev.Body = sources.MaintenanceVerifying, "Verification is currently underway."
		}
		if kind == outage.Resolved {
			ev.Phase, ev.Body = sources.MaintenanceCompleted, "The scheduled maintenance has been completed."
		}
	case outage.Unreachable:
		ev.Severity = sources.Unknown
		ev.URL = "https://status.openai.com"
		ev.Components = nil
		ev.Body = "GET https://status.openai.com/api/v2/summary.json: 503 Service Unavailable"
		if kind == outage.Resolved {
			ev.Body = ""
		}
	}
	return ev
}

// linked is an outage of our support chatbot tied to OpenAI, optionally
// joining the thread of OpenAI's outage.
func linked(kind outage.Kind, thread string) outage.Event {
	ev := outage.Event{OutageID: "o-chatbot", Seq: 1, Kind: kind, Class: outage.Incident, Target: "Support chatbot",
		At: t0.Add(2 * time.Minute), OpenedAt: t0, Title: "Support chatbot is down", Severity: sources.MajorOutage,
		Body: "HTTP 502 from /v1/chat (3 failed checks in a row)", Thread: thread,
		Components: []outage.ComponentState{{Name: "Support chatbot", Status: sources.MajorOutage}},
		Notes:      []string{"Likely caused by OpenAI: Elevated error rates on API (investigating since 14:01 UTC)", "Fallback: Anthropic is operational; Azure OpenAI is degraded"}}
	if kind == outage.Updated {
		ev.Seq, ev.Body = 2, "Fallback now: Anthropic is operational; Azure OpenAI is operational"
		ev.Notes[1] = "Fallback: Anthropic is operational; Azure OpenAI is operational"
	}
	return ev
}

type golden struct {
	Root  Message  `json:"root"`
	Reply *Message `json:"reply,omitempty"`
}

func TestRenderGolden(t *testing.T) {
	long := event(outage.Updated, outage.Incident, 25*time.Hour)
	long.Title = strings.Repeat("Très long titre ", 20)
	long.Body = strings.Repeat("Ünïcødé & <markup> ", 400)
	for i := range 300 {
		long.Components = append(long.Components, outage.ComponentState{Name: "Component with a long name " + strings.Repeat("x", i%7), Status: sources.Degraded})
	}
	bare := event(outage.Opened, outage.Incident, 45*time.Second)
	bare.Title, bare.URL, bare.Phase, bare.Body, bare.Components = "", "", "", "", nil
	bare.Severity = sources.Degraded

	cases := map[string]outage.Event{
		"opened-incident":      event(outage.Opened, outage.Incident, 0),
		"updated-incident":     event(outage.Updated, outage.Incident, 12*time.Minute),
		"resolved-incident":    event(outage.Resolved, outage.Incident, 72*time.Minute),
		"opened-maintenance":   event(outage.Opened, outage.MaintenanceWork, 0),
		"updated-maintenance":  event(outage.Updated, outage.MaintenanceWork, 30*time.Minute),
		"resolved-maintenance": event(outage.Resolved, outage.MaintenanceWork, 2*time.Hour),
		"opened-unreachable":   event(outage.Opened, outage.Unreachable, 0),
		"updated-unreachable":  event(outage.Updated, outage.Unreachable, 5*time.Minute),
		"resolved-unreachable": event(outage.Resolved, outage.Unreachable, 12*time.Minute),
		"updated-long-text":    long,
		"opened-bare-degraded": bare,
		"opened-linked":        linked(outage.Opened, ""),
		"joined-opened":        linked(outage.Opened, "o-vendor"),
		"joined-updated":       linked(outage.Updated, "o-vendor"),
		"opened-major-incident": func() outage.Event {
			e := event(outage.Updated, outage.Incident, 0)
			e.Kind, e.Seq = outage.Opened, 1
			return e
		}(),
		"opened-offline":  selfNotice(outage.Opened, 0),
		"resolved-online": selfNotice(outage.Resolved, 7*time.Minute),
	}
	inEveryLanguage(t, func(t *testing.T, p *i18n.Printer) {
		for name, ev := range cases {
			t.Run(name, func(t *testing.T) {
				g := golden{Root: RenderRoot(p, ev)}
				checkLimits(t, "root", g.Root)
				if ev.Kind != outage.Opened || ev.Joined() {
					r := RenderReply(p, ev)
					checkLimits(t, "reply", r)
					g.Reply = &r
				}
				checkGolden(t, goldenName(p, name), g)
			})
		}
	})
}

// selfNotice is the bot's own notice that its network is down, or back.
func selfNotice(kind outage.Kind, after time.Duration) outage.Event {
	ev := event(kind, outage.Unreachable, after)
	ev.Target, ev.Title, ev.URL = outage.SelfTarget, "Cannot reach the internet", ""
	ev.Body = "All 5 targets failed at once before reaching their servers (DNS or connect)."
	if kind == outage.Resolved {
		ev.Body = ""
	}
	return ev
}

// checkLimits asserts a message is within Slack's limits, walking its JSON
// as Slack would receive it.
func checkLimits(t *testing.T, what string, m Message) {
	t.Helper()
	if n := utf8.RuneCountInString(m.Text); n > MaxFallbackText {
		t.Errorf("%s: text has %d runes, over %d", what, n, MaxFallbackText)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var msg struct {
		Blocks      []jsonBlock `json:"blocks"`
		Attachments []struct {
			Color  string      `json:"color"`
			Blocks []jsonBlock `json:"blocks"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(raw, &msg); err != nil {
		t.Fatal(err)
	}
	check := func(blocks []jsonBlock) {
		if len(blocks) == 0 || len(blocks) > MaxBlocks {
			t.Errorf("%s: %d blocks", what, len(blocks))
		}
		for _, b := range blocks {
			limit := MaxSectionText
			if b.Type == "header" {
				limit = MaxHeaderText
			}
			texts := []string{}
			if b.Text != nil {
				texts = append(texts, b.Text.Text)
			}
			for _, e := range b.Elements {
				texts = append(texts, e.Text)
			}
			for _, s := range texts {
				if n := utf8.RuneCountInString(s); n == 0 || n > limit {
					t.Errorf("%s: %s block text has %d runes (limit %d)", what, b.Type, n, limit)
				}
				if !utf8.ValidString(s) {
					t.Errorf("%s: %s block text is not valid UTF-8", what, b.Type)
				}
				if b.Type != "header" && strings.ContainsAny(ourLink.ReplaceAllString(s, ""), "<>") {
					t.Errorf("%s: unescaped < or > in mrkdwn %q", what, s)
				}
			}
		}
	}
	check(msg.Blocks)
	for _, a := range msg.Attachments {
		if a.Color == "" {
			t.Errorf("%s: attachment without a colour", what)
		}
		check(a.Blocks)
	}
}

// ourLink is a link the renderer writes (<https://…|Status page>), the
// only markup allowed in mrkdwn.
var ourLink = regexp.MustCompile(`<https://[^<>|]*\|[^<>]*>`)

type jsonBlock struct {
	Type string `json:"type"`
	Text *struct {
		Text string `json:"text"`
	} `json:"text"`
	Elements []struct {
		Text string `json:"text"`
	} `json:"elements"`
}

func TestStyles(t *testing.T) {
	cases := []struct {
		ev    outage.Event
		emoji string
		color string
	}{
		{event(outage.Updated, outage.Incident, time.Minute), ":red_circle:", "#E01E5A"},
		{event(outage.Opened, outage.Incident, 0), ":large_orange_circle:", "#F2952F"},
		{func() outage.Event {
			e := event(outage.Opened, outage.Incident, 0)
			e.Severity = sources.Degraded
			return e
		}(), ":large_yellow_circle:", "#ECB22E"},
		{event(outage.Opened, outage.MaintenanceWork, 0), ":large_blue_circle:", "#1D9BD1"},
		// A maintenance the vendor rated "major" (or one stored that way by
		// an older release) is still maintenance.
		{func() outage.Event {
			e := event(outage.Opened, outage.MaintenanceWork, 0)
			e.Severity = sources.PartialOutage
			return e
		}(), ":large_blue_circle:", "#1D9BD1"},
		{event(outage.Resolved, outage.Incident, time.Hour), ":large_green_circle:", "#2EB67D"},
		{event(outage.Opened, outage.Unreachable, 0), ":white_circle:", "#9E9E9E"},
	}
	for _, c := range cases {
		m := RenderRoot(en, c.ev)
		if got := m.Attachments[0].Color; got != c.color {
			t.Errorf("%s %s %s: colour %s, want %s", c.ev.Kind, c.ev.Class, c.ev.Severity, got, c.color)
		}
		if !strings.HasPrefix(m.Text, c.emoji+" ") {
			t.Errorf("%s %s %s: text %q, want emoji %s", c.ev.Kind, c.ev.Class, c.ev.Severity, m.Text, c.emoji)
		}
		if label, _ := notifier.StateIn(i18n.For("en"), c.ev); c.ev.Class == outage.MaintenanceWork && c.ev.Kind != outage.Resolved && label != "Under maintenance" {
			t.Errorf("%s maintenance with severity %s reads %q, want Under maintenance", c.ev.Kind, c.ev.Severity, label)
		}
	}
}

func TestTruncate(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"ünïcødé", 7, "ünïcødé"},
		{"ünïcødé", 4, "ünï…"},
		{"abc", 0, ""},
	}
	for _, c := range cases {
		if got := truncateRunes(c.in, c.max); got != c.want {
			t.Errorf("truncateRunes(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
	// An entity is never cut in half.
	for max := 1; max < 12; max++ {
		got := escapeTruncate("a&b<c>d", max)
		if n := utf8.RuneCountInString(got); n > max {
			t.Errorf("escapeTruncate(%d) = %q: %d runes", max, got, n)
		}
		body := strings.TrimSuffix(got, ellipsis)
		if i := strings.LastIndexByte(body, '&'); i >= 0 && !strings.Contains(body[i:], ";") {
			t.Errorf("escapeTruncate(%d) = %q: half an entity", max, got)
		}
	}
}

// The bot's own "cannot reach the internet" notice says so, not "status
// data unavailable" as a vendor's unreadable page does.
func TestSelfNoticeWording(t *testing.T) {
	ev := event(outage.Opened, outage.Unreachable, 0)
	ev.Target, ev.Title = outage.SelfTarget, "Cannot reach the internet"
	if h := notifier.Headline(en, ev); h != "outagebot: Cannot reach the internet" {
		t.Errorf("headline %q", h)
	}
	if label, _ := notifier.StateIn(i18n.For("en"), ev); label != "Offline" {
		t.Errorf("state %q", label)
	}
	ev = event(outage.Resolved, outage.Unreachable, 5*time.Minute)
	ev.Target, ev.Title = outage.SelfTarget, "Cannot reach the internet"
	if h := notifier.Headline(en, ev); h != "outagebot: back online" {
		t.Errorf("resolved headline %q", h)
	}
	if r := notifier.Restored(en, ev); !strings.HasPrefix(r, "Back online after ") {
		t.Errorf("restored line %q", r)
	}
}

// With [web] base_url the root links to the outage's page beside the
// vendor's.
func TestRootLinksToOutagePage(t *testing.T) {
	o := outage.Outage{ID: "abc", Target: "OpenAI", Class: outage.Incident, Title: "Errors", Severity: sources.Degraded, URL: "https://stspg.io/x", OpenedAt: time.Date(2026, 11, 22, 14, 2, 0, 0, time.UTC)}
	ev := o.Event(outage.Opened, o.OpenedAt, "Investigating.")
	ev.Page = "https://status.example.com/outages/abc"
	raw, err := json.Marshal(RenderRoot(en, ev))
	if err != nil {
		t.Fatal(err)
	}
	raw = []byte(strings.NewReplacer(`\u003c`, "<", `\u003e`, ">").Replace(string(raw)))
	if !strings.Contains(string(raw), "<https://status.example.com/outages/abc|Outage page>") || !strings.Contains(string(raw), "Status page") {
		t.Errorf("root: %s", raw)
	}
}

// Words the bot wrote into an event (kept as message ids) come out in the
// channel's language; a vendor's words stay as the vendor wrote them.
func TestBotWordsFollowTheChannel(t *testing.T) {
	ev := event(outage.Opened, outage.Unreachable, 0)
	said := outage.Say("chat.restored", outage.Dur("Duration", 72*time.Minute))
	ev.Said = &said
	ev.Body = "Restored after 1h 12m"
	ev.Notes = []string{"Back online after 5m"}
	ev.NotesSaid = []outage.Text{outage.Say("chat.restored.self", outage.Dur("Duration", 5*time.Minute))}
	for lang, want := range map[string][]string{
		"en": {"Restored after 1h 12m", "Back online after 5m"},
		"de": {"Wiederhergestellt nach 1 Std. 12 Min.", "Wieder online nach 5 Min."},
	} {
		s := mrkdwnOf(t, RenderRoot(i18n.For(lang), ev))
		for _, w := range want {
			if !strings.Contains(s, w) {
				t.Errorf("%s root lacks %q: %s", lang, w, s)
			}
		}
	}
	vendor := event(outage.Updated, outage.Incident, time.Minute)
	if s := mrkdwnOf(t, RenderReply(i18n.For("de"), vendor)); !strings.Contains(s, escape(vendor.Body)) {
		t.Errorf("the vendor's words changed: %s", s)
	}
}
