package bot

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// The engine's own words, in every language: each situation below drives
// the engine (and relate, and the network watch) the way a poll does, and
// testdata/engine-words.<lang>.golden lists what every event it made says
// in that language. The English must be the words the events store (Body,
// Title, Notes), and every engine message of the catalog must be said at
// least once.

// wordsPoll is one poll of a situation: what the source returned at
// minute min, and what relate knew of the targets around it then.
type wordsPoll struct {
	min int
	obs sources.Observation
	err error
	rel Related
}

// drive runs target through steps and returns the events made, each
// round-tripped through JSON as the store keeps them; the state is too,
// after every poll, as across a restart.
func drive(t *testing.T, target string, pol Policy, steps ...wordsPoll) []outage.Event {
	t.Helper()
	n := 0
	e := &Engine{NewID: func() string { n++; return fmt.Sprintf("o%d", n) }}
	st := &TargetState{Target: target}
	var out []outage.Event
	for _, s := range steps {
		now := t0.Add(time.Duration(s.min) * time.Minute)
		ch := e.Apply(st, pol, s.obs, s.err, now)
		relate(st, &ch, s.rel, now)
		out = append(out, ch.Events...)
		roundTrip(t, st)
	}
	roundTrip(t, &out)
	return out
}

func roundTrip[T any](t *testing.T, v *T) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back T
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	*v = back
}

// peerAfter is a vendor target as relate sees it from another target,
// after the engine has seen steps of it.
func peerAfter(t *testing.T, name string, steps ...wordsPoll) Peer {
	t.Helper()
	e := &Engine{NewID: func() string { return "v-" + name }}
	st := &TargetState{Target: name}
	for _, s := range steps {
		e.Apply(st, vendor(), s.obs, s.err, t0.Add(time.Duration(s.min)*time.Minute))
	}
	return peerOf(name, st)
}

// failingPeer is a service of ours whose outage since minute min is
// suspected to be vendor's.
func failingPeer(name, vendor string, min int) Peer {
	o := outage.Outage{ID: "f-" + name, Target: name, Class: outage.Incident, Title: "Down", OpenedAt: t0.Add(time.Duration(min) * time.Minute),
		Link: &outage.Link{Vendor: vendor, Confirm: outage.Unconfirmed}}
	return Peer{Name: name, Status: sources.MajorOutage, Initialized: true, Outages: []PeerOutage{{Outage: o}}}
}

func workingPeer(name string, s sources.Status) Peer {
	return Peer{Name: name, Status: s, Initialized: true}
}

type situation struct {
	name   string
	events func(t *testing.T) []outage.Event
}

