package report_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/report"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var t0 = time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)

type scripted struct{ obs sources.Observation }

func (s *scripted) Poll(context.Context) (sources.Observation, error) { return s.obs, nil }

// story runs a ChatGPT-like outage through the real engine and store: our
// support chatbot fails at 14:04 while OpenAI's page is quiet; the page
// admits an incident on the API at 14:16 (dated 14:02), updates it twice,
// resolves it at 14:30; the chatbot recovers at 14:31.
func story(t *testing.T) (*store.Store, time.Time) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := t0
	src := map[string]*scripted{}
	mk := func(name string, pol bot.Policy) *bot.Target {
		src[name] = &scripted{}
		return &bot.Target{Job: bot.Job{Name: name, Interval: time.Minute}, Timeout: time.Second, Source: src[name], Policy: pol, Dests: []string{"ops/slack"}}
	}
	vendorPol := bot.Policy{FailureThreshold: 1, SuccessThreshold: 1, AnnounceExisting: true}
	chatbot := mk("Support chatbot", bot.Policy{Probe: true, FailureThreshold: 3, SuccessThreshold: 2})
	chatbot.DependsOn = []bot.Dependency{{Target: "OpenAI", Components: []string{"API"}}}
	chatbot.Alternatives = []string{"Anthropic"}
	targets := []*bot.Target{mk("OpenAI", vendorPol), mk("Anthropic", vendorPol), chatbot}
	n := 0
	r := bot.NewRunner(&bot.Engine{NewID: func() string { n++; return fmt.Sprintf("%016x", n) }}, st, slog.New(slog.DiscardHandler), bot.NewMetrics(prometheus.NewRegistry()), targets)
	r.Now = func() time.Time { return now }
	poll := func(name string) {
		for _, j := range r.Jobs() {
			if j.Name == name {
				r.Poll(ctx, j)
			}
		}
	}
	comps := func(api sources.Status) []sources.Component {
		return []sources.Component{{ID: "api", Name: "API", Status: api}, {ID: "chatgpt", Name: "ChatGPT", Status: sources.Operational}}
	}
	probe := func(s sources.Status, detail string) sources.Observation {
		return sources.Observation{Components: []sources.Component{{ID: "endpoint", Name: "Support chatbot", Status: s, Detail: detail}}}
	}
	incident := func(phase sources.IncidentStatus, updates ...string) sources.Incident {
		inc := sources.Incident{ID: "inc1", Title: "Elevated error rates on API", Status: phase, Impact: sources.PartialOutage,
			URL: "https://status.openai.com/incidents/inc1", StartedAt: t0.Add(2 * time.Minute), ComponentIDs: []string{"api"}}
		for i, u := range updates {
			f := strings.SplitN(u, "|", 3)
			at, _ := time.ParseDuration(f[0])
			inc.Updates = append(inc.Updates, sources.IncidentUpdate{ID: fmt.Sprintf("u%d", i), At: t0.Add(at), Status: sources.IncidentStatus(f[1]), Body: f[2]})
		}
		if phase.Done() {
			inc.ResolvedAt = inc.Updates[len(inc.Updates)-1].At
		}
		return inc
	}
	src["OpenAI"].obs = sources.Observation{Components: comps(sources.Operational)}
	src["Anthropic"].obs = sources.Observation{Components: []sources.Component{{ID: "claude", Name: "Claude API", Status: sources.Operational}}}
	src["Support chatbot"].obs = probe(sources.Operational, "")
	steps := []struct {
		min  int
		do   func()
		poll []string
	}{
		{0, func() {}, []string{"OpenAI", "Anthropic", "Support chatbot"}},
		{4, func() { src["Support chatbot"].obs = probe(sources.MajorOutage, "HTTP 502 from /v1/chat") }, []string{"Support chatbot"}},
		{5, func() {}, []string{"Support chatbot"}},
		{6, func() {}, []string{"Support chatbot"}},
		{16, func() {
			src["OpenAI"].obs = sources.Observation{Components: comps(sources.PartialOutage), Incidents: []sources.Incident{
				incident(sources.IncidentInvestigating, "15m|investigating|We are investigating elevated error rates on the API.")}}
		}, []string{"OpenAI", "Support chatbot"}},
		{18, func() {
			src["Anthropic"].obs = sources.Observation{Components: []sources.Component{{ID: "claude", Name: "Claude API", Status: sources.Degraded}}}
		}, []string{"Anthropic", "Support chatbot"}},
		{20, func() {
			src["OpenAI"].obs = sources.Observation{Components: comps(sources.PartialOutage), Incidents: []sources.Incident{
				incident(sources.IncidentIdentified, "15m|investigating|We are investigating elevated error rates on the API.", "20m|identified|A configuration change is rolling back.")}}
		}, []string{"OpenAI", "Support chatbot"}},
		{25, func() {
			src["OpenAI"].obs = sources.Observation{Components: comps(sources.Degraded), Incidents: []sources.Incident{
				incident(sources.IncidentMonitoring, "15m|investigating|We are investigating elevated error rates on the API.", "20m|identified|A configuration change is rolling back.", "25m|monitoring|Error rates are recovering.")}}
		}, []string{"OpenAI", "Support chatbot"}},
		{30, func() {
			src["OpenAI"].obs = sources.Observation{Components: comps(sources.Operational), Incidents: []sources.Incident{
				incident(sources.IncidentResolved, "15m|investigating|We are investigating elevated error rates on the API.", "20m|identified|A configuration change is rolling back.", "25m|monitoring|Error rates are recovering.", "30m|resolved|This incident has been resolved.")}}
			src["Support chatbot"].obs = probe(sources.Operational, "")
		}, []string{"OpenAI", "Support chatbot"}},
		{31, func() {}, []string{"Support chatbot"}},
	}
	for _, s := range steps {
		now = t0.Add(time.Duration(s.min) * time.Minute)
		s.do()
		for _, name := range s.poll {
			poll(name)
		}
	}
	return st, now
}

