package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// poll is one target's poll result as the watch sees it.
type netPoll struct {
	target  string
	netFail bool
	// want is what the step did: "" nothing, "hold", "opened", "resolved"
	// (opened implies hold).
	want string
}

func TestNetworkWatch(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)
	down := func(name string) netPoll { return netPoll{name, true, ""} }
	up := func(name string) netPoll { return netPoll{name, false, ""} }
	want := func(p netPoll, w string) netPoll { p.want = w; return p }
	for _, tc := range []struct {
		name    string
		min     int
		targets int
		polls   []netPoll
	}{
		{"all targets fail in one round: one notice, then held until one answers", 0, 3, []netPoll{
			down("a"), down("b"), want(down("c"), "opened"),
			want(down("a"), "hold"), want(down("b"), "hold"), want(down("c"), "hold"),
			want(up("a"), "resolved"), up("b"), up("c"),
		}},
		{"one target that answers keeps the rule quiet", 0, 3, []netPoll{
			down("a"), down("b"), up("c"), down("a"), down("b"), up("c"),
		}},
		{"a target not polled yet keeps the rule quiet", 0, 3, []netPoll{
			down("a"), down("b"), down("a"), down("b"),
		}},
		{"a single target is never the network", 0, 1, []netPoll{
			down("a"), down("a"), down("a"),
		}},
		{"two targets are enough by default", 0, 2, []netPoll{
			down("a"), want(down("b"), "opened"), want(up("b"), "resolved"),
		}},
		{"a configured minimum above the number of targets keeps the rule quiet", 3, 2, []netPoll{
			down("a"), down("b"), down("a"), down("b"),
		}},
		{"a configured minimum that is met applies", 3, 3, []netPoll{
			down("a"), down("b"), want(down("c"), "opened"),
		}},
		{"turned off", -1, 3, []netPoll{
			down("a"), down("b"), down("c"), down("a"),
		}},
		{"the network goes down again after it came back: a new notice", 0, 2, []netPoll{
			down("a"), want(down("b"), "opened"), want(up("a"), "resolved"), down("b"),
			want(down("a"), "opened"), want(down("b"), "hold"),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			w := &NetworkWatch{Min: tc.min, NewID: func() string { n++; return fmt.Sprintf("n%d", n) }}
			for i, p := range tc.polls {
				step := w.Step(p.target, p.netFail, tc.targets, t0.Add(time.Duration(i)*time.Minute))
				var got string
				switch {
				case len(step.Change.Events) > 1:
					t.Fatalf("poll %d: %d events", i, len(step.Change.Events))
				case len(step.Change.Events) == 1:
					got = string(step.Change.Events[0].Kind)
					if got == "opened" && !step.Hold {
						t.Errorf("poll %d: the poll that opens the notice is not held", i)
					}
				case step.Hold:
					got = "hold"
				}
				if got != p.want {
					t.Errorf("poll %d (%s, network failure %v): got %q, want %q", i, p.target, p.netFail, got, p.want)
				}
			}
		})
	}
}

// The notice says what happened and, once over, how long it lasted.
func TestNetworkNoticeWords(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)
	w := &NetworkWatch{NewID: func() string { return "n1" }}
	w.Step("a", true, 2, t0)
	open := w.Step("b", true, 2, t0.Add(time.Minute)).Change
	if len(open.Events) != 1 {
		t.Fatalf("opened: %+v", open)
	}
	ev := open.Events[0]
	if ev.Target != "outagebot" || ev.Class != "unreachable" || ev.Title != "Cannot reach the internet" ||
		!strings.Contains(ev.Body, "All 2 targets failed at once") || ev.Seq != 1 || open.Outages[0].Seq != 1 {
		t.Errorf("opening: %+v", ev)
	}
	end := w.Step("a", false, 2, t0.Add(13*time.Minute)).Change
	ev = end.Events[0]
	if ev.Kind != "resolved" || ev.Seq != 2 || ev.OutageID != "n1" || ev.Duration() != 12*time.Minute || !strings.HasPrefix(ev.Body, "Back online: a answers again.") {
		t.Errorf("ending: %+v", ev)
	}
	if w.Notice != nil {
		t.Error("the notice is still open")
	}
}

// A target removed by a reload no longer counts: its last network failure
// must not make the one target left look like "every target failing".
func TestNetworkWatchForgetsRemovedTargets(t *testing.T) {
	w := &NetworkWatch{Min: 1}
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	w.Step("gone", true, 2, now)
	w.Forget("gone")
	if st := w.Step("kept", true, 2, now); st.Change.Empty() == false || st.Hold {
		t.Fatalf("one of two targets failing opened the notice: %+v", st)
	}
	if st := w.Step("other", true, 2, now); st.Change.Empty() {
		t.Fatal("both configured targets failing did not open the notice")
	}
}
