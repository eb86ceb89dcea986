package notifier

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/internal/golden"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// TestLabels writes the shared field titles and the one-line summary of
// each kind of event in every language and compares with
// testdata/labels.<lang>.golden (go test -update rewrites them).
func TestLabels(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 14, 2, 0, 0, time.UTC)
	base := outage.Event{Target: "OpenAI", Title: "Elevated errors\n on the API", Class: outage.Incident, Severity: sources.PartialOutage,
		Kind: outage.Opened, OpenedAt: t0, At: t0.Add(72 * time.Minute)}
	with := func(f func(*outage.Event)) outage.Event { ev := base; f(&ev); return ev }
	cases := []struct {
		name string
		ev   outage.Event
	}{
		{"opened", base},
		{"major", with(func(ev *outage.Event) { ev.Kind, ev.Severity = outage.Updated, sources.MajorOutage })},
		{"resolved", with(func(ev *outage.Event) { ev.Kind, ev.ResolvedAt = outage.Resolved, ev.At })},
		{"untitled", with(func(ev *outage.Event) { ev.Title = "" })},
		{"bot's title", with(func(ev *outage.Event) {
			ev.Title, ev.TitleSaid = "no status data", &outage.Text{ID: "class.unreachable"}
		})},
		{"no severity", with(func(ev *outage.Event) { ev.Severity = "" })},
		{"digest", with(func(ev *outage.Event) { ev.Kind, ev.Title = outage.Digest, "Daily digest" })},
	}
	for _, lang := range i18n.Languages {
		p := i18n.For(lang)
		var b strings.Builder
		fmt.Fprintf(&b, "titles: %s | %s\n", DurationTitle(p), ComponentsTitle(p))
		for _, c := range cases {
			fmt.Fprintf(&b, "%s: %s\n", c.name, Summary(p, c.ev))
		}
		golden.Text(t, "labels."+lang, b.String(), *update)
	}
}
