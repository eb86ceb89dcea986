package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/store"
)

func TestDigests(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("sent once", func(t *testing.T) { testDigestSentOnce(t, open(t)) })
			t.Run("quiet run recorded", func(t *testing.T) { testDigestQuiet(t, open(t)) })
			t.Run("armed once", func(t *testing.T) { testDigestArmed(t, open(t)) })
		})
	}
}

func digestEvent(key string, at time.Time) *outage.Event {
	return &outage.Event{OutageID: fmt.Sprintf("digest:%s:%d", key, at.Unix()), Seq: 1, Kind: outage.Digest, Class: outage.DigestClass,
		Target: "Daily digest", At: at, Title: "Daily digest: no outages in the last 24h", Body: "Now\nAll up."}
}

// The event, its outbox rows and the record of the run are one
// transaction; committing the same run again queues nothing.
func testDigestSentOnce(t *testing.T, s *store.Store) {
	ctx := context.Background()
	dests := []string{"ops/slack", "ops/discord"}
	for i, want := range []bool{true, false, false} {
		sent, err := s.CommitDigest(ctx, store.DigestSend{Key: "1-abc", ScheduledAt: t0, Event: digestEvent("1-abc", t0), Dests: dests, At: t0.Add(time.Duration(i) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		if sent != want {
			t.Errorf("attempt %d: sent = %v, want %v", i+1, sent, want)
		}
	}
	// Another run of the same digest and a run of another digest at the
	// same time are runs of their own.
	for _, d := range []store.DigestSend{
		{Key: "1-abc", ScheduledAt: t0.Add(24 * time.Hour), Event: digestEvent("1-abc", t0.Add(24*time.Hour)), Dests: dests, At: t0.Add(24 * time.Hour)},
		{Key: "2-def", ScheduledAt: t0, Event: digestEvent("2-def", t0), Dests: dests, At: t0},
	} {
		if sent, err := s.CommitDigest(ctx, d); err != nil || !sent {
			t.Errorf("%s at %s: sent %v, err %v", d.Key, d.ScheduledAt, sent, err)
		}
	}
	for _, dest := range dests {
		items, err := s.Due(ctx, dest, t0.Add(48*time.Hour), 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 3 {
			t.Errorf("%s: %d queued digests, want 3", dest, len(items))
		}
		for _, it := range items {
			if it.Event.Kind != outage.Digest || it.Event.Body != "Now\nAll up." || it.Event.ID == 0 {
				t.Errorf("%s: queued %+v", dest, it.Event)
			}
		}
	}
	// A failing transaction leaves no record: the run can be made again.
	bad := store.DigestSend{Key: "3-ghi", ScheduledAt: t0, Event: digestEvent("1-abc", t0), Dests: dests} // event id taken
	if _, err := s.CommitDigest(ctx, bad); err == nil {
		t.Fatal("a duplicate event was accepted")
	}
	bad.Event = digestEvent("3-ghi", t0)
	if sent, err := s.CommitDigest(ctx, bad); err != nil || !sent {
		t.Errorf("after a failed commit: sent %v, err %v", sent, err)
	}
}

func testDigestQuiet(t *testing.T, s *store.Store) {
	ctx := context.Background()
	// A run without an event (skip_if_quiet) is recorded and posts nothing.
	if sent, err := s.CommitDigest(ctx, store.DigestSend{Key: "1-abc", ScheduledAt: t0}); err != nil || !sent {
		t.Fatalf("quiet run: recorded %v, err %v", sent, err)
	}
	if sent, err := s.CommitDigest(ctx, store.DigestSend{Key: "1-abc", ScheduledAt: t0, Event: digestEvent("1-abc", t0), Dests: []string{"ops/slack"}}); err != nil || sent {
		t.Errorf("a quiet run recorded, then the same run again: sent %v, err %v", sent, err)
	}
	if n, err := s.OutboxDepth(ctx); err != nil || n != 0 {
		t.Errorf("outbox depth %d, err %v", n, err)
	}
}

func testDigestArmed(t *testing.T, s *store.Store) {
	ctx := context.Background()
	for i := range 3 {
		got, err := s.DigestArmed(ctx, "1-abc", t0.Add(time.Duration(i)*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(t0) {
			t.Errorf("call %d: armed %s, want the first call's %s", i+1, got, t0)
		}
	}
	got, err := s.DigestArmed(ctx, "2-def", t0.Add(time.Hour))
	if err != nil || !got.Equal(t0.Add(time.Hour)) {
		t.Errorf("another digest: %s, %v", got, err)
	}
}
