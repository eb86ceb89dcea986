package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/uptime"
)

// Reads is what the snapshot says of the target's latest polls, for its
// unread spell (uptime.Unread).
func (s Snapshot) Reads() uptime.Reads {
	return uptime.Reads{Status: s.Status, Reachable: s.Reachable, CheckedAt: s.CheckedAt, ReadAt: s.ReadAt, UnreachableSince: s.UnreachableSince}
}

// Uptimes measures each snapshot's target over w at now as the status
// page does (uptime.Of): from the store's outages, when the bot first saw
// the target and the gaps in its observation, with the spell the live
// view says the target cannot be read. The command and the digests read
// their figures here, so chat, digests and the page agree.
func Uptimes(ctx context.Context, h History, snaps []Snapshot, w uptime.Window, now time.Time) ([]uptime.Measure, error) {
	outs, err := h.Outages(ctx, w.Start(now), only(snaps))
	if err != nil {
		return nil, fmt.Errorf("read the outage history: %w", err)
	}
	return MeasureUptimes(ctx, h, outs, snaps, w, now)
}

// only is the one target snaps name, "" for several (every target).
func only(snaps []Snapshot) string {
	if len(snaps) == 1 {
		return snaps[0].Name
	}
	return ""
}

// MeasureUptimes is Uptimes for a caller that has read the outages since
// w's start already (every target's, or those of snaps): a digest reads
// them for its list and measures from the same read.
func MeasureUptimes(ctx context.Context, h History, outs []outage.Outage, snaps []Snapshot, w uptime.Window, now time.Time) ([]uptime.Measure, error) {
	start, target := w.Start(now), only(snaps)
	seen, err := h.TargetHistories(ctx)
	if err != nil {
		return nil, fmt.Errorf("read when targets were first seen: %w", err)
	}
	gaps, err := h.Gaps(ctx, target, start)
	if err != nil {
		return nil, fmt.Errorf("read the gaps in observation: %w", err)
	}
	byTarget := map[string][]outage.Outage{}
	for _, o := range outs {
		byTarget[o.Target] = append(byTarget[o.Target], o)
	}
	out := make([]uptime.Measure, len(snaps))
	for i, s := range snaps {
		th, ok := seen[s.Name]
		obs := uptime.Observed{Seen: ok, FirstSeen: th.FirstSeen, Outages: byTarget[s.Name], Gaps: gaps[s.Name]}
		if u, spell := uptime.Unread(s.Name, s.Reads(), th.FirstSeen, th.LastResolved, now); ok && spell {
			obs.Outages = append(obs.Outages[:len(obs.Outages):len(obs.Outages)], u)
		}
		out[i] = uptime.Of(w, obs, now)
	}
	return out, nil
}
