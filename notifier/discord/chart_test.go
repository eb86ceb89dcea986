package discord

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/outagebot/outagebot/digest/chart"
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/internal/fakediscord"
	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

func chartEvent() outage.Event {
	ev := digestEvent(3)
	since := ev.At.Add(-24 * time.Hour)
	ev.Chart = &outage.Chart{Since: since, Until: ev.At, Zone: "UTC", Lanes: []outage.ChartLane{
		{Target: "Target 001", Uptime: 99.2, Down: 12 * time.Minute, Outages: 1,
			Bars: []outage.ChartBar{{Start: since.Add(2 * time.Hour), End: since.Add(2*time.Hour + 12*time.Minute), Status: sources.PartialOutage}}},
		{Target: "Target 002", Uptime: 100},
	}}
	return ev
}

// The chart travels with the digest in one request: attached as
// digest.png with the alt text as its description, shown as the embed's
// image. A send whose answer was lost, or that failed, is retried with
// the same nonce, and one message with one picture is in the channel.
func TestDeliverDigestChart(t *testing.T) {
	cases := []struct {
		name  string
		fault *fakediscord.Fault
	}{
		{"no fault", nil},
		{"sent but the answer is lost", &fakediscord.Fault{Drop: true}},
		{"server error", &fakediscord.Fault{Status: http.StatusBadGateway}},
	}
	ev := chartEvent()
	img, err := chart.Render(ev.Chart, i18n.For("en"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, false)
			if c.fault != nil {
				e.fake.Inject(fakediscord.RouteCreateMessage, 1, *c.fault)
			}
			d := delivery(7, ev, "")
			ref, err := e.n.Deliver(context.Background(), d)
			if (err != nil) != (c.fault != nil) {
				t.Fatalf("first attempt: ref %q, err %v", ref, err)
			}
			if err != nil {
				d.Attempt = 1
				ref = deliver(t, e.n, d)
			}
			msgs := e.fake.Messages(testChannel)
			if len(msgs) != 1 || msgs[0].ID != string(ref) {
				t.Fatalf("%d messages (ref %s), want one", len(msgs), ref)
			}
			m := msgs[0]
			if len(m.Attachments) != 1 {
				t.Fatalf("%d attachments", len(m.Attachments))
			}
			a := m.Attachments[0]
			if a.Filename != "digest.png" || a.ContentType != "image/png" || !bytes.Equal(a.Data, img) || a.Description != chart.AltText(ev.Chart, i18n.For("en")) {
				t.Errorf("attachment %s %s, %d bytes, description %q", a.Filename, a.ContentType, len(a.Data), a.Description)
			}
			if len(m.Embeds) != 1 || m.Embeds[0].Image == nil || m.Embeds[0].Image.URL != "attachment://digest.png" {
				t.Errorf("embed image: %+v", m.Embeds)
			}
			if m.Nonce != "7" || !m.EnforceNonce {
				t.Errorf("nonce %q enforced %v", m.Nonce, m.EnforceNonce)
			}
		})
	}
}

// A digest without chart data is plain JSON, as before.
func TestDeliverDigestNoChart(t *testing.T) {
	e := newEnv(t, false)
	deliver(t, e.n, delivery(7, digestEvent(3), ""))
	msgs := e.fake.Messages(testChannel)
	if len(msgs) != 1 || len(msgs[0].Attachments) != 0 || msgs[0].Embeds[0].Image != nil {
		t.Fatalf("messages %+v", msgs)
	}
}

// A channel whose locale is German gets the digest as written in German,
// and its chart's picture and description in German too.
func TestDeliverDigestInChannelLanguage(t *testing.T) {
	ev := chartEvent()
	ev.Written = map[string]outage.Written{"de": {
		Title: "Täglicher Digest: 3 Ausfälle in den letzten 24 Stunden",
		Body:  outage.FormatSections([]outage.Section{{Heading: "Zeitraum", Lines: []string{"1. März 08:00 – 2. März 08:00 UTC (24 Stunden)"}}}),
	}}
	de := i18n.For("de")
	img, err := chart.Render(ev.Chart, de)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvLang(t, false, "de")
	deliver(t, e.n, delivery(7, ev, ""))
	msgs := e.fake.Messages(testChannel)
	if len(msgs) != 1 || len(msgs[0].Embeds) != 1 || len(msgs[0].Attachments) != 1 {
		t.Fatalf("messages %+v", msgs)
	}
	m := msgs[0]
	if m.Embeds[0].Title != "Täglicher Digest: 3 Ausfälle in den letzten 24 Stunden" || m.Embeds[0].Description != "**Zeitraum**\n1. März 08:00 – 2. März 08:00 UTC (24 Stunden)" {
		t.Errorf("embed %q %q", m.Embeds[0].Title, m.Embeds[0].Description)
	}
	if a := m.Attachments[0]; !bytes.Equal(a.Data, img) || a.Description != chart.AltText(ev.Chart, de) {
		t.Errorf("attachment: %d bytes, description %q", len(a.Data), a.Description)
	}
}
