package bot

import (
	"context"
	"sync"
	"testing"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
	"github.com/outagebot/outagebot/store"
)

// heldStore holds the commits of one target until the test lets them go,
// so that another target's poll runs while that target's step is made but
// not stored yet: the window a loaded machine opens by chance.
type heldStore struct {
	Committer
	target  string
	entered chan struct{}
	release chan struct{}
}

func (h *heldStore) Commit(ctx context.Context, c store.Commit) ([]outage.Event, error) {
	if c.Target == h.target {
		h.entered <- struct{}{}
		<-h.release
	}
	return h.Committer.Commit(ctx, c)
}

// whileHeld polls held in the background, and runs other while held's step
// is made but its commit has not begun; then lets the commit go and waits
// for it.
func whileHeld(f *relatedFixture, held string, other func()) {
	h := &heldStore{Committer: f.r.Store, target: held, entered: make(chan struct{}), release: make(chan struct{})}
	f.r.Store = h
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		f.poll(held)
	}()
	<-h.entered
	other()
	close(h.release)
	wg.Wait()
	f.r.Store = h.Committer
}

// Messages in one thread are posted in the order they are stored, so a
// message about another target's outage must never be stored before that
// outage's own: a poll sees the other targets as the store holds them, not
// as their polls in flight have them.
func TestRelateNeverAheadOfThePeersCommit(t *testing.T) {
	chatbotDown := probeObs(sources.MajorOutage, "HTTP 502")
	incident := obs(comps(part, op, op), apiIncident)
	tests := []struct {
		name string
		run  func(t *testing.T, f *relatedFixture)
		want []string
	}{{
		// OpenAI admits the incident while the chatbot's thread is open
		// and unconfirmed: its incident joins that thread. The chatbot,
		// polled before OpenAI's step is stored, must not confirm yet:
		// its confirmation would be posted before OpenAI's incident.
		name: "the vendor's incident is stored before our confirmation",
		run: func(t *testing.T, f *relatedFixture) {
			f.pollAt(4, "Support chatbot", chatbotDown)
			f.queued(t)
			f.at(16)
			f.set("OpenAI", incident)
			whileHeld(f, "OpenAI", func() { f.poll("Support chatbot") })
			f.at(17)
			f.poll("Support chatbot")
		},
		want: []string{
			"OpenAI opened in Support chatbot's thread | Affects our Support chatbot (failing since 14:04 UTC)",
			`Support chatbot updated: Confirmed: OpenAI now reports "Elevated errors", 12m after we detected it. | Confirmed by OpenAI: Elevated errors (12m after we detected it) | Fallback: Anthropic is operational`,
		},
	}, {
		// The chatbot's outage is made but not stored when OpenAI's
		// incident appears: the incident cannot join a thread whose root
		// is not stored (its message would come first, as the root); it
		// starts its own, and the chatbot's outage, which saw no incident
		// when it was made, is confirmed by its next poll.
		name: "a thread's root is stored before anything joins it",
		run: func(t *testing.T, f *relatedFixture) {
			f.at(4)
			f.set("Support chatbot", chatbotDown)
			f.set("OpenAI", incident)
			whileHeld(f, "Support chatbot", func() { f.poll("OpenAI") })
			f.at(5)
			f.poll("Support chatbot")
		},
		want: []string{
			"OpenAI opened | Support chatbot works",
			"Support chatbot opened | Unconfirmed: OpenAI reports no incident on API | Fallback: Anthropic is operational",
			`Support chatbot updated: Confirmed: OpenAI now reports "Elevated errors". | Confirmed by OpenAI: Elevated errors | Fallback: Anthropic is operational`,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRelatedFixture(t)
			tt.run(t, f)
			expect(t, "stored order", f.queued(t), tt.want...)
		})
	}
}
