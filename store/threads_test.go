package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

func TestThreads(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("joined outage queues behind its thread", func(t *testing.T) { testJoinedThread(t, open(t)) })
			t.Run("outage by id prefix", func(t *testing.T) { testOutageByPrefix(t, open(t)) })
		})
	}
}

// An outage that joined another's thread is delivered after that thread's
// earlier messages and under its root.
func testJoinedThread(t *testing.T, s *store.Store) {
	ctx := context.Background()
	vendor := outage.Outage{ID: "aaaa0001", Target: "OpenAI", Key: "incident:1", Class: outage.Incident, Title: "Errors", Severity: sources.PartialOutage, OpenedAt: t0}
	ours := outage.Outage{ID: "bbbb0001", Target: "Support chatbot", Key: "health", Class: outage.Incident, Title: "Down", Severity: sources.MajorOutage, OpenedAt: t0, Thread: vendor.ID}
	commit := func(o *outage.Outage, kind outage.Kind) {
		t.Helper()
		ev := o.Event(kind, t0, "")
		if _, err := s.Commit(ctx, store.Commit{Target: o.Target, State: []byte(`{}`), Outages: []outage.Outage{*o}, Events: []outage.Event{ev}, Dests: []string{"ops/slack"}, At: t0}); err != nil {
			t.Fatal(err)
		}
	}
	commit(&vendor, outage.Opened)
	commit(&ours, outage.Opened)
	due, err := s.Due(ctx, "ops/slack", t0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].Event.OutageID != vendor.ID {
		t.Fatalf("due before the root is posted: %+v", due)
	}
	if err := s.Settle(ctx, store.Settlement{Item: due[0], Outcome: store.Delivered, Ref: "root-1", At: t0}); err != nil {
		t.Fatal(err)
	}
	due, err = s.Due(ctx, "ops/slack", t0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].Event.OutageID != ours.ID || due[0].Root != "root-1" || !due[0].Joined() {
		t.Fatalf("the joined outage: %+v", due)
	}
	if err := s.Settle(ctx, store.Settlement{Item: due[0], Outcome: store.Delivered, Ref: "reply-1", At: t0}); err != nil {
		t.Fatal(err)
	}
	// Its later events find the same root.
	commit(&ours, outage.Updated)
	due, _ = s.Due(ctx, "ops/slack", t0, 10)
	if len(due) != 1 || due[0].Root != "root-1" || !due[0].Joined() {
		t.Fatalf("the joined outage's update: %+v", due)
	}
	if err := s.Settle(ctx, store.Settlement{Item: due[0], Outcome: store.Delivered, Ref: "reply-2", At: t0}); err != nil {
		t.Fatal(err)
	}
	// A report in the thread is queued once, behind the thread, under its
	// root; it never becomes a root itself.
	rep := outage.Event{OutageID: "report:" + vendor.ID + ":1", Seq: 1, Kind: outage.Report, Class: outage.Incident, Target: "OpenAI", At: t0, Thread: vendor.ID}
	for i, want := range []bool{true, false} {
		if queued, err := s.QueueInThread(ctx, rep, t0); err != nil || queued != want {
			t.Fatalf("report, attempt %d: queued %v, err %v", i+1, queued, err)
		}
	}
	if _, err := s.QueueInThread(ctx, outage.Event{OutageID: "x", Seq: 1, Kind: outage.Report}, t0); err == nil {
		t.Error("a report without a thread was queued")
	}
	due, _ = s.Due(ctx, "ops/slack", t0, 10)
	if len(due) != 1 || due[0].Event.Kind != outage.Report || due[0].Root != "root-1" {
		t.Fatalf("the report: %+v", due)
	}
	if err := s.Settle(ctx, store.Settlement{Item: due[0], Outcome: store.Delivered, Ref: "reply-3", At: t0}); err != nil {
		t.Fatal(err)
	}
	// The thread's own outage owns the root.
	commit(&vendor, outage.Updated)
	due, _ = s.Due(ctx, "ops/slack", t0, 10)
	if len(due) != 1 || due[0].Event.OutageID != vendor.ID || due[0].Joined() {
		t.Fatalf("the owner's update: %+v", due)
	}
}