func engineSituations() []situation {
	feedDown := errors.New("GET https://status.example/api/v2/summary.json: HTTP 503 Service Unavailable")
	noHost := errors.New("dial tcp: lookup chat.example.com: no such host")
	fails := func(min int, s sources.Status, detail string) wordsPoll {
		return wordsPoll{min: min, obs: probeObs(s, detail)}
	}
	vendorAt := func(min int, o sources.Observation) wordsPoll { return wordsPoll{min: min, obs: o} }
	maint := func(status sources.IncidentStatus, title string, until time.Duration, updates ...string) sources.Observation {
		m := sources.Incident{ID: "m1", Title: title, Status: status, Impact: sources.Maintenance, ScheduledFor: t0.Add(90 * time.Minute)}
		if until > 0 {
			m.ScheduledUntil = t0.Add(until)
		}
		for i, u := range updates {
			m.Updates = append(m.Updates, sources.IncidentUpdate{ID: fmt.Sprint("mu", i), Status: status, Body: u})
		}
		if status.Done() {
			m.ResolvedAt = t0.Add(150 * time.Minute)
		}
		return sources.Observation{Components: comps(op), Maintenances: []sources.Incident{m}}
	}
	retitled := func(i sources.Incident, title string) sources.Incident { i.Title = title; return i }
	chatbot := Policy{Probe: true, FailureThreshold: 1, SuccessThreshold: 1}
	onAPI := Dependency{Target: "OpenAI", Components: []string{"API"}}
	anthropic := Peer{Name: "Anthropic", Status: op, Initialized: true}

	return []situation{
		{"the status feed cannot be read, then can", func(t *testing.T) []outage.Event {
			return drive(t, "OpenAI", vendor(), vendorAt(0, obs(comps(op))),
				wordsPoll{min: 1, err: feedDown}, wordsPoll{min: 2, err: feedDown}, wordsPoll{min: 3, err: feedDown},
				vendorAt(4, obs(comps(op))))
		}},
		{"a probe gets no result", func(t *testing.T) []outage.Event {
			return drive(t, "Support chatbot", probe(), wordsPoll{min: 1, err: noHost}, wordsPoll{min: 2, err: noHost}, wordsPoll{min: 3, err: noHost})
		}},
		{"a probe fails three times in a row, then responds again", func(t *testing.T) []outage.Event {
			return drive(t, "Support chatbot", probe(), fails(0, sources.MajorOutage, "HTTP 503, expected 2xx/3xx"),
				fails(1, sources.MajorOutage, "HTTP 503, expected 2xx/3xx"), fails(2, sources.MajorOutage, "HTTP 503, expected 2xx/3xx"),
				fails(3, op, ""), fails(4, op, ""))
		}},
		{"a probe is slow, then down", func(t *testing.T) []outage.Event {
			return drive(t, "Support chatbot", chatbot, fails(0, deg, "slow: 2s, threshold 1s"), fails(1, sources.MajorOutage, "connection refused"), fails(2, op, ""))
		}},
		{"a probe fails without words, recovers and fails again", func(t *testing.T) []outage.Event {
			return drive(t, "Support chatbot", chatbot, fails(0, sources.MajorOutage, ""), fails(1, op, ""), fails(2, sources.MajorOutage, "connection refused"))
		}},
		{"locations agree a probe fails (their words as written)", func(t *testing.T) []outage.Event {
			pol := chatbot
			pol.Verdict = true
			return drive(t, "Support chatbot", pol, fails(0, sources.MajorOutage, "failing from 2 of 3 locations: HTTP 502"))
		}},
		{"locations split: where it fails, in the reader's words", func(t *testing.T) []outage.Event {
			pol := chatbot
			pol.Verdict = true
			spread := func(min int, s sources.Status, detail string, sp sources.Spread) wordsPoll {
				p := fails(min, s, detail)
				p.obs.Components[0].Spread = &sp
				return p
			}
			return drive(t, "Support chatbot", pol,
				spread(0, sources.MajorOutage, "failing from eu-west and us-east; fine from ap-south; left out: sa-east",
					sources.Spread{Failing: []string{"eu-west", "us-east"}, Fine: []string{"ap-south"}, Out: []string{"sa-east"}}),
				spread(1, deg, "failing from eu-west, us-east and ap-south",
					sources.Spread{Failing: []string{"eu-west", "us-east", "ap-south"}}))
		}},
		{"the locations a probe fails from change while it is down", func(t *testing.T) []outage.Event {
			pol := chatbot
			pol.Verdict = true
			east := []string{"eu-west", "us-east", "ap-south"}
			return drive(t, "Support chatbot", pol,
				spreadPoll(0, sources.MajorOutage, sources.Spread{Failing: east[:1], Fine: east[1:]}),
				spreadPoll(1, sources.MajorOutage, sources.Spread{Failing: east}),
				spreadPoll(2, sources.MajorOutage, sources.Spread{Failing: east}),
				spreadPoll(3, deg, sources.Spread{Failing: east}),
				spreadPoll(4, deg, sources.Spread{Failing: east[:1], Fine: east[1:]}),
				spreadPoll(5, sources.MajorOutage, sources.Spread{Failing: east[:2], Fine: east[2:]}))
		}},
		{"components degrade with no incident: one, then two, then none, then one again", func(t *testing.T) []outage.Event {
			return drive(t, "OpenAI", vendor(), vendorAt(0, obs(comps(op, op, op))), vendorAt(1, obs(comps(deg, op, op))),
				vendorAt(2, obs(comps(part, op, op))), vendorAt(3, obs(comps(part, deg, op))), vendorAt(4, obs(comps(op, op, op))),
				vendorAt(5, obs(comps(deg, op, op))))
		}},
		{"three components degrade at once", func(t *testing.T) []outage.Event {
			return drive(t, "OpenAI", vendor(), vendorAt(0, obs(comps(op, op, op))), vendorAt(1, obs(comps(part, deg, sources.MajorOutage))))
		}},
		{"an incident without words disappears without a record", func(t *testing.T) []outage.Event {
			return drive(t, "OpenAI", vendor(), vendorAt(2, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api))),
				vendorAt(3, obs(comps(deg))), vendorAt(4, obs(comps(deg))))
		}},
		{"the vendor resolves an incident without new words", func(t *testing.T) []outage.Event {
			return drive(t, "OpenAI", vendor(), vendorAt(2, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Looking."))),
				vendorAt(5, obs(comps(op), inc("i1", sources.IncidentResolved, deg, api, "Looking."))))
		}},
		{"the vendor changes an incident without words", func(t *testing.T) []outage.Event {
			chatgpt := []string{"api", "chatgpt"}
			return drive(t, "OpenAI", vendor(),
				vendorAt(2, obs(comps(deg, op), inc("i1", sources.IncidentInvestigating, deg, api, "Looking."))),
				vendorAt(3, obs(comps(deg, deg), retitled(inc("i1", sources.IncidentIdentified, sources.MajorOutage, chatgpt, "Looking."), "API errors"))),
				vendorAt(4, obs(comps(deg, deg), retitled(inc("i1", sources.IncidentMonitoring, sources.MajorOutage, chatgpt, "Looking."), `Errors on the "chat" API`))),
				vendorAt(5, obs(comps(part, deg), retitled(inc("i1", sources.IncidentMonitoring, sources.MajorOutage, chatgpt, "Looking."), `Errors on the "chat" API`))),
				vendorAt(6, obs(comps(part, deg), retitled(inc("i1", sources.IncidentIdentified, sources.MajorOutage, chatgpt, "Looking."), `Errors on the "chat" API`))),
				vendorAt(7, obs(comps(part, deg), retitled(inc("i1", sources.IncidentIdentified, sources.MajorOutage, nil, "Looking."), `Errors on the "chat" API`))))
		}},
		{"an incident joins the thread of degraded components", func(t *testing.T) []outage.Event {
			return drive(t, "OpenAI", vendor(), vendorAt(0, obs(comps(op, op))), vendorAt(1, obs(comps(deg, op))),
				vendorAt(2, obs(comps(deg, op), inc("i1", sources.IncidentInvestigating, deg, api))),
				vendorAt(3, obs(comps(deg, deg), inc("i1", sources.IncidentInvestigating, deg, api))),
				vendorAt(4, obs(comps(op, deg), inc("i1", sources.IncidentResolved, deg, api, "resolved:Fixed."))),
				vendorAt(5, obs(comps(op, op))))
		}},
		{"maintenance announced ahead, started and completed without words", func(t *testing.T) []outage.Event {
			pol := vendor()
			pol.MaintenanceNotice = time.Hour
			return drive(t, "GitHub", pol, vendorAt(0, maint(sources.MaintenanceScheduled, "Database upgrade", 150*time.Minute)),
				vendorAt(31, maint(sources.MaintenanceScheduled, "Database upgrade", 150*time.Minute)),
				vendorAt(90, maint(sources.MaintenanceInProgress, "Database upgrade", 150*time.Minute)),
				vendorAt(151, maint(sources.MaintenanceCompleted, "Database upgrade", 150*time.Minute)))
		}},
		{"maintenance announced with the vendor's words, retitled as it starts, then unlisted", func(t *testing.T) []outage.Event {
			pol := vendor()
			pol.MaintenanceNotice = time.Hour
			return drive(t, "GitHub", pol, vendorAt(31, maint(sources.MaintenanceScheduled, "Database upgrade", 0, "We will upgrade the database.")),
				vendorAt(90, maint(sources.MaintenanceInProgress, "Database and cache upgrade", 0, "We will upgrade the database.")),
				vendorAt(120, obs(comps(op))), vendorAt(121, obs(comps(op))))
		}},
		{"a long outage gets reminders", func(t *testing.T) []outage.Event {
			pol := vendor()
			pol.RemindEvery = time.Hour
			return drive(t, "OpenAI", pol, vendorAt(2, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Looking."))),
				vendorAt(62, obs(comps(deg), inc("i1", sources.IncidentInvestigating, deg, api, "Looking."))),
				vendorAt(63, obs(comps(deg), inc("i1", sources.IncidentInvestigating, sources.MajorOutage, api, "Looking."))),
				vendorAt(123, obs(comps(deg), inc("i1", sources.IncidentInvestigating, sources.MajorOutage, api, "Looking."))))
		}},
		{"our service fails during its vendor's incident", func(t *testing.T) []outage.Event {
			openai := peerAfter(t, "OpenAI", vendorAt(3, obs(comps(part, op, op), apiIncident)))
			rel := Related{Deps: []RelatedDep{{onAPI, openai}}, Alternatives: []Peer{anthropic}}
			return drive(t, "Support chatbot", chatbot, wordsPoll{min: 4, obs: probeObs(sources.MajorOutage, "HTTP 502"), rel: rel})
		}},
		{"our service fails while its vendor's page shows degraded components only", func(t *testing.T) []outage.Event {
			openai := peerAfter(t, "OpenAI", vendorAt(3, obs(comps(part, op, op))))
			rel := Related{Deps: []RelatedDep{{onAPI, openai}}}
			return drive(t, "Support chatbot", chatbot, wordsPoll{min: 4, obs: probeObs(sources.MajorOutage, "HTTP 502"), rel: rel})
		}},
		{"the vendor admits the trouble after we detected it", func(t *testing.T) []outage.Event {
			quiet := Related{Deps: []RelatedDep{{onAPI, workingPeer("OpenAI", op)}}}
			admits := Related{Deps: []RelatedDep{{onAPI, peerAfter(t, "OpenAI", vendorAt(16, obs(comps(part, op, op), apiIncident)))}}}
			return drive(t, "Support chatbot", chatbot,
				wordsPoll{min: 4, obs: probeObs(sources.MajorOutage, "HTTP 502"), rel: quiet},
				wordsPoll{min: 16, obs: probeObs(sources.MajorOutage, "HTTP 502"), rel: admits},
				wordsPoll{min: 30, obs: probeObs(op, ""), rel: admits})
		}},
		{"the vendor's page showed the trouble first; other pages cannot be read", func(t *testing.T) []outage.Event {
			whole := Dependency{Target: "OpenAI"}
			unread := []RelatedDep{{Dependency{Target: "Azure"}, workingPeer("Azure", sources.Unknown)}, {Dependency{Target: "Cloudflare"}, Peer{Name: "Cloudflare"}}}
			quiet := Related{Deps: append([]RelatedDep{{whole, workingPeer("OpenAI", op)}}, unread...)}
			admits := Related{Deps: append([]RelatedDep{{whole, peerAfter(t, "OpenAI", vendorAt(3, obs(comps(part, op, op), apiIncident)))}}, unread...)}
			return drive(t, "Support chatbot", chatbot,
				wordsPoll{min: 4, obs: probeObs(sources.MajorOutage, "HTTP 502"), rel: quiet},
				wordsPoll{min: 5, obs: probeObs(sources.MajorOutage, "HTTP 502"), rel: admits})
		}},
		{"the vendor never admits the trouble", func(t *testing.T) []outage.Event {
			quiet := Related{Deps: []RelatedDep{{onAPI, workingPeer("OpenAI", op)}}}
			return drive(t, "Support chatbot", chatbot,
				wordsPoll{min: 4, obs: probeObs(sources.MajorOutage, "HTTP 502"), rel: quiet},
				wordsPoll{min: 9, obs: probeObs(op, ""), rel: quiet})
		}},
		{"a vendor's incident affects our services", func(t *testing.T) []outage.Event {
			whole := Dependency{Target: "OpenAI"}
			rel := Related{Dependents: []RelatedDep{
				{onAPI, failingPeer("Support chatbot", "OpenAI", 4)}, {whole, failingPeer("Batch jobs", "OpenAI", 1)},
				{whole, workingPeer("Search", op)}, {whole, workingPeer("Summaries", op)}}}
			return drive(t, "OpenAI", vendor(), wordsPoll{min: 5, obs: obs(comps(part, op, op), apiIncident), rel: rel})
		}},
		{"a vendor's incident while the one service depending on it works", func(t *testing.T) []outage.Event {
			rel := Related{Dependents: []RelatedDep{{onAPI, workingPeer("Support chatbot", op)}}}
			return drive(t, "OpenAI", vendor(), wordsPoll{min: 3, obs: obs(comps(part, op, op), apiIncident), rel: rel})
		}},
		{"the fallbacks, in every state, and a change of them", func(t *testing.T) []outage.Event {
			alts := []Peer{{Name: "Gemini"}, workingPeer("Mistral", sources.Unknown), workingPeer("Anthropic", op), workingPeer("Cohere", sources.Maintenance),
				workingPeer("Groq", deg), workingPeer("Together", part), workingPeer("Perplexity", sources.MajorOutage)}
			later := slices.Clone(alts)
			later[2] = workingPeer("Anthropic", deg)
			return drive(t, "Support chatbot", chatbot,
				wordsPoll{min: 4, obs: probeObs(sources.MajorOutage, "HTTP 502"), rel: Related{Alternatives: alts}},
				wordsPoll{min: 5, obs: probeObs(sources.MajorOutage, "HTTP 502"), rel: Related{Alternatives: later}})
		}},
		{"every target fails before reaching its server, and the network comes back", func(t *testing.T) []outage.Event {
			return networkDown(t, 2)
		}},
		{"the only target fails before reaching its server, and the network comes back", func(t *testing.T) []outage.Event {
			return networkDown(t, 1)
		}},
	}
}

