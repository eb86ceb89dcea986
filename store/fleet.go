package store

import (
	"context"
	"fmt"
	"time"
)

// The fleet: replicas that share the polling register here with
// heartbeats, and write what they polled for the leader to apply (see
// package fleet). These writes are not fenced by the leader lease: they are
// observations, not state, and any live replica may make them; only the
// leader turns them into outages, through fenced commits.

// Replica is one registered replica.
type Replica struct {
	ID       string
	Location string
	Lease    time.Duration
	LastSeen time.Time
}

// Heartbeat registers replica id in location, or renews it, as seen at now;
// it counts as live until now + lease.
func (s *Store) Heartbeat(ctx context.Context, id, location string, lease time.Duration, now time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO replicas (id, location, lease_ms, last_seen, started_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET location = excluded.location, lease_ms = excluded.lease_ms, last_seen = excluded.last_seen`),
		id, location, lease.Milliseconds(), now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	return nil
}

// Deregister removes replica id at once (a clean shutdown), so the others
// take over its share without waiting for its lease to run out.
func (s *Store) Deregister(ctx context.Context, id string) error {
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM replicas WHERE id = ?`), id); err != nil {
		return fmt.Errorf("deregister: %w", err)
	}
	return nil
}

// LiveReplicas returns the replicas live at now, ordered by id. Replicas
// gone for more than ten leases are deleted on the way.
func (s *Store) LiveReplicas(ctx context.Context, now time.Time) ([]Replica, error) {
	ms := now.UnixMilli()
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM replicas WHERE last_seen + 10 * lease_ms < ?`), ms); err != nil {
		return nil, fmt.Errorf("prune replicas: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, location, lease_ms, last_seen FROM replicas WHERE last_seen + lease_ms > ? ORDER BY id`), ms)
	if err != nil {
		return nil, fmt.Errorf("read replicas: %w", err)
	}
	defer rows.Close()
	var out []Replica
	for rows.Next() {
		var r Replica
		var lease, seen int64
		if err := rows.Scan(&r.ID, &r.Location, &lease, &seen); err != nil {
			return nil, fmt.Errorf("read replicas: %w", err)
		}
		r.Lease, r.LastSeen = time.Duration(lease)*time.Millisecond, time.UnixMilli(seen)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read replicas: %w", err)
	}
	return out, nil
}

// PollResult is one target's latest poll from one location ("" for a
// target that one replica polls for all).
type PollResult struct {
	Target, Location, Replica string
	At                        time.Time
	OK                        bool
	Status                    string
	Latency                   time.Duration
	Error                     string
	// Observation is the whole observation (JSON) of a target polled for
	// all; empty for a location's probe result.
	Observation []byte
	// FailStreak and OKStreak count the location's consecutive failed and
	// good results; Verdict is "failing" once FailStreak reached the
	// target's failure threshold, "ok" once OKStreak reached its success
	// threshold, and stays until the other happens ("" before either).
	// PutResult computes them.
	FailStreak, OKStreak int
	Verdict              string
	Seq                  int64
}

// Verdicts of a location.
const (
	VerdictFailing = "failing"
	VerdictOK      = "ok"
)

// maxStreak bounds the stored streaks (thresholds are at most 100).
const maxStreak = 1000

// PutResult stores r as the latest result of (r.Target, r.Location),
// counting the location's streaks on from the stored ones and judging them
// by the thresholds failN and okN. A result older than the stored one (two
// replicas in one location, out of order) changes nothing.
func (s *Store) PutResult(ctx context.Context, r PollResult, failN, okN int) error {
	fail, good := 1, 0
	if r.OK {
		fail, good = 0, 1
	}
	verdict := ""
	switch {
	case !r.OK && failN <= 1:
		verdict = VerdictFailing
	case r.OK && okN <= 1:
		verdict = VerdictOK
	}
	seq := `(SELECT COALESCE(MAX(seq), 0) + 1 FROM poll_results)`
	if s.d.name == "postgres" {
		seq = `nextval('poll_results_seq')`
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO poll_results
		(target, location, replica, at, ok, status, latency_us, error, fail_streak, ok_streak, verdict, observation, seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, `+seq+`)
		ON CONFLICT (target, location) DO UPDATE SET
			replica = excluded.replica, at = excluded.at, ok = excluded.ok, status = excluded.status,
			latency_us = excluded.latency_us, error = excluded.error, observation = excluded.observation,
			fail_streak = CASE WHEN excluded.ok = 1 THEN 0 WHEN poll_results.fail_streak >= ? THEN ? ELSE poll_results.fail_streak + 1 END,
			ok_streak = CASE WHEN excluded.ok = 0 THEN 0 WHEN poll_results.ok_streak >= ? THEN ? ELSE poll_results.ok_streak + 1 END,
			verdict = CASE
				WHEN excluded.ok = 0 AND poll_results.fail_streak + 1 >= ? THEN 'failing'
				WHEN excluded.ok = 1 AND poll_results.ok_streak + 1 >= ? THEN 'ok'
				ELSE poll_results.verdict END,
			seq = excluded.seq
		WHERE excluded.at >= poll_results.at`),
		r.Target, r.Location, r.Replica, r.At.UnixMilli(), boolInt(r.OK), r.Status, r.Latency.Microseconds(), r.Error,
		fail, good, verdict, string(r.Observation),
		maxStreak, maxStreak, maxStreak, maxStreak, failN, okN)
	if err != nil {
		return fmt.Errorf("store the poll result of %s: %w", r.Target, err)
	}
	return nil
}

// ResultsSince returns the results written after seq, oldest first, at
// most limit of them.
func (s *Store) ResultsSince(ctx context.Context, seq int64, limit int) ([]PollResult, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT target, location, replica, at, ok, status, latency_us, error,
		fail_streak, ok_streak, verdict, observation, seq FROM poll_results WHERE seq > ? ORDER BY seq LIMIT ?`), seq, limit)
	if err != nil {
		return nil, fmt.Errorf("read poll results: %w", err)
	}
	defer rows.Close()
	var out []PollResult
	for rows.Next() {
		var r PollResult
		var at, lat int64
		var ok int
		var obs string
		if err := rows.Scan(&r.Target, &r.Location, &r.Replica, &at, &ok, &r.Status, &lat, &r.Error,
			&r.FailStreak, &r.OKStreak, &r.Verdict, &obs, &r.Seq); err != nil {
			return nil, fmt.Errorf("read poll results: %w", err)
		}
		r.At, r.OK, r.Latency = time.UnixMilli(at), ok == 1, time.Duration(lat)*time.Microsecond
		if obs != "" {
			r.Observation = []byte(obs)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read poll results: %w", err)
	}
	return out, nil
}

// PruneResults deletes results older than before: those of targets no
// longer configured, or of locations no longer probing.
func (s *Store) PruneResults(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM poll_results WHERE at < ?`), before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("prune poll results: %w", err)
	}
	return res.RowsAffected()
}