func TestReportOfAChatGPTLikeOutage(t *testing.T) {
	st, now := story(t)
	ctx := context.Background()
	outs, err := st.Outages(ctx, time.Time{}, "Support chatbot")
	if err != nil || len(outs) != 1 {
		t.Fatalf("outages: %v %v", outs, err)
	}
	ours := outs[0]
	r, err := report.Build(ctx, st, ours.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Vendor == nil || r.Vendor.Lag != 12*time.Minute || r.DetectedBy != "Support chatbot" || !r.DetectedAt.Equal(t0.Add(4*time.Minute)) {
		t.Errorf("detection and acknowledgement: %+v vendor %+v", r, r.Vendor)
	}
	if r.Duration != 26*time.Minute || r.Ongoing {
		t.Errorf("duration %s ongoing %v", r.Duration, r.Ongoing)
	}
	golden.Text(t, "chatgpt.md", report.Markdown(r), *update)
	data, err := report.JSON(r)
	if err != nil {
		t.Fatal(err)
	}
	golden.Text(t, "chatgpt.json", string(data)+"\n", *update)
	golden.Text(t, "chatgpt.answer.txt", report.Answer(r).Text()+"\n", *update)
	ev := report.Event(r, "thread-1")
	if ev.Thread != "thread-1" || ev.Kind != outage.Report || ev.Seq != 1 || ev.OutageID != "report:thread-1" {
		t.Errorf("report event: %+v", ev)
	}
	golden.Text(t, "chatgpt.event.txt", ev.Title+"\n\n"+ev.Body+"\n", *update)

	// In German: the report's own words, the bot's words in the stored
	// events as their printer writes them, the vendor's as written.
	de := i18n.For("de")
	golden.Text(t, "chatgpt.md.de", report.MarkdownIn(de, r), *update)
	golden.Text(t, "chatgpt.answer.txt.de", report.AnswerIn(de, r).Text()+"\n", *update)
	golden.Text(t, "chatgpt.event.txt.de", ev.In("de").Title+"\n\n"+ev.In("de").Body+"\n", *update)
	if _, ok := ev.Written["en"]; ok || ev.In("de").Title == ev.Title {
		t.Errorf("the report event is not written in German apart from English: %v", ev.Written)
	}
	if report.MarkdownIn(i18n.For("en"), r) != report.Markdown(r) || report.AnswerIn(i18n.For("en"), r).Text() != report.Answer(r).Text() {
		t.Error("English is not the default")
	}

	// The vendor's outage tells the same story.
	vouts, _ := st.Outages(ctx, time.Time{}, "OpenAI")
	rv, err := report.Build(ctx, st, vouts[0].ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if report.Markdown(rv) != strings.Replace(report.Markdown(r), "`"+ours.ID+"`", "`"+vouts[0].ID+"`", 1) {
		t.Errorf("the vendor outage's report differs from its service's:\n%s", report.Markdown(rv))
	}
	var back map[string]any
	if err := json.Unmarshal(data, &back); err != nil || back["timeline"] == nil {
		t.Errorf("JSON: %v %v", err, back)
	}
}

func TestReportOfUnknownOrAmbiguousOutage(t *testing.T) {
	st, now := story(t)
	ctx := context.Background()
	if _, err := report.Build(ctx, st, "nope", now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	if _, err := report.Build(ctx, st, "0000", now); !errors.Is(err, store.ErrAmbiguous) {
		t.Errorf("ambiguous prefix: %v", err)
	}
	if _, err := report.Build(ctx, st, "%", now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("wildcard: %v", err)
	}
}

// An acknowledgement from chat enters the timeline and gives the time to
// acknowledge, in every rendering.
func TestReportShowsTheAcknowledgement(t *testing.T) {
	st, now := story(t)
	ctx := context.Background()
	outs, _ := st.Outages(ctx, time.Time{}, "Support chatbot")
	ours := outs[0]
	if _, _, err := st.Acknowledge(ctx, ours.ID, outage.Ack{UserID: "U0ALICE", Name: "alice", Platform: "slack", At: t0.Add(9 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	r, err := report.Build(ctx, st, ours.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if !r.AcknowledgedAt.Equal(t0.Add(9*time.Minute)) || r.AcknowledgedBy != "@alice" || r.TimeToAcknowledge != 5*time.Minute {
		t.Errorf("ack figures: at %s by %q after %s", r.AcknowledgedAt, r.AcknowledgedBy, r.TimeToAcknowledge)
	}
	data, _ := report.JSON(r)
	for _, want := range []string{`"acknowledged_at": "`, `"acknowledged_by": "@alice"`, `"time_to_acknowledge_ns": 300000000000`, `"kind": "acknowledged"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	md := report.Markdown(r)
	if !strings.Contains(md, "| Acknowledged | ") || !strings.Contains(md, "by @alice, 5m after detection |") || !strings.Contains(md, "Acknowledged by @alice (slack)") {
		t.Errorf("markdown:\n%s", md)
	}
	for _, lang := range i18n.Languages {
		golden.Text(t, "ack.md."+lang, report.MarkdownIn(i18n.For(lang), r), *update)
	}
}

// The report's other figures, in every language: a story still going on
// whose vendor has not said a word, one the vendor never admitted, one it
// admitted before our services failed, and a vendor incident alone, each
// as markdown and as the markdown command's answer.
func TestReportVariantsGolden(t *testing.T) {
	at := t0.Add(40 * time.Minute)
	vendor := &report.Vendor{Name: "OpenAI", Title: "Elevated error rates", AckAt: t0.Add(3 * time.Minute), Lag: -time.Minute, StartedAt: t0.Add(2 * time.Minute)}
	cases := map[string]report.Report{
		"ongoing, not yet acknowledged by the vendor": {ID: "7f3a9c2e11d04b58", Target: "Support chatbot", Title: "Slow answers", Severity: sources.MajorOutage, Ongoing: true,
			DetectedAt: t0.Add(4 * time.Minute), DetectedBy: "Support chatbot", Duration: 36 * time.Minute, At: at,
			Services: []report.Service{{Name: "Support chatbot", FailedAt: t0.Add(4 * time.Minute), Duration: 36 * time.Minute, Confirm: outage.Unconfirmed}}},
		"never acknowledged by the vendor": {ID: "8e21b07c5a9d3f46", Target: "Support chatbot", Title: "Slow answers", Severity: sources.PartialOutage,
			DetectedAt: t0.Add(9*time.Hour + 50*time.Minute), DetectedBy: "Support chatbot", RestoredAt: t0.Add(10*time.Hour + 20*time.Minute), Duration: 30 * time.Minute, At: at.Add(11 * time.Hour),
			Services: []report.Service{{Name: "Support chatbot", FailedAt: t0.Add(9*time.Hour + 50*time.Minute), RestoredAt: t0.Add(10*time.Hour + 20*time.Minute), Duration: 30 * time.Minute}}},
		"acknowledged before our services failed": {ID: "9c4d18e7b2a05f31", Target: "Support chatbot", Title: "Elevated error rates", Severity: sources.Degraded, Vendor: vendor,
			DetectedAt: t0.Add(4 * time.Minute), DetectedBy: "Support chatbot", RestoredAt: t0.Add(30 * time.Minute), Duration: 26 * time.Minute, At: at, Components: []string{"API", "ChatGPT"},
			Services: []report.Service{{Name: "Support chatbot", FailedAt: t0.Add(4 * time.Minute), RestoredAt: t0.Add(30 * time.Minute), Duration: 26 * time.Minute, Confirm: outage.Confirmed}}},
		"a vendor incident alone": {ID: "a05b7d92c3e81f64", Target: "OpenAI", Title: "Elevated error rates", Severity: sources.MajorOutage,
			Vendor:     &report.Vendor{Name: "OpenAI", Title: "Elevated error rates", AckAt: t0.Add(3 * time.Minute)},
			DetectedAt: t0.Add(3 * time.Minute), DetectedBy: "OpenAI", RestoredAt: t0.Add(30 * time.Minute), Duration: 27 * time.Minute, At: at},
	}
	names := make([]string, 0, len(cases))
	for name := range cases {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, lang := range i18n.Languages {
		p := i18n.For(lang)
		var b strings.Builder
		for _, name := range names {
			fmt.Fprintf(&b, "== %s\n%s\n", name, report.MarkdownAnswerIn(p, cases[name]).Text())
		}
		golden.Text(t, "variants."+lang, b.String(), *update)
	}
}