// spreadPoll is a poll of a probe run from several locations at minute
// min, failing from where sp says, with the words the locations' verdict
// has for it.
func spreadPoll(min int, s sources.Status, sp sources.Spread) wordsPoll {
	where, _ := spreadText(&sp, false, nil)
	o := probeObs(s, english(where))
	o.Components[0].Spread = &sp
	return wordsPoll{min: min, obs: o}
}

// networkDown makes the network watch of targets targets open its notice
// and, after a restart, end it.
func networkDown(t *testing.T, targets int) []outage.Event {
	t.Helper()
	w := &NetworkWatch{Min: 1, NewID: func() string { return "n1" }}
	var out []outage.Event
	for i := range targets {
		out = append(out, w.Step(fmt.Sprint("target", i), true, targets, t0.Add(time.Duration(i)*time.Minute)).Change.Events...)
	}
	stored := NetworkState{Notice: w.Notice}
	roundTrip(t, &stored)
	w = &NetworkWatch{Min: 1, Notice: stored.Notice}
	out = append(out, w.Step("target0", false, targets, t0.Add(13*time.Minute)).Change.Events...)
	roundTrip(t, &out)
	return out
}

func TestEngineWordsInEveryLanguage(t *testing.T) {
	en := i18n.For("en")
	out := map[string]*strings.Builder{}
	for _, lang := range i18n.Languages {
		out[lang] = &strings.Builder{}
	}
	said := map[string]bool{}
	for _, s := range engineSituations() {
		evs := s.events(t)
		if len(evs) == 0 {
			t.Errorf("%s: no events", s.name)
		}
		for _, ev := range evs {
			checkStoredEnglish(t, s.name, en, ev)
			for _, txt := range textsOf(ev) {
				collectIDs(txt, said)
			}
		}
		for _, lang := range i18n.Languages {
			writeSituation(out[lang], i18n.For(lang), s.name, evs)
		}
	}
	for _, lang := range i18n.Languages {
		got := out[lang].String()
		if strings.Contains(got, "engine.") || strings.Contains(got, "<no value>") {
			t.Errorf("%s: a message is missing or lacks an argument:\n%s", lang, got)
		}
		compareGolden(t, filepath.Join("testdata", "engine-words."+lang+".golden"), got)
	}
	for _, id := range engineMessages(t) {
		if !said[id] {
			t.Errorf("no situation says %q: add one", id)
		}
	}
}

