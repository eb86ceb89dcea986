package bot

import (
	"fmt"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// DefaultNetworkDownMinTargets is the fewest targets for which failing all
// at once means our own network: with one target, its own trouble and
// ours look the same.
const DefaultNetworkDownMinTargets = 2

// networkKey is the notice's outage key, and networkStateKey the key its
// state is stored under beside the targets' states.
const (
	networkKey      = "network"
	networkStateKey = "outagebot:network"
)

// NetworkWatch is the "our own network is down" rule, a pure step: it is
// told each target's latest poll and decides when every target has failed
// for network reasons (no name resolved, no connection made) in the same
// round. Then the trouble is almost certainly on our side, and one notice
// says so instead of an outage for every target; the polls that fail while
// it lasts are held back from the engine, so no outage opens, and the
// first poll that gets through ends the notice, with no restorations to
// announce.
type NetworkWatch struct {
	// Min is the fewest targets for which the rule applies (default
	// DefaultNetworkDownMinTargets); fewer configured targets never make
	// the network look down. Negative turns the rule off.
	Min int
	// NewID makes the notice's outage id.
	NewID func() string

	// failing holds, by target, whether its latest poll failed for network
	// reasons.
	failing map[string]bool
	// Notice is the open "cannot reach the internet" notice, nil while the
	// network looks fine. It is what the store keeps (see NetworkState).
	Notice *outage.Outage
}

// NetworkState is the watch's stored state.
type NetworkState struct {
	Notice *outage.Outage `json:"notice,omitempty"`
}

// NetworkStep is what one poll did to the watch.
type NetworkStep struct {
	// Hold is set when the poll failed while the network is down: it says
	// nothing about its target, and the engine must not count it.
	Hold bool
	// Change is the notice's opening or ending, if this poll caused one.
	Change Change
}

// Step records that target's latest poll failed for network reasons
// (netFail) or not, among targets configured targets, at now.
func (w *NetworkWatch) Step(target string, netFail bool, targets int, now time.Time) NetworkStep {
	if w.failing == nil {
		w.failing = map[string]bool{}
	}
	w.failing[target] = netFail
	switch {
	case w.Notice != nil && netFail:
		return NetworkStep{Hold: true}
	case w.Notice != nil:
		return NetworkStep{Change: w.end(target, targets, now)}
	case netFail && w.allFailing(targets):
		return NetworkStep{Hold: true, Change: w.begin(targets, now)}
	}
	return NetworkStep{}
}

// Forget drops what is known of targets that are no longer configured, so
// a removed target's last failure never counts towards "every target".
func (w *NetworkWatch) Forget(targets ...string) {
	for _, t := range targets {
		delete(w.failing, t)
	}
}

func (w *NetworkWatch) allFailing(targets int) bool {
	min := w.Min
	if min == 0 {
		min = DefaultNetworkDownMinTargets
	}
	if min < 0 || targets < min {
		return false
	}
	n := 0
	for _, f := range w.failing {
		if f {
			n++
		}
	}
	return n >= targets
}

func (w *NetworkWatch) begin(targets int, now time.Time) Change {
	id := fmt.Sprintf("network-%d", now.UnixMilli())
	if w.NewID != nil {
		id = w.NewID()
	}
	w.Notice = &outage.Outage{
		ID: id, Target: outage.SelfTarget, Key: networkKey, Class: outage.Unreachable,
		Severity: sources.Unknown, OpenedAt: now,
	}
	setTitle(w.Notice, ours(outage.Say("engine.network.title")))
	body := ours(outage.Say("engine.network.down", outage.Count("Count", targets)))
	ev := w.Notice.Event(outage.Opened, now, body.en)
	ev.Said = body.said
	return Change{Outages: []outage.Outage{*w.Notice}, Events: []outage.Event{ev}}
}

func (w *NetworkWatch) end(target string, targets int, now time.Time) Change {
	o := *w.Notice
	w.Notice = nil
	if now.Before(o.OpenedAt) {
		now = o.OpenedAt
	}
	o.ResolvedAt = now
	body := ours(outage.Say("engine.network.back", outage.Str("Target", target), outage.Count("Count", targets)))
	ev := o.Event(outage.Resolved, now, body.en)
	ev.Said = body.said
	return Change{Outages: []outage.Outage{o}, Events: []outage.Event{ev}}
}

// Undo puts back the notice as it was before a step whose commit failed,
// so that the next poll takes the step again.
func (w *NetworkWatch) Undo(before *outage.Outage) { w.Notice = before }
