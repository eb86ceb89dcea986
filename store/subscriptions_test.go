package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// following is how the app routes subscriptions in these tests: channel
// C1 on Slack is the configured "ops", every other channel its own
// destination; Discord is not served.
var following = &store.Following{
	Keys: []store.SubKey{{Kind: store.SubTarget, Name: "openai"}, {Kind: store.SubGroup, Name: "ai"}, {Kind: store.SubVendor, Name: "openai"}},
	Dest: func(platform, channel string) string {
		switch {
		case platform != "slack":
			return ""
		case channel == "C1":
			return "ops/slack"
		}
		return "chat:" + channel + "/slack"
	},
	Owned: func(dest string) bool { return strings.HasPrefix(dest, "chat:") },
}

func sub(channel, kind, name, min string) store.Subscription {
	return store.Subscription{Platform: "slack", Channel: channel, Kind: kind, Name: name, MinSeverity: min, CreatedBy: "<@U1>", CreatedAt: t0}
}

// queued lists, per event seq, the destinations the outbox holds for it,
// settling each as delivered to reach the next in its thread.
func queued(t *testing.T, s *store.Store, dests ...string) map[int][]string {
	t.Helper()
	ctx := context.Background()
	out := map[int][]string{}
	for _, d := range dests {
		for {
			items, err := s.Due(ctx, d, t0.Add(24*time.Hour), 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) == 0 {
				break
			}
			for _, it := range items {
				out[it.Event.Seq] = append(out[it.Event.Seq], d)
				if err := s.Settle(ctx, store.Settlement{Item: it, Outcome: store.Delivered, Ref: "m1", At: t0}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

func TestSubscriptionsRouteInTheCommit(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			// Subscribing twice is one subscription; a new severity
			// replaces the old one.
			for i, sb := range []store.Subscription{
				sub("C1", store.SubTarget, "OpenAI", ""), // the configured channel: once
				sub("C2", store.SubGroup, "AI", "partial_outage"),
				sub("C2", store.SubGroup, "ai", "degraded"),
				sub("C3", store.SubVendor, "openai", "major_outage"),
				sub("C4", store.SubTarget, "other", ""),
			} {
				created, changed, _, err := s.Subscribe(ctx, sb)
				if err != nil {
					t.Fatal(err)
				}
				if want := i != 2; created != want || changed == want {
					t.Errorf("subscription %d: created %v changed %v", i, created, changed)
				}
			}
			subs, err := s.Subscriptions(ctx, "slack", "C2")
			if err != nil || len(subs) != 1 || subs[0].MinSeverity != "degraded" || subs[0].Name != "ai" {
				t.Fatalf("C2 subscriptions %+v, %v", subs, err)
			}

			o, evs := lifecycle("o1")
			o.Severity = sources.PartialOutage
			for i := range evs {
				evs[i].Severity = sources.PartialOutage
			}
			commit := func(ev outage.Event) {
				t.Helper()
				if _, err := s.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte("{}"), Outages: []outage.Outage{o}, Events: []outage.Event{ev},
					Dests: []string{"ops/slack"}, Follow: following, At: t0}); err != nil {
					t.Fatal(err)
				}
			}
			commit(evs[0])
			// Made mid-outage: starts with the next outage.
			if _, _, _, err := s.Subscribe(ctx, sub("C5", store.SubTarget, "openai", "")); err != nil {
				t.Fatal(err)
			}
			commit(evs[1])
			// C2 unsubscribes mid-outage: its thread gets nothing more.
			if ok, err := s.Unsubscribe(ctx, "slack", "C2", store.SubGroup, "AI"); err != nil || !ok {
				t.Fatalf("unsubscribe: %v %v", ok, err)
			}
			if ok, _ := s.Unsubscribe(ctx, "slack", "C2", store.SubGroup, "AI"); ok {
				t.Error("unsubscribed twice")
			}
			commit(evs[2])
			all := []string{"ops/slack", "chat:C2/slack", "chat:C3/slack", "chat:C4/slack", "chat:C5/slack"}
			got := queued(t, s, all...)
			want := map[int][]string{
				1: {"chat:C2/slack", "ops/slack"}, // C3 wants major outages only; C4 follows another target
				2: {"chat:C2/slack", "ops/slack"}, // C5 came mid-outage
				3: {"ops/slack"},
			}
			for seq := 1; seq <= 3; seq++ {
				if !slices.Equal(got[seq], want[seq]) {
					t.Errorf("event %d queued to %v, want %v", seq, got[seq], want[seq])
				}
			}

			// The next outage reaches C5 too, and C3 once it is major.
			o2 := outage.Outage{ID: "o2", Target: "OpenAI", Key: "incident:2", Class: outage.Incident, Title: "Down", Severity: sources.MajorOutage, OpenedAt: t0}
			ev := o2.Event(outage.Opened, t0, "Down.")
			if _, err := s.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte("{}"), Outages: []outage.Outage{o2}, Events: []outage.Event{ev},
				Dests: []string{"ops/slack"}, Follow: following, At: t0}); err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, d := range all {
				items, _ := s.Due(ctx, d, t0.Add(24*time.Hour), 100)
				for _, it := range items {
					if it.Event.OutageID == "o2" {
						n++
						if d != "ops/slack" && d != "chat:C3/slack" && d != "chat:C5/slack" {
							t.Errorf("o2 queued to %s", d)
						}
					}
				}
			}
			if n != 3 {
				t.Errorf("o2 queued %d times, want 3 (ops, C3, C5)", n)
			}
		})
	}
}