// checkStoredEnglish fails when the English of the event's messages is not
// the words it stores, or when notes have no message one for one.
func checkStoredEnglish(t *testing.T, name string, en *i18n.Printer, ev outage.Event) {
	t.Helper()
	if ev.TitleSaid != nil && en.Title(ev) != ev.Title {
		t.Errorf("%s: title %q is stored as %q", name, en.Title(ev), ev.Title)
	}
	if en.Body(ev) != ev.Body {
		t.Errorf("%s: body %q is stored as %q", name, en.Body(ev), ev.Body)
	}
	if len(ev.NotesSaid) != len(ev.Notes) {
		t.Errorf("%s: %d notes, %d of them as messages: %q", name, len(ev.Notes), len(ev.NotesSaid), ev.Notes)
	}
	if got := en.Notes(ev); !slices.Equal(got, ev.Notes) {
		t.Errorf("%s: notes %q are stored as %q", name, got, ev.Notes)
	}
}

func textsOf(ev outage.Event) []outage.Text {
	out := slices.Clone(ev.NotesSaid)
	for _, t := range []*outage.Text{ev.Said, ev.TitleSaid} {
		if t != nil {
			out = append(out, *t)
		}
	}
	return out
}

func collectIDs(t outage.Text, ids map[string]bool) {
	ids[t.ID] = true
	for _, a := range t.Args {
		if a.Text != nil {
			collectIDs(*a.Text, ids)
		}
	}
}