func testOutageByPrefix(t *testing.T, s *store.Store) {
	ctx := context.Background()
	for _, id := range []string{"3f9a1c2e00000001", "3f9a1c2e00000002", "77aa000000000001"} {
		o := outage.Outage{ID: id, Target: "T", Key: id, Class: outage.Incident, Title: "x", Severity: sources.Degraded, OpenedAt: t0.Add(time.Minute)}
		if _, err := s.Commit(ctx, store.Commit{Target: "T" + id, State: []byte(`{}`), Outages: []outage.Outage{o}, At: t0}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		id, want string
		err      error
	}{
		{"77aa", "77aa000000000001", nil},
		{"3f9a1c2e00000002", "3f9a1c2e00000002", nil},
		{"3f9a1c2e", "", store.ErrAmbiguous},
		{"ffff", "", store.ErrNotFound},
		{"3f9a%", "", store.ErrNotFound},
		{"", "", store.ErrNotFound},
	} {
		o, err := s.Outage(ctx, c.id)
		if !errors.Is(err, c.err) || o.ID != c.want {
			t.Errorf("Outage(%q) = %q, %v; want %q, %v", c.id, o.ID, err, c.want, c.err)
		}
	}
}

// With routes, each outage keeps to its own channels: a joined outage never
// follows its thread into channels its routes do not send it to, nor the
// thread's owner into the joined outage's.
func TestJoinedThreadKeepsToItsRoutes(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			route := func(ev outage.Event) []string {
				if ev.Target == "OpenAI" {
					return []string{"ai/slack"}
				}
				return []string{"support/slack"}
			}
			vendor := outage.Outage{ID: "aaaa0002", Target: "OpenAI", Key: "incident:1", Class: outage.Incident, Title: "Errors", Severity: sources.PartialOutage, OpenedAt: t0}
			ours := outage.Outage{ID: "bbbb0002", Target: "Support chatbot", Key: "health", Class: outage.Incident, Title: "Down", Severity: sources.MajorOutage, OpenedAt: t0, Thread: vendor.ID}
			commit := func(o *outage.Outage, kind outage.Kind) {
				t.Helper()
				ev := o.Event(kind, t0, "")
				if _, err := s.Commit(ctx, store.Commit{Target: o.Target, State: []byte(`{}`), Outages: []outage.Outage{*o}, Events: []outage.Event{ev}, DestsFor: route, At: t0}); err != nil {
					t.Fatal(err)
				}
			}
			commit(&vendor, outage.Opened)
			commit(&ours, outage.Opened)
			commit(&vendor, outage.Updated)
			commit(&ours, outage.Updated)
			for dest, want := range map[string]string{"ai/slack": "OpenAI", "support/slack": "Support chatbot"} {
				for {
					due, err := s.Due(ctx, dest, t0, 10)
					if err != nil {
						t.Fatal(err)
					}
					if len(due) == 0 {
						break
					}
					for _, it := range due {
						if it.Event.Target != want {
							t.Errorf("%s got %s's %s", dest, it.Event.Target, it.Event.Kind)
						}
						if err := s.Settle(ctx, store.Settlement{Item: it, Outcome: store.Delivered, Ref: fmt.Sprint("ref-", it.ID), At: t0}); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
		})
	}
}

// A thread root recorded before roots had owners belongs to the thread's
// own outage: an outage joining it must not edit it.
func TestThreadRootWithoutOwner(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	vendor := outage.Outage{ID: "aaaa0003", Target: "OpenAI", Key: "incident:1", Class: outage.Incident, Title: "Errors", Severity: sources.PartialOutage, OpenedAt: t0}
	ev := vendor.Event(outage.Opened, t0, "")
	if _, err := s.Commit(ctx, store.Commit{Target: "OpenAI", State: []byte(`{}`), Outages: []outage.Outage{vendor}, Events: []outage.Event{ev}, Dests: []string{"ops/slack"}, At: t0}); err != nil {
		t.Fatal(err)
	}
	due, _ := s.Due(ctx, "ops/slack", t0, 10)
	if err := s.Settle(ctx, store.Settlement{Item: due[0], Outcome: store.Delivered, Ref: "root-1", At: t0}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE threads SET owner = ''`); err != nil {
		t.Fatal(err)
	}
	ours := outage.Outage{ID: "bbbb0003", Target: "Support chatbot", Key: "health", Class: outage.Incident, Title: "Down", Severity: sources.MajorOutage, OpenedAt: t0, Thread: vendor.ID}
	if _, err := s.Commit(ctx, store.Commit{Target: "Support chatbot", State: []byte(`{}`), Outages: []outage.Outage{ours}, Events: []outage.Event{ours.Event(outage.Opened, t0, "")}, Dests: []string{"ops/slack"}, At: t0}); err != nil {
		t.Fatal(err)
	}
	due, _ = s.Due(ctx, "ops/slack", t0, 10)
	if len(due) != 1 || due[0].Root != "root-1" || due[0].RootOwner != vendor.ID || !due[0].Joined() {
		t.Fatalf("joining a root without an owner: %+v", due)
	}
}
