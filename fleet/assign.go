// Package fleet lets replicas on one PostgreSQL state share the polling:
// probes run from several locations and are combined by a quorum, and
// with shared polling each vendor feed and single-location probe is polled
// by one live replica.
//
// The design keeps the engine single-writer. Every replica is a worker: it
// registers with heartbeats (store.Heartbeat), polls what falls to it, and
// writes each result to the store (store.PutResult: the latest per target
// and location, with that location's streaks and verdict). The leader
// alone runs the collector: it reads what changed since it last looked,
// judges each location's health, combines the locations of each probe by
// its quorum, and hands the outcome to the engine (bot.Runner.Observe),
// whose commits are fenced by the leader lease as always. No replica
// talks to another: the database is the only meeting point.
package fleet

import (
	"hash/fnv"
	"slices"
)

// Owner returns which of the replicas ids polls key, by rendezvous
// (highest random weight) hashing: every replica that sees the same live
// set picks the same owner, and when a replica joins or leaves only the
// keys it wins or held move. "" when ids is empty.
func Owner(key string, ids []string) string {
	best, bestScore := "", uint64(0)
	for _, id := range ids {
		if s := score(id, key); best == "" || s > bestScore || (s == bestScore && id < best) {
			best, bestScore = id, s
		}
	}
	return best
}

func score(id, key string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(key))
	// FNV's low bits mix poorly for keys that differ at the end: finish
	// with splitmix64's mixer.
	x := h.Sum64()
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// locationsOf returns the distinct locations of replicas, sorted.
func locationsOf(replicas []Replica) []string {
	var out []string
	for _, r := range replicas {
		if !slices.Contains(out, r.Location) {
			out = append(out, r.Location)
		}
	}
	slices.Sort(out)
	return out
}