// writeSituation lists what each event says in p's language; words the
// bot passes on as they were written are marked so.
func writeSituation(b *strings.Builder, p *i18n.Printer, name string, evs []outage.Event) {
	fmt.Fprintf(b, "## %s\n", name)
	for _, ev := range evs {
		fmt.Fprintf(b, "%s %s #%d\n", ev.Target, ev.Kind, ev.Seq)
		writeField(b, "title", ev.TitleSaid != nil, p.Title(ev))
		writeField(b, "body", ev.Said != nil, p.Body(ev))
		for _, n := range p.Notes(ev) {
			writeField(b, "note", true, n)
		}
	}
	b.WriteString("\n")
}

func writeField(b *strings.Builder, field string, ours bool, s string) {
	if !ours {
		field += " (as written)"
	}
	fmt.Fprintf(b, "  %s: %s\n", field, strings.ReplaceAll(s, "\n", "\n    "))
}

// engineMessages are the engine's message ids in the English catalog.
func engineMessages(t *testing.T) []string {
	t.Helper()
	buf, err := os.ReadFile(filepath.Join("..", "i18n", "messages", "en", "engine.toml"))
	if err != nil {
		t.Fatal(err)
	}
	var msgs map[string]any
	if err := toml.Unmarshal(buf, &msgs); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id := range msgs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// compareGolden checks got against the file at path; -update rewrites it.
func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", path, got)
	}
}
