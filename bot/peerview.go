package bot

import (
	"encoding/json"
	"slices"
	"sort"

	"github.com/outagebot/outagebot/outage"
	"github.com/outagebot/outagebot/sources"
)

// What other targets' polls see of a target is the state the store holds,
// never a step that is made but not stored yet. Messages in one chat thread
// go out in the order they are stored, and relate writes into threads that
// two targets share: a confirmation derived from a vendor's incident that
// is still on its way to the store would be stored, and posted, before the
// incident itself; a vendor incident joining a thread whose root is not
// stored yet would be posted first, as that root. Reading only stored
// peers makes each such message follow, in the store, what it is about.

// peerView is the target as other polls may see it; ts.mu is held. With no
// step waiting the state in memory is the stored one (a steady poll
// changes only the snapshot, the status with it); otherwise it is the
// stored state, read back from its encoding (only while a commit is in
// flight or the store fails, so the decoding is rare).
func (ts *targetState) peerView(name string) Peer {
	if len(ts.pending) == 0 {
		return peerOf(name, &ts.st)
	}
	var st TargetState
	if ts.committed == nil || json.Unmarshal(ts.committed, &st) != nil {
		// Nothing stored yet: to the others the target is not checked yet.
		return Peer{Name: name, Status: sources.Unknown}
	}
	return peerOf(name, &st)
}

// peerOf copies what relate needs of st.
func peerOf(name string, st *TargetState) Peer {
	p := Peer{Name: name, Status: st.Snapshot.Status, Initialized: st.Initialized}
	for _, t := range st.Outages {
		if t.Outage.Class == outage.Incident {
			// A deep copy: the peer's own polls go on changing its state
			// under its lock, which the reader of this copy does not hold.
			o := t.Outage
			o.Components = slices.Clone(o.Components)
			if o.Link != nil {
				l := *o.Link
				o.Link = &l
			}
			p.Outages = append(p.Outages, PeerOutage{Outage: o, SeenAt: t.SeenAt})
		}
	}
	sort.Slice(p.Outages, func(i, j int) bool { return p.Outages[i].OpenedAt.Before(p.Outages[j].OpenedAt) })
	return p
}
