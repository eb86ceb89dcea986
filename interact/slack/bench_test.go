package slack

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/bot"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// manyCommands is real command logic over n targets, a tenth of them in an
// outage.
func manyCommands(n int) *bot.Commands {
	var snaps []bot.Snapshot
	var open, hist []outage.Outage
	var names []string
	for i := range n {
		name := fmt.Sprintf("target-%03d", i)
		names = append(names, name)
		s := bot.Snapshot{Name: name, Status: sources.Operational, Reachable: true, CheckedAt: now.Add(-time.Minute), Latency: 40 * time.Millisecond,
			Components: []bot.ComponentSnapshot{{Name: "API", Status: sources.Operational}, {Name: "Web", Status: sources.Operational}}}
		if i%10 == 0 {
			s.Status = sources.PartialOutage
			s.Components[0].Status = sources.PartialOutage
			s.Incidents = []bot.IncidentSnapshot{{Title: "Elevated errors", Status: sources.IncidentInvestigating, StartedAt: now.Add(-12 * time.Minute)}}
			o := outage.Outage{ID: name + "-o", Target: name, Class: outage.Incident, Title: "Elevated errors", Severity: sources.PartialOutage, OpenedAt: now.Add(-12 * time.Minute)}
			open = append(open, o)
			hist = append(hist, o)
		}
		hist = append(hist, outage.Outage{ID: name + "-r", Target: name, Class: outage.Incident, Title: "Slow", Severity: sources.Degraded,
			OpenedAt: now.Add(-30 * time.Hour), ResolvedAt: now.Add(-29 * time.Hour)})
		snaps = append(snaps, s)
	}
	return &bot.Commands{Now: func() time.Time { return now }, Mutes: &memMutes{},
		View: fakeView{snaps: snaps, open: open}, History: fakeHistory{outs: hist, seen: names}}
}

// BenchmarkSlashCommand is one signed request through the HTTP handler to
// its answer, with real command logic over 100 targets. Each request is
// unique, as Slack's are (the handler refuses replays); bodies and
// signatures are made beforehand so the signing is not measured, while
// building the request and the response recorder are.
func BenchmarkSlashCommand(b *testing.B) {
	target, _ := url.Parse("http://127.0.0.1/slack/commands")
	// "fixed" answers bot.Help() without running any command logic: what
	// this package costs (read, verify, parse, render, encode).
	for _, text := range []string{"fixed", "status target-042", "status", "uptime target-042 7d", "help", "nosuch"} {
		b.Run(strings.ReplaceAll(text, " ", "_"), func(b *testing.B) {
			var c Answerer = manyCommands(100)
			if text == "fixed" {
				c = fixed(bot.Help())
			}
			h := NewHandler(HandlerOptions{SigningSecret: secret, Commands: c, Now: func() time.Time { return now }})
			ts := strconv.FormatInt(now.Unix(), 10)
			bodies, sigs := make([]string, b.N), make([]string, b.N)
			for i := range bodies {
				bodies[i] = form(text) + "&n=" + strconv.Itoa(i)
				sigs[i] = sign(secret, now.Unix(), bodies[i])
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r := &http.Request{Method: http.MethodPost, URL: target, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
					Header: http.Header{
						"Content-Type":  {"application/x-www-form-urlencoded"},
						headerTimestamp: {ts},
						headerSignature: {sigs[i]},
					},
					Body: io.NopCloser(strings.NewReader(bodies[i])), ContentLength: int64(len(bodies[i]))}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r.WithContext(context.Background()))
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}

// fixed is an Answerer that always gives the same answer.
type fixed bot.Answer

func (f fixed) Run(context.Context, bot.Request) bot.Answer { return bot.Answer(f) }
