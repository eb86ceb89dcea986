package board

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/outagebot/outagebot/sources"
)

type publisher struct {
	mu  sync.Mutex
	got map[string][]string // user -> targets shown
}

func (p *publisher) PublishHome(_ context.Context, user string, lines []Line) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var names []string
	for _, l := range lines {
		names = append(names, l.Target)
	}
	p.got[user] = names
	return nil
}

// Each user's tab shows what their channels follow; a user whose channels
// cannot be read sees every target.
func TestHomeFollows(t *testing.T) {
	lines := []Line{{Target: "OpenAI", Status: sources.Operational}, {Target: "GitHub", Status: sources.Operational}, {Target: "Stripe", Status: sources.Operational}}
	pub := &publisher{got: map[string][]string{}}
	forgotten := map[string]int{}
	published := make(chan string, 10)
	h := &Home{
		Publisher: pub, Lines: func() []Line { return lines },
		Follows: func(_ context.Context, user string) (func(string) bool, error) {
			switch user {
			case "U1":
				return Routed([]string{"github", "Stripe"}), nil
			case "U2":
				return Routed(nil), nil
			}
			return nil, errors.New("missing_scope")
		},
		Forget:    func(user string) { forgotten[user]++ },
		Published: func(user string) { published <- user },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	for _, u := range []string{"U1", "U2", "U3"} {
		h.Opened(u)
		if got := <-published; got != u {
			t.Fatalf("published for %s, want %s", got, u)
		}
	}
	pub.mu.Lock()
	defer pub.mu.Unlock()
	want := map[string][]string{"U1": {"GitHub", "Stripe"}, "U2": nil, "U3": {"OpenAI", "GitHub", "Stripe"}}
	for u, w := range want {
		if !slices.Equal(pub.got[u], w) {
			t.Errorf("%s sees %v, want %v", u, pub.got[u], w)
		}
	}
	if forgotten["U1"] != 1 || forgotten["U3"] != 1 {
		t.Errorf("forgotten on open: %v", forgotten)
	}
}
